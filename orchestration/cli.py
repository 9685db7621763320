"""`leadwh`: the warehouse's command line (simulate, build, sql, export, pull, sync).

Every command works on the warehouse home `$LEADWH_HOME` (default `<project>/data`). Mistakes in
arguments, settings or config files end the command with one line saying what to change (exit
status 2), never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.paths import Paths, get_paths
from ingest.settings import ConfigError, unknown_variables

if TYPE_CHECKING:
    from ingest.serving.sandbox import Limits, SqlResult


def _print(message: str) -> None:
    print(message, flush=True)


def _warn(message: str) -> None:
    print(f"leadwh: warning: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- argument types


def positive_int(text: str) -> int:
    """A whole number >= 1 (--leads, --days, --workers, --max-rows)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def iso_time(text: str) -> str:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a time as ISO 8601 (2026-11-20T06:00:00), got {text!r}"
        ) from None
    return text


def positive_seconds(text: str) -> float:
    """A time limit in seconds, above 0 (--timeout)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


MEMORY_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)


def memory_size(text: str) -> str:
    """A DuckDB memory size such as 512MB or 4GB (--memory-limit)."""
    if not MEMORY_SIZE.match(text):
        raise argparse.ArgumentTypeError(
            f"expected a memory size such as 512MB or 4GB, got {text!r}"
        )
    return text.strip()


def sql_text(text: str) -> str:
    if not text.strip().rstrip(";").strip():
        raise argparse.ArgumentTypeError(
            'the query is empty; e.g. "select * from meta.publish_info"'
        )
    return text


# --------------------------------------------------------------------------- simulate


def cmd_simulate(args: argparse.Namespace, paths: Paths) -> int:
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
        progress=_print,
        clean_days=args.clean_days,
        **options,
    )
    elapsed = time.perf_counter() - started
    _print(f"wrote {landing} in {elapsed:.1f}s")
    _print(summary.to_json())
    return 0


# --------------------------------------------------------------------------- build


def cmd_build(args: argparse.Namespace, paths: Paths) -> int:
    from ingest.ops.config import config_problems
    from orchestration.build import dagster_home, run_build

    for problem in config_problems():  # each turns off only what its file configures
        _warn(problem)
    started = time.perf_counter()
    _print(f"building the warehouse in {paths.home} (Dagster home {dagster_home(paths)})")
    ok = run_build(paths, full=args.full, log=_print)
    _print(f"build {'succeeded' if ok else 'FAILED'} in {time.perf_counter() - started:.1f}s")
    if ok and paths.serving.exists():
        from ingest.serving.publish import serving_version

        _print(f"serving file {paths.serving} (version {serving_version(paths.serving)})")
    return 0 if ok else 1


# --------------------------------------------------------------------------- sql


def query_serving(
    serving: Path, query: str, limits: Limits | None = None, memory_limit: str | None = None
) -> SqlResult:
    """One read statement on a sandbox connection to the serving file (ingest.serving.sandbox:
    read-only, no files or URLs, settings locked, time, row and memory limits)."""
    from ingest.serving import sandbox

    if not serving.exists():
        raise SystemExit(
            f"no serving file at {serving}: run `leadwh build` (or `make build`) first"
        )
    settings = {"memory_limit": memory_limit} if memory_limit else {}
    return sandbox.run_sql(serving, query, limits or sandbox.Limits(), fetch="rows", **settings)


def format_rows(columns: list[str], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            [dict(zip(columns, row, strict=True)) for row in rows], default=str, indent=1
        )
    if fmt == "csv":
        import io

        from ingest.serving.spreadsheet import safe_rows

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(safe_rows([tuple(columns), *rows]))
        return buffer.getvalue().rstrip("\n")
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body, f"({len(rows)} rows)"])


def cmd_sql(args: argparse.Namespace, paths: Paths) -> int:
    import duckdb

    from ingest.serving import sandbox

    limits = sandbox.Limits(timeout=args.timeout, max_rows=args.max_rows)
    try:
        result = query_serving(paths.serving, args.query, limits, args.memory_limit)
    except (sandbox.SqlRefused, sandbox.SqlTimeout, duckdb.Error) as exc:
        print(f"error: {str(exc).strip()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the query was stopped", file=sys.stderr)
        return 130
    print(format_rows(result.columns, result.data, args.format))
    if result.truncated:
        print(
            f"note: only the first {args.max_rows:,} rows are shown; raise --max-rows or narrow"
            " the query",
            file=sys.stderr,
        )
    return 0


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace, paths: Paths) -> int:
    from ingest.ops.config import ConfigError, load_exports

    try:
        config = load_exports()
        if args.list or not args.name:
            for spec in config.exports:
                schedule = spec.schedule or "on demand"
                _print(f"{spec.name:<24} {spec.format:<8} {schedule:<14} {spec.describe_filters()}")
            if not config.exports:
                _print(f"no exports defined in {config.path}")
            return 0 if (args.list or config.exports) else 2
        config.get(args.name)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not paths.serving.exists():
        print(f"error: no serving file at {paths.serving}: run `leadwh build`", file=sys.stderr)
        return 2
    os.environ["LEADWH_HOME"] = str(paths.home)
    from orchestration.build import dagster_home, prepare_dbt

    dagster_home(paths)
    prepare_dbt()
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.exports import job_name, op_name
    from orchestration.names import TRIGGER_TAG

    run_config = {"ops": {op_name(args.name): {"config": {"as_of": args.as_of or ""}}}}
    job = defs().resolve_job_def(job_name(args.name))
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=run_config,
            tags={TRIGGER_TAG: "cli"},
            raise_on_error=False,
        )
    if not result.success:
        failure = next((e for e in result.all_events if e.is_failure), None)
        message = failure.event_specific_data.error.message if failure else "see the Dagster UI"
        print(f"error: export {args.name} failed: {message.strip()}", file=sys.stderr)
        return 1
    for materialization in result.asset_materializations_for_node(op_name(args.name)):
        meta = {k: v.value for k, v in materialization.metadata.items()}
        window = (
            f", window {meta['window_start']} .. {meta['window_end']}"
            if meta.get("window_end")
            else ""
        )
        _print(f"wrote {meta['rows']} rows to {meta['path']}{window} (run {result.run_id})")
    return 0


# --------------------------------------------------------------------------- pull, sync


def _run_connector_job(paths: Paths, job: str, run_config: dict, node: str):
    """Run one connector job through Dagster (recorded in the UI's history); its metadata."""
    os.environ["LEADWH_HOME"] = str(paths.home)
    from orchestration.build import dagster_home, prepare_dbt

    dagster_home(paths)
    prepare_dbt()
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.names import TRIGGER_TAG

    with dg.DagsterInstance.get() as instance:
        result = (
            defs()
            .resolve_job_def(job)
            .execute_in_process(
                instance=instance,
                run_config={**run_config, "execution": {"config": {"in_process": {}}}},
                tags={TRIGGER_TAG: "cli"},
                raise_on_error=False,
            )
        )
    if not result.success:
        failure = next((e for e in result.all_events if e.is_failure), None)
        message = failure.event_specific_data.error.message if failure else "see the Dagster UI"
        raise SystemExit(f"leadwh: error: {message.strip()}")
    found = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in found[-1].metadata.items()} if found else {}


