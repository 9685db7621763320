"""Benchmark: de-duplication cost per landed batch against the size of the raw history.

    .venv/bin/python benchmarks/bench_dedup.py [--sizes 1000000 8000000] [--work /tmp/bench-dedup]

For each history size it writes a warehouse whose raw tables hold that many events (ObjectId
ids in time order, appended as landing appends them; one submission per 5.7 events, one
quarantined record per 100), then lands one sample-sized batch into it with the functions
landing calls (``raw_store.insert_events``, ``insert_submissions``, ``insert_quarantine``):
1,750 new events, 30 copies of stored events, 5 corrected copies of old events, 300 submissions
(10 already stored), 20 quarantined records (5 already quarantined). Each batch runs in a
transaction that is rolled back, three times; the median is printed, with the row groups the
lookups read (DuckDB's profile) and, as the baseline in the same run, the statement submissions
used before (``not exists``: an anti join that hashes every stored lead id).

Target: the batch costs the same at every history size (ratio largest / smallest near 1), while
the baseline grows with the history.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

from ingest.landing import lake, raw_store  # noqa: E402

FIRST_SECOND = 1_780_000_000  # 2026-05-28: the history's first id
SECONDS_PER_EVENT = 2  # 8M events span about 185 days
EVENTS_PER_SUBMISSION = 5.7
EVENTS_PER_QUARANTINED = 100
REPEATS = 3

BASELINE_SUBMISSIONS = """
    select count(*) from staged_submissions as s
    where not exists (select 1 from raw.lead_submissions as r where r.lead_id = s.lead_id)
