"""chrono-node's casual English parse (``chrono.parse(text)``, what LeadConduit's ``time`` type
calls; chrono-node 2.10.3), ported: every parser runs over the text (``run_parser``), the results
are sorted by position and refined in chrono's order (overlaps removed, a zone offset or
abbreviation after a time taken in, a date and a time next to each other merged, a weekday merged
into the date it names, impossible dates dropped, a year after a month and day taken in, two dates
joined by 'to' or '-' made a range, a duration counted from the date next to it, 'end of'
moved to the period's last day). :func:`first_instant` is the instant of the first result.

chrono's forwardDate refiner is left out: it does nothing without that option, which LeadConduit
does not set."""

from __future__ import annotations

from . import chrono_relative as R
from . import js_dates as J
from .chrono_casual import CasualDate, CasualTime
from .chrono_core import PM, Components, Context, Match, Result, js_re, js_trim, merging
from .chrono_parsers import (
    YEAR_PATTERN,
    ISOFormat,
    MonthName,
    MonthNameLittleEndian,
    MonthNameMiddleEndian,
    Parser,
    SlashDate,
    SlashMonth,
    Weekday,
    YearMonthDay,
    YearMonthName,
    parse_year,
)
from .chrono_time import TimeExpression
from .chrono_zones import zone_offset

#: en/configuration.ts, casual: in chrono's order
PARSERS: list[Parser] = [
    YearMonthDay(), ISOFormat(), SlashDate(), R.TimeUnitWithin(), MonthNameLittleEndian(),
    MonthNameMiddleEndian(), Weekday(), SlashMonth(), TimeExpression(), R.TimeUnitAgo(),
    R.TimeUnitLater(), YearMonthName(), CasualDate(), CasualTime(), R.EndOfCurrentMonth(),
    MonthName(), R.RelativeDateFormat(), R.TimeUnitCasualRelative(),
]  # fmt: skip


def run_parser(ctx: Context, parser: Parser) -> list[Result]:
    """Chrono.executeParser: match on the rest of the text after each result (after one more
    character when the parser turns a match down, from where it says the match starts)."""
    results, start = [], 0
    while (found := parser.pattern.search(ctx.text[start:])) is not None:
        m = Match([found.group(0), *found.groups()], found.start() + start)
        out = parser.extract(ctx, m)
        if not out:
            start = m.index + 1
            continue
        if isinstance(out, Components):
            out = ctx.result(m.index, m[0], out)
        elif isinstance(out, dict):
            out = ctx.result(m.index, m[0], ctx.components(out))
        results.append(out)
        start = out.index + len(out.text)
    return results


# ---------------------------------------------------------------------------------------------
# refiners
def _after(ctx: Context, r: Result) -> str:
    return ctx.text[r.index + len(r.text) :]


def remove_overlaps(ctx: Context, results: list[Result]) -> list[Result]:
    if len(results) < 2:
        return results
    kept, prev = [], results[0]
    for r in results[1:]:
        if r.index >= prev.index + len(prev.text):
            kept.append(prev)
            prev = r
        elif len(r.text) > len(prev.text):
            prev = r
    return [*kept, prev]


_OFFSET = js_re(r"^\s*(?:\(?(?:GMT|UTC)\s?)?([+-])(\d{1,2})(?::?(\d{2}))?\)?")


def zone_offsets(ctx: Context, results: list[Result]) -> list[Result]:
    """ExtractTimezoneOffsetRefiner: '+05:30', 'GMT-0500', '(UTC+1)' after a result."""
    for r in results:
        if r.start.certain("timezoneOffset"):
            continue
        m = _OFFSET.search(_after(ctx, r))
        if not m:
            continue
        offset = int(m.group(2)) * 60 + int(m.group(3) or "0")
        if offset > 14 * 60:
            continue
        offset = -offset if m.group(1) == "-" else offset
        if r.end is not None:
            r.end.assign("timezoneOffset", offset)
        r.start.assign("timezoneOffset", offset)
        r.text += m.group(0)
    return results


def _weekday_should(between: str, cur: Result, nxt: Result) -> bool:
    return (
        cur.start.only_weekday()
        and not cur.start.certain("hour")
        and nxt.start.certain("day")
        and not nxt.start.relative
        and _WEEKDAY_BETWEEN.search(between) is not None
    )