def cmd_pull(args: argparse.Namespace, paths: Paths) -> int:
    from ingest.settings import get_settings
    from orchestration.names import EVENTS_API_PULL_JOB

    if not get_settings().leadconduit_api_key.get_secret_value():
        print(
            "leadwh: error: set LEADWH_LEADCONDUIT_API_KEY to your LeadConduit API key "
            "(README: Connect your LeadConduit account)",
            file=sys.stderr,
        )
        return 2
    since = args.since.isoformat() if args.since else ""
    run_config = {"ops": {"connectors__leadconduit_events_api": {"config": {"since": since}}}}
    meta = _run_connector_job(
        paths, EVENTS_API_PULL_JOB, run_config, "connectors__leadconduit_events_api"
    )
    _print(
        f"pulled {meta.get('events_read', 0)} events in {meta.get('pages', 0)} pages: "
        f"{meta.get('events_written', 0)} new in {meta.get('files_written', 0)} files under "
        f"{paths.landing_events / 'api'}, {meta.get('repeats_skipped', 0)} already pulled; "
        f"cursor {meta.get('cursor_after', '')}. `leadwh build` lands them."
    )
    return 0


def cmd_sync(args: argparse.Namespace, paths: Paths) -> int:
    from ingest.connectors.object_store import configured_sources
    from ingest.settings import get_settings
    from orchestration.names import OBJECT_STORE_SYNC_JOB

    if not configured_sources(get_settings(), paths):
        _print("LEADWH_EVENTS_URL and LEADWH_SUBMISSIONS_URL are the local landing folders")
        return 0
    run_config = {"ops": {"connectors__object_store_mirror": {"config": {"recent": args.recent}}}}
    meta = _run_connector_job(
        paths, OBJECT_STORE_SYNC_JOB, run_config, "connectors__object_store_mirror"
    )
    for dataset in ("events", "submissions"):
        if f"{dataset}_source" in meta:
            _print(
                f"{dataset} from {meta[f'{dataset}_source']} ({meta[f'{dataset}_mode']}): "
                f"listed {meta[f'{dataset}_listed']}, copied {meta[f'{dataset}_copied']}, "
                f"{meta[f'{dataset}_unchanged']} unchanged, {meta[f'{dataset}_ignored']} ignored "
                f"in {meta[f'{dataset}_seconds']}s"
            )
    return 0


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    from ingest.serving import sandbox

    parser = argparse.ArgumentParser(
        prog="leadwh",
        description="LeadWarehouse: land LeadConduit events, build the marts, query them.",
        epilog="All commands use $LEADWH_HOME (default: <project>/data).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser(
        "simulate",
        help="write a simulated lead operation into the landing zone",
        description="Write a realistic, deterministic LeadConduit-style lead operation (events and "
        "raw submissions) into $LEADWH_HOME/landing. Without options: the built-in sample.",
    )
    sim.add_argument("--leads", type=positive_int, help="number of leads (default: the sample's)")
    sim.add_argument(
        "--days", type=positive_int, help="days of submissions (default: the sample's)"
    )
    sim.add_argument("--seed", type=int, help="random seed; same seed, same bytes")
    sim.add_argument(
        "--start-date",
        type=iso_day,
        default=date(2026, 10, 26),
        help="first day, YYYY-MM-DD (default 2026-10-26)",
    )
    sim.add_argument(
        "--layout",
        choices=["ndjson", "firehose", "mixed"],
        default="mixed",
        help="event file layout (mixed: a share of leads in the Firehose tree)",
    )
    sim.add_argument("--submissions-format", choices=["ndjson", "csv"], default="ndjson")
    sim.add_argument(
        "--faults",
        action="store_true",
        help="add duplicates, late events, malformed and non-UTF-8 lines, missing ids",
    )
    sim.add_argument(
        "--workers",
        type=positive_int,
        default=min(2, os.cpu_count() or 1),
        help="processes (output is identical for any number)",
    )
    sim.add_argument(
        "--clean-days",
        type=positive_int,
        default=0,
        help="the last N days have no stories (no incident, no alert): a clean operation",
    )
    sim.add_argument("--out", help="landing folder (default $LEADWH_HOME/landing)")
    sim.set_defaults(func=cmd_simulate)

    build = sub.add_parser(
        "build",
        help="materialize every asset through Dagster",
        description="Land new files, build and test the dbt models, publish the serving file. "
        "Runs are recorded in the Dagster instance under $LEADWH_HOME/dagster (the UI's history).",
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="rebuild every partition that holds raw events, not only new ones",
    )
    build.set_defaults(func=cmd_build)

    sql = sub.add_parser(
        "sql",
        help="query the serving file (read-only)",
        description="Run one read query (select, with, from, describe, summarize) against the "
        "serving file: read-only, no files, URLs or settings, one statement, with a time, row and "
        "memory limit. Tables: marts.*, typed.leads once published, meta.publish_info. "
        "CSV output is escaped for spreadsheets (see the README).",
    )
    sql.add_argument(
        "query", type=sql_text, help='e.g. "select * from marts.fct_acceptance_daily limit 5"'
    )
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument(
        "--timeout",
        type=positive_seconds,
        default=sandbox.DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop the query after this long (default {sandbox.DEFAULT_TIMEOUT:g})",
    )
    sql.add_argument(
        "--max-rows",
        type=positive_int,
        default=sandbox.DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"print at most N rows (default {sandbox.DEFAULT_MAX_ROWS:,})",
    )
    sql.add_argument(
        "--memory-limit",
        type=memory_size,
        metavar="SIZE",
        help=f"DuckDB memory cap for the query, e.g. 4GB (default {sandbox.DEFAULT_MEMORY_LIMIT})",
    )
    sql.set_defaults(func=cmd_sql)

    export = sub.add_parser(
        "export",
        help="run one analytic export now (config/exports.yaml)",
        description="Run the export NAME defined in config/exports.yaml ($LEADWH_EXPORTS_CONFIG) "
        "now, through Dagster (recorded on the asset exports/NAME): read the serving file, apply "
        "the filters, write <destination>/<name>.<csv|parquet> atomically with a .meta.json "
        "sidecar (row count, time window).",
    )
    export.add_argument("name", nargs="?", help="the export's name (see --list)")
    export.add_argument("--list", action="store_true", help="list the defined exports and exit")
    export.add_argument(
        "--as-of",
        type=iso_time,
        help="end the export's time window at this time (ISO 8601, UTC), not now",
    )
    export.set_defaults(func=cmd_export)

    pull = sub.add_parser(
        "pull",
        help="pull new events from LeadConduit's Events API into the landing zone",
        description="Pull events newer than the last pull (less LEADWH_PULL_OVERLAP_MINUTES) from "
        "LeadConduit's Events API (LEADWH_LEADCONDUIT_URL, key LEADWH_LEADCONDUIT_API_KEY) into "
        "$LEADWH_HOME/landing/events/api as NDJSON, through Dagster. `leadwh build` lands them.",
    )
    pull.add_argument(
        "--since",
        type=iso_day,
        help="first pull only: start at this day, YYYY-MM-DD (default: all the API keeps)",
    )
    pull.set_defaults(func=cmd_pull)

    sync = sub.add_parser(
        "sync",
        help="copy new objects from the object store (LEADWH_EVENTS_URL) to the landing zone",
        description="Copy new and changed objects of LEADWH_EVENTS_URL / LEADWH_SUBMISSIONS_URL "
        "(e.g. s3://bucket/prefix, a LeadConduit Firehose) into $LEADWH_HOME/landing, through "
        "Dagster. `leadwh build` does this first by itself.",
    )
    sync.add_argument(
        "--recent",
        action="store_true",
        help="list only leads of the last LEADWH_FIREHOSE_RECENT_HOURS (default: every key)",
    )
    sync.set_defaults(func=cmd_sync)
    return parser


def use_this_environment() -> None:
    """Put this interpreter's bin folder (the virtualenv: dbt, dagster) first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in unknown_variables():
        _warn(f"{name} is not a LeadWarehouse setting (README: Settings); it is ignored")
    use_this_environment()
    try:
        return args.func(args, get_paths())
    except ConfigError as exc:  # a setting or config file: the message says what to change
        print(f"leadwh: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder that cannot be created or written, a full disk, ...
        where = f" {exc.filename}" if exc.filename else ""
        print(f"leadwh: error:{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("leadwh: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
