"""chrono-node's casual English words for days and times of day (chrono-node 2.10.3:
src/locales/en/parsers/ENCasualDateParser.ts, ENCasualTimeParser.ts and
src/common/casualReferences.ts): 'now', 'today', 'tomorrow', 'tonight', 'yesterday', 'last night',
'morning', 'noon', 'midnight', ... Each is read against the reference instant (``now`` of the
time type): chrono takes the day from it, and for 'now' and the days ('today', 'tomorrow') the
clock time as well."""

from __future__ import annotations

import re

from . import js_dates as J
from .chrono_core import AM, PM, Components, Context
from .chrono_parsers import WordBoundaryParser

_CLOCK = ("hour", "minute", "second", "millisecond")


def _on_day(ctx: Context, t: int, casual: bool = True) -> Components:
    """Components on the day of ``t`` (assignSimilarDate)."""
    c = ctx.components()
    y, m, d = J.fields(t)[:3]
    c.assign("day", d).assign("month", m).assign("year", y)
    c.casual = casual
    return c


def _clock_of(c: Components, t: int, put) -> None:
    """assignSimilarTime / implySimilarTime: the clock time and meridiem of ``t``."""
    for name, value in zip(_CLOCK, J.fields(t)[3:], strict=True):
        put(c, name, value)
    put(c, "meridiem", AM if J.fields(t)[3] < 12 else PM)


def _day_after(ctx: Context, days: int, casual: bool = True) -> Components:
    """theDayAfter: that day, at the reference's clock time (no meridiem)."""
    t = J.add_days(ctx.ref, days)
    c = _on_day(ctx, t, casual)
    _clock_of(c, t, Components.imply)
    c.delete("meridiem")
    return c


class CasualDate(WordBoundaryParser):
    inner = r"(now|today|tonight|tomorrow|overmorrow|tmr|tmrw|yesterday|last\s*night)(?=\W|$)"
    _last_night = re.compile(r"last\s*night")

    def inner_extract(self, ctx, m):
        word = m[0].lower()
        if word == "now":
            c = _on_day(ctx, ctx.ref)
            _clock_of(c, ctx.ref, Components.assign)
            return c.assign("timezoneOffset", 0)
        if word in ("today", "yesterday", "tomorrow", "tmr", "tmrw", "overmorrow"):
            days = {"today": 0, "yesterday": -1, "overmorrow": 2}.get(word, 1)
            return _day_after(ctx, days, casual=word != "overmorrow")
        if word == "tonight":
            return _on_day(ctx, ctx.ref).imply("hour", 22).imply("meridiem", PM)
        if self._last_night.search(word):
            day = J.add_days(ctx.ref, -1) if J.fields(ctx.ref)[3] > 6 else ctx.ref
            return _on_day(ctx, day, casual=False).imply("hour", 0)
        return ctx.components()


class CasualTime(WordBoundaryParser):
    inner = r"(?:this)?\s{0,3}(morning|afternoon|evening|night|midnight|midday|noon)(?=\W|$)"

    def inner_extract(self, ctx, m):
        word = m[1].lower()
        c = ctx.components()
        c.casual = True
        if word == "midnight":
            if J.fields(ctx.ref)[3] > 2:
                c.add_days_implied(1)
            c.assign("hour", 0)
        elif word in ("noon", "midday"):
            c.imply("meridiem", AM).assign("hour", 12)
        else:
            hour, meridiem = {"morning": (6, AM), "afternoon": (15, PM)}.get(word, (20, PM))
            c.imply("meridiem", meridiem).imply("hour", hour)
        for name in _CLOCK[1:]:
            c.imply(name, 0)
        return c
