"""Lead quality: TrustedForm certificate health by source, returns against each buyer's
threshold, duplicates and suppression-list hits over 3-45 day windows."""

import streamlit as st

from dashboards import figures, ui
from dashboards.queries import quality
from dashboards.safe_text import md
from dashboards.state import current_filters, require_serving, run_query

st.title("Lead quality")
st.caption(
    "Consent documentation, returns and duplicates: what makes a sold lead come back or put"
    " the buyer at risk. The sidebar's dates select check, delivery or submission days; the"
    " duplicate windows end on the last selected day."
)

TRUSTEDFORM_COLUMNS = {
    "claim_rate": ui.percent_column("claimed"),
    "unclaimed_near_expiry": st.column_config.NumberColumn(
        "unclaimed near expiry",
        help="Unclaimed, with at most 24 hours of the 72-hour claim window left when checked.",
    ),
    "near_expiry_rate": ui.percent_column("near expiry"),
    "typed_share": ui.percent_column("typed"),
    "autofill_share": ui.percent_column("autofill"),
    "pasted_share": ui.percent_column("pasted"),
    "age_at_claim_hours": st.column_config.NumberColumn("age at claim (h)", format="%.1f"),
    "min_hours_left": st.column_config.NumberColumn("least time left (h)", format="%.1f"),
}
RETURN_COLUMNS = {
    "return_rate": ui.percent_column("return rate"),
    "threshold": ui.percent_column("threshold"),
    "over_threshold": st.column_config.CheckboxColumn("over"),
    "returned_revenue": ui.dollar_column("returned revenue"),
}
WINDOW_COLUMNS = {
    "duplicate_rate": ui.percent_column("duplicate rate"),
    "suppression_hit_rate": ui.percent_column("suppression hit rate"),
    "buyer_duplicate_rate": ui.percent_column("refused as duplicate"),
}


def buyer_return_rule() -> quality.ReturnRule:
    """config/alerts.yaml's buyer_return_rate rule (its defaults if the file is unusable)."""
    from ingest.ops.config import ConfigError, load_alerts

    try:
        return quality.return_rule(load_alerts())
    except ConfigError as error:
        st.warning(f"Return thresholds: {error}. Showing the defaults.")
        return quality.ReturnRule()


