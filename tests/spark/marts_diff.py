"""Compare the marts of two serving files row by row: what the differential test of the engines
reports (which table, which columns, a few rows), empty when they agree.

Run stamps are left out: `built_at` (when a row was built), `updated_at` (a dimension's newest
`built_at`) and `ingested_at` (when the home landed the record: each home lands the same files
at its own time). Timestamps are compared as instants (both files hold UTC `TIMESTAMP`s), doubles
to 6 decimals.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

RUN_STAMPS = frozenset({"built_at", "updated_at", "ingested_at"})
DECIMALS = 6
SHOWN_ROWS = 3


def _columns(con, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_catalog = ?"
        " and table_schema = 'marts' and table_name = ? order by ordinal_position",
        [catalog, table],
    ).fetchall()


def _tables(con, catalog: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_catalog = ?"
            " and table_schema = 'marts'",
            [catalog],
        ).fetchall()
    }


def _expression(name: str, data_type: str) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    if data_type in ("DOUBLE", "FLOAT", "REAL"):
        return f"round({quoted}, {DECIMALS})"
    if data_type == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {quoted})"
    return quoted


def _select(expressions: list[str]) -> str:
    return ", ".join(f"{e} as c{i}" for i, e in enumerate(expressions))


def _only_in(a: str, b: str, expressions: list[str]) -> str:
    select = _select(expressions)
    return f"select {select} from {a} except all select {select} from {b}"


def _count(con, query: str) -> int:
    return con.execute(f"select count(*) from ({query})").fetchone()[0]


def _examples(con, a: str, b: str, expressions: list[str], differing: list[int]) -> str:
    """A few rows only in `a`, and `b`'s rows that agree with them on every column but the
    differing ones; of each, the first column and the differing ones."""
    same = [f"c{i}" for i in range(len(expressions)) if i not in differing] or ["c0"]
    shown = ", ".join(f"x.c{i}" for i in [0, *(i for i in differing if i)])
    keys = (
        f"select distinct {', '.join(same)} from ({_only_in(a, b, expressions)})"
        f" order by all limit {SHOWN_ROWS}"
    )
    match = " and ".join(f"x.{c} is not distinct from k.{c}" for c in same)  # nulls match
    rows = {}
    for side, source in (
        ("a", _only_in(a, b, expressions)),
        ("b", f"select {_select(expressions)} from {b}"),
    ):
        rows[side] = con.execute(
            f"select {shown} from ({source}) x semi join ({keys}) k on {match}"
            f" order by all limit {SHOWN_ROWS}"
        ).fetchall()
    return f"{rows['a']} vs {rows['b']}"


def table_differences(con, table: str, left: str = "a", right: str = "b") -> list[str]:
    columns_a, columns_b = _columns(con, left, table), _columns(con, right, table)
    problems = []
    if columns_a != columns_b:
        problems.append(
            f"{table}: columns differ: only {left} {sorted(set(columns_a) - set(columns_b))},"
            f" only {right} {sorted(set(columns_b) - set(columns_a))}"
            + (" (order)" if set(columns_a) == set(columns_b) else "")
        )
    types_b = dict(columns_b)
    compared = [(n, t) for n, t in columns_a if n in types_b and n not in RUN_STAMPS]
    expressions = [_expression(n, t) for n, t in compared]
    if not expressions:
        return problems
    a, b = f'{left}.marts."{table}"', f'{right}.marts."{table}"'
    only_a = _count(con, _only_in(a, b, expressions))
    only_b = _count(con, _only_in(b, a, expressions))
    if only_a or only_b:
        differing = [
            i
            for i, expression in enumerate(expressions)
            if _count(con, _only_in(a, b, [expression]))
            or _count(con, _only_in(b, a, [expression]))
        ]
        rows_a, rows_b = (_count(con, f"select 1 from {t}") for t in (a, b))
        problems.append(
            f"{table}: {rows_a} vs {rows_b} rows, {only_a} only in {left}, {only_b} only in"
            f" {right}; columns that differ: "
            f"{', '.join(compared[i][0] for i in differing) or 'none alone (row sets)'};"
            f" e.g. ({compared[0][0]}, differing) {left} vs {right}:"
            f" {_examples(con, a, b, expressions, differing)}"
        )
    return problems


def marts_differences(serving_a: Path, serving_b: Path) -> list[str]:
    """Every difference between the marts of two serving (or warehouse) files."""
    with duckdb.connect() as con:
        con.execute(f"attach '{serving_a}' as a (read_only)")
        con.execute(f"attach '{serving_b}' as b (read_only)")
        tables_a, tables_b = _tables(con, "a"), _tables(con, "b")
        problems = []
        if tables_a != tables_b:
            problems.append(
                f"tables differ: only a {sorted(tables_a - tables_b)},"
                f" only b {sorted(tables_b - tables_a)}"
            )
        for table in sorted(tables_a & tables_b):
            problems += table_differences(con, table)
        return problems
