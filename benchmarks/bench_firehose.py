"""Benchmark: Firehose objects from a local S3 on loopback into raw.lead_events.

    .venv/bin/python benchmarks/bench_firehose.py [--objects 100000] [--server s3rver|moto]

1. Starts a local S3 API on 127.0.0.1 in its own processes: ``s3rver`` (npm s3rver on both
   cores through Node's cluster, benchmarks/s3rver/; `make bench-deps` installs it; the default
   when it is installed) or ``moto`` (moto's server, as the tests use: one Python process, about
   250 GETs/s here, so it measures moto rather than the sync). Simulates a Firehose-layout
   operation of about ``--objects`` events and uploads them with threads (not timed).
2. Timed: a full sync (list + concurrent GETs + atomic writes into the landing zone) and the
   landing of the mirrored files into a DuckDB warehouse. Prints objects per second and seconds.
   Target: 100,000 objects in at most 2 minutes.
3. Timed: 1,000 new objects under new (recent) leads, then one recent-prefix tick (what the sensor
   runs every minute) and, for contrast, one full sweep: the tick lists only the new leads, so its
   cost follows what is new, not the bucket's size.

Writes artifacts/benchmarks/firehose.json.
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
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.connectors.object_ids import time_prefix  # noqa: E402
from ingest.connectors.object_store import Source, sync_source  # noqa: E402
from ingest.paths import Paths  # noqa: E402

BUCKET = "bench-firehose"
PREFIX = "leadconduit"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


S3RVER = ROOT / "benchmarks" / "s3rver"


def start_server(kind: str, work: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(work / f"{kind}.log", "w")  # noqa: SIM115
    if kind == "moto":
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        env = None
    else:
        store = work / "s3rver-data"
        shutil.rmtree(store, ignore_errors=True)
        store.mkdir(parents=True)
        workers = str(os.cpu_count() or 2)
        command = ["node", str(S3RVER / "cluster.js"), str(store), str(port), workers, BUCKET]
        env = {**os.environ, "NODE_OPTIONS": "--openssl-legacy-provider"}
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.error
    import urllib.request

    for _ in range(200):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except urllib.error.HTTPError:  # it answers
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise SystemExit(f"{kind} did not start; see {log.name}")
    return process, endpoint


def server_cpu_seconds(pid: int) -> float:
    """CPU time of the server process and its children (Node's cluster workers) so far."""
    pids, total = [pid], 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def own_cpu_seconds() -> float:
    """CPU time of this process and of its finished children (landing's reader processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def upload(client, items: list[tuple[str, bytes]], threads: int) -> float:
    started = time.perf_counter()

    def put(item):
        client.put_object(Bucket=BUCKET, Key=item[0], Body=item[1])

    with ThreadPoolExecutor(threads) as pool:
        for n, _ in enumerate(pool.map(put, items), 1):
            if n % 20000 == 0:
                print(f"  uploaded {n}/{len(items)}", flush=True)
    return time.perf_counter() - started


def simulated_objects(work: Path, objects: int) -> list[tuple[str, bytes]]:
    from ingest.simulator.run import simulate

    folder = work / "operation"
    if not folder.exists():
        simulate(folder, leads=max(1, objects // 5), days=7, seed=5, layout="firehose", workers=2)
    files = sorted((folder / "events" / "firehose").rglob("*"))
    items = [
        (f"{PREFIX}/{p.relative_to(folder / 'events' / 'firehose').as_posix()}", p.read_bytes())
        for p in files
        if p.is_file()
    ]
    return items[:objects]


def new_recent_objects(items: list[tuple[str, bytes]], n: int) -> list[tuple[str, bytes]]:
    """n events of the existing ones under leads created now, with new ids (truly new events)."""
    now = time_prefix(datetime.now(tz=UTC))
    out = []
    for i, (_, body) in enumerate(items[:n]):
        event = json.loads(body)
        lead, event_id = f"{now}{i // 5:016x}", f"{now}{0xBE000000 + i:016x}"
        event["id"] = event_id
        event.setdefault("vars", {}).setdefault("lead", {})["id"] = lead
        out.append((f"{PREFIX}/{lead}/{event_id}", json.dumps(event).encode()))
    return out


def land_all(paths: Paths) -> tuple[float, dict]:
    import duckdb

    from ingest.landing.land import land

    started = time.perf_counter()
    with duckdb.connect(str(paths.warehouse)) as con:
        report = land(con, paths.landing, "events")
    return time.perf_counter() - started, report.summary()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=32, help="upload threads")
    parser.add_argument("--work", default="/tmp/bench-firehose")
    installed = (S3RVER / "node_modules" / "s3rver").is_dir() and shutil.which("node")
    parser.add_argument(
        "--server", choices=("s3rver", "moto"), default="s3rver" if installed else "moto"
    )
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ.update(  # s3rver knows this key only; moto takes any
        AWS_ACCESS_KEY_ID="S3RVER", AWS_SECRET_ACCESS_KEY="S3RVER", AWS_DEFAULT_REGION="us-east-1"
    )
    process, endpoint = start_server(args.server, work)
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3", endpoint_url=endpoint, config=Config(max_pool_connections=args.threads)
        )
        if args.server == "moto":  # s3rver makes it at start
            client.create_bucket(Bucket=BUCKET)
        items = simulated_objects(work, args.objects)
        print(f"uploading {len(items)} objects to {args.server} at {endpoint} ...", flush=True)
        upload_seconds = upload(client, items, args.threads)
        print(f"uploaded in {upload_seconds:.1f}s (not part of the measure)", flush=True)

        home = work / "home"
        shutil.rmtree(home, ignore_errors=True)
        paths = Paths(home)
        source = Source.parse("events", f"s3://{BUCKET}/{PREFIX}")
        workers = int(os.environ.get("BENCH_SYNC_WORKERS", "64"))
        server_before, own_before = server_cpu_seconds(process.pid), own_cpu_seconds()
        sync = sync_source(source, paths, None, workers=workers)
        server_cpu = server_cpu_seconds(process.pid) - server_before
        sync_cpu = own_cpu_seconds() - own_before
        land_seconds, landed = land_all(paths)
        land_cpu = own_cpu_seconds() - own_before - sync_cpu
        total = sync.seconds + land_seconds
        print(sync.line())
        print(f"landed {landed['loaded']} events in {land_seconds:.1f}s")
        print(
            f"sync + land: {len(items)} objects in {total:.1f}s = "
            f"{len(items) / total:.0f} objects/s (target: 100,000 in at most 120s)"
        )
        print(
            f"CPU on the {os.cpu_count()} shared cores: the S3 server {server_cpu:.1f}s "
            f"({1000 * server_cpu / len(items):.2f} ms per object), the sync "
            f"{sync_cpu:.1f}s ({1000 * sync_cpu / len(items):.2f} ms), landing {land_cpu:.1f}s "
            f"({1000 * land_cpu / len(items):.2f} ms); the warehouse's side alone: "
            f"{len(items) / (sync_cpu + land_cpu):.0f} objects per CPU-second"
        )

        new = new_recent_objects(items, args.new)
        upload(client, new, args.threads)
        tick = sync_source(source, paths, 48, workers=workers)
        land_tick, _ = land_all(paths)
        print(
            f"recent tick with {len(items) + len(new)} objects in the bucket, {len(new)} new: "
            f"listed {tick.listed}, copied {tick.copied} in {tick.seconds:.2f}s "
            f"(+ landing {land_tick:.2f}s)"
        )
        sweep = sync_source(source, paths, None, workers=workers)
        print(
            f"full sweep for contrast (nothing new): listed {sweep.listed}, copied "
            f"{sweep.copied} in {sweep.seconds:.2f}s"
        )
        result = {
            "server": args.server,
            "objects": len(items),
            "sync_seconds": round(sync.seconds, 2),
            "land_seconds": round(land_seconds, 2),
            "total_seconds": round(total, 2),
            "objects_per_second": round(len(items) / total, 1),
            "sync_objects_per_second": round(sync.copied / sync.seconds, 1),
            "server_cpu_seconds": round(server_cpu, 1),
            "sync_cpu_seconds": round(sync_cpu, 1),
            "land_cpu_seconds": round(land_cpu, 1),
            "tick_new_objects": len(new),
            "tick_listed": tick.listed,
            "tick_seconds": round(tick.seconds, 2),
            "tick_land_seconds": round(land_tick, 2),
            "full_sweep_listed": sweep.listed,
            "full_sweep_seconds": round(sweep.seconds, 2),
            "upload_seconds": round(upload_seconds, 1),
            "cpus": os.cpu_count(),
        }
        out = ROOT / "artifacts" / "benchmarks" / "firehose.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1) + "\n")
        print(json.dumps(result))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
