"""Operations config: exports, retention and alert rules, each in a YAML file a user edits.

``config/exports.yaml``, ``config/retention.yaml`` and ``config/alerts.yaml`` (each can be moved
with an environment variable: ``LEADWH_EXPORTS_CONFIG``, ``LEADWH_RETENTION_CONFIG``,
``LEADWH_ALERTS_CONFIG``; see ``ingest/settings.py``). The loaders validate everything up front
and raise :class:`ConfigError` (one line) naming the file, the entry and what to write instead;
the rest of the code gets frozen dataclasses. No I/O besides reading the file, no Dagster.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingest.settings import CONFIG_DIR as CONFIG_DIR
from ingest.settings import ConfigError as ConfigError
from ingest.settings import get_settings, read_yaml

NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|minutes?|h|hours?|d|days?)\s*$", re.I)
EXPORT_FORMATS = ("csv", "parquet")
EXPORT_TIMEOUT = 600.0
EXPORT_MAX_ROWS = 10_000_000
RELATIVE_TO = ("now", "latest")
RETENTION_DATASETS = ("events", "submissions")
ALERT_KINDS = (
    "rejection_spike",
    "delivery_failure",
    "step_latency",
    "quarantine_rate",
    "freshness",
    "trustedform_expiring",
    "buyer_return_rate",
)
SEVERITIES = ("info", "warning", "critical")


def _read_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def _one_line_errors(setting: str) -> Callable:
    """A loader whose every failure is a :class:`ConfigError` naming the file: a shape the checks
    below did not foresee (a list where a mapping belongs, ...) must not end in a traceback."""

    def wrap(load: Callable) -> Callable:
        @functools.wraps(load)
        def guarded(path: Path | None = None, *args, **kwargs):
            try:
                return load(path, *args, **kwargs)
            except ConfigError:
                raise
            except (TypeError, AttributeError, ValueError, KeyError) as exc:
                shown = path or getattr(get_settings(kwargs.get("environ")), setting)
                raise ConfigError(
                    f"{shown}: cannot be used ({type(exc).__name__}: {exc}); "
                    "see the comments at the top of the file for its shape"
                ) from None

        return guarded

    return wrap


def _unknown_keys(where: str, given: Any, allowed: set[str]) -> None:
    if not isinstance(given, dict):
        raise ConfigError(
            f"{where}: expected a mapping of {sorted(allowed)}, got {type(given).__name__}"
        )
    extra = sorted(set(given) - allowed)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {extra}; allowed: {sorted(allowed)}")


def parse_duration(text: str | int | float, where: str) -> timedelta:
    """'90m', '24h', '24 hours', '7d' -> timedelta (a bare number means hours)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return timedelta(hours=float(text))
    match = DURATION.match(str(text))
    if not match:
        raise ConfigError(f"{where}: {text!r} is not a duration; write e.g. 90m, 24h or 7d")
    value, unit = float(match.group(1)), match.group(2).lower()[0]
    return {"m": timedelta(minutes=value), "h": timedelta(hours=value), "d": timedelta(days=value)}[
        unit
    ]


CRON_FIELD = re.compile(
    r"^(\*|\d+(-\d+)?|[a-z]{3}(-[a-z]{3})?)(/\d+)?(,(\d+(-\d+)?|[a-z]{3}))*$", re.I
)
CRON_ALIASES = ("@hourly", "@daily", "@weekly", "@monthly")


def check_cron(text: str, where: str) -> str:
    """A five-field cron string (minute hour day month weekday) or @hourly/@daily/..."""
    ok = isinstance(text, str) and (
        text.strip() in CRON_ALIASES
        or (len(text.split()) == 5 and all(CRON_FIELD.match(f) for f in text.split()))
    )
    if not ok:
        raise ConfigError(f"{where}: {text!r} is not a cron schedule; write e.g. '0 6 * * *'")
    return text.strip()


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected text, got {type(value).__name__} {value!r}")
    return value


def _timezone(value: Any, where: str) -> str:
    try:
        ZoneInfo(_text(value, where))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}: {value!r} is not a time zone; write e.g. UTC or America/Chicago"
        ) from None
    return value


