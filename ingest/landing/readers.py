"""Readers: turn one landed file into good records and quarantined records, losslessly.

Every non-blank line (NDJSON), file (Firehose JSON) or row (CSV) becomes exactly one of:
- a good record (its original JSON text kept as the payload, as the file's UTF-8 bytes), or
- a quarantined record (original bytes, line number and a reason).

Nothing here touches a database; the functions take bytes and return data.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

NDJSON_SUFFIXES = (".ndjson", ".jsonl")
EVENT_SUFFIXES = (".json", *NDJSON_SUFFIXES, ".csv")
SUBMISSION_SUFFIXES = (*NDJSON_SUFFIXES, ".csv")

# The plausible event and submission times: from 2000-01-01 to one day after the landing run
# (clocks drift, time zones). A time outside is quarantined: it is a broken clock or a unit
# mistake, and one such record must not make a build span centuries of partitions.
PLAUSIBLE_FROM_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
PLAUSIBLE_AHEAD_MS = 86_400_000
# An epoch number is read in the unit its magnitude says: below 1e11 seconds (1e11 ms is 1973),
# below 1e14 milliseconds, below 1e17 microseconds, below 1e20 nanoseconds. Within the plausible
# times the four ranges cannot be confused.
EPOCH_UNITS_TO_MS = ((1e11, 1000.0), (1e14, 1.0), (1e17, 1e-3), (1e20, 1e-6))
UTF8_BOM = b"\xef\xbb\xbf"

# Columns of a submission record that are not lead fields.
SUBMISSION_META = (
    "lead_id",
    "submitted_at",
    "account_id",
    "account_name",
    "flow_id",
    "flow_name",
    "source_id",
    "source_name",
)


@dataclass
class Quarantined:
    line: int
    reason: str
    raw: bytes


@dataclass
class EventRecord:
    event_id: str
    lead_id: str
    event_type: str
    outcome: str | None
    event_at_ms: int
    payload: bytes  # the event's JSON text, UTF-8
    line: int


@dataclass
class SubmissionRecord:
    lead_id: str
    submitted_at: datetime
    meta: dict[str, str | None]
    fields: bytes  # JSON object text, UTF-8: field id -> raw value
    line: int


@dataclass
class ReadResult:
    records: list = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.records) + len(self.quarantined)


class BadRecord(ValueError):
    """A record that cannot be loaded; its message is the quarantine reason."""


def quarantine_reason(exc: Exception) -> str:
    """The reason a record is quarantined: a BadRecord's message, else what went wrong (an
    unexpected error in one record quarantines that record, never stops the file)."""
    if isinstance(exc, BadRecord):
        return str(exc)
    return f"unreadable record ({type(exc).__name__}: {str(exc)[:200]})"


# --------------------------------------------------------------------------- decoding


def decode_json_object(raw: bytes) -> dict[str, Any]:
    """Decode one JSON object from UTF-8 bytes. The bytes are kept as the record's text: orjson
    accepts valid UTF-8 only, so text that decodes needs no copy as a ``str``."""
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise BadRecord(f"invalid UTF-8 at byte {bad.start}") from None
        raise BadRecord(f"malformed JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise BadRecord(f"not a JSON object (got {type(obj).__name__})")
    return obj


def iter_lines(data: bytes):
    """Yield (line number, line bytes) for every non-blank line."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if line.strip():
            yield number, line


# --------------------------------------------------------------------------- events


def plausible_until_ms(now: datetime | None = None) -> int:
    """The latest plausible time (epoch ms): one day after now."""
    now = now or datetime.now(tz=UTC)
    return int((now + timedelta(milliseconds=PLAUSIBLE_AHEAD_MS)).timestamp() * 1000)


def epoch_number_to_ms(number: float) -> int | None:
    """An epoch number in seconds, ms, µs or ns (by magnitude, EPOCH_UNITS_TO_MS) as ms; None
    when it is not finite or too large for any unit."""
    if not math.isfinite(number):
        return None
    for limit, factor in EPOCH_UNITS_TO_MS:
        if abs(number) < limit:
            return int(number * factor)
    return None


