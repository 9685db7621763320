"""Acceptance patterns: by hour of day x weekday, by source and flow, over time."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import acceptance
from dashboards.safe_text import md
from dashboards.state import current_filters, require_serving, run_query

st.title("Acceptance patterns")
st.caption(
    "When and where leads are accepted. A lead is accepted when its source was told `success`."
)

CLOCKS = {"local": "Lead's local time", "utc": "UTC"}
PRONE_HOURS_SCORE = 3.0

if require_serving():
    filters = current_filters()
    daily = run_query(acceptance.daily_outcomes, filters)
    if not ui.nothing_matches(daily):
        total, accepted = int(daily["leads"].sum()), int(daily["accepted"].sum())
        left, middle, right = st.columns(3)
        left.metric("Leads", ui.count(total))
        middle.metric("Accepted", ui.count(accepted))
        right.metric("Acceptance rate", ui.percent(accepted / total if total else None))

        st.subheader("By hour of day and weekday")
        clock = ui.choose(
            "Clock",
            CLOCKS,
            "local",
            key="clock",
            help="The lead's local time comes from its state's time zone.",
        )
        grid = run_query(acceptance.acceptance_by_hour_weekday, filters, clock=clock)
        ui.chart(
            figures.acceptance_heatmap(grid, clock),
            grid,
            f"acceptance_hour_weekday_{clock}",
            filters,
        )

        st.subheader("By source and hour of day")
        source_clock = ui.choose("Clock", CLOCKS, "utc", key="clock_sources")
        by_hour = run_query(acceptance.acceptance_by_source_hour, filters, clock=source_clock)
        prone = acceptance.rejection_prone_hours(by_hour, min_score=PRONE_HOURS_SCORE).head(5)
        if prone.empty:
            st.markdown("No source has hours with markedly more rejections than its others.")
        else:
            first = prone.iloc[0]
            st.markdown(
                f"Rejection-prone hours of **{md(first['source'])}**: {first['hours']}"
                f" ({CLOCKS[source_clock]}): {ui.percent(first['rejection_rate_in_hours'])} of"
                f" its leads rejected then, against"
                f" {ui.percent(first['rejection_rate_other_hours'])} at other hours."
            )
            ui.table(
                prone.drop(columns=["first_hour", "last_hour"]),
                f"rejection_prone_hours_{source_clock}",
                filters,
                column_config={
                    "rejection_rate_in_hours": ui.percent_column("rejected in those hours"),
                    "rejection_rate_other_hours": ui.percent_column("rejected at other hours"),
                    "score": st.column_config.NumberColumn(
                        "score (z)",
                        format="%.1f",
                        help="How far the difference is from chance (two-proportion z score);"
                        " above 4 is rarely chance.",
                    ),
                },
            )
            st.caption(
                "Rejection-prone hours: per source, the band of 2 to 6 consecutive hours of the"
                " day whose rejection rate stands out most from its other hours, over the"
                " filtered period. The `rejection_spike` alert is a different test: each single"
                " UTC hour of its own window against the source's baseline, with fixed thresholds"
                " (config/alerts.yaml)."
            )
        st.caption(
            "Each row is one source: a red band marks hours at which its leads are rejected."
            " Blank cells have fewer than 3 leads."
        )
        ui.chart(
            figures.source_hour_heatmap(by_hour, source_clock),
            by_hour,
            f"acceptance_source_hour_{source_clock}",
            filters,
        )

        st.subheader("By source and flow")
        by_source = run_query(acceptance.outcomes_by_source, filters)
        by_flow = run_query(acceptance.outcomes_by_flow, filters)
        groups = {"source": by_source, "flow": by_flow}
        for place, (group, frame) in zip(st.columns(2), groups.items(), strict=True):
            with place:
                figure = figures.outcomes_by_group(frame, group, f"Outcomes by {group}")
                ui.chart(figure, frame, f"outcomes_by_{group}", filters)

        st.subheader("Over time")
        left, right = st.columns(2)
        with left:
            ui.chart(figures.outcomes_over_time(daily), daily, "daily_outcomes", filters)
        with right:
            by_flow_daily = run_query(acceptance.daily_acceptance_by_flow, filters)
            ui.chart(
                figures.acceptance_over_time_by_flow(by_flow_daily),
                by_flow_daily,
                "daily_acceptance_by_flow",
                filters,
            )
