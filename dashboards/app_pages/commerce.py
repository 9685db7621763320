"""Buyers & suppliers: cap pacing, buyer response times, feedback cohorts and supplier profit
and loss, one view at a time (the view is in the URL)."""

import streamlit as st

from dashboards import ui
from dashboards.figures import commerce as figures
from dashboards.queries import commerce as queries
from dashboards.queries.filters import Filters
from dashboards.safe_text import md
from dashboards.state import current_filters, require_serving, run_query

st.title("Buyers & suppliers")
st.caption(
    "Caps, buyer response times, when feedback arrives and what each supplier earns. These"
    " analyses are per source or per buyer: the flow filter keeps the buyers of those flows and"
    " the sources posting into them; the source filter applies to sources (their caps, the"
    " P&L), not to buyers. Days and hours are UTC."
)

PERCENT = "percent"
MS = "%.0f"
CAP_COLUMNS = {
    "days_cap_reached": st.column_config.NumberColumn("days reached"),
    "median_first_capped_utc": st.column_config.TextColumn("median time reached (UTC)"),
    "earliest_capped_utc": st.column_config.TimeColumn("earliest (UTC)", format="HH:mm"),
    "counted": st.column_config.NumberColumn("counted", help="Accepted leads / deliveries taken"),
    "capped": st.column_config.NumberColumn("turned away"),
    "counted_before_cap_avg": st.column_config.NumberColumn("counted before cap", format="%.0f"),
    "daily_cap": st.column_config.NumberColumn("daily cap"),
    "daily_cap_used_avg": st.column_config.NumberColumn("daily cap used", format=PERCENT),
}
MONTHLY_COLUMNS = {
    "month": st.column_config.DateColumn(format="YYYY-MM"),
    "days_cap_reached": st.column_config.NumberColumn("days capped"),
    "monthly_cap": st.column_config.NumberColumn("monthly cap"),
    "monthly_cap_used": st.column_config.NumberColumn("cap used", format=PERCENT),
    "monthly_cap_reached_on": st.column_config.DateColumn("reached on"),
}
RESPONSE_COLUMNS = {
    "timeout_rate": st.column_config.NumberColumn("timeouts", format=PERCENT),
    "timeouts": st.column_config.NumberColumn("timed out"),
    "p50_ms_median_day": st.column_config.NumberColumn("p50 ms (median day)", format=MS),
    "p90_ms_worst_day": st.column_config.NumberColumn("p90 ms (worst day)", format=MS),
    "p99_ms_worst_day": st.column_config.NumberColumn("p99 ms (worst day)", format=MS),
    "max_ms": st.column_config.NumberColumn("max ms", format=MS),
}
PNL_COLUMNS = {
    column: st.column_config.NumberColumn(column.replace("_", " "), format="dollar")
    for column in (
        "cost",
        "revenue",
        "returned_revenue",
        "net_revenue",
        "profit",
        "cost_per_conversion",
        "cost_per_lead",
        "revenue_per_lead",
    )
} | {
    "margin": st.column_config.NumberColumn(format=PERCENT),
    "month": st.column_config.DateColumn(format="YYYY-MM"),
}
LATENCIES = {
    "latency_ms_p99": "p99",
    "latency_ms_p90": "p90",
    "latency_ms_p50": "p50",
    "timeout_rate": "timeouts",
}


def cap_pacing(filters: Filters) -> None:
    summary = run_query(queries.cap_pacing_summary, filters)
    if ui.nothing_matches(summary, "No cap was reached, and no cap is configured (seed caps)."):
        return
    daily = run_query(queries.cap_pacing_daily, filters)
    monthly = run_query(queries.cap_pacing_monthly, filters)
    reached = summary[summary["days_cap_reached"] > 0]
    cols = st.columns(3)
    cols[0].metric("Sources and buyers capped", ui.count(len(reached)))
    cols[1].metric("Leads turned away by caps", ui.count(summary["capped"].sum()))
    if not reached.empty:
        first = reached.sort_values("median_first_capped_utc").iloc[0]
        cols[2].metric(
            "Earliest typical cap",
            f"{first['median_first_capped_utc']} UTC",
            help=f"{md(first['name'])}: the median time of day its cap was first reached.",
        )
        st.markdown(
            f"**{md(first['name'])}** ({md(first['kind'])}) reaches its daily cap on"
            f" {first['days_cap_reached']} of {first['days']} days, typically at"
            f" **{first['median_first_capped_utc']} UTC**: leads after that go elsewhere."
        )
    ui.table(summary, "cap_pacing", filters, column_config=CAP_COLUMNS)
    if not daily.empty:
        ui.chart(figures.cap_reached_heatmap(daily), daily, "cap_pacing_daily", filters)
    if not monthly.empty and monthly["monthly_cap"].notna().any():
        ui.chart(figures.monthly_cap_use(monthly), monthly, "cap_pacing_monthly", filters)
    ui.table(monthly, "monthly_caps", filters, column_config=MONTHLY_COLUMNS)
    st.caption(
        "Configured caps come from the `caps` seed (seeds/caps.csv): LeadConduit's events say"
        " when a cap turned a lead away, not how large it is."
    )


