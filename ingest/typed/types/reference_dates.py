"""The scalar reference for the calendar types: ``date``, ``dob`` (with LeadConduit's age) and
``time`` (the UTC instant chrono-node reads in a text, ``chrono``). Part of
``ingest.typed.types.reference``, which re-exports every function here; see its docstring for the
contract."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from . import chrono
from . import shapes as S
from ._common import Row
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
def now_utc() -> datetime:
    return datetime.now(UTC)


def _millis(instant: datetime) -> int:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return (instant - _EPOCH) // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST, _LAST = _millis(datetime(1, 1, 1, tzinfo=UTC)), _millis(datetime.max.replace(tzinfo=UTC))


def parse_time_text(text: str, now: datetime | None = None) -> datetime | None:
    """The UTC instant (to the millisecond) LeadConduit's time type reads in ``text``: the first
    date or time chrono-node finds in it (ported in ``chrono``), its missing parts taken from
    ``now`` (the day) or chrono's defaults (noon, UTC). None when it finds none, or when the
    instant is outside the years 1..9999 (no datetime: 0000-01-01, '5 BC')."""
    found = chrono.first_instant(text, _millis(now or now_utc()))
    if found is None or not _FIRST <= found <= _LAST:
        return None
    return _EPOCH + timedelta(milliseconds=found)


def time(value: str | None, now: datetime | None = None) -> Row:
    row: Row = dict.fromkeys(("raw", "normal", "valid"))
    if value is None:
        return row
    parsed = parse_time_text(value, now)  # as given: chrono finds the time in the text
    row.update(raw=value, normal=parsed, valid=parsed is not None)
    return row
