"""chrono-node's English clock-time parser (src/common/parsers/AbstractTimeExpressionParser.ts
and src/locales/en/parsers/ENTimeExpressionParser.ts, chrono-node 2.10.3, casual mode): '6:27',
'18:27:33.123', '6pm', '6.30 p.m.', 'at 7 in the morning', and a time range after it ('6 - 7pm'),
with its AM/PM rules."""

from __future__ import annotations

from .chrono_core import AM, PM, Components, Context, Match, Result, js_re
from .chrono_parsers import Parser

_PRIMARY = js_re(
    r"(^|\s|T|\b)(?:(?:at|from)\s*)??(\d{1,4})(?:(?:\.|:|：)(\d{1,2})(?:(?::|：)(\d{2})"
    r"(?:\.(\d{1,6}))?)?)?(?:\s*(a\.m\.|p\.m\.|am?|pm?))?"
    r"(?:\s*(?:o\W*clock|at\s*night|in\s*the\s*(?:morning|afternoon)))?(?!/)(?=\W|$)"
)
_FOLLOWING = js_re(
    r"^(\s*(?:\-|\–|\~|\〜|to|until|through|till|\?)\s*)(\d{1,4})(?:(?:\.|\:|\：)(\d{1,2})"
    r"(?:(?:\.|\:|\：)(\d{1,2})(?:\.(\d{1,6}))?)?)?(?:\s*(a\.m\.|p\.m\.|am?|pm?))?(?!/)(?=\W|$)"
)
HOUR, MINUTE, SECOND, MILLI, AMPM = 2, 3, 4, 5, 6

_RE = {
    name: js_re(source)
    for name, source in {
        "year_like": r"^\d{4}", "three_digits": r"^\d{3,4}",
        "offset_like": r"^\s*([+-])\s*\d{2,4}$",
        "offset_time": r"^\s*([+-])\s*\d{2}\W\d{2}", "zone_like": r"^\s*([+-])\s*\d{3,4}$",
        "one_digit": r"^\d$", "digits3": r"^\d\d\d+$", "a_or_p": r"\d[apAP]$",
        "ends_number": r"[^\d:.](\d[\d.]+)$", "dot_pairs": r"\d(\.\d{2})+$", "range": r"^\d+-\d+$",
        "ends_range": r"[^\d:.](\d[\d.]+)\s*-\s*(\d[\d.]+)$", "leading_int": r"^\d+",
    }.items()
}  # fmt: skip


def _int_prefix(text: str) -> int:
    return int(_RE["leading_int"].match(text).group(0))


class TimeExpression(Parser):
    pattern = _PRIMARY

    def extract(self, ctx: Context, m: Match) -> Result | None:
        start = self.primary(ctx, m)
        if start is None:
            m.index += 4 if _RE["year_like"].search(m[0]) else len(m[0])
            return None
        index, text = m.index + len(m[1]), m[0][len(m[1]) :]
        result = ctx.result(index, text, start)
        m.index += len(m[0])
        found = _FOLLOWING.search(ctx.text[m.index :])
        if _RE["three_digits"].search(text) and found:
            if _RE["offset_like"].search(found[0]) or _RE["offset_time"].search(found[0]):
                return None
        if not found or _RE["zone_like"].search(found[0]):
            return _without_following(result)
        following = Match([found.group(0), *found.groups()], 0)
        result.end = _following(ctx, following, result)
        if result.end is not None:
            result.text += found[0]
        return _with_following(result)

    def primary(self, ctx: Context, m: Match) -> Components | None:
        c = ctx.components()
        minute, meridiem = 0, None
        hour = int(m[HOUR])
        if hour > 100:
            if len(m[HOUR]) == 4 and m[MINUTE] is None and not m[AMPM]:
                return None
            if m[MINUTE] is not None:
                return None
            minute, hour = hour % 100, hour // 100
        if hour > 24:
            return None
        if m[MINUTE] is not None:
            if len(m[MINUTE]) == 1 and not m[AMPM]:
                return None
            minute = int(m[MINUTE])
        if minute >= 60:
            return None
        if hour > 12:
            meridiem = PM
        if m[AMPM] is not None:
            if hour > 12:
                return None
            letter = m[AMPM][0].lower()
            if letter == "a":
                meridiem, hour = AM, 0 if hour == 12 else hour
            if letter == "p":
                meridiem, hour = PM, hour if hour == 12 else hour + 12
        c.assign("hour", hour).assign("minute", minute)
        if meridiem is not None:
            c.assign("meridiem", meridiem)
        else:
            c.imply("meridiem", AM if hour < 12 else PM)
        if not _seconds(c, m):
            return None
        return _english_suffix(c, m[0])


