"""What the serving file holds of the warehouse: a build killed or failed anywhere between landing
and publish leaves a lag the next build sees and closes."""

from __future__ import annotations

from datetime import date, datetime

import duckdb

from ingest.landing.raw_store import ensure_raw_schema, store_rows
from ingest.paths import Paths
from ingest.serving.build_state import lag, raw_loaded_through, record_published
from orchestration.build import dates_to_build

T1, T2, T3 = (datetime(2026, 11, 1, h) for h in (1, 2, 3))


def land_event(con, event_id: str, day: date, loaded: datetime) -> None:
    store_rows(
        con,
        "lead_events",
        "select ?, 'lead', 'source', 'success', ?, ?, '{}', 'f.ndjson', 1, 'b', ?",
        [event_id, datetime.combine(day, datetime.min.time()), day, loaded],
    )


def test_the_lag_closes_only_with_a_recorded_publish_of_the_current_serving_file(tmp_path):
    paths = Paths(tmp_path)
    with duckdb.connect(str(paths.warehouse)) as con:
        ensure_raw_schema(con)
        assert not lag(con, None).lags  # nothing landed: nothing to serve
        land_event(con, "e1", date(2026, 10, 27), T1)
        state = lag(con, None)
        assert state.lags and state.describe() == "there is no serving file"
        record_published(con, T1, "v1")
        assert not lag(con, "v1").lags
        # the serving file was replaced or lost: not what the warehouse published
        assert lag(con, None).lags and lag(con, "v0").lags
        # landed after the publish (a build killed before its publish)
        land_event(con, "e2", date(2026, 10, 29), T2)
        state = lag(con, "v1")
        assert state.lags and state.loaded_through == T2 and state.published_through == T1
        assert raw_loaded_through(con, until=T1) == T1


def test_the_next_build_transforms_what_was_landed_but_not_published(tmp_path):
    paths = Paths(tmp_path)
    with duckdb.connect(str(paths.warehouse)) as con:
        ensure_raw_schema(con)
        land_event(con, "e1", date(2026, 10, 27), T1)
        land_event(con, "e2", date(2026, 10, 29), T2)
        con.execute("create schema marts")
        con.execute("create table marts.fct_lead_events (event_id varchar)")
        never = lag(con, None)
        record_published(con, T1, "v1")
        published = lag(con, "v1")
        land_event(con, "e3", date(2026, 10, 30), T3)
        record_published(con, T3, "v2")
        current, lost = lag(con, "v2"), lag(con, None)
    everything = (date(2026, 10, 27), date(2026, 10, 30))
    assert dates_to_build(paths, never, full=False) == everything  # no publish recorded yet
    assert dates_to_build(paths, published, full=False) == (date(2026, 10, 29), date(2026, 10, 30))
    assert dates_to_build(paths, current, full=False) is None  # up to date
    assert dates_to_build(paths, current, full=True) == everything
    # only the serving file lags (a killed publish, a lost file): the last day, then publish
    assert dates_to_build(paths, lost, full=False) == (date(2026, 10, 30), date(2026, 10, 30))