"""


def object_id(second: str, counter: str) -> str:
    """SQL: an ObjectId (8 hex digits of epoch seconds, 16 of counter) from two SQL integers."""
    return f"printf('%08x', {second}) || printf('%016x', {counter})"


def write_history(path: Path, events: int) -> None:
    """A warehouse whose raw tables hold `events` events and their submissions and quarantine."""
    path.unlink(missing_ok=True)
    second = f"{FIRST_SECOND} + i * {SECONDS_PER_EVENT}"
    with duckdb.connect(str(path)) as con:
        raw_store.ensure_raw_schema(con)
        raw_store.store_rows(
            con,
            "lead_events",
            f"""
            select
                {object_id(second, "i")}, {object_id(second, "i // 6")}, 'source', 'success',
                make_timestamp(({second}) * 1000000), cast(make_timestamp(({second}) * 1000000)
                as date), '{{"outcome":"success","n":' || i || '}}', 'history.ndjson', 1,
                'history', now()
            from range({events}) as t(i)
            """,
        )
        submissions = int(events / EVENTS_PER_SUBMISSION)
        spacing = f"i * {EVENTS_PER_SUBMISSION * SECONDS_PER_EVENT}::bigint"
        raw_store.store_rows(
            con,
            "lead_submissions",
            f"""
            select
                {object_id(f"{FIRST_SECOND} + {spacing}", "i")},
                make_timestamp(({FIRST_SECOND} + {spacing}) * 1000000),
                cast(make_timestamp(({FIRST_SECOND} + {spacing}) * 1000000) as date),
                'acc', 'Account', 'flow', 'Flow', 'src', 'Source', '{{"email":"a@b.c"}}',
                'history.ndjson', 1, 'history', now()
            from range({submissions}) as t(i)
            """,
        )
        con.execute(
            f"""
            insert into raw.quarantine
            select 'events', 'history.ndjson', 1, 'not JSON', blob, blob::varchar, 'history',
                now(), sha256(blob)
            from (select ('bad ' || i)::blob as blob from range({events // EVENTS_PER_QUARANTINED})
                as t(i))
            """
        )
        con.execute("checkpoint")


def sample(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    return [row[0] for row in con.execute(sql).fetchall()]


def batch(con: duckdb.DuckDBPyConnection, events: int):
    """The staged events, submissions and quarantine rows of one sample-sized batch."""
    last = FIRST_SECOND + events * SECONDS_PER_EVENT
    new_ids = [f"{last + k:08x}{k:016x}" for k in range(1750)]
    copies = sample(con, f"select event_id from raw.lead_events limit 30 offset {events - 500}")
    corrected = sample(con, f"select event_id from raw.lead_events limit 5 offset {events // 3}")
    ids = new_ids + copies + corrected
    payloads = [f'{{"new":{k}}}' for k in range(1750)]
    payloads += sample(con, f"select payload from raw.lead_events limit 30 offset {events - 500}")
    payloads += ['{"corrected":true}'] * 5
    staged_events = pa.table(
        {
            "event_id": ids,
            "lead_id": [i[:8] + "0" * 16 for i in ids],
            "event_type": ["source"] * len(ids),
            "outcome": ["success"] * len(ids),
            "event_at_ms": pa.array([int(i[:8], 16) * 1000 for i in ids], pa.int64()),
            "payload": payloads,
            "source_file": ["batch.ndjson"] * len(ids),
            "source_line": pa.array(range(len(ids)), pa.int32()),
            "seq": pa.array(range(len(ids)), pa.int64()),
        }
    )
    leads = [f"{last + k:08x}{k + 1:016x}" for k in range(290)]
    leads += sample(con, "select lead_id from raw.lead_submissions order by lead_id desc limit 10")
    staged_submissions = pa.table(
        {
            "lead_id": leads,
            "submitted_at": pa.array([int(i[:8], 16) * 10**6 for i in leads], pa.timestamp("us")),
            **{
                name: [name] * len(leads)
                for name in ("account_id", "account_name", "flow_id", "flow_name", "source_id")
            },
            "source_name": ["Source"] * len(leads),
            "fields": ['{"email":"a@b.c"}'] * len(leads),
            "source_file": ["batch.ndjson"] * len(leads),
            "source_line": pa.array(range(len(leads)), pa.int32()),
        }
    )
    bad = [f"fresh bad {k}".encode() for k in range(15)] + [f"bad {k}".encode() for k in range(5)]
    quarantine = [("events", "batch.ndjson", k, "not JSON", b, "batch") for k, b in enumerate(bad)]
    return staged_events, staged_submissions, quarantine


class Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


class ProfiledConnection:
    """A DuckDB connection that keeps, for every statement run through it, the table scans of
    raw tables in the statement's profile: (table, row groups read, row groups in the table)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, profile: Path) -> None:
        self._con, self._profile, self.scans = con, profile, []
        for setting in (
            "pragma enable_profiling = 'json'",
            f"set profiling_output = '{profile}'",
            "set tracked_metrics = ['*']",
            "set profiling_coverage = 'ALL'",
        ):
            con.execute(setting)

    def execute(self, *args, **kwargs) -> Rows:
        """Run a statement to its end (DuckDB writes a query's profile when its result is read
        whole) and keep its scans."""
        result = self._con.execute(*args, **kwargs)
        try:
            rows = result.fetchall()
        except duckdb.InvalidInputException:  # a statement without a result
            rows = []
        self.scans.extend(raw_scans(json.loads(self._profile.read_text())))
        return Rows(rows)

    def __getattr__(self, name):
        return getattr(self._con, name)

    def close_profile(self) -> None:
        self._con.execute("pragma disable_profiling")


def raw_scans(node: dict) -> list[tuple[str, int, int]]:
    """The scans of raw tables in a profile: of the warehouse's tables, and of the lake's files
    (``<warehouse>.lake/raw/<table>/<day>/<file>``)."""
    found = []
    info = node.get("extra_info", {})
    in_lake = re.search(r"\.lake/raw/(\w+)/", info.get("Filename(s)", ""))
    table = info.get("Table", "").partition(".raw.")[2] or (in_lake and in_lake.group(1))
    if node.get("type") == "TABLE_SCAN" and table:
        found.append((table, node["row_groups_scanned"], node["total_row_groups_to_scan"]))
    for child in node.get("children", []) + node.get("operator", []):
        found.extend(raw_scans(child))
    return found


def land_batch(con, staged_events: pa.Table, staged_submissions: pa.Table, quarantine: list):
    """Land one batch as landing does (the lake files catalogued, for the caller to settle or
    roll back); returns the seconds each insert took."""
    timings = {}
    started = time.perf_counter()
    raw_store.insert_events(con, staged_events, "bench")
    events, replaced = raw_store.write_events(con, "bench")
    timings["events"] = time.perf_counter() - started
    started = time.perf_counter()
    files, _ = raw_store.insert_submissions(con, staged_submissions, "bench")
    lake.commit(con, events + files, replaced, batch_id="bench")
    timings["submissions"] = time.perf_counter() - started
    started = time.perf_counter()
    raw_store.insert_quarantine(con, quarantine)
    timings["quarantine"] = time.perf_counter() - started
    return timings


def rolled_back(con: duckdb.DuckDBPyConnection, action):
    con.execute("begin transaction")
    try:
        return action()
    finally:
        con.execute("rollback")


def measure(con: duckdb.DuckDBPyConnection, events: int, work: Path) -> dict[str, float | str]:
    staged = batch(con, events)
    runs = [rolled_back(con, lambda: land_batch(con, *staged)) for _ in range(REPEATS)]
    con.register("staged_submissions", staged[1])
    baseline = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        con.execute(BASELINE_SUBMISSIONS).fetchall()
        baseline.append(time.perf_counter() - started)
    con.unregister("staged_submissions")
    result: dict[str, float | str] = {
        label: statistics.median(run[label] for run in runs) * 1000 for label in runs[0]
    }
    result["baseline"] = statistics.median(baseline) * 1000
    profiled = ProfiledConnection(con, work / "profile.json")
    rolled_back(con, lambda: land_batch(profiled, *staged))
    profiled.close_profile()
    read: dict[str, list[int]] = {}
    for table, scanned, total in profiled.scans:
        read.setdefault(table, [0, 0, total])
        read[table][0] += scanned
        read[table][1] += 1
    result["row groups"] = ", ".join(
        f"{table} {scanned} in {statements} statements (of {total})"
        for table, (scanned, statements, total) in sorted(read.items())
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 8_000_000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-dedup"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for events in args.sizes:
        path = args.work / f"history-{events}.duckdb"
        started = time.perf_counter()
        write_history(path, events)
        print(f"history of {events:,} events written in {time.perf_counter() - started:.1f} s",
              flush=True)  # fmt: skip
        with duckdb.connect(str(path)) as con:
            results[events] = measure(con, events, args.work)
        row = results[events]
        print(
            f"  one batch: events {row['events']:7.1f} ms  submissions {row['submissions']:6.1f} ms"
            f"  quarantine {row['quarantine']:6.1f} ms  | baseline (not exists) submissions"
            f" {row['baseline']:7.1f} ms\n  row groups read: {row['row groups']}",
            flush=True,
        )
        path.unlink()
    if len(results) > 1:
        small, large = results[min(results)], results[max(results)]
        growth = max(results) / min(results)
        print(f"\nhistory {growth:.0f}x larger: one batch costs")
        for label in ("events", "submissions", "quarantine", "baseline"):
            print(f"  {label:<12} {large[label] / small[label]:5.2f}x")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
