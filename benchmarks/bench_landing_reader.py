"""Benchmark: the landing workers' reader (read, hash, parse, check and redact every record of
a group of files, and build its Arrow table), with Python's cycle collector as landing runs it
(paused while a group is read) against the baseline in the same run (the collector on).

    .venv/bin/python benchmarks/bench_landing_reader.py [--leads 66000] [--days 2]
        [--work /tmp/leadwh-bench-reader] [--repeats 3]

It simulates an operation (NDJSON events and submissions: by default a day's file as large as
the 1M-lead benchmark's, about 190,000 events), then reads each dataset's files in landing's
groups (``land._batches``: a file of 32 MB or more is a group alone) in one process, as a worker
reads them, ``--repeats`` times each way, alternating. The first pass of each way is a warm-up
(a fresh process touches its memory for the first time). Prints CPU µs per record (the median
of the other passes) and the ratio. Both ways must give the same records: the script checks
that the tables are equal.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.landing import land  # noqa: E402
from ingest.landing.redact import landing_redactor  # noqa: E402


def read_dataset(dataset: str, zone: Path, redactor, collector: bool):
    """One pass over a dataset's files in landing's groups, as a worker reads them; (CPU seconds,
    records, their tables)."""
    read = land._read_files.__wrapped__ if collector else land._read_files
    groups = list(land._batches(list(land.discover(zone / dataset, zone=zone))))
    gc.collect()
    began = time.process_time()
    records, tables = 0, []
    for group in groups:
        found, table = read(
            dataset, [(str(f.path), f.relative, None, None) for f in group], redactor
        )
        records += sum(f.read for f in found)
        tables.append(table)
    return time.process_time() - began, records, tables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=66_000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leadwh-bench-reader"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from ingest.simulator.run import simulate

    zone = args.work / f"landing-{args.leads}-{args.days}"
    if not (zone / "simulation.json").exists():
        print(f"simulating {args.leads:,} leads over {args.days} days into {zone} ...")
        simulate(zone, leads=args.leads, days=args.days, start_date=date(2026, 10, 1),
                 layout="ndjson")  # fmt: skip
    redactor = landing_redactor(args.work)
    print(f"{'dataset':<12} {'records':>9} {'collector on':>14} {'paused':>10} {'ratio':>7}")
    for dataset in land.DATASETS:
        seconds: dict[bool, list[float]] = {True: [], False: []}
        tables = {}
        for _ in range(args.repeats + 1):
            for collector in (True, False):
                spent, records, tables[collector] = read_dataset(dataset, zone, redactor, collector)
                seconds[collector].append(spent)
        if not all(a.equals(b) for a, b in zip(tables[True], tables[False], strict=True)):
            raise SystemExit(f"{dataset}: the two ways read different records")
        on, off = (statistics.median(seconds[c][1:]) * 1e6 / records for c in (True, False))
        print(f"{dataset:<12} {records:>9,} {on:>11.1f} µs {off:>7.1f} µs {off / on:>7.2f}")


if __name__ == "__main__":
    main()
