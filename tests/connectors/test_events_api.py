"""The Events API pull against a fake LeadConduit on loopback: paging, throttling, late events,
the key kept secret, reconciliation with /events/stats."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.connectors.events_api import ApiError, EventsApi, pull_events, read_cursor
from ingest.connectors.object_ids import id_time, time_prefix
from ingest.connectors.reconcile import closed_window
from ingest.connectors.state import state_dir
from ingest.landing.land import land
from ingest.paths import Paths
from tests.conftest import build, environment, simulate_small
from tests.connectors.fake_leadconduit import FakeLeadConduit, serve

KEY = "lc-SECRET-key-7f3a9c1e5b"


def simulated_events(tmp_path: Path, leads: int) -> list[dict]:
    """Realistic events of the last closed day (the reconciliation's window), sorted by id."""
    start = closed_window()[0].date()
    folder = tmp_path / "operation"
    simulate_small(folder, faults=False, leads=leads, days=1, layout="firehose", start_date=start)
    events = [json.loads(p.read_bytes()) for p in (folder / "events").rglob("*.json")]
    return sorted(events, key=lambda e: e["id"])


def make_late(events: list[dict], cutoff: int, n: int = 3) -> list[str]:
    """Give n filter events before the cutoff ids two minutes before the cutoff's id: stored
    late, they become visible only after a pull has passed them."""
    moment = id_time(events[cutoff - 1]["id"]) - timedelta(minutes=2)
    late = [e for e in events[: cutoff - 1] if e["type"] == "filter"][:n]
    for i, event in enumerate(late):
        event["id"] = time_prefix(moment) + f"{0xFEED00 + i:016x}"
    return [e["id"] for e in late]


def test_pages_retries_and_overlap_give_every_event_once(tmp_path):
    events = simulated_events(tmp_path, leads=40)
    cutoff = len(events) * 2 // 3
    late = make_late(events, cutoff)
    fake = FakeLeadConduit(KEY, events)
    later = {e["id"] for e in events[cutoff:]}
    fake.hidden = set(late) | later
    fake.failures.extend([(429, {"Retry-After": "0"}), (500, {}), (503, {"Retry-After": "1"})])
    paths = Paths(tmp_path / "home")
    with serve(fake), EventsApi(fake.url, KEY) as api:
        first = pull_events(api, paths, overlap_minutes=10, limit=50)
        assert first.retries == 3 and not fake.failures
        assert first.pages == -(-(len(events) - len(fake.hidden) + 1) // 50)
        assert first.events_written == len(events) - len(fake.hidden)
        fake.hidden = set()
        second = pull_events(api, paths, overlap_minutes=10, limit=50)
        assert second.events_written == len(late) + len(later)
        assert second.repeats_skipped > 0  # the overlap was re-read and skipped
        third = pull_events(api, paths, overlap_minutes=10, limit=50)
        assert third.events_written == 0 and not third.files
    assert fake.max_in_flight <= 2
    for path, headers in fake.requests:
        if path.startswith("/events?"):
            assert "sort=asc" in path and "limit=50" in path
        assert headers["Accept"] == "application/json"
    written = [
        json.loads(line)["id"]
        for f in (paths.landing_events / "api").rglob("*.ndjson")
        for line in f.read_text().splitlines()
    ]
    assert sorted(written) == sorted(e["id"] for e in events)
    assert read_cursor(paths, fake.url) == max(e["id"] for e in events)


def test_repeated_events_land_as_duplicates_and_counts_reconcile(tmp_path):
    """A pull that wrote its files but lost its state (a crash) writes them again: the landing
    counts them as duplicates, never twice."""
    events = simulated_events(tmp_path, leads=20)
    fake = FakeLeadConduit(KEY, events)
    paths = Paths(tmp_path / "home")
    with serve(fake), EventsApi(fake.url, KEY) as api:
        pull_events(api, paths)
        (state_dir(paths.home) / "events-api.sqlite").unlink()
        for extra in state_dir(paths.home).glob("events-api.sqlite-*"):
            extra.unlink()
        for f in (paths.landing_events / "api").rglob("*.ndjson"):
            f.rename(f.with_name("first-" + f.name))
        again = pull_events(api, paths)
        assert again.events_written == len(events)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        report = land(con, paths.landing, "events", workers=1)
        assert report.reconciles
        summary = report.summary()
        assert (summary["loaded"], summary["duplicates"]) == (len(events), len(events))
        assert con.execute(
            "select count(distinct event_id), count(*) from raw.lead_events"
        ).fetchone() == (
            len(events),
            len(events),
        )


def test_a_wrong_key_is_a_clear_error_that_never_shows_the_key(tmp_path):
    fake = FakeLeadConduit(KEY, [])
    with serve(fake), EventsApi(fake.url, "wrong-" + KEY) as api:
        with pytest.raises(ApiError, match="401 Unauthorized.*LEADWH_LEADCONDUIT_API_KEY") as err:
            pull_events(api, Paths(tmp_path))
    assert KEY not in str(err.value) and KEY not in repr(err.value)
    with pytest.raises(ApiError, match="LEADWH_LEADCONDUIT_API_KEY"):
        EventsApi("http://127.0.0.1:9", "")


def test_an_api_that_does_not_page_forward_stops_the_pull_with_a_clear_error(tmp_path):
    """It asked for the same page forever, holding the connector lock."""
    events = simulated_events(tmp_path, leads=10)
    fake = FakeLeadConduit(KEY, events)
    fake.ignore_after_id = True
    with serve(fake), EventsApi(fake.url, KEY) as api:
        with pytest.raises(ApiError, match="did not page forward"):
            pull_events(api, Paths(tmp_path / "home"), limit=5)
    assert len(fake.requests) == 2


def test_an_item_that_is_not_an_event_is_landed_for_the_quarantine(tmp_path):
    events = simulated_events(tmp_path, leads=5)
    fake = FakeLeadConduit(KEY, events)
    fake.page_head = [None]
    paths = Paths(tmp_path / "home")
    with serve(fake), EventsApi(fake.url, KEY) as api:
        report = pull_events(api, paths, limit=1000)
    assert report.events_written == len(events) + 1
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    landed = land(con, paths.landing, "events", workers=1)
    assert landed.reconciles and landed.total("quarantined") == 1
    assert landed.total("loaded") == len(events)


def test_an_event_dated_in_the_future_does_not_move_the_cursor_past_now(tmp_path):
    """A host whose clock runs two days ahead: the cursor followed its id, and every later pull
    resumed after events not yet made, and missed them."""
    events = simulated_events(tmp_path, leads=10)
    ahead = dict(events[0], id=time_prefix(datetime.now(tz=UTC) + timedelta(days=2)) + "0" * 16)
    fake = FakeLeadConduit(KEY, events[:-5] + [ahead])
    paths = Paths(tmp_path / "home")
    with serve(fake), EventsApi(fake.url, KEY) as api:
        pull_events(api, paths)
        assert read_cursor(paths, fake.url) < ahead["id"]
        fake.events.update({e["id"]: e for e in events[-5:]})  # made since
        second = pull_events(api, paths)
    assert second.events_written == 5


def test_a_key_in_the_url_is_used_and_never_shown(tmp_path):
    events = simulated_events(tmp_path, leads=3)
    fake = FakeLeadConduit(KEY, events)
    with serve(fake):
        with_key = fake.url.replace("http://", f"http://API:{KEY}@")
        with EventsApi(with_key, "") as api:
            report = pull_events(api, Paths(tmp_path / "home"))
        assert report.events_written == len(events) and KEY not in str(report.summary())
    with EventsApi(with_key, "", max_attempts=1) as api, pytest.raises(ApiError) as gone:
        api.events_page(None)  # the server has stopped
    assert "cannot reach" in str(gone.value) and KEY not in str(gone.value)


def test_the_fake_refuses_requests_without_accept_json():
    import httpx

    with serve(FakeLeadConduit(KEY, [])) as fake:
        answer = httpx.get(f"{fake.url}/events", auth=("API", KEY), headers={"Accept": "*/*"})
    assert answer.status_code == 403


def _run_schedule_job(definitions, instance, schedule_name: str):
    import dagster as dg

    schedule = definitions.get_schedule_def(schedule_name)
    with dg.build_schedule_context(instance=instance) as context:
        request = schedule.evaluate_tick(context).run_requests[0]
    job = definitions.resolve_job_def(schedule.job_name)
    return job.execute_in_process(
        instance=instance, run_config=request.run_config, tags=request.tags, raise_on_error=False
    )


@pytest.mark.slow
def test_two_scheduled_pulls_and_a_build_give_every_event_once_and_reconcile(
    tmp_path, caplog, capsys
):
    import dagster as dg
    from dagster._serdes import serialize_value

    caplog.set_level(logging.DEBUG)
    events = simulated_events(tmp_path, leads=250)
    assert len(events) > 1000  # two pages at the API's limit
    cutoff = len(events) * 2 // 3
    late = make_late(events, cutoff)
    fake = FakeLeadConduit(KEY, events)
    fake.hidden = set(late) | {e["id"] for e in events[cutoff:]}
    fake.failures.extend([(429, {"Retry-After": "0"}), (500, {})])
    paths = Paths(tmp_path / "home")
    with serve(fake):
        env = dict(
            LEADWH_HOME=str(paths.home),
            DAGSTER_HOME=str(paths.dagster_home),
            LEADWH_LEADCONDUIT_URL=fake.url,
            LEADWH_LEADCONDUIT_API_KEY=KEY,
        )
        with environment(**env):
            from orchestration.build import dagster_home
            from orchestration.definitions import defs

            dagster_home(paths)
            definitions = defs()
            with dg.DagsterInstance.get() as instance:
                first = _run_schedule_job(definitions, instance, "leadconduit_pull")
                assert first.success
                fake.hidden = set()
                second = _run_schedule_job(definitions, instance, "leadconduit_pull")
                assert second.success
            assert build(paths)
            with dg.DagsterInstance.get() as instance:
                check = _run_schedule_job(definitions, instance, "leadconduit_reconcile")
                fake.stats_skew[("source", "success")] = 2
                skewed = _run_schedule_job(definitions, instance, "leadconduit_reconcile")
                runs = instance.get_runs()
                logs = [serialize_value(r) for run in runs for r in instance.all_logs(run.run_id)]
                runs_text = [serialize_value(run) for run in runs]

    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        ids = [r[0] for r in con.execute("select event_id from raw.lead_events").fetchall()]
        manifest = con.execute("select * from raw.ingest_manifest").fetchall()
    assert len(ids) == len(set(ids)) and set(ids) == {e["id"] for e in events}
    assert set(late) <= set(ids)
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_lead_events").fetchone()[0] == len(
            events
        )

    (evaluation,) = check.get_asset_check_evaluations()
    assert evaluation.passed, evaluation.metadata
    (skewed_evaluation,) = skewed.get_asset_check_evaluations()
    assert not skewed_evaluation.passed
    assert skewed_evaluation.severity == dg.AssetCheckSeverity.WARN
    diffs = skewed_evaluation.metadata["differences"].value
    assert diffs == [
        {
            "type": "source",
            "outcome": "success",
            "api": diffs[0]["api"],
            "warehouse": diffs[0]["api"] - 2,
        }
    ]

    # the key: nowhere in logs, run records, metadata, the manifest, the landing zone, output
    captured = capsys.readouterr()
    haystacks = [*logs, *runs_text, str(manifest), captured.out, captured.err, caplog.text]
    haystacks += [p.read_text(errors="replace") for p in paths.landing.rglob("*") if p.is_file()]
    haystacks += [
        p.read_bytes().decode("latin-1")
        for p in (paths.home / "connectors").rglob("*")
        if p.is_file()
    ]
    assert logs and all(KEY not in text for text in haystacks)


def test_leadwh_pull_without_a_key_and_sync_without_a_store_say_what_to_set(
    tmp_path, monkeypatch, capsys
):
    from orchestration.cli import main

    monkeypatch.setenv("LEADWH_HOME", str(tmp_path))
    for name in ("LEADWH_LEADCONDUIT_API_KEY", "LEADWH_EVENTS_URL", "LEADWH_SUBMISSIONS_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["pull"]) == 2
    assert "set LEADWH_LEADCONDUIT_API_KEY" in capsys.readouterr().err
    assert main(["sync"]) == 0
    assert "local landing folders" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["pull", "--since", "2026-13-01"])
    assert exit_.value.code == 2 and "YYYY-MM-DD" in capsys.readouterr().err
