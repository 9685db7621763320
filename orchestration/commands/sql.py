"""`leadwh sql`: one read query on the serving file, printed as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.paths import Paths

if TYPE_CHECKING:
    from ingest.serving.sandbox import Limits, SqlResult


def query_serving(
    serving: Path, query: str, limits: Limits | None = None, memory_limit: str | None = None
) -> SqlResult:
    """One read statement on a sandbox connection to the serving file (ingest.serving.sandbox:
    read-only, no files or URLs, settings locked, time, row and memory limits), in a process of
    its own (ingest.serving.isolated: a hard memory cap, killed at its time limit)."""
    from ingest.serving import isolated, sandbox

    if not serving.exists():
        raise SystemExit(
            f"no serving file at {serving}: run `leadwh build` (or `make build`) first"
        )
    settings = {"memory_limit": memory_limit} if memory_limit else {}
    return isolated.run_sql(serving, query, limits or sandbox.Limits(), fetch="rows", **settings)


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
    """Run one read query (select, with, from, describe, summarize) against the serving file:
    read-only, no files, URLs or settings, one statement, with a time, row and memory limit.
    Tables: marts.*, typed.leads once published, meta.publish_info. CSV output is escaped for
    spreadsheets (see the README)."""
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
