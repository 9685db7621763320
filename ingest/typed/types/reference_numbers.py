"""The scalar reference for numbers and words: ``boolean``, ``number``, ``range`` (with the
JavaScript number formatting it needs) and ``gender``. Part of ``ingest.typed.types.reference``,
which re-exports every function here; see its docstring for the contract."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from . import shapes as S
from ._common import Row, strip_ws

_NOT_ALNUM = re.compile("[^A-Za-z0-9]")


def boolean(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed = S.BOOLEAN_WORDS.get(_NOT_ALNUM.sub("", value).lower())
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row


_NUMBER_SANITIZED = re.compile(S.NUMBER_SANITIZED)
_NOT_NUMERIC = re.compile(r"[^0-9.\-]")


def parse_number_text(value: str) -> float | None:
    """The number in a text, LeadConduit's way (lib/types/number.js): what is left after removing
    every character but digits, '.' and '-' (so ``1e3`` is 13). None when that is no number, or
    no finite one."""
    sanitized = _NOT_NUMERIC.sub("", value)
    if not _NUMBER_SANITIZED.match(sanitized):
        return None
    number = float(sanitized)
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number


def number(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed = parse_number_text(value)
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row


_RANGE_ISO = re.compile(S.RANGE_ISO_DATE)
_RANGE_SPLIT = re.compile(S.RANGE_SPLIT)
_RANGE_KEEP = re.compile(S.RANGE_DROP)
_RANGE_MIN_PLUS, _RANGE_MIN_MAX = re.compile(S.RANGE_MIN_PLUS), re.compile(S.RANGE_MIN_MAX)
_INT64_LIMIT = 2.0**63


def _js_time(stamp: str) -> str:
    """``new Date(stamp).getTime()`` as text, for the ISO dates LeadConduit's range reads ('NaN'
    when JavaScript finds no date: a month outside 1-12, a day outside 1-31, a bad clock)."""
    y, mo, d = int(stamp[:4]), int(stamp[5:7]), int(stamp[8:10])
    h = mi = sec = ms = 0
    if len(stamp) > 10:
        h, mi, sec = int(stamp[11:13]), int(stamp[14:16]), int(stamp[17:19])
        ms = int(stamp[20:-1].ljust(3, "0"))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h <= 24 and mi <= 59 and sec <= 59):
        return "NaN"
    if h == 24 and (mi or sec or ms):
        return "NaN"
    days = S.days_from_civil(y, mo, 1) + d - 1  # a day past the month's end rolls over
    return js_number(float(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms))


def range_(value: str | None) -> Row:
    """LeadConduit's range (lib/types/range.js), step by step: ISO dates become epoch
    milliseconds; the text up to the last '-' (or a first 'to') is cut off by a space; all but
    digits, '-', ' ', '.' and '+' is dropped; then 'min+' or 'min max' is searched; otherwise
    the value is a bare number (kept as given: ``normal``, and min = max = avg = mid)."""
    row: Row = dict.fromkeys(("raw", "normal", "valid", "min", "max", "avg", "mid"))
    if value is None:
        return row
    text = value
    if _RANGE_ISO.search(text):
        text = "-".join(_js_time(m.group(0)) for m in list(_RANGE_ISO.finditer(text))[:2])
    sanitized = _RANGE_KEEP.sub("", _RANGE_SPLIT.sub(r"\1 ", text, count=1))
    row.update(raw=value, normal=text, valid=False)
    if m := _RANGE_MIN_PLUS.search(sanitized):
        low = float(m.group(1))
        row.update(normal=f"{js_number(low)}+", valid=True, min=low)
        return row
    if m := _RANGE_MIN_MAX.search(sanitized):
        low, high = float(m.group(1)), float(m.group(2))
        middle = (low + high) / 2
        mid = js_parse_int(js_number(middle))
        row.update(normal=f"{js_number(low)}-{js_number(high)}", valid=True, min=low, max=high,
                   avg=js_to_fixed_2(middle),
                   mid=mid if mid is not None and abs(mid) < _INT64_LIMIT else None)  # fmt: skip
        return row
    bare = parse_number_text(text)
    if bare is not None:
        mid = int(bare) if abs(bare) < _INT64_LIMIT else None
        row.update(valid=True, min=bare, max=bare, avg=bare, mid=mid)
    return row


def js_number(x: float) -> str:
    """JavaScript's ``String(x)`` for a finite number: the shortest digits (as Python's repr),
    written out from 1e-7 up to 1e21, with an exponent outside."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0") if fraction != "0" else ""
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len(digits))
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= point <= 21:
        text = digits + "0" * (point - k)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        e = point - 1
        head = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{head}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def js_parse_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text)``: the leading integer (None for NaN)."""
    m = re.match(r"[+-]?[0-9]+", text)
    return int(m.group(0)) if m else None


def js_to_fixed_2(x: float) -> float:
    """``parseFloat(x.toFixed(2))``: the exact value rounded to cents, halves away from zero."""
    if abs(x) >= 1e21:
        return x
    return float(Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def gender(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", "abbr"))
    if value is None:
        return row
    parsed = S.GENDERS.get(strip_ws(value).lower())
    row.update(raw=value, normal=parsed or value, valid=parsed is not None,
               abbr=S.GENDER_ABBR.get(parsed) if parsed else None)  # fmt: skip
    return row
