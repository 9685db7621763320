"""The data model of chrono-node (src/results.ts, chrono.ts; chrono-node 2.10.3, the version
leadconduit-types pins), ported for LeadConduit's ``time`` type: parsing components (known and
implied date and time fields), results (a found text with its components) and the JavaScript
regular expressions as Python ones.

Every date is an integer of milliseconds since the epoch; local time is UTC (LeadConduit runs its
parsers in UTC), so chrono's local and UTC dates are one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from . import js_dates as J
from ._common import JS_WS, JS_WS_CLASS

AM, PM = 0, 1
_JS_S = JS_WS_CLASS[1:-1]


def js_re(source: str, ignore_case: bool = True) -> re.Pattern[str]:
    """A JavaScript regex source as Python's: ``\\s`` is JavaScript's whitespace, ``$`` the end of
    the text only, ``\\d``, ``\\w``, ``\\b`` ASCII (as in JavaScript without the u flag)."""
    out, in_class, i = [], False, 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            nxt = source[i + 1]
            out.append(
                _JS_S if nxt == "s" and in_class else f"[{_JS_S}]" if nxt == "s" else ch + nxt
            )
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(r"\Z" if ch == "$" and not in_class else ch)
        i += 1
    return re.compile("".join(out), re.ASCII | (re.IGNORECASE if ignore_case else 0))


def js_trim(text: str) -> str:
    return text.strip(JS_WS)


def match_any(words) -> str:
    """utils/pattern.ts matchAnyPattern: the words, longest first, as one alternation."""
    terms = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(t.replace(".", "\\.") for t in terms) + ")"


@lru_cache(maxsize=64)
def _defaults(ref: int) -> dict[str, int]:
    """What a new ParsingComponents implies: the reference's day, noon."""
    y, m, d = J.fields(ref)[:3]
    return {"day": d, "month": m, "year": y, "hour": 12, "minute": 0, "second": 0,
            "millisecond": 0}  # fmt: skip


class Components:
    """ParsingComponents: known (certain) and implied values of year, month, day, weekday, hour,
    minute, second, millisecond, meridiem and timezoneOffset (minutes east of UTC). Of chrono's
    tags only those its refiners read are kept: ``casual``, a casual reference ('today',
    'morning', ...), and ``relative``, a date counted from another ('in 2 days', 'next week')."""

    __slots__ = ("casual", "implied", "known", "ref", "relative")

    def __init__(self, ref: int, known: dict[str, int] | None = None):
        self.ref = ref
        self.casual = self.relative = False
        self.known: dict[str, int] = dict(known or {})
        self.implied: dict[str, int] = {}
        self.implied.update((k, v) for k, v in _defaults(ref).items() if k not in self.known)

    def get(self, name: str) -> int | None:
        if name in self.known:
            return self.known[name]
        return self.implied.get(name)

    def certain(self, name: str) -> bool:
        return name in self.known

    def imply(self, name: str, value: int) -> Components:
        if name not in self.known:
            self.implied[name] = value
        return self

    def assign(self, name: str, value: int) -> Components:
        self.known[name] = value
        self.implied.pop(name, None)
        return self

    def delete(self, *names: str) -> None:
        for name in names:
            self.known.pop(name, None)
            self.implied.pop(name, None)

    def clone(self) -> Components:
        other = Components.__new__(Components)
        other.ref, other.known, other.implied = self.ref, dict(self.known), dict(self.implied)
        other.casual, other.relative = self.casual, self.relative
        return other

    def only_date(self) -> bool:
        return not (self.certain("hour") or self.certain("minute") or self.certain("second"))

    def only_time(self) -> bool:
        return not any(self.certain(c) for c in ("weekday", "day", "month", "year"))

    def only_weekday(self) -> bool:
        return self.certain("weekday") and not self.certain("day") and not self.certain("month")

    def unknown_year(self) -> bool:
        return self.certain("month") and not self.certain("year")

    def _fields(self) -> tuple[int, ...]:
        return tuple(self.get(c) for c in ("year", "month", "day", "hour", "minute", "second",
                                           "millisecond"))  # fmt: skip

    def valid_date(self) -> bool:
        """isValidDate: the fields name a real date and time (seconds may roll over)."""
        y, m, d, h, mi = self._fields()[:5]
        got = J.fields(J.date_utc(*self._fields()))
        return got[:3] == (y, m, d) and (h is None or got[3] == h) and (mi is None or got[4] == mi)

    def local_ms(self) -> int:
        """dateWithoutTimezoneAdjustment (local time is UTC)."""
        return J.date_utc(*self._fields())

    def date(self) -> int:
        offset = self.get("timezoneOffset")
        return self.local_ms() - (offset or 0) * 60_000

    def add_days_implied(self, days: int) -> Components:
        """addDurationAsImplied({day: days})."""
        y, m, d = J.fields(J.add_days(self.local_ms(), days))[:3]
        self.delete("day", "weekday", "month", "year")
        t = J.make_ms(y, m, d)
        for name, value in (("day", d), ("weekday", J.weekday(t)), ("month", m), ("year", y)):
            self.imply(name, value)
        return self


@dataclass
class Result:
    """ParsingResult: where a date was found (index, text) and its start (and end) components."""

    ref: int
    index: int
    text: str
    start: Components
    end: Components | None = None

    def clone(self) -> Result:
        end = self.end.clone() if self.end else None
        return Result(self.ref, self.index, self.text, self.start.clone(), end)


@dataclass
class Match:
    """A regex match as chrono's parsers see it: groups by number (None when not taking part;
    0 is the whole match) and its index in the whole text, both of which a parser may shift."""

    groups: list[str | None]
    index: int

    def __getitem__(self, i: int) -> str | None:
        return self.groups[i] if i < len(self.groups) else None


@dataclass
class Context:
    text: str
    ref: int

    def components(self, known: dict[str, int] | None = None) -> Components:
        return Components(self.ref, known)

    def result(self, index: int, text: str, start: Components | None = None) -> Result:
        return Result(self.ref, index, text, start or Components(self.ref))


def merging(
    should: Callable[[str, Result, Result], bool], merge: Callable[[str, Result, Result], Result]
) -> Callable[[Context, list[Result]], list[Result]]:
    """A MergingRefiner: each pair of neighbours ``should`` accepts (given the text between them)
    becomes one, which may merge with the next."""

    def refine(ctx: Context, results: list[Result]) -> list[Result]:
        if len(results) < 2:
            return results
        merged, cur = [], results[0]
        for nxt in results[1:]:
            # String.prototype.substring: start and end swap when start is the greater
            ends = sorted((max(cur.index + len(cur.text), 0), max(nxt.index, 0)))
            between = ctx.text[ends[0] : ends[1]]
            if should(between, cur, nxt):
                cur = merge(between, cur, nxt)
            else:
                merged.append(cur)
                cur = nxt
        return [*merged, cur]

    return refine
