"""A simulation's output re-read from disk, as the simulator tests check it: its events (lines,
Firehose objects, the unreadable ones counted by kind) and submissions."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from ingest.simulator.run import SimulationSummary, simulate

START = date(2026, 10, 26)


def day_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


def _record(line: bytes, id_key: str, bad: Counter, malformed: str, missing: str) -> dict | None:
    """The record on ``line``, or None after counting it under ``malformed`` or ``missing``."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        bad[malformed] += 1
        return None
    if id_key not in record:
        bad[missing] += 1
        return None
    return record


class Landing:
    """Everything a simulation wrote, re-read from disk."""

    def __init__(self, root: Path):
        self.root = root
        self.summary = orjson.loads((root / "simulation.json").read_bytes())
        self.lines: list[tuple[str, bytes]] = []  # (file date, raw line)
        for path in sorted((root / "events" / "batches").glob("*.ndjson")):
            file_day = path.name[len("events-") : -len(".ndjson")]
            for line in path.read_bytes().split(b"\n"):
                if line:
                    self.lines.append((file_day, line))
        self.firehose: list[tuple[Path, bytes]] = (
            sorted(
                (path, path.read_bytes())
                for path in (root / "events" / "firehose").rglob("*")
                if path.is_file()
            )
            if (root / "events" / "firehose").exists()
            else []
        )
        self.good: list[tuple[str, dict, bytes]] = []  # (file date or "firehose", event, raw)
        self.bad = Counter()
        for file_day, line in self.lines:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                self.bad["non_utf8"] += 1
                continue
            event = _record(line, "id", self.bad, "malformed_json", "missing_id")
            if event is not None:
                self.good.append((file_day, event, line))
        for path, data in self.firehose:
            if path.suffix == ".json":
                self.good.append(("firehose", orjson.loads(data), data))
        self.events: dict[str, dict] = {}
        for _, ev, _ in self.good:
            self.events.setdefault(ev["id"], ev)
        self.by_lead: dict[str, list[dict]] = defaultdict(list)
        for ev in self.events.values():
            self.by_lead[ev["vars"]["lead"]["id"]].append(ev)
        self.submissions: list[dict] = []
        self.bad_submissions = Counter()
        for path in sorted((root / "submissions").glob("submissions-*.ndjson")):
            for line in path.read_bytes().split(b"\n"):
                if not line:
                    continue
                record = _record(
                    line,
                    "lead_id",
                    self.bad_submissions,
                    "submission_malformed",
                    "submission_missing_lead_id",
                )
                if record is not None:
                    self.submissions.append(record)

    def files(self) -> dict[str, bytes]:
        return {
            str(path.relative_to(self.root)): path.read_bytes()
            for path in sorted(self.root.rglob("*"))
            if path.is_file()
        }


def simulated(root: Path, **kw) -> Landing:
    """Simulate into `root` (a small run unless `kw` says otherwise); what it wrote, re-read."""
    args = dict(leads=300, days=3, seed=7, start_date=START)
    args.update(kw)
    summary = simulate(root, **args)
    assert isinstance(summary, SimulationSummary)
    return Landing(root)
