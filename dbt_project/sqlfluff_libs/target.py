"""sqlfluff's jinja templater: dbt's `target` for linting is the default (DuckDB) one."""

type = "duckdb"  # noqa: A001 (dbt's attribute name)
name = "dev"