def buyer_response(filters: Filters) -> None:
    by_buyer = run_query(queries.buyer_response_by_buyer, filters)
    if ui.nothing_matches(by_buyer, "No buyer was called in this period. " + ui.NO_MATCH):
        return
    daily = run_query(queries.buyer_response_daily, filters)
    hourly = run_query(queries.buyer_response_hourly, filters)
    slowest = by_buyer.iloc[0]
    most_timeouts = by_buyer.sort_values("timeout_rate", ascending=False).iloc[0]
    cols = st.columns(3)
    cols[0].metric("Buyer calls", ui.count(by_buyer["calls"].sum()))
    cols[1].metric(
        "Timeouts", ui.percent(by_buyer["timeouts"].sum() / max(by_buyer["calls"].sum(), 1))
    )
    cols[2].metric("Slowest p99 (worst day)", f"{slowest['p99_ms_worst_day']:,.0f} ms")
    typical = by_buyer.sort_values("p50_ms_median_day", ascending=False).iloc[0]
    st.markdown(
        f"Slowest on a typical day: **{md(typical['buyer'])}** (median"
        f" {typical['p50_ms_median_day']:,.0f} ms). Slowest tail: **{md(slowest['buyer'])}**"
        f" (p99"
        f" up to {slowest['p99_ms_worst_day']:,.0f} ms). Most timeouts:"
        f" **{md(most_timeouts['buyer'])}** ({ui.percent(most_timeouts['timeout_rate'])} of its"
        " calls). The heatmap shows in which hours."
    )
    ui.table(by_buyer, "buyer_response", filters, column_config=RESPONSE_COLUMNS)
    value = (
        st.segmented_control(
            "Color by",
            list(LATENCIES),
            format_func=LATENCIES.get,
            default="latency_ms_p99",
            required=True,
            key="latency",
        )
        or "latency_ms_p99"
    )
    ui.chart(figures.response_hour_heatmap(hourly, value), hourly, "buyer_response_hourly", None)
    line = value if value != "timeout_rate" else "latency_ms_p99"
    ui.chart(figures.response_over_time(daily, line), daily, "buyer_response_daily", filters)


def feedback_cohorts(filters: Filters) -> None:
    cohorts = run_query(queries.feedback_cohorts, filters)
    if ui.nothing_matches(cohorts, "No delivered leads were submitted in this period."):
        return
    curves = run_query(queries.feedback_curves, filters)
    kind = (
        st.segmented_control(
            "Feedback",
            ["return_rate_to_date", "conversion_rate_to_date"],
            format_func=lambda value: "returns" if value.startswith("return") else "conversions",
            default="return_rate_to_date",
            required=True,
            key="feedback",
        )
        or "return_rate_to_date"
    )
    late = curves[curves["days"] >= 10].groupby("buyer")["returns"].sum()
    total = curves.groupby("buyer")["returns"].sum()
    share = (late / total.where(total > 0)).dropna().sort_values(ascending=False)
    if not share.empty and share.iloc[0] > 0:
        st.markdown(
            f"Latest returner: **{md(share.index[0])}**, {ui.percent(share.iloc[0])} of its returns"
            " arrive 10 or more days after submission: recent cohorts' return rates are"
            " still incomplete."
        )
    ui.chart(figures.return_curves(curves, kind), curves, "feedback_curves", filters)
    ui.chart(figures.cohort_heatmap(cohorts, kind), cohorts, "feedback_cohorts", filters)


def supplier_pnl(filters: Filters) -> None:
    pnl = run_query(queries.supplier_pnl, filters)
    if ui.nothing_matches(pnl):
        return
    cols = st.columns(4)
    cols[0].metric("Cost", ui.money(pnl["cost"].sum()))
    cols[1].metric("Net revenue", ui.money(pnl["net_revenue"].sum()))
    cols[2].metric("Profit", ui.money(pnl["profit"].sum()))
    losing = pnl.groupby("source")["profit"].sum().sort_values()
    cols[3].metric("Sources losing money", ui.count(int((losing < 0).sum())))
    if losing.iloc[0] < 0:
        st.markdown(
            f"**{md(losing.index[0])}** loses {ui.money(-losing.iloc[0])} over these months: it"
            " costs more than buyers pay for its leads, net of returns."
        )
    st.caption(
        "Whole months touching the selected dates, by the month the leads were submitted;"
        " returns count on the lead's month. The export `supplier_pnl` (config/exports.yaml)"
        " writes this table monthly."
    )
    ui.chart(figures.profit_by_source(pnl), pnl, "supplier_profit", filters)
    ui.table(pnl, "supplier_pnl", filters, column_config=PNL_COLUMNS)


VIEWS = {
    "Cap pacing": cap_pacing,
    "Buyer response": buyer_response,
    "Feedback cohorts": feedback_cohorts,
    "Supplier P&L": supplier_pnl,
}

if require_serving():
    shown = st.segmented_control(
        "View",
        list(VIEWS),
        default="Cap pacing",
        required=True,
        key="view",
        bind="query-params",
    )
    VIEWS.get(shown, cap_pacing)(current_filters())
