"""The commerce marts (issue 15: cap pacing, buyer response, feedback cohorts, supplier P&L) and
step names, as built by Dagster and published to the serving file: each reconciles with the
lead-level facts it is computed from, and the small sample's stories show in them."""

from __future__ import annotations

import duckdb
import pytest

from dashboards import serving
from ingest.ops.config import load_exports
from ingest.serving.exports import run_export
from ingest.settings import PROJECT_ROOT
from ingest.simulator.world import CAP_BUYER, SLOW_BUYER

COMMERCE_MARTS = (
    "fct_cap_pacing_daily",
    "fct_cap_pacing_monthly",
    "fct_buyer_response_daily",
    "fct_buyer_response_hourly",
    "fct_feedback_cohorts",
    "fct_supplier_pnl_monthly",
)


@pytest.fixture(scope="module")
def con(built_home):
    paths, _ = built_home
    with serving.connect(paths.serving) as connection:
        yield connection


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()


def one_value(paths, sql: str):
    with serving.connect(paths.serving) as connection:
        return connection.execute(sql).fetchone()[0]


def test_every_commerce_mart_is_published(con):
    published = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    assert set(COMMERCE_MARTS) <= published
    for mart in COMMERCE_MARTS:
        assert one(con, f"select count(*) from marts.{mart}")[0] > 0, mart


def test_buyer_caps_reconcile_with_deliveries(con):
    expected = one(
        con,
        """
        select
            count(*),
            count(*) filter (where final_outcome = 'success'),
            count(*) filter (where first_outcome = 'skip' and final_reason = 'Recipient cap met')
        from marts.fct_deliveries where recipient_kind = 'delivery'
        """,
    )
    got = one(
        con,
        "select sum(offered), sum(counted), sum(capped) from marts.fct_cap_pacing_daily"
        " where cap_kind = 'recipient'",
    )
    assert got == expected
    assert expected[2] > 0


def test_source_caps_reconcile_with_leads(con):
    expected = one(
        con,
        "select count(*), count(*) filter (where reason = 'Cap reached') from marts.fct_leads",
    )
    got = one(
        con,
        "select sum(offered), sum(capped) from marts.fct_cap_pacing_daily"
        " where cap_kind = 'source'",
    )
    assert got == expected


def test_the_cap_buyer_is_capped_and_its_first_cap_time_is_its_first_skip(con):
    days, reached, earliest = one(
        con,
        f"""
        select count(*), count(*) filter (where cap_reached), min(first_capped_at)
        from marts.fct_cap_pacing_daily where entity_name = '{CAP_BUYER}'
        """,
    )
    assert reached >= 1
    first_skip = one(
        con,
        f"""
        select min(started_at) from marts.fct_deliveries
        where recipient_name = '{CAP_BUYER}' and final_reason = 'Recipient cap met'
        """,
    )[0]
    assert earliest == first_skip
    monthly = one(
        con,
        f"""
        select sum(counted), sum(capped), sum(days_cap_reached)
        from marts.fct_cap_pacing_monthly where entity_name = '{CAP_BUYER}'
        """,
    )
    daily = one(
        con,
        f"""
        select sum(counted), sum(capped), count(*) filter (where cap_reached)
        from marts.fct_cap_pacing_daily where entity_name = '{CAP_BUYER}'
        """,
    )
    assert monthly == daily


def test_buyer_response_counts_every_call_and_timeout(con):
    expected = one(
        con,
        """
        select count(*), count(*) filter (where first_reason = 'ESOCKETTIMEDOUT')
        from marts.fct_deliveries
        where recipient_kind = 'delivery' and first_outcome <> 'skip'
        """,
    )
    for mart in ("fct_buyer_response_daily", "fct_buyer_response_hourly"):
        assert one(con, f"select sum(calls), sum(timeouts) from marts.{mart}") == expected
    # percentiles are ordered, and the slow buyer is the slowest at p50 in every hour
    assert (
        one(
            con,
            "select count(*) from marts.fct_buyer_response_hourly"
            " where not (latency_ms_p50 <= latency_ms_p90 and latency_ms_p90 <= latency_ms_p99"
            " and latency_ms_p99 <= latency_ms_max)",
        )[0]
        == 0
    )
    slowest = one(
        con,
        "select recipient_name from marts.fct_buyer_response_daily group by 1"
        " order by median(latency_ms_p50) desc limit 1",
    )[0]
    assert slowest == SLOW_BUYER


