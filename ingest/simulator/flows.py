"""The operation's five flows and their steps (filters, enhancements, buyer deliveries)."""

from __future__ import annotations

from ingest.simulator.recipients import RecipientRoster
from ingest.simulator.world import DISABLED_FLOW, Flow, IdMaker, Recipient, Step

SOLAR_STATES = ("CA", "AZ", "NV", "TX", "FL", "NJ", "CO", "NC")


def _rules(*rules: dict, op: str = "and") -> dict:
    return {"op": op, "rules": list(rules)}


def build_flows(ids: IdMaker, roster: RecipientRoster) -> list[Flow]:
    """auto_tx, auto_nat, mortgage, solar, education (the stories refer to them by position)."""

    def filter_step(name, check, reason, rules, lead_fields=(), appended=()) -> Step:
        return Step(
            ids.step_id(),
            "filter",
            name,
            None,
            check,
            reason,
            rules,
            tuple(lead_fields),
            tuple(appended),
        )

    def recipient_step(recipient: Recipient) -> Step:
        return Step(ids.step_id(), "recipient", recipient.name, recipient)

    tf_filter_rules = _rules(
        {"op": "is not equal to", "lhv": "trustedform.outcome", "rhv": "success"},
        {"op": "is false", "lhv": "trustedform.consent_language_detected"},
        op="or",
    )

    def tf_consent_step() -> Step:
        return filter_step(
            "TrustedForm consent",
            "tf_consent",
            None,
            tf_filter_rules,
            ("trustedform_cert_url",),
            ("trustedform",),
        )

    phone_rules = _rules({"op": "is equal to", "lhv": "briteverify_phone.status", "rhv": "invalid"})

    auto_tx = Flow(
        id=ids.oid(),
        name="Auto Insurance - TX",
        vertical="auto_insurance",
        acceptance="state_in",
        acceptance_states=frozenset({"TX"}),
        acceptance_reason="Lead must live in TX",
        acceptance_rules=_rules({"op": "is equal to", "lhv": "lead.state", "rhv": "TX"}),
        dedupe_reason=None,
        exclusive=False,
        parsed_in_enhancements=True,
        state_mix=(("TX", 0.93),),
    )
    auto_tx.steps = [
        recipient_step(roster.suppression),
        filter_step(
            "Duplicate check",
            "dup_found",
            "Duplicate lead",
            _rules({"op": "is true", "lhv": "suppressionlist.query_item.found"}),
            ("email", "phone_1"),
            ("suppressionlist",),
        ),
        recipient_step(roster.trustedform),
        tf_consent_step(),
        recipient_step(roster.lone_star),
        recipient_step(roster.gulf),
    ]
    auto_nat = Flow(
        id=ids.oid(),
        name="Auto Insurance - National",
        vertical="auto_insurance",
        acceptance="state_not_in",
        acceptance_states=frozenset({"CA", "MA", "NY"}),
        acceptance_reason="Leads not accepted in CA, MA or NY",
        acceptance_rules=_rules(
            {"op": "is not included in", "lhv": "lead.state", "rhv": "CA, MA, NY"}
        ),
        dedupe_reason="duplicate",
        exclusive=False,
        parsed_in_enhancements=False,
        state_mix=None,
    )
    auto_nat.steps = [
        filter_step(
            "Required fields",
            "required_phone",
            "phone_1 is required",
            _rules({"op": "is blank", "lhv": "lead.phone_1"}),
            ("phone_1",),
        ),
        recipient_step(roster.bv_phone),
        filter_step(
            "Valid phone required",
            "phone_valid",
            "Phone number is invalid",
            phone_rules,
            ("phone_1",),
            ("briteverify_phone",),
        ),
        recipient_step(roster.allied),
        recipient_step(roster.everest),
        recipient_step(roster.pioneer),
    ]
    mortgage = Flow(
        id=ids.oid(),
        name="Mortgage Refinance",
        vertical="mortgage",
        acceptance=None,
        acceptance_states=frozenset(),
        acceptance_reason=None,
        acceptance_rules=None,
        dedupe_reason="Duplicate lead",
        exclusive=True,
        parsed_in_enhancements=True,
        state_mix=None,
    )
    mortgage.steps = [
        filter_step(
            "Loan amount minimum",
            "loan_min",
            "Loan amount criteria not met (75,000 minimum)",
            _rules({"op": "is less than", "lhv": "lead.mortgage.loan_amount.min", "rhv": "75000"}),
            ("mortgage.loan_amount",),
        ),
        recipient_step(roster.bv_email),
        recipient_step(roster.trustedform),
        tf_consent_step(),
        recipient_step(roster.summit),
        recipient_step(roster.blue_ridge),
        recipient_step(roster.harbor),
    ]
    solar = Flow(
        id=ids.oid(),
        name="Residential Solar",
        vertical="solar",
        acceptance="state_in",
        acceptance_states=frozenset(SOLAR_STATES),
        acceptance_reason=f"Lead must live in a solar service state ({', '.join(SOLAR_STATES)})",
        acceptance_rules=_rules(
            {"op": "is included in", "lhv": "lead.state", "rhv": ", ".join(SOLAR_STATES)}
        ),
        dedupe_reason="duplicate",
        exclusive=True,
        parsed_in_enhancements=False,
        state_mix=(
            ("CA", 0.3),
            ("TX", 0.15),
            ("FL", 0.15),
            ("AZ", 0.1),
            ("NJ", 0.06),
            ("NV", 0.05),
            ("CO", 0.05),
            ("NC", 0.04),
        ),
    )
    solar.steps = [
        filter_step(
            "Homeowners only",
            "homeowner",
            "Homeowner criteria not met",
            _rules({"op": "is not equal to", "lhv": "lead.residence_type", "rhv": "Own"}),
            ("residence_type",),
        ),
        recipient_step(roster.linecheck),
        filter_step(
            "Valid phone required",
            "phone_valid",
            "Phone number is invalid",
            _rules({"op": "is equal to", "lhv": "linecheck.status", "rhv": "invalid"}),
            ("phone_1",),
            ("linecheck",),
        ),
        recipient_step(roster.sunpeak),
        recipient_step(roster.brightline),
    ]
    education = Flow(
        id=ids.oid(),
        name=DISABLED_FLOW,
        vertical="education",
        acceptance=None,
        acceptance_states=frozenset(),
        acceptance_reason=None,
        acceptance_rules=None,
        dedupe_reason="Duplicate lead",
        exclusive=False,
        parsed_in_enhancements=False,
        state_mix=None,
    )
    education.steps = [
        filter_step(
            "Age 18+",
            "age18",
            "Age criteria not met: must be 18 or older",
            _rules({"op": "is less than", "lhv": "lead.dob.age", "rhv": "18"}),
            ("dob",),
        ),
        recipient_step(roster.bv_email),
        filter_step(
            "Valid email required",
            "email_valid",
            "Email address is invalid",
            _rules({"op": "is not equal to", "lhv": "briteverify.outcome", "rhv": "success"}),
            ("email",),
            ("briteverify",),
        ),
        recipient_step(roster.crestview),
        recipient_step(roster.learnwell),
    ]
    return [auto_tx, auto_nat, mortgage, solar, education]
