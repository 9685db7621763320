"""Delivery: outcomes by recipient over time, failure reasons, latency and revenue; buyers and
enhancement steps apart."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import delivery
from dashboards.queries.filters import Filters
from dashboards.safe_text import md
from dashboards.state import current_filters, require_serving, run_query

st.title("Delivery")
st.caption(
    "Every recipient step a lead reached, with its final outcome after retries, by day of the"
    " first attempt (UTC). Buyers (deliveries) and enhancement steps (verification, TrustedForm,"
    " suppression lists, lookups) are shown apart."
)

OUTCOMES = {
    "error": "error",
    "failure": "failure",
    "success": "success",
    "skip": "skip",
    "latency": "p95 latency",
}
COLUMNS = {
    "success_rate": ui.percent_column("success"),
    "failure_rate": ui.percent_column("failure"),
    "error_rate": ui.percent_column("error"),
    "skip_rate": ui.percent_column("skip"),
    "revenue": ui.dollar_column(),
    "cost": ui.dollar_column(),
    "latency_p50_ms": st.column_config.NumberColumn("p50 ms", format="%.0f"),
    "latency_p95_ms": st.column_config.NumberColumn("p95 ms", format="%.0f"),
    "latency_p99_ms": st.column_config.NumberColumn("p99 ms", format="%.0f"),
    "latency_max_ms": st.column_config.NumberColumn("max ms", format="%.0f"),
}


def recipients(kind: str, filters: Filters) -> None:
    noun = "buyer" if kind == "delivery" else "enhancement step"
    steps = "Buyer deliveries" if kind == "delivery" else "Enhancement steps run"
    by_recipient = run_query(delivery.delivery_by_recipient, filters, kind=kind)
    if ui.nothing_matches(
        by_recipient, f"No {noun}s were reached by leads matching these filters. " + ui.NO_MATCH
    ):
        return
    daily = run_query(delivery.delivery_daily, filters, kind=kind)
    failures = run_query(delivery.delivery_failures, filters, kind=kind)

    attempted = by_recipient["attempted"].sum()
    worst = by_recipient.assign(bad=by_recipient["failure_rate"] + by_recipient["error_rate"])
    worst = worst.sort_values("bad", ascending=False).iloc[0]
    most_errors = by_recipient.sort_values("error_rate", ascending=False).iloc[0]
    slowest = by_recipient.sort_values("latency_p95_ms", ascending=False).iloc[0]
    cols = st.columns(4)
    cols[0].metric(steps, ui.count(attempted))
    cols[1].metric("Success rate", ui.percent(by_recipient["succeeded"].sum() / attempted))
    cols[2].metric(
        "Error rate",
        ui.percent(by_recipient["errored"].sum() / attempted),
        help="Errors are transient or technical (timeouts, HTTP 5xx); failures are"
        " definite answers (rejected, no coverage).",
    )
    if kind == "delivery":
        cols[3].metric("Revenue from buyers", ui.money(by_recipient["revenue"].sum()))
    else:
        cols[3].metric("Cost of enhancements", ui.money(by_recipient["cost"].sum()))
    notes = [
        f"Most failures + errors: **{md(worst['recipient'])}** ({ui.percent(worst['bad'])} of its"
        " steps).",
        f"Slowest at p95: **{md(slowest['recipient'])}** ({slowest['latency_p95_ms']:,.0f} ms;"
        f" p50 {slowest['latency_p50_ms']:,.0f} ms).",
    ]
    if most_errors["error_rate"] > 0:
        notes.insert(
            1,
            f"Most errors: **{md(most_errors['recipient'])}**"
            f" ({ui.percent(most_errors['error_rate'])}).",
        )
    st.markdown("  \n".join(notes))

    ui.table(by_recipient, f"{kind}_by_recipient", filters, column_config=COLUMNS)

    default = "error" if kind == "delivery" else "latency"
    outcome = ui.choose("Map by day", OUTCOMES, default, key=f"outcome_{kind}")
    ui.chart(figures.recipient_day_heatmap(daily, outcome), daily, f"{kind}_daily", filters)

    left, right = st.columns(2)
    with left:
        ui.chart(
            figures.outcome_shares(by_recipient, f"Outcomes by {noun}"),
            by_recipient[
                [
                    "recipient",
                    "attempted",
                    "succeeded",
                    "failed",
                    "errored",
                    "skipped",
                    "success_rate",
                    "failure_rate",
                    "error_rate",
                    "skip_rate",
                ]
            ],
            f"{kind}_outcome_shares",
            filters,
        )
    with right:
        ui.chart(
            figures.latency_percentiles(by_recipient, f"Latency by {noun} (first attempt)"),
            by_recipient[
                [
                    "recipient",
                    "attempted",
                    "latency_p50_ms",
                    "latency_p95_ms",
                    "latency_p99_ms",
                    "latency_max_ms",
                ]
            ],
            f"{kind}_latency",
            filters,
        )

    if failures.empty:
        st.info(f"No {noun} failed or errored for these filters.")
    else:
        ui.chart(figures.failure_reasons(failures), failures, f"{kind}_failures", filters)
    if kind == "delivery":
        ui.chart(
            figures.revenue_by_recipient(daily),
            daily[["day", "recipient", "succeeded", "revenue"]],
            "delivery_revenue_daily",
            filters,
        )
    else:
        ui.chart(
            figures.stacked_over_time(
                daily.assign(steps=daily["attempted"]),
                "recipient",
                "steps",
                "Enhancement steps run per day",
            ),
            daily[["day", "recipient", "attempted", "cost"]],
            "enhancement_daily_runs",
            filters,
        )


KINDS = {"Buyers": "delivery", "Enhancement steps": "enhancement"}  # label (in the URL) -> kind

if require_serving():
    filters = current_filters()
    shown = st.segmented_control(
        "Recipients",
        list(KINDS),
        default="Buyers",
        required=True,
        key="kind",
        bind="query-params",
        help="Buyers receive the lead; enhancement steps verify or append data to it.",
    )
    recipients(KINDS.get(shown, "delivery"), filters)
