"""Watching the landing zone for new files, in batches: the logic behind the landing sensor.

A file *arrives* when it appears or changes: its inode change time (ctime), which a rename, a
copy that keeps the modification time (``cp -p``, ``aws s3 sync``) or a write all move forward.
The watcher remembers a high-water mark of arrival times (and the files exactly at the mark), so
each file version is requested once, in arrival order, however many files the zone holds.

The watcher sees the zone as the landing step does (entries.py): a file still being written is
left for a later look (hidden names, ``*.tmp``, ``*.part``; a file written within
``settle_seconds`` waits, unless it was renamed or moved into place after its last write: see
`settled`), and what cannot be read (a dangling symlink, a FIFO, a symlink out of
the zone) is taken too, so the landing step records it, but never opened. Only names the readers
accept are watched (``.json``, ``.ndjson``, ``.jsonl``, ``.csv`` events; ``.ndjson``, ``.jsonl``,
``.csv`` submissions); other files are recorded by the next full landing run. Plain Python, no
Dagster, no warehouse access (the sensor must never hold a lock on the warehouse file while a run
writes it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ingest.landing.entries import walk
from ingest.landing.land import DATASETS
from ingest.landing.readers import (
    EVENT_SUFFIXES,
    SUBMISSION_SUFFIXES,
    read_events,
    read_submissions,
)

DEFAULT_SETTLE_SECONDS = 2.0
POLL_SECONDS = 0.25  # how often a watching sensor tick looks again (wait_for_arrivals)
TOGETHER_SECONDS = 1.0  # files that arrive this close go into one batch (wait_for_arrivals)
DEFAULT_MAX_FILES = 5000
DEFAULT_MAX_BYTES = 128 * 1024 * 1024  # the sensor reads a batch's files for their dates
# A fresh watcher starts at the newest load time already published (a load's time is the start of
# its transaction, before it looked for files), less this margin for clock rounding; files that
# arrived after it are looked at again (landing them twice changes nothing).
INITIAL_MARGIN_NS = 2 * 10**9


@dataclass(frozen=True)
class Arrival:
    dataset: str
    relative: str  # relative to <landing>/<dataset>/, as the manifest keys it
    size: int
    mtime_ns: int
    ctime_ns: int
    path: Path | None = None  # where it is (default <landing>/<dataset>/<relative>)
    problem: str | None = None  # why the landing step will not read it (entries.py)

    @property
    def key(self) -> str:
        return f"{self.dataset}/{self.relative}"

    @property
    def arrived_ns(self) -> int:
        return max(self.ctime_ns, self.mtime_ns)


@dataclass(frozen=True)
class WatchCursor:
    """Everything that arrived up to `arrived_ns` has been requested; `at_mark` holds the files
    exactly at the mark (so a tie is neither lost nor requested twice)."""

    arrived_ns: int = 0
    at_mark: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"v": 1, "arrived_ns": self.arrived_ns, "at_mark": list(self.at_mark)})

    @classmethod
    def from_json(cls, text: str | None) -> WatchCursor | None:
        """None for a missing or unreadable cursor (the sensor then starts afresh)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(int(data["arrived_ns"]), tuple(str(k) for k in data.get("at_mark", [])))
        except (ValueError, KeyError, TypeError):
            return None


def _accepts(dataset: str, name: str) -> bool:
    suffixes = EVENT_SUFFIXES if dataset == "events" else SUBMISSION_SUFFIXES
    return name.lower().endswith(suffixes)


def settled(arrival: Arrival, now_ns: float, settle_ns: float) -> bool:
    """Whether a file is written completely: its metadata changed after its last write (a write
    sets the change time equal to the modification time, so ctime > mtime means it was renamed
    or moved into place, linked, or had its times set by ``cp -p`` or a sync tool: all things
    done once the content is written), or it has not changed for the settle time. A writer that
    renames or chmods a file it is still writing defeats the first rule: the rest then arrives
    as a new version of the file (landed again; the cut line is quarantined)."""
    return arrival.ctime_ns > arrival.mtime_ns or now_ns - arrival.arrived_ns >= settle_ns


def ready(arrivals: list[Arrival], now_ns: float, settle_seconds: float) -> list[Arrival]:
    """The settled files (`arrivals` oldest first) that arrived before any file still settling:
    a renamed file needs no settle time, but taking it ahead of an earlier one that is still
    being written would move the cursor past that one, which would then never be requested."""
    settle_ns = settle_seconds * 1e9
    taken = []
    for arrival in arrivals:
        if not settled(arrival, now_ns, settle_ns):
            break
        taken.append(arrival)
    return taken


def scan(landing: Path, settle_seconds: float, now_ns: int | None = None) -> list[Arrival]:
    """The data files under <landing>/events and <landing>/submissions that are `ready`, oldest
    first."""
    now_ns = now_ns if now_ns is not None else time.time_ns()
    return ready(scan_all(landing), now_ns, settle_seconds)


