"""LeadConduit's Events API: pull new events into the landing zone as NDJSON, and its counts.

Protocol: HTTP Basic (user ``API``, password the API key), ``Accept: application/json`` (without
it the API answers 403), ``GET /events?limit=1000&sort=asc&after_id=<id>``, a bare JSON array per
page, stop on a short page. 429 (honouring Retry-After), 5xx and broken connections are retried
with backoff (tenacity); at most two requests are in flight; 401/403 stop with a clear error.

Ids are ObjectIds, ordered only to the second across hosts, and an event is stored when its
processing ends: an event can appear below a cursor already passed. Each pull therefore resumes
``LEADWH_PULL_OVERLAP_MINUTES`` before the last id it saw (the smallest id of that second) and
skips the events it already wrote (their ids are kept for the overlap); the landing de-duplicates
on event id anyway, so a repeat can never land twice. One NDJSON file per page:
``landing/events/api/<host>/<day>/<first id>_<last id>.ndjson``, written atomically.

The cursor lives in ``$LEADWH_HOME/connectors/events-api.sqlite``, beside the landing zone it
describes, not in the warehouse: a pull must not wait for a build that holds the warehouse file.
The API key is passed to the HTTP client only: never logged, never in an error or in metadata.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from ingest.connectors.object_ids import floor_id, id_time, is_object_id
from ingest.connectors.state import connect_state, exclusive, state_dir, write_atomically
from ingest.paths import Paths

PAGE_LIMIT = 1000
MAX_CONCURRENT = 2
MAX_ATTEMPTS = 8
MAX_RETRY_AFTER = 300.0
EVENT_TYPES = (
    "source",
    "filter",
    "recipient",
    "retry",
    "feedback-received",
    "feedback-sent",
)
STATE_FILE = "events-api.sqlite"
#: How far ahead of this machine's clock an event id may be dated and still move the cursor.
FUTURE_TOLERANCE = timedelta(minutes=5)


class ApiError(RuntimeError):
    """The API refused or kept failing; the message says what to do (and never holds the key)."""


class _Retryable(Exception):
    def __init__(self, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


def without_credentials(url: str) -> tuple[str, str]:
    """The URL without a ``user:password@`` part (never shown: errors, logs and metadata print the
    URL), and that password (an API key given in the URL)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, ""
    credentials, _, host = parts.netloc.rpartition("@")
    return parts._replace(netloc=host).geturl(), credentials.partition(":")[2]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(tz=UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


_backoff = wait_exponential_jitter(multiplier=0.5, max=30.0)


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _Retryable) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_RETRY_AFTER)
    return _backoff(state)


