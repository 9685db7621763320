"""LeadConduit's reading of a date, ported: moment.js 2.29.4 (``moment(text, FORMATS, true)``,
then, when no format fits strictly, ``moment(text, FORMATS)``) with the format list of
``leadconduit-types`` (lib/types/date.js), English locale, UTC.

Moment reads a value against each format in turn. Each token of a format (``M``, ``DD``,
``YYYY``, ``MMM``, ``ddd`` or a literal character) is *searched* in what is left of the text
(characters before the match are skipped), so the forgiving mode reads ``"1/\\n2/1900"`` or
``"2014--06--02"``. Each format gets a score (characters not read + 10 per token not found); the
first valid format wins, unless a later one scores lower (moment's own rule, kept as it is). A
date is valid when the month and day exist (no overflow), a month or weekday name is known and a
weekday matches the date.

One deliberate difference: where the winning format has no year, moment fills it (and a missing
month and day) from the current day; such a date would change with the day it is parsed, so it is
invalid here (``tests/typed/reference/differences.py``). To rank the formats as moment does, the
missing parts are filled from :data:`RANKING_DAY`, a fixed day, so parsing stays reproducible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

#: lib/types/date.js, in its order (US order first; 'YYYY-DD-MM' is listed twice there too).
FORMATS = (
    "ddd MMM DD YYYY", "MMM DD YYYY", "M/D/YYYY", "M/D/YY", "YYYY-MM-DD", "MM-DD-YYYY",
    "MMDDYYYY", "YYYYMMDD", "ddd DD MMM YYYY", "DD MMM YYYY", "D/M/YYYY", "D/M/YY",
    "YYYY-DD-MM", "DD-MM-YYYY", "DDMMYYYY", "YYYY-DD-MM", "YYYYDDMM",
)  # fmt: skip
#: The day that fills missing parts while formats are ranked (see the module docstring).
RANKING_DAY = date(2024, 5, 17)

_UNITS = ("ddd", "MMM", "YYYY", "MM", "DD", "YY", "M", "D")


def _tokens(fmt: str) -> tuple[str, ...]:
    out, i = [], 0
    while i < len(fmt):
        unit = next((u for u in _UNITS if fmt.startswith(u, i)), fmt[i])
        out.append(unit)
        i += len(unit)
    return tuple(out)


_FORMAT_TOKENS = tuple(_tokens(f) for f in FORMATS)

# moment's token regexes (JavaScript's \d is ASCII: [0-9] here)
_WORD = re.compile(
    "[0-9]{0,256}['a-z\u00a0-\u05ff\u0700-\ud7ff\uf900-\ufdcf\ufdf0-\uff07\uff10-\uffef]{1,256}"
    "|[\u0600-\u06ff/]{1,256}(?:\\s*?[\u0600-\u06ff]{1,256}){1,2}",
    re.IGNORECASE,
)
_LOOSE = {"M": "[0-9][0-9]?", "MM": "[0-9][0-9]?", "D": "[0-9][0-9]?", "DD": "[0-9][0-9]?",
          "YYYY": "[0-9]{1,4}", "YY": "[0-9][0-9]?"}  # fmt: skip
_STRICT = {**_LOOSE, "MM": "[0-9]{2}", "DD": "[0-9]{2}", "YYYY": "[0-9]{4}", "YY": "[0-9]{2}"}
_REGEX = {
    strict: {unit: re.compile(p) for unit, p in (_STRICT if strict else _LOOSE).items()}
    | {"MMM": _WORD, "ddd": _WORD}
    for strict in (False, True)
}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# JavaScript's /i without the u flag folds ASCII letters only
_ASCII_I = re.IGNORECASE | re.ASCII
_MONTH_LOOSE = [re.compile(f"^{m}|^{m[:3]}", _ASCII_I) for m in MONTHS]
_MONTH_STRICT = [re.compile(f"^{m[:3]}$", _ASCII_I) for m in MONTHS]
_DAY_LOOSE = [re.compile(f"^{d}|^{d[:3]}|^{d[:2]}", _ASCII_I) for d in _DAYS]
_DAY_STRICT = [re.compile(f"^{d[:3]}$", _ASCII_I) for d in _DAYS]


def _first(patterns: list[re.Pattern[str]], text: str) -> int | None:
    return next((i for i, p in enumerate(patterns) if p.search(text)), None)


def _to_int(text: str) -> int:
    return int(text) if text else 0


#: moment's reading of a two-digit year: above this, 19YY; else 20YY.
TWO_DIGIT_YEAR_PIVOT = 68


def _two_digit_year(text: str) -> int:
    yy = _to_int(text)
    return yy + (1900 if yy > TWO_DIGIT_YEAR_PIVOT else 2000)


def _leap(y: int) -> bool:
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


def _days_in_month(y: int, m0: int) -> int:
    return 29 if m0 == 1 and _leap(y) else (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[m0]


def _weekday(y: int, m: int, d: int) -> int:
    """0 = Sunday (proleptic Gregorian, year 0 included)."""
    offsets = (0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4)
    y -= m < 3
    return (y + y // 4 - y // 100 + y // 400 + offsets[m - 1] + d) % 7


def _u16(text: str) -> int:
    """The length of a text in UTF-16 code units (JavaScript's ``length``)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


@dataclass(frozen=True)
class Reading:
    """One format's reading: its validity, score and (year, month 1-12, day)."""

    valid: bool
    score: int
    ymd: tuple[int, int, int] | None
    year_given: bool


def _read(text: str, tokens: tuple[str, ...], strict: bool) -> Reading:
    rest, read_length = text, 0
    year = month0 = day = None
    weekday: int | None = None
    empty, has_week, unused = True, False, 0
    bad_name = False
    regexes = _REGEX[strict]
    for token in tokens:
        regex = regexes.get(token)
        if regex is None:  # a literal character, searched as such
            piece = token if token in rest else ""
        else:
            found = regex.search(rest)
            piece = found.group(0) if found else ""
        if piece:
            at = rest.find(piece)
            rest = rest[at + len(piece) :]
            read_length += _u16(piece)
        if regex is None:
            if strict and not piece:
                unused += 1
            continue
        if not piece:
            unused += 1
            continue
        empty = False
        if token in ("M", "MM"):
            month0 = _to_int(piece) - 1
        elif token in ("D", "DD"):
            day = _to_int(piece)
        elif token == "YYYY":
            year = _two_digit_year(piece) if len(piece) == 2 else _to_int(piece)
        elif token == "YY":
            year = _two_digit_year(piece)
        elif token == "MMM":
            found_month = _first(_MONTH_STRICT if strict else _MONTH_LOOSE, piece)
            if found_month is None:
                bad_name = True
            else:
                month0 = found_month
        elif token == "ddd":
            has_week = True
            found_day = _first(_DAY_STRICT if strict else _DAY_LOOSE, piece)
            if found_day is None:
                bad_name = True
            else:
                weekday = found_day
    score = (_u16(text) - read_length) + 10 * unused
    year_given = year is not None
    now = RANKING_DAY
    if has_week and month0 is None and day is None:
        # moment places a lone weekday in the current week: a date only the day of parsing gives
        valid = not bad_name and not empty and (score == 0 or not strict)
        return Reading(valid, score, None, False)
    if year is None:
        year = now.year
        if month0 is None:
            month0 = now.month - 1
            if day is None:
                day = now.day
    month0 = 0 if month0 is None else month0
    day = 1 if day is None else day
    valid = (
        not empty
        and not bad_name
        and 0 <= month0 <= 11
        and 1 <= day <= _days_in_month(year, month0)
    )
    if valid and weekday is not None and weekday != _weekday(year, month0 + 1, day):
        valid = False
    if strict:
        valid = valid and score == 0
    return Reading(valid, score, (year, month0 + 1, day) if valid else None, year_given)


def _best(text: str, strict: bool) -> Reading:
    """moment's choice among the formats (configFromStringAndArray)."""
    best: Reading | None = None
    best_is_valid = False
    for tokens in _FORMAT_TOKENS:
        reading = _read(text, tokens, strict)
        if not best_is_valid:
            if best is None or reading.score < best.score or reading.valid:
                best = reading
                best_is_valid = reading.valid
        elif reading.score < best.score:
            best = reading
    assert best is not None
    return best


@lru_cache(maxsize=65_536)
def read_date(text: str) -> tuple[date | None, bool]:
    """(the date LeadConduit reads in ``text`` or None, whether moment had to take the year from
    the day of parsing). The text is used as given (moment does not trim it)."""
    reading = _best(text, strict=True)
    if not reading.valid:
        reading = _best(text, strict=False)
    if not reading.valid:
        return None, False
    if not reading.year_given or reading.ymd is None:
        return None, True
    y, m, d = reading.ymd
    if not 1 <= y <= 9999:
        return None, False
    return date(y, m, d), False
