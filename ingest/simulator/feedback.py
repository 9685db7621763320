"""Feedback on sold leads, days later: a buyer's return or conversion (``feedback-received``)
and, for most returns, the return passed on to the source (``feedback-sent``).
"""

from __future__ import annotations

from ingest.simulator.context import ChunkContext, DeliveryAttempt, Lead, iso_ms, slug
from ingest.simulator.quality import extra_return, return_rate
from ingest.simulator.world import DAY_MS, LATE_RETURN_DAYS, RETURNS_SOURCE

RETURN_REASONS = ("Wrong number", "Wrong number", "Not interested", "Not interested", "Duplicate")
CONVERSION_REASONS = ("Sold", "Sold", "Appointment set")
FORWARDED_RETURN_SHARE = 0.65  # of returns, passed on to the source
# (outcome, reason, HTTP status, response body) of a forwarded return, with its upper roll bound
FORWARD_ANSWERS = (
    (0.9, ("success", None, 200, '{"status":"ok"}')),
    (
        0.95,
        (
            "failure",
            "Return window expired",
            200,
            '{"status":"rejected","reason":"Return window expired"}',
        ),
    ),
    (1.0, ("skip", "Source does not accept returns", None, None)),
)


def feedback_events(context: ChunkContext, lead: Lead, delivery: DeliveryAttempt) -> list[dict]:
    """The feedback events of one sold lead (often none)."""
    rng = context.rng
    source, facts, recipient = lead.source, lead.facts, delivery.recipient
    return_share = return_rate(context, source) * (3.0 if not facts.phone_ok else 1.0)
    late_returns = recipient.late_returns and not context.clean
    if late_returns:
        return_share *= 2.0
    conversion_share = recipient.conv_rate * (0.3 if not facts.phone_ok else 1.0)
    roll = rng.random()
    if roll < return_share:
        kind = "return"
        if not facts.phone_ok or source.name == RETURNS_SOURCE and rng.random() < 0.4:
            reason = "Wrong number"
        else:
            reason = RETURN_REASONS[rng.randrange(len(RETURN_REASONS))]
    elif roll < return_share + conversion_share:
        kind = "conversion"
        reason = CONVERSION_REASONS[rng.randrange(len(CONVERSION_REASONS))]
    else:
        reason = extra_return(context, recipient)
        if reason is None:
            return []
        kind = "return"
    if kind == "return" and late_returns:
        delay_ms = rng.randint(LATE_RETURN_DAYS[0] * DAY_MS, LATE_RETURN_DAYS[1] * DAY_MS)
    else:
        delay_ms = rng.randint(DAY_MS, 5 * DAY_MS)
    start_ms = (delivery.end_ms + delay_ms) // 1000 * 1000
    if start_ms + 120_000 >= context.horizon_ms:
        return []
    end_ms = start_ms + rng.randint(15, 90)
    host = context.random_host()
    feedback = {"type": kind, "reason": reason, "timestamp": iso_ms(start_ms)}
    event_vars = {
        "lead": {"id": lead.lead_id},
        "submission": {"timestamp": lead.submission_vars["timestamp"]},
        "flow": lead.flow_vars,
        "source": lead.source_vars,
        "recipient": context.recipient_refs[id(recipient)],
        "feedback": feedback,
    }

    def event(event_type, outcome, event_reason, start_ms, end_ms, wait_ms, overhead_ms) -> dict:
        created = context.new_event(
            lead,
            host,
            event_type,
            outcome,
            event_reason,
            start_ms,
            end_ms,
            wait_ms,
            overhead_ms,
        )
        created["recipient_event_id"] = delivery.event_id
        created["step_id"] = delivery.step.step_id
        created["module_id"] = recipient.module_id
        created["vars"] = event_vars
        return created

    events = [event("feedback-received", "success", reason, start_ms, end_ms, 0, end_ms - start_ms)]
    if kind == "return" and rng.random() < FORWARDED_RETURN_SHARE:
        start_ms = end_ms + rng.randint(500, 20_000)
        roll = rng.random()
        outcome, sent_reason, status, body = next(
            answer for bound, answer in FORWARD_ANSWERS if roll < bound
        )
        if status is None:
            wait_ms = 0
            transactions = []
        else:
            wait_ms = context.remote_wait(300)
            transactions = [
                context.json_answer(
                    f"https://returns.{slug(source.name)}.example/api/returns",
                    f'{{"lead_id":"{lead.lead_id}","reason":"{reason}"}}',
                    start_ms,
                    wait_ms,
                    body,
                    status=status,
                )
            ]
        overhead_ms = rng.randint(5, 30)
        end_ms = start_ms + wait_ms + overhead_ms
        sent = event("feedback-sent", outcome, sent_reason, start_ms, end_ms, wait_ms, overhead_ms)
        sent["transactions"] = transactions
        events.append(sent)
    return events