def _seconds(c: Components, m: Match) -> bool:
    """The milliseconds (first 3 digits) and seconds of a match into ``c``; False when the
    seconds are 60 or more."""
    if m[MILLI] is not None:
        c.assign("millisecond", int(m[MILLI][:3]))
    if m[SECOND] is not None:
        if int(m[SECOND]) >= 60:
            return False
        c.assign("second", int(m[SECOND]))
    return True


def _english_suffix(c: Components, whole: str) -> Components:
    """ENTimeExpressionParser: 'at night', 'in the afternoon', 'in the morning'."""
    hour = c.get("hour")
    if whole.endswith("night"):
        if 6 <= hour < 12:
            c.assign("hour", hour + 12).assign("meridiem", PM)
        elif hour < 6:
            c.assign("meridiem", AM)
    if whole.endswith("afternoon"):
        c.assign("meridiem", PM)
        if 0 <= hour <= 6:
            c.assign("hour", hour + 12)
    if whole.endswith("morning"):
        c.assign("meridiem", AM)
    return c


def _following(ctx: Context, m: Match, result: Result) -> Components | None:
    c = ctx.components()
    if not _seconds(c, m):
        return None
    hour, minute, meridiem = int(m[HOUR]), 0, -1
    if m[MINUTE] is not None:
        minute = int(m[MINUTE])
    elif hour > 100:
        minute, hour = hour % 100, hour // 100
    if minute >= 60 or hour > 24:
        return None
    if hour >= 12:
        meridiem = PM
    start = result.start
    if m[AMPM] is not None:
        if hour > 12:
            return None
        letter = m[AMPM][0].lower()
        if letter == "a":
            meridiem = AM
            if hour == 12:
                hour = 0
                if not c.certain("day"):
                    c.add_days_implied(1)
        if letter == "p":
            meridiem = PM
            hour = hour if hour == 12 else hour + 12
        if not start.certain("meridiem"):
            if meridiem == AM:
                start.imply("meridiem", AM)
                if start.get("hour") == 12:
                    start.assign("hour", 0)
            else:
                start.imply("meridiem", PM)
                if start.get("hour") != 12:
                    start.assign("hour", start.get("hour") + 12)
    c.assign("hour", hour).assign("minute", minute)
    if meridiem >= 0:
        c.assign("meridiem", meridiem)
    elif start.certain("meridiem") and start.get("hour") > 12:
        if start.get("hour") - 12 > hour:
            c.imply("meridiem", AM)
        elif hour <= 12:
            c.assign("hour", hour + 12).assign("meridiem", PM)
    else:
        c.imply("meridiem", PM if hour > 12 else AM)
    if c.date() < start.date():
        c.add_days_implied(1)
    return c


def _without_following(result: Result) -> Result | None:
    text = result.text
    if _RE["one_digit"].search(text) or _RE["digits3"].search(text) or _RE["a_or_p"].search(text):
        return None
    if ending := _RE["ends_number"].search(text):
        numbers = ending.group(1)
        if "." in numbers and not _RE["dot_pairs"].search(numbers):
            return None
        if _int_prefix(numbers) > 24:
            return None
    return result


def _with_following(result: Result) -> Result | None:
    text = result.text
    if _RE["range"].search(text):
        return None
    if ending := _RE["ends_range"].search(text):
        first, last = ending.group(1), ending.group(2)
        if "." in last and not _RE["dot_pairs"].search(last):
            return None
        if _int_prefix(last) > 24 or _int_prefix(first) > 24:
            return None
    return result
