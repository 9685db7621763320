"""A fake of LeadConduit's Events API: a real HTTP server on 127.0.0.1.

``GET /events`` (after_id / before_id exclusive, limit 1..1000, sort asc|desc, a bare JSON array)
and ``GET /events/stats`` (counts by type and outcome of events with start <= time <= end), HTTP
Basic with the key as password (401 otherwise), ``Accept: application/json`` required (403
"misconfigured csrf" otherwise). Tests queue failures (429 with Retry-After, 500), hide events
that are "stored late" and reveal them later, and skew the stats.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeLeadConduit:
    def __init__(self, api_key: str, events: list[dict]) -> None:
        self.api_key = api_key
        self.events = {e["id"]: e for e in events}
        self.hidden: set[str] = set()
        self.failures: deque[tuple[int, dict[str, str]]] = deque()
        self.stats_skew: dict[tuple[str, str], int] = {}
        self.ignore_after_id = False  # a broken API: every page from the start
        self.page_head: list = []  # items put before the events of every page (garbage)
        self.requests: list[tuple[str, dict[str, str]]] = []  # path with query, headers
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.url = ""

    # ------------------------------------------------------------------ the answers

    def visible(self) -> list[dict]:
        return [e for i, e in sorted(self.events.items()) if i not in self.hidden]

    def page(self, query: dict[str, list[str]]) -> tuple[int, object]:
        limit = int(query.get("limit", ["100"])[0])
        if not 1 <= limit <= 1000:
            return 400, {"error": "limit must be 1..1000"}
        events = self.visible()
        if "after_id" in query and not self.ignore_after_id:
            events = [e for e in events if e["id"] > query["after_id"][0]]
        if "before_id" in query:
            events = [e for e in events if e["id"] < query["before_id"][0]]
        if query.get("sort", ["desc"])[0] == "desc":
            events = events[::-1]
        return 200, (self.page_head + events)[:limit]

    def stats(self, query: dict[str, list[str]]) -> tuple[int, object]:
        start = datetime.fromisoformat(query["start"][0]).timestamp() * 1000
        end = datetime.fromisoformat(query["end"][0]).timestamp() * 1000
        types = set(query.get("type", ["source"]))
        counts: dict[tuple[str, str], int] = {}
        for e in self.visible():
            if e["type"] in types and start <= e["start_timestamp"] <= end:
                key = (e["type"], e.get("outcome"))
                counts[key] = counts.get(key, 0) + 1
        for key, n in self.stats_skew.items():
            counts[key] = counts.get(key, 0) + n
        return 200, [{"type": t, "outcome": o, "count": n} for (t, o), n in counts.items()]

    # ------------------------------------------------------------------ HTTP

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append((handler.path, dict(handler.headers)))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            self._answer(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        expected = "Basic " + base64.b64encode(f"API:{self.api_key}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            return _send(handler, 401, {"error": "Unauthorized"})
        if "application/json" not in handler.headers.get("Accept", ""):
            return _send(handler, 403, "misconfigured csrf")
        with self._lock:
            failure = self.failures.popleft() if self.failures else None
        if failure:
            return _send(handler, failure[0], {"error": "try later"}, failure[1])
        url = urlsplit(handler.path)
        query = parse_qs(url.query)
        if url.path == "/events":
            return _send(handler, *self.page(query))
        if url.path == "/events/stats":
            return _send(handler, *self.stats(query))
        return _send(handler, 404, {"error": "not found"})


def _send(handler, status: int, body: object, headers: dict[str, str] | None = None) -> None:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def serve(fake: FakeLeadConduit):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            fake.handle(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
