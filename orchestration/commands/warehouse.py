"""`leadwh simulate` (a simulated lead operation into the landing zone) and `leadwh build`."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ingest.paths import Paths
from orchestration.commands.output import say, warn


def cmd_simulate(args: argparse.Namespace, paths: Paths) -> int:
    """Write a realistic, deterministic LeadConduit-style lead operation (events and raw
    submissions) into $LEADWH_HOME/landing. Without options: the built-in sample."""
    from ingest.simulator import run as simulator

    landing = Path(args.out) if args.out else paths.landing
    options = dict(simulator.SAMPLE)
    for name in ("leads", "days", "seed"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    started = time.perf_counter()
    summary = simulator.simulate(
        landing,
        start_date=args.start_date,
        layout=args.layout,
        submissions_format=args.submissions_format,
        faults=args.faults,
        workers=args.workers,
        progress=say,
        clean_days=args.clean_days,
        **options,
    )
    elapsed = time.perf_counter() - started
    say(f"wrote {landing} in {elapsed:.1f}s")
    say(summary.to_json())
    return 0


def cmd_build(args: argparse.Namespace, paths: Paths) -> int:
    """Land new files, build and test the dbt models, publish the serving file. Runs are
    recorded in the Dagster instance under $LEADWH_HOME/dagster (the UI's history)."""
    from ingest.ops.config import config_problems
    from orchestration.build import dagster_home, run_build

    for problem in config_problems():  # each turns off only what its file configures
        warn(problem)
    started = time.perf_counter()
    say(f"building the warehouse in {paths.home} (Dagster home {dagster_home(paths)})")
    ok = run_build(paths, full=args.full, log=say)
    say(f"build {'succeeded' if ok else 'FAILED'} in {time.perf_counter() - started:.1f}s")
    if ok and paths.serving.exists():
        from ingest.serving.publish import serving_version

        say(f"serving file {paths.serving} (version {serving_version(paths.serving)})")
    return 0 if ok else 1
