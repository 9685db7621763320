"""Filter steps: whether a lead stops at a filter, and the ``filter`` event that says so."""

from __future__ import annotations

from ingest.simulator.context import ChunkContext, Lead
from ingest.simulator.person import Facts
from ingest.simulator.world import Step

EVALUATION_ERROR_SHARE = 0.0003


def filter_check(
    context: ChunkContext, step: Step, facts: Facts, appended: dict
) -> tuple[str | None, str | None]:
    """-> (stop reason, error reason); both None when the lead continues."""
    if context.rng.random() < EVALUATION_ERROR_SHARE:
        return None, "Unable to evaluate rule"
    check = step.check
    if check == "dup_found":
        output = appended.get("suppressionlist")
        if output and output.get("query_item", {}).get("found"):
            return step.reason, None
    elif check == "tf_consent":
        output = appended.get("trustedform")
        if output is None or output["outcome"] == "skip":
            return "TrustedForm certificate is required", None
        if output["outcome"] != "success":
            return "TrustedForm certificate could not be verified", None
        if not output.get("consent_language_detected", True):
            return "Consent language not detected in the certificate.", None
    elif check == "phone_valid":
        for output in appended.values():
            if output.get("status") == "invalid" and "line_type" in output:
                return step.reason, None
    elif check == "required_phone":
        if not facts.phone_present:
            return step.reason, None
    elif check == "loan_min":
        if facts.loan_low:
            return step.reason, None
    elif check == "email_valid":
        output = appended.get("briteverify")
        if output is not None and output["outcome"] in ("failure", "skip"):
            return step.reason, None
    elif check == "homeowner":
        if facts.renter:
            return step.reason, None
    elif check == "age18":
        if facts.age is not None and facts.age < 18:
            return step.reason, None
    return None, None


def filter_event(
    context: ChunkContext, lead: Lead, step: Step, appended: dict, start_ms: int
) -> tuple[dict, str | None]:
    """-> (the filter event, the reason the lead stops here or None)."""
    stop_reason, error = filter_check(context, step, lead.facts, appended)
    duration_ms = context.rng.randint(0, 3)
    end_ms = start_ms + duration_ms
    outcome = "error" if error else ("stop" if stop_reason else "continue")
    event = context.new_event(
        lead,
        lead.host,
        "filter",
        outcome,
        error or stop_reason,
        start_ms,
        end_ms,
        0,
        duration_ms,
    )
    event["step_id"] = step.step_id
    lead_view = {"id": lead.lead_id}
    for name in step.lead_fields:
        value = lead.fields.get(name)
        if value is not None:
            lead_view[name] = value
    event_vars = {
        "lead": lead_view,
        "submission": lead.submission_vars,
        "flow": lead.flow_vars,
        "source": lead.source_vars,
    }
    for key in step.appended_keys:
        if key in appended:
            event_vars[key] = appended[key]
    event["vars"] = event_vars
    event["rule_set"] = step.rule_set
    return event, stop_reason
