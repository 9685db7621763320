"""The scalar reference: one plain Python function per type, one value at a time, built directly
on the libraries that are the source of truth (``phonenumbers`` for phones, the WHATWG URL parser
Node uses (``ada-url``) for URLs and IP addresses, ``datetime`` for calendar dates and times).

This module holds the postal code, state, SSN, street and string functions; the calendar types
are in ``reference_dates``, numbers, ranges, booleans and genders in ``reference_numbers``, phone
in ``reference_phone``, email in ``reference_email``, url, trustedform_url and ip in
``reference_web``. All are re-exported
here: callers use ``reference.<type>``.

The vectorized parsers must give exactly these results, value for value (the differential and
property tests check it), and fall back on these functions, once per distinct value, for the
shapes they do not handle themselves.

Each function takes the raw value (a string, or None) and returns a dict with the type's columns:
``raw``, ``normal``, ``valid`` and the components (see ``ingest.typed.types.TYPES`` for the
schemas).
"""

from __future__ import annotations

import re

from . import shapes as S
from ._common import JS_WS, Row
from .reference_dates import age, date_, dob, now_utc, parse_time_text, time, today_utc
from .reference_email import email
from .reference_numbers import (
    boolean,
    gender,
    js_number,
    js_parse_int,
    js_to_fixed_2,
    number,
    parse_number_text,
    range_,
)
from .reference_phone import phone, phone_hint
from .reference_web import ip, trustedform_url, url

__all__ = [
    "age",
    "boolean",
    "date_",
    "dob",
    "email",
    "gender",
    "ip",
    "js_number",
    "js_parse_int",
    "js_to_fixed_2",
    "now_utc",
    "number",
    "parse_number_text",
    "parse_time_text",
    "phone",
    "phone_hint",
    "postal_code",
    "range_",
    "ssn",
    "state",
    "street",
    "string",
    "time",
    "today_utc",
    "trustedform_url",
    "url",
]


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# ---------------------------------------------------------------------------------------------
# postal_code
_POSTAL_US, _POSTAL_CA, _POSTAL_GB = _c(S.POSTAL_US), _c(S.POSTAL_CA), _c(S.POSTAL_GB)
POSTAL_COMPONENTS = ("country_code", "code", "zip", "four", "fsa", "ldu", "district", "outcode",
                     "incode")  # fmt: skip


def postal_code(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", *POSTAL_COMPONENTS))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    text = value.strip(JS_WS)
    if m := _POSTAL_US.match(text):
        zip5, four = m.group(1), m.group(2)
        row.update(normal=f"{zip5 or ''}-{four}" if four else (zip5 or ""), country_code="US",
                   zip=zip5, four=four)  # fmt: skip
    elif m := _POSTAL_CA.match(text):
        fsa, ldu = m.group(1).upper(), m.group(3).upper()
        row.update(normal=f"{fsa} {ldu}", country_code="CA", fsa=fsa, ldu=ldu,
                   district=m.group(2).upper())  # fmt: skip
    elif m := _POSTAL_GB.match(text):
        outcode, incode = (m.group(1) or "").upper() or None, m.group(2).upper()
        row.update(normal=f"{outcode or ''} {incode}", country_code="GB", outcode=outcode,
                   incode=incode)  # fmt: skip
    else:
        return row
    row.update(valid=True, code=text.upper() or None)
    return row


# ---------------------------------------------------------------------------------------------
# state
_STATE_NAMES = S.state_names()


def state(value: str | None) -> Row:
    """LeadConduit's state (lib/types/state.js): a value of two characters is a code in any case;
    any other is a full name once each word (split on single spaces) is capitalized. The value is
    used as given (not trimmed). An unknown value is kept as given, as ``normal`` and ``name``."""
    row: Row = dict.fromkeys(("raw", "normal", "valid", "name"))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=True, name=value)
    if len(value) == 2:
        code = value.upper() if value.upper() in S.STATES else None
    else:
        code = _STATE_NAMES.get(" ".join(S.capitalize(part) for part in value.split(" ")))
    if code is not None:
        row.update(normal=code, name=S.STATES[code])
    return row


# ---------------------------------------------------------------------------------------------
# ssn
_NOT_DIGIT = _c("[^0-9]")
_DIGIT = _c("[0-9]")


def ssn(value: str | None) -> Row:
    row: Row = dict.fromkeys(
        ("raw", "normal", "valid", "first_three", "middle_two", "last_four", "masked")
    )
    if value is None:
        return row
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) != 9:
        row.update(raw=value, normal=value, valid=False, masked=_DIGIT.sub("*", value))
        return row
    row.update(raw=value, normal=digits, valid=True, first_three=digits[:3],
               middle_two=digits[3:5], last_four=digits[5:],
               masked=f"***-**-{digits[5:]}")  # fmt: skip
    return row


# ---------------------------------------------------------------------------------------------
# street, strings
_STREET = _c(S.STREET)


def street(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", "number", "name"))
    if value is None:
        return row
    text = value.strip(JS_WS)
    m = _STREET.match(text)
    if not m:
        row.update(raw=value, normal=value, valid=False)
        return row
    row.update(raw=value, normal=text, valid=True, number=m.group(1), name=m.group(2))
    return row


def string(value: str | None) -> Row:
    if value is None:
        return {"raw": None, "normal": None, "valid": None}
    return {"raw": value, "normal": value, "valid": True}
