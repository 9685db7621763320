"""chrono-node's English (casual) parsers, the ones LeadConduit's time values reach: ISO 8601,
year-month-day, slash dates, month names (either side of the day, with a year or alone), weekdays
and clock times with their AM/PM rules (chrono-node 2.10.3: src/common/parsers,
src/locales/en/parsers). Each parser is a pattern and an ``extract`` returning a result, its
components, the known fields (a dict) or None; see ``chrono.run_parser`` for how they are run.

The casual words (now, today, tomorrow, noon, ...) are in ``chrono_casual``, durations and
relative periods ('in 5 minutes', '2 days ago', 'next week', 'end of the month') in
``chrono_relative``."""

from __future__ import annotations

import math
import re

from . import js_dates as J
from .chrono_core import Components, Context, Match, js_re, match_any

WEEKDAYS = {
    "sunday": 0, "sun": 0, "sun.": 0, "monday": 1, "mon": 1, "mon.": 1, "tuesday": 2, "tue": 2,
    "tue.": 2, "wednesday": 3, "wed": 3, "wed.": 3, "thursday": 4, "thurs": 4, "thurs.": 4,
    "thur": 4, "thur.": 4, "thu": 4, "thu.": 4, "friday": 5, "fri": 5, "fri.": 5, "saturday": 6,
    "sat": 6, "sat.": 6,
}  # fmt: skip
FULL_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTHS = {
    **FULL_MONTHS, "jan": 1, "jan.": 1, "feb": 2, "feb.": 2, "mar": 3, "mar.": 3, "apr": 4,
    "apr.": 4, "jun": 6, "jun.": 6, "jul": 7, "jul.": 7, "aug": 8, "aug.": 8, "sep": 9, "sep.": 9,
    "sept": 9, "sept.": 9, "oct": 10, "oct.": 10, "nov": 11, "nov.": 11, "dec": 12, "dec.": 12,
}  # fmt: skip
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
ORDINAL_WORDS = {w: i + 1 for i, w in enumerate(
    [*_UNITS, "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
     "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"])}  # fmt: skip
for _i, _w in enumerate(_UNITS[:9]):
    ORDINAL_WORDS[f"twenty {_w}"] = ORDINAL_WORDS[f"twenty-{_w}"] = 21 + _i
ORDINAL_WORDS["thirtieth"] = 30
ORDINAL_WORDS["thirty first"] = ORDINAL_WORDS["thirty-first"] = 31

MONTH_PATTERN = match_any(MONTHS)
ORDINAL_PATTERN = f"(?:{match_any(ORDINAL_WORDS)}|[0-9]{{1,2}}(?:st|nd|rd|th)?)"
YEAR_PATTERN = (
    r"(?:[1-9][0-9]{0,3}\s{0,2}(?:BE|AD|BC|BCE|CE)|[1-9][0-9]{3}|[0-9]{2}(?!\w|:\d|\s+(?:am|pm|o\s*"
    r"clock|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))"
)


def most_likely_ad_year(year: int) -> int:
    if year < 100:
        return year + 1900 if year > 50 else year + 2000
    return year


def parse_year(text: str) -> int:
    if re.search("BE", text, re.I):
        return int(re.sub("BE", "", text, count=1, flags=re.I).strip()) - 543
    if re.search("BCE?", text, re.I):
        return -int(re.sub("BCE?", "", text, count=1, flags=re.I).strip())
    if re.search("(AD|CE)", text, re.I):
        return int(re.sub("(AD|CE)", "", text, count=1, flags=re.I).strip())
    return most_likely_ad_year(int(text))


def parse_ordinal(text: str) -> int:
    text = text.lower()
    if text in ORDINAL_WORDS:
        return ORDINAL_WORDS[text]
    return int(re.sub("(?:st|nd|rd|th)$", "", text))


def year_closest_to_ref(ref: int, day: int, month: int) -> int:
    """findYearClosestToRef: the year putting (month, day) nearest the reference."""
    y, _, d, h, mi, s, ms = J.fields(ref)
    moved = J.fields(J.make_ms(y, month, d, h, mi, s, ms))  # setMonth
    date = J.make_ms(moved[0], moved[1], day, h, mi, s, ms)  # setDate
    after, before = J.add_years(date, 1), J.add_years(date, -1)
    if abs(after - ref) < abs(date - ref):
        date = after
    elif abs(before - ref) < abs(date - ref):
        date = before
    return J.fields(date)[0]


class Parser:
    pattern: re.Pattern[str]

    def extract(self, ctx: Context, m: Match):
        raise NotImplementedError


