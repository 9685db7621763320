"""The lead-quality alert rules (issue 15): unclaimed TrustedForm certificates near expiry, by
source, and a buyer's return rate against its own threshold. On a real DuckDB file with
hand-made marts, then on the simulated stories through a real Dagster build, then on clean days
(the simulator's ``clean_days``: no story, no alert, every rule of the shipped config)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import pytest

from ingest.ops.alert_rules import evaluate
from ingest.ops.config import ConfigError
from tests.conftest import build, environment
from tests.ops.conftest import STORY
from tests.ops.test_alerts import rules_config

NOW = datetime(2026, 11, 20, 12, 0)


def quality_marts(con: duckdb.DuckDBPyConnection, incidents: bool) -> None:
    """20 days of certificates for two sources and of returns for two buyers. With `incidents`:
    source Aged leaves 8 of its 20 certificates a day unclaimed with 10 hours left (others: 1
    unclaimed with 60 hours left), and buyer Strict returns 12% (its threshold: 10%; the
    default 15%); buyer Loose returns 14% throughout."""
    con.execute("create schema if not exists marts")
    con.execute(
        "create table marts.fct_trustedform_certificates (event_id varchar, source_id varchar,"
        " source_name varchar, check_date date, checked_at timestamp, certificate_status varchar,"
        " certificate_expires_at timestamp, hours_left_at_check double,"
        " is_unclaimed_near_expiry boolean)"
    )
    con.execute(
        "create table marts.fct_returns_daily (delivery_date date, recipient_id varchar,"
        " recipient_name varchar, source_id varchar, sold bigint, returned bigint)"
    )
    for offset in range(20):
        day = date(2026, 11, 1) + timedelta(days=offset)
        checked = datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
        for source in ("Aged", "Fresh"):
            near = 8 if incidents and source == "Aged" else 0
            for n in range(20):
                status = "unclaimed" if n < max(near, 1) else "claimed"
                hours = 10.0 if n < near else 60.0
                con.execute(
                    "insert into marts.fct_trustedform_certificates values"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        f"{source}-{day}-{n}",
                        source.lower(),
                        f"Source {source}",
                        day,
                        checked,
                        status,
                        checked + timedelta(hours=hours),
                        hours,
                        status == "unclaimed" and hours <= 24,
                    ],
                )
        for buyer, returned in (("Strict", 12 if incidents else 8), ("Loose", 14)):
            con.execute(
                "insert into marts.fct_returns_daily values (?, ?, ?, 's1', 100, ?)",
                [day, buyer.lower(), f"Buyer {buyer}", returned],
            )


def quality_config(tmp_path, **rule_overrides):
    rules = [
        {"name": "trustedform_expiring", "kind": "trustedform_expiring"},
        {
            "name": "buyer_return_rate",
            "kind": "buyer_return_rate",
            "per_buyer": {"Buyer Strict": 0.10},
            **rule_overrides,
        },
    ]
    return rules_config(tmp_path, rules=rules)


@pytest.fixture
def quality_warehouse(tmp_path):
    def make(incidents: bool):
        con = duckdb.connect(str(tmp_path / f"quality-{incidents}.duckdb"))
        quality_marts(con, incidents)
        return con

    return make


def test_unclaimed_certificates_near_expiry_fire_for_their_source(quality_warehouse, tmp_path):
    con = quality_warehouse(incidents=True)
    (firing,) = evaluate(con, quality_config(tmp_path), now=NOW)["trustedform_expiring"]
    assert (firing.subject_name, firing.value) == ("Source Aged", 16.0)  # 2 lookback days
    assert firing.details["certificates"] == 40 and firing.details["near_expiry_share"] == 0.4
    assert firing.period_start == datetime(2026, 11, 19)
    assert firing.period_end == datetime(2026, 11, 21)
    # at NOW (11-20 12:00) those of 11-20 (expiring 20:00) can still be claimed
    assert firing.details["claimable_now"] == 8
    assert "8 can still be claimed, the next expires 2026-11-20 20:00 UTC" in firing.message
    later = evaluate(con, quality_config(tmp_path), now=NOW + timedelta(days=1))
    assert "all of them have expired" in later["trustedform_expiring"][0].message


def test_buyer_return_rate_uses_each_buyers_threshold_on_mature_days(quality_warehouse, tmp_path):
    con = quality_warehouse(incidents=True)
    (firing,) = evaluate(con, quality_config(tmp_path), now=NOW)["buyer_return_rate"]
    # Strict: 12% over its own 10%; Loose: 14%, under the default 15%
    assert (firing.subject_name, firing.value, firing.threshold) == ("Buyer Strict", 0.12, 0.1)
    # 14 delivery days ending 5 days before the newest (11-20): 11-02 .. 11-15
    assert firing.details["window"] == ["2026-11-02", "2026-11-15"]
    assert (firing.details["sold"], firing.details["returned"]) == (1400, 168)
    assert firing.details["threshold_from"] == "per_buyer"
    # a stricter default catches Loose too; too few sold leads: nothing
    stricter = evaluate(con, quality_config(tmp_path, max_return_rate=0.13), now=NOW)
    assert {f.subject_name for f in stricter["buyer_return_rate"]} == {
        "Buyer Strict",
        "Buyer Loose",
    }
    quiet = evaluate(con, quality_config(tmp_path, min_sold=5000), now=NOW)
    assert quiet["buyer_return_rate"] == []


def test_normal_quality_fires_nothing(quality_warehouse, tmp_path):
    con = quality_warehouse(incidents=False)
    result = evaluate(con, quality_config(tmp_path), now=NOW)
    assert result == {"trustedform_expiring": [], "buyer_return_rate": []}


def test_per_buyer_thresholds_must_be_a_map_of_rates(tmp_path):
    for per_buyer, says in (([0.1], "per_buyer: map a buyer name"), ({"X": "high"}, "per_buyer.X")):
        with pytest.raises(ConfigError, match=says):
            rules_config(tmp_path, rules=[{"kind": "buyer_return_rate", "per_buyer": per_buyer}])


# --------------------------------------------------------------------------- the stories


def test_the_quality_stories_fire_their_alerts(story_home, tmp_path):
    """The build's alerts asset flags the aged-certificates source and nothing else; the returns
    buyer is over its threshold on the story's first day, whose returns have arrived (the
    shipped config judges 14 days ending 5 days before the newest: none in a 5-day story)."""
    stories = story_home.summary.stories
    with duckdb.connect(str(story_home.paths.serving), read_only=True) as con:
        expiring = con.execute(
            "select subject_name, details from ops.alerts where rule = 'trustedform_expiring'"
        ).fetchall()
    assert {name for name, _ in expiring} == {stories["aged_certificates"]["source_name"]}
    assert all(json.loads(details)["near_expiry_share"] > 0.2 for _, details in expiring)

    config = rules_config(
        tmp_path,
        rules=[
            {
                "kind": "buyer_return_rate",
                "per_buyer": {stories["returns_buyer"]["recipient_name"]: 0.10},
                "window_days": 1,
                "mature_days": 4,
            }
        ],
    )
    with duckdb.connect(str(story_home.paths.serving), read_only=True) as con:
        firings = evaluate(con, config)["buyer_return_rate"]
        by_name = {f.subject_name: f for f in firings}
        assert stories["returns_buyer"]["recipient_name"] in by_name
        # Any other buyer over the default 15% owes it to the returns source (story 3: about
        # 30% of its sold leads come back): without that source's leads it is under 15%.
        others = set(by_name) - {stories["returns_buyer"]["recipient_name"]}
        for name in others:
            (window_start, window_end) = by_name[name].details["window"]
            sold, returned = con.execute(
                "select sum(sold), sum(returned) from marts.fct_returns_daily"
                " where recipient_name = ? and source_id <> ?"
                " and delivery_date between ? and ?",
                [name, stories["returns_source"]["source_id"], window_start, window_end],
            ).fetchone()
            assert returned / sold < 0.15, (name, sold, returned)


def test_clean_days_raise_no_alert(tmp_path, webhook):
    """A build over simulated clean days (unfiltered: every source, flow and buyer) records and
    posts no alert, with every rule of the shipped config, and none with the return window
    fitted to the short range either. The same days with stories fire (test above)."""
    from ingest.paths import Paths
    from ingest.simulator.run import simulate

    paths = Paths(tmp_path / "clean")
    summary = simulate(paths.landing, clean_days=STORY["days"], faults=False, **STORY)
    assert set(summary.stories) == {"clean_days"}
    with environment(LEADWH_ALERT_WEBHOOK=webhook.url):
        assert build(paths), "the clean build failed; see the Dagster log above"
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        assert con.execute("select rule, message from ops.alerts").fetchall() == []
        assert (
            con.execute("select count(*) from marts.fct_trustedform_certificates").fetchone()[0]
            > 500
        )
        fitted = rules_config(
            tmp_path,
            rules=[{"kind": "buyer_return_rate", "window_days": 1, "mature_days": 4}],
        )
        assert evaluate(con, fitted)["buyer_return_rate"] == []
    assert webhook.received == []
