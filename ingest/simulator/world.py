"""The simulated lead operation's fixed entities: account, flows, steps, sources, buyers.

Names and structure are constants (the dashboards' stories refer to them by name); ids, prices
and caps are drawn from the seed. Nothing here does I/O. See ``ingest.simulator.run`` for the
stories.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

# --------------------------------------------------------------------------- story constants
EVENING_SOURCE = "ClickPath Digital"  # junk phones 18:00-22:00 UTC -> "Valid phone required" stops
EVENING_HOURS_UTC = (18, 22)  # [start, end) hours
EVENING_BAD_PHONE_SHARE = 0.5
OUTAGE_BUYER = "Summit Mortgage Partners"  # every delivery errors for one whole day
OUTAGE_DAY_INDEX = 4  # day 5 of the range (the last day when the range is shorter)
SLOW_STEP_RECIPIENT = "LineCheck Phone Lookup"  # wait_ms ~4.5 s vs ~200 ms elsewhere
RETURNS_SOURCE = "BargainLeads Network"  # ~30% of its delivered leads are returned
DISABLED_FLOW = "Online Education"  # "Flow is disabled" 03:00-04:00 UTC on day 3
DISABLED_DAY_INDEX = 2
DEPLOY_DAY_INDEX = 10  # handler_version changes from this day on

ACCOUNT_NAME = "Acme Lead Exchange"
DELIVERY_MODULE = "leadconduit-custom.outbound.json"
INBOUND_MODULE = "leadconduit-default.inbound"

# Field ids, in the order they appear in vars.lead, submissions and CSV columns.
STANDARD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone_1",
    "phone_2",
    "address_1",
    "city",
    "state",
    "postal_code",
    "dob",
    "gender",
    "ip_address",
    "trustedform_cert_url",
)
VERTICAL_FIELDS = (
    "vehicle.year",
    "mortgage.loan_amount",
    "mortgage.loan.purpose",
    "residence_type",
    "education_level",
)
CUSTOM_FIELDS = ("currently_insured_acme", "credit_rating_acme")
ALL_FIELDS = STANDARD_FIELDS + VERTICAL_FIELDS + CUSTOM_FIELDS


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from the main seed and labels (stable across runs and Python versions)."""
    text = "/".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp()) * 1000


# --------------------------------------------------------------------------- entity classes