class WordBoundaryParser(Parser):
    """AbstractParserWithWordBoundaryChecking: the inner pattern after a non-word character or at
    the start; the inner extract sees the match without that character."""

    inner: str
    ignore_case = True

    def __init__(self):
        self.pattern = js_re(r"(\W|^)" + self.inner, self.ignore_case)

    def extract(self, ctx: Context, m: Match):
        header = m[1] or ""
        m.index += len(header)
        m.groups = [m.groups[0][len(header) :], *m.groups[2:]]
        return self.inner_extract(ctx, m)

    def inner_extract(self, ctx: Context, m: Match):
        raise NotImplementedError


class ISOFormat(WordBoundaryParser):
    inner = (
        r"([0-9]{4})\-([0-9]{1,2})\-([0-9]{1,2})(?:T([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})"
        r"(?:\.(\d{1,4}))?)?(Z|([+-]\d{2}):?(\d{2})?)?)?(?=\W|$)"
    )

    def inner_extract(self, ctx, m):
        c = ctx.components({"year": int(m[1]), "month": int(m[2]), "day": int(m[3])})
        if m[4] is not None:
            c.assign("hour", int(m[4])).assign("minute", int(m[5]))
            if m[6] is not None:
                c.assign("second", int(m[6]))
            if m[7] is not None:
                c.assign("millisecond", int(m[7]))
            if m[8] is not None:
                offset = 0
                if m[9]:
                    offset = int(m[9]) * 60
                    minutes = int(m[10]) if m[10] is not None else 0
                    offset = offset - minutes if offset < 0 else offset + minutes
                c.assign("timezoneOffset", offset)
        return c


class YearMonthDay(WordBoundaryParser):
    inner = (
        rf"([0-9]{{4}})[-\.\/\s](?:({MONTH_PATTERN})|([0-9]{{1,2}}))[-\.\/\s]([0-9]{{1,2}})"
        r"(?=\W|$)"
    )

    def inner_extract(self, ctx, m):
        year, day = int(m[1]), int(m[4])
        month = int(m[3]) if m[3] else MONTHS[m[2].lower()]
        if (month < 1 or month > 12) and 1 <= day <= 12:
            month, day = day, month
        if day < 1 or day > 31:
            return None
        return {"day": day, "month": month, "year": year}


class SlashDate(Parser):
    pattern = js_re(
        r"([^\d]|^)([0-3]{0,1}[0-9]{1})[\/\.\-]([0-3]{0,1}[0-9]{1})(?:[\/\.\-]([0-9]{4}|[0-9]{2}))?"
        r"(\W|$)"
    )
    _before, _after = js_re(r"\d/?$"), js_re(r"^/?\d")
    _version1, _version2 = js_re(r"^\d\.\d$"), js_re(r"^\d\.\d{1,2}\.\d{1,2}\s*$")

    def extract(self, ctx, m):
        index = m.index + len(m[1])
        end = m.index + len(m[0]) - len(m[5])
        if index > 0 and self._before.search(ctx.text[:index]):
            return None
        if end < len(ctx.text) and self._after.search(ctx.text[end:]):
            return None
        text = ctx.text[index:end]
        if self._version1.search(text) or self._version2.search(text):
            return None
        if not m[4] and "/" not in text:
            return None
        result = ctx.result(index, text)
        month, day = int(m[2]), int(m[3])
        if month > 12:
            if 1 <= day <= 12 and month <= 31:
                day, month = month, day
            else:
                return None
        if day < 1 or day > 31:
            return None
        result.start.assign("day", day).assign("month", month)
        if m[4]:
            result.start.assign("year", most_likely_ad_year(int(m[4])))
        else:
            result.start.imply("year", year_closest_to_ref(ctx.ref, day, month))
        return result


def _day_month(ctx: Context, c: Components, day: int, month: int, year: str | None) -> None:
    if year:
        c.assign("year", parse_year(year))
    else:
        c.imply("year", year_closest_to_ref(ctx.ref, day, month))


class MonthNameLittleEndian(WordBoundaryParser):
    inner = (
        rf"(?:on\s{{0,3}})?({ORDINAL_PATTERN})(?:\s{{0,3}}(?:to|\-|\–|until|through|till)\s{{0,3}}"
        rf"({ORDINAL_PATTERN}))?(?:-|/|\s{{0,3}}(?:of)?\s{{0,3}})({MONTH_PATTERN})"
        rf"(?:(?:-|/|,?\s{{0,3}})({YEAR_PATTERN}(?!\w)))?(?=\W|$)"
    )

    def inner_extract(self, ctx, m):
        result = ctx.result(m.index, m[0])
        month, day = MONTHS[m[3].lower()], parse_ordinal(m[1])
        if day > 31:
            m.index += len(m[1])
            return None
        result.start.assign("month", month).assign("day", day)
        _day_month(ctx, result.start, day, month, m[4])
        if m[2]:
            result.end = result.start.clone().assign("day", parse_ordinal(m[2]))
        return result


