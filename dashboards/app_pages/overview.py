"""The morning view: headline numbers against the previous period, and their trend."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import overview
from dashboards.queries.filters import previous_period
from dashboards.state import current_filters, published_range, require_serving, run_query

st.title("Overview")
st.caption(
    "Leads submitted in the selected period (UTC days), compared with the period of the same"
    " length just before it."
)

if require_serving():
    filters = current_filters()
    kpis = run_query(overview.overview_kpis, filters)
    now = kpis.iloc[0]
    if now["leads"] == 0:
        st.info(ui.NO_MATCH)
    else:
        before = kpis.iloc[1] if len(kpis) > 1 and kpis.iloc[1]["leads"] > 0 else None

        def delta(column: str, kind: str = "number"):
            return None if before is None else ui.change(now[column], before[column], kind)

        first = st.columns(4)
        first[0].metric("Leads", ui.count(now["leads"]), delta("leads"), border=True)
        first[1].metric(
            "Acceptance rate",
            ui.percent(now["acceptance_rate"]),
            delta("acceptance_rate", "rate"),
            border=True,
            help="Leads whose source was told `success`, over all leads.",
        )
        first[2].metric(
            "Delivery success rate",
            ui.percent(now["delivery_success_rate"]),
            delta("delivery_success_rate", "rate"),
            border=True,
            help="Buyer deliveries that succeeded (after retries) over all buyer delivery"
            " steps the leads reached, skips included. Enhancement steps are not counted.",
        )
        first[3].metric(
            "Returned leads",
            ui.count(now["returned_leads"]),
            delta("returned_leads"),
            delta_color="inverse",
            border=True,
            help=f"Leads a buyer returned: {ui.percent(now['return_rate'])} of the"
            f" {ui.count(now['sold_leads'])} leads sold. Returns arrive days after delivery, so"
            " the latest days always show fewer.",
        )
        second = st.columns(4)
        second[0].metric(
            "Cost",
            ui.money(now["cost"]),
            delta("cost"),
            delta_color="inverse",
            border=True,
            help=f"Paid to sources {ui.money(now['purchase_cost'])} + recipient steps"
            f" {ui.money(now['recipient_cost'])}.",
        )
        second[1].metric(
            "Revenue",
            ui.money(now["revenue"]),
            delta("revenue"),
            border=True,
            help="Earned from buyers: successful deliveries after retries.",
        )
        second[2].metric(
            "Profit",
            ui.money(now["profit"]),
            delta("profit"),
            border=True,
            help="Revenue minus cost.",
        )
        second[3].metric(
            "Rejected leads",
            ui.count(now["rejected"]),
            delta("rejected"),
            delta_color="inverse",
            border=True,
        )
        if before is None:
            st.caption("No leads in the previous period of the same length: no change shown.")
        else:
            previous = previous_period(filters)
            note = f"Changes are against {previous.start} to {previous.end}."
            first_day = published_range()[0]
            if first_day and previous.start < first_day:
                note += f" Nothing before {first_day} is published, so that period is partial."
            st.caption(note)
        ui.download(kpis, "overview_kpis", filters, "these numbers")

        daily = run_query(overview.overview_daily, filters)
        left, right = st.columns(2)
        with left:
            ui.chart(figures.kpi_trend(daily), daily, "overview_daily", filters)
        with right:
            st.plotly_chart(figures.money_trend(daily), width="stretch", key="chart_money")
            ui.download(
                daily[["day", "purchase_cost", "recipient_cost", "cost", "revenue", "profit"]],
                "overview_money_daily",
                filters,
                "chart data",
            )
