"""The scalar reference of the phone type: LeadConduit's own steps (``leadconduit-types``
lib/types/phone.js) on libphonenumber (``phonenumbers``, the Python port of the library LeadConduit
calls through google-libphonenumber).

1. A type hint is a lower-case ``h``, ``w``, ``c`` or ``m``, optionally in parentheses, at the very
   end of the value; it is removed and what is left trimmed (without a hint the value is parsed
   as given: libphonenumber skips what surrounds the number itself).
2. Masked digits (``*``) are read as zeros and libphonenumber parses the number (region US).
3. Its national significant number is split at the national destination code (``area``;
   ``***`` when libphonenumber finds none); ``number`` is the rest (cut to 7 characters for
   NANP numbers), ``exchange`` and ``line`` its two parts for any +1 number.
4. The stars are put back, aligned on the right over the value's digits, ``*`` and ``x``.
5. Valid when masked, else when libphonenumber says the number is valid.

Re-exported by ``reference``: callers use ``reference.phone``.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException

from . import shapes as S
from ._common import JS_WS, Row
from .reference_numbers import js_number

__all__ = ["phone", "phone_hint"]

# JavaScript's '$' is the very end ('\Z'), Python's would also match before a final newline
_HINT = re.compile(S.PHONE_HINT.removesuffix("$") + r"\Z")
_NOT_MASKABLE = re.compile(r"[^x0-9*]")
_NON_DIGITS = phonenumbers.phonenumberutil.NON_DIGITS_PATTERN
NANP_REGIONS = ("US", "CA")
NO_AREA = "***"

PHONE_COLUMNS = (
    "raw", "normal", "valid", "area", "exchange", "line", "number", "extension", "country_code",
    "country_calling_code", "is_tollfree", "type", "masked",
)  # fmt: skip


def phone_hint(value: str) -> tuple[str | None, str]:
    """(type, the value without the hint, trimmed) or (None, the value as given)."""
    match = _HINT.search(value)
    if not match:
        return None, value
    text = value[: match.start()] + value[match.end() :]
    return S.PHONE_HINTS[match.group(1)], text.strip(JS_WS)


def _asterisk(text: str, mask: list[bool]) -> str:
    """phone.js's asterisk: a '*' at each position flagged in ``mask`` (index 0 = last char)."""
    out = list(text)
    for i in range(1, min(len(out), len(mask)) + 1):
        if mask[i - 1]:
            out[-i] = "*"
    return "".join(out)


def _ndc_length(number: phonenumbers.PhoneNumber) -> int:
    """``phonenumbers.length_of_national_destination_code``, without its costly number-type
    lookup where it cannot change the result (a calling code without a mobile token, as +1)."""
    if phonenumbers.country_mobile_token(number.country_code):
        return phonenumbers.length_of_national_destination_code(number)
    if number.extension is not None:
        copied = phonenumbers.PhoneNumber()
        copied.merge_from(number)
        copied.extension = None
        number = copied
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    groups = _NON_DIGITS.split(text)
    return len(groups[2]) if len(groups) > 3 else 0


def phone(value: str | None, default_region: str = "US") -> Row:
    row: Row = dict.fromkeys(PHONE_COLUMNS)
    if value is None:
        return row
    kind, text = phone_hint(value)
    row.update(raw=value, normal=text, valid=False, type=kind)
    mask = [c == "*" for c in reversed(_NOT_MASKABLE.sub("", text))]
    try:
        number = phonenumbers.parse(text.replace("*", "0"), default_region)
    except NumberParseException:
        return row
    if number.national_number > 2**53:
        # google-libphonenumber holds it as a JavaScript number (a double): 17 digits get rounded
        number.national_number = int(js_number(float(number.national_number)))
    calling_code = number.country_code
    region = phonenumbers.region_code_for_country_code(calling_code)
    nsn = phonenumbers.national_significant_number(number)
    ndc_length = _ndc_length(number)
    area = nsn[:ndc_length] if ndc_length > 0 else None
    subscriber = nsn[ndc_length:]
    extension = number.extension or None
    ext = f"x{extension}" if extension else ""
    area = _asterisk(area + subscriber + ext, mask).split("x")[0][: len(area)] if area else NO_AREA
    if nsn:
        nsn = _asterisk(nsn + ext, mask).split("x")[0]
    if subscriber:
        subscriber = _asterisk(subscriber + ext, mask).split("x")[0]
        if region in NANP_REGIONS:
            subscriber = subscriber[:7]
    if extension:
        extension = _asterisk(ext, mask).replace("x", "", 1)
    masked = any(mask)
    row.update(
        normal="x".join(p for p in (nsn, extension) if p) if nsn else text,
        valid=masked or phonenumbers.is_valid_number(number),
        area=area,
        number=subscriber,
        extension=extension,
        country_code=region,
        country_calling_code=calling_code,
        is_tollfree=area in S.TOLLFREE_AREAS,
        masked=masked,
    )
    if calling_code == 1:
        row.update(exchange=subscriber[:3], line=subscriber[3:])
    return row
