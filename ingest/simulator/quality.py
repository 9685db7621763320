"""The lead-quality stories (issue 15) and the clean days they stay out of.

- **Aged certificates** - source **"Keystone Lead Partners"** (flow "Mortgage Refinance") posts
  leads whose TrustedForm certificates are 50-70 hours old (others: seconds to minutes), mostly
  pasted or autofilled, and ~40% of them fail lead matching, so TrustedForm does not retain
  (claim) them: they stay unclaimed and expire (72 hours after creation) within hours.
- **Returns over threshold** - buyer **"Learnwell Academy"** (flow "Online Education") returns
  ~15% more of what it buys ("Not interested", "Duplicate"): ~20% in all, against the 10% its
  contract allows (``config/alerts.yaml``, rule ``buyer_return_rate``).
- **Duplicates** - source **"Lone Star Leads"** (flow "Auto Insurance - TX") resubmits recent
  leads: ~25% of its leads are duplicates, which the suppression list finds (vs ~3-12%).

Every TrustedForm answer now carries what LeadConduit's TrustedForm step appends besides its
outcome: ``created_at``, ``expires_at`` (the claim window's end), ``form_input_method`` (a list
of ``typing``, ``paste``, ``autofill``) and ``retain`` (the claim: ``outcome``, ``reason``,
``expires_at`` = the retained certificate's end, 5 years on).

These draws use their own random stream (``ChunkContext.quality_rng``), so the other stories'
numbers do not move. On a **clean day** (``simulate(..., clean_days=N)``: the last N days of the
range) no story happens: neither these nor those of ``ingest.simulator.run`` (evening junk, the
buyer outage, the slow enhancement, the returns source, the disabled flow, source caps).
"""

from __future__ import annotations

from ingest.simulator.context import ChunkContext, iso_ms
from ingest.simulator.world import HOUR_MS, SLOW_STEP_RECIPIENT, Recipient, Source

AGED_CERTS_SOURCE = "Keystone Lead Partners"
AGED_CERT_AGE_HOURS = (50, 70)
AGED_CERT_NO_MATCH_SHARE = 0.40
CERT_CLAIM_WINDOW_MS = 72 * HOUR_MS  # an unclaimed certificate expires 72 hours after creation
RETAINED_MS = 5 * 365 * 24 * HOUR_MS
NO_MATCH_SHARE = 0.01  # certificates of other sources that fail lead matching
NO_MATCH_REASON = "Lead data did not match the certificate"
INPUT_METHODS = (  # (upper roll bound, methods): typed mostly, some autofill, a little paste
    (0.80, ["typing"]),
    (0.92, ["typing", "autofill"]),
    (0.96, ["autofill"]),
    (1.00, ["typing", "paste"]),
)
AGED_INPUT_METHODS = ((0.25, ["typing"]), (0.50, ["autofill"]), (1.00, ["paste"]))

RETURNS_BUYER = "Learnwell Academy"
RETURNS_BUYER_EXTRA = 0.15
RETURNS_BUYER_REASONS = ("Not interested", "Not interested", "Duplicate")
RETURNS_BUYER_THRESHOLD = 0.10

DUPLICATES_SOURCE = "Lone Star Leads"
DUPLICATES_SHARE = 0.25

CLEAN_RETURN_RATE = 0.09  # the highest ordinary source return rate
CLEAN_SLOW_WAIT_MS = 230  # an ordinary enhancement's median wait


def trustedform_details(
    context: ChunkContext, source: Source, start_ms: int, age_seconds: int
) -> tuple[int, dict]:
    """(certificate age in seconds, the appended data besides outcome and consent) of a
    certificate TrustedForm found: creation, claim-window expiry, input method and the claim."""
    rng = context.quality_rng
    aged = source.name == AGED_CERTS_SOURCE and not context.clean
    if aged:
        low, high = AGED_CERT_AGE_HOURS
        age_seconds = rng.randint(low * 3600, high * 3600)
    created_ms = (start_ms - age_seconds * 1000) // 1000 * 1000
    roll = rng.random()
    methods = next(
        m for bound, m in (AGED_INPUT_METHODS if aged else INPUT_METHODS) if roll < bound
    )
    matched = rng.random() >= (AGED_CERT_NO_MATCH_SHARE if aged else NO_MATCH_SHARE)
    if matched:
        retain = {
            "outcome": "success",
            "reason": None,
            "expires_at": iso_ms(created_ms + RETAINED_MS),
        }
    else:
        retain = {"outcome": "failure", "reason": NO_MATCH_REASON, "expires_at": None}
    return age_seconds, {
        "created_at": iso_ms(created_ms),
        "expires_at": iso_ms(created_ms + CERT_CLAIM_WINDOW_MS),
        "form_input_method": list(methods),
        "retain": retain,
    }


def extra_return(context: ChunkContext, recipient: Recipient) -> str | None:
    """The reason of a return the story buyer adds to the ordinary ones, or None."""
    if recipient.name != RETURNS_BUYER or context.clean:
        return None
    rng = context.quality_rng
    if rng.random() >= RETURNS_BUYER_EXTRA:
        return None
    return RETURNS_BUYER_REASONS[rng.randrange(len(RETURNS_BUYER_REASONS))]


def extra_duplicate(context: ChunkContext, source: Source) -> bool:
    """Whether the duplicates story turns a fresh lead of ``source`` into a resubmission."""
    if source.name != DUPLICATES_SOURCE or context.clean:
        return False
    return context.quality_rng.random() < DUPLICATES_SHARE


def return_rate(context: ChunkContext, source: Source) -> float:
    """The source's return rate: on a clean day no source is a returns story."""
    return min(source.return_rate, CLEAN_RETURN_RATE) if context.clean else source.return_rate


def wait_median(context: ChunkContext, recipient: Recipient) -> int:
    """The recipient's median remote wait: on a clean day the slow enhancement is ordinary."""
    if context.clean and recipient.name == SLOW_STEP_RECIPIENT:
        return CLEAN_SLOW_WAIT_MS
    return recipient.wait_ms


def quality_stories(sources: list[Source], recipients: list[Recipient], flows: list) -> dict:
    """The stories above, for ``simulation.json`` (names, ids, flows and the numbers to find)."""

    def flow_of(recipient_name: str) -> str:
        return next(
            flow.name
            for flow in flows
            for step in flow.steps
            if step.recipient is not None and step.recipient.name == recipient_name
        )

    source_by_name = {source.name: source for source in sources}
    buyer = next(recipient for recipient in recipients if recipient.name == RETURNS_BUYER)
    aged = source_by_name[AGED_CERTS_SOURCE]
    duplicates = source_by_name[DUPLICATES_SOURCE]
    return {
        "aged_certificates": {
            "source_id": aged.id,
            "source_name": aged.name,
            "flow_name": "Mortgage Refinance",
            "age_hours": list(AGED_CERT_AGE_HOURS),
            "unclaimed_share": AGED_CERT_NO_MATCH_SHARE,
            "claim_window_hours": CERT_CLAIM_WINDOW_MS // HOUR_MS,
        },
        "returns_buyer": {
            "recipient_id": buyer.id,
            "recipient_name": buyer.name,
            "flow_name": flow_of(buyer.name),
            "extra_return_share": RETURNS_BUYER_EXTRA,
            "threshold": RETURNS_BUYER_THRESHOLD,
        },
        "duplicates_source": {
            "source_id": duplicates.id,
            "source_name": duplicates.name,
            "flow_name": "Auto Insurance - TX",
            "duplicate_share": DUPLICATES_SHARE,
        },
    }
