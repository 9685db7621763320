"""SQL against the serving file -> DataFrames, one module per dashboard page.

``filters`` holds what every page shares (the sidebar filters, their where clause); ``overview``,
``acceptance``, ``rejections``, ``delivery``, ``sources``, ``quality`` and ``lead_lookup`` hold
each page's queries: pure functions of (connection, filters, options). Streamlit is never
imported here.

The package re-exports every query function: ``dashboards.state`` runs a query through the
result cache by its name (``run_query(queries.overview_kpis, ...)``), so each one must be
reachable as ``dashboards.queries.<name>``. The user-written SQL of the SQL page does not live
here: it goes through ``ingest.serving.sandbox``, like ``leadwh sql`` and the exports.
"""

from dashboards.queries.acceptance import (
    CLOCKS,
    acceptance_by_hour_weekday,
    acceptance_by_source_hour,
    daily_acceptance_by_flow,
    daily_outcomes,
    outcomes_by_flow,
    outcomes_by_source,
    rejection_prone_hours,
)
from dashboards.queries.commerce import (
    buyer_response_by_buyer,
    buyer_response_daily,
    buyer_response_hourly,
    cap_pacing_daily,
    cap_pacing_monthly,
    cap_pacing_summary,
    feedback_cohorts,
    feedback_curves,
    supplier_pnl,
)
from dashboards.queries.delivery import (
    RECIPIENT_KINDS,
    delivery_by_recipient,
    delivery_daily,
    delivery_failures,
)
from dashboards.queries.filters import (
    UNCATEGORISED,
    Filters,
    filter_options,
    previous_period,
)
from dashboards.queries.lead_lookup import (
    LeadDetail,
    LeadLookup,
    TypedLeadsMissing,
    classify_search,
    fields_long,
    find_leads,
    lead_detail,
    lead_events,
    lead_events_unbounded,
    lead_fields,
    lead_summary,
    lookup,
    parse_transactions,
    typed_columns,
)
from dashboards.queries.overview import overview_daily, overview_kpis
from dashboards.queries.quality import (
    DEFAULT_RETURN_THRESHOLD,
    WINDOWS,
    ReturnRule,
    duplicates_by_window,
    duplicates_newest_day,
    return_reasons,
    return_rule,
    returns_by_buyer,
    returns_by_buyer_source,
    returns_newest_day,
    trustedform_by_source,
)
from dashboards.queries.rejections import (
    rejection_pareto,
    rejection_reasons,
    rejection_steps,
    rejections_by_source,
    rejections_daily,
)
from dashboards.queries.sources import source_quality_daily, source_scorecard

__all__ = [
    "CLOCKS",
    "DEFAULT_RETURN_THRESHOLD",
    "RECIPIENT_KINDS",
    "ReturnRule",
    "UNCATEGORISED",
    "WINDOWS",
    "Filters",
    "LeadDetail",
    "LeadLookup",
    "TypedLeadsMissing",
    "acceptance_by_hour_weekday",
    "acceptance_by_source_hour",
    "buyer_response_by_buyer",
    "buyer_response_daily",
    "buyer_response_hourly",
    "cap_pacing_daily",
    "cap_pacing_monthly",
    "cap_pacing_summary",
    "classify_search",
    "daily_acceptance_by_flow",
    "daily_outcomes",
    "delivery_by_recipient",
    "delivery_daily",
    "delivery_failures",
    "duplicates_by_window",
    "duplicates_newest_day",
    "feedback_cohorts",
    "feedback_curves",
    "fields_long",
    "filter_options",
    "find_leads",
    "lead_detail",
    "lead_events",
    "lead_events_unbounded",
    "lead_fields",
    "lead_summary",
    "lookup",
    "outcomes_by_flow",
    "outcomes_by_source",
    "overview_daily",
    "overview_kpis",
    "parse_transactions",
    "previous_period",
    "rejection_pareto",
    "rejection_prone_hours",
    "rejection_reasons",
    "rejection_steps",
    "rejections_by_source",
    "rejections_daily",
    "return_reasons",
    "return_rule",
    "returns_by_buyer",
    "returns_by_buyer_source",
    "returns_newest_day",
    "source_quality_daily",
    "source_scorecard",
    "trustedform_by_source",
    "supplier_pnl",
    "typed_columns",
]