def _weekday_merge(between: str, cur: Result, nxt: Result) -> Result:
    new = nxt.clone()
    new.index, new.text = cur.index, cur.text + between + new.text
    new.start.assign("weekday", cur.start.get("weekday"))
    if new.end is not None:
        new.end.assign("weekday", cur.start.get("weekday"))
    return new


_WEEKDAY_BETWEEN = js_re(r"^,?\s*$", ignore_case=False)
_DATE_TIME_BETWEEN = js_re(r"^\s*(T|at|after|before|on|of|,|-|\.|∙|:)?\s*$", ignore_case=False)


def _date_time_should(between: str, cur: Result, nxt: Result) -> bool:
    date_then_time = cur.start.only_date() and nxt.start.only_time()
    time_then_date = cur.start.only_time() and nxt.start.only_date()
    if time_then_date and js_trim(between) == ":":
        return False
    return (date_then_time or time_then_date) and _DATE_TIME_BETWEEN.search(between) is not None


def merge_components(day: Components, time: Components) -> Components:
    """calculation/mergingCalculation.ts mergeDateTimeComponent."""
    out = day.clone()
    if time.certain("hour"):
        out.assign("hour", time.get("hour")).assign("minute", time.get("minute"))
        if time.certain("second"):
            out.assign("second", time.get("second"))
            put = out.assign if time.certain("millisecond") else out.imply
            put("millisecond", time.get("millisecond"))
        else:
            out.imply("second", time.get("second")).imply("millisecond", time.get("millisecond"))
    else:
        for name in ("hour", "minute", "second", "millisecond"):
            out.imply(name, time.get(name))
    if time.certain("timezoneOffset"):
        out.assign("timezoneOffset", time.get("timezoneOffset"))
    day_meridiem = day.get("meridiem") is not None and (day.certain("meridiem") or day.casual)
    if time.certain("meridiem"):
        out.assign("meridiem", time.get("meridiem"))
    elif time.get("meridiem") is not None and not day_meridiem:
        out.imply("meridiem", time.get("meridiem"))
    if out.get("meridiem") == PM and out.get("hour") < 12:
        put = out.assign if time.certain("hour") else out.imply
        put("hour", out.get("hour") + 12)
    out.casual, out.relative = day.casual or time.casual, day.relative or time.relative
    return out


def merge_date_time(day: Result, time: Result) -> Result:
    result = day.clone()
    result.start = merge_components(day.start, time.start)
    if day.end is not None or time.end is not None:
        end = merge_components(day.end or day.start, time.end or time.start)
        if day.end is None and end.date() < result.start.date():
            y, m, d = J.fields(J.add_days(end.date(), 1))[:3]
            put = end.assign if end.certain("day") else end.imply
            put("day", d), put("month", m), put("year", y)
        result.end = end
    return result


def _date_time_merge(between: str, cur: Result, nxt: Result) -> Result:
    result = merge_date_time(cur, nxt) if cur.start.only_date() else merge_date_time(nxt, cur)
    result.index, result.text = cur.index, cur.text + between + nxt.text
    return result


_ZONE_NAME = js_re(r"^\s*,?\s*\(?([A-Z]{2,4})\)?(?=\W|$)")


def zone_names(ctx: Context, results: list[Result]) -> list[Result]:
    """ExtractTimezoneAbbrRefiner: 'EST', '(CDT)' after a result."""
    for r in results:
        m = _ZONE_NAME.search(_after(ctx, r))
        if not m:
            continue
        abbr = m.group(1).upper()
        offset = zone_offset(abbr, r.start.date())
        if offset is None:
            continue
        current = r.start.get("timezoneOffset")
        if current is not None and offset != current:
            if r.start.certain("timezoneOffset") or abbr != m.group(1):
                continue
        if r.start.only_date() and abbr != m.group(1):
            continue
        r.text += m.group(0)
        if not r.start.certain("timezoneOffset"):
            r.start.assign("timezoneOffset", offset)
        if r.end is not None and not r.end.certain("timezoneOffset"):
            r.end.assign("timezoneOffset", offset)
    return results


_NUMBER_LIKE = js_re(r"^\d*(\.\d*)?$")


def unlikely(ctx: Context, results: list[Result]) -> list[Result]:
    """UnlikelyFormatFilter: bare numbers and impossible dates out."""
    return [
        r
        for r in results
        if not _NUMBER_LIKE.search(r.text.replace(" ", "", 1))
        and r.start.valid_date()
        and (r.end is None or r.end.valid_date())
    ]


