"""chrono-node's English relative dates (chrono-node 2.10.3: src/locales/en/constants.ts
parseDuration, src/calculation/duration.ts addDuration, ParsingComponents
.createRelativeFromReference and the parsers ENTimeUnitWithinFormatParser, ...AgoFormatParser,
...LaterFormatParser, ...CasualRelativeFormatParser, ENRelativeDateFormatParser,
ENEndOfCurrentMonthParser): 'in 5 minutes', '2 days ago', '3 weeks later', '+2 hours', 'next
week', 'this month', 'end of the month'. Each is counted from the reference instant (``now``)."""

from __future__ import annotations

import math
import re

from . import js_dates as J
from .chrono_core import AM, PM, Components, Context, Result, js_re, match_any, merging
from .chrono_parsers import WordBoundaryParser, year_closest_to_ref

INTEGER_WORDS = {w: i + 1 for i, w in enumerate(
    "one two three four five six seven eight nine ten eleven twelve".split())}  # fmt: skip
_NO_ABBR = {"second": "second", "seconds": "second", "minute": "minute", "minutes": "minute",
            "hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week",
            "weeks": "week", "month": "month", "months": "month", "quarter": "quarter",
            "quarters": "quarter", "year": "year", "years": "year"}  # fmt: skip
TIME_UNITS = {
    "s": "second", "sec": "second", "second": "second", "seconds": "second", "m": "minute",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute", "h": "hour",
    "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour", "d": "day", "day": "day",
    "days": "day", "w": "week", "week": "week", "weeks": "week", "mo": "month", "mon": "month",
    "mos": "month", "month": "month", "months": "month", "qtr": "quarter", "quarter": "quarter",
    "quarters": "quarter", "y": "year", "yr": "year", "year": "year", "years": "year", **_NO_ABBR,
}  # fmt: skip
NUMBER_PATTERN = (
    rf"(?:{match_any(INTEGER_WORDS)}|[0-9]+|[0-9]+\.[0-9]+|half(?:\s{{0,2}}an?)?|"
    r"an?\b(?:\s{0,2}few)?|few|several|the|a?\s{0,2}couple\s{0,2}(?:of)?)"
)
_SINGLE = rf"({NUMBER_PATTERN})\s{{0,3}}({match_any(TIME_UNITS)})"
_SINGLE_RE = js_re(_SINGLE)
_SINGLE_NC = re.sub(r"\((?!\?)", "(?:", _SINGLE)  # repeatedTimeunitPattern: groups uncaptured
TIME_UNITS_PATTERN = (
    rf"(?:(?:about|around)\s{{0,3}})?{_SINGLE_NC}"
    rf"(?:\s{{0,5}},?(?:\s*and)?\s{{0,5}}{_SINGLE_NC}){{0,10}}"
)
_LETTERS = js_re(r"^[a-zA-Z]+$", ignore_case=False)


def _parse_number(text: str) -> float:
    num = text.lower()
    if num in INTEGER_WORDS:
        return INTEGER_WORDS[num]
    if num in ("a", "an", "the"):
        return 1
    for word, value in (("few", 3), ("half", 0.5), ("couple", 2), ("several", 7)):
        if word in num:
            return value
    return float(num)


def parse_duration(text: str) -> dict[str, float] | None:
    """parseDuration: {unit: amount} of every 'number unit' in the text (None when none)."""
    fragments: dict[str, float] = {}
    rest = text
    while m := _SINGLE_RE.search(rest):
        if not _LETTERS.search(m.group(0)):
            fragments[TIME_UNITS[m.group(2).lower()]] = _parse_number(m.group(1))
        rest = rest[len(m.group(0)) :].strip(" \t\n\r\x0b\x0c\xa0\u2028\u2029\ufeff")
    return fragments or None


def reverse(duration: dict[str, float]) -> dict[str, float]:
    return {k: -v for k, v in duration.items()}


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


def add_duration(t: int, duration: dict[str, float]) -> int:
    """addDuration (fractions carried to the next smaller unit; ``duration`` gains those keys, as
    chrono's object does)."""
    carry = (("year", "month", 12, False), ("quarter", "month", 3, False),
             ("month", "week", 4, False), ("week", "day", 7, True), ("day", "hour", 24, True),
             ("hour", "minute", 60, True), ("minute", "second", 60, True),
             ("second", "millisecond", 1000, True))  # fmt: skip
    for unit, smaller, factor, rounded in carry:
        if unit not in duration:
            continue
        whole = math.floor(duration[unit])
        y, mo, d, h, mi, s, ms = J.fields(t)
        if unit == "year":
            t = J.set_full_year(t, y + whole)
        elif unit in ("quarter", "month"):
            t = J.make_ms(y, mo + whole * (3 if unit == "quarter" else 1), d, h, mi, s, ms)
        else:
            step = {"week": 7 * J.DAY_MS, "day": J.DAY_MS, "hour": 3_600_000, "minute": 60_000,
                    "second": 1000}[unit]  # fmt: skip
            t += whole * step
        fraction = duration[unit] - whole
        if fraction > 0:
            extra = fraction * factor
            duration[smaller] = duration.get(smaller, 0) + (_js_round(extra) if rounded else extra)
    if "millisecond" in duration:
        t += math.floor(duration["millisecond"])
    return t


