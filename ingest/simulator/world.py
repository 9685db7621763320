"""The simulated lead operation's fixed entities: account, flows, steps, sources, buyers.

Names and structure are constants (the dashboards' stories refer to them by name); ids, prices
and caps are drawn from the seed (``operation.build_world``). Nothing here does I/O. See
``ingest.simulator.run`` for the stories.
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
CAP_BUYER = "Everest Insurance Marketing"  # daily cap met around 14:00-15:00 UTC on weekdays
MONTHLY_CAP_BUYER = "Harbor Home Loans"  # monthly cap met in the second week of a month
SLOW_BUYER = "Gulf Coast Insurance Group"  # slow answers, slower 15:00-21:00 UTC; 6 s timeout
SLOW_BUYER_HOURS_UTC = (15, 21)  # [start, end) hours of its afternoon slowdown
LATE_RETURNS_BUYER = "Blue Ridge Lending"  # returns arrive 12-22 days after the delivery
LATE_RETURN_DAYS = (12, 22)
UNPROFITABLE_SOURCE = "GreenGrid Leads"  # paid more than its leads earn
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
    text = "/".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp()) * 1000


# --------------------------------------------------------------------------- entity classes


class _Named:
    """An entity events refer to by id and name."""

    id: str
    name: str

    def ref(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass
class Recipient(_Named):
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
    monthly_cap: int | None = None  # leads a calendar month (UTC)
    cap_share: float = 0.6  # estimated share of the flow's leads it accepts (for cap times)
    outage_day: int | None = None  # day index of the whole-day outage
    timeout_ms: int | None = None  # the step's timeout: a slower answer is an ESOCKETTIMEDOUT
    slow_hours: tuple[int, int] | None = None  # UTC hours [start, end) it answers 2x slower
    late_returns: bool = False  # returns twice as often, 12-22 days after the delivery

    @property
    def is_delivery(self) -> bool:
        return self.kind == "delivery"


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
class Flow(_Named):
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


@dataclass
class Source(_Named):
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
    clean_from_day: int = 1 << 30  # days from this index on have no stories (clean days)


# --------------------------------------------------------------------------- construction

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class IdMaker:
    """Ids of the operation's entities, drawn from the world's random stream."""

    def __init__(self, rng: random.Random, start: date):
        self.rng = rng
        self.start_seconds = epoch_ms(start) // 1000
        self.machine = rng.getrandbits(40)
        self.counter = rng.getrandbits(24)

    def oid(self, min_days: int = 200, max_days: int = 1500) -> str:
        """An ObjectId-like id of something created ``min_days``-``max_days`` before the start."""
        seconds = self.start_seconds - self.rng.randint(min_days * 86400, max_days * 86400)
        self.counter = (self.counter + 1) & 0xFFFFFF
        return f"{seconds:08x}{self.machine:010x}{self.counter:06x}"

    def step_id(self) -> str:
        return "".join(self.rng.choice(_ID_ALPHABET) for _ in range(6))