class EventsApi:
    """A client of one LeadConduit account (thread-safe; at most two requests in flight)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        log: Callable[[str], None] | None = None,
        timeout: float = 120.0,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        base_url, in_url = without_credentials(base_url)
        api_key = api_key or in_url
        if not api_key:
            raise ApiError(
                "no LeadConduit API key: set LEADWH_LEADCONDUIT_API_KEY (LeadConduit: "
                "account settings, API key)"
            )
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=httpx.BasicAuth("API", api_key),
            headers={"Accept": "application/json", "User-Agent": "leadwarehouse"},
            timeout=timeout,
        )
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._log = log
        self._max_attempts = max_attempts
        self.requests = 0
        self.retries = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> EventsApi:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get_json(self, path: str, params: list[tuple[str, str]]) -> Any:
        retrying = Retrying(
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            wait=_wait,
            stop=stop_after_attempt(self._max_attempts),
            before_sleep=self._before_sleep,
            reraise=True,
        )
        try:
            return retrying(self._get_once, path, params)
        except _Retryable as exc:
            raise ApiError(
                f"LeadConduit ({self.base_url}{path}) kept answering HTTP {exc.status} after "
                f"{self._max_attempts} attempts; try again later"
            ) from None
        except httpx.TransportError as exc:
            raise ApiError(
                f"cannot reach LeadConduit at {self.base_url} ({type(exc).__name__}: {exc}); "
                "check LEADWH_LEADCONDUIT_URL and the network"
            ) from None

    def _before_sleep(self, state: RetryCallState) -> None:
        self.retries += 1
        if self._log:
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0
            self._log(f"LeadConduit: {exc}; retrying in {wait:.1f}s")

    def _get_once(self, path: str, params: list[tuple[str, str]]) -> Any:
        with self._slots:
            self.requests += 1
            response = self._client.get(path, params=params)
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retryable(status, _retry_after(response))
        if status == 401:
            raise ApiError(
                "LeadConduit answered 401 Unauthorized: the API key in "
                "LEADWH_LEADCONDUIT_API_KEY is not accepted; copy the key from LeadConduit's "
                "account settings"
            )
        if status == 403:
            raise ApiError(
                "LeadConduit answered 403 Forbidden: this API key may not read events (or the "
                "request lacked Accept: application/json); check the key's account and role"
            )
        if status >= 400:
            detail = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
            raise ApiError(f"LeadConduit answered HTTP {status} to {path}: {detail}")
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                f"LeadConduit's answer to {path} is not JSON; is LEADWH_LEADCONDUIT_URL the API "
                f"({self.base_url})?"
            ) from None

    def events_page(self, after_id: str | None, limit: int = PAGE_LIMIT) -> list[dict]:
        params = [("limit", str(limit)), ("sort", "asc")]
        if after_id:
            params.append(("after_id", after_id))
        page = self.get_json("/events", params)
        if not isinstance(page, list):
            raise ApiError("LeadConduit's /events did not answer a JSON array")
        return page

    def stats(self, start: datetime, end: datetime) -> dict[tuple[str, str | None], int]:
        """Event counts by (type, outcome) with start <= time <= end."""
        params = [("start", start.isoformat()), ("end", end.isoformat())]
        params += [("type", t) for t in EVENT_TYPES]
        params.append(("group_by", "outcome"))
        return parse_stats(self.get_json("/events/stats", params))


def parse_stats(answer: Any) -> dict[tuple[str, str | None], int]:
    """Counts from /events/stats: rows ``{type, outcome, count}``, or ``{type: {outcome: n}}``."""
    counts: dict[tuple[str, str | None], int] = {}
    if isinstance(answer, dict) and isinstance(answer.get("stats"), list):
        answer = answer["stats"]
    if isinstance(answer, list):
        for row in answer:
            key = (str(row["type"]), row.get("outcome"))
            counts[key] = counts.get(key, 0) + int(row.get("count", 0))
    elif isinstance(answer, dict):
        for event_type, by_outcome in answer.items():
            if isinstance(by_outcome, dict):
                for outcome, n in by_outcome.items():
                    counts[(event_type, outcome)] = int(n)
            else:
                counts[(event_type, None)] = int(by_outcome)
    else:
        raise ApiError("LeadConduit's /events/stats answered an unexpected shape")
    return {k: v for k, v in counts.items() if v}


# --------------------------------------------------------------------------- the pull


@dataclass
class PullReport:
    url: str
    started_after: str = ""
    cursor_before: str = ""
    cursor_after: str = ""
    pages: int = 0
    events_read: int = 0
    events_written: int = 0
    repeats_skipped: int = 0
    files: list[str] = field(default_factory=list)
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, int | float | str]:
        return {
            "api": self.url,
            "started_after": self.started_after or "(the oldest event)",
            "cursor_before": self.cursor_before or "(none)",
            "cursor_after": self.cursor_after or "(none)",
            "pages": self.pages,
            "events_read": self.events_read,
            "events_written": self.events_written,
            "repeats_skipped": self.repeats_skipped,
            "files_written": len(self.files),
            "requests": self.requests,
            "retries": self.retries,
            "seconds": round(self.seconds, 2),
        }

    def line(self) -> str:
        return (
            f"pulled {self.events_read} events in {self.pages} pages from {self.url}: "
            f"{self.events_written} new in {len(self.files)} files, {self.repeats_skipped} "
            f"already pulled (overlap), cursor {self.cursor_after or '(none)'} "
            f"({self.requests} requests, {self.retries} retries, {self.seconds:.1f}s)"
        )


def _open_state(path: Path):
    con = connect_state(path)
    con.execute("create table if not exists cursor (api text primary key, last_id text)")
    con.execute(
        "create table if not exists seen (api text, event_id text, primary key (api, event_id))"
        " without rowid"
    )
    return con


def read_cursor(paths: Paths, base_url: str) -> str | None:
    path = state_dir(paths.home) / STATE_FILE
    if not path.exists():
        return None
    con = _open_state(path)
    try:
        row = con.execute("select last_id from cursor where api = ?", [base_url]).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def landing_folder(paths: Paths, base_url: str) -> Path:
    host = urlsplit(base_url).netloc.rsplit("@", 1)[-1].replace(":", "_") or "api"
    return paths.landing_events / "api" / host


def pull_events(
    api: EventsApi,
    paths: Paths,
    since: date | None = None,
    overlap_minutes: float = 10.0,
    limit: int = PAGE_LIMIT,
    log: Callable[[str], None] | None = None,
) -> PullReport:
    """Pull every event after the cursor (less the overlap) into the landing zone.

    ``since`` starts the first pull (no cursor yet) at that day; without it, the first pull reads
    everything the API keeps. With a cursor, ``since`` is ignored."""
    started = time.perf_counter()
    state_path = state_dir(paths.home) / STATE_FILE
    report = PullReport(api.base_url)
    folder = landing_folder(paths, api.base_url)
    with exclusive(state_path, f"pull from {api.base_url}"):
        con = _open_state(state_path)
        try:
            row = con.execute("select last_id from cursor where api = ?", [api.base_url]).fetchone()
            last = row[0] if row else None
            report.cursor_before = last or ""
            if last:
                after = floor_id(id_time(last) - timedelta(minutes=overlap_minutes))
            elif since:
                after = floor_id(datetime(since.year, since.month, since.day, tzinfo=UTC))
            else:
                after = None
            report.started_after = after or ""
            ceiling = floor_id(datetime.now(tz=UTC) + FUTURE_TOLERANCE)
            while True:
                page = api.events_page(after, limit)
                report.pages += 1
                report.events_read += len(page)
                if not page:
                    break
                ids = [e.get("id") if isinstance(e, dict) else None for e in page]
                last_in_page = ids[-1]
                if not isinstance(last_in_page, str) or not is_object_id(last_in_page):
                    raise ApiError(
                        f"an event on a page after {after} has no valid id; cannot page on"
                    )
                if after and last_in_page.lower() <= after.lower():
                    raise ApiError(
                        f"LeadConduit answered a page after {after} that ends at {last_in_page}:"
                        " the API did not page forward (does it honour after_id and sort=asc?);"
                        " stopped instead of asking again"
                    )
                valid = [i.lower() for i in ids if isinstance(i, str) and is_object_id(i)]
                seen = _seen(con, api.base_url, valid)
                fresh = [
                    e
                    for e, i in zip(page, ids, strict=True)
                    if not (isinstance(i, str) and i.lower() in seen)
                ]
                report.repeats_skipped += len(page) - len(fresh)
                if fresh:
                    name = _file_name(fresh, last_in_page)
                    target = folder / name
                    write_atomically(target, b"".join(orjson.dumps(e) + b"\n" for e in fresh))
                    report.events_written += len(fresh)
                    report.files.append(target.relative_to(paths.landing_events).as_posix())
                # the cursor never moves past now: an id stamped ahead (a host's clock) would
                # make every later pull resume after events not yet made
                now_ok = [i for i in valid if i < ceiling]
                if len(now_ok) < len(valid) and log:
                    log(f"LeadConduit: {len(valid) - len(now_ok)} event ids dated in the future")
                last = max(filter(None, [last, *now_ok]), default=None)
                _advance(con, api.base_url, [i for i in valid if i not in seen], last)
                if log:
                    log(report.line())
                if len(page) < limit:
                    break
                after = last_in_page
            if last:
                keep_from = floor_id(id_time(last) - timedelta(minutes=2 * overlap_minutes + 1))
                con.execute(
                    "delete from seen where api = ? and event_id < ?", [api.base_url, keep_from]
                )
            report.cursor_after = last or ""
        finally:
            con.close()
    report.requests, report.retries = api.requests, api.retries
    report.seconds = time.perf_counter() - started
    if log:
        log(report.line())
    return report


def _seen(con, api_url: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = con.execute(
        f"select event_id from seen where api = ? and event_id in ({marks})", [api_url, *ids]
    ).fetchall()
    return {r[0] for r in rows}


def _advance(con, api_url: str, new_ids: list[str], last: str | None) -> None:
    """Record the page's events and the cursor together (after the page's file is written)."""
    con.execute("begin")
    con.executemany("insert or ignore into seen values (?, ?)", [(api_url, i) for i in new_ids])
    if last:
        con.execute("insert or replace into cursor values (?, ?)", [api_url, last])
    con.execute("commit")


def _file_name(events: list, last_id: str) -> str:
    ids = (e.get("id") for e in events if isinstance(e, dict))  # landing quarantines the rest
    first = next(
        (i.lower() for i in ids if isinstance(i, str) and is_object_id(i)), last_id.lower()
    )
    day = id_time(first).date().isoformat()
    return f"{day}/{first}_{last_id.lower()}.ndjson"