def test_feedback_cohorts_count_every_answer_on_the_lead_day(con):
    expected = one(
        con,
        """
        select
            count(*) filter (where feedback.feedback_type = 'return'),
            count(*) filter (where feedback.feedback_type = 'conversion')
        from marts.fct_feedback as feedback
        inner join marts.fct_leads as leads using (lead_id)
        inner join marts.fct_deliveries as deliveries using (delivery_id)
        where deliveries.final_outcome = 'success'
        """,
    )
    assert one(con, "select sum(returns), sum(conversions) from marts.fct_feedback_cohorts") == (
        expected
    )
    # the running totals end at the totals; the triangle has every day up to the data's end
    gaps = one(
        con,
        """
        select count(*) from (
            select cohort_date, recipient_id, count(*) as days,
                max(days_since_submission) as last_day
            from marts.fct_feedback_cohorts group by 1, 2
        ) where days <> last_day + 1
        """,
    )[0]
    assert gaps == 0
    assert (
        one(
            con,
            """
        select count(*) from marts.fct_feedback_cohorts as cohorts
        where days_since_submission = (
            select max(days_since_submission) from marts.fct_feedback_cohorts as other
            where other.cohort_date = cohorts.cohort_date
                and other.recipient_id = cohorts.recipient_id)
            and returns_to_date <> (
            select sum(returns) from marts.fct_feedback_cohorts as other
            where other.cohort_date = cohorts.cohort_date
                and other.recipient_id = cohorts.recipient_id)
        """,
        )[0]
        == 0
    )


def test_supplier_pnl_reconciles_with_lead_profit(con):
    """fct_leads.profit ignores returns; the P&L gives returned revenue back."""
    pnl = one(
        con,
        "select sum(leads), sum(profit + returned_revenue), sum(cost), sum(revenue)"
        " from marts.fct_supplier_pnl_monthly",
    )
    leads = one(
        con,
        "select count(*), sum(profit), sum(purchase_cost + recipient_cost), sum(delivery_revenue)"
        " from marts.fct_leads",
    )
    assert pnl == leads
    assert one(con, "select sum(returned_revenue) from marts.fct_supplier_pnl_monthly")[0] > 0


def test_supplier_pnl_is_exportable(built_home, tmp_path):
    paths, _ = built_home
    spec = load_exports(PROJECT_ROOT / "config" / "exports.yaml").get("supplier_pnl")
    result = run_export(spec, paths.serving, tmp_path)
    assert result.rows == one_value(paths, "select count(*) from marts.fct_supplier_pnl_monthly")
    assert {"pnl_month", "source_name", "cost", "profit", "cost_per_conversion"} <= set(
        result.columns
    )
    assert result.path.read_text().startswith("pnl_month,source_id,source_name,")


def test_every_step_has_a_human_name(con):
    unnamed = one(con, "select count(*) from marts.dim_steps where step_name is null")[0]
    assert unnamed == 0
    kinds = dict(
        con.execute("select step_name_from, count(*) from marts.dim_steps group by 1").fetchall()
    )
    assert kinds.get("recipient", 0) > 0 and kinds.get("stop_reason", 0) > 0
    # filters are named after the reason they stop leads with; recipients after the recipient
    assert (
        one(
            con,
            "select count(*) from marts.dim_steps where event_type = 'filter'"
            " and not (step_name like 'Filter%')",
        )[0]
        == 0
    )
    # the step latency mart shows the same names
    mismatched = one(
        con,
        """
        select count(*) from marts.fct_step_latency_daily as latency
        inner join marts.dim_steps as steps using (step_id)
        where latency.step_name <> steps.step_name
        """,
    )[0]
    assert mismatched == 0
