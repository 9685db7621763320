"""The sidebar filters in the URL's query string (``?dates=2026-10-26&dates=2026-11-01&flow=..
&source=..``), both ways: read once when a session opens (a shared link), written back after every
run of every page.

Streamlit's own binding (``bind="query-params"``) writes a parameter only when its widget changes;
a page change through the sidebar navigation starts the new page with an empty query string, so
the filters fell out of the URL. Writing them on every run keeps them there. Pure functions here;
the entry file (``streamlit_app.py``) does the Streamlit calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: The query parameters the sidebar filters own (also their session-state keys).
DATES, FLOWS, SOURCES = "dates", "flow", "source"
URL_KEYS = (DATES, FLOWS, SOURCES)


@dataclass(frozen=True)
class Choices:
    """What the filters can hold: the published date span and the known flows and sources."""

    lo: date
    hi: date
    flows: Sequence[str]
    sources: Sequence[str]
    default_dates: tuple[date, date]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def clamp_dates(value: object, choices: Choices) -> tuple[date, date]:
    """A (start, end) range inside the published span; the default when there is none."""
    days = [d for d in (value if isinstance(value, list | tuple) else []) if isinstance(d, date)]
    if not days:
        return choices.default_dates
    start, end = min(days), max(days)
    start = min(max(start, choices.lo), choices.hi)
    end = min(max(end, choices.lo), choices.hi)
    return start, end


def known(values: object, options: Sequence[str]) -> list[str]:
    """The values that are options, in order, without repeats (others are dropped)."""
    allowed = set(options)
    out: list[str] = []
    for value in values if isinstance(values, list | tuple) else []:
        if value in allowed and value not in out:
            out.append(value)
    return out


def from_url(params: Mapping[str, Sequence[str]], choices: Choices) -> dict[str, object]:
    """Session-state values for the filters from the query string (all values of each key);
    unknown flows and sources are dropped, dates are clamped to the published span."""
    dates = [d for d in (_day(t) for t in params.get(DATES, ())) if d is not None]
    return {
        DATES: clamp_dates(dates, choices),
        FLOWS: known(list(params.get(FLOWS, ())), choices.flows),
        SOURCES: known(list(params.get(SOURCES, ())), choices.sources),
    }


def to_url(state: Mapping[str, object], choices: Choices) -> dict[str, list[str] | None]:
    """The query parameters for the filters' values, for every key of :data:`URL_KEYS`: the
    values, ``[]`` when the filter is at its default (the default date range, all flows, all
    sources: the key leaves the URL), or None while a date range is half picked (leave it)."""
    out: dict[str, list[str] | None] = {key: [] for key in URL_KEYS}
    dates = state.get(DATES)
    if isinstance(dates, list | tuple) and len(dates) == 2:
        start, end = clamp_dates(dates, choices)
        if (start, end) != choices.default_dates:
            out[DATES] = [start.isoformat(), end.isoformat()]
    elif dates:
        out[DATES] = None
    for key, options in ((FLOWS, choices.flows), (SOURCES, choices.sources)):
        out[key] = known(state.get(key), options)
    return out
