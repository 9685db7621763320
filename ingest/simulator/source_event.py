"""The ``source`` event: the inbound request, the lead's outcome and its purchase price, written
after the lead's steps.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import orjson

from ingest.simulator.context import ChunkContext, Lead
from ingest.simulator.steps import StepWalk
from ingest.simulator.world import INBOUND_MODULE, Placement

INBOUND_PACKAGE_VERSION = "2.9.14"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def source_event(
    context: ChunkContext, lead: Lead, placement: Placement, walk: StepWalk, cap_hit: bool
) -> dict:
    end_ms = walk.end_ms + context.rng.randint(2, 15)
    total_ms = end_ms - lead.submitted_ms
    outcome, reason = walk.outcome, walk.reason
    event = context.new_event(
        lead,
        lead.host,
        "source",
        outcome,
        reason,
        lead.submitted_ms,
        end_ms,
        walk.wait_ms,
        total_ms - walk.wait_ms,
        cap_hit,
    )
    flow, source = lead.flow, lead.source
    event["module_id"] = INBOUND_MODULE
    event["package_version"] = INBOUND_PACKAGE_VERSION
    event["step_count"] = walk.step_count
    event["acceptance_criteria"] = flow.acceptance_rules
    price = placement.price if outcome == "success" else 0
    event["purchase_price"] = price
    event["cost"] = price
    event["vars"] = {
        "lead": lead.lead_vars,
        "submission": lead.submission_vars,
        "account": context.world.account,
        "flow": lead.flow_vars,
        "source": lead.source_vars,
    }
    event["appended"] = walk.appended
    event["request"] = {
        "method": "POST",
        "uri": f"https://app.leadconduit.com/flows/{flow.id}/sources/{source.id}/submit",
        "headers": FORM_HEADERS,
        "body": "&".join(f"{name}={quote_plus(value)}" for name, value in lead.fields.items()),
    }
    if outcome == "success":
        body = f'{{"outcome":"success","lead":{{"id":"{lead.lead_id}"}},"price":{price}}}'
        event["response"] = {"status": 201, "status_text": "Created", "body": body}
    else:
        body = orjson.dumps(
            {"outcome": outcome, "reason": reason, "lead": {"id": lead.lead_id}}
        ).decode()
        event["response"] = {"status": 200, "status_text": "OK", "body": body}
    return event