def _epoch_ms(value: Any) -> int | None:
    """Epoch ms from a number, a string of digits or an ISO 8601 text; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return epoch_number_to_ms(value)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return epoch_number_to_ms(float(text))
        except ValueError:
            pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return int(parsed.timestamp() * 1000)
        except (OverflowError, ValueError, OSError):
            return None
    return None


def plausible_ms(name: str, value: Any, until_ms: int | None = None) -> int:
    """The epoch ms of a time field, or BadRecord when it is unreadable or not plausible."""
    ms = _epoch_ms(value)
    if ms is None:
        raise BadRecord(f"{name} is not a timestamp: {str(value)[:40]!r}")
    until_ms = until_ms if until_ms is not None else plausible_until_ms()
    if not PLAUSIBLE_FROM_MS <= ms <= until_ms:
        raise BadRecord(
            f"{name} {str(value)[:40]} is outside the plausible times"
            f" (2000-01-01 .. {_iso_day(until_ms)})"
        )
    return ms


def _iso_day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def event_record(
    obj: dict[str, Any], text: bytes, line: int, until_ms: int | None = None
) -> EventRecord:
    """Validate the keys every event must have and extract them. ``until_ms``: the latest
    plausible time (default: one day from now)."""
    event_id = obj.get("id")
    if not isinstance(event_id, str) or not event_id.strip():
        raise BadRecord("missing event id")
    if len(event_id) != 24 or not _is_hex(event_id):
        raise BadRecord(f"event id is not 24 hex characters: {event_id[:40]!r}")
    lead = (obj.get("vars") or {}).get("lead") if isinstance(obj.get("vars"), dict) else None
    lead_id = lead.get("id") if isinstance(lead, dict) else None
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise BadRecord("missing lead id (vars.lead.id)")
    event_type = obj.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise BadRecord("missing event type")
    for name in ("start_timestamp", "end_timestamp"):
        if obj.get(name) not in (None, ""):
            event_at = plausible_ms(name, obj[name], until_ms)
            break
    else:
        raise BadRecord("missing start_timestamp and end_timestamp")
    outcome = obj.get("outcome")
    return EventRecord(
        event_id=event_id.lower(),
        lead_id=lead_id,
        event_type=event_type,
        outcome=outcome if isinstance(outcome, str) else None,
        event_at_ms=event_at,
        payload=text,
        line=line,
    )


def read_events_ndjson(data: bytes) -> ReadResult:
    result = ReadResult()
    until = plausible_until_ms()
    for number, line in iter_lines(data):
        try:
            result.records.append(event_record(decode_json_object(line), line, number, until))
        except Exception as exc:
            result.quarantined.append(Quarantined(number, quarantine_reason(exc), line))
    return result


def read_events_json(data: bytes) -> ReadResult:
    """One event per file (Firehose layout)."""
    result = ReadResult()
    try:
        text = data.strip()
        result.records.append(event_record(decode_json_object(text), text, 1))
    except Exception as exc:
        result.quarantined.append(Quarantined(1, quarantine_reason(exc), data))
    return result


def unflatten(row: dict[str, str]) -> dict[str, Any]:
    """``{"vars.lead.id": "x"}`` -> ``{"vars": {"lead": {"id": "x"}}}``; empty cells dropped."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return out


def _csv_rows(data: bytes):
    """Yield (line number, row dict or None, raw bytes, quarantine reason or None) per CSV row."""
    text = data.decode("utf-8", errors="surrogateescape")
    physical = text.split("\n")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the size limit: that row only
            end = max(reader.line_num, start)
            raw = "\n".join(physical[start - 1 : end]).encode("utf-8", errors="surrogateescape")
            yield start, None, raw, f"CSV row cannot be parsed: {exc}"
            start = end + 1
            continue
        end = reader.line_num
        raw = "\n".join(physical[start - 1 : end]).encode("utf-8", errors="surrogateescape")
        values = list(row.values())
        if None in row or any(v is None for v in values):
            yield start, None, raw, "CSV row has a different number of columns than the header"
        elif any("\udc80" <= c <= "\udcff" for v in values for c in v):
            yield start, None, raw, "invalid UTF-8 in CSV row"
        else:
            yield start, row, raw, None
        start = end + 1