if require_serving():
    filters = current_filters()

    st.header("TrustedForm certificate health")
    certificates = run_query(quality.trustedform_by_source, filters)
    if not ui.nothing_matches(
        certificates,
        "No TrustedForm step checked the leads of these flows and sources in this period.",
    ):
        worst = certificates.iloc[0]
        if worst["unclaimed_near_expiry"] > 0:
            st.markdown(
                f"**{md(worst['source'])}**: {ui.count(worst['unclaimed_near_expiry'])}"
                " certificates unclaimed within 24 h of expiry"
                f" ({ui.percent(worst['near_expiry_rate'])} of"
                f" its {ui.count(worst['certificates'])}); {ui.percent(worst['pasted_share'])}"
                f" of its forms pasted, certificates {worst['age_at_claim_hours']:.0f} h old"
                " when claimed."
            )
        else:
            st.markdown("No source has unclaimed certificates near expiry in this period.")
        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.certificate_status(certificates),
                certificates,
                "trustedform_status",
                filters,
            )
        with right:
            ui.chart(
                figures.input_methods(certificates),
                certificates[["source", "certificates", *figures.quality.INPUT_PARTS]],
                "trustedform_input_methods",
                filters,
            )
        ui.table(certificates, "trustedform_by_source", filters, column_config=TRUSTEDFORM_COLUMNS)

    st.header("Returns against each buyer's threshold")
    rule = buyer_return_rule()
    newest = run_query(quality.returns_newest_day, filters)
    mature = st.toggle(
        f"Deliveries whose returns have arrived (the alert's window: {rule.window_days} days"
        f" ending {rule.mature_days} days before the last selected day)",
        value=True,
        key="returns_mature",
        help="Returns arrive up to 5 days after delivery: over the latest days every buyer's"
        " rate is still low. Off: the sidebar's dates.",
    )
    judged = rule.window(filters, newest) if mature and newest else filters
    by_buyer = run_query(
        quality.returns_by_buyer,
        judged,
        default_threshold=rule.default,
        per_buyer=rule.per_buyer,
    )
    if not ui.nothing_matches(
        by_buyer,
        f"No lead of these flows and sources was sold between {judged.start or 'the start'} and"
        f" {judged.end or 'the end'}"
        + (": turn off the toggle above to see the sidebar's dates." if mature else "."),
    ):
        over = by_buyer[by_buyer["over_threshold"]]
        if len(over):
            names = ", ".join(
                f"**{md(row.buyer)}** ({ui.percent(row.return_rate)} vs"
                f" {ui.percent(row.threshold)})"
                for row in over.itertuples()
            )
            st.markdown(f"Over their threshold: {names}.")
        else:
            st.markdown("Every buyer's return rate is within its threshold.")
        st.caption(
            f"Leads delivered {judged.start or 'from the start'} to {judged.end or 'the end'};"
            " a return counts on its delivery's day. Thresholds: config/alerts.yaml, rule"
            f" buyer_return_rate (per_buyer; {ui.percent(rule.default)} for the others)."
        )
        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.returns_against_thresholds(by_buyer), by_buyer, "buyer_returns", filters
            )
        with right:
            reasons = run_query(quality.return_reasons, judged)
            ui.chart(figures.return_reasons(reasons), reasons, "return_reasons", filters)
        ui.table(by_buyer, "returns_by_buyer", filters, column_config=RETURN_COLUMNS)
        with st.expander("Return rate by buyer and source"):
            ui.table(
                run_query(quality.returns_by_buyer_source, judged),
                "returns_by_buyer_source",
                filters,
                column_config=RETURN_COLUMNS,
            )

    st.header("Duplicates and suppression-list hits")
    by_source = run_query(quality.duplicates_by_window, filters, by="source")
    if not ui.nothing_matches(by_source):
        as_of = by_source["as_of"].iloc[0]
        st.caption(
            f"Windows of 3, 7, 15, 30 and 45 days ending {as_of} (the sidebar's flows and"
            " sources apply, its start date does not). Duplicates: leads the flow rejected as"
            " seen before; suppression-list hits: leads the list found; buyers: deliveries"
            " refused as duplicates."
        )
        by_buyer_windows = run_query(quality.duplicates_by_window, filters, by="buyer")
        left, right = st.columns(2)
        with left:
            ui.chart(
                figures.window_heatmap(
                    by_source, "source", "duplicate_rate", "Duplicate rate by source"
                ),
                by_source,
                "duplicates_by_source",
                filters,
            )
        hits = by_source.dropna(subset=["suppression_hit_rate"])
        with right:
            if hits.empty:
                st.info("No suppression-list step checked these sources' leads.")
            else:
                ui.chart(
                    figures.window_heatmap(
                        hits,
                        "source",
                        "suppression_hit_rate",
                        "Suppression-list hit rate by source",
                    ),
                    hits,
                    "suppression_hits_by_source",
                    filters,
                )
        if not by_buyer_windows.empty:
            ui.chart(
                figures.window_heatmap(
                    by_buyer_windows,
                    "buyer",
                    "buyer_duplicate_rate",
                    "Deliveries refused as duplicates, by buyer",
                ),
                by_buyer_windows,
                "duplicates_by_buyer",
                filters,
            )
        windows = {days: f"{days} days" for days in quality.WINDOWS}
        window = ui.choose("Window", windows, 7, key="duplicates_window")
        ui.table(
            by_source[by_source["window_days"] == window].drop(columns=["as_of", "window_days"]),
            f"duplicates_{window}d",
            filters,
            column_config=WINDOW_COLUMNS,
        )
