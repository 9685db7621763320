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


def _except(con, a: str, b: str, expressions: list[str]) -> tuple[int, list[tuple]]:
    select = ", ".join(expressions)
    query = f"select {select} from {a} except all select {select} from {b}"
    count = con.execute(f"select count(*) from ({query})").fetchone()[0]
    shown = con.execute(f"{query} order by 1 limit {SHOWN_ROWS}").fetchall() if count else []
    return count, shown


def _same_keys(con, a: str, b: str, expressions: list[str], shown: list[str]) -> list[tuple]:
    """`b`'s rows with the first column of the first rows only in `a` (the same keys, mostly)."""
    key, select = expressions[0], ", ".join(expressions)
    keys = f"select {key} from (select {select} from {a} except all select {select} from {b})"
    return con.execute(
        f"select {', '.join(shown)} from {b} where {key} in ({keys} order by 1 limit {SHOWN_ROWS})"
        f" order by 1 limit {SHOWN_ROWS}"
    ).fetchall()


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
    rows_a = con.execute(f"select count(*) from {a}").fetchone()[0]
    rows_b = con.execute(f"select count(*) from {b}").fetchone()[0]
    only_a = _except(con, a, b, expressions)[0]
    only_b = _except(con, b, a, expressions)[0]
    if only_a or only_b:
        differing = [
            (name, expression)
            for (name, _), expression in zip(compared, expressions, strict=True)
            if any(_except(con, x, y, [expression])[0] for x, y in ((a, b), (b, a)))
        ]
        # examples: the first column (the key, mostly) and the columns that differ
        shown = [expressions[0], *(e for n, e in differing if n != compared[0][0])]
        problems.append(
            f"{table}: {rows_a} vs {rows_b} rows, {only_a} only in {left}, {only_b} only in"
            f" {right}; columns that differ: "
            f"{', '.join(n for n, _ in differing) or 'none alone (row sets)'};"
            f" e.g. ({compared[0][0]}, ...) {left}: {_except(con, a, b, shown)[1]}"
            f" {right}: {_same_keys(con, a, b, expressions, shown)}"
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