def _number(value: Any, where: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{where}: expected a number >= {minimum}, got {value!r}")
    return float(value)


# --------------------------------------------------------------------------- exports


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


@_one_line_errors("exports_config")
def load_exports(path: Path | None = None) -> ExportsConfig:
    path = path or get_settings().exports_config
    data = _read_yaml(path)
    _unknown_keys(str(path), data, {"exports", "destination", "timezone"})
    default_dest = _text(data.get("destination") or "exports", f"{path}: destination")
    entries = data.get("exports") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `exports` must be a list of exports")
    specs: list[ExportSpec] = []
    for i, entry in enumerate(entries):
        specs.append(_export_spec(entry, f"{path}: exports[{i}]", default_dest))
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{path}: export names must be unique; repeated: {dupes}")
    timezone = _timezone(data.get("timezone") or "UTC", f"{path}: timezone")
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
    _unknown_keys(where, entry, allowed)
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
    _unknown_keys(f"{where} filters", filters, {"last", "time_column", "relative_to", "where"})
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
        _text(entry.get("destination") or default_dest, f"{where} destination"), where
    )
    timeout = _number(entry.get("timeout", EXPORT_TIMEOUT), f"{where} timeout")
    max_rows = entry.get("max_rows", EXPORT_MAX_ROWS)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ConfigError(f"{where}: max_rows must be a whole number >= 1, got {max_rows!r}")
    if timeout <= 0:
        raise ConfigError(f"{where}: timeout must be a number of seconds above 0")
    return ExportSpec(
        name=name,
        description=_text(entry.get("description") or f"Export {name}", f"{where} description"),
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


# --------------------------------------------------------------------------- retention


@dataclass(frozen=True)
class DatasetRetention:
    dataset: str
    keep_days: int
    delete_landing_files: bool


@dataclass(frozen=True)
class RetentionConfig:
    datasets: tuple[DatasetRetention, ...]
    schedule: str | None = "15 3 * * *"
    path: Path | None = None

    def for_dataset(self, dataset: str) -> DatasetRetention:
        return next(d for d in self.datasets if d.dataset == dataset)


DEFAULT_KEEP_DAYS = 30


@_one_line_errors("retention_config")
def load_retention(path: Path | None = None) -> RetentionConfig:
    path = path or get_settings().retention_config
    data = _read_yaml(path)
    _unknown_keys(str(path), data, {"schedule", "defaults", "datasets"})
    defaults = data.get("defaults") or {}
    _unknown_keys(f"{path}: defaults", defaults, {"keep_days", "delete_landing_files"})
    datasets = data.get("datasets") or {}
    if not isinstance(datasets, dict):
        raise ConfigError(
            f"{path}: `datasets` must map a dataset ({RETENTION_DATASETS}) to keep_days"
        )
    unknown = sorted(set(datasets) - set(RETENTION_DATASETS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown dataset(s) {unknown}; retention applies to {RETENTION_DATASETS}"
        )
    result = []
    for dataset in RETENTION_DATASETS:
        where = f"{path}: datasets.{dataset}"
        _unknown_keys(where, datasets.get(dataset) or {}, {"keep_days", "delete_landing_files"})
        entry = {**defaults, **(datasets.get(dataset) or {})}
        keep = entry.get("keep_days", DEFAULT_KEEP_DAYS)
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
            raise ConfigError(f"{where}: keep_days must be a whole number of days >= 1")
        delete = entry.get("delete_landing_files", False)
        if not isinstance(delete, bool):
            raise ConfigError(f"{where}: delete_landing_files must be true or false")
        result.append(DatasetRetention(dataset, keep, delete))
    schedule = data.get("schedule", "15 3 * * *")
    if schedule is not None:
        schedule = check_cron(schedule, f"{path}: schedule")
    return RetentionConfig(tuple(result), schedule, path)


# --------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AlertRule:
    name: str
    kind: str
    severity: str
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True)
class AlertsConfig:
    rules: tuple[AlertRule, ...]
    webhook_url: str = ""
    timeout_seconds: float = 5.0
    lookback_days: int = 2
    schedule: str | None = "5 * * * *"
    path: Path | None = None


# Every rule kind's parameters and their defaults (a rule may override any of them).
RULE_DEFAULTS: dict[str, dict[str, Any]] = {
    # A source's rejection rate in an hour far above its own rate in the other hours.
    # granularity hour_of_day pools each UTC hour over the last `window_days` days (a recurring
    # pattern, e.g. every evening); `hour` tests every clock hour alone (needs volume).
    "rejection_spike": {
        "granularity": "hour_of_day",
        "window_days": 7,
        "min_leads": 20,
        "factor": 1.5,
        "min_increase": 0.2,
        "min_z": 3.5,
    },
    # A recipient's share of failed or errored deliveries in a day.
    "delivery_failure": {
        "max_failure_rate": 0.7,
        "max_error_rate": 0.2,
        "min_attempted": 30,
        "recipient_kinds": ["delivery"],
    },
    # A step's daily p95 latency (ms_p95 = processing time, or wait_ms_p95).
    "step_latency": {"metric": "ms_p95", "max_ms": 3000, "min_events": 20, "per_step": {}},
    # Share of records read in one landing batch that went to quarantine.
    "quarantine_rate": {"max_rate": 0.05, "min_records": 100},
    # No new events loaded for this long.
    "freshness": {"max_hours": 6},
    # A source's unclaimed TrustedForm certificates near the end of their claim window.
    "trustedform_expiring": {"min_certificates": 5, "min_share": 0.05},
    # A buyer's return rate over its threshold (per_buyer: buyer name -> max rate).
    "buyer_return_rate": {
        "max_return_rate": 0.15,
        "per_buyer": {},
        "window_days": 14,
        "mature_days": 5,
        "min_sold": 50,
    },
}


def _rule(entry: Any, where: str) -> AlertRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with name and kind")
    kind = entry.get("kind")
    if kind not in ALERT_KINDS:
        raise ConfigError(f"{where}: `kind` must be one of {ALERT_KINDS}, got {kind!r}")
    name = entry.get("name") or kind
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{where}: `name` must be lower case letters, digits and _")
    severity = entry.get("severity", "warning")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: `severity` must be one of {SEVERITIES}")
    defaults = RULE_DEFAULTS[kind]
    params = {k: v for k, v in entry.items() if k not in ("name", "kind", "severity")}
    _unknown_keys(f"{where} ({name})", params, set(defaults))
    merged = {**defaults, **params}
    for key, value in merged.items():
        default = defaults[key]
        if isinstance(default, int | float) and not isinstance(default, bool):
            merged[key] = _number(value, f"{where} ({name}).{key}")
    if kind == "rejection_spike" and merged["granularity"] not in ("hour", "hour_of_day"):
        raise ConfigError(f"{where} ({name}).granularity: hour or hour_of_day")
    if kind == "step_latency":
        if merged["metric"] not in ("ms_p95", "wait_ms_p95"):
            raise ConfigError(f"{where} ({name}).metric: ms_p95 or wait_ms_p95")
        if not isinstance(merged["per_step"], dict):
            raise ConfigError(f"{where} ({name}).per_step: map a step name to its max_ms")
        merged["per_step"] = {
            str(k): _number(v, f"{where} ({name}).per_step.{k}")
            for k, v in merged["per_step"].items()
        }
    if kind == "buyer_return_rate":
        if not isinstance(merged["per_buyer"], dict):
            raise ConfigError(f"{where} ({name}).per_buyer: map a buyer name to its max rate")
        merged["per_buyer"] = {
            str(k): _number(v, f"{where} ({name}).per_buyer.{k}")
            for k, v in merged["per_buyer"].items()
        }
    if kind == "delivery_failure" and not (
        isinstance(merged["recipient_kinds"], list) and merged["recipient_kinds"]
    ):
        raise ConfigError(f"{where} ({name}).recipient_kinds: a list, e.g. [delivery]")
    return AlertRule(name=name, kind=kind, severity=severity, params=merged)


@_one_line_errors("alerts_config")
def load_alerts(path: Path | None = None, environ: Mapping[str, str] | None = None) -> AlertsConfig:
    settings = get_settings(environ)
    path = path or settings.alerts_config
    data = _read_yaml(path)
    _unknown_keys(str(path), data, {"webhook", "lookback_days", "schedule", "rules"})
    webhook = data.get("webhook") or {}
    _unknown_keys(f"{path}: webhook", webhook, {"url", "timeout_seconds"})
    url = settings.alert_webhook or str(webhook.get("url") or "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: webhook url must start with http:// or https://, got {url!r}")
    entries = data.get("rules")
    if entries is None:
        entries = [{"kind": kind} for kind in ALERT_KINDS]
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `rules` must be a list")
    rules = tuple(_rule(e, f"{path}: rules[{i}]") for i, e in enumerate(entries))
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{path}: rule names must be unique; repeated: {dupes}")
    lookback = data.get("lookback_days", 2)
    if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
        raise ConfigError(f"{path}: lookback_days must be a whole number >= 1")
    schedule = data.get("schedule", "5 * * * *")
    if schedule is not None:
        schedule = check_cron(schedule, f"{path}: schedule")
    return AlertsConfig(
        rules=rules,
        webhook_url=url,
        timeout_seconds=_number(webhook.get("timeout_seconds", 5), f"{path}: timeout_seconds"),
        lookback_days=lookback,
        schedule=schedule,
        path=path,
    )


# --------------------------------------------------------------------------- all files


def config_problems() -> list[str]:
    """One line per config file that cannot be used (alerts, exports, retention, custom fields);
    empty when every file loads. Each broken file only turns off what it configures."""
    from ingest.typed.fields import load_registry

    problems = []
    for load in (load_alerts, load_exports, load_retention, load_registry):
        try:
            load()
        except ConfigError as exc:
            problems.append(str(exc))
    return problems
