"""Rejections: the Pareto of reason categories, then one category's raw reasons, rejecting
steps, sources and days."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import rejections
from dashboards.safe_text import md, plot_text
from dashboards.state import current_filters, require_serving, run_query

st.title("Rejections")
st.caption(
    "Leads whose source was told `failure`, by the reason category the warehouse gave the reason."
)

ALL = "All categories"

if require_serving():
    filters = current_filters()
    pareto = run_query(rejections.rejection_pareto, filters)
    if not ui.nothing_matches(pareto, "No rejected leads match these filters. " + ui.NO_MATCH):
        top = pareto.iloc[0]
        st.markdown(
            f"**{ui.count(pareto['rejected'].sum())}** rejected leads; the largest category,"
            f" **{md(top['reason_category'])}**, holds {ui.percent(top['share'])} of them."
        )
        ui.chart(figures.pareto(pareto), pareto, "rejection_pareto", filters)

        st.subheader("Drill down")
        category = st.selectbox(
            "Reason category",
            [ALL, *pareto["reason_category"]],
            key="category",
            bind="query-params",
            help="Pick a category to see its raw reasons, the steps that rejected, the"
            " sources and the days.",
        )
        chosen = None if category in (None, ALL) else category
        label = chosen or "all categories"
        shown = plot_text(label)  # in the charts' titles

        reasons = run_query(rejections.rejection_reasons, filters, category=chosen)
        steps = run_query(rejections.rejection_steps, filters, category=chosen)
        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.horizontal_bars(
                    reasons,
                    "reason",
                    "rejected",
                    f"Raw reasons ({shown})",
                    axis_title="rejected leads",
                ),
                reasons,
                f"rejection_reasons_{label}",
                filters,
            )
        with right:
            by_step = steps.assign(step_flow=steps["step"] + " · " + steps["flow"].fillna(""))
            ui.chart(
                figures.horizontal_bars(
                    by_step,
                    "step_flow",
                    "rejected",
                    f"Rejecting step ({shown})",
                    color="#6d4c41",
                    axis_title="rejected leads",
                ),
                steps,
                f"rejection_steps_{label}",
                filters,
            )

        by_source = run_query(rejections.rejections_by_source, filters, category=chosen)
        daily = run_query(rejections.rejections_daily, filters, category=chosen)
        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.horizontal_bars(
                    by_source,
                    "source",
                    "rejection_rate",
                    f"Share of each source's leads rejected ({shown})",
                    value_format=".1%",
                    axis_title="rejected / leads",
                ),
                by_source,
                f"rejections_by_source_{label}",
                filters,
            )
        with right:
            ui.chart(
                figures.stacked_over_time(
                    daily, "reason", "rejected", f"Rejected leads per day ({shown})"
                ),
                daily,
                f"rejections_daily_{label}",
                filters,
            )
        with st.expander("Raw reasons as a table"):
            ui.table(
                reasons,
                f"rejection_reasons_table_{label}",
                filters,
                column_config={"share": ui.percent_column()},
            )
