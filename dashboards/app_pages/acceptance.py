"""Accepted vs rejected leads over time, by source."""

import streamlit as st

from dashboards import figures, queries
from dashboards.state import current_filters, require_serving, run_query

st.title("Acceptance")
st.caption("What sources were told: accepted, rejected or error, by day of submission (UTC).")

if require_serving():
    filters = current_filters()
    daily = run_query(queries.daily_outcomes, filters)
    if daily.empty:
        st.warning(
            "No leads match these filters. Widen the date range or clear the flow and source filters."
        )
    else:
        total = int(daily["leads"].sum())
        accepted = int(daily["accepted"].sum())
        left, middle, right = st.columns(3)
        left.metric("Leads", f"{total:,}")
        middle.metric("Accepted", f"{accepted:,}")
        right.metric("Acceptance rate", f"{accepted / total:.1%}" if total else "n/a")
        st.plotly_chart(figures.outcomes_over_time(daily), width="stretch")
        st.download_button(
            "Download daily outcomes (CSV)",
            daily.to_csv(index=False),
            "daily_outcomes.csv",
            "text/csv",
        )
        by_source = run_query(queries.outcomes_by_source, filters)
        st.plotly_chart(figures.outcomes_by_source(by_source), width="stretch")
        st.dataframe(by_source, hide_index=True, width="stretch")
        st.download_button(
            "Download by source (CSV)",
            by_source.to_csv(index=False),
            "outcomes_by_source.csv",
            "text/csv",
        )
