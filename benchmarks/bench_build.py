"""Benchmark: full build from an empty warehouse, and the cost of one more day.

    .venv/bin/python benchmarks/bench_build.py --leads 1000000 --days 30 [--work /tmp/bench]

1. Simulates the operation once (not timed; reused when the folder already holds it).
2. Full build from an empty warehouse: landing, typed parsing, dbt (all models and tests) and
   publish, each stage timed; prints events per second and share of the build per stage and the
   peak memory (this process and dbt's child process). Then the floor, in the same run: DuckDB
   reading every landed NDJSON line (events and submissions) as JSON into a table; prints the
   build / floor ratio (target: at most 2.5).
3. Incremental: with the first `days - 1` days built, lands the last day and builds its
   partition window; compares that with building the same day alone in an empty warehouse
   (same run, same machine). Target: at most 1.5 times.

The stages call the same functions the Dagster assets call (ingest/, dbt build with the window
as --vars), without Dagster's run bookkeeping.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from ingest.landing.land import land  # noqa: E402
from ingest.paths import Paths  # noqa: E402
from ingest.serving.publish import publish  # noqa: E402
from ingest.settings import get_settings  # noqa: E402
from ingest.typed.fields import load_registry  # noqa: E402
from ingest.typed.store import update_typed_leads  # noqa: E402
from ingest.warehouse import connect_warehouse  # noqa: E402
from orchestration.partitions import (  # noqa: E402
    DBT_BUILD_ARGS,
    OPEN_END,
    OPEN_START,
    dbt_window_environment,
)


def peak_rss_gib() -> float:
    """The larger peak of this process and of its largest child (dbt runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, child) / 1024 / 1024


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (landing workers, dbt): on a shared
    machine it says more than the wall clock about what a stage costs."""
    usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


@contextmanager
def timed(label: str, results: dict):
    started, cpu = time.perf_counter(), cpu_seconds()
    yield
    results[label] = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    print(f"  {label:<22} {results[label]:8.1f} s   (CPU {cpu:6.1f} s; peak RSS so far"
          f" {peak_rss_gib():.2f} GiB)", flush=True)  # fmt: skip


def dbt(paths: Paths, args: list[str], window: dict[str, str] | None = None) -> None:
    """dbt in a child process, as Dagster runs it (it holds the warehouse file while it runs, so
    publish must come after it exits)."""
    project = ROOT / "dbt_project"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--quiet",
        ],
        env={**os.environ, "LEADWH_HOME": str(paths.home), **dbt_window_environment(window or {})},
        cwd=project,
    )
    if result.returncode:
        raise SystemExit(f"dbt {args[0]} failed (exit {result.returncode}); see the output above")


def dbt_build(paths: Paths, min_date: date, max_date: date) -> None:
    dbt(paths, DBT_BUILD_ARGS, {"min_date": min_date.isoformat(), "max_date": max_date.isoformat()})


def dbt_parse(paths: Paths) -> None:
    """`dbt parse` for this home, not timed as part of the build: `leadwh build` and Dagster parse
    the project once per change of its files or settings (orchestration/defs/project.py), and
    each dbt step then parses only what changed. Without it the first dbt build here parsed the
    whole project (about 6 s: the profile renders the home's path)."""
    started = time.perf_counter()
    dbt(paths, ["parse"])
    print(f"  (dbt parse for this home, before the build: {time.perf_counter() - started:.1f} s)")


def build(paths: Paths, min_date: date, max_date: date, results: dict, prefix: str = "") -> int:
    """Land, parse, dbt build the window, publish; returns the number of events landed."""
    registry = load_registry()
    with connect_warehouse(paths.warehouse) as con:
        with timed(f"{prefix}landing", results):
            events = land(con, paths.landing, "events").total("loaded")
            land(con, paths.landing, "submissions")
        with timed(f"{prefix}typed parsing", results):
            update_typed_leads(con, registry)
    with timed(f"{prefix}dbt build", results):
        dbt_build(paths, min_date, max_date)
    with timed(f"{prefix}publish", results):
        publish(paths.warehouse, paths.serving)
    return events


def fresh_home(path: Path) -> Paths:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return Paths(path)


def day_files(landing: Path, day: date) -> list[Path]:
    stamp = day.isoformat()
    return [p for p in landing.rglob(f"*{stamp}*") if p.is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leadwh-bench"))
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--skip-full", action="store_true", help="only the one-more-day part")
    args = parser.parse_args()

    from ingest.simulator.run import simulate

    start = date(2026, 10, 1)
    source = args.work / f"landing-{args.leads}-{args.days}-{args.seed}"
    if not (source / "simulation.json").exists():
        print(f"simulating {args.leads:,} leads over {args.days} days into {source} ...")
        began = time.perf_counter()
        simulate(source, leads=args.leads, days=args.days, seed=args.seed, start_date=start,
                 layout="ndjson", workers=2)  # fmt: skip
        print(f"  simulated in {time.perf_counter() - began:.0f} s")
    summary = json.loads((source / "simulation.json").read_text())
    print(f"data: {summary['leads']:,} leads, {summary['events']:,} events")

    if not args.skip_full:
        full_build(source, args.work)
    if not args.skip_incremental:
        one_more_day(source, args.work, start + timedelta(days=args.days - 1))


def floor_seconds(landing: Path, work: Path) -> tuple[float, int]:
    """The floor: DuckDB reading every landed NDJSON line as JSON into a table (a database file,
    as the warehouse is); the seconds it takes and the lines it read."""
    files = sorted(
        str(p)
        for p in landing.rglob("*")
        if p.is_file() and p.suffix in (".ndjson", ".jsonl") and p.parts[-2] != "firehose"
    )
    database = work / "floor.duckdb"
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        con.execute(f"set memory_limit = '{get_settings().duckdb_memory_limit}'")
        started, cpu = time.perf_counter(), cpu_seconds()
        con.execute(
            "create table lines as select * from read_ndjson_objects(?, ignore_errors = true)",
            [files],
        )
        seconds = time.perf_counter() - started
        print(f"  (the floor's CPU: {cpu_seconds() - cpu:.1f} s)")
        lines = con.execute("select count(*) from lines").fetchone()[0]
    database.unlink()
    return seconds, lines


def full_build(source: Path, work: Path) -> None:
    results: dict[str, float] = {}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"full build from an empty warehouse (load average {load}):")
    home = fresh_home(work / "full")
    shutil.copytree(source, home.landing)
    dbt_parse(home)
    events = build(home, OPEN_START, OPEN_END, results)
    peak = peak_rss_gib()  # the build's, before the floor runs in this process
    total = sum(results.values())
    print(f"  {'total':<22} {total:8.1f} s   target <= 300 s: {'PASS' if total <= 300 else 'FAIL'}")
    for stage in ("landing", "typed parsing", "dbt build", "publish"):
        rate, share = events / results[stage], results[stage] / total
        print(f"  {stage:<22} {rate:>12,.0f} events/s  {share:6.1%} of the build")
    floor, lines = floor_seconds(home.landing, work)
    ratio = total / floor
    print(f"  floor                  {floor:8.1f} s   (DuckDB reads {lines:,} lines as JSON)")
    verdict = "PASS" if ratio <= 2.5 else "FAIL"
    print(f"  build / floor          {ratio:8.1f}     target <= 2.5: {verdict}")
    verdict = "PASS" if peak <= 8 else "FAIL"
    print(f"  peak memory            {peak:8.2f} GiB  target <= 8 GiB: {verdict}")


def one_more_day(source: Path, work: Path, last: date) -> None:
    print(f"incremental: one more day ({last}) on the days before it")
    history = fresh_home(work / "history")
    shutil.copytree(source, history.landing)
    held = work / "held-back"
    shutil.rmtree(held, ignore_errors=True)
    for path in day_files(history.landing, last):
        target = held / path.relative_to(history.landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    build(history, OPEN_START, OPEN_END, {}, prefix="history ")
    for path in held.rglob("*"):
        if path.is_file():
            target = history.landing / path.relative_to(held)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    incremental: dict[str, float] = {}
    build(history, last, last, incremental, prefix="add day ")
    alone = fresh_home(work / "alone")
    shutil.copytree(held, alone.landing)
    dbt_parse(alone)  # else its dbt step alone parses the whole project, the other one not
    by_itself: dict[str, float] = {}
    build(alone, last, last, by_itself, prefix="day alone ")
    added, single = sum(incremental.values()), sum(by_itself.values())
    ratio = added / single
    print(
        f"  one more day on history {added:6.1f} s; the same day alone {single:6.1f} s;"
        f" ratio {ratio:.2f} (target <= 1.5: {'PASS' if ratio <= 1.5 else 'FAIL'})"
    )


if __name__ == "__main__":
    main()
