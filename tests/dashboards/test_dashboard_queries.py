"""The dashboards' query functions on a real (small) published warehouse: the numbers they
return are checked against sums computed independently from the marts."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from dashboards import queries, serving
from dashboards.queries import Filters
from ingest.serving import sandbox
from ingest.serving.sandbox import Limits
from tests.dashboards.serving_copies import copy_home, with_typed_leads, without_typed_leads


@pytest.fixture(scope="module")
def bounds(con) -> tuple[date, date]:
    options = queries.filter_options(con)
    return options["min_date"], options["max_date"]


@pytest.fixture(scope="module")
def typed_home(built_home, tmp_path_factory):
    paths, _ = built_home
    return with_typed_leads(paths, tmp_path_factory.mktemp("typed"))


@pytest.fixture(scope="module")
def untyped_con(built_home, tmp_path_factory):
    """The serving file as published before the parsed fields were."""
    paths, _ = built_home
    home = without_typed_leads(paths, tmp_path_factory.mktemp("untyped"))
    with serving.connect(home.serving) as connection:
        yield connection


def scalar(con, sql: str, params: dict | None = None):
    return con.execute(sql, params or {}).fetchone()[0]


# --------------------------------------------------------------------------------------------
# Overview


def test_overview_kpis_equal_sums_over_fct_leads(con, built_home):
    _, summary = built_home
    kpis = queries.overview_kpis(con, Filters())
    assert list(kpis["period"]) == ["current"]  # no dates: nothing to compare with
    now = kpis.iloc[0]
    leads = con.execute(
        """
        select count(*), sum((lead_outcome = 'accepted')::int), sum(deliveries_attempted),
               sum(deliveries_succeeded), sum(is_returned::int), sum(purchase_cost),
               sum(recipient_cost), sum(delivery_revenue), sum(profit)
        from marts.fct_leads
        """
    ).fetchone()
    count, accepted, attempted, succeeded, returned, paid, recipient, revenue, profit = leads
    assert now["leads"] == count == summary.leads
    assert now["accepted"] == accepted
    assert now["acceptance_rate"] == pytest.approx(accepted / count)
    assert now["delivery_success_rate"] == pytest.approx(succeeded / attempted)
    assert now["returned_leads"] == returned > 0
    assert now["cost"] == pytest.approx(float(paid + recipient))
    assert now["revenue"] == pytest.approx(float(revenue))
    assert now["profit"] == pytest.approx(float(profit))
    assert now["profit"] == pytest.approx(now["revenue"] - now["cost"])


def test_overview_compares_with_the_previous_period_of_the_same_length(con, bounds):
    lo, hi = bounds
    middle = lo + (hi - lo) // 2
    filters = Filters(middle + timedelta(days=1), hi)
    before = queries.previous_period(filters)
    assert (before.end - before.start) == (filters.end - filters.start)
    assert before.end == filters.start - timedelta(days=1)
    kpis = queries.overview_kpis(con, filters).set_index("period")
    for period, window in (("current", filters), ("previous", before)):
        expected = scalar(
            con,
            "select count(*) from marts.fct_leads where submitted_date between $a and $b",
            {"a": window.start, "b": window.end},
        )
        assert kpis.loc[period, "leads"] == expected
    daily = queries.overview_daily(con, filters)
    assert daily["leads"].sum() == kpis.loc["current", "leads"]
    assert daily["revenue"].sum() == pytest.approx(kpis.loc["current", "revenue"])


def test_previous_period_needs_both_dates():
    assert queries.previous_period(Filters()) is None
    assert queries.previous_period(Filters(start=date(2026, 1, 1))) is None
    week = queries.previous_period(Filters(date(2026, 1, 8), date(2026, 1, 14), ("f",)))
    assert (week.start, week.end, week.flows) == (date(2026, 1, 1), date(2026, 1, 7), ("f",))


def test_source_and_flow_filters_narrow_every_count(con):
    source = scalar(
        con, "select source_name from marts.fct_leads group by 1 order by count(*) desc"
    )
    flow = scalar(
        con, "select flow_name from marts.fct_leads where source_name = $s", {"s": source}
    )
    filters = Filters(sources=(source,), flows=(flow,))
    expected = scalar(
        con,
        "select count(*) from marts.fct_leads where source_name = $s and flow_name = $f",
        {"s": source, "f": flow},
    )
    assert queries.overview_kpis(con, filters).iloc[0]["leads"] == expected
    assert queries.daily_outcomes(con, filters)["leads"].sum() == expected
    assert list(queries.outcomes_by_source(con, filters)["source"]) == [source]
    nothing = Filters(sources=("no such source",))
    assert queries.overview_kpis(con, nothing).iloc[0]["leads"] == 0
    assert queries.daily_outcomes(con, nothing).empty


# --------------------------------------------------------------------------------------------
# Acceptance


def test_hour_by_weekday_grid_counts_every_lead_in_local_and_utc_time(con):
    total = scalar(con, "select count(*) from marts.fct_leads")
    for clock in ("local", "utc"):
        grid = queries.acceptance_by_hour_weekday(con, Filters(), clock=clock)
        assert grid["leads"].sum() == total
        assert grid["weekday"].between(0, 6).all() and grid["hour"].between(0, 23).all()
        assert not grid.duplicated(["weekday", "hour"]).any()
    local = queries.acceptance_by_hour_weekday(con, Filters(), clock="local")
    expected = con.execute(
        "select local_weekday, local_hour, count(*) as leads,"
        " avg((lead_outcome = 'accepted')::int) as rate"
        " from marts.fct_leads group by 1, 2"
    ).df()
    merged = local.merge(
        expected, left_on=["weekday", "hour"], right_on=["local_weekday", "local_hour"]
    )
    assert len(merged) == len(local) == len(expected)
    assert (merged["leads_x"] == merged["leads_y"]).all()
    assert merged["acceptance_rate"].to_numpy() == pytest.approx(merged["rate"].to_numpy())


def test_outcomes_by_flow_and_source_add_up(con):
    total = scalar(con, "select count(*) from marts.fct_leads")
    for frame in (
        queries.outcomes_by_flow(con, Filters()),
        queries.outcomes_by_source(con, Filters()),
    ):
        assert frame["leads"].sum() == total
        assert (frame["accepted"] + frame["rejected"] + frame["errored"] == frame["leads"]).all()
        assert frame["leads"].is_monotonic_decreasing


def test_source_hour_rates_and_rejection_prone_hours(con):
    by_hour = queries.acceptance_by_source_hour(con, Filters(), clock="utc")
    assert by_hour["leads"].sum() == scalar(con, "select count(*) from marts.fct_leads")
    assert by_hour["rejection_rate"].between(0, 1).all()
    prone = queries.rejection_prone_hours(by_hour, min_score=0)
    assert prone["score"].is_monotonic_decreasing
    assert prone["source"].is_unique


def test_rejection_prone_hours_find_the_hours_a_source_is_rejected():
    rows = []
    for source in ("Steady", "Spiky"):
        for hour in range(24):
            spike = source == "Spiky" and 18 <= hour <= 21
            rows.append(
                {"source": source, "hour": hour, "leads": 40, "rejected": 30 if spike else 8}
            )
    prone = queries.rejection_prone_hours(pd.DataFrame(rows))
    assert list(prone["source"]) == ["Spiky"]
    found = prone.iloc[0]
    assert (found["first_hour"], found["last_hour"]) == (18, 21)
    assert found["hours"] == "18:00–21:59"
    assert found["rejection_rate_in_hours"] == pytest.approx(0.75)
    assert found["rejection_rate_other_hours"] == pytest.approx(0.2)


# --------------------------------------------------------------------------------------------
# Rejections


def test_pareto_is_sorted_and_its_cumulative_share_ends_at_one(con):
    pareto = queries.rejection_pareto(con, Filters())
    rejected = scalar(con, "select count(*) from marts.fct_leads where lead_outcome = 'rejected'")
    assert pareto["rejected"].sum() == rejected > 0
    assert pareto["rejected"].is_monotonic_decreasing
    assert pareto["cumulative_share"].is_monotonic_increasing
    assert pareto["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert pareto["share"].sum() == pytest.approx(1.0)
    by_category = con.execute(
        "select coalesce(reason_category, 'uncategorised') as c, count(*) as n"
        " from marts.fct_leads where lead_outcome = 'rejected' group by 1"
    ).df()
    assert dict(zip(pareto["reason_category"], pareto["rejected"], strict=True)) == dict(
        zip(by_category["c"], by_category["n"], strict=True)
    )


def test_drill_down_into_one_category(con):
    pareto = queries.rejection_pareto(con, Filters())
    top = pareto.iloc[0]
    category = top["reason_category"]
    reasons = queries.rejection_reasons(con, Filters(), category=category)
    assert set(reasons["reason_category"]) == {category}
    assert reasons["rejected"].sum() == top["rejected"]
    assert reasons["rejected"].is_monotonic_decreasing
    steps = queries.rejection_steps(con, Filters(), category=category)
    assert steps["rejected"].sum() == top["rejected"]
    assert set(steps["rejected_by"]) <= {"filter", "acceptance_criteria", "recipients", "unknown"}
    by_source = queries.rejections_by_source(con, Filters(), category=category)
    assert by_source["rejected"].sum() == top["rejected"]
    assert by_source["rejection_rate"].between(0, 1).all()
    daily = queries.rejections_daily(con, Filters(), category=category)
    assert daily["rejected"].sum() == top["rejected"]
    everything = queries.rejection_steps(con, Filters())
    assert everything["rejected"].sum() == pareto["rejected"].sum()


# --------------------------------------------------------------------------------------------
# Delivery


def test_delivery_by_recipient_keeps_buyers_and_enhancements_apart(con):
    kinds = dict(
        con.execute("select recipient_name, recipient_kind from marts.dim_recipients").fetchall()
    )
    for kind in ("delivery", "enhancement"):
        frame = queries.delivery_by_recipient(con, Filters(), kind=kind)
        assert not frame.empty
        assert {kinds[r] for r in frame["recipient"]} == {kind}
        expected = scalar(
            con, "select count(*) from marts.fct_deliveries where recipient_kind = $k", {"k": kind}
        )
        assert frame["attempted"].sum() == expected
        shares = frame[["success_rate", "failure_rate", "error_rate", "skip_rate"]].sum(axis=1)
        assert shares.to_numpy() == pytest.approx(1.0)
        assert (frame["latency_p50_ms"] <= frame["latency_p95_ms"]).all()
        assert (frame["latency_p95_ms"] <= frame["latency_p99_ms"]).all()
        assert (frame["latency_p99_ms"] <= frame["latency_max_ms"]).all()
    with pytest.raises(ValueError, match="recipient kind"):
        queries.delivery_by_recipient(con, Filters(), kind="buyers")


def test_delivery_daily_and_failures_add_up(con):
    by_recipient = queries.delivery_by_recipient(con, Filters(), kind="delivery")
    daily = queries.delivery_daily(con, Filters(), kind="delivery")
    assert daily.groupby("recipient")["attempted"].sum().to_dict() == dict(
        zip(by_recipient["recipient"], by_recipient["attempted"], strict=True)
    )
    assert daily["revenue"].sum() == pytest.approx(by_recipient["revenue"].sum())
    failures = queries.delivery_failures(con, Filters(), kind="delivery")
    assert set(failures["outcome"]) <= {"failure", "error"}
    assert (
        failures["deliveries"].sum() == by_recipient["failed"].sum() + by_recipient["errored"].sum()
    )


# --------------------------------------------------------------------------------------------
# Source quality


def test_scorecard_over_all_days_matches_the_scorecard_mart(con):
    scorecard = queries.source_scorecard(con, Filters()).set_index(["flow", "source"])
    mart = con.execute("select * from marts.fct_source_scorecard").df()
    mart = mart.set_index(["flow_name", "source_name"])
    assert len(scorecard) == len(mart)
    for key, row in mart.iterrows():
        ours = scorecard.loc[key]
        for column in ("leads", "accepted", "returned", "sold_leads"):
            assert ours[column] == row[column], (key, column)
        for column in (
            "acceptance_rate",
            "return_rate",
            "roi",
            "cost_per_accepted_lead",
            "valid_phone_rate",
        ):
            if pd.isna(row[column]):
                assert pd.isna(ours[column])
            else:
                assert ours[column] == pytest.approx(row[column]), (key, column)
        days = scalar(
            con,
            "select count(*) from marts.fct_source_quality_daily"
            " where flow_name = $f and source_name = $s",
            {"f": key[0], "s": key[1]},
        )
        assert len(ours["acceptance_trend"]) == days


def test_source_quality_daily_rates_are_rates(con):
    daily = queries.source_quality_daily(con, Filters())
    assert daily["leads"].sum() == scalar(con, "select count(*) from marts.fct_leads")
    for column in ("acceptance_rate", "valid_phone_rate", "return_rate"):
        assert daily[column].dropna().between(0, 1).all()


# --------------------------------------------------------------------------------------------
# Lead lookup


@pytest.fixture(scope="module")
def known_lead(con) -> str:
    """A lead with deliveries and a source event: many events to order."""
    return scalar(
        con,
        "select lead_id from marts.fct_leads order by deliveries_attempted + enhancements_run"
        " desc, lead_id limit 1",
    )


def test_lookup_of_a_known_lead_returns_its_events_in_time_order(con, known_lead):
    found = queries.find_leads(con, f"  {known_lead.upper()} ")
    assert list(found["lead_id"]) == [known_lead]
    events = queries.lead_events(con, known_lead)
    expected = con.execute(
        "select event_id from marts.fct_lead_events where lead_id = $id order by started_at,"
        " ended_at, event_id",
        {"id": known_lead},
    ).df()
    assert list(events["event_id"]) == list(expected["event_id"])
    assert len(events) >= 4
    assert events["started_at"].is_monotonic_increasing
    assert "source" in set(events["event_type"])
    detail = queries.lead_detail(con, known_lead)
    assert detail.summary.iloc[0]["lead_id"] == known_lead
    assert len(detail.events) == len(events)
    assert queries.lead_events_unbounded(con, known_lead)["event_id"].tolist() == list(
        events["event_id"]
    )


def test_unknown_lead_and_unparseable_terms(con):
    assert queries.find_leads(con, "0" * 24).empty
    with pytest.raises(ValueError, match="lead id"):
        queries.find_leads(con, "hello")


def test_without_parsed_fields_lead_id_search_works_and_email_search_says_why_not(
    untyped_con, known_lead
):
    assert queries.typed_columns(untyped_con) == []
    assert list(queries.find_leads(untyped_con, known_lead)["lead_id"]) == [known_lead]
    detail = queries.lead_detail(untyped_con, known_lead)
    assert detail.fields is None and len(detail.events) >= 4
    for term in ("jane@example.com", "(313) 776-4036"):
        with pytest.raises(queries.TypedLeadsMissing, match="not\\s+published"):
            queries.find_leads(untyped_con, term)


def test_email_and_phone_search_use_typed_leads_once_published(typed_home):
    with serving.connect(typed_home.serving) as con:
        lead_id, email, phone_raw = con.execute(
            "select lead_id, email__raw, phone_1__raw from typed.leads"
            " where email__valid and phone_1__valid and phone_1__normal not like '%x%'"
            " order by lead_id limit 1"
        ).fetchone()
        assert lead_id in set(queries.find_leads(con, email.upper())["lead_id"])
        assert lead_id in set(queries.find_leads(con, phone_raw)["lead_id"])
        fields = queries.lead_fields(con, lead_id)
        assert {"email", "phone_1"} <= set(fields["field"])
        assert fields.set_index("field").loc["email", "valid"]
        invalid = scalar(con, "select lead_id from typed.leads where not phone_1__valid limit 1")
        flagged = queries.lead_fields(con, invalid).set_index("field")
        assert flagged.loc["phone_1", "valid"] is False or not flagged.loc["phone_1", "valid"]


@pytest.mark.parametrize(
    "term, expected",
    [
        ("6ADE991C05EB89B3ED9DE8E2", ("lead_id", "6ade991c05eb89b3ed9de8e2")),
        (" Jane.Doe@Example.com ", ("email", "jane.doe@example.com")),
        ("(313) 776-4036", ("phone", "3137764036")),
        ("+1 313.776.4036", ("phone", "3137764036")),
        ("(801)617-9702 x3680", ("phone", "8016179702")),
        ("12345", ("unknown", "12345")),
        ("", ("unknown", "")),
    ],
)
def test_classify_search(term, expected):
    assert queries.classify_search(term) == expected


def test_fields_long_flags_invalid_values_and_keeps_components():
    frame = queries.fields_long(
        {
            "lead_id": "x",
            "phone_1__raw": "(111) 111-1111",
            "phone_1__normal": "1111111111",
            "phone_1__valid": False,
            "phone_1__lc_valid": None,
            "phone_1__area": "111",
            "email__normal": "a@b.com",
            "email__valid": True,
            "ssn__valid": True,
            "ssn__masked": "***-**-6789",
            "dob__masked": "**/**/1970",
            "gender__valid": None,
            "gender__lc_valid": None,
        }
    ).set_index("field")
    assert list(frame.index) == ["phone_1", "email", "ssn", "dob"]  # gender: nothing present
    assert not frame.loc["phone_1", "valid"]
    assert frame.loc["phone_1", "details"] == "area=111"
    assert frame.loc["ssn", "value"] == "***-**-6789"
    assert frame.loc["email", "valid"]


def test_transactions_are_shown_with_credentials_masked():
    text = (
        '[{"request": {"method": "POST", "uri": "https://buyer:SECRET@x.example/post?api_key=SECRET&a=1",'
        ' "headers": {"Authorization": "Bearer SECRET", "Content-Type": "application/json"},'
        ' "body": "{}"}, "response": {"status": 200, "headers": {"Set-Cookie": "s=SECRET"}}}]'
    )
    [transaction] = queries.parse_transactions(text)
    assert "SECRET" not in str(transaction)
    assert transaction["request"]["headers"]["Content-Type"] == "application/json"
    assert transaction["request"]["uri"].startswith("https://•••@x.example/post?")
    assert transaction["request"]["uri"].endswith("&a=1")
    assert queries.parse_transactions(None) == []
    assert queries.parse_transactions("not json") == [{"unparsed": "not json"}]


# --------------------------------------------------------------------------------------------
# SQL page (the sandbox itself, attacked: tests/serving/test_sandbox.py)


def test_sql_runs_one_read_statement_with_a_row_limit(built_home):
    paths, summary = built_home
    result = sandbox.run_sql(paths.serving, "select * from marts.fct_leads;", Limits(max_rows=10))
    assert len(result.frame) == 10 and result.truncated
    whole = sandbox.run_sql(paths.serving, "select count(*) as n from marts.fct_leads")
    assert whole.frame["n"].iloc[0] == summary.leads and not whole.truncated
    described = sandbox.run_sql(paths.serving, "describe marts.dim_flows", Limits(max_rows=100))
    assert "flow_id" in set(described.frame["column_name"])


def test_the_pages_and_the_sql_page_share_one_connection_setup(built_home):
    """DuckDB refuses a second in-process connection to a file with other settings: the pages'
    connections and the SQL page's (memory cap included) are the same sandbox connection."""
    paths, _ = built_home
    with serving.connect(paths.serving) as page_con:
        memory = page_con.execute("select current_setting('memory_limit')").fetchone()[0]
        result = sandbox.run_sql(paths.serving, "select current_setting('memory_limit') as m")
    assert result.frame["m"].iloc[0] == memory == "1.8 GiB"