def _records_of_csv(data: bytes, to_record: Callable[[dict[str, str], int], Any]) -> ReadResult:
    """Each CSV row as the record `to_record(row, line number)` makes of it; a row that cannot be
    read, or that `to_record` refuses (any exception), is quarantined with the reason."""
    result = ReadResult()
    for number, row, raw, reason in _csv_rows(data):
        if reason:
            result.quarantined.append(Quarantined(number, reason, raw))
            continue
        try:
            result.records.append(to_record(row, number))
        except Exception as exc:
            result.quarantined.append(Quarantined(number, quarantine_reason(exc), raw))
    return result


def read_events_csv(data: bytes) -> ReadResult:
    """A LeadConduit CSV export: dotted column names become nested keys."""
    until = plausible_until_ms()

    def to_record(row: dict[str, str], number: int) -> EventRecord:
        obj = unflatten(row)
        return event_record(obj, orjson.dumps(obj), number, until)

    return _records_of_csv(data, to_record)


def read_events(name: str, data: bytes) -> ReadResult:
    """Every record of an event file, by its suffix (a leading UTF-8 byte order mark is skipped)."""
    data = data.removeprefix(UTF8_BOM)
    lower = name.lower()
    if lower.endswith(".json"):
        return read_events_json(data)
    if lower.endswith(NDJSON_SUFFIXES):
        return read_events_ndjson(data)
    if lower.endswith(".csv"):
        return read_events_csv(data)
    raise ValueError(f"not an event file: {name}")


# --------------------------------------------------------------------------- submissions


def _timestamp(value: Any) -> datetime:
    ms = plausible_ms("submitted_at", value)
    return datetime.fromtimestamp(ms / 1000, tz=UTC).replace(tzinfo=None)


def submission_record(obj: dict[str, Any], line: int) -> SubmissionRecord:
    lead_id = obj.get("lead_id")
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise BadRecord("missing lead_id")
    fields = obj.get("fields")
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        raise BadRecord("fields is not a JSON object")
    meta = {k: (None if obj.get(k) is None else str(obj.get(k))) for k in SUBMISSION_META[2:]}
    return SubmissionRecord(
        lead_id=lead_id,
        submitted_at=_timestamp(obj.get("submitted_at")),
        meta=meta,
        fields=orjson.dumps(fields),
        line=line,
    )


def read_submissions_ndjson(data: bytes) -> ReadResult:
    result = ReadResult()
    for number, line in iter_lines(data):
        try:
            result.records.append(submission_record(decode_json_object(line), number))
        except Exception as exc:
            result.quarantined.append(Quarantined(number, quarantine_reason(exc), line))
    return result


def read_submissions_csv(data: bytes) -> ReadResult:
    """CSV: the metadata columns, then one column per lead field (empty cell = missing)."""

    def to_record(row: dict[str, str], number: int) -> SubmissionRecord:
        obj: dict[str, Any] = {k: row.get(k) or None for k in SUBMISSION_META}
        obj["fields"] = {k: v for k, v in row.items() if k not in SUBMISSION_META and v != ""}
        return submission_record(obj, number)

    return _records_of_csv(data, to_record)


def read_submissions(name: str, data: bytes) -> ReadResult:
    """Every record of a submission file, by its suffix (a leading byte order mark is skipped)."""
    data = data.removeprefix(UTF8_BOM)
    lower = name.lower()
    if lower.endswith(NDJSON_SUFFIXES):
        return read_submissions_ndjson(data)
    if lower.endswith(".csv"):
        return read_submissions_csv(data)
    raise ValueError(f"not a submission file: {name}")
