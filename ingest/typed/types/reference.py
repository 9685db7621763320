"""The scalar reference: one plain Python function per type, one value at a time, built directly
on the libraries that are the source of truth (``phonenumbers`` for phones, ``ipaddress`` for IP
addresses, ``urllib.parse`` for URLs, ``datetime`` for calendar dates and times).

The vectorized parsers must give exactly these results, value for value (the differential and
property tests check it), and fall back on these functions, once per distinct value, for the
shapes they do not handle themselves.

Each function takes the raw value (a string, or None) and returns a dict with the type's columns:
``raw``, ``normal``, ``valid`` and the components (see ``ingest.typed.types.TYPES`` for the
schemas).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import NumberParseException

from . import shapes as S
from ._common import JS_WS, strip_ws
from .moment_dates import read_date

Row = dict[str, Any]


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# ---------------------------------------------------------------------------------------------
# phone
_HINT = _c(S.PHONE_HINT)


def phone_hint(text: str) -> tuple[str | None, str]:
    """(type, text without the hint) for a trimmed value."""
    match = _HINT.search(text)
    if not match:
        return None, text
    return S.PHONE_HINTS[match.group(1).lower()], strip_ws(text[: match.start()])


def _mask(digits: str, flags: list[bool]) -> str:
    """Put '*' back on the digits whose flag (aligned on the right) is set."""
    out = list(digits)
    for i in range(1, min(len(out), len(flags)) + 1):
        if flags[-i]:
            out[-i] = "*"
    return "".join(out)


def phone(value: str | None, default_region: str = "US") -> Row:
    row: Row = dict.fromkeys(
        ("raw", "normal", "valid", "area", "exchange", "line", "number", "extension",
         "country_code", "country_calling_code", "is_tollfree", "type", "masked")
    )  # fmt: skip
    if value is None:
        return row
    row["raw"] = value
    kind, text = phone_hint(strip_ws(value))
    row["type"] = kind
    masked = "*" in text
    try:
        number = phonenumbers.parse(text.replace("*", "0"), default_region)
    except NumberParseException:
        number = None
    if number is None:
        row.update(normal=text, valid=False)
        return row

    nsn = phonenumbers.national_significant_number(number)
    extension = number.extension or None
    calling_code = number.country_code
    if calling_code == 1:
        ndc = 3 if len(nsn) == 10 else 0
    else:
        ndc = phonenumbers.length_of_national_destination_code(number)
    if masked:
        flags = [c == "*" for c in text if c in "0123456789*"]
        combined = _mask(nsn + (extension or ""), flags)
        nsn, extension = combined[: len(nsn)], (combined[len(nsn) :] or None)
        # masked digits count as valid when the number has a full possible length
        reason = phonenumbers.is_possible_number_with_reason(number)
        valid = reason == phonenumbers.ValidationResult.IS_POSSIBLE
    else:
        valid = phonenumbers.is_valid_number(number)

    region = phonenumbers.region_code_for_country_code(calling_code)
    area = nsn[:ndc] or None
    row.update(
        normal=nsn + (f"x{extension}" if extension else ""),
        valid=bool(valid),
        area=area,
        number=nsn[ndc:],
        extension=extension,
        country_code=region if region not in ("ZZ", "001") else None,
        country_calling_code=calling_code,
        is_tollfree=area in S.TOLLFREE_AREAS,
        masked=masked,
    )
    if calling_code == 1 and len(nsn) == 10:
        row.update(exchange=nsn[3:6], line=nsn[6:])
    return row


# ---------------------------------------------------------------------------------------------
# email
_EMAIL = _c(S.EMAIL)


def email(value: str | None) -> Row:
    row: Row = dict.fromkeys(
        ("raw", "normal", "valid", "user", "domain", "host", "tld", "is_free", "is_disposable")
    )
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    text = strip_ws(value)
    match = _EMAIL.match(text)
    if not match:
        return row
    user, domain = match.group(1), match.group(2)
    if len(user) > S.EMAIL_MAX_USER or len(domain) > S.EMAIL_MAX_DOMAIN:
        return row
    bare = domain.rstrip(".")
    host, _, tld = bare.rpartition(".")
    lower = bare.lower()
    row.update(
        normal=text.lower(),
        valid=True,
        user=user,
        domain=domain,
        host=host,
        tld=tld,
        is_free=lower in S.free_email_domains(),
        is_disposable=lower in S.disposable_email_domains(),
    )
    return row


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
# date, dob
def date_(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed, _ = read_date(value)  # as given: moment does not trim
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row


def today_utc() -> date:
    return datetime.now(UTC).date()


def dob(value: str | None, today: date | None = None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", "age", "year", "masked"))
    if value is None:
        return row
    row.update(date_(value))
    parsed = row["normal"]
    if parsed is not None:
        row.update(age=age(parsed, today or today_utc()), year=parsed.year,
                   masked=f"**/**/{parsed.year:04d}")  # fmt: skip
    return row


def age(born: date, today: date) -> float | None:
    """LeadConduit's age (lib/types/dob.js): the whole years moment counts between the birth day
    and today at 02:24 UTC (a tenth of a day in; toward zero for a day to come), plus the tenths of
    a year (of 365.2425 days) since the last birthday, floored, at most .9. None on a common year
    for a 29 February birthday (moment's NaN: that birthday does not exist this year)."""
    reached = (today.month, today.day) >= (born.month, born.day)
    if born <= today:
        years = today.year - born.year - (not reached)
    else:
        years = -(born.year - today.year - ((born.month, born.day) <= (today.month, today.day)))
    if (born.month, born.day) == (2, 29) and not S.leap(today.year):
        return None
    last_year = today.year if reached else today.year - 1
    last_day = 28 if (born.month, born.day) == (2, 29) and not S.leap(last_year) else born.day
    days = (today - date(last_year, born.month, last_day)).days
    # floor(((days + 0.1) / 365.2425) * 10), exactly: never an integer before the floor
    tenths = min((10 * days + 1) * 400 // 146_097, 9)
    return years + S.TENTHS[tenths]


# ---------------------------------------------------------------------------------------------
# time
_TIME_ISO, _TIME_US, _TIME_JS = _c(S.TIME_ISO), _c(S.TIME_US), _c(S.TIME_JS)
_TIME_RFC, _TIME_EPOCH = _c(S.TIME_RFC), _c(S.TIME_EPOCH)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _offset(zone: str | None) -> timedelta | None:
    """A zone designator as an offset east of UTC; None when it is no offset."""
    if zone is None or zone.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


def _utc(y, mo, d, h=0, mi=0, s=0, micro=0, zone=None) -> datetime | None:
    offset = _offset(zone)
    if offset is None:
        return None
    try:
        local = datetime(y, mo, d, h, mi, s, micro, tzinfo=UTC)
        return local - offset
    except (ValueError, OverflowError):
        return None


def parse_time_text(text: str) -> datetime | None:
    """The UTC instant (millisecond precision) a trimmed text stands for, or None."""
    if m := _TIME_ISO.match(text):
        y, mo, d, h, mi, s, frac, zone = m.groups()
        millis = int((frac or "0")[:3].ljust(3, "0"))
        return _utc(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                    millis * 1000, zone)  # fmt: skip
    if m := _TIME_US.match(text):
        mo, d, y, h, mi, s, ampm = m.groups()
        hour = int(h or 0)
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        return _utc(int(y), int(mo), int(d), hour, int(mi or 0), int(s or 0))
    if m := _TIME_JS.match(text):
        mon, d, y, h, mi, s, zone = m.groups()
        month = S.MONTHS.get(mon.lower())
        if month is None:
            return None
        return _utc(int(y), month, int(d), int(h), int(mi), int(s), 0, zone)
    if m := _TIME_RFC.match(text):
        d, mon, y, h, mi, s, zone = m.groups()
        month = S.MONTHS.get(mon.lower())
        if month is None:
            return None
        return _utc(int(y), month, int(d), int(h), int(mi), int(s or 0), 0, zone)
    if m := _TIME_EPOCH.match(text):
        digits = m.group(1)
        millis = int(digits) * (1000 if len(digits) == 10 else 1)
        return _EPOCH + timedelta(milliseconds=millis)
    return None


def time(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed = parse_time_text(strip_ws(value))
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row


# ---------------------------------------------------------------------------------------------
# boolean, number, range, gender
_NOT_ALNUM = _c("[^A-Za-z0-9]")


def boolean(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed = S.BOOLEAN_WORDS.get(_NOT_ALNUM.sub("", value).lower())
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row


_NUMBER_SANITIZED = _c(S.NUMBER_SANITIZED)
_NOT_NUMERIC = _c(r"[^0-9.\-]")


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


_RANGE_ISO = _c(S.RANGE_ISO_DATE)
_RANGE_SPLIT = _c(S.RANGE_SPLIT)
_RANGE_KEEP = _c(S.RANGE_DROP)
_RANGE_MIN_PLUS, _RANGE_MIN_MAX = _c(S.RANGE_MIN_PLUS), _c(S.RANGE_MIN_MAX)
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


# ---------------------------------------------------------------------------------------------
# url, trustedform_url, ip
_HOST_NAME = _c(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?$")
_NO_URL_CHARS = _c(f"{S.W}|[\x00-\x1f\x7f]")


def _url_parts(value: str) -> Row | None:
    """urllib's reading of a web URL (``http://`` added when there is no ``://``).

    None when it is none: empty, whitespace or control characters inside, a scheme other than
    http/https, no host, a host that is neither a plain (ASCII) name nor a bracketed IPv6
    address, or a bad port. Empty query and fragment count as absent.
    """
    text = strip_ws(value)
    if not text or _NO_URL_CHARS.search(text):
        return None
    if S.URL_HAS_SCHEME not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not text[len(scheme) + 1 :].startswith("//"):
        return None
    host = parts.hostname
    if not host:
        return None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if hostport.startswith("["):
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        host_text = f"[{host}]"
    elif _HOST_NAME.match(host):
        host_text = host
    else:
        return None
    port_text = None if port is None else str(port)
    path = parts.path or "/"
    query = parts.query or None
    fragment = f"#{parts.fragment}" if parts.fragment else None
    normal = f"{scheme}://{userinfo}{at}{host_text}"
    normal += (f":{port_text}" if port_text is not None else "") + path
    normal += (f"?{query}" if query is not None else "") + (fragment or "")
    return {
        "normal": normal,
        "protocol": scheme,
        "host": host,
        "port": port_text,
        "path": path,
        "query": query,
        "hash": fragment,
    }


def url(value: str | None) -> Row:
    row: Row = dict.fromkeys(
        ("raw", "normal", "valid", "protocol", "host", "port", "path", "query", "hash")
    )
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    parts = _url_parts(value)
    if parts is not None:
        row.update(parts, valid=True)
    return row


_TF_ID, _TF_LEGACY = _c(S.TRUSTEDFORM_CERT_ID), _c(S.TRUSTEDFORM_LEGACY_ID)


def trustedform_url(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", "cert_id", "type", "is_masked"))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    parts = _url_parts(value)
    if parts is None or parts["protocol"] != "https" or parts["port"] is not None:
        return row
    if parts["host"] not in S.TRUSTEDFORM_HOSTS:
        return row
    cert_id = parts["path"][1:]
    if not _TF_ID.match(cert_id):
        return row
    legacy = bool(_TF_LEGACY.match(cert_id))
    if legacy:
        cert_id = cert_id.lower()
    row.update(normal=f"https://{parts['host']}/{cert_id}", valid=True, cert_id=cert_id,
               type="web" if legacy else None, is_masked=False if legacy else None)  # fmt: skip
    return row


def ip(value: str | None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid", "is_ipv4"))
    if value is None:
        return row
    row.update(raw=value, normal=value, valid=False)
    text = strip_ws(value)
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return row
    row.update(normal=str(address), valid=True, is_ipv4=address.version == 4)
    return row
