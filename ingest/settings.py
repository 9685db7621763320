"""Every setting of LeadWarehouse: the ``LEADWH_*`` environment variables (and ``DAGSTER_HOME``),
with their defaults, and the config files they point at.

One declaration per setting (:class:`Settings`); the README's "Settings" table is generated from it
(``python -m ingest.settings``) and a test checks the two agree. Settings are read when asked for
(:func:`get_settings`), never at import, so a test or a command that changes the environment is
seen by the next call. An unset or empty variable means its default; a value that cannot be used
raises :class:`SettingsError`, one line naming the variable, the value and what to write instead.

The derived locations under the warehouse home are in ``ingest/paths.py``; dbt's profile
(``dbt_project/profiles.yml``) reads ``LEADWH_HOME``, ``LEADWH_DUCKDB_MEMORY_LIMIT`` and
``LEADWH_SPARK_DRIVER_MEMORY`` itself, with the same defaults.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_HOME = PROJECT_ROOT / "data"
PREFIX = "LEADWH_"


class ConfigError(ValueError):
    """A setting or config file that cannot be used; the message (one line) says which file or
    variable, what is wrong and what to write instead."""


class SettingsError(ConfigError):
    """An environment variable that cannot be used."""


class Settings(BaseModel):
    """The settings, by environment variable. Field descriptions are the README's "what"."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=False)

    home: Path = Field(
        DEFAULT_HOME,
        alias="LEADWH_HOME",
        description="the warehouse home (landing zone, warehouse, serving file, exports, "
        "Dagster home); a folder, created when missing",
    )
    dagster_home: Path | None = Field(
        None,
        alias="DAGSTER_HOME",
        description="the Dagster instance (run history, schedules' and sensors' state)",
        json_schema_extra={"shown_default": "$LEADWH_HOME/dagster"},
    )
    custom_fields: Path = Field(
        CONFIG_DIR / "custom_fields.yaml",
        alias="LEADWH_CUSTOM_FIELDS",
        description="your custom fields (id, type, label); unknown fields are kept as strings "
        "and reported as schema drift",
    )
    exports_config: Path = Field(
        CONFIG_DIR / "exports.yaml",
        alias="LEADWH_EXPORTS_CONFIG",
        description="the scheduled exports (mart or query, filters, format, destination, cron)",
    )
    retention_config: Path = Field(
        CONFIG_DIR / "retention.yaml",
        alias="LEADWH_RETENTION_CONFIG",
        description="how long raw events and submissions are kept, and the purge's schedule",
    )
    alerts_config: Path = Field(
        CONFIG_DIR / "alerts.yaml",
        alias="LEADWH_ALERTS_CONFIG",
        description="the alert rules, their schedule and the webhook",
    )
    alert_webhook: str = Field(
        "",
        alias="LEADWH_ALERT_WEBHOOK",
        description="URL that receives each new alert as Slack-compatible JSON (overrides "
        "`webhook.url` of the alerts file); empty: alerts are recorded only",
        json_schema_extra={"default_prose": "none"},
    )
    duckdb_memory_limit: str = Field(
        "4GB",
        alias="LEADWH_DUCKDB_MEMORY_LIMIT",
        description="DuckDB's memory limit for the pipeline and dbt (larger work spills to disk)",
    )
    engine: Literal["duckdb", "spark"] = Field(
        "duckdb",
        alias="LEADWH_ENGINE",
        description="the engine dbt builds the models on: `duckdb`, or `spark` (Apache Spark "
        "in-process; `pip install '.[spark]'` and Java 17; the marts are copied back into the "
        'warehouse file, so the serving file is the same: see "Running on Apache Spark")',
    )
    spark_landing: str = Field(
        "",
        alias="LEADWH_SPARK_LANDING",
        description="`LEADWH_ENGINE=spark`: the folder of the Parquet copies of the raw and typed "
        "tables that dbt reads on Spark (written before the dbt step of each run)",
        json_schema_extra={"shown_default": "$LEADWH_HOME/lake"},
    )
    spark_driver_memory: str = Field(
        "2g",
        alias="LEADWH_SPARK_DRIVER_MEMORY",
        description="dbt's `spark` target: the in-process Spark driver's memory; read by dbt only",
    )
    landing_workers: int = Field(
        2,
        ge=1,
        alias="LEADWH_LANDING_WORKERS",
        description="processes that parse landed files while the main one loads them",
    )
    partitions_start: date = Field(
        date(2025, 1, 1),
        alias="LEADWH_PARTITIONS_START",
        description="the first daily partition (older events still land: the first partition is "
        "open-ended); read when the code location loads",
    )
    sensor_interval: int = Field(
        1,
        ge=1,
        alias="LEADWH_SENSOR_INTERVAL",
        description="minimum seconds between the starts of two ticks of the landing sensor "
        "(Dagster's daemon starts a sensor's tick at most every 5 s); read when the code location "
        "loads",
    )
    sensor_watch_seconds: float = Field(
        4.0,
        ge=0,
        le=50,
        alias="LEADWH_SENSOR_WATCH_SECONDS",
        description="how long a tick of the landing sensor that finds nothing new keeps looking "
        "(every quarter second): with the daemon's 5 s between ticks, the zone is watched almost "
        "all the time; 0: one look per tick",
    )
    settle_seconds: float = Field(
        2.0,
        ge=0,
        alias="LEADWH_SETTLE_SECONDS",
        description="a landed file written less than this ago is still being written: the "
        "sensor waits (a file renamed or moved into place after its last write is taken at once)",
    )
    data_tests_minutes: float = Field(
        15.0,
        ge=0,
        alias="LEADWH_DATA_TESTS_MINUTES",
        description="the landing sensor's runs build without dbt's data tests, except one in "
        "this many minutes (a data test that fails is then seen this late, and no longer keeps "
        "the models after it from being built); 0: every run tests, as `leadwh build` and the "
        "daily build do",
    )
    secret_key: str = Field(
        "",
        alias="LEADWH_SECRET_KEY",
        repr=False,  # never in a log or a traceback
        description="the HMAC-SHA256 key of `ssn__hash` (at least 32 characters; read by "
        "`ingest/landing/hmac_key.py`); never published or logged. Keep it (or the key file) "
        "with your backups: another key gives other hashes",
        json_schema_extra={
            "default_prose": "a random key generated on first run in "
            "`$LEADWH_HOME/secrets/hmac.key` (mode 0600)"
        },
    )

    events_url: str = Field(
        "",
        alias="LEADWH_EVENTS_URL",
        description="where events arrive: the local landing folder, or an object store "
        "(`s3://bucket/prefix`, a LeadConduit Firehose) mirrored into the landing zone; "
        "credentials and endpoint from the standard `AWS_*` variables",
        json_schema_extra={"shown_default": "$LEADWH_HOME/landing/events"},
    )
    submissions_url: str = Field(
        "",
        alias="LEADWH_SUBMISSIONS_URL",
        description="where raw submissions arrive, like `LEADWH_EVENTS_URL`",
        json_schema_extra={"shown_default": "$LEADWH_HOME/landing/submissions"},
    )
    firehose_recent_hours: float = Field(
        48.0,
        gt=0,
        alias="LEADWH_FIREHOSE_RECENT_HOURS",
        description="the minute-by-minute object-store sync lists only leads created this many "
        "hours ago or later (lead ids start with their creation time); the daily full sweep "
        "catches later feedback under older leads",
    )
    sync_workers: int = Field(
        64,
        ge=1,
        alias="LEADWH_SYNC_WORKERS",
        description="objects read concurrently from an object store",
    )
    leadconduit_url: str = Field(
        "https://app.leadconduit.com",
        alias="LEADWH_LEADCONDUIT_URL",
        description="LeadConduit's API (the Events API pull and its reconciliation)",
    )
    leadconduit_api_key: SecretStr = Field(
        SecretStr(""),
        alias="LEADWH_LEADCONDUIT_API_KEY",
        description="your LeadConduit API key; set, it turns on the Events API pull and its "
        "schedule; never logged or shown",
        json_schema_extra={"default_prose": "none"},
    )
    pull_overlap_minutes: float = Field(
        10.0,
        ge=0,
        alias="LEADWH_PULL_OVERLAP_MINUTES",
        description="each Events API pull re-reads this many minutes before its cursor (events "
        "stored late) and de-duplicates",
    )

    @field_validator("home", mode="after")
    @classmethod
    def _home_is_a_folder(cls, home: Path) -> Path:
        home = home.expanduser().resolve()
        if home.exists() and not home.is_dir():
            raise ValueError(
                "is a file, not a folder: point it at a folder (it is created when missing)"
            )
        return home

    @field_validator("engine", mode="after")
    @classmethod
    def _engine_installed(cls, engine: str) -> str:
        missing = missing_packages(engine)
        if missing:
            raise ValueError(
                f"{' and '.join(missing)} not installed: pip install '.[spark]' (Java 17 needed)"
            )
        if engine == "spark" and not java_found():
            raise ValueError(
                "Spark needs Java 17, found neither `java` on PATH nor JAVA_HOME: install it "
                "(e.g. apt-get install openjdk-17-jre-headless)"
            )
        return engine

    @field_validator(
        "dagster_home",
        "custom_fields",
        "exports_config",
        "retention_config",
        "alerts_config",
        mode="after",
    )
    @classmethod
    def _absolute(cls, path: Path | None) -> Path | None:
        return None if path is None else path.expanduser().resolve()


