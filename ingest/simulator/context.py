"""What every event of a chunk is made of: the chunk's random streams, ids and counts, the fields
all events share, remote waits, HTTP transactions and the canned HTTP errors.

Every event kind (filters, enhancements, deliveries, the source event, retries, feedback) draws
from ``ChunkContext.rng`` in a fixed order, so a chunk's output depends only on its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from ingest.simulator.faults import FAULT_KINDS
from ingest.simulator.person import Facts
from ingest.simulator.world import DAY_MS, Flow, Recipient, Source, Step, World, derive_seed

EXPIRY_MS = 90 * DAY_MS
HANDLER_VERSIONS = ("5.12.0", "5.13.1")  # before and after the deploy day
UNIX_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
TIMEOUT_WAIT_MS = 15000  # a remote that never answers (ESOCKETTIMEDOUT)

JSON_HEADERS = {"Content-Type": "application/json"}
HTML_HEADERS = {"Content-Type": "text/html"}


class HttpError(NamedTuple):
    """A remote failure: the step's reason and the response (status None = no response)."""

    reason: str
    status: int | None
    status_text: str | None
    headers: dict
    body: str | None


SERVER_UNAVAILABLE = HttpError(
    "Server error",
    503,
    "Service Unavailable",
    HTML_HEADERS,
    "<html><body><h1>503 Service Unavailable</h1></body></html>",
)
SOCKET_TIMEOUT = HttpError("ESOCKETTIMEDOUT", None, None, {}, None)
HTTP_ERRORS = (
    SERVER_UNAVAILABLE,
    HttpError("Server error", 500, "Internal Server Error", HTML_HEADERS, "Internal Server Error"),
    HttpError(
        "Server error",
        502,
        "Bad Gateway",
        HTML_HEADERS,
        "<html><body>502 Bad Gateway</body></html>",
    ),
    SOCKET_TIMEOUT,
    HttpError(
        "Unrecognized response", 200, "OK", HTML_HEADERS, "<html><body>Thank you!</body></html>"
    ),
    HttpError("No Content-Type specified in server response", 200, "OK", {}, "accepted"),
    HttpError(
        "Authentication failed", 401, "Unauthorized", JSON_HEADERS, '{"error":"invalid api key"}'
    ),
)
# A buyer's outage day: mostly 503s, some timeouts.
OUTAGE_ERRORS = (SERVER_UNAVAILABLE,) * 4 + (SOCKET_TIMEOUT,) * 2


class DeliveryAttempt(NamedTuple):
    """A delivery later events refer to: accepted (feedback) or errored (retries)."""

    event_id: str
    step: Step
    recipient: Recipient
    end_ms: int
    reason: str | None  # why it errored


class StepResult(NamedTuple):
    """What one recipient step (enhancement or delivery) did."""

    outcome: str
    reason: str | None
    wait_ms: int
    overhead_ms: int
    output: dict  # the integration output, under the recipient's key
    transaction: dict | None
    sale_price: float = 0
    caps_reached: bool = False


def skipped(
    reason: str, overhead_ms: int, priced: bool = False, caps_reached: bool = False
) -> StepResult:
    """A step skipped for ``reason`` (deliveries carry a price of 0 in their output)."""
    output = {"outcome": "skip", "reason": reason}
    if priced:
        output["price"] = 0
    return StepResult("skip", reason, 0, overhead_ms, output, None, 0, caps_reached)


_DATE_CACHE: dict[int, str] = {}