@dataclass
class Recipient:
    """An outbound integration step's target: an enhancement service or a buyer."""

    id: str
    name: str
    module_id: str
    package_version: str
    key: str  # top-level property holding the integration output
    kind: str  # suppression | trustedform | phone_verify | email_verify | delivery
    uri: str
    wait_ms: int  # median remote wait
    cost: float = 0.0
    # deliveries only
    price: float = 0.0
    price_jitter: float = 0.0  # variable bids: price * U(1-j, 1+j)
    accept: float = 0.7
    requires_phone: bool = False
    requires_email: bool = False
    checks_zip: bool = False
    unpaid: bool = False
    conv_rate: float = 0.06
    daily_cap: int | None = None
    cap_share: float = 0.6  # estimated share of the flow's leads it accepts (for cap times)
    outage_day: int | None = None  # day index of the whole-day outage

    @property
    def is_delivery(self) -> bool:
        return self.kind == "delivery"

    def ref(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass
class Step:
    step_id: str
    kind: str  # filter | recipient
    name: str
    recipient: Recipient | None = None
    check: str | None = None  # filters: dup_found | tf_consent | phone_valid | homeowner | age18
    reason: str | None = None
    rule_set: dict | None = None
    lead_fields: tuple[str, ...] = ()
    appended_keys: tuple[str, ...] = ()


@dataclass
class Flow:
    id: str
    name: str
    vertical: str
    acceptance: str | None  # state_in | state_not_in | None
    acceptance_states: frozenset[str]
    acceptance_reason: str | None
    acceptance_rules: dict | None
    dedupe_reason: str | None  # built-in duplicate check (None: a suppression-list step does it)
    exclusive: bool  # waterfall: stop delivering once a buyer accepted
    parsed_in_enhancements: bool
    state_mix: tuple[tuple[str, float], ...] | None  # targeted states (code, share)
    steps: list[Step] = field(default_factory=list)

    def ref(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass
class Source:
    id: str
    name: str
    ip: str
    bad: float  # base invalid-value share
    dup: float  # duplicate-lead share
    tf_missing: float
    consent_miss: float
    return_rate: float
    intl: float  # share of Canadian/British leads
    daily_cap: int | None = None
    cap_share: float = 0.0

    def ref(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass
class Placement:
    """A source posting into a flow."""

    source: int
    flow: int
    weight: float
    price: float


@dataclass
class World:
    seed: int
    start_date: date
    days: int
    account: dict
    flows: list[Flow]
    sources: list[Source]
    recipients: list[Recipient]
    placements: list[Placement]
    hosts: tuple[str, ...]
    outage_day: int
    disabled_flow: int
    disabled_window: tuple[int, int]  # epoch ms [start, end)
    deploy_ms: int
    stories: dict


# --------------------------------------------------------------------------- construction

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class _Ids:
    def __init__(self, r: random.Random, start: date):
        self.r = r
        self.start_s = epoch_ms(start) // 1000
        self.machine = r.getrandbits(40)
        self.counter = r.getrandbits(24)

    def oid(self, min_days: int = 200, max_days: int = 1500) -> str:
        secs = self.start_s - self.r.randint(min_days * 86400, max_days * 86400)
        self.counter = (self.counter + 1) & 0xFFFFFF
        return f"{secs:08x}{self.machine:010x}{self.counter:06x}"

    def step_id(self) -> str:
        return "".join(self.r.choice(_ID_ALPHABET) for _ in range(6))


def _rules(*rules: dict, op: str = "and") -> dict:
    return {"op": op, "rules": list(rules)}


SOLAR_STATES = ("CA", "AZ", "NV", "TX", "FL", "NJ", "CO", "NC")


def build_world(seed: int, start_date: date, leads: int, days: int) -> World:
    r = random.Random(derive_seed(seed, "world"))
    ids = _Ids(r, start_date)
    per_day = max(leads / max(days, 1), 1.0)
    outage_day = min(OUTAGE_DAY_INDEX, days - 1)
    disabled_day = min(DISABLED_DAY_INDEX, days - 1)
    deploy_day = min(DEPLOY_DAY_INDEX, days)

    account = {"id": ids.oid(1500, 2200), "name": ACCOUNT_NAME}

    def rcp(name, module, version, key, kind, uri, wait, cost=0.0, **kw) -> Recipient:
        return Recipient(ids.oid(), name, module, version, key, kind, uri, wait, cost, **kw)

    suppression = rcp(
        "SuppressionList",
        "leadconduit-suppressionlist.outbound.query_item",
        "3.4.1",
        "suppressionlist",
        "suppression",
        "https://app.suppressionlist.com/lists/leads/items",
        170,
        0.002,
    )
    trustedform = rcp(
        "TrustedForm",
        "leadconduit-trustedform.outbound.v4",
        "4.6.2",
        "trustedform",
        "trustedform",
        "https://cert.trustedform.com",
        230,
        0.05,
    )
    bv_email = rcp(
        "BriteVerify Email",
        "leadconduit-briteverify.outbound.email",
        "2.3.0",
        "briteverify",
        "email_verify",
        "https://bpi.briteverify.com/api/v1/fullverify",
        210,
        0.01,
    )
    bv_phone = rcp(
        "BriteVerify Phone",
        "leadconduit-briteverify.outbound.phone",
        "2.3.0",
        "briteverify_phone",
        "phone_verify",
        "https://bpi.briteverify.com/api/v1/fullverify",
        190,
        0.01,
    )
    linecheck = rcp(
        SLOW_STEP_RECIPIENT,
        "leadconduit-linecheck.outbound.lookup",
        "1.8.3",
        "linecheck",
        "phone_verify",
        "https://api.linecheck.example/v3/lookup",
        4500,
        0.015,
    )

    def buyer(name, host, price, **kw) -> Recipient:
        return rcp(
            name,
            DELIVERY_MODULE,
            "2.23.8",
            "custom",
            "delivery",
            f"https://{host}",
            kw.pop("wait", 650),
            0.0,
            price=round(price * r.uniform(0.95, 1.05) * 4) / 4,
            **kw,
        )

    lone_star = buyer(
        "Lone Star Auto Agency",
        "buyer.lonestarauto.example/leads",
        18.5,
        accept=0.72,
        checks_zip=True,
        conv_rate=0.08,
        wait=720,
    )
    gulf = buyer(
        "Gulf Coast Insurance Group",
        "api.gulfcoast.example/v2/lead",
        15.0,
        accept=0.66,
        requires_phone=True,
        conv_rate=0.06,
        wait=440,
    )
    allied = buyer(
        "Allied Auto Quotes",
        "post.alliedautoquotes.example/api/leads",
        12.0,
        accept=0.70,
        requires_phone=True,
        conv_rate=0.05,
        wait=520,
    )
    everest = buyer(
        "Everest Insurance Marketing",
        "leads.everestins.example/inbound",
        14.0,
        accept=0.62,
        checks_zip=True,
        conv_rate=0.07,
        wait=880,
        cap_share=0.55,
    )
    pioneer = buyer(
        "Pioneer Direct Insurance",
        "pioneerdirect.example/lead/post",
        9.5,
        accept=0.75,
        unpaid=True,
        conv_rate=0.04,
        wait=390,
        price_jitter=0.2,
    )
    summit = buyer(
        OUTAGE_BUYER,
        "api.summitmortgage.example/v1/leads",
        45.0,
        accept=0.55,
        requires_email=True,
        conv_rate=0.09,
        wait=950,
        outage_day=outage_day,
    )
    blue_ridge = buyer(
        "Blue Ridge Lending",
        "blueridgelending.example/api/post",
        38.0,
        accept=0.6,
        checks_zip=True,
        conv_rate=0.07,
        wait=610,
    )
    harbor = buyer(
        "Harbor Home Loans",
        "harborhomeloans.example/leads",
        30.0,
        accept=0.68,
        conv_rate=0.05,
        wait=540,
        price_jitter=0.25,
    )
    sunpeak = buyer(
        "SunPeak Solar",
        "crm.sunpeaksolar.example/api/leads",
        35.0,
        accept=0.6,
        requires_phone=True,
        conv_rate=0.08,
        wait=760,
    )
    brightline = buyer(
        "Brightline Energy",
        "brightline-energy.example/intake",
        28.0,
        accept=0.7,
        checks_zip=True,
        conv_rate=0.06,
        wait=500,
        cap_share=0.3,
    )
    crestview = buyer(
        "Crestview University Online",
        "admissions.crestview.example/api",
        22.0,
        accept=0.64,
        requires_email=True,
        conv_rate=0.05,
        wait=680,
    )
    learnwell = buyer(
        "Learnwell Academy",
        "learnwell.example/leads/new",
        16.0,
        accept=0.72,
        conv_rate=0.04,
        wait=420,
        price_jitter=0.15,
    )

    # Daily caps, sized to the average daily volume so that busy days hit them.
    def cap(share_of_day: float) -> int:
        return max(1, round(per_day * share_of_day))

    # Every buyer has a daily cap; only these two are tight enough to be met on busy days.
    for b in (
        lone_star,
        gulf,
        allied,
        pioneer,
        summit,
        blue_ridge,
        harbor,
        sunpeak,
        crestview,
        learnwell,
    ):
        b.daily_cap = cap(0.5) // 10 * 10 + 50
    everest.daily_cap = cap(0.11)
    brightline.daily_cap = cap(0.035)

    def f_step(name, check, reason, rules, lead_fields=(), appended=()) -> Step:
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

    def r_step(rec: Recipient) -> Step:
        return Step(ids.step_id(), "recipient", rec.name, rec)

    tf_filter_rules = _rules(
        {"op": "is not equal to", "lhv": "trustedform.outcome", "rhv": "success"},
        {"op": "is false", "lhv": "trustedform.consent_language_detected"},
        op="or",
    )
    phone_rules = _rules({"op": "is equal to", "lhv": "briteverify_phone.status", "rhv": "invalid"})

    auto_tx = Flow(
        ids.oid(),
        "Auto Insurance - TX",
        "auto_insurance",
        "state_in",
        frozenset({"TX"}),
        "Lead must live in TX",
        _rules({"op": "is equal to", "lhv": "lead.state", "rhv": "TX"}),
        None,
        False,
        True,
        (("TX", 0.93),),
    )
    auto_tx.steps = [
        r_step(suppression),
        f_step(
            "Duplicate check",
            "dup_found",
            "Duplicate lead",
            _rules({"op": "is true", "lhv": "suppressionlist.query_item.found"}),
            ("email", "phone_1"),
            ("suppressionlist",),
        ),
        r_step(trustedform),
        f_step(
            "TrustedForm consent",
            "tf_consent",
            None,
            tf_filter_rules,
            ("trustedform_cert_url",),
            ("trustedform",),
        ),
        r_step(lone_star),
        r_step(gulf),
    ]
    auto_nat = Flow(
        ids.oid(),
        "Auto Insurance - National",
        "auto_insurance",
        "state_not_in",
        frozenset({"CA", "MA", "NY"}),
        "Leads not accepted in CA, MA or NY",
        _rules({"op": "is not included in", "lhv": "lead.state", "rhv": "CA, MA, NY"}),
        "duplicate",
        False,
        False,
        None,
    )
    auto_nat.steps = [
        f_step(
            "Required fields",
            "required_phone",
            "phone_1 is required",
            _rules({"op": "is blank", "lhv": "lead.phone_1"}),
            ("phone_1",),
        ),
        r_step(bv_phone),
        f_step(
            "Valid phone required",
            "phone_valid",
            "Phone number is invalid",
            phone_rules,
            ("phone_1",),
            ("briteverify_phone",),
        ),
        r_step(allied),
        r_step(everest),
        r_step(pioneer),
    ]
    mortgage = Flow(
        ids.oid(),
        "Mortgage Refinance",
        "mortgage",
        None,
        frozenset(),
        None,
        None,
        "Duplicate lead",
        True,
        True,
        None,
    )
    mortgage.steps = [
        f_step(
            "Loan amount minimum",
            "loan_min",
            "Loan amount criteria not met (75,000 minimum)",
            _rules({"op": "is less than", "lhv": "lead.mortgage.loan_amount.min", "rhv": "75000"}),
            ("mortgage.loan_amount",),
        ),
        r_step(bv_email),
        r_step(trustedform),
        f_step(
            "TrustedForm consent",
            "tf_consent",
            None,
            tf_filter_rules,
            ("trustedform_cert_url",),
            ("trustedform",),
        ),
        r_step(summit),
        r_step(blue_ridge),
        r_step(harbor),
    ]
    solar = Flow(
        ids.oid(),
        "Residential Solar",
        "solar",
        "state_in",
        frozenset(SOLAR_STATES),
        "Lead must live in a solar service state (CA, AZ, NV, TX, FL, NJ, CO, NC)",
        _rules({"op": "is included in", "lhv": "lead.state", "rhv": ", ".join(SOLAR_STATES)}),
        "duplicate",
        True,
        False,
        (
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
        f_step(
            "Homeowners only",
            "homeowner",
            "Homeowner criteria not met",
            _rules({"op": "is not equal to", "lhv": "lead.residence_type", "rhv": "Own"}),
            ("residence_type",),
        ),
        r_step(linecheck),
        f_step(
            "Valid phone required",
            "phone_valid",
            "Phone number is invalid",
            _rules({"op": "is equal to", "lhv": "linecheck.status", "rhv": "invalid"}),
            ("phone_1",),
            ("linecheck",),
        ),
        r_step(sunpeak),
        r_step(brightline),
    ]
    education = Flow(
        ids.oid(),
        DISABLED_FLOW,
        "education",
        None,
        frozenset(),
        None,
        None,
        "Duplicate lead",
        False,
        False,
        None,
    )
    education.steps = [
        f_step(
            "Age 18+",
            "age18",
            "Age criteria not met: must be 18 or older",
            _rules({"op": "is less than", "lhv": "lead.dob.age", "rhv": "18"}),
            ("dob",),
        ),
        r_step(bv_email),
        f_step(
            "Valid email required",
            "email_valid",
            "Email address is invalid",
            _rules({"op": "is not equal to", "lhv": "briteverify.outcome", "rhv": "success"}),
            ("email",),
            ("briteverify",),
        ),
        r_step(crestview),
        r_step(learnwell),
    ]
    flows = [auto_tx, auto_nat, mortgage, solar, education]
    recipients = [
        suppression,
        trustedform,
        bv_email,
        bv_phone,
        linecheck,
        lone_star,
        gulf,
        allied,
        everest,
        pioneer,
        summit,
        blue_ridge,
        harbor,
        sunpeak,
        brightline,
        crestview,
        learnwell,
    ]

    # name, base invalid share, duplicate share, TF missing, consent miss, return rate, intl share
    source_specs = [
        ("Quote Wizard Media", 0.03, 0.04, 0.06, 0.02, 0.04, 0.0),
        ("Lone Star Leads", 0.05, 0.05, 0.08, 0.03, 0.05, 0.0),
        (RETURNS_SOURCE, 0.07, 0.08, 0.10, 0.04, 0.30, 0.005),
        ("Redline Auto Leads", 0.09, 0.06, 0.12, 0.05, 0.06, 0.0),
        (EVENING_SOURCE, 0.04, 0.05, 0.10, 0.03, 0.06, 0.01),
        ("Velocity Leads", 0.06, 0.10, 0.10, 0.03, 0.07, 0.005),
        ("Peak Performance Leads", 0.02, 0.03, 0.05, 0.02, 0.03, 0.0),
        ("Cobalt Media Group", 0.11, 0.07, 0.15, 0.06, 0.08, 0.02),
        ("Liberty Lead Exchange", 0.05, 0.04, 0.10, 0.03, 0.05, 0.0),
        ("LendStream", 0.03, 0.05, 0.05, 0.02, 0.04, 0.0),
        ("RateHunter", 0.06, 0.09, 0.08, 0.03, 0.06, 0.005),
        ("HomeSure Referrals", 0.02, 0.03, 0.04, 0.02, 0.03, 0.0),
        ("Keystone Lead Partners", 0.08, 0.06, 0.12, 0.05, 0.07, 0.01),
        ("NorthStar Affiliates", 0.10, 0.08, 0.14, 0.05, 0.08, 0.02),
        ("SunTrack Leads", 0.04, 0.05, 0.06, 0.03, 0.05, 0.0),
        ("Solarize Direct", 0.06, 0.06, 0.10, 0.04, 0.06, 0.0),
        ("GreenGrid Leads", 0.12, 0.08, 0.16, 0.06, 0.09, 0.01),
        ("EduPath Marketing", 0.05, 0.06, 0.08, 0.03, 0.05, 0.0),
        ("CampusReach", 0.07, 0.12, 0.10, 0.04, 0.06, 0.01),
        ("DegreeFinder Media", 0.04, 0.05, 0.07, 0.03, 0.05, 0.0),
        ("TrueNorth Digital", 0.09, 0.07, 0.12, 0.05, 0.07, 0.03),
        ("Horizon Lead Gen", 0.06, 0.05, 0.09, 0.04, 0.06, 0.005),
        ("Blue Fin Marketing", 0.05, 0.05, 0.08, 0.03, 0.05, 0.0),
    ]
    sources: list[Source] = []
    for name, bad, dup, tfm, cm, ret, intl in source_specs:
        ip = (
            f"{r.choice((23, 34, 44, 52, 64, 66, 104, 107, 162, 198, 203, 209))}."
            f"{r.randint(1, 254)}.{r.randint(1, 254)}.{r.randint(2, 254)}"
        )
        sources.append(Source(ids.oid(), name, ip, bad, dup, tfm, cm, ret, intl))
    by_name = {s.name: i for i, s in enumerate(sources)}

    # (source, flow index, weight, base purchase price)
    placement_specs = [
        ("Quote Wizard Media", 0, 3.0, 6.0),
        ("Lone Star Leads", 0, 2.0, 5.5),
        (RETURNS_SOURCE, 0, 1.6, 4.0),
        ("Redline Auto Leads", 0, 1.4, 4.5),
        (EVENING_SOURCE, 1, 3.2, 3.5),
        (RETURNS_SOURCE, 1, 1.6, 3.0),
        ("Velocity Leads", 1, 2.2, 4.0),
        ("Peak Performance Leads", 1, 1.6, 5.0),
        ("Cobalt Media Group", 1, 1.5, 2.5),
        ("Liberty Lead Exchange", 1, 1.0, 4.0),
        ("Blue Fin Marketing", 1, 0.8, 3.5),
        ("LendStream", 2, 2.8, 14.0),
        ("RateHunter", 2, 2.0, 11.0),
        ("HomeSure Referrals", 2, 1.8, 16.0),
        ("Keystone Lead Partners", 2, 1.4, 10.0),
        ("NorthStar Affiliates", 2, 0.8, 9.0),
        ("Blue Fin Marketing", 2, 0.6, 12.0),
        ("SunTrack Leads", 3, 2.6, 12.0),
        ("Solarize Direct", 3, 1.9, 10.0),
        ("GreenGrid Leads", 3, 1.4, 7.5),
        ("NorthStar Affiliates", 3, 0.9, 8.0),
        ("EduPath Marketing", 4, 2.6, 7.0),
        ("CampusReach", 4, 2.0, 6.0),
        ("DegreeFinder Media", 4, 1.5, 6.5),
        ("TrueNorth Digital", 4, 1.0, 4.5),
        ("Horizon Lead Gen", 4, 1.0, 5.5),
    ]
    placements = [
        Placement(by_name[n], f, w * r.uniform(0.9, 1.1), round(p * r.uniform(0.9, 1.1) * 4) / 4)
        for n, f, w, p in placement_specs
    ]
    total_w = sum(p.weight for p in placements)
    # Source daily caps at ~85% of their average daily volume: busy weekdays hit them.
    for name, share in (("Velocity Leads", 0.85), ("CampusReach", 0.85)):
        s = sources[by_name[name]]
        vol = sum(p.weight for p in placements if p.source == by_name[name]) / total_w * per_day
        s.daily_cap = max(1, round(vol * share))

    day0 = epoch_ms(start_date)
    disabled_window = (
        day0 + disabled_day * DAY_MS + 3 * HOUR_MS,
        day0 + disabled_day * DAY_MS + 4 * HOUR_MS,
    )
    evening = sources[by_name[EVENING_SOURCE]]
    returns = sources[by_name[RETURNS_SOURCE]]
    phone_filter = next(s for s in auto_nat.steps if s.check == "phone_valid")
    slow_step = next(s for s in solar.steps if s.recipient is linecheck)
    stories = {
        "evening_rejections": {
            "source_id": evening.id,
            "source_name": evening.name,
            "flow_name": auto_nat.name,
            "filter_step_id": phone_filter.step_id,
            "filter_name": phone_filter.name,
            "reason": phone_filter.reason,
            "hours_utc": list(EVENING_HOURS_UTC),
        },
        "buyer_outage": {
            "recipient_id": summit.id,
            "recipient_name": summit.name,
            "flow_name": mortgage.name,
            "step_id": next(s for s in mortgage.steps if s.recipient is summit).step_id,
            "date": (date.fromordinal(start_date.toordinal() + outage_day)).isoformat(),
            "reasons": ["Server error", "ESOCKETTIMEDOUT"],
        },
        "slow_step": {
            "recipient_id": linecheck.id,
            "recipient_name": linecheck.name,
            "flow_name": solar.name,
            "step_id": slow_step.step_id,
            "median_wait_ms": linecheck.wait_ms,
        },
        "returns_source": {
            "source_id": returns.id,
            "source_name": returns.name,
            "return_rate": returns.return_rate,
        },
        "flow_disabled": {
            "flow_id": education.id,
            "flow_name": education.name,
            "date": (date.fromordinal(start_date.toordinal() + disabled_day)).isoformat(),
            "hours_utc": [3, 4],
        },
    }
    hosts = tuple(f"app-worker-{i:02d}" for i in range(1, 13))
    return World(
        seed=seed,
        start_date=start_date,
        days=days,
        account=account,
        flows=flows,
        sources=sources,
        recipients=recipients,
        placements=placements,
        hosts=hosts,
        outage_day=outage_day,
        disabled_flow=flows.index(education),
        disabled_window=disabled_window,
        deploy_ms=day0 + deploy_day * DAY_MS,
        stories=stories,
    )
