"""Enhancement steps (suppression list, TrustedForm, phone and email verification): what each
service answers for a lead, as a :class:`StepResult` with its HTTP transaction.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from ingest.simulator.context import (
    HTTP_ERRORS,
    ChunkContext,
    StepResult,
    short_text,
    skipped,
)
from ingest.simulator.person import Facts
from ingest.simulator.quality import trustedform_details, wait_median
from ingest.simulator.value_tables import DISPOSABLE_DOMAINS
from ingest.simulator.world import Recipient, Source

_ERROR_BY_REASON = {}
for _error in reversed(HTTP_ERRORS):  # the first error of each reason wins
    _ERROR_BY_REASON[_error.reason] = _error
del _error


def enhance(
    context: ChunkContext,
    recipient: Recipient,
    source: Source,
    facts: Facts,
    is_duplicate: bool,
    lead_fields: dict,
    start_ms: int,
) -> StepResult:
    overhead_ms = context.rng.randint(8, 35)
    kind = recipient.kind
    if kind == "suppression":
        return _suppression(context, recipient, facts, is_duplicate, start_ms, overhead_ms)
    if kind == "trustedform":
        return _trustedform(context, recipient, source, facts, lead_fields, start_ms, overhead_ms)
    if kind == "phone_verify":
        return _phone_verify(context, recipient, facts, start_ms, overhead_ms)
    return _email_verify(context, recipient, facts, start_ms, overhead_ms)


def _suppression(context, recipient, facts, is_duplicate, start_ms, overhead_ms) -> StepResult:
    rng = context.rng
    if rng.random() < 0.002:
        return _error(context, recipient, start_ms, overhead_ms, "Authentication failed")
    found = is_duplicate or rng.random() < 0.008
    output = {"outcome": "success", "query_item": {"found": found}}
    wait_ms = context.remote_wait(recipient.wait_ms)
    value = (facts.phone_raw or facts.email_raw or "").strip()
    transaction = context.json_answer(
        f"{recipient.uri}?value={quote_plus(value)}",
        None,
        start_ms,
        wait_ms,
        '{"found":%s}' % ("true" if found else "false"),
        method="GET",
    )
    return StepResult("success", None, wait_ms, overhead_ms, output, transaction)


def _trustedform(
    context, recipient, source, facts, lead_fields, start_ms, overhead_ms
) -> StepResult:
    rng = context.rng
    skip_reason = "trustedform_cert_url is required" if facts.tf == "missing" else None
    unanswered = _unanswered(context, recipient, start_ms, overhead_ms, skip_reason, 0.002)
    if unanswered is not None:
        return unanswered
    wait_ms = context.remote_wait(recipient.wait_ms)
    cert_url = lead_fields.get("trustedform_cert_url", "")[:120]
    roll = rng.random()
    if facts.tf == "bad" or roll < 0.012:
        failure = "certificate not found"
    elif roll < 0.025:
        failure = "The cert has expired"
    else:
        failure = None
    if failure:
        not_found = "found" in failure
        output = {"outcome": "failure", "reason": failure}
        transaction = context.json_answer(
            cert_url,
            '{"match_lead":{}}',
            start_ms,
            wait_ms,
            f'{{"message":"{failure}"}}',
            status=404 if not_found else 410,
            status_text="Not Found" if not_found else "Gone",
        )
        return StepResult("failure", failure, wait_ms, overhead_ms, output, transaction)
    consent = rng.random() >= source.consent_miss
    age_seconds, details = trustedform_details(context, source, start_ms, rng.randint(4, 900))
    output = {
        "outcome": "success",
        "reason": None,
        "age_in_seconds": age_seconds,
        "consent_language_detected": consent,
        **details,
    }
    transaction = context.json_answer(
        cert_url,
        '{"match_lead":{}}',
        start_ms,
        wait_ms,
        f'{{"outcome":"success","age_seconds":{age_seconds}}}',
    )
    return StepResult("success", None, wait_ms, overhead_ms, output, transaction)


def _phone_verify(context, recipient, facts, start_ms, overhead_ms) -> StepResult:
    rng = context.rng
    skip_reason = None if facts.phone_present else "phone_1 is required"
    unanswered = _unanswered(context, recipient, start_ms, overhead_ms, skip_reason, 0.003)
    if unanswered is not None:
        return unanswered
    wait_ms = context.remote_wait(wait_median(context, recipient))
    if facts.phone_ok:
        status = "valid"
        if rng.random() < 0.68:
            line_type = "mobile"
        else:
            line_type = "landline" if rng.random() < 0.7 else "voip"
    else:
        status, line_type = "invalid", None
    output = {"outcome": "success", "reason": None, "status": status, "line_type": line_type}
    line_type_json = f'"{line_type}"' if line_type else "null"
    transaction = context.json_answer(
        recipient.uri,
        f'{{"phone":"{short_text(facts.phone_raw)}"}}',
        start_ms,
        wait_ms,
        f'{{"phone":{{"status":"{status}","line_type":{line_type_json}}}}}',
    )
    return StepResult("success", None, wait_ms, overhead_ms, output, transaction)


def _email_verify(context, recipient, facts, start_ms, overhead_ms) -> StepResult:
    rng = context.rng
    skip_reason = None if facts.email_ok else "valid email is required"
    unanswered = _unanswered(
        context, recipient, start_ms, overhead_ms, skip_reason, 0.002, "Server error"
    )
    if unanswered is not None:
        return unanswered
    wait_ms = context.remote_wait(recipient.wait_ms)
    roll = rng.random()
    if roll < 0.03:
        status = "invalid"
    elif roll < 0.10:
        status = "accept_all"
    elif roll < 0.13:
        status = "unknown"
    else:
        status = "valid"
    email = facts.email_raw.strip().lower()
    disposable = email.endswith(DISPOSABLE_DOMAINS)
    if status == "invalid":
        outcome, reason = "failure", "Email address is invalid"
    elif status == "unknown" and rng.random() < 0.5:
        outcome, reason = "failure", "No matches found"
    else:
        outcome, reason = "success", None
    output = {"outcome": outcome, "reason": reason, "status": status, "disposable": disposable}
    transaction = context.json_answer(
        recipient.uri,
        f'{{"email":"{short_text(email)}"}}',
        start_ms,
        wait_ms,
        f'{{"email":{{"status":"{status}"}}}}',
    )
    return StepResult(outcome, reason, wait_ms, overhead_ms, output, transaction)


def _unanswered(
    context: ChunkContext,
    recipient: Recipient,
    start_ms: int,
    overhead_ms: int,
    skip_reason: str | None,
    error_share: float,
    error_reason: str = "ESOCKETTIMEDOUT",
) -> StepResult | None:
    """The result when the service is not asked (``skip_reason``) or fails (a share
    ``error_share`` of calls, with ``error_reason``); None when it answers."""
    if skip_reason is not None:
        return skipped(skip_reason, overhead_ms)
    if context.rng.random() < error_share:
        return _error(context, recipient, start_ms, overhead_ms, error_reason)
    return None


def _error(context, recipient, start_ms, overhead_ms, reason) -> StepResult:
    error = _ERROR_BY_REASON[reason]
    if error.status is None:
        wait_ms = context.timeout_wait()
    else:
        wait_ms = context.remote_wait(recipient.wait_ms)
    transaction = context.error_transaction(error, recipient.uri, "{}", start_ms, wait_ms)
    output = {"outcome": "error", "reason": reason}
    return StepResult("error", reason, wait_ms, overhead_ms, output, transaction)
