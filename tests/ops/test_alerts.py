"""Alert rules on a real DuckDB file, recording, and delivery to a local webhook; then the
simulator's stories through a real Dagster build."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import duckdb
import pytest
import yaml

from ingest.landing import raw_store
from ingest.ops.alert_rules import evaluate, z_score
from ingest.ops.alerts import record, run_alerts
from ingest.ops.config import CONFIG_DIR, load_alerts
from tests.ops.conftest import write_yaml

NOW = datetime(2026, 11, 3, 12, 0)
DAYS = [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]


def build_marts(con: duckdb.DuckDBPyConnection, incidents: bool) -> None:
    """Three days of marts for two sources, two buyers, two steps; with `incidents`: source S1
    rejects 70% at 19:00 UTC every day (20% otherwise), buyer Summit errors all day on 11-03,
    step LineCheck's p95 is 8 s, and today's landing quarantined 10% of its records."""
    raw_store.ensure_raw_schema(con)
    con.execute("create schema if not exists marts")
    con.execute(
        "create table marts.fct_acceptance_hourly (submitted_date date, submitted_hour_utc"
        " integer, source_id varchar, source_name varchar, flow_id varchar, leads bigint,"
        " rejected bigint)"
    )
    for day in DAYS:
        for hour in range(24):
            for source in ("S1", "S2"):
                rejected = 6
                if incidents and source == "S1" and hour == 19:
                    rejected = 21
                # two flows per source, as in the mart: rows are summed per source and hour
                for flow, share in (("F1", 20), ("F2", 10)):
                    con.execute(
                        "insert into marts.fct_acceptance_hourly values (?, ?, ?, ?, ?, ?, ?)",
                        [
                            day,
                            hour,
                            source,
                            f"Source {source}",
                            flow,
                            share,
                            rejected * share // 30,
                        ],
                    )
    con.execute(
        "create table marts.fct_delivery_daily (delivery_date date, recipient_id varchar,"
        " recipient_name varchar, recipient_kind varchar, step_id varchar, attempted bigint,"
        " failed bigint, errored bigint)"
    )
    for day in DAYS:
        outage = incidents and day == DAYS[-1]
        for rid, name, kind in (
            ("r1", "Summit Mortgage Partners", "delivery"),
            ("r2", "Blue Ridge Lending", "delivery"),
            ("r3", "TrustedForm", "enhancement"),
        ):
            failed, errored = (0, 95) if outage and rid == "r1" else (40, 2)
            if rid == "r3":
                failed = 90  # enhancements are not deliveries: never judged by this rule
            con.execute(
                "insert into marts.fct_delivery_daily values (?, ?, ?, ?, 's1', 100, ?, ?)",
                [day, rid, name, kind, failed, errored],
            )
    con.execute(
        "create table marts.fct_step_latency_daily (event_date date, step_id varchar,"
        " event_type varchar, step_name varchar, flow_name varchar, events bigint,"
        " ms_p95 double, wait_ms_p95 double)"
    )
    for day in DAYS:
        for step, name, p95 in (
            ("st1", "LineCheck Phone Lookup", 8000.0),
            ("st2", "TrustedForm", 400.0),
        ):
            value = p95 if incidents else 400.0
            con.execute(
                "insert into marts.fct_step_latency_daily values (?, ?, 'recipient', ?, 'Solar',"
                " 50, ?, ?)",
                [day, step, name, value, value - 50],
            )
    quarantined = 100 if incidents else 10
    con.execute(
        "insert into raw.ingest_manifest values ('events', 'f.ndjson', 'h', 1, 1, 'loaded', null,"
        " 1000, ?, 0, ?, 'b1', ?, null, 0)",
        [1000 - quarantined, quarantined, NOW - timedelta(hours=1)],
    )
    ingested = NOW - timedelta(hours=30 if incidents else 1)
    raw_store.store_rows(
        con,
        "lead_events",
        "select 'e1', 'l1', 'source', 'success', ?, ?, '{}', 'f.ndjson', 1, 'b1', ?",
        [NOW, NOW.date(), ingested],
    )


@pytest.fixture
def warehouse(tmp_path):
    def make(incidents: bool):
        path = tmp_path / f"warehouse-{incidents}.duckdb"
        con = duckdb.connect(str(path))
        build_marts(con, incidents)
        return con

    return make


def rules_config(tmp_path, **overrides):
    """The shipped config/alerts.yaml with some keys replaced."""
    data = yaml.safe_load((CONFIG_DIR / "alerts.yaml").read_text())
    data.update({"webhook": {"url": ""}, **overrides})
    return load_alerts(write_yaml(tmp_path / "alerts.yaml", data), environ={})


def test_z_score():
    assert z_score(70, 100, 0.2) == pytest.approx(12.375)  # (70 - 20 - 0.5) / 4
    assert z_score(22, 29, 0.43) == pytest.approx(3.387, abs=1e-3)  # a small hour: under 3.5
    assert z_score(10, 100, 0.2) == pytest.approx(-2.375) and z_score(20, 100, 0.2) == 0
    assert z_score(0, 100, 0.0) == 0 and z_score(1, 10, 0.0) == float("inf")
    assert z_score(5, 5, 1.0) == 0


def test_each_rule_fires_on_its_incident(warehouse, tmp_path):
    con = warehouse(incidents=True)
    result = evaluate(con, rules_config(tmp_path), now=NOW)

    (spike,) = result["source_rejection_spike"]
    assert spike.subject_name == "Source S1" and spike.details["hour_utc"] == 19
    assert spike.value == pytest.approx(0.7) and spike.baseline == pytest.approx(0.2)
    assert spike.details["leads"] == 90 and spike.details["rejected"] == 63

    (failing,) = result["recipient_failing"]
    assert (failing.subject_name, failing.metric) == ("Summit Mortgage Partners", "error_rate")
    assert failing.value == pytest.approx(0.95) and failing.period_start == datetime(2026, 11, 3)

    slow = result["slow_step"]
    assert {f.subject_name for f in slow} == {"LineCheck Phone Lookup"}
    assert {f.period_start.date() for f in slow} == set(DAYS[-2:])  # lookback: 2 newest days

    (quarantine,) = result["quarantine_rate"]
    assert quarantine.value == pytest.approx(0.1) and quarantine.subject_id == "events"

    (stale,) = result["no_new_events"]
    assert stale.value == pytest.approx(30.0) and stale.metric == "hours_since_new_events"


def test_normal_data_fires_nothing(warehouse, tmp_path):
    con = warehouse(incidents=False)
    result = evaluate(con, rules_config(tmp_path), now=NOW)
    assert {rule: firings for rule, firings in result.items() if firings} == {}


def test_hour_granularity_and_per_step_thresholds(warehouse, tmp_path):
    con = warehouse(incidents=True)
    config = rules_config(
        tmp_path,
        rules=[
            {"kind": "rejection_spike", "granularity": "hour", "min_leads": 20, "min_z": 3},
            {"kind": "step_latency", "per_step": {"LineCheck Phone Lookup": 9000}},
        ],
    )
    result = evaluate(con, config, now=NOW)
    spikes = result["rejection_spike"]
    assert {(f.subject_name, f.period_start) for f in spikes} == {
        ("Source S1", datetime(2026, 11, 2, 19)),
        ("Source S1", datetime(2026, 11, 3, 19)),
    }
    assert result["step_latency"] == []


def test_missing_marts_are_not_an_error(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        result = evaluate(con, rules_config(tmp_path), now=NOW)
    assert all(firings == [] for firings in result.values())


def test_firings_are_recorded_once_and_posted_to_the_webhook(warehouse, tmp_path, webhook):
    con = warehouse(incidents=True)
    config = rules_config(tmp_path, webhook={"url": webhook.url})
    first = run_alerts(con, config, now=NOW, run_id="run-1")
    assert len(first.new) == len(first.firing) == 6
    assert [status for _, status in first.posted] == ["ok"] * 6
    assert len(webhook.received) == 6

    payload = next(p for p in webhook.received if p["alert"]["rule"] == "recipient_failing")
    assert payload["text"].startswith("[critical] recipient_failing: Recipient Summit")
    assert payload["blocks"][0]["type"] == "section"
    assert "95%" in payload["blocks"][0]["text"]["text"]
    alert = payload["alert"]
    assert alert["subject_name"] == "Summit Mortgage Partners" and alert["value"] == 0.95
    assert alert["details"] == {"date": "2026-11-03", "attempted": 100, "failed": 0, "errored": 95}

    # evaluated again (the next build): nothing new is recorded or posted
    webhook.clear()
    second = run_alerts(con, config, now=NOW + timedelta(minutes=5), run_id="run-2")
    assert len(second.firing) == 6 and second.new == [] and second.posted == []
    assert webhook.received == []
    rows = con.execute(
        "select count(*), count(distinct alert_id), bool_and(post_status = 'ok'),"
        " min(run_id), max(post_attempts) from ops.alerts"
    ).fetchone()
    assert rows == (6, 6, True, "run-1", 1)


def test_a_failing_webhook_is_recorded_and_retried(warehouse, tmp_path, webhook):
    con = warehouse(incidents=True)
    webhook.status = 500
    config = rules_config(
        tmp_path, webhook={"url": webhook.url}, rules=[{"kind": "delivery_failure"}]
    )
    outcome = run_alerts(con, config, now=NOW)
    assert [s for _, s in outcome.posted] == ["error: HTTP Error 500: Internal Server Error"]
    webhook.status = 200
    retried = run_alerts(con, config, now=NOW + timedelta(minutes=1))
    assert retried.new == [] and [s for _, s in retried.posted] == ["ok"]
    assert con.execute("select post_status, post_attempts from ops.alerts").fetchall() == [
        ("ok", 2)
    ]
    # an unreachable local address: recorded as an error, nothing raised
    from tests.conftest import free_port

    unreachable = rules_config(
        tmp_path,
        webhook={"url": f"http://127.0.0.1:{free_port()}/x", "timeout_seconds": 1},
        rules=[{"kind": "freshness", "max_hours": 1}],
    )
    (result,) = run_alerts(con, unreachable, now=NOW).posted
    assert result[1].startswith("error:")


def test_record_without_a_webhook_posts_nothing(warehouse, tmp_path):
    con = warehouse(incidents=True)
    config = rules_config(tmp_path)
    outcome = run_alerts(con, config, now=NOW)
    assert outcome.posted == [] and len(outcome.new) == 6
    assert (
        con.execute("select count(*) from ops.alerts where post_status is null").fetchone()[0] == 6
    )
    assert record(con, outcome.firing, now=NOW) == []


# --------------------------------------------------------------------------- the stories


def test_the_simulated_stories_fire_their_alerts(story_home):
    """A real build of the simulated operation: each injected story is recorded in ops.alerts
    (published to the serving file) and posted to the webhook by the build's alerts asset."""
    stories = story_home.summary.stories
    with duckdb.connect(str(story_home.paths.serving), read_only=True) as con:
        alerts = con.execute(
            "select rule, subject_name, metric, value, period_start, details, post_status"
            " from ops.alerts"
        ).fetchall()
    assert alerts and all(a[6] == "ok" for a in alerts)
    by_rule: dict[str, list] = {}
    for alert in alerts:
        by_rule.setdefault(alert[0], []).append(alert)

    # 1. evening rejections: ClickPath Digital, in its 18:00-22:00 UTC hours and no others
    evening = stories["evening_rejections"]
    clickpath = [a for a in by_rule["source_rejection_spike"] if a[1] == evening["source_name"]]
    hours = {__import__("json").loads(a[5])["hour_utc"] for a in clickpath}
    assert hours and hours <= set(range(*evening["hours_utc"]))

    # 2. buyer outage: Summit Mortgage Partners' error rate on the outage day
    outage = stories["buyer_outage"]
    failing = {(a[1], a[2], a[4].date().isoformat()) for a in by_rule["recipient_failing"]}
    assert (outage["recipient_name"], "error_rate", outage["date"]) in failing
    assert {name for name, _, _ in failing} == {outage["recipient_name"]}

    # 3. slow enhancement: LineCheck Phone Lookup's p95; the slow buyer's too (its afternoons,
    # issue 15); and the outage's timeouts, 15 s
    slow = {a[1] for a in by_rule["slow_step"]}
    slow_buyer = stories["slow_buyer"]["recipient_name"]
    assert {stories["slow_step"]["recipient_name"], slow_buyer} <= slow
    assert slow <= {stories["slow_step"]["recipient_name"], slow_buyer, outage["recipient_name"]}

    # nothing else: the landing quarantine stays low and the events are fresh
    assert "quarantine_rate" not in by_rule and "no_new_events" not in by_rule

    # every recorded alert reached the webhook, as a Slack-compatible JSON payload
    posted = {p["alert"]["alert_id"] for p in story_home.posted}
    assert len(posted) == len(alerts) == len(story_home.posted)
    assert all("text" in p and p["blocks"] for p in story_home.posted)


