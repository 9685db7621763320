"""One settings module: the README's table, the environment read at call time, one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest import settings
from ingest.settings import (
    DEFAULT_HOME,
    HANDOVER,
    PROJECT_ROOT,
    TEST_HOOKS,
    SettingsError,
    get_settings,
    missing_packages,
    settings_table,
    shown_default,
    unknown_variables,
    variables,
)
from tests.conftest import environment

README = PROJECT_ROOT / "README.md"
ROW = re.compile(r"^\|\s*`(?P<name>[A-Z_]+)`\s*\|\s*(?P<default>[^|]*?)\s*\|")


def readme_settings() -> dict[str, str]:
    """Variable -> default, from the table under the README's "## Settings" heading."""
    text = README.read_text()
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            rows[match["name"]] = match["default"].strip("`")
    return rows


def test_readme_lists_exactly_the_declared_settings_with_their_defaults():
    declared = {name: shown_default(name) for name in variables()}
    assert readme_settings() == declared, (
        "README.md's Settings table differs from ingest/settings.py; regenerate it with "
        "`python -m ingest.settings`:\n" + settings_table()
    )


def test_every_leadwh_variable_read_in_the_code_is_declared():
    """No module reads a LEADWH_* variable the settings module does not declare."""
    used = set()
    for folder in ("ingest", "orchestration", "dashboards", "dbt_project", "config"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".yml", ".yaml", ".sql") and path.is_file():
                used |= set(re.findall(r"\bLEADWH_[A-Z_]+[A-Z]\b", path.read_text()))
    assert used - set(variables()) - TEST_HOOKS - HANDOVER == set()


def test_dbt_profile_uses_the_same_defaults():
    profile = (PROJECT_ROOT / "dbt_project" / "profiles.yml").read_text()
    found = dict(re.findall(r"env_var\('(LEADWH_[A-Z_]+)', '([^']*)'\)", profile))
    assert (PROJECT_ROOT / "dbt_project" / found.pop("LEADWH_HOME")).resolve() == DEFAULT_HOME
    names = ("LEADWH_DUCKDB_MEMORY_LIMIT", "LEADWH_SPARK_DRIVER_MEMORY")
    assert found == {name: shown_default(name) for name in names}


def test_defaults_and_values_are_read_at_call_time(tmp_path):
    defaults = get_settings({})
    assert defaults.home == DEFAULT_HOME
    assert defaults.landing_workers == 2
    assert defaults.alerts_config == PROJECT_ROOT / "config" / "alerts.yaml"
    with environment(
        LEADWH_HOME=str(tmp_path / "home"),
        LEADWH_LANDING_WORKERS=" 3 ",
        LEADWH_PARTITIONS_START="2024-02-29",
        LEADWH_ALERT_WEBHOOK="",  # empty means the default
    ):
        settings = get_settings()
    assert settings.home == tmp_path / "home"
    assert settings.landing_workers == 3
    assert settings.partitions_start == date(2024, 2, 29)
    assert settings.alert_webhook == ""


def test_modules_read_the_settings_when_called(tmp_path, monkeypatch):
    from ingest.ops.config import load_retention
    from ingest.paths import get_paths
    from ingest.typed.fields import default_custom_fields_path
    from ingest.warehouse import memory_limit
    from orchestration.partitions import partitions_start

    monkeypatch.setenv("LEADWH_HOME", str(tmp_path))
    monkeypatch.setenv("LEADWH_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("LEADWH_CUSTOM_FIELDS", str(tmp_path / "fields.yaml"))
    monkeypatch.setenv("LEADWH_RETENTION_CONFIG", str(tmp_path / "retention.yaml"))
    monkeypatch.setenv("LEADWH_PARTITIONS_START", "2024-06-01")
    assert get_paths().warehouse == tmp_path / "warehouse.duckdb"
    assert memory_limit() == "1GB"
    assert default_custom_fields_path() == tmp_path / "fields.yaml"
    assert load_retention().path == tmp_path / "retention.yaml"
    assert partitions_start() == "2024-06-01"


@pytest.mark.parametrize(
    "variable, value, says",
    [
        ("LEADWH_LANDING_WORKERS", "two", "valid integer"),
        ("LEADWH_LANDING_WORKERS", "0", "greater than or equal to 1"),
        ("LEADWH_PARTITIONS_START", "01/02/2025", "valid date"),
        ("LEADWH_SETTLE_SECONDS", "-1", "greater than or equal to 0"),
        ("LEADWH_SENSOR_INTERVAL", "soon", "valid integer"),
        ("LEADWH_ENGINE", "flink", "'duckdb' or 'spark'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(variable, value, says):
    with pytest.raises(SettingsError) as error:
        get_settings({variable: value})
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"{variable}={value!r}: ")
    assert says in message and "default: " in message


def test_home_pointing_at_a_file_is_refused(tmp_path):
    a_file = tmp_path / "warehouse.txt"
    a_file.write_text("not a folder")
    with pytest.raises(SettingsError, match="LEADWH_HOME=.*is a file, not a folder"):
        get_settings({"LEADWH_HOME": str(a_file)})


def test_engine_spark_needs_the_spark_extra(monkeypatch):
    assert get_settings({}).engine == "duckdb"
    assert get_settings({"LEADWH_ENGINE": "spark"}).engine == "spark"  # the test venv has it
    absent = {"pyspark"}
    real = settings.find_spec
    monkeypatch.setattr(settings, "find_spec", lambda m: None if m in absent else real(m))
    with pytest.raises(SettingsError) as error:
        get_settings({"LEADWH_ENGINE": "spark"})
    assert str(error.value) == (
        "LEADWH_ENGINE='spark': pyspark not installed: pip install '.[spark]' (Java 17 needed)"
        " (default: duckdb)"
    )
    absent.add("dbt.adapters.spark")
    assert missing_packages("spark") == ["pyspark", "dbt-spark"]
    assert missing_packages("duckdb") == []
    assert get_settings({"LEADWH_ENGINE": "duckdb"}).engine == "duckdb"


def test_engine_spark_needs_java(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(settings.shutil, "which", lambda name: None)
    with pytest.raises(SettingsError, match="LEADWH_ENGINE='spark': Spark needs Java 17"):
        get_settings({"LEADWH_ENGINE": "spark"})
    assert get_settings({}).engine == "duckdb"


def test_unknown_leadwh_variables_are_reported():
    env = {"LEADWH_HOME": "/x", "LEADWH_HOMES": "/y", "PATH": "/bin"}
    assert unknown_variables(env) == ["LEADWH_HOMES"]


def test_module_prints_the_table():
    out = subprocess.run(
        [sys.executable, "-m", "ingest.settings"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(PROJECT_ROOT),
    ).stdout
    assert out.strip() == settings_table()
    assert settings_table() in README.read_text()
