"""A lead's walk through its flow's steps: filters, enhancements and buyer deliveries, each
writing its event, until a filter stops the lead or the steps run out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.simulator.context import (
    ChunkContext,
    DeliveryAttempt,
    Lead,
    StepResult,
    recipient_fields,
)
from ingest.simulator.deliveries import deliver
from ingest.simulator.enhancements import enhance
from ingest.simulator.filters import filter_event
from ingest.simulator.values import email_parsed, phone_parsed
from ingest.simulator.world import Recipient, Step

# The lead fields a buyer's mapping sends (what delivery events show in vars.lead).
DELIVERY_FIELDS = ("first_name", "last_name", "phone_1", "postal_code")


@dataclass
class StepWalk:
    """Where a lead's steps left it: the source event's outcome and what later events need."""

    outcome: str
    reason: str | None
    end_ms: int  # when the last step ended (or when the steps would have started)
    step_count: int = 0
    wait_ms: int = 0  # total remote wait of the recipient steps
    appended: dict = field(default_factory=dict)  # enhancement outputs by recipient key
    deliveries: list[DeliveryAttempt] = field(default_factory=list)  # accepted by the buyer
    errored: list[DeliveryAttempt] = field(default_factory=list)


def walk_steps(context: ChunkContext, lead: Lead, start_ms: int, events: list[dict]) -> StepWalk:
    """Run the lead through its flow's steps from ``start_ms``, appending their events."""
    rng = context.rng
    flow = lead.flow
    walk = StepWalk("success", None, start_ms)
    appended = walk.appended
    sold = False
    first_error = None
    delivery_view = None
    for step in flow.steps:
        walk.step_count += 1
        step_start_ms = walk.end_ms + rng.randint(1, 3)
        if step.kind == "filter":
            event, stop_reason = filter_event(context, lead, step, appended, step_start_ms)
            events.append(event)
            walk.end_ms = event["end_timestamp"]
            if stop_reason:
                walk.outcome, walk.reason = "failure", stop_reason
                return walk
            continue
        recipient = step.recipient
        if not recipient.is_delivery:
            result = enhance(
                context,
                recipient,
                lead.source,
                lead.facts,
                lead.is_duplicate,
                lead.fields,
                step_start_ms,
            )
            if flow.parsed_in_enhancements and not appended:
                lead_view = _parsed_lead_view(lead)
            else:
                lead_view = lead.lead_vars
        else:
            result = deliver(
                context,
                recipient,
                flow,
                lead.facts,
                lead.fields,
                step_start_ms,
                lead.submitted_ms,
                lead.day_index,
                sold,
                lead.is_duplicate,
            )
            if delivery_view is None:
                delivery_view = {"id": lead.lead_id}
                for name in DELIVERY_FIELDS:
                    value = lead.fields.get(name)
                    if value is not None:
                        delivery_view[name] = value
            lead_view = delivery_view
        event = _recipient_event(context, lead, step, recipient, result, step_start_ms, lead_view)
        events.append(event)
        walk.wait_ms += result.wait_ms
        walk.end_ms = event["end_timestamp"]
        if not recipient.is_delivery:
            appended[recipient.key] = result.output
        elif result.outcome == "success":
            sold = True
            walk.deliveries.append(DeliveryAttempt(event["id"], step, recipient, walk.end_ms, None))
        elif result.outcome == "error":
            walk.errored.append(
                DeliveryAttempt(event["id"], step, recipient, walk.end_ms, result.reason)
            )
            if first_error is None:
                first_error = result.reason
    if sold:
        walk.outcome, walk.reason = "success", None
    elif first_error is not None:
        walk.outcome, walk.reason = "error", first_error
    else:
        walk.outcome, walk.reason = "failure", "no bid"
    return walk


def _parsed_lead_view(lead: Lead) -> dict:
    """The first enhancement of some flows shows email and phone as parsed objects."""
    view = dict(lead.lead_vars)
    facts = lead.facts
    if facts.email_raw is not None:
        view["email"] = email_parsed(facts.email_raw, facts.email_ok)
    if facts.phone_raw is not None:
        view["phone_1"] = phone_parsed(facts.phone_raw, facts.phone_comp)
    return view


def _recipient_event(
    context: ChunkContext,
    lead: Lead,
    step: Step,
    recipient: Recipient,
    result: StepResult,
    start_ms: int,
    lead_view: dict,
) -> dict:
    end_ms = start_ms + result.wait_ms + result.overhead_ms
    event = context.new_event(
        lead,
        lead.host,
        "recipient",
        result.outcome,
        result.reason,
        start_ms,
        end_ms,
        result.wait_ms,
        result.overhead_ms,
        result.caps_reached,
    )
    cost = recipient.cost if result.transaction is not None else 0
    recipient_fields(event, step, recipient, result.sale_price, cost, result.caps_reached)
    recipient_ref = context.recipient_refs[id(recipient)]
    if not recipient.is_delivery:
        event["vars"] = {
            "lead": lead_view,
            "submission": lead.submission_vars,
            "account": context.world.account,
            "flow": lead.flow_vars,
            "source": lead.source_vars,
            "recipient": recipient_ref,
        }
    else:
        event["vars"] = lead.recipient_vars(lead_view, recipient_ref, event["id"])
    event[recipient.key] = result.output
    event["transactions"] = [] if result.transaction is None else [result.transaction]
    return event
