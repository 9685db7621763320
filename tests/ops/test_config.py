"""The operations config files: the shipped ones load, mistakes are reported with a fix."""

from datetime import timedelta

import pytest

from ingest.ops.config import (
    ALERT_KINDS,
    ConfigError,
    load_alerts,
    load_exports,
    load_retention,
    parse_duration,
)
from tests.ops.conftest import write_yaml


def test_the_shipped_config_files_load():
    exports = load_exports()
    assert {"leads_last_24h", "delivery_daily", "source_scorecard"} <= {
        s.name for s in exports.exports
    }
    last_day = exports.get("leads_last_24h")
    assert last_day.last == timedelta(hours=24) and last_day.columns is None
    assert last_day.format == "csv" and last_day.schedule == "0 6 * * *"
    assert exports.get("delivery_daily").format == "parquet"

    retention = load_retention()
    assert {d.dataset: d.keep_days for d in retention.datasets} == {
        "events": 30,
        "submissions": 30,
    }
    assert not any(d.delete_landing_files for d in retention.datasets)

    alerts = load_alerts(environ={})
    assert {r.kind for r in alerts.rules} == set(ALERT_KINDS)
    assert alerts.webhook_url == ""


def test_durations():
    assert parse_duration("24h", "x") == timedelta(hours=24)
    assert parse_duration("24 hours", "x") == timedelta(hours=24)
    assert parse_duration("90m", "x") == timedelta(minutes=90)
    assert parse_duration("7d", "x") == timedelta(days=7)
    assert parse_duration(6, "x") == timedelta(hours=6)
    with pytest.raises(ConfigError, match="write e.g. 90m, 24h or 7d"):
        parse_duration("a while", "x")


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "a", "format": "csv"}, "exactly one of `mart`"),
        ({"name": "a", "mart": "fct_leads", "query": "select 1"}, "exactly one of `mart`"),
        ({"name": "A b", "mart": "fct_leads"}, "`name` must be"),
        ({"name": "a", "mart": "fct_leads", "format": "xlsx"}, "`format` must be one of"),
        ({"name": "a", "mart": "fct_leads", "schedule": "every day"}, "not a cron schedule"),
        (
            {"name": "a", "mart": "fct_leads", "filters": {"last": "24h"}},
            "needs filters.time_column",
        ),
        ({"name": "a", "mart": "fct_leads", "colums": "all"}, "unknown key"),
        ({"name": "a", "mart": "fct_leads", "columns": "some"}, "`columns` must be"),
        # a query is one read statement (the SQL sandbox's rule), checked when the file loads
        ({"name": "a", "query": "select 1; drop table marts.fct_leads"}, "one statement"),
        ({"name": "a", "query": "copy marts.fct_leads to '/tmp/x.csv'"}, "copy statement"),
        ({"name": "a", "query": "attach '/tmp/w.duckdb' as w"}, "attach statement"),
        ({"name": "a", "query": "select 1) as src; drop table x; select (1"}, "does not parse"),
        # destinations stay under the warehouse home
        ({"name": "a", "mart": "fct_leads", "destination": "/tmp/out"}, "no absolute path"),
        ({"name": "a", "mart": "fct_leads", "destination": "exports/../.."}, "no absolute path"),
        ({"name": "a", "mart": "fct_leads", "destination": "~/out"}, "no absolute path"),
        ({"name": "a", "mart": "fct_leads", "max_rows": 0}, "max_rows must be"),
        ({"name": "a", "mart": "fct_leads", "timeout": 0}, "timeout must be"),
    ],
)
def test_export_mistakes_are_explained(tmp_path, entry, message):
    path = write_yaml(tmp_path / "exports.yaml", {"exports": [entry]})
    with pytest.raises(ConfigError, match=message) as info:
        load_exports(path)
    assert str(path) in str(info.value)


def test_export_names_are_unique_and_unknown_names_list_the_known(tmp_path):
    path = write_yaml(
        tmp_path / "exports.yaml",
        {"exports": [{"name": "a", "mart": "fct_leads"}, {"name": "a", "mart": "dim_flows"}]},
    )
    with pytest.raises(ConfigError, match="unique"):
        load_exports(path)
    path = write_yaml(tmp_path / "exports.yaml", {"exports": [{"name": "a", "mart": "fct_leads"}]})
    with pytest.raises(ConfigError, match="defined: a"):
        load_exports(path).get("b")


