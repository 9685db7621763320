"""Source quality: the scorecard (sortable) with sparklines, and small multiples per source."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import sources
from dashboards.safe_text import md
from dashboards.state import current_filters, require_serving, run_query

st.title("Source quality")
st.caption(
    "Which sources send bad data or get returned, and what they cost and earn, for leads"
    " submitted in the selected period. Click a column header to sort."
)

SCORECARD_COLUMNS = {
    "acceptance_rate": ui.percent_column("acceptance"),
    "valid_phone_rate": ui.percent_column("valid phone"),
    "valid_email_rate": ui.percent_column("valid email"),
    "return_rate": ui.percent_column("return rate"),
    "purchase_cost": ui.dollar_column("cost"),
    "recipient_cost": ui.dollar_column("recipient cost"),
    "revenue": ui.dollar_column(),
    "profit": ui.dollar_column(),
    "cost_per_accepted_lead": ui.dollar_column("cost / accepted"),
    "roi": ui.percent_column("ROI", help="Profit over all cost (source + recipients)."),
    "acceptance_trend": st.column_config.LineChartColumn("acceptance per day", y_min=0, y_max=1),
    "return_trend": st.column_config.AreaChartColumn("returns per day", y_min=0, y_max=1),
}
ORDER = [
    "source",
    "flow",
    "leads",
    "acceptance_rate",
    "acceptance_trend",
    "valid_phone_rate",
    "valid_email_rate",
    "sold_leads",
    "returned",
    "return_rate",
    "return_trend",
    "converted",
    "purchase_cost",
    "cost_per_accepted_lead",
    "revenue",
    "profit",
    "roi",
    "accepted",
    "rejected",
    "recipient_cost",
]
METRICS = {
    "return_rate": "Return rate (returned / sold)",
    "acceptance_rate": "Acceptance rate",
    "valid_phone_rate": "Valid phone rate",
    "valid_email_rate": "Valid email rate",
}

if require_serving():
    filters = current_filters()
    scorecard = run_query(sources.source_scorecard, filters)
    if not ui.nothing_matches(scorecard):
        ranked = scorecard.sort_values("return_rate", ascending=False)
        worst = ranked.iloc[0]
        st.markdown(
            f"Highest return rate: **{md(worst['source'])}** ({md(worst['flow'])}),"
            f" {ui.percent(worst['return_rate'])} of its {ui.count(worst['sold_leads'])} sold"
            " leads returned."
        )
        ui.table(
            ranked,
            "source_scorecard",
            filters,
            column_config=SCORECARD_COLUMNS,
            column_order=ORDER,
            height=min(38 + 35 * len(ranked), 640),
        )

        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.source_returns(scorecard),
                scorecard[["source", "flow", "sold_leads", "returned", "return_rate"]],
                "source_return_rates",
                filters,
            )
        with right:
            by_roi = scorecard.assign(label=scorecard["source"] + " · " + scorecard["flow"])
            ui.chart(
                figures.horizontal_bars(
                    by_roi,
                    "label",
                    "roi",
                    "ROI by source",
                    color="#2e7d32",
                    top=40,
                    value_format=".0%",
                    axis_title="profit / cost",
                ),
                scorecard[
                    [
                        "source",
                        "flow",
                        "purchase_cost",
                        "recipient_cost",
                        "revenue",
                        "profit",
                        "roi",
                    ]
                ],
                "source_roi",
                filters,
            )

        st.subheader("Per source, per day")
        metric = ui.choose("Metric", METRICS, "return_rate", key="metric")
        daily = run_query(sources.source_quality_daily, filters)
        if metric == "return_rate":
            st.caption(
                "Returns arrive days after delivery, so the latest days' return rates are still"
                " low: compare sources with each other, not the last days with earlier ones."
            )
        ui.chart(
            figures.small_multiples(daily, metric, METRICS[metric]),
            daily,
            "source_quality_daily",
            filters,
        )
