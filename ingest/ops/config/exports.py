"""config/exports.yaml: the analytic exports (a mart or a read query, filters, format,
destination, schedule), loaded as frozen :class:`ExportSpec`s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ingest.ops.config.checks import (
    IDENTIFIER,
    NAME,
    as_number,
    as_text,
    as_timezone,
    check_cron,
    check_keys,
    check_unique,
    one_line_errors,
    parse_duration,
    read_mapping,
)
from ingest.settings import ConfigError, get_settings

EXPORT_FORMATS = ("csv", "parquet")
EXPORT_TIMEOUT = 600.0
EXPORT_MAX_ROWS = 10_000_000
RELATIVE_TO = ("now", "latest")


@dataclass(frozen=True)
class ExportSpec:
    name: str
    description: str
    mart: str | None  # a table of the serving file's marts schema ...
    query: str | None  # ... or a read-only SQL query on the serving file
    columns: tuple[str, ...] | None  # None = all
    time_column: str | None
    last: timedelta | None  # the window's length, ending at the export time
    relative_to: str  # now | latest (the newest value of time_column)
    where: tuple[tuple[str, tuple[Any, ...]], ...]
    format: str
    destination: str  # folder under the warehouse home's exports/ (checked when it runs)
    schedule: str | None  # cron (execution_timezone = ExportsConfig.timezone)
    timeout: float = EXPORT_TIMEOUT  # seconds the query may run
    max_rows: int = EXPORT_MAX_ROWS  # more rows than this fails the export (never a partial file)

    @property
    def file_name(self) -> str:
        return f"{self.name}.{self.format}"

    def folder(self, home: Path) -> Path:
        """The destination under the warehouse home (``ingest.serving.exports`` checks that it
        lies inside the exports folder before writing)."""
        return home / self.destination

    def describe_filters(self) -> str:
        parts = []
        if self.last is not None:
            end = "now" if self.relative_to == "now" else f"the latest {self.time_column}"
            parts.append(f"last {_human(self.last)} of {self.time_column} up to {end}")
        parts += [f"{col} in {list(vals)}" for col, vals in self.where]
        parts.append("all fields" if self.columns is None else f"{len(self.columns)} fields")
        return ", ".join(parts)


@dataclass(frozen=True)
class ExportsConfig:
    exports: tuple[ExportSpec, ...] = ()
    timezone: str = "UTC"
    path: Path | None = None

    def get(self, name: str) -> ExportSpec:
        for spec in self.exports:
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.exports) or "none"
        raise ConfigError(f"no export named {name!r} in {self.path}; defined: {known}")


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days" if seconds != 86400 else "24 hours"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes"


@one_line_errors("exports_config")
def load_exports(path: Path | None = None) -> ExportsConfig:
    path = path or get_settings().exports_config
    data = read_mapping(path)
    check_keys(str(path), data, {"exports", "destination", "timezone"})
    default_dest = as_text(data.get("destination") or "exports", f"{path}: destination")
    entries = data.get("exports") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `exports` must be a list of exports")
    specs: list[ExportSpec] = []
    for i, entry in enumerate(entries):
        specs.append(_export_spec(entry, f"{path}: exports[{i}]", default_dest))
    check_unique([item.name for item in specs], f"{path}: export names")
    timezone = as_timezone(data.get("timezone") or "UTC", f"{path}: timezone")
    return ExportsConfig(tuple(specs), timezone, path)


def _export_spec(entry: Any, where: str, default_dest: str) -> ExportSpec:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with name, mart or query, format, ...")
    allowed = {
        "name",
        "description",
        "mart",
        "query",
        "filters",
        "columns",
        "format",
        "destination",
        "schedule",
        "timeout",
        "max_rows",
    }
    check_keys(where, entry, allowed)
    name = entry.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(
            f"{where}: `name` must be lower case letters, digits and _ (a file and job name)"
        )
    where = f"{where} ({name})"
    mart, query = entry.get("mart"), entry.get("query")
    if bool(mart) == bool(query):
        raise ConfigError(f"{where}: give exactly one of `mart` (a marts table) or `query` (SQL)")
    if mart is not None and (not isinstance(mart, str) or not IDENTIFIER.match(mart)):
        raise ConfigError(f"{where}: `mart` must be a table name such as fct_leads")
    if query is not None and not isinstance(query, str):
        raise ConfigError(f"{where}: `query` must be SQL text")
    if query is not None:
        _read_query(query, where)
    fmt = str(entry.get("format") or "csv").lower()
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"{where}: `format` must be one of {EXPORT_FORMATS}, got {fmt!r}")
    columns = entry.get("columns", "all")
    if columns in ("all", "*", None):
        column_list = None
    elif (
        isinstance(columns, list)
        and columns
        and all(isinstance(c, str) and IDENTIFIER.match(c) for c in columns)
    ):
        column_list = tuple(columns)
    else:
        raise ConfigError(f"{where}: `columns` must be `all` or a list of column names")
    filters = entry.get("filters") or {}
    if not isinstance(filters, dict):
        raise ConfigError(f"{where}: `filters` must be a mapping (last, time_column, where)")
    check_keys(f"{where} filters", filters, {"last", "time_column", "relative_to", "where"})
    last = parse_duration(filters["last"], f"{where} filters.last") if "last" in filters else None
    time_column = filters.get("time_column")
    if last is not None and not (isinstance(time_column, str) and IDENTIFIER.match(time_column)):
        raise ConfigError(f"{where}: filters.last needs filters.time_column (e.g. submitted_at)")
    relative_to = str(filters.get("relative_to") or "now")
    if relative_to not in RELATIVE_TO:
        raise ConfigError(f"{where}: filters.relative_to must be one of {RELATIVE_TO}")
    where_items: list[tuple[str, tuple[Any, ...]]] = []
    raw_where = filters.get("where") or {}
    if not isinstance(raw_where, dict):
        raise ConfigError(f"{where}: filters.where must map column -> value or list of values")
    for column, value in raw_where.items():
        if not isinstance(column, str) or not IDENTIFIER.match(column):
            raise ConfigError(f"{where}: filters.where key {column!r} is not a column name")
        values = tuple(value) if isinstance(value, list) else (value,)
        if not values:
            raise ConfigError(f"{where}: filters.where.{column} is an empty list")
        where_items.append((column, values))
    schedule = entry.get("schedule")
    if schedule is not None:
        schedule = check_cron(schedule, f"{where} schedule")
    destination = _destination(
        as_text(entry.get("destination") or default_dest, f"{where} destination"), where
    )
    timeout = as_number(entry.get("timeout", EXPORT_TIMEOUT), f"{where} timeout", maximum=86400)
    max_rows = entry.get("max_rows", EXPORT_MAX_ROWS)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ConfigError(f"{where}: max_rows must be a whole number >= 1, got {max_rows!r}")
    if timeout <= 0:
        raise ConfigError(f"{where}: timeout must be a number of seconds above 0")
    return ExportSpec(
        name=name,
        description=as_text(entry.get("description") or f"Export {name}", f"{where} description"),
        mart=mart,
        query=query.strip().rstrip(";") if query else None,
        columns=column_list,
        time_column=time_column,
        last=last,
        relative_to=relative_to,
        where=tuple(where_items),
        format=fmt,
        destination=destination,
        schedule=schedule,
        timeout=timeout,
        max_rows=max_rows,
    )


def _read_query(query: str, where: str) -> None:
    """An export's query must be one read statement (the SQL sandbox's rule)."""
    from ingest.serving.sandbox import SqlRefused, read_only_statement

    try:
        read_only_statement(query)
    except SqlRefused as refused:
        raise ConfigError(f"{where}: `query`: {refused}") from None


def _destination(value: Any, where: str) -> str:
    """A folder relative to the warehouse home: no absolute path, ``~`` or ``..`` (that it lies
    inside the exports folder, symlinks followed, is checked when the export runs)."""
    text = str(value).strip()
    parts = Path(text).parts
    if Path(text).is_absolute() or text.startswith("~") or ".." in parts:
        raise ConfigError(
            f"{where}: destination {text!r} must be a folder under exports/ in the warehouse"
            " home (no absolute path, ~ or ..), e.g. exports/daily"
        )
    return text