def test_every_query_a_page_runs_is_reachable_by_name():
    """dashboards.state caches a query by its name in dashboards.queries."""
    from dashboards.queries import (
        acceptance,
        delivery,
        filters,
        lead_lookup,
        overview,
        rejections,
        sources,
    )

    for module in (acceptance, delivery, filters, lead_lookup, overview, rejections, sources):
        for name, value in vars(module).items():
            if callable(value) and getattr(value, "__module__", "") == module.__name__:
                if not name.startswith("_") and name not in (
                    "filter_where",
                    "to_frame",
                    "filtered",
                ):
                    assert getattr(queries, name) is value, name


# --------------------------------------------------------------------------------------------
# Versions


def test_a_new_publish_is_seen_without_a_restart(built_home, tmp_path):
    paths, _ = built_home
    home = copy_home(paths, tmp_path / "home")
    first = serving.version(home.serving)
    assert first
    staged = tmp_path / "staged.duckdb"
    shutil.copyfile(home.serving, staged)
    with duckdb.connect(str(staged)) as con:
        con.execute("update meta.publish_info set version = 'next-version'")
    os.replace(staged, home.serving)  # as ingest.serving.publish swaps the file in
    assert serving.version(home.serving) == "next-version"
    assert serving.version(tmp_path / "missing.duckdb") is None


def test_filters_describe_themselves_for_file_names():
    assert Filters().describe() == "all"
    filters = Filters(date(2026, 1, 1), date(2026, 1, 7), ("a",), ("b", "c"))
    assert filters.describe() == "2026-01-01_2026-01-07_1flows_2sources"
    assert replace(filters, flows=()).describe() == "2026-01-01_2026-01-07_2sources"
