"""Fixtures of the operations tests: a local webhook receiver, config files, a story warehouse."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from ingest.paths import Paths
from tests.conftest import build, environment

# Enough volume for the evening-rejection story to be significant by hour of day (5 days).
STORY = dict(leads=9000, days=5, seed=11)


@dataclass
class Webhook:
    """An HTTP server on 127.0.0.1 that records every JSON body POSTed to it."""

    server: ThreadingHTTPServer
    received: list[dict] = field(default_factory=list)
    status: int = 200

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/leadwh"

    def clear(self) -> None:
        self.received.clear()


def start_webhook() -> Webhook:
    hook: Webhook

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            hook.received.append(json.loads(body))
            self.send_response(hook.status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook = Webhook(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return hook


@pytest.fixture
def webhook():
    hook = start_webhook()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture(scope="session")
def session_webhook():
    hook = start_webhook()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@dataclass
class StoryHome:
    paths: Paths
    summary: object
    posted: list[dict]  # what the build's alerts asset posted to the webhook


@pytest.fixture(scope="session")
def story_home(tmp_path_factory, session_webhook) -> StoryHome:
    """The simulator's stories (5 days, faults on) built once through Dagster, with the alerts
    webhook pointing at a local receiver."""
    from ingest.simulator.run import simulate

    paths = Paths(tmp_path_factory.mktemp("story"))
    summary = simulate(paths.landing, faults=True, **STORY)
    session_webhook.clear()
    with environment(LEADWH_ALERT_WEBHOOK=session_webhook.url):
        assert build(paths), "the story build failed; see the Dagster log above"
    posted = list(session_webhook.received)
    session_webhook.clear()
    return StoryHome(paths, summary, posted)