def relative(ref: int, duration: dict[str, float]) -> Components:
    """ParsingComponents.createRelativeFromReference."""
    t = add_duration(ref, duration)
    y, mo, d, h, mi, s, ms = J.fields(t)
    c = Components(ref)
    c.relative = True
    if any(u in duration for u in ("hour", "minute", "second", "millisecond")):
        for name, value in (("hour", h), ("minute", mi), ("second", s), ("millisecond", ms),
                            ("meridiem", AM if h < 12 else PM), ("day", d), ("month", mo),
                            ("year", y), ("timezoneOffset", 0)):  # fmt: skip
            c.assign(name, value)
        return c
    for name, value in (("hour", h), ("minute", mi), ("second", s), ("millisecond", ms),
                        ("meridiem", AM if h < 12 else PM), ("timezoneOffset", 0)):  # fmt: skip
        c.imply(name, value)
    if "day" in duration or "week" in duration:
        c.assign("day", d).assign("month", mo).assign("year", y)
        put = c.assign if "day" in duration else c.imply
        put("weekday", J.weekday(t))
    else:
        c.imply("day", d)
        (c.assign if "month" in duration else c.imply)("month", mo)
        (c.assign if "month" in duration or "year" in duration else c.imply)("year", y)
    return c


class _Duration(WordBoundaryParser):
    group = 1

    def backwards(self, m) -> bool:
        return False

    def inner_extract(self, ctx, m):
        duration = parse_duration(m[self.group])
        if duration is None:
            return None
        return relative(ctx.ref, reverse(duration) if self.backwards(m) else duration)


class TimeUnitWithin(_Duration):
    inner = (
        r"(?:within|in|for)\s*(?:(?:about|around|roughly|approximately|just)\s*(?:~\s*)?)?"
        rf"({TIME_UNITS_PATTERN})(?=\W|$)"
    )
    _for_the = js_re(r"^for\s*the\s*\w+")

    def inner_extract(self, ctx, m):
        return None if self._for_the.search(m[0]) else super().inner_extract(ctx, m)


class TimeUnitAgo(_Duration):
    inner = rf"({TIME_UNITS_PATTERN})\s{{0,5}}(?:ago|before|earlier)(?=\W|$)"

    def backwards(self, m) -> bool:
        return True


class TimeUnitLater(_Duration):
    inner = (
        rf"({TIME_UNITS_PATTERN})\s{{0,5}}(?:later|after|from now|henceforth|forward|out)"
        r"(?=(?:\W|$))"
    )


class TimeUnitCasualRelative(_Duration):
    inner = rf"(this|last|past|next|after|\+|-)\s*({TIME_UNITS_PATTERN})(?=\W|$)"
    group = 2

    def backwards(self, m) -> bool:
        return m[1].lower() in ("last", "past", "-")


class RelativeDateFormat(WordBoundaryParser):
    inner = rf"(this|last|past|next|after\s*this)\s*({match_any(TIME_UNITS)})(?=\s*)(?=\W|$)"

    def inner_extract(self, ctx, m):
        modifier, word = m[1].lower(), m[2].lower()
        unit = TIME_UNITS[word]
        if modifier == "next" or modifier.startswith("after"):
            return relative(ctx.ref, {unit: 1})
        if modifier in ("last", "past"):
            return relative(ctx.ref, {unit: -1})
        c = ctx.components()
        y, mo, d = J.fields(ctx.ref)[:3]
        if "week" in word:
            y, mo, d = J.fields(J.add_days(ctx.ref, -J.weekday(ctx.ref)))[:3]
            c.imply("day", d).imply("month", mo).imply("year", y)
        elif "month" in word:
            c.imply("day", 1).assign("year", y).assign("month", mo)
        elif "year" in word:
            c.imply("day", 1).imply("month", 1).assign("year", y)
        return c


def last_day_of_month(year: int, month: int) -> int:
    """new Date(year, month, 0).getDate() (month 1-based)."""
    return J.fields(J.make_ms(year, month + 1, 0))[2]


class EndOfCurrentMonth(WordBoundaryParser):
    inner = r"(?:last\s+day|end)\s+of\s+(?:the\s+)?month(?=\W|$)"

    def inner_extract(self, ctx, m):
        y, mo = J.fields(ctx.ref)[:2]
        return ctx.components({"day": last_day_of_month(y, mo), "month": mo, "year": y})


