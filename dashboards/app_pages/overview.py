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

        def kpi(place, label, column, shown, kind="number", *, lower_is_better=False, note=None):
            """One headline number, with its change against the previous period."""
            change = None if before is None else ui.change(now[column], before[column], kind)
            place.metric(
                label,
                shown(now[column]),
                change,
                delta_color="inverse" if lower_is_better else "normal",
                border=True,
                help=note,
            )

        first = st.columns(4)
        kpi(first[0], "Leads", "leads", ui.count)
        kpi(
            first[1],
            "Acceptance rate",
            "acceptance_rate",
            ui.percent,
            "rate",
            note="Leads whose source was told `success`, over all leads.",
        )
        kpi(
            first[2],
            "Delivery success rate",
            "delivery_success_rate",
            ui.percent,
            "rate",
            note="Buyer deliveries that succeeded (after retries) over all buyer delivery"
            " steps the leads reached, skips included. Enhancement steps are not counted.",
        )
        kpi(
            first[3],
            "Returned leads",
            "returned_leads",
            ui.count,
            lower_is_better=True,
            note=f"Leads a buyer returned: {ui.percent(now['return_rate'])} of the"
            f" {ui.count(now['sold_leads'])} leads sold. Returns arrive days after delivery, so"
            " the latest days always show fewer.",
        )
        second = st.columns(4)
        kpi(
            second[0],
            "Cost",
            "cost",
            ui.money,
            lower_is_better=True,
            note=f"Paid to sources {ui.money(now['purchase_cost'])} + recipient steps"
            f" {ui.money(now['recipient_cost'])}.",
        )
        kpi(
            second[1],
            "Revenue",
            "revenue",
            ui.money,
            note="Earned from buyers: successful deliveries after retries.",
        )
        kpi(second[2], "Profit", "profit", ui.money, note="Revenue minus cost.")
        kpi(second[3], "Rejected leads", "rejected", ui.count, lower_is_better=True)
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
