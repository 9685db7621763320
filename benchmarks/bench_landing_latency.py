"""Benchmark: landing -> serving latency through the landing sensor and the Dagster daemon.

    .venv/bin/python benchmarks/bench_landing_latency.py [--rounds 3] [--work /tmp/bench-latency]

1. Builds a base warehouse (not timed): a simulated operation over the three days before today,
   `leadwh build`, in a fresh LEADWH_HOME with its own Dagster home (pool limit 1).
2. Starts `dagster dev` on it (daemon, code server and webserver, the way `make ui` serves it),
   with the default settings: the landing sensor (watching the zone 4 s of every 5, 2 s settle) is
   on by default.
3. Each round drops a new batch of today's events and submissions into the landing zone the way a
   sync tool does (written aside, renamed into place), then polls the serving file until the
   batch's events are there. The time from the rename to that moment is the latency; the
   serving asset's own measure (`landing_to_serving_seconds`, from the files' arrival to the
   publish) is read from the run history too, and so is where each run's time went: from the
   files' arrival to the run's creation (sensor interval, settle), from its creation to its
   start (queue, launch, loading the code location), and each step.

The base build runs dbt's data tests, so with the default `LEADWH_DATA_TESTS_MINUTES` (15) the
rounds that follow within 15 minutes are `fresh_build` runs; `LEADWH_DATA_TESTS_MINUTES=0`
measures runs that all test. The first run after `dagster dev` starts waits for the warm run
worker to load the code (orchestration/warm_launcher.py).

Prints one line per round and a summary, and writes artifacts/benchmarks/landing_latency.json.
Target (issue 13): p95 at most 15 s on the project's reference machine (2 cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.paths import Paths  # noqa: E402
from ingest.settings import get_settings  # noqa: E402
from ingest.simulator.run import simulate  # noqa: E402

ARTIFACTS = ROOT / "artifacts" / "benchmarks"
TARGET_SECONDS = 15.0


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)


def drop(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def served_count(serving: Path, event_ids: list[str]) -> int:
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            return con.execute(
                "select count(*) from marts.fct_lead_events where event_id in (select unnest(?))",
                [event_ids],
            ).fetchone()[0]
    except duckdb.Error:
        return 0


def batch(work: Path, seed: int, leads: int, day) -> tuple[bytes, bytes, list[str]]:
    """A fresh simulated batch of `day`: (events NDJSON, submissions NDJSON, some event ids)."""
    scratch = work / f"scratch-{seed}"
    shutil.rmtree(scratch, ignore_errors=True)
    simulate(scratch, leads=leads, days=1, seed=seed, start_date=day, layout="ndjson")
    events = b"".join(p.read_bytes() for p in sorted((scratch / "events" / "batches").glob("*")))
    subs = b"".join(p.read_bytes() for p in sorted((scratch / "submissions").glob("*")))
    ids = [orjson.loads(line)["id"] for line in events.splitlines()[:: max(1, leads // 20)]]
    return events, subs, ids


def p95(values: list[float]) -> float:
    """The 95th percentile (linear between the closest ranks)."""
    ordered = sorted(values)
    rank = 0.95 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def run_stages(instance, run) -> dict[str, float]:
    """Where a landing sensor's run spent its time, in seconds: arrival -> created (sensor
    interval and settle), created -> started (queue, launch, loading the code location), each
    step, started -> ended."""
    import dagster as dg

    from orchestration.names import FIRST_ARRIVAL_TAG

    record = instance.get_run_record_by_id(run.run_id)
    created = record.create_timestamp.timestamp()
    arrived = datetime.fromisoformat(run.tags[FIRST_ARRIVAL_TAG]).timestamp()
    stages = {"arrival_to_created": created - arrived}
    if record.start_time:
        stages["created_to_started"] = record.start_time - created
    steps: dict[str, list[float]] = {}
    for entry in instance.all_logs(
        run.run_id,
        of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS},
    ):
        steps.setdefault(entry.step_key, []).append(entry.timestamp)
    stages.update({f"step {key}": max(ts) - min(ts) for key, ts in steps.items()})
    if record.start_time and record.end_time:
        stages["started_to_ended"] = record.end_time - record.start_time
    return {name: round(seconds, 2) for name, seconds in stages.items()}


def sensor_runs(dagster_home: Path) -> list[dict]:
    """The landing sensor's runs, oldest first: their stages and the serving asset's own
    landing_to_serving_seconds."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    import dagster as dg

    from orchestration.names import FIRST_ARRIVAL_TAG

    with dg.DagsterInstance.get() as instance:
        reported = {}
        for record in instance.fetch_materializations(
            dg.AssetKey(["serving", "serving_database"]), limit=100
        ).records:
            meta = record.asset_materialization.metadata
            if "landing_to_serving_seconds" in meta:
                reported[record.run_id] = meta["landing_to_serving_seconds"].value
        runs = [r for r in instance.get_runs() if FIRST_ARRIVAL_TAG in r.tags]
        return [
            {
                "run_id": run.run_id,
                "job": run.job_name,
                "landing_to_serving_seconds": reported.get(run.run_id),
                **run_stages(instance, run),
            }
            for run in reversed(runs)
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--leads", type=int, default=300, help="leads per dropped batch")
    parser.add_argument("--base-leads", type=int, default=3000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/leadwh-bench-latency"))
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    paths = Paths(args.work / "home")
    log = args.work / "bench.log"
    args.work.mkdir(parents=True)
    today = datetime.now(tz=UTC).date()
    env = {
        **os.environ,
        "LEADWH_HOME": str(paths.home),
        "DAGSTER_HOME": str(paths.dagster_home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    print(f"base warehouse: {args.base_leads} leads over 3 days before {today} ...", flush=True)
    simulate(paths.landing, leads=args.base_leads, days=3, seed=5, start_date=today - timedelta(3))
    started = time.perf_counter()
    run([str(Path(sys.executable).parent / "leadwh"), "build"], env, log)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)

    port = free_port()
    dagster = str(Path(sys.executable).parent / "dagster")
    with log.open("a") as out:
        server = subprocess.Popen(
            [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    results = []
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"dagster dev did not start; see {log}") from None
                time.sleep(0.5)
        time.sleep(20)  # the daemon's first sensor tick sets the cursor after the base build
        print(f"dagster dev on port {port}; dropping {args.rounds} batches", flush=True)
        for round_ in range(1, args.rounds + 1):
            events, subs, ids = batch(args.work, 100 + round_, args.leads, today)
            t0 = time.time()
            drop(paths.landing_events / "api" / f"round-{round_}.ndjson", events)
            drop(paths.landing_submissions / "api" / f"round-{round_}.ndjson", subs)
            while served_count(paths.serving, ids) < len(ids):
                if time.time() - t0 > args.timeout:
                    raise SystemExit(f"round {round_}: not served after {args.timeout} s")
                time.sleep(0.5)
            latency = time.time() - t0
            results.append(latency)
            print(
                f"round {round_}: {len(events.splitlines())} events served after {latency:.1f} s",
                flush=True,
            )
            time.sleep(2)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    runs = sensor_runs(paths.dagster_home)
    print(
        "the sensor's runs: "
        + ", ".join(
            f"{job} {sum(run['job'] == job for run in runs)}"
            for job in sorted({r["job"] for r in runs})
        )
    )
    stages = sorted({name for run in runs for name in run if name not in ("run_id", "job")})
    print("median seconds per stage over the sensor's runs:")
    for name in stages:
        values = [run[name] for run in runs if run.get(name) is not None]
        print(f"  {name:<40} {statistics.median(values):6.1f}")
    settings = get_settings()
    summary = {
        "rounds": results,
        "median_seconds": statistics.median(results),
        "p95_seconds": p95(results),
        "max_seconds": max(results),
        "runs": runs,
        "target_p95_seconds": TARGET_SECONDS,
        "meets_target": p95(results) <= TARGET_SECONDS,
        "leads_per_batch": args.leads,
        "settings": f"sensor interval {settings.sensor_interval} s, settle"
        f" {settings.settle_seconds} s, dbt's data tests every {settings.data_tests_minutes:g}"
        f" min, engine {settings.engine}, dagster dev (daemon)",
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "landing_latency.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"median {summary['median_seconds']:.1f} s, p95 {summary['p95_seconds']:.1f} s, max"
        f" {summary['max_seconds']:.1f} s (target: p95 <= {TARGET_SECONDS:.0f} s);"
        f" {summary['settings']}; load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if summary["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
