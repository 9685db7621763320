"""DataFrames -> Plotly figures, one module per dashboard page (common: colors, the shared
layout and the generic bar charts). Pure functions; no Streamlit here. Pages call
``figures.<name>``: the public figures and colors are re-exported here."""

from dashboards.figures.acceptance import (
    acceptance_heatmap,
    acceptance_over_time_by_flow,
    outcomes_by_group,
    outcomes_by_source,
    outcomes_over_time,
    source_hour_heatmap,
)
from dashboards.figures.common import (
    BAD_SCALE,
    DELIVERY_COLORS,
    EVENT_COLORS,
    MONEY_COLORS,
    OUTCOME_COLORS,
    RATE_SCALE,
    horizontal_bars,
    stacked_over_time,
)
from dashboards.figures.delivery import (
    failure_reasons,
    latency_percentiles,
    outcome_shares,
    recipient_day_heatmap,
    revenue_by_recipient,
)
from dashboards.figures.lookup import event_label, lead_timeline
from dashboards.figures.overview import kpi_trend, money_trend
from dashboards.figures.quality import (
    certificate_status,
    input_methods,
    return_reasons,
    returns_against_thresholds,
    window_heatmap,
)
from dashboards.figures.rejections import pareto
from dashboards.figures.sources import small_multiples, source_returns

__all__ = [
    "BAD_SCALE",
    "DELIVERY_COLORS",
    "EVENT_COLORS",
    "MONEY_COLORS",
    "OUTCOME_COLORS",
    "RATE_SCALE",
    "acceptance_heatmap",
    "acceptance_over_time_by_flow",
    "certificate_status",
    "event_label",
    "failure_reasons",
    "horizontal_bars",
    "input_methods",
    "kpi_trend",
    "latency_percentiles",
    "lead_timeline",
    "money_trend",
    "outcome_shares",
    "outcomes_by_group",
    "outcomes_by_source",
    "outcomes_over_time",
    "pareto",
    "recipient_day_heatmap",
    "return_reasons",
    "returns_against_thresholds",
    "revenue_by_recipient",
    "small_multiples",
    "source_hour_heatmap",
    "source_returns",
    "window_heatmap",
    "stacked_over_time",
]
