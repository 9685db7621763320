"""Retries of errored deliveries, minutes later: a ``retry`` event that starts it and one with
the buyer's new answer.
"""

from __future__ import annotations

from ingest.simulator.context import (
    HTTP_ERRORS,
    OUTAGE_ERRORS,
    ChunkContext,
    DeliveryAttempt,
    Lead,
    recipient_fields,
)
from ingest.simulator.deliveries import accepted_body
from ingest.simulator.world import DAY_MS

RETRY_SHARE = 0.85  # of errored deliveries
RETRY_ERROR_SHARE = 0.12
RETRY_SUCCESS_SHARE = 0.75  # of retries that get an answer


def retry_events(context: ChunkContext, lead: Lead, errored: DeliveryAttempt) -> list[dict]:
    """The two events of one retry (none when it would fall after the simulated range)."""
    rng = context.rng
    step, recipient = errored.step, errored.recipient
    start_ms = errored.end_ms + rng.randint(5 * 60_000, 30 * 60_000)
    if start_ms + 60_000 >= context.horizon_ms:
        return []
    host = context.random_host()
    recipient_ref = context.recipient_refs[id(recipient)]
    lead_view = {"id": lead.lead_id}
    end_ms = start_ms + rng.randint(2, 6)
    started = context.new_event(
        lead,
        host,
        "retry",
        "error",
        errored.reason,
        start_ms,
        end_ms,
        0,
        end_ms - start_ms,
    )
    recipient_fields(started, step, recipient, 0, 0)
    started["retry_status"] = "started"
    started["vars"] = lead.recipient_vars(lead_view, recipient_ref, started["id"])
    started["transactions"] = []

    start_ms = end_ms + rng.randint(1, 5)
    overhead_ms = rng.randint(10, 40)
    retry_day = (start_ms - context.config.day0_ms) // DAY_MS
    if recipient.outage_day is not None and retry_day == recipient.outage_day:
        error = OUTAGE_ERRORS[rng.randrange(len(OUTAGE_ERRORS))]
    elif rng.random() < RETRY_ERROR_SHARE:
        error = HTTP_ERRORS[rng.randrange(len(HTTP_ERRORS))]
    else:
        error = None
    if error is not None:
        outcome, reason, price = "error", error.reason, 0
        wait_ms = context.timeout_wait() if error.status is None else rng.randint(30, 400)
    else:
        wait_ms = context.remote_wait(recipient.wait_ms)
        if rng.random() < RETRY_SUCCESS_SHARE:
            outcome, reason, price = "success", None, recipient.price
            body = accepted_body(price)
        else:
            outcome, reason, price = "failure", "Duplicate", 0
            body = '{"status":"rejected","reason":"Duplicate"}'
    end_ms = start_ms + wait_ms + overhead_ms
    completed = context.new_event(
        lead,
        host,
        "retry",
        outcome,
        reason,
        start_ms,
        end_ms,
        wait_ms,
        overhead_ms,
    )
    recipient_fields(completed, step, recipient, price, recipient.cost)
    completed["retry_status"] = "completed"
    completed["vars"] = lead.recipient_vars(lead_view, recipient_ref, completed["id"])
    completed[recipient.key] = {"outcome": outcome, "reason": reason, "price": price}
    if error is not None:
        transaction = context.error_transaction(error, recipient.uri, "{}", start_ms, wait_ms)
    else:
        transaction = context.json_answer(recipient.uri, "{}", start_ms, wait_ms, body)
    completed["transactions"] = [transaction]
    return [started, completed]