def test_the_alerts_asset_records_posts_and_survives_a_broken_rules_file(tmp_path, webhook):
    import dagster as dg

    from ingest.paths import Paths
    from orchestration.defs.alerts import alerts
    from orchestration.defs.resources import WarehouseResource
    from tests.conftest import environment

    paths = Paths(tmp_path / "home")
    paths.home.mkdir()
    with duckdb.connect(str(paths.warehouse)) as con:
        build_marts(con, incidents=True)
    resources = {"warehouse": WarehouseResource(home=str(paths.home))}
    config = write_yaml(tmp_path / "alerts.yaml", {"rules": [{"kind": "delivery_failure"}]})
    with environment(LEADWH_ALERTS_CONFIG=str(config), LEADWH_ALERT_WEBHOOK=webhook.url):
        result = dg.materialize([alerts], resources=resources)
    assert result.success
    (materialization,) = result.asset_materializations_for_node("ops__alerts")
    assert materialization.metadata["new_alerts"].value == 1
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks == {"alerts_delivered": True, "alert_rules_valid": True}
    assert [p["alert"]["subject_name"] for p in webhook.received] == ["Summit Mortgage Partners"]

    broken = write_yaml(tmp_path / "broken.yaml", {"rules": [{"kind": "vibes"}]})
    with environment(LEADWH_ALERTS_CONFIG=str(broken)):
        result = dg.materialize([alerts], resources=resources)
    assert result.success  # the build goes on and publishes; the check says what is wrong
    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert not checks["alert_rules_valid"].passed
    assert "`kind` must be one of" in checks["alert_rules_valid"].metadata["error"].value
