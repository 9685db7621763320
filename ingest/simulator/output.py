"""Where a chunk's events go: NDJSON-layout events into per-day sorted runs (with the event
faults injected), Firehose-layout events into one file per event.
"""

from __future__ import annotations

import os

import numpy as np
import orjson

from ingest.simulator.context import ChunkContext
from ingest.simulator.faults import EVENT_FAULT_KINDS, EVENT_FAULT_SHARE
from ingest.simulator.world import DAY_MS


class EventOutput:
    """A chunk's event output: NDJSON lines bucketed by output day, and Firehose files."""

    def __init__(self, context: ChunkContext):
        self.context = context
        self.buckets: dict[int, list] = {}  # day index -> [(write ms, sequence, line), ...]
        self.sequence = 0

    def write_lead(self, lead_id: str, events: list[dict], firehose: bool) -> None:
        counts = self.context.counts
        counts["events"] += len(events)
        by_type = counts["by_type"]
        for event in events:
            by_type[event["type"]] = by_type.get(event["type"], 0) + 1
        if firehose:
            self.write_firehose(lead_id, events)
        else:
            self.place(events)

    def place(self, events: list[dict]) -> None:
        """Serialise NDJSON-layout events into per-day buckets, injecting faults."""
        context = self.context
        counts = context.counts
        day0_ms = context.config.day0_ms
        last_day = context.config.days - 1
        faults = context.config.faults
        fault_rng = context.fault_rng
        fault_counts = counts["faults"]
        for event in events:
            written_ms = event["end_timestamp"]
            day = (written_ms - day0_ms) // DAY_MS
            roll = fault_rng.random() if faults else 1.0
            kind = None
            if roll < len(EVENT_FAULT_KINDS) * EVENT_FAULT_SHARE:
                kind = EVENT_FAULT_KINDS[int(roll / EVENT_FAULT_SHARE)]
            if kind == "extra_fields":
                event["x_firehose_delivery_attempt"] = fault_rng.randint(2, 4)
                event["_ingest"] = {"region": "us-east-1", "shard": fault_rng.randint(0, 63)}
                fault_counts[kind] += 1
            line = orjson.dumps(event)
            if kind == "late" and day < last_day:
                days_late = min(fault_rng.randint(1, 2), last_day - day)
                self.put(day + days_late, written_ms + days_late * DAY_MS, line)
                fault_counts[kind] += 1
            else:
                self.put(day, written_ms, line)
            counts["ndjson_events"] += 1
            if kind == "duplicate" and day < last_day:
                self.put(day + 1, written_ms + DAY_MS, line)
                fault_counts[kind] += 1
            elif kind == "malformed_json":
                self.put(day, written_ms, line[: fault_rng.randint(20, len(line) - 10)])
                fault_counts[kind] += 1
            elif kind == "non_utf8":
                self.put(day, written_ms, line.replace(b'"type":"', b'"type":"\xff\xfe', 1))
                fault_counts[kind] += 1
            elif kind == "missing_id":
                without_id = dict(event)
                del without_id["id"]
                self.put(day, written_ms, orjson.dumps(without_id))
                fault_counts[kind] += 1

    def put(self, day: int, written_ms: int, line: bytes) -> None:
        self.sequence += 1
        self.buckets.setdefault(day, []).append((written_ms, self.sequence, line))

    def sorted_runs(self) -> dict[int, tuple[np.ndarray, bytes, np.ndarray]]:
        """Per output day: (write times, the lines joined by newlines, line offsets), sorted."""
        runs = {}
        for day, items in self.buckets.items():
            items.sort()
            count = len(items)
            written = np.fromiter((item[0] for item in items), dtype=np.int64, count=count)
            lines = [item[2] for item in items]
            lengths = np.fromiter((len(line) + 1 for line in lines), dtype=np.int64, count=count)
            offsets = np.zeros(count + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            lines.append(b"")
            runs[day] = (written, b"\n".join(lines), offsets)
        return runs

    def write_firehose(self, lead_id: str, events: list[dict]) -> None:
        folder = os.path.join(self.context.config.landing, "events", "firehose", lead_id)
        os.makedirs(folder, exist_ok=True)
        size = 0
        for event in events:
            data = orjson.dumps(event, option=orjson.OPT_INDENT_2) + b"\n"
            size += len(data)
            with open(os.path.join(folder, event["id"] + ".json"), "wb") as handle:
                handle.write(data)
        counts = self.context.counts
        counts["firehose_bytes"] += size
        counts["firehose_files"] += len(events)
        counts["firehose_leads"] += 1