_YEAR_SUFFIX = js_re(rf"^\s*({YEAR_PATTERN})")


def year_suffixes(ctx: Context, results: list[Result]) -> list[Result]:
    """ENExtractYearSuffixRefiner: a year after a date without one."""
    for r in results:
        if not r.start.unknown_year():
            continue
        m = _YEAR_SUFFIX.search(_after(ctx, r))
        if not m or len(js_trim(m.group(0))) <= 3:
            continue
        year = parse_year(m.group(1))
        if r.end is not None:
            r.end.assign("year", year)
        r.start.assign("year", year)
        r.text += m.group(0)
    return results


_RANGE_BETWEEN = js_re(r"^\s*(to|-|–|until|through|till)\s*$")


def _range_should(between: str, cur: Result, nxt: Result) -> bool:
    return cur.end is None and nxt.end is None and _RANGE_BETWEEN.search(between) is not None


def _imply_day(c: Components, t: int) -> None:
    y, m, d = J.fields(t)[:3]
    c.imply("day", d).imply("month", m).imply("year", y)


def _range_merge(between: str, first: Result, last: Result) -> Result:
    """AbstractMergeDateRangeRefiner.mergeResults."""
    a, b = first.start, last.start
    if not a.only_weekday() and not b.only_weekday():
        for key in list(b.known):
            if not a.certain(key):
                a.imply(key, b.get(key))
        for key in list(a.known):
            if not b.certain(key):
                b.imply(key, a.get(key))
    if a.date() > b.date():
        t_a, t_b = a.date(), b.date()
        if b.only_weekday() and J.add_days(t_b, 7) > t_a:
            _imply_day(b, J.add_days(t_b, 7))
        elif a.only_weekday() and J.add_days(t_a, -7) < t_b:
            _imply_day(a, J.add_days(t_a, -7))
        elif b.unknown_year() and J.add_years(t_b, 1) > t_a:
            b.imply("year", J.fields(J.add_years(t_b, 1))[0])
        elif a.unknown_year() and J.add_years(t_a, -1) < t_b:
            a.imply("year", J.fields(J.add_years(t_a, -1))[0])
        else:
            first, last = last, first
    result = first.clone()
    result.start, result.end = first.start, last.start
    result.index = min(first.index, last.index)
    if first.index < last.index:
        result.text = first.text + between + last.text
    else:
        result.text = last.text + between + first.text
    return result


_IN_BEFORE = js_re(r"\b(in)$")


def en_unlikely(ctx: Context, results: list[Result]) -> list[Result]:
    """ENUnlikelyFormatFilter: 'may' only after 'in'; never '... the second'."""

    def keep(r: Result) -> bool:
        text = js_trim(r.text)
        if text == js_trim(ctx.text):
            return True
        if text.lower() == "may" and not _IN_BEFORE.search(js_trim(ctx.text[: r.index])):
            return False
        return not text.lower().endswith("the second")

    return [r for r in results if keep(r)]


merge_weekdays = merging(_weekday_should, _weekday_merge)
merge_dates_and_times = merging(_date_time_should, _date_time_merge)
merge_ranges = merging(_range_should, _range_merge)

#: en/configuration.ts, casual, in chrono's order (but forwardDate's, which does nothing here)
REFINERS = [
    R.end_of_period, remove_overlaps, R.merge_relative_after_date,
    R.merge_relative_followed_by_date, remove_overlaps, zone_offsets, merge_weekdays,
    merge_dates_and_times, zone_names, remove_overlaps, unlikely, merge_dates_and_times,
    year_suffixes, merge_ranges, en_unlikely,
]  # fmt: skip


def parse(text: str, ref: int) -> list[Result]:
    """chrono.parse(text, reference instant in ms)."""
    ctx = Context(text, ref)
    results = [r for parser in PARSERS for r in run_parser(ctx, parser)]
    results.sort(key=lambda r: r.index)
    for refine in REFINERS:
        results = refine(ctx, results)
    return results


def first_instant(text: str, ref: int) -> int | None:
    """The instant (ms since the epoch) LeadConduit's time type takes from ``text``, or None."""
    results = parse(text, ref)
    return results[0].start.date() if results else None
