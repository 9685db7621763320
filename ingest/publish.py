"""Publish: copy the marts from the warehouse into the serving file, swapped in atomically.

Readers (dashboards, SQL users, exports) only ever open the serving file. The new version is
written to a temporary file in the same folder and renamed over the old one, so a reader sees
either the previous version or the new one, never a half-written state, and a reader holding
the old file open never blocks the pipeline.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

# Schemas copied to the serving file, and columns withheld from it (PII kept only in the warehouse:
# the date of birth is served masked, `dob__masked`).
PUBLISHED: dict[str, frozenset[str]] = {
    "marts": frozenset(),
    "typed": frozenset({"dob__raw", "dob__normal"}),
}


@dataclass(frozen=True)
class PublishResult:
    version: str
    published_at: datetime
    tables: dict[str, int]  # schema.table -> rows
    path: Path


def publish(
    warehouse: Path, serving: Path, schemas: dict[str, frozenset[str]] | None = None
) -> PublishResult:
    """Copy the published schemas to a new serving file and swap it in; returns its version."""
    schemas = PUBLISHED if schemas is None else schemas
    if not warehouse.exists():
        raise FileNotFoundError(
            f"warehouse file {warehouse} does not exist: run `leadwh build` first"
        )
    serving.parent.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(tz=UTC).replace(tzinfo=None)
    version = published_at.strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    tmp = serving.parent / f".{serving.name}.{version}.tmp"
    tables: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    try:
        con.execute("attach ? as wh (read_only)", [str(warehouse)])
        found = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'wh' and table_schema in (select unnest(?))"
            " order by 1, 2",
            [list(schemas)],
        ).fetchall()
        for schema, table in found:
            con.execute(f'create schema if not exists "{schema}"')
            columns = {
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_catalog = 'wh' and table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            withheld = sorted(columns & schemas[schema])
            exclude = f" exclude ({', '.join(withheld)})" if withheld else ""
            con.execute(
                f'create table "{schema}"."{table}" as'
                f' select *{exclude} from wh."{schema}"."{table}"'
            )
            tables[f"{schema}.{table}"] = con.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
        con.execute("detach wh")
        con.execute("create schema meta")
        con.execute(
            "create table meta.publish_info as select ? as version, ? as published_at,"
            " cast(? as json) as tables",
            [version, published_at, json.dumps(tables)],
        )
        con.execute("checkpoint")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, serving)
    return PublishResult(version, published_at, tables, serving)


def serving_version(serving: Path) -> str | None:
    """The version stamp of the serving file, or None when there is none yet."""
    if not serving.exists():
        return None
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("select version from meta.publish_info").fetchone()[0]
