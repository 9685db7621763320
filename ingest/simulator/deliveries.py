"""Buyer deliveries: whether a buyer is asked, what it answers and what it pays, as a
:class:`StepResult` with its HTTP transaction.
"""

from __future__ import annotations

from ingest.simulator.context import (
    HTTP_ERRORS,
    OUTAGE_ERRORS,
    SOCKET_TIMEOUT,
    ChunkContext,
    StepResult,
    short_text,
    skipped,
)
from ingest.simulator.person import Facts
from ingest.simulator.world import DAY_MS, HOUR_MS, Flow, Recipient

BUYER_REJECTIONS = (
    "Lead rejected: no coverage in area",
    "Lead rejected: outside buying criteria",
    "Lead rejected: no coverage in area",
)
ERROR_SHARE = 0.006
SLOW_HOURS_FACTOR = 2.0  # a slow buyer's answers in its busy hours
ORDINARY_BUYER_WAIT_MS = 440  # the slow buyer's median answer on a clean day


def deliver(
    context: ChunkContext,
    recipient: Recipient,
    flow: Flow,
    facts: Facts,
    lead_fields: dict,
    start_ms: int,
    submitted_ms: int,
    day_index: int,
    sold: bool,
    is_duplicate: bool,
) -> StepResult:
    rng = context.rng
    overhead_ms = rng.randint(10, 40)
    if flow.exclusive and sold:
        return skipped("Step criteria not met", overhead_ms, priced=True)
    cap_met_ms = context.config.buyer_cap_ms.get(
        (context.recipient_index[id(recipient)], day_index)
    )
    if cap_met_ms is not None and submitted_ms >= cap_met_ms:
        return skipped("Recipient cap met", overhead_ms, priced=True, caps_reached=True)
    if recipient.requires_email and not facts.email_ok:
        return skipped("valid email is required", overhead_ms, priced=True)
    first_name = short_text(lead_fields.get("first_name", ""))
    phone = short_text(facts.phone_raw or "")
    zip_code = short_text(lead_fields.get("postal_code", ""))
    request_body = f'{{"first":"{first_name}","phone":"{phone}","zip":"{zip_code}"}}'
    error = None
    if recipient.outage_day is not None and day_index == recipient.outage_day:
        error = OUTAGE_ERRORS[rng.randrange(len(OUTAGE_ERRORS))]
    elif rng.random() < ERROR_SHARE:
        error = HTTP_ERRORS[rng.randrange(len(HTTP_ERRORS))]
    wait_ms = _buyer_wait(context, recipient, start_ms)
    if error is None and recipient.timeout_ms is not None and wait_ms > recipient.timeout_ms:
        error = SOCKET_TIMEOUT  # LeadConduit gives up on the buyer
    if error is not None:
        if error is SOCKET_TIMEOUT and recipient.timeout_ms is not None:
            wait_ms = recipient.timeout_ms + rng.randint(0, 250)
        elif error.status is None:
            wait_ms = context.timeout_wait()
        elif error.status >= 500:
            wait_ms = rng.randint(30, 400)
        transaction = context.error_transaction(
            error, recipient.uri, request_body, start_ms, wait_ms
        )
        output = {"outcome": "error", "reason": error.reason, "price": 0}
        return StepResult("error", error.reason, wait_ms, overhead_ms, output, transaction)
    failure = None
    status = 200
    roll = rng.random()
    if recipient.requires_phone and not facts.phone_ok:
        failure, status = "PhoneNumber is a required field.", 422
    elif recipient.checks_zip and not facts.zip_ok:
        failure, status = "Invalid zip code", 422
    elif roll < (0.35 if is_duplicate else 0.04):
        failure = "Duplicate"
    elif recipient.unpaid and roll < 0.06:
        failure = "Unpaid account"
    elif roll > recipient.accept:
        failure = BUYER_REJECTIONS[rng.randrange(len(BUYER_REJECTIONS))]
    if failure:
        if status == 422:
            body = f'{{"errors":["{failure}"]}}'
            status_text = "Unprocessable Entity"
        else:
            body = f'{{"status":"rejected","reason":"{failure}"}}'
            status_text = "OK"
        transaction = context.json_answer(
            recipient.uri,
            request_body,
            start_ms,
            wait_ms,
            body,
            status=status,
            status_text=status_text,
        )
        output = {"outcome": "failure", "reason": failure, "price": 0}
        return StepResult("failure", failure, wait_ms, overhead_ms, output, transaction)
    price = recipient.price
    if recipient.price_jitter:
        jitter = recipient.price_jitter
        price = round(price * rng.uniform(1 - jitter, 1 + jitter) * 4) / 4
    transaction = context.json_answer(
        recipient.uri,
        request_body,
        start_ms,
        wait_ms,
        accepted_body(price),
    )
    output = {"outcome": "success", "reason": None, "price": price}
    return StepResult("success", None, wait_ms, overhead_ms, output, transaction, price)


def _buyer_wait(context: ChunkContext, recipient: Recipient, start_ms: int) -> int:
    """How long the buyer takes to answer (slower in its busy hours, if it has any). On a clean
    day the slow buyer is an ordinary one."""
    if recipient.slow_hours is not None and context.clean:
        return context.remote_wait(ORDINARY_BUYER_WAIT_MS)
    median_ms = recipient.wait_ms
    if recipient.slow_hours is not None:
        hour = (start_ms % DAY_MS) // HOUR_MS
        if recipient.slow_hours[0] <= hour < recipient.slow_hours[1]:
            median_ms = int(median_ms * SLOW_HOURS_FACTOR)
    return context.remote_wait(median_ms)


def accepted_body(price: float) -> str:
    """A buyer's response body when it buys a lead."""
    return f'{{"status":"accepted","price":{price}}}'
