"""Publish: copy the marts from the warehouse into the serving file, swapped in atomically.

Readers (dashboards, SQL users, exports) only ever open the serving file. The new version is
written to a temporary file in the same folder and renamed over the old one, so a reader sees
either the previous version or the new one, never a half-written state, and a reader holding
the old file open never blocks the pipeline.

Incremental: the big tables are stamped `built_at` by the run that wrote each row (dbt's
incremental marts, typed parsing). When the previous serving file exists, it is copied, and in
each such table only the rows built after the newest `built_at` it holds are replaced (by key);
the small tables are copied whole. A table is copied whole instead when it is new, its columns
changed, most of its rows were rebuilt, or its row count no longer matches the warehouse
afterwards (rows were deleted there);
and the whole file is written afresh once it has grown to COMPACT_GROWTH times its size after
the last full publish (deleted rows leave free space behind).

One publish at a time per serving file: each holds an exclusive lock on `.<name>.publish.lock`
beside it (the system releases it when the process dies). Holding it, a publish first removes
the temporary files of publishes that were killed (`.<name>.<version>.tmp` and DuckDB's `.wal`
beside it): no live publish can own one then.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.engines import dbt_manifest
from ingest.pause_points import pause_point
from ingest.settings import ConfigError
from ingest.typed.columns import SEP
from ingest.typed.fields import is_dob_name, load_registry
from ingest.warehouse import wal_path

# Schemas copied to the serving file, and columns withheld from it by name. Besides these, every
# date of birth is withheld but for its mask and age band (`personal_columns`).
PUBLISHED: dict[str, frozenset[str]] = {
    "marts": frozenset(),
    "typed": frozenset(),
}
#: The components of a date-of-birth field kept in the warehouse only (published: `valid`,
#: `lc_valid`, `year`, `masked` (**/**/YYYY) and `age_band`).
DOB_WITHHELD = ("raw", "normal", "age")

#: Text columns that carry what was posted to buyers (the lead's fields, a date of birth among
#: them): published with the value of every key naming a date of birth replaced (DOB_MASK).
TEXT_WITH_LEAD_FIELDS = frozenset({"transactions"})
#: Bumped when publishing withholds or masks more. A serving file published under other rules
#: (this version, or other DOB fields in the registry) is not the base of an incremental publish:
#: its old rows would keep what is now masked. 2: dates of birth in TEXT_WITH_LEAD_FIELDS.
PRIVACY_RULES = 2
DOB_MASK = "**/**/****"
# A key named like a date of birth (``is_dob_name``: ends with dob, or says date of birth, birth
# date, birthday), in any case.
_DOB_NAMES = (
    r"[0-9a-z_.\-]*(?:dob|(?:date[_.\- ]?of[_.\- ]?birth|birth[_.\- ]?(?:date|day|dt))"
    r"[0-9a-z_.\-]*)"
)


def dob_key_pattern(registered: Iterable[str] = ()) -> str:
    """A key naming a date of birth: named like one, or a registered field of type dob (its id
    or the last segment of it: ``born`` of ``applicant.born``)."""
    ids = {part for i in registered for part in (i, i.rsplit(".", 1)[-1])}
    return "|".join([_DOB_NAMES, *(re.escape(i) for i in sorted(ids))])


def registered_dob_ids() -> frozenset[str]:
    """The registry's fields of type dob; none when the custom fields cannot be read (the names
    still count, and typed parsing reports the error)."""
    try:
        return load_registry().ids_of_type("dob")
    except ConfigError:
        return frozenset()


def _dob_masks(key: str) -> tuple[tuple[str, str], ...]:
    """(pattern, replacement) for a DOB key's value in JSON (also JSON inside a JSON string,
    where the quotes are escaped), in a URL-encoded body or query string, and in XML."""
    return (
        (rf'(\\*"(?:{key})\\*"\s*:\s*\\*")[^"\\]*', rf"\1{DOB_MASK}"),
        (rf"((?:^|[?&\"])(?:{key})=)[^&\"\\\s]*", rf"\1{DOB_MASK}"),
        (rf"(<(?:{key})>)[^<]*", rf"\1{DOB_MASK}"),
    )


def privacy_rules(dob_key: str) -> str:
    """What a serving file was published under: PRIVACY_RULES and the DOB keys masked."""
    return f"{PRIVACY_RULES}-{hashlib.sha256(dob_key.encode()).hexdigest()[:12]}"


# The one stamped table that is not a dbt model: ingest/typed/store.py stamps it.
TYPED_STAMPED: dict[str, str] = {"typed.leads": "lead_id"}
STAMP = "built_at"
COMPACT_GROWTH = 1.5


@dataclass(frozen=True)
class PublishResult:
    version: str
    published_at: datetime
    tables: dict[str, int]  # schema.table -> rows
    path: Path
    incremental: bool = False  # built on a copy of the previous serving file
    written: dict[str, int] = field(default_factory=dict)  # schema.table -> rows written now
    by_delta: frozenset[str] = frozenset()  # the tables of which only the new rows were written
    removed_temporaries: tuple[str, ...] = ()  # left behind by killed publishes, removed now


def publish(
    warehouse: Path,
    serving: Path,
    schemas: dict[str, frozenset[str]] | None = None,
    delta_keys: dict[str, str] | None = None,
    full: bool = False,
) -> PublishResult:
    """Write the published schemas to a new serving file and swap it in; returns its version.
    Incremental on a copy of the previous serving file unless `full` or it has grown too big;
    `delta_keys` (table -> unique key) are the tables published by their new rows, by default
    the stamped ones (`stamped_tables`)."""
    schemas = PUBLISHED if schemas is None else schemas
    delta_keys = stamped_tables() if delta_keys is None else delta_keys
    if not warehouse.exists():
        raise FileNotFoundError(
            f"warehouse file {warehouse} does not exist: run `leadwh build` first"
        )
    serving.parent.mkdir(parents=True, exist_ok=True)
    with publish_lock(serving):
        removed = remove_stale_temporaries(serving)
        result = _publish(warehouse, serving, schemas, delta_keys, full)
    return PublishResult(**{**result.__dict__, "removed_temporaries": removed})


@contextmanager
def publish_lock(serving: Path) -> Iterator[None]:
    """Wait for, then hold, the exclusive publish lock of a serving file."""
    with open(serving.parent / f".{serving.name}.publish.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def temporary_name(serving: Path, version: str) -> Path:
    return serving.parent / f".{serving.name}.{version}.tmp"


def remove_stale_temporaries(serving: Path) -> tuple[str, ...]:
    """Remove the temporary files of killed publishes of this serving file (only names a publish
    writes: `.<name>.<version>.tmp` and its `.wal`). Call it holding the publish lock."""
    ours = re.compile(rf"\.{re.escape(serving.name)}\.\d{{8}}T\d{{12}}-[0-9a-f]{{6}}\.tmp(\.wal)?")
    removed = []
    for path in sorted(serving.parent.iterdir()):
        if ours.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return tuple(removed)


def _publish(
    warehouse: Path,
    serving: Path,
    schemas: dict[str, frozenset[str]],
    delta_keys: dict[str, str],
    full: bool,
) -> PublishResult:
    published_at = datetime.now(tz=UTC).replace(tzinfo=None)
    version = published_at.strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    tmp = temporary_name(serving, version)
    dob_key = dob_key_pattern(registered_dob_ids())
    rules = privacy_rules(dob_key)
    compacted_bytes = None if full else _reusable_size(serving, rules)
    incremental = compacted_bytes is not None
    tables: dict[str, int] = {}
    written: dict[str, int] = {}
    by_delta: set[str] = set()
    con = None
    try:
        if incremental:
            shutil.copyfile(serving, tmp)
        con = duckdb.connect(str(tmp))
        con.execute("attach ? as wh (read_only)", [str(warehouse)])
        here = con.execute("select current_database()").fetchone()[0]
        found = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = 'wh' and table_schema in (select unnest(?))"
            " order by 1, 2",
            [list(schemas)],
        ).fetchall()
        _drop_tables_not_in(con, here, found, list(schemas))
        for schema, table in found:
            name = f"{schema}.{table}"
            columns = _columns(con, "wh", schema, table)
            withheld = schemas[schema] | personal_columns([name for name, _ in columns])
            columns = [c for c in columns if c[0] not in withheld]
            key = delta_keys.get(name)
            selected = _select_list(columns, dob_key)
            delta = None
            if incremental and key and _columns(con, here, schema, table) == columns:
                delta = _replace_rows_built_since(con, schema, table, key, selected)
            if delta is None:
                _copy_whole(con, schema, table, selected)
            else:
                by_delta.add(name)
            tables[name] = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            written[name] = tables[name] if delta is None else delta
        con.execute("detach wh")
        con.execute("checkpoint")
        if not incremental:
            compacted_bytes = tmp.stat().st_size
        con.execute("create schema if not exists meta")
        con.execute(
            "create or replace table meta.publish_info as select ? as version,"
            " ? as published_at, cast(? as json) as tables, ? as incremental,"
            " cast(? as json) as rows_written, ? as compacted_bytes, ? as privacy_rules",
            [
                version,
                published_at,
                json.dumps(tables),
                incremental,
                json.dumps(written),
                compacted_bytes,
                rules,
            ],
        )
        con.execute("checkpoint")
    except BaseException:  # a full disk, say: nothing of this publish is left to fill it more
        if con is not None:
            con.close()
        for written_file in (tmp, wal_path(tmp)):
            written_file.unlink(missing_ok=True)
        raise
    con.close()
    pause_point("publish")
    os.replace(tmp, serving)
    return PublishResult(
        version, published_at, tables, serving, incremental, written, frozenset(by_delta)
    )


def personal_columns(names: list[str]) -> frozenset[str]:
    """The columns of a table never published: the raw, normal and age of every date-of-birth
    field. A prefix is one when the table gives it an age band (typed parsing does so for every
    field of type dob, registered or named like one), the `year` and `masked` of a dob, or its
    name says so (`dob`, `spouse_dob`, `date_of_birth`, ...: ``is_dob_name``)."""
    present = set(names)
    prefixes = {name.rsplit(SEP, 1)[0] for name in names if SEP in name}
    dob = {
        prefix
        for prefix in prefixes
        if f"{prefix}{SEP}age_band" in present
        or {f"{prefix}{SEP}year", f"{prefix}{SEP}masked"} <= present
        or is_dob_name(prefix)
    }
    return frozenset(f"{prefix}{SEP}{part}" for prefix in dob for part in DOB_WITHHELD)


def stamped_tables(manifest: Path | None = None) -> dict[str, str]:
    """The tables published by their rows built since the last publish, `schema.table` -> its
    unique key: the dbt models whose config says `meta: {stamped: true}` (their key is their
    incremental `unique_key`), read from dbt's manifest, and typed.leads. Each has a `built_at`
    column stamped with the run that (re)wrote the row (default manifest: `dbt_manifest`)."""
    manifest = manifest or dbt_manifest()
    if not manifest.exists():
        raise FileNotFoundError(
            f"dbt's manifest {manifest} does not exist: run `leadwh build`, or"
            " `dbt parse` in dbt_project/, first"
        )
    stamped = dict(TYPED_STAMPED)
    for node in json.loads(manifest.read_text())["nodes"].values():
        if node["resource_type"] != "model" or not node["config"].get("meta", {}).get("stamped"):
            continue
        key = node["config"].get("unique_key")
        if not isinstance(key, str):
            raise ValueError(
                f"dbt model {node['name']} is `stamped` but its unique_key is {key!r}: publish"
                " replaces a stamped table's rows by one key column; give it one"
            )
        stamped[f"{node['schema']}.{node['alias']}"] = key
    return stamped


def _reusable_size(serving: Path, rules: str) -> int | None:
    """The size of the serving file after its last full publish, when the file can be the base
    of an incremental one: it exists, records that size, was published under these privacy
    ``rules``, and has not grown past COMPACT_GROWTH."""
    if not serving.exists():
        return None
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            row = con.execute(
                "select compacted_bytes, privacy_rules from meta.publish_info"
            ).fetchone()
    except duckdb.Error:  # a file from before incremental publishing or these rules: afresh
        return None
    if row is None or row[0] is None or row[1] != rules:
        return None
    return None if serving.stat().st_size > COMPACT_GROWTH * row[0] else row[0]


def _columns(con, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [catalog, schema, table],
    ).fetchall()


def _select_list(columns: list[tuple[str, str]], dob_key: str) -> str:
    """The columns as published: the dates of birth (keys matching ``dob_key``) in text that
    carries lead fields masked."""
    return ", ".join(_published(name, data_type, dob_key) for name, data_type in columns)


def _published(name: str, data_type: str, dob_key: str) -> str:
    if name not in TEXT_WITH_LEAD_FIELDS:
        return f'"{name}"'
    text = f'cast("{name}" as varchar)'
    for pattern, replacement in _dob_masks(dob_key):
        text = f"regexp_replace({text}, '{pattern}', '{replacement}', 'gi')"
    return f'cast({text} as {data_type}) as "{name}"'


def _drop_tables_not_in(con, catalog: str, found, schemas) -> None:
    """Drop the tables of the previous version that the warehouse no longer has."""
    keep = set(found)
    for schema, table in con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = ? and table_schema in (select unnest(?))",
        [catalog, list(schemas)],
    ).fetchall():
        if (schema, table) not in keep:
            con.execute(f'drop table "{schema}"."{table}"')


def _copy_whole(con, schema: str, table: str, selected: str) -> None:
    con.execute(f'create schema if not exists "{schema}"')
    con.execute(
        f'create or replace table "{schema}"."{table}" as'
        f' select {selected} from wh."{schema}"."{table}"'
    )


def _replace_rows_built_since(con, schema: str, table: str, key: str, selected: str) -> int | None:
    """Replace the rows built after the newest one this copy holds; None when the table is
    better copied whole (no stamp yet, most rows were rebuilt, or rows were deleted in the
    warehouse)."""
    target, source = f'"{schema}"."{table}"', f'wh."{schema}"."{table}"'
    latest = con.execute(f"select max({STAMP}) from {target}").fetchone()[0]
    if latest is None:
        return None
    changed, total = con.execute(
        f"select count(*) filter (where {STAMP} > ?), count(*) from {source}", [latest]
    ).fetchone()
    if 2 * changed > total:  # e.g. after a full rebuild: a fresh copy is faster and compact
        return None
    con.execute("begin transaction")
    con.execute(
        f'delete from {target} where "{key}" in (select "{key}" from {source} where {STAMP} > ?)',
        [latest],
    )
    con.execute(
        f"insert into {target} select {selected} from {source} where {STAMP} > ?",
        [latest],
    )
    if con.execute(f"select count(*) from {target}").fetchone()[0] != total:
        con.execute("rollback")  # rows were deleted in the warehouse
        return None
    con.execute("commit")
    return changed


def serving_version(serving: Path) -> str | None:
    """The version stamp of the serving file, or None when there is none yet."""
    if not serving.exists():
        return None
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("select version from meta.publish_info").fetchone()[0]