def test_retention_per_dataset_and_its_mistakes(tmp_path):
    path = write_yaml(
        tmp_path / "retention.yaml",
        {
            "defaults": {"keep_days": 14},
            "datasets": {"submissions": {"keep_days": 7, "delete_landing_files": True}},
        },
    )
    config = load_retention(path)
    assert config.for_dataset("events").keep_days == 14
    assert config.for_dataset("submissions").keep_days == 7
    assert config.for_dataset("submissions").delete_landing_files
    for bad, message in (
        ({"datasets": {"events": {"keep_days": 0}}}, "keep_days must be"),
        ({"datasets": {"marts": {"keep_days": 3}}}, "unknown dataset"),
        ({"schedule": "daily"}, "not a cron schedule"),
    ):
        with pytest.raises(ConfigError, match=message):
            load_retention(write_yaml(tmp_path / "bad.yaml", bad))


def test_alert_rules_merge_defaults_and_the_webhook_env_wins(tmp_path):
    path = write_yaml(
        tmp_path / "alerts.yaml",
        {
            "webhook": {"url": "http://127.0.0.1:9/x"},
            "rules": [{"kind": "step_latency", "max_ms": 5000, "per_step": {"TrustedForm": 9000}}],
        },
    )
    config = load_alerts(path, environ={})
    (rule,) = config.rules
    assert rule.name == "step_latency" and rule.get("max_ms") == 5000
    assert rule.get("min_events") == 20 and rule.get("per_step") == {"TrustedForm": 9000.0}
    assert config.webhook_url == "http://127.0.0.1:9/x"
    env = {"LEADWH_ALERT_WEBHOOK": "http://127.0.0.1:8/y"}
    assert load_alerts(path, environ=env).webhook_url == "http://127.0.0.1:8/y"
    for bad, message in (
        ({"rules": [{"kind": "vibes"}]}, "`kind` must be one of"),
        ({"rules": [{"kind": "freshness", "max_hourz": 3}]}, "unknown key"),
        ({"rules": [{"kind": "freshness", "max_hours": "soon"}]}, "expected a number"),
        ({"webhook": {"url": "slack.com/x"}}, "must start with http"),
    ):
        with pytest.raises(ConfigError, match=message):
            load_alerts(write_yaml(tmp_path / "bad.yaml", bad), environ={})


def test_config_files_move_with_environment_variables(tmp_path):
    path = write_yaml(tmp_path / "a.yaml", {"rules": [{"kind": "freshness", "max_hours": 2}]})
    config = load_alerts(environ={"LEADWH_ALERTS_CONFIG": str(path)})
    assert config.path == path and config.rules[0].get("max_hours") == 2


def test_export_limits_have_defaults_and_can_be_raised(tmp_path):
    path = write_yaml(
        tmp_path / "exports.yaml",
        {
            "exports": [
                {"name": "a", "mart": "fct_leads"},
                {"name": "b", "query": "select 1", "timeout": 30, "max_rows": 50},
            ]
        },
    )
    first, second = load_exports(path).exports
    assert (first.timeout, first.max_rows) == (600.0, 10_000_000)
    assert (second.timeout, second.max_rows) == (30.0, 50)
    assert first.folder(tmp_path) == tmp_path / "exports"


@pytest.mark.parametrize(
    ("load", "config"),
    [
        (load_exports, {"exports": [{"name": "a", "mart": "fct_leads",
                                     "filters": {"last": "99999999999d"}}]}),
        (load_exports, {"exports": [{"name": "a", "mart": "fct_leads",
                                     "filters": {"last": 1e300}}]}),
        (load_exports, {"exports": [{"name": "a", "mart": "fct_leads", "timeout": float("nan")}]}),
        (load_exports, {"exports": [{"name": "a", "mart": "fct_leads", "timeout": float("inf")}]}),
        (load_alerts, {"webhook": {"url": "http://127.0.0.1:9/x",
                                   "timeout_seconds": float("inf")}}),
        (load_alerts, {"rules": [{"kind": "freshness", "max_hours": float("nan")}]}),
        (load_alerts, {"rules": [{"kind": "rejection_spike", "window_days": 10**12}]}),
        (load_alerts, {"lookback_days": 10**9}),
        (load_retention, {"defaults": {"keep_days": 1_000_000}}),
    ],
)  # fmt: skip
def test_numbers_that_would_fail_at_run_time_are_refused_in_one_line(tmp_path, load, config):
    """NaN and infinity pass a `<` check; huge days overflow date arithmetic. Each stopped a
    build, an export or an alert run with a traceback (or, with NaN, fired an alert always)."""
    path = write_yaml(tmp_path / "bad.yaml", config)
    with pytest.raises(ConfigError) as refused:
        load(path, **({"environ": {}} if load is load_alerts else {}))
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)
