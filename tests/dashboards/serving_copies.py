"""Copies of a built warehouse's serving file for the dashboard tests: with and without the
parsed lead fields (typed.leads), each with its own version stamp like a fresh publish."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl

from ingest.paths import Paths


def copy_home(paths: Paths, target: Path) -> Paths:
    """A new warehouse home whose serving file is a copy of `paths`' one."""
    copy = Paths(target)
    copy.serving.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.serving, copy.serving)
    return copy


def has_typed_leads(serving: Path) -> bool:
    with duckdb.connect(str(serving), read_only=True) as con:
        return bool(
            con.execute(
                "select count(*) from duckdb_tables()"
                " where schema_name = 'typed' and table_name = 'leads'"
            ).fetchone()[0]
        )


def without_typed_leads(paths: Paths, target: Path) -> Paths:
    """A copy of the serving file as published before typed.leads existed."""
    copy = copy_home(paths, target)
    with duckdb.connect(str(copy.serving)) as con:
        con.execute("drop schema if exists typed cascade")
        con.execute("update meta.publish_info set version = version || '-untyped'")
    return copy


def with_typed_leads(paths: Paths, target: Path) -> Paths:
    """A copy of the serving file with typed.leads: the published one when there is one, else
    parsed here from the warehouse's raw submissions by ingest.typed.leads."""
    copy = copy_home(paths, target)
    if has_typed_leads(copy.serving):
        return copy
    from ingest.typed.fields import load_registry
    from ingest.typed.leads import build_typed_leads

    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        raw = con.execute("select lead_id, fields from raw.lead_submissions").df()
    frame = build_typed_leads(pl.from_pandas(raw), load_registry()).frame
    with duckdb.connect(str(copy.serving)) as con:
        con.register("typed_frame", frame.to_arrow())
        con.execute("create schema if not exists typed")
        con.execute("create or replace table typed.leads as select * from typed_frame")
        con.execute("update meta.publish_info set version = version || '-typed'")
    return copy


def emptied(paths: Paths, target: Path) -> Paths:
    """A copy of the serving file with every table empty: built, but no leads yet."""
    copy = copy_home(paths, target)
    with duckdb.connect(str(copy.serving)) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name <> 'meta'"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'delete from "{schema}"."{table}"')
        con.execute("update meta.publish_info set version = version || '-empty'")
    return copy
