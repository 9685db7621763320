"""The sidebar filters to and from the URL's query string (dashboards.url_state)."""

from __future__ import annotations

from datetime import date

from dashboards.url_state import Choices, clamp_dates, from_url, to_url

CHOICES = Choices(
    lo=date(2026, 10, 26),
    hi=date(2026, 11, 8),
    flows=["Solar", "Auto"],
    sources=["ClickPath Digital", "Velocity Leads"],
    default_dates=(date(2026, 11, 2), date(2026, 11, 8)),
)


def test_a_shared_link_gives_its_filters():
    params = {
        "dates": ["2026-10-28", "2026-11-01"],
        "flow": ["Auto"],
        "source": ["Velocity Leads", "ClickPath Digital"],
    }
    assert from_url(params, CHOICES) == {
        "dates": (date(2026, 10, 28), date(2026, 11, 1)),
        "flow": ["Auto"],
        "source": ["Velocity Leads", "ClickPath Digital"],
    }


def test_unknown_values_are_dropped_and_dates_clamped():
    params = {"dates": ["2020-01-01", "not a day", "2030-01-01"], "source": ["Gone", "Gone"]}
    state = from_url(params, CHOICES)
    assert state["dates"] == (CHOICES.lo, CHOICES.hi)
    assert state["source"] == [] and state["flow"] == []
    assert from_url({}, CHOICES)["dates"] == CHOICES.default_dates
    assert clamp_dates((date(2026, 11, 5),), CHOICES) == (date(2026, 11, 5), date(2026, 11, 5))


def test_filters_are_written_back_and_defaults_leave_the_url():
    state = {"dates": CHOICES.default_dates, "flow": [], "source": ["ClickPath Digital"]}
    assert to_url(state, CHOICES) == {"dates": [], "flow": [], "source": ["ClickPath Digital"]}
    state["dates"] = (date(2026, 10, 30), date(2026, 11, 1))
    assert to_url(state, CHOICES)["dates"] == ["2026-10-30", "2026-11-01"]


def test_a_half_picked_range_leaves_the_dates_in_the_url_alone():
    state = {"dates": (date(2026, 10, 30),), "flow": ["Solar"], "source": []}
    assert to_url(state, CHOICES) == {"dates": None, "flow": ["Solar"], "source": []}


def test_the_round_trip_keeps_a_view():
    state = {"dates": (date(2026, 10, 27), date(2026, 11, 3)), "flow": ["Solar"], "source": []}
    url = {k: v for k, v in to_url(state, CHOICES).items() if v}
    assert from_url(url, CHOICES) == {**state, "source": []}
