"""Typed parsing of lead field values, LeadConduit style.

``parse(type_name, values)`` turns a column of raw values into a frame with one row per value, in
the same order: ``raw`` (the value as given), ``normal`` (its normal form), ``valid`` and the
type's components under the names of the reference (``docs: shared/domain/leadconduit.md §3``).
Invalid values are marked (``valid = false``), never rejected; a null value gives a row of nulls.

The parsing is vectorized (Polars expressions, a column at a time). The libraries that are the
source of truth (phonenumbers, the WHATWG URL parser ada, the RFC 5322 parser) are called only for
the shapes the vectorized path does not handle, once per distinct value.
``ingest.typed.types.reference`` holds the scalar reference of every type, and the tests prove
both paths give the same values.

``normal`` is typed where the type is: Float64 for number, Boolean for boolean, Date for date and
dob, Datetime(ms, UTC) for time; those are null when the value is invalid. Text normals keep the
value as given when it is invalid (as LeadConduit shows it).

Where the reference (leadconduit.md §3) leaves a point open, these choices hold (the tests pin
them):

* whitespace is Unicode White_Space, trimmed where a type trims; digits are ASCII ``0-9`` only
  (phonenumbers itself also reads full-width and other Unicode digits in phones);
* every type follows LeadConduit's own parsers (npm ``leadconduit-types``) to the
  character; ``tests/typed/reference`` compares them on generated values and lists the deliberate
  differences (``raw`` is always the value as given; typed normals are null when invalid; a date
  without a year is invalid; ...). In short:
* phone: LeadConduit's phone.js on libphonenumber (``reference_phone``): a type hint is a lower-case
  h/w/c/m (optionally in parentheses) at the very end; components whenever libphonenumber parses
  the number, valid or not; ``area`` is the national destination code (``***`` when there is
  none), ``exchange``/``line`` split ``number`` (cut to 7 digits) for any +1 number;
  ``country_code`` as libphonenumber gives it (``001`` for non-geographic codes); masked digits
  (``*``) make the number valid; ``masked`` is a boolean;
* email: one RFC 5322 address (email-addresses, ported in ``rfc5322``: display names, comments,
  quoted local parts, domain literals and single-label domains are read), ``normal`` its
  addr-spec in lower case; ``host``/``tld`` split at the last dot; free/disposable from
  @activeprospect/freemail's lists (``data/*.txt``) on the registrable domain (``.com`` domains as
  written: ``Gmail.com`` is not free there);
* postal_code as LeadConduit's regexes (a blank value is an empty US code; a GB inward code may
  stand alone); state: a 2-character value is a code, any other a full name once each word is
  capitalized, as given (untrimmed); an unknown value is kept as given, as ``normal`` and
  ``name``; date/dob: moment.js with LeadConduit's format list, strict then forgiving
  (``moment_dates``), except that a date without a year is invalid (moment would take the current
  year); dob ``age``: whole years plus the tenths of a year since the last birthday, floored
  (LeadConduit's way), counted to ``today`` (UTC by default);
* time: chrono-node's casual English parser, as LeadConduit calls it (ported in ``chrono``): the
  first date or time found anywhere in the text; what it leaves out is chrono's (noon, UTC, the
  day of ``now``); ISO 8601, year-month-day, slash dates (month first), month names, weekdays,
  clock times with AM/PM, zone offsets and abbreviations, casual words and durations ('tomorrow
  5pm', '2 days ago', counted from ``now``); no epoch numbers; to the millisecond;
* boolean invalid -> ``normal`` null (not false); number: what is left after removing all but
  digits, '.' and '-' (LeadConduit's way: ``1e3`` is 13); infinities are invalid;
* range: LeadConduit's steps (``reference.range_``): ``avg`` to cents, ``mid`` truncated, numbers
  printed as JavaScript prints them, a bare number kept as given;
* ssn: ``masked`` is ``***-**-NNNN`` (every digit starred when invalid);
* url, trustedform_url, ip: LeadConduit's steps on the WHATWG URL parser Node uses (ada, through
  ``ada-url``; ``reference_web``): ``host`` with its port, default ports dropped, IDNA hosts,
  percent-encoding, empty query/fragment absent; ip is the host of a URL made of the value with
  every space removed (IPv4 with leading zeros, fewer parts, a port or a protocol is read);
  trustedform_url: an https URL on a production host (cert/ping.trustedform.com) and an id of 40
  characters (lower-cased), one starting ``0.`` or one longer than 40; LeadConduit decrypts the id
  to know its ``type``; we cannot, so ``type`` is ``web`` for 40-hex (classic web) ids and null
  otherwise; ``is_masked`` is false.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl

from . import reference
from ._common import TypeSpec, as_strings, base_schema, finalize, rows_to_frame
from .dates import parse_date, parse_dob, parse_time
from .email import parse_email
from .phone import SCHEMA as PHONE_SCHEMA
from .phone import parse_phone
from .postal_code import parse_postal_code
from .simple import (
    parse_boolean,
    parse_gender,
    parse_number,
    parse_range,
    parse_ssn,
    parse_state,
    parse_street,
    parse_string,
)
from .web import (
    IP_SCHEMA,
    TRUSTEDFORM_SCHEMA,
    URL_SCHEMA,
    parse_ip,
    parse_trustedform_url,
    parse_url,
)

S = pl.String
B = pl.Boolean
F = pl.Float64


def _spec(name, schema, vectorized, ref, options=(), never_invalid=False) -> TypeSpec:
    return TypeSpec(name, dict(schema), vectorized, ref, tuple(options), never_invalid)


_STRING_TYPES = ("string", "first_name", "last_name", "city")

TYPES: dict[str, TypeSpec] = {
    spec.name: spec
    for spec in [
        _spec("phone", PHONE_SCHEMA, parse_phone, reference.phone, ["default_region"]),
        _spec(
            "email",
            {**base_schema(), "user": S, "domain": S, "host": S, "tld": S, "is_free": B,
             "is_disposable": B},
            parse_email, reference.email,
        ),
        _spec(
            "postal_code",
            {**base_schema(), "country_code": S, "code": S, "zip": S, "four": S, "fsa": S,
             "ldu": S, "district": S, "outcode": S, "incode": S},
            parse_postal_code, reference.postal_code,
        ),
        _spec("state", {**base_schema(), "name": S}, parse_state, reference.state,
              never_invalid=True),
        _spec("date", base_schema(pl.Date), parse_date, reference.date_),
        _spec(
            "dob",
            {**base_schema(pl.Date), "age": F, "year": pl.Int32, "masked": S},
            parse_dob, reference.dob, ["today"],
        ),
        _spec("time", base_schema(pl.Datetime("ms", "UTC")), parse_time, reference.time,
              ["now"]),
        _spec("boolean", base_schema(B), parse_boolean, reference.boolean),
        _spec("number", base_schema(F), parse_number, reference.number),
        _spec(
            "range",
            {**base_schema(), "min": F, "max": F, "avg": F, "mid": pl.Int64},
            parse_range, reference.range_,
        ),
        _spec("gender", {**base_schema(), "abbr": S}, parse_gender, reference.gender),
        _spec(
            "ssn",
            {**base_schema(), "first_three": S, "middle_two": S, "last_four": S, "masked": S},
            parse_ssn, reference.ssn,
        ),
        _spec("street", {**base_schema(), "number": S, "name": S}, parse_street,
              reference.street),
        _spec("url", URL_SCHEMA, parse_url, reference.url),
        _spec("trustedform_url", TRUSTEDFORM_SCHEMA, parse_trustedform_url,
              reference.trustedform_url),
        _spec("ip", IP_SCHEMA, parse_ip, reference.ip),
        *[
            _spec(name, base_schema(), parse_string, reference.string, never_invalid=True)
            for name in _STRING_TYPES
        ],
    ]
}  # fmt: skip

#: Every type name ``parse`` knows.
TYPE_NAMES: tuple[str, ...] = tuple(TYPES)


class UnknownTypeError(ValueError):
    """A type name that is not one of :data:`TYPE_NAMES`."""


def get_type(type_name: str) -> TypeSpec:
    try:
        return TYPES[type_name]
    except KeyError:
        raise UnknownTypeError(
            f"unknown field type {type_name!r}; known types: {', '.join(TYPE_NAMES)}"
        ) from None


def schema(type_name: str) -> dict[str, pl.DataType]:
    """The output columns (name -> dtype) of ``parse(type_name, ...)``, in order."""
    return dict(get_type(type_name).schema)


def _options(spec: TypeSpec, options: dict[str, Any]) -> dict[str, Any]:
    unknown = set(options) - set(spec.options)
    if unknown:
        raise TypeError(f"type {spec.name!r} takes no option(s) {', '.join(sorted(unknown))}")
    return {k: v for k, v in options.items() if v is not None}


def parse(
    type_name: str,
    values: pl.Series,
    *,
    default_region: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> pl.DataFrame:
    """Parse ``values`` as ``type_name``: one row per value, same order.

    Options (only for the types that use them): ``default_region`` for phone (``"US"``: numbers
    without ``+``/``011`` are read as that region's), ``today`` for dob (the day ages are counted
    to; default: today in UTC), ``now`` for time (the instant a time without a full date is read
    against, as LeadConduit reads it when the lead arrives; default: the present).
    """
    spec = get_type(type_name)
    given = {"default_region": default_region, "today": today, "now": now}
    options = _options(spec, {k: v for k, v in given.items() if v is not None})
    raw = as_strings(values)
    if spec.name in ("phone",) and "default_region" not in options:
        options["default_region"] = "US"
    if raw.len() >= DEDUPE_MIN_ROWS:
        # a cheap look at a slice decides whether parsing distinct values pays
        probe = raw.slice(0, DEDUPE_PROBE).drop_nulls()
        if probe.len() and probe.n_unique() < DEDUPE_MAX_RATIO * probe.len():
            return _parse_distinct(spec, raw, options)
    return finalize(spec.vectorized(raw, **options), spec.schema)


#: Columns with many repeated values are parsed once per distinct value, then spread back.
DEDUPE_MIN_ROWS = 5_000
DEDUPE_MAX_RATIO = 0.5
DEDUPE_PROBE = 20_000


def _parse_distinct(spec: TypeSpec, raw: pl.Series, options: dict[str, Any]) -> pl.DataFrame:
    distinct = raw.drop_nulls().unique()
    parsed = finalize(spec.vectorized(distinct, **options), spec.schema)
    joined = pl.DataFrame({"raw": raw}).join(parsed, on="raw", how="left", maintain_order="left")
    return finalize(joined, spec.schema)


def parse_reference(
    type_name: str,
    values: pl.Series | list[str | None],
    *,
    default_region: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> pl.DataFrame:
    """The same frame as :func:`parse`, computed by the scalar reference, value by value."""
    spec = get_type(type_name)
    given = {"default_region": default_region, "today": today, "now": now}
    options = _options(spec, {k: v for k, v in given.items() if v is not None})
    if not isinstance(values, pl.Series):
        values = pl.Series("raw", values, dtype=pl.String)
    raw = as_strings(values)
    rows = [spec.reference(v, **options) for v in raw.to_list()]
    return rows_to_frame(rows, spec.schema)


__all__ = [
    "TYPES",
    "TYPE_NAMES",
    "TypeSpec",
    "UnknownTypeError",
    "get_type",
    "parse",
    "parse_reference",
    "schema",
]
