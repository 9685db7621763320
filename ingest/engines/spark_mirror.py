"""Copy the tables dbt built on Spark back into the DuckDB warehouse (``LEADWH_ENGINE=spark``).

The Python steps (publish, alerts, the landing sensor's checks) read the marts from the warehouse
file. After each dbt invocation on Spark, every table model of the mirrored schemas that it built
(its ``run_results.json``) is read from Spark's Parquet folder
(``<spark warehouse>/<schema>.db/<table>/``) with DuckDB and replaces the DuckDB table, all of one
invocation in one transaction, so a reader sees every mart of the step old or every one new.

Spark's layout, and what is undone so the tables have DuckDB's shape:

- partitioned tables are ``col=value/`` folders, the partition columns last in Spark's schema and
  ``__HIVE_DEFAULT_PARTITION__`` for null; their values are read as text and cast back;
- Spark writes timestamps UTC-adjusted, which DuckDB reads as ``TIMESTAMP WITH TIME ZONE``: cast
  back to ``TIMESTAMP`` (UTC);
- the columns come in the order and the types the model declares (its contract in the manifest
  as the DuckDB target renders it: a type declared per target, such as `json` on DuckDB and
  `string` on Spark, gets DuckDB's); undeclared columns follow in Spark's order and types;
- files Spark did not commit (``_temporary/``, ``.spark-staging-*``, hidden or ``_`` names) are
  left out; a table with no data file (an empty partitioned table) is created from its contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.warehouse import rollback, sql_literal

#: The schemas the Python steps read from the warehouse.
MIRRORED_SCHEMAS = frozenset({"marts"})
TABLE_MATERIALIZATIONS = frozenset({"table", "incremental"})
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
TIMESTAMP_TZ = "TIMESTAMP WITH TIME ZONE"


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str | None = None  # the type the column gets in DuckDB; None: as Spark wrote it


@dataclass(frozen=True)
class BuiltTable:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()  # as the model declares them (its YAML), in order


def declared_columns(node: dict) -> tuple[Column, ...]:
    return tuple(
        Column(column.get("name") or name, column.get("data_type"))
        for name, column in node.get("columns", {}).items()
    )


def built_tables(
    run_results: dict, manifest: dict, schemas: frozenset[str] = MIRRORED_SCHEMAS
) -> list[BuiltTable]:
    """The table models of `schemas` that a dbt invocation built (its run results), with the
    columns `manifest` declares (pass the DuckDB target's manifest for DuckDB's types)."""
    tables = []
    for result in run_results.get("results", []):
        node = manifest["nodes"].get(result["unique_id"], {})
        if (
            result.get("status") == "success"
            and node.get("resource_type") == "model"
            and node.get("config", {}).get("materialized") in TABLE_MATERIALIZATIONS
            and node.get("schema") in schemas
        ):
            name = node.get("alias") or node["name"]
            tables.append(BuiltTable(node["schema"], name, declared_columns(node)))
    return sorted(tables, key=lambda t: (t.schema, t.name))


def table_folder(spark_warehouse: Path, schema: str, table: str) -> Path:
    return spark_warehouse / f"{schema}.db" / table


def data_files(folder: Path) -> list[Path]:
    """The committed Parquet files of a Spark table folder (none of a hidden, ``_`` or staging
    folder), sorted."""
    files = []
    for path in folder.rglob("*.parquet"):
        parts = path.relative_to(folder).parts
        if not any(part.startswith(("_", ".")) for part in parts):
            files.append(path)
    return sorted(files)


def partition_columns(folder: Path, files: list[Path]) -> list[str]:
    """The hive partition columns (``col=value`` folders), outermost first."""
    if not files:
        return []
    parents = files[0].relative_to(folder).parts[:-1]
    return [part.split("=", 1)[0] for part in parents if "=" in part]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def known_type(con: duckdb.DuckDBPyConnection, data_type: str | None) -> str | None:
    """`data_type` when DuckDB knows it (dbt's contract types are mostly common to both)."""
    if not data_type:
        return None
    try:
        con.execute(f"select cast(null as {data_type})").fetchall()
    except duckdb.Error:
        return None
    return data_type


def column_expression(name: str, spark_type: str, partition: bool, declared: str | None) -> str:
    """The select expression that turns a column Spark wrote into its DuckDB shape."""
    expression = quote(name)
    if partition:
        expression = f"nullif({expression}, {sql_literal(HIVE_NULL)})"
    elif spark_type == TIMESTAMP_TZ:
        expression = f"timezone('UTC', {expression})"
    if declared:
        expression = f"cast({expression} as {declared})"
    return f"{expression} as {quote(name)}"


def parquet_scan(files: list[Path], partitioned: bool) -> str:
    paths = ", ".join(sql_literal(str(path)) for path in files)
    hive = ", hive_partitioning = true, hive_types_autocast = false" if partitioned else ""
    return f"read_parquet([{paths}], union_by_name = true{hive})"


def select_sql(con: duckdb.DuckDBPyConnection, table: BuiltTable, folder: Path) -> str:
    """The query that reads a Spark table folder in the table's DuckDB shape."""
    files = data_files(folder)
    declared = {column.name: known_type(con, column.data_type) for column in table.columns}
    if not files:
        if not table.columns or None in declared.values():
            raise LookupError(
                f"{table.schema}.{table.name}: Spark wrote no data file in {folder} and the model"
                " does not declare every column's type"
            )
        columns = ", ".join(
            f"cast(null as {declared[c.name]}) as {quote(c.name)}" for c in table.columns
        )
        return f"select {columns} limit 0"
    partitions = partition_columns(folder, files)
    scan = parquet_scan(files, bool(partitions))
    written = con.execute(f"describe select * from {scan}").fetchall()
    spark_types = {row[0]: row[1] for row in written}
    order = [c.name for c in table.columns if c.name in spark_types]
    order += [row[0] for row in written if row[0] not in order]
    expressions = [
        column_expression(name, spark_types[name], name in partitions, declared.get(name))
        for name in order
    ]
    return f"select {', '.join(expressions)} from {scan}"


def mirror_tables(
    con: duckdb.DuckDBPyConnection, spark_warehouse: Path, tables: list[BuiltTable]
) -> dict[str, int]:
    """Replace each table in the warehouse by Spark's copy, all in one transaction; rows by
    ``schema.table``."""
    if not tables:
        return {}
    queries = [
        (table, select_sql(con, table, table_folder(spark_warehouse, table.schema, table.name)))
        for table in tables
    ]
    counts = {}
    con.execute("begin transaction")
    try:
        for table, query in queries:
            target = f"{quote(table.schema)}.{quote(table.name)}"
            con.execute(f"create schema if not exists {quote(table.schema)}")
            con.execute(f"create or replace table {target} as {query}")
            counts[f"{table.schema}.{table.name}"] = con.execute(
                f"select count(*) from {target}"
            ).fetchone()[0]
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    return counts