def scan_all(landing: Path) -> list[Arrival]:
    """Every data file under <landing>/events and <landing>/submissions, settled or not, oldest
    first."""
    found = [
        Arrival(
            dataset,
            entry.relative,
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
            entry.path,
            entry.problem,
        )
        for dataset in DATASETS
        for entry in walk(landing / dataset, landing)
        if _accepts(dataset, entry.relative)
    ]
    found.sort(key=lambda a: (a.arrived_ns, a.key))
    return found


def new_arrivals(arrivals: list[Arrival], cursor: WatchCursor) -> list[Arrival]:
    mark, seen = cursor.arrived_ns, set(cursor.at_mark)
    return [
        a for a in arrivals if a.arrived_ns > mark or (a.arrived_ns == mark and a.key not in seen)
    ]


def wait_for_arrivals(
    landing: Path, cursor: WatchCursor, settle_seconds: float, watch_seconds: float
) -> list[Arrival]:
    """The settled new arrivals, looking again every POLL_SECONDS for up to `watch_seconds` while
    there are none (a sensor tick that keeps watching instead of waiting for the next tick).
    Files dropped together stay together: while a file that arrived within TOGETHER_SECONDS of
    the newest settled one is still settling, the watch waits for it, past `watch_seconds` if
    need be (by at most `settle_seconds`). A zone that takes long to scan is looked at less
    often: scans take at most a tenth of the watch (a Firehose mirror of 50,000 files takes
    about 0.5 s to list, so it is looked at once or twice a tick)."""
    deadline = time.monotonic() + watch_seconds
    while True:
        started = time.monotonic()
        arrivals = new_arrivals(scan_all(landing), cursor)
        taken = ready(arrivals, time.time_ns(), settle_seconds)
        now = time.monotonic()
        until = deadline + settle_seconds if taken else deadline
        if now >= until or (taken and not _followed(arrivals, taken)):
            return taken
        time.sleep(min(max(POLL_SECONDS, 9 * (now - started)), until - now))


def _followed(arrivals: list[Arrival], taken: list[Arrival]) -> bool:
    """Whether a file still settling arrived within TOGETHER_SECONDS after the last one taken."""
    rest = arrivals[len(taken) :]  # `taken` is a prefix of `arrivals`
    return bool(rest) and rest[0].arrived_ns - taken[-1].arrived_ns <= TOGETHER_SECONDS * 1e9


def take_batch(
    new: list[Arrival], max_files: int = DEFAULT_MAX_FILES, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Arrival]:
    """The oldest new files, up to the limits (always at least one file)."""
    batch: list[Arrival] = []
    size = 0
    for arrival in new:
        if batch and (len(batch) >= max_files or size + arrival.size > max_bytes):
            break
        batch.append(arrival)
        size += arrival.size
    return batch


def advance(cursor: WatchCursor, batch: list[Arrival]) -> WatchCursor:
    if not batch:
        return cursor
    mark = max(a.arrived_ns for a in batch)
    at_mark = {a.key for a in batch if a.arrived_ns == mark}
    if mark == cursor.arrived_ns:
        at_mark |= set(cursor.at_mark)
    return WatchCursor(mark, tuple(sorted(at_mark)))


def batch_files(batch: list[Arrival]) -> dict[str, list[str]]:
    """dataset -> relative paths (the landing step's `only`)."""
    return {d: sorted(a.relative for a in batch if a.dataset == d) for d in DATASETS}


def batch_dates(landing: Path, batch: list[Arrival]) -> tuple[date, date] | None:
    """First and last day of the events (event time) and submissions (submission time) in the
    batch's files, read with the landing readers; None when no record can be read."""
    days: list[date] = []
    for arrival in batch:
        if arrival.problem:  # never opened (a FIFO would block)
            continue
        try:
            data = (arrival.path or landing / arrival.dataset / arrival.relative).read_bytes()
        except OSError:  # gone, or unreadable: the landing step records it
            continue
        if arrival.dataset == "events":
            records = read_events(arrival.relative, data).records
            stamps = [r.event_at_ms for r in records]
            if stamps:
                days += [_day(min(stamps)), _day(max(stamps))]
        else:
            records = read_submissions(arrival.relative, data).records
            if records:
                days += [min(r.submitted_at for r in records).date()]
                days += [max(r.submitted_at for r in records).date()]
    return (min(days), max(days)) if days else None


def _day(epoch_ms: int) -> date:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).date()


def initial_cursor(serving: Path) -> WatchCursor:
    """Where a watcher without a cursor starts: shortly before the newest event published in the
    serving file (everything older was landed by the build that published it), else the start."""
    if not serving.exists():
        return WatchCursor()
    import duckdb

    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            newest = con.execute("select max(ingested_at) from marts.fct_lead_events").fetchone()[0]
    except duckdb.Error:
        return WatchCursor()
    if newest is None:
        return WatchCursor()
    newest_ns = int(newest.replace(tzinfo=UTC).timestamp() * 10**9)
    return WatchCursor(max(0, newest_ns - INITIAL_MARGIN_NS))
