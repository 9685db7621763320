"""The differential test's comparison says which table and column differ, and nothing else."""

from __future__ import annotations

import duckdb

from tests.spark.marts_diff import marts_differences


def serving(path, rows: str, extra: str = "") -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct (id int, ratio double, seen_at timestamp, built_at timestamp)"
        )
        con.execute(f"insert into marts.fct values {rows}")
        if extra:
            con.execute(extra)


def test_differences_name_the_table_and_column(tmp_path):
    same = "(1, 1/3, '2026-10-26 10:00', now()), (2, null, null, now())"
    serving(tmp_path / "a.duckdb", same)
    serving(tmp_path / "b.duckdb", same.replace("1/3", "0.3333333"))  # 6 decimals agree
    assert marts_differences(tmp_path / "a.duckdb", tmp_path / "b.duckdb") == []

    serving(tmp_path / "c.duckdb", same.replace("10:00", "11:00"), "create table marts.x (i int)")
    (tables, fct) = marts_differences(tmp_path / "a.duckdb", tmp_path / "c.duckdb")
    assert tables == "tables differ: only a [], only b ['x']"
    assert fct.startswith("fct: 2 vs 2 rows, 1 only in a, 1 only in b;")
    assert "; columns that differ: seen_at;" in fct
