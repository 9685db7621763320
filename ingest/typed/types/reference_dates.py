"""The scalar reference for the calendar types: ``date``, ``dob`` (with LeadConduit's age) and
``time`` (the UTC instant a text stands for). Part of ``ingest.typed.types.reference``, which
re-exports every function here; see its docstring for the contract."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from . import shapes as S
from ._common import Row, strip_ws
from .moment_dates import read_date


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
_TIME_ISO, _TIME_US, _TIME_JS = re.compile(S.TIME_ISO), re.compile(S.TIME_US), re.compile(S.TIME_JS)
_TIME_RFC, _TIME_EPOCH = re.compile(S.TIME_RFC), re.compile(S.TIME_EPOCH)
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
