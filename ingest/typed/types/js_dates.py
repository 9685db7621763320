"""JavaScript's Date arithmetic in UTC (the time zone LeadConduit's parsers run in), on integer
milliseconds since the epoch: fields roll over as ``Date.UTC`` rolls them (month 13 is January of
the next year, minute 60 the next hour), for any year (proleptic Gregorian, no year-0 gap)."""

from __future__ import annotations

from .shapes import days_from_civil

DAY_MS = 86_400_000


def _civil_from_days(z: int) -> tuple[int, int, int]:
    """The inverse of ``shapes.days_from_civil`` (Howard Hinnant's algorithm)."""
    z += 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def make_ms(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ms: int = 0) -> int:
    """The instant of these fields (month 1-based), every field rolling over into the next."""
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    days = days_from_civil(y, m, 1) + d - 1
    return days * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms


def fields(t: int) -> tuple[int, int, int, int, int, int, int]:
    """(year, month 1-based, day, hour, minute, second, millisecond) of an instant."""
    days, rest = divmod(t, DAY_MS)
    y, m, d = _civil_from_days(days)
    return y, m, d, rest // 3_600_000, rest // 60_000 % 60, rest // 1000 % 60, rest % 1000


def weekday(t: int) -> int:
    """Date.getDay(): 0 = Sunday."""
    return (t // DAY_MS + 4) % 7


def set_full_year(t: int, year: int) -> int:
    """Date.setFullYear(year): the same month, day and time in another year (29 February of a
    common year rolls to 1 March)."""
    _, m, d, h, mi, s, ms = fields(t)
    return make_ms(year, m, d, h, mi, s, ms)


def date_utc(y: int, m: int, d: int, h: int, mi: int, s: int, ms: int) -> int:
    """``new Date(Date.UTC(y, m - 1, ...))`` then ``setUTCFullYear(y)``, as chrono builds a date
    (Date.UTC reads years 0..99 as 1900..1999; setUTCFullYear puts the year back)."""
    t = make_ms(y + 1900 if 0 <= y <= 99 else y, m, d, h, mi, s, ms)
    return set_full_year(t, y)


def add_days(t: int, days: int) -> int:
    """setDate(getDate() + days)."""
    return t + days * DAY_MS


def add_years(t: int, years: int) -> int:
    """setFullYear(getFullYear() + years)."""
    return set_full_year(t, fields(t)[0] + years)