# ---------------------------------------------------------------------------------------------
# refiners (en/refiners: ENMergeRelativeAfterDateRefiner, ENMergeRelativeFollowByDateRefiner,
# ENEndOfPeriodRefiner)
_BLANK = js_re(r"^\s*$")
_SIGNED, _NEGATIVE = js_re(r"^[+-]"), js_re(r"^-")
_EARLIER, _LATER = js_re(r"\s+(before|from)$"), js_re(r"\s+(after|since)$")


def _after_date_should(between: str, cur: Result, nxt: Result) -> bool:
    return bool(_BLANK.search(between)) and bool(_SIGNED.search(nxt.text))


def _counted(cur: Result, between: str, nxt: Result, date: Result, words: str, back: bool):
    """The duration in ``words`` (backwards if ``back``) counted from ``date``'s instant, as one
    result over both texts."""
    duration = parse_duration(words)
    start = relative(date.start.date(), reverse(duration) if back else duration)
    return Result(date.ref, cur.index, cur.text + between + nxt.text, start)


def _after_date_merge(between: str, cur: Result, nxt: Result) -> Result:
    """[2020-02-13] [+2 weeks]: the duration counted from the date."""
    return _counted(cur, between, nxt, cur, nxt.text, bool(_NEGATIVE.search(nxt.text)))


def _follow_by_date_should(between: str, cur: Result, nxt: Result) -> bool:
    if not _BLANK.search(between):
        return False
    if not _EARLIER.search(cur.text) and not _LATER.search(cur.text):
        return False
    return all(nxt.start.get(c) for c in ("day", "month", "year"))


def _follow_by_date_merge(between: str, cur: Result, nxt: Result) -> Result:
    """[2 weeks before] [2020-02-13]: the duration counted from the date."""
    return _counted(cur, between, nxt, nxt, cur.text, bool(_EARLIER.search(cur.text)))


merge_relative_after_date = merging(_after_date_should, _after_date_merge)
merge_relative_followed_by_date = merging(_follow_by_date_should, _follow_by_date_merge)

_END_OF = js_re(r"\b(?:last\s+day|end)\s+of\s+(?:the\s+)?$")
_RELATIVE_PERIOD = js_re(r"^(this|last|past|next)\s*(week|month|year)$")
_RELATIVE_YEAR = js_re(r"^\s+(this|last|past|next)\s+year(?=\W|$)")


def _offset(modifier: str) -> int:
    return 1 if modifier == "next" else -1 if modifier in ("last", "past") else 0


def end_of_period(ctx: Context, results: list[Result]) -> list[Result]:
    """ENEndOfPeriodRefiner: 'end of next month', 'last day of February': the period's last day."""
    for r in results:
        prefix = _END_OF.search(ctx.text[: r.index])
        if not prefix:
            continue
        period = _RELATIVE_PERIOD.search(r.text)
        if period:
            _end_of_relative(ctx, r.start, period.group(1).lower(), period.group(2).lower())
        elif r.start.certain("month") and not r.start.certain("day"):
            _end_of_month(ctx, r)
        else:
            continue
        for name, value in (("hour", 12), ("minute", 0), ("second", 0), ("millisecond", 0)):
            r.start.imply(name, value)
        if not r.start.certain("timezoneOffset"):
            r.start.delete("timezoneOffset")
        r.index -= len(prefix.group(0))
        r.text = prefix.group(0) + r.text
    return results


def _end_of_relative(ctx: Context, c: Components, modifier: str, period: str) -> None:
    offset = _offset(modifier)
    y, mo = J.fields(ctx.ref)[:2]
    if period == "week":
        last = J.add_days(ctx.ref, 6 - J.weekday(ctx.ref) + offset * 7)
    elif period == "month":
        last = J.make_ms(y, mo + offset + 1, 0)
    else:
        last = J.make_ms(y + offset, 12, 31)
    ly, lm, ld = J.fields(last)[:3]
    c.assign("day", ld).assign("month", lm).assign("year", ly)
    c.delete("weekday")
    c.imply("weekday", J.weekday(last))


def _end_of_month(ctx: Context, r: Result) -> None:
    year, month = r.start.get("year"), r.start.get("month")
    suffix = _RELATIVE_YEAR.search(ctx.text[r.index + len(r.text) :])
    if suffix:
        year = J.fields(ctx.ref)[0] + _offset(suffix.group(1).lower())
        r.start.assign("year", year)
        r.text += suffix.group(0)
    if not r.start.certain("year"):
        year = year_closest_to_ref(ctx.ref, last_day_of_month(year, month), month)
        r.start.imply("year", year)
    r.start.assign("day", last_day_of_month(year, month))
