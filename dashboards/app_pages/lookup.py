"""Lead lookup: find a lead by id, email or phone; its parsed fields and event timeline."""

import pandas as pd
import streamlit as st

from dashboards import figures, ui
from dashboards.queries import lead_lookup
from dashboards.safe_text import code, md
from dashboards.state import require_serving, run_lookup

st.title("Lead lookup")
st.caption(
    "What happened to one lead. The sidebar filters do not apply here: every published lead"
    " can be found."
)

STATUS_COLORS = {
    "accepted": "green",
    "converted": "green",
    "rejected": "red",
    "error": "orange",
    "returned": "violet",
    "in progress": "gray",
}
BAD_OUTCOMES = {"failure", "stop", "error"}
OUTCOME_ICONS = {
    "success": ":material/check_circle:",
    "continue": ":material/arrow_forward:",
    "skip": ":material/skip_next:",
    "failure": ":material/cancel:",
    "stop": ":material/block:",
    "error": ":material/warning:",
}


def _time(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def summary(lead: pd.Series) -> None:
    status = str(lead["lead_status"])
    color = STATUS_COLORS.get(status, "gray")
    st.markdown(f"### {code(lead['lead_id'])} :{color}-badge[{md(status)}]")
    cols = st.columns(4)
    cols[0].markdown(f"**Flow**  \n{md(lead['flow_name'])}")
    cols[1].markdown(f"**Source**  \n{md(lead['source_name'])}")
    cols[2].markdown(f"**Submitted (UTC)**  \n{_time(lead['submitted_at'])}")
    cols[3].markdown(
        f"**Local time**  \n{_time(lead['submitted_at_local'])} ({md(lead['local_time_zone'])})"
    )
    if lead["lead_outcome"] != "accepted":
        text = f"**{md(str(lead['lead_outcome']).capitalize())}**: {md(lead['reason'])}"
        if pd.notna(lead["reason_category"]):
            text += f" (category {md(lead['reason_category'])})"
        if lead["lead_outcome"] == "rejected" and pd.notna(lead["rejected_by"]):
            by = str(lead["rejected_by"]).replace("_", " ")
            step = code(lead["rejecting_step_id"])
            name = lead.get("rejecting_step_name")
            named = f"**{md(name)}** ({step})" if isinstance(name, str) else step
            text += f", rejected by {md(by)}" + (f" {named}" if by == "filter" else "")
        st.markdown(f":red[{text}]")
    cols = st.columns(5)
    cols[0].metric("Paid to source", ui.money(float(lead["purchase_cost"])))
    cols[1].metric("Recipient cost", ui.money(float(lead["recipient_cost"])))
    cols[2].metric("Revenue", ui.money(float(lead["delivery_revenue"])))
    cols[3].metric("Profit", ui.money(float(lead["profit"])))
    cols[4].metric(
        "Deliveries",
        f"{int(lead['deliveries_succeeded'])} of {int(lead['deliveries_attempted'])}",
        help="Successful buyer deliveries of those attempted.",
    )


def parsed_fields(lead_id: str, fields: pd.DataFrame | None) -> None:
    st.subheader("Parsed fields")
    if fields is None:
        st.info(
            "The parsed lead fields are not published yet (no typed.leads table in the serving"
            " file), so they cannot be shown; the events below are complete."
        )
        return
    if fields.empty:
        st.info("This lead has no parsed fields in typed.leads.")
        return
    invalid = fields["valid"].eq(False).fillna(False)
    if invalid.any():
        names = ", ".join(md(name) for name in fields.loc[invalid, "field"])
        st.markdown(f":red[**{int(invalid.sum())} invalid value(s):** {names}]")
    else:
        st.markdown(":green[Every parsed value is valid.]")
    shown = fields.assign(check=["invalid" if bad else "" for bad in invalid])
    shown = shown[["check", "field", "value", "raw", "valid", "lc_valid", "details"]]
    if shown["lc_valid"].isna().all():
        shown = shown.drop(columns=["lc_valid"])
    styled = shown.style.apply(
        lambda row: ["background-color: #ffcdd2" if row["check"] else "" for _ in row], axis=1
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        key="table_fields",
        height=min(38 + 35 * len(shown), 900),
        column_config={
            "lc_valid": st.column_config.CheckboxColumn("LeadConduit valid"),
            "valid": st.column_config.CheckboxColumn("valid"),
        },
    )
    ui.download(fields, f"lead_{lead_id}_fields", None, "fields")


def event_details(event: pd.Series) -> None:
    if pd.notna(event["reason"]):
        category = event["reason_category"]
        st.markdown(
            f"**Reason:** {md(event['reason'])}"
            + (f" (category {code(category)})" if pd.notna(category) else "")
        )
    if pd.notna(event.get("feedback_type")):
        st.markdown(f"**Feedback:** {md(event['feedback_type'])}: {md(event['feedback_reason'])}")
    timing = {
        "started": _time(event["started_at"]),
        "ended": _time(event["ended_at"]),
        "processing ms": event["ms"],
        "waiting on remote ms": event["wait_ms"],
        "overhead ms": event["overhead_ms"],
        "since submission ms": event["total_ms"],
    }
    money = {
        k: event[k]
        for k in ("purchase_price", "sale_price", "revenue", "cost")
        if pd.notna(event[k]) and event[k]
    }
    other = {
        k: event[k]
        for k in (
            "step_name",
            "step_id",
            "module_id",
            "recipient_kind",
            "retry_status",
            "http_status",
            "event_id",
        )
        if pd.notna(event[k])
    }
    facts = {k: v for k, v in {**timing, **money, **other}.items() if pd.notna(v) and v != ""}
    # st.table renders its cells as markdown
    st.table(pd.DataFrame({"value": [md(v) for v in facts.values()]}, index=list(facts)))
    transactions = lead_lookup.parse_transactions(event["transactions"])
    for i, transaction in enumerate(transactions, start=1):
        status = (
            transaction.get("response", {}).get("status", "")
            if isinstance(transaction.get("response"), dict)
            else ""
        )
        st.markdown(f"**HTTP transaction {i}** {md(status)} (credentials masked)")
        st.json(transaction, expanded=2)


def timeline(lead_id: str, events: pd.DataFrame) -> None:
    st.subheader("Events")
    if events.empty:
        st.info("No events are published for this lead.")
        return
    failed = events["outcome"].isin(BAD_OUTCOMES)
    st.caption(
        f"{len(events)} events in time order; {int(failed.sum())} failed or errored"
        " (red). Open an event for its reason, timings and HTTP transaction."
    )
    st.plotly_chart(figures.lead_timeline(events), width="stretch", key="chart_timeline")
    start = events["started_at"].min()
    for i, (_, event) in enumerate(events.iterrows(), start=1):
        offset = ui.elapsed(pd.Timestamp(event["started_at"]) - start)
        text = (
            f"{i}. {_time(event['started_at'])} ({offset}) · {md(figures.event_label(event))}"
            f" · {md(event['outcome'])}"
        )
        if pd.notna(event["reason"]):
            text += f" — {md(event['reason'])}"
        icon = OUTCOME_ICONS.get(event["outcome"], ":material/circle:")
        label = f":red[**{text}**]" if event["outcome"] in BAD_OUTCOMES else text
        with st.expander(label, icon=icon):
            event_details(event)
    ui.download(events, f"lead_{lead_id}_events", None, "events")


if require_serving(need_leads=False):
    term = st.text_input(
        "Lead id, email or phone",
        key="lead",
        bind="query-params",
        placeholder="e.g. 6ade991c05eb89b3ed9de8e2, jane@example.com or (313) 776-4036",
    )
    if not term:
        st.info("Type a lead id (24 hexadecimal characters), an email address or a phone number.")
    else:
        try:
            result = run_lookup(lead_lookup.lookup, term.strip())
        except (lead_lookup.TypedLeadsMissing, ValueError) as cannot:
            st.info(str(cannot))
            result = None
        if result is not None and result.matches.empty:
            st.info(f"No lead matches {code(term)}. Check the value, or search by lead id.")
        elif result is not None:
            found, detail, chosen = result.matches, result.detail, 0
            if len(found) > 1:
                st.markdown(f"{len(found)} leads match; pick one (newest first):")
                picked = st.dataframe(
                    found,
                    hide_index=True,
                    width="stretch",
                    key="matches",
                    on_select="rerun",
                    selection_mode="single-row",
                )
                rows = picked.selection.rows if picked is not None else []
                chosen = rows[0] if rows else 0
            lead_id = found["lead_id"].iloc[chosen]
            if chosen:  # the newest match's detail came with the search
                detail = run_lookup(lead_lookup.lead_detail, lead_id)
            if detail.summary.empty:
                st.markdown(f"### {code(lead_id)} :gray-badge[in progress]")
                st.caption(
                    "This lead has events but no source event yet (still being processed,"
                    " or its source event is missing)."
                )
            else:
                summary(detail.summary.iloc[0])
            parsed_fields(lead_id, detail.fields)
            timeline(lead_id, detail.events)