def iso_ms(ms: int) -> str:
    """Epoch milliseconds -> ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    day, rest = divmod(ms, DAY_MS)
    day_text = _DATE_CACHE.get(day)
    if day_text is None:
        day_text = _DATE_CACHE[day] = date.fromordinal(UNIX_EPOCH_ORDINAL + day).isoformat()
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{day_text}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def short_text(value: str) -> str:
    """A value as it goes into a hand-written JSON request body: no quotes, at most 40 chars."""
    return value.replace("\\", "").replace('"', "")[:40]


def slug(name: str) -> str:
    return "".join(char for char in name.lower() if char.isalnum())


@dataclass
class ChunkConfig:
    landing: str
    faults: bool
    submissions_format: str
    day0_ms: int
    days: int
    buyer_cap_ms: dict  # (recipient index, day index) -> epoch ms when the daily cap is met


@dataclass(slots=True)
class Lead:
    """One lead being simulated: who sent it where, its values, and the vars its events repeat."""

    lead_id: str
    submitted_ms: int
    source: Source
    flow: Flow
    fields: dict  # raw lead values as posted
    facts: Facts
    is_duplicate: bool  # a resubmission of a recent lead of the same placement
    day_index: int
    host: str
    lead_vars: dict  # vars.lead of full-lead events: the id and every raw value
    submission_vars: dict
    flow_vars: dict
    source_vars: dict

    def recipient_vars(self, lead_view: dict, recipient_ref: dict, event_id: str) -> dict:
        """vars of delivery and retry events."""
        return {
            "lead": lead_view,
            "submission": self.submission_vars,
            "flow": self.flow_vars,
            "source": self.source_vars,
            "recipient": recipient_ref,
            "event_id": event_id,
        }


def new_counts() -> dict:
    return {
        "leads": 0,
        "events": 0,
        "ndjson_events": 0,
        "firehose_files": 0,
        "firehose_leads": 0,
        "firehose_bytes": 0,
        "submissions": 0,
        "submission_records": 0,
        "faults": dict.fromkeys(FAULT_KINDS, 0),
        "by_type": {},
    }


class ChunkContext:
    """The state one chunk's event kinds share: world, config, random streams, ids, counts."""

    def __init__(self, world: World, config: ChunkConfig, chunk_index: int):
        self.world = world
        self.config = config
        self.rng = random.Random(derive_seed(world.seed, "chunk", chunk_index))
        self.fault_rng = random.Random(derive_seed(world.seed, "faults", chunk_index))
        # the lead-quality stories' own stream (ingest.simulator.quality)
        self.quality_rng = random.Random(derive_seed(world.seed, "quality", chunk_index))
        self.clean = False  # a clean day: no story happens (set per chunk: one day each)
        self.machine = derive_seed(world.seed, "machine") & 0xFFFFFFFFFF ^ chunk_index
        self.counter = derive_seed(world.seed, "counter", chunk_index) & 0xFFFFFF
        self.horizon_ms = config.day0_ms + config.days * DAY_MS
        self.flow_refs = [flow.ref() for flow in world.flows]
        self.source_refs = [source.ref() for source in world.sources]
        self.recipient_index = {
            id(recipient): index for index, recipient in enumerate(world.recipients)
        }
        self.recipient_refs = {id(recipient): recipient.ref() for recipient in world.recipients}
        self.counts = new_counts()

    def new_id(self, ms: int) -> str:
        """A LeadConduit (Mongo ObjectId-like) id for something created at ``ms``."""
        self.counter = (self.counter + 1) & 0xFFFFFF
        return f"{ms // 1000:08x}{self.machine:010x}{self.counter:06x}"

    def random_host(self) -> str:
        hosts = self.world.hosts
        return hosts[self.rng.randrange(len(hosts))]

    def remote_wait(self, median_ms: int) -> int:
        return max(5, int(median_ms * self.rng.lognormvariate(0.0, 0.35)))

    def timeout_wait(self) -> int:
        return TIMEOUT_WAIT_MS + self.rng.randint(0, 400)

    def new_event(
        self,
        lead: Lead,
        host: str,
        event_type: str,
        outcome: str,
        reason: str | None,
        start_ms: int,
        end_ms: int,
        wait_ms: int,
        overhead_ms: int,
        cap_reached: bool = False,
    ) -> dict:
        """A new event of ``lead`` with the fields every event has, in LeadConduit's order."""
        return {
            "id": self.new_id(end_ms),
            "type": event_type,
            "outcome": outcome,
            "reason": reason,
            "start_timestamp": start_ms,
            "end_timestamp": end_ms,
            "ms": end_ms - start_ms,
            "wait_ms": wait_ms,
            "overhead_ms": overhead_ms,
            "total_ms": end_ms - lead.submitted_ms,
            "host": host,
            "handler_version": HANDLER_VERSIONS[start_ms >= self.world.deploy_ms],
            "version": "1.0.0",
            "expires_at": iso_ms(end_ms + EXPIRY_MS),
            "cap_reached": cap_reached,
        }

    def transaction(
        self,
        method: str,
        uri: str,
        body: str | None,
        start_ms: int,
        wait_ms: int,
        status: int | None,
        status_text: str | None,
        headers: dict,
        response_body: str | None,
    ) -> dict:
        """One HTTP request/response pair as events record it."""
        sent_ms = start_ms + self.rng.randint(2, 9)
        return {
            "request": {
                "method": method,
                "uri": uri,
                "headers": JSON_HEADERS if body else {},
                "body": body,
                "timestamp": sent_ms,
            },
            "response": {
                "status": status,
                "status_text": status_text,
                "headers": headers,
                "body": response_body,
                "timestamp": sent_ms + wait_ms,
            },
            "ms": wait_ms,
        }

    def json_answer(
        self,
        uri: str,
        request_body: str | None,
        start_ms: int,
        wait_ms: int,
        response_body: str,
        method: str = "POST",
        status: int = 200,
        status_text: str = "OK",
    ) -> dict:
        """The transaction of a service that answered with JSON (200 OK unless told)."""
        return self.transaction(
            method,
            uri,
            request_body,
            start_ms,
            wait_ms,
            status,
            status_text,
            JSON_HEADERS,
            response_body,
        )

    def error_transaction(
        self, error: HttpError, uri: str, body: str, start_ms: int, wait_ms: int
    ) -> dict:
        """The POST transaction of a remote failure."""
        return self.transaction(
            "POST",
            uri,
            body,
            start_ms,
            wait_ms,
            error.status,
            error.status_text,
            error.headers,
            error.body,
        )


def recipient_fields(
    event: dict,
    step: Step,
    recipient: Recipient,
    sale_price: float,
    cost: float,
    caps_reached: bool = False,
) -> None:
    """The fields recipient and retry events add about their step and recipient."""
    event["step_id"] = step.step_id
    event["module_id"] = recipient.module_id
    event["package_version"] = recipient.package_version
    event["key"] = recipient.key
    event["sale_price"] = sale_price
    event["revenue"] = sale_price
    event["cost"] = cost
    event["caps_reached"] = caps_reached