class MonthNameMiddleEndian(WordBoundaryParser):
    inner = (
        rf"({MONTH_PATTERN})(?:-|/|\s*,?\s*)({ORDINAL_PATTERN})(?!\s*(?:am|pm))\s*"
        rf"(?:(?:to|\-)\s*({ORDINAL_PATTERN})\s*)?(?:(?:-|/|\s*,\s*|\s+)({YEAR_PATTERN}))?"
        r"(?=\W|$)(?!\:\d)"
    )

    def inner_extract(self, ctx, m):
        month, day = MONTHS[m[1].lower()], parse_ordinal(m[2])
        if day > 31:
            return None
        c = ctx.components({"day": day, "month": month})
        _day_month(ctx, c, day, month, m[4])
        if not m[3]:
            return c
        result = ctx.result(m.index, m[0], c)
        result.end = c.clone().assign("day", parse_ordinal(m[3]))
        return result


class MonthName(WordBoundaryParser):
    inner = (
        rf"((?:in)\s*)?({MONTH_PATTERN})\s*(?:(?:,|-|of)?\s*({YEAR_PATTERN})?)?"
        r"(?=[^\s\w]|\s+[^0-9]|\s+$|$)"
    )

    def inner_extract(self, ctx, m):
        name = m[2].lower()
        if len(m[0]) <= 3 and name not in FULL_MONTHS:
            return None
        start = m.index + len(m[1] or "")
        result = ctx.result(start, ctx.text[start : m.index + len(m[0])])
        month = MONTHS[name]
        result.start.imply("day", 1).assign("month", month)
        _day_month(ctx, result.start, 1, month, m[3])
        return result


class YearMonthName(WordBoundaryParser):
    inner = (
        r"((?:[1-9][0-9]{0,3}\s{0,2}(?:BE|AD|BC|BCE|CE)|[1-9][0-9]{3}))"
        rf"(?:\s*[-.\/,]?\s*|\s+of\s+)({MONTH_PATTERN})(?=[^\s\w]|\s+[^0-9]|\s+$|$)"
    )

    def inner_extract(self, ctx, m):
        result = ctx.result(m.index, m[0])
        result.start.imply("day", 1).assign("month", MONTHS[m[2].lower()])
        result.start.assign("year", parse_year(m[1]))
        return result


class SlashMonth(WordBoundaryParser):
    inner = r"([0-9]|0[1-9]|1[012])/([0-9]{4})"
    _before = js_re(r"\d\/?$")

    def inner_extract(self, ctx, m):
        if self._before.search(ctx.text[: m.index]):
            return None
        return ctx.components().imply("day", 1).assign("month", int(m[1])).assign("year", int(m[2]))


def _days_to_weekday(ref: int, weekday: int, modifier: str | None) -> int:
    """calculation/weekdays.ts getDaysToWeekday."""
    ref_day = J.weekday(ref)
    forward = (weekday - ref_day) % 7
    backward = weekday - ref_day - 7 if weekday - ref_day >= 0 else weekday - ref_day
    if modifier == "this":
        return forward
    if modifier == "last":
        return backward
    if modifier == "next":
        if ref_day == 0:
            return 7 if weekday == 0 else weekday
        if ref_day == 6:
            return 7 if weekday == 6 else 8 if weekday == 0 else 1 + weekday
        return forward if weekday < ref_day and weekday != 0 else forward + 7
    return forward if forward < -backward else backward


class Weekday(WordBoundaryParser):
    inner = (
        rf"(?:(?:\,|\(|\（)\s*)?(?:on\s*?)?(?:(this|last|past|next)\s*)?({match_any(WEEKDAYS)}|"
        r"weekend|weekday)(?:\s*(?:\,|\)|\）))?(?:\s*(?:of\s*)?(this|last|past|next)\s*week)?"
        r"(?=\W|$)"
    )

    def inner_extract(self, ctx, m):
        word = (m[1] or m[3] or "").lower()
        modifier = {"last": "last", "past": "last", "next": "next", "this": "this"}.get(word)
        name = m[2].lower()
        if name in WEEKDAYS:
            weekday = WEEKDAYS[name]
        elif name == "weekend":
            weekday = 0 if modifier == "last" else 6
        else:
            ref_day = J.weekday(ctx.ref)
            if ref_day in (0, 6):
                weekday = 5 if modifier == "last" else 1
            else:
                weekday = ref_day - 1
                weekday = weekday - 1 if modifier == "last" else weekday + 1
                weekday = int(math.fmod(weekday, 5)) + 1  # JavaScript's %: -1 % 5 is -1
        c = ctx.components().add_days_implied(_days_to_weekday(ctx.ref, weekday, modifier))
        return c.assign("weekday", weekday)
