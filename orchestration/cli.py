"""`leadwh`: the warehouse's command line (simulate, build, sql, export, pull, sync, backup).

Every command works on the warehouse home `$LEADWH_HOME` (default `<project>/data`). Mistakes in
arguments, settings or config files end the command with one line saying what to change (exit
status 2), never a traceback. This module parses the arguments; the commands live in
`orchestration.commands` (each one's docstring is its --help description).
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from datetime import date
from pathlib import Path

from ingest.paths import get_paths
from ingest.settings import ConfigError, unknown_variables
from orchestration.commands.arguments import (
    iso_day,
    iso_time,
    memory_size,
    positive_int,
    positive_seconds,
    sql_text,
)
from orchestration.commands.dagster_jobs import cmd_backup, cmd_export, cmd_pull, cmd_sync
from orchestration.commands.output import warn
from orchestration.commands.sql import cmd_sql
from orchestration.commands.warehouse import cmd_build, cmd_simulate


def _command(sub, func, help_text: str) -> argparse.ArgumentParser:
    """The subcommand that runs `func` (`cmd_<name>`), listed with `help_text`; its own --help
    describes it with the function's docstring."""
    parser = sub.add_parser(
        func.__name__.removeprefix("cmd_"), help=help_text, description=inspect.getdoc(func)
    )
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from ingest.serving import sandbox

    parser = argparse.ArgumentParser(
        prog="leadwh",
        description="LeadWarehouse: land LeadConduit events, build the marts, query them.",
        epilog="All commands use $LEADWH_HOME (default: <project>/data).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sim = _command(sub, cmd_simulate, "write a simulated lead operation into the landing zone")
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

    build = _command(sub, cmd_build, "materialize every asset through Dagster")
    build.add_argument(
        "--full",
        action="store_true",
        help="rebuild every partition that holds raw events, not only new ones",
    )

    sql = _command(sub, cmd_sql, "query the serving file (read-only)")
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

    export = _command(sub, cmd_export, "run one analytic export now (config/exports.yaml)")
    export.add_argument("name", nargs="?", help="the export's name (see --list)")
    export.add_argument("--list", action="store_true", help="list the defined exports and exit")
    export.add_argument(
        "--as-of",
        type=iso_time,
        help="end the export's time window at this time (ISO 8601, UTC), not now",
    )

    pull = _command(
        sub, cmd_pull, "pull new events from LeadConduit's Events API into the landing zone"
    )
    pull.add_argument(
        "--since",
        type=iso_day,
        help="first pull only: start at this day, YYYY-MM-DD (default: all the API keeps)",
    )

    sync = _command(
        sub,
        cmd_sync,
        "copy new objects from the object store (LEADWH_EVENTS_URL) to the landing zone",
    )
    sync.add_argument(
        "--recent",
        action="store_true",
        help="list only leads of the last LEADWH_FIREHOSE_RECENT_HOURS (default: every key)",
    )
    backup = _command(sub, cmd_backup, "copy the warehouse file, checked, to a backup folder")
    backup.add_argument("--to", help="folder for the backups (default $LEADWH_HOME/backups)")
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
        warn(f"{name} is not a LeadWarehouse setting (README: Settings); it is ignored")
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