#: The Python packages each engine needs beyond the base install (the `spark` extra).
ENGINE_PACKAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "duckdb": (),
    "spark": (("pyspark", "pyspark"), ("dbt-spark", "dbt.adapters.spark")),
}


def missing_packages(engine: str) -> list[str]:
    """The packages `engine` needs that cannot be imported (by name, as pip knows them)."""
    return [name for name, module in ENGINE_PACKAGES[engine] if not _importable(module)]


def java_found() -> bool:
    """A Java runtime for Spark: `java` on PATH, or ``$JAVA_HOME`` (what pyspark looks for)."""
    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def variables() -> dict[str, str]:
    """Environment variable -> field name, in declaration order."""
    return {info.alias: name for name, info in Settings.model_fields.items() if info.alias}


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment, read now)."""
    env = os.environ if environ is None else environ
    given = {key: env[key].strip() for key in variables() if env.get(key, "").strip()}
    try:
        return Settings.model_validate(given)
    except ValidationError as exc:
        raise SettingsError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        default = shown_default(name)
        problems.append(f"{name}={error.get('input')!r}: {message} (default: {default})")
    return "; ".join(problems)


#: ``LEADWH_*`` variables that are test hooks, not settings (ingest/pause_points.py: the crash
#: tests freeze a build at a named point to kill it there). Not in the README's table.
TEST_HOOKS = frozenset({"LEADWH_PAUSE_AT", "LEADWH_PAUSE_MARKER"})
# Set by a Dagster dbt step for the dbt it starts (the partition window; on Spark the folder of
# the warehouse's lake, which is where the warehouse file is), not by users.
HANDOVER = frozenset({"LEADWH_WINDOW_MIN_DATE", "LEADWH_WINDOW_MAX_DATE", "LEADWH_WAREHOUSE_LAKE"})


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """``LEADWH_*`` variables that are set but are no setting (a typo, or an old name)."""
    env = os.environ if environ is None else environ
    known = set(variables()) | TEST_HOOKS | HANDOVER
    return sorted(k for k in env if k.startswith(PREFIX) and k not in known)


def _extra(variable: str) -> dict:
    extra = Settings.model_fields[variables()[variable]].json_schema_extra
    return extra if isinstance(extra, dict) else {}


def shown_default(variable: str) -> str:
    """A setting's default as the README shows it (paths relative to the project)."""
    info = Settings.model_fields[variables()[variable]]
    extra = _extra(variable)
    if "shown_default" in extra or "default_prose" in extra:
        return str(extra.get("shown_default") or extra["default_prose"])
    default = info.default
    if isinstance(default, Path):
        relative = default.relative_to(PROJECT_ROOT).as_posix()
        return relative if "/" in relative else f"./{relative}"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def settings_table() -> str:
    """The README's "Settings" table (markdown), from the declarations above."""
    lines = ["| environment variable | default | what |", "|---|---|---|"]
    for variable, name in variables().items():
        description = Settings.model_fields[name].description
        default = shown_default(variable)
        default = default if "default_prose" in _extra(variable) else f"`{default}`"
        lines.append(f"| `{variable}` | {default} | {description} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- config files


def read_yaml(path: Path) -> Any:
    """A config file's YAML (None when the file is missing or empty); anything that keeps it from
    being read is a :class:`ConfigError` of one line naming the file, the place and the problem."""
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: not valid YAML ({problem}); fix the file's syntax") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Environment variables set for the duration of a block, restored after (dagster-dbt hands
    dbt this process's environment; tests point the code at their homes and servers)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


if __name__ == "__main__":  # python -m ingest.settings: the README table
    sys.stdout.write(settings_table() + "\n")
