"""The landing watcher and sensor (Dagster's sensor test context), the schedules, the pool."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from ingest.landing.watch import (
    TOGETHER_SECONDS,
    Arrival,
    WatchCursor,
    advance,
    batch_dates,
    new_arrivals,
    scan,
    take_batch,
    wait_for_arrivals,
)
from ingest.paths import Paths
from tests.conftest import environment

SETTLE = 0.5  # seconds a file must be left alone before the sensor takes it
EVENT = {
    "id": "65f0a0000000000000000001",
    "type": "source",
    "outcome": "success",
    "start_timestamp": 1793232000000,  # 2026-10-29 00:00 UTC
    "end_timestamp": 1793232000500,
    "vars": {"lead": {"id": "65f0a0000000000000000aaa"}},
}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def events_line(day_ms: int, n: int = 0) -> str:
    return json.dumps({**EVENT, "id": f"65f0a00000000000000{n:05d}", "start_timestamp": day_ms})


# --------------------------------------------------------------------------- the watcher


def test_scan_takes_settled_data_files_only(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "events/batches/a.ndjson", events_line(EVENT["start_timestamp"]))
    write(landing / "events/firehose/lead/ev.json", json.dumps(EVENT))
    write(landing / "events/firehose/credentials-test.txt", "not an event")
    write(landing / "events/batches/b.ndjson.part", "partial")
    write(landing / "events/batches/.c.ndjson", "hidden")
    write(landing / "events/.tmp/d.ndjson", "hidden folder")
    write(landing / "submissions/s.csv", "lead_id\n")
    now_ns = time.time_ns()
    found = scan(landing, settle_seconds=2, now_ns=now_ns + 10**10)
    assert [a.key for a in found] == sorted(
        ["events/batches/a.ndjson", "events/firehose/lead/ev.json", "submissions/s.csv"],
        key=lambda k: next(a.arrived_ns for a in found if a.key == k),
    )
    # a file touched within the settle time is still being written: not yet
    assert scan(landing, settle_seconds=2, now_ns=now_ns) == []


def test_a_file_renamed_or_copied_into_place_is_taken_without_settling(tmp_path):
    landing = tmp_path / "landing"
    aside = write(landing / "events/.incoming/a.ndjson", events_line(EVENT["start_timestamp"]))
    copied = write(tmp_path / "elsewhere.ndjson", events_line(EVENT["start_timestamp"]))
    time.sleep(0.05)  # past the file system's time granularity
    aside.rename(landing / "events/a.ndjson")
    # `cp -p`, `aws s3 sync`: the content first, then the source's modification time
    target = write(landing / "events/b.ndjson", copied.read_text())
    os.utime(target, ns=(copied.stat().st_atime_ns, copied.stat().st_mtime_ns - 10**9))
    time.sleep(0.05)
    write(landing / "events/in_place.ndjson", events_line(EVENT["start_timestamp"]))
    found = scan(landing, settle_seconds=60)
    assert [a.relative for a in found] == ["a.ndjson", "b.ndjson"]  # by arrival
    assert new_arrivals(found, advance(WatchCursor(), found)) == []  # not taken twice
    # a file still being written holds back the renamed ones that arrived after it: taking them
    # would move the cursor past it
    time.sleep(0.05)
    write(landing / "events/a.ndjson", events_line(EVENT["start_timestamp"]))  # in place
    write(landing / "events/in_place.ndjson", events_line(EVENT["start_timestamp"]) + "\n")
    renamed = write(landing / "events/.incoming/c.ndjson", events_line(EVENT["start_timestamp"]))
    time.sleep(0.05)
    renamed.rename(landing / "events/c.ndjson")
    assert [a.relative for a in scan(landing, settle_seconds=60)] == ["b.ndjson"]
    later = scan(landing, settle_seconds=60, now_ns=time.time_ns() + 61 * 10**9)
    assert [a.relative for a in later] == ["b.ndjson", "a.ndjson", "in_place.ndjson", "c.ndjson"]


def test_files_dropped_together_are_watched_into_one_batch(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "events/a.ndjson", events_line(EVENT["start_timestamp"]))
    time.sleep(0.3)
    write(landing / "submissions/a.ndjson", "{}")
    started = time.monotonic()
    found = wait_for_arrivals(landing, WatchCursor(), settle_seconds=0.5, watch_seconds=0.3)
    # the events file settled first, and the watch waited for the submissions that followed it,
    # past the end of its watch
    assert [a.key for a in found] == ["events/a.ndjson", "submissions/a.ndjson"]
    assert time.monotonic() - started < 1.5
    # nothing new: the watch gives up after watch_seconds
    started = time.monotonic()
    assert wait_for_arrivals(landing, advance(WatchCursor(), found), 0.5, 0.6) == []
    assert time.monotonic() - started >= 0.6


def arrival(key: str, ns: int, size: int = 10) -> Arrival:
    dataset, relative = key.split("/", 1)
    return Arrival(dataset, relative, size, ns, ns)


def test_the_cursor_requests_each_file_once_ties_included():
    files = [arrival("events/a", 100), arrival("events/b", 200), arrival("events/c", 200)]
    cursor = WatchCursor()
    first = take_batch(new_arrivals(files, cursor), max_files=2)
    assert [a.key for a in first] == ["events/a", "events/b"]
    cursor = advance(cursor, first)
    assert cursor == WatchCursor(200, ("events/b",))
    # c arrived at the same instant as b, and was not taken: it is still new
    second = new_arrivals(files, cursor)
    assert [a.key for a in second] == ["events/c"]
    cursor = advance(cursor, second)
    assert cursor == WatchCursor(200, ("events/b", "events/c"))
    assert new_arrivals(files, cursor) == []
    # a new version of a (rewritten: a new change time) is a new arrival
    assert [a.key for a in new_arrivals([arrival("events/a", 300)], cursor)] == ["events/a"]
    assert WatchCursor.from_json(cursor.to_json()) == cursor
    assert WatchCursor.from_json("garbage") is None and WatchCursor.from_json(None) is None


def test_batches_are_bounded_by_files_and_bytes():
    files = [arrival(f"events/{i}", i, size=40) for i in range(10)]
    assert len(take_batch(files, max_files=3)) == 3
    assert len(take_batch(files, max_bytes=100)) == 2
    assert len(take_batch([arrival("events/big", 1, size=10**9)], max_bytes=100)) == 1


def test_batch_dates_come_from_the_records(tmp_path):
    landing = tmp_path
    day = 86_400_000
    first, last = EVENT["start_timestamp"] - day, EVENT["start_timestamp"] + day
    write(
        landing / "events/x.ndjson",
        "\n".join([events_line(first, 1), "{broken", events_line(last, 2)]),
    )
    submission = {
        "lead_id": "65f0a0000000000000000aaa",
        "submitted_at": "2026-10-20T10:00:00Z",
        "fields": {},
    }
    write(landing / "submissions/s.ndjson", json.dumps(submission))
    batch = scan(landing, settle_seconds=0)
    assert batch_dates(landing, batch) == (date(2026, 10, 20), date(2026, 10, 30))
    write(landing / "events/y.ndjson", "{broken")
    only_broken = [a for a in scan(landing, 0) if a.relative == "y.ndjson"]
    assert batch_dates(landing, only_broken) is None


# --------------------------------------------------------------------------- the sensor


@pytest.fixture
def zone(tmp_path):
    paths = Paths(tmp_path / "home")
    paths.landing_events.mkdir(parents=True)
    with environment(LEADWH_SETTLE_SECONDS=str(SETTLE), LEADWH_SENSOR_WATCH_SECONDS="0"):
        yield paths


def tick(paths: Paths, instance, cursor: str | None):
    from orchestration.defs.pipeline.sensors import landing_zone_sensor
    from orchestration.defs.resources import WarehouseResource

    context = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"warehouse": WarehouseResource(home=str(paths.home))},
    )
    return landing_zone_sensor(context)


def test_the_sensor_requests_one_run_per_batch_and_nothing_twice(zone):
    from orchestration.defs.pipeline.sensors import FIRST_ARRIVAL_TAG, RANGE_END, RANGE_START

    with dg.instance_for_test() as instance:
        empty = tick(zone, instance, None)
        assert empty.run_requests == [] and "no new files" in empty.skip_reason.skip_message

        write(zone.landing_events / "batches/a.ndjson", events_line(EVENT["start_timestamp"]))
        write(
            zone.landing_events / "firehose/lead/e.json",
            events_line(EVENT["start_timestamp"] - 3 * 86_400_000, 7),
        )
        time.sleep(TOGETHER_SECONDS + 0.1)  # not dropped together with them
        write(zone.landing_events / "batches/late.ndjson", "{}")  # still being written
        result = tick(zone, instance, empty.cursor)
        (request,) = result.run_requests
        assert request.job_name == "build_all"
        assert request.tags[RANGE_START] == "2026-10-26" and request.tags[RANGE_END] == "2026-10-29"
        assert request.run_config == {
            "ops": {
                "raw_landing": {
                    "config": {
                        "events": ["batches/a.ndjson", "firehose/lead/e.json"],
                        "submissions": [],
                    }
                }
            },
            "execution": {"config": {"in_process": {}}},
        }
        arrived = datetime.fromisoformat(request.tags[FIRST_ARRIVAL_TAG])
        assert abs((datetime.now(tz=UTC) - arrived).total_seconds()) < 60
        assert request.run_key.startswith("landing-")

        # the same files are never requested again; the late one is, alone, once settled
        time.sleep(SETTLE + 0.1)
        again = tick(zone, instance, result.cursor)
        (late,) = again.run_requests
        assert late.run_config["ops"]["raw_landing"]["config"]["events"] == ["batches/late.ndjson"]
        assert late.job_name == "ingest"  # nothing readable in it: landing only (quarantine)
        assert late.run_key != request.run_key
        assert tick(zone, instance, again.cursor).run_requests == []


def test_a_tick_keeps_watching_and_takes_a_file_dropped_meanwhile(zone):
    import threading

    def drop_later():
        time.sleep(0.6)
        aside = write(zone.landing / "incoming.tmp", events_line(EVENT["start_timestamp"]))
        time.sleep(0.05)
        aside.rename(zone.landing_events / "a.ndjson")

    with dg.instance_for_test() as instance, environment(LEADWH_SENSOR_WATCH_SECONDS="1.5"):
        started = time.monotonic()
        empty = tick(zone, instance, None)
        assert empty.run_requests == [] and time.monotonic() - started >= 1.5
        dropper = threading.Thread(target=drop_later)
        started = time.monotonic()
        dropper.start()
        (request,) = tick(zone, instance, empty.cursor).run_requests
        took = time.monotonic() - started
        dropper.join()
    assert request.run_config["ops"]["raw_landing"]["config"]["events"] == ["a.ndjson"]
    assert 0.6 <= took < 1.4  # seen within a poll of its rename, no settle time


def test_the_sensor_waits_while_two_of_its_runs_are_in_flight(zone):
    from orchestration.defs.pipeline.sensors import SENSOR_NAME, TRIGGER_TAG

    write(zone.landing_events / "batches/a.ndjson", events_line(EVENT["start_timestamp"]))
    time.sleep(SETTLE + 0.1)
    noop = dg.GraphDefinition(name="noop", node_defs=[]).to_job()
    with dg.instance_for_test() as instance:
        for _ in range(2):  # launched by the sensor, not started yet
            instance.create_run_for_job(noop, tags={TRIGGER_TAG: SENSOR_NAME})
        result = tick(zone, instance, WatchCursor().to_json())
        assert result.run_requests == []
        assert "wait for one of 2 runs" in result.skip_reason.skip_message
        assert result.cursor == WatchCursor().to_json()


def test_dbt_data_tests_run_with_one_landing_run_in_their_interval():
    from orchestration.defs.pipeline.sensors import data_tests_due

    now = datetime.now(tz=UTC)
    with dg.instance_for_test() as instance:
        assert data_tests_due(instance, 15, now)  # nothing has tested yet
        for name in ("ingest", "fresh_build"):  # runs that do not test
            instance.create_run_for_job(dg.GraphDefinition(name=name, node_defs=[]).to_job())
        assert data_tests_due(instance, 15, now)
        instance.create_run_for_job(dg.GraphDefinition(name="transform", node_defs=[]).to_job())
        assert not data_tests_due(instance, 15, now)
        assert data_tests_due(instance, 15, now + timedelta(minutes=16))
        assert data_tests_due(instance, 0, now)  # 0: every run tests


def test_fresh_build_is_build_all_without_dbt_data_tests(definitions):
    from orchestration.defs.dbt import dbt_models

    build_all = definitions.resolve_job_def("build_all").asset_layer
    fresh = definitions.resolve_job_def("fresh_build").asset_layer
    assert fresh.executable_asset_keys == build_all.executable_asset_keys
    dbt_tests = set(dbt_models.check_keys)
    assert len(dbt_tests) > 100
    assert set(fresh.asset_graph.asset_check_keys) == (
        set(build_all.asset_graph.asset_check_keys) - dbt_tests
    )
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "lead_events"]), "events_are_fresh") in (
        fresh.asset_graph.asset_check_keys
    )


def test_a_fresh_sensor_starts_after_what_the_serving_file_holds(zone, tmp_path):
    import duckdb

    from ingest.landing.watch import INITIAL_MARGIN_NS, initial_cursor

    zone.serving.parent.mkdir(parents=True)
    with duckdb.connect(str(zone.serving)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_lead_events as select timestamp '2026-11-01 10:00:00'"
            " as ingested_at"
        )
    cursor = initial_cursor(zone.serving)
    newest = datetime(2026, 11, 1, 10, tzinfo=UTC).timestamp() * 10**9
    assert cursor.arrived_ns == int(newest) - INITIAL_MARGIN_NS
    assert initial_cursor(tmp_path / "missing.duckdb") == WatchCursor()


# --------------------------------------------------------------------------- schedules, pool


def test_the_daily_schedule_builds_yesterdays_partition():
    from orchestration.defs.pipeline.schedules import daily_build

    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 3, 0, 30, tzinfo=UTC)
    )
    request = daily_build(context)
    assert request.partition_key == "2026-11-02" and request.run_key == "daily-2026-11-02"
    assert request.run_config == {"execution": {"config": {"in_process": {}}}}
    assert daily_build.job_name == "build_all"
    assert daily_build.cron_schedule == "30 0 * * *"


@pytest.fixture(scope="module")
def definitions():
    from orchestration.definitions import defs

    return defs()


def test_every_schedule_sensor_and_group_is_in_the_code_location(definitions):
    schedules = {s.name: s for s in definitions.schedules}
    assert {
        "daily_build",
        "ops_alerts_schedule",
        "retention_purge_schedule",
        "export_leads_last_24h_schedule",
        "export_delivery_daily_schedule",
    } <= set(schedules)
    assert schedules["ops_alerts_schedule"].job_name == "ops_alerts"
    assert schedules["retention_purge_schedule"].job_name == "retention_purge"
    sensors = {s.name: s for s in definitions.sensors}
    assert set(sensors) == {"landing_zone_sensor", "object_store_sync_sensor"}
    assert sensors["landing_zone_sensor"].minimum_interval_seconds == 1
    for name in ("export_source_scorecard", "retention_purge", "ops_alerts", "build_all"):
        assert definitions.resolve_job_def(name) is not None
    # the daily schedule's partition exists for the job it targets
    build_all = definitions.resolve_job_def("build_all")
    assert build_all.partitions_def is not None
    graph = definitions.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"ops", "exports"} <= groups
    # exports and the retention log are recorded by their jobs, never built by build_all
    assert not graph.get(dg.AssetKey(["exports", "leads_last_24h"])).is_materializable
    assert graph.get(dg.AssetKey(["ops", "alerts"])).is_materializable
    assert (
        dg.AssetKey(["ops", "alerts"])
        in graph.get(dg.AssetKey(["serving", "serving_database"])).parent_keys
    )
    fresh = dg.AssetCheckKey(dg.AssetKey(["raw", "lead_events"]), "events_are_fresh")
    assert fresh in graph.asset_check_keys


def test_every_asset_that_writes_the_warehouse_is_in_the_pool(definitions):
    from orchestration.names import WAREHOUSE_POOL

    graph = definitions.resolve_asset_graph()
    writers = [
        k
        for k in graph.get_all_asset_keys()
        # exports write files; the connectors write the landing zone, never the warehouse
        if graph.get(k).is_materializable and k.path[0] not in ("exports", "connectors")
    ]
    pools = {k.to_user_string(): graph.assets_def_for_key(k).op.pool for k in writers}
    assert set(pools.values()) == {WAREHOUSE_POOL}, pools
    assert "raw/lead_events" in pools and "serving/serving_database" in pools
    retention = definitions.resolve_job_def("retention_purge")
    assert retention.graph.node_dict["purge_raw"].definition.pool == WAREHOUSE_POOL
    check = definitions.resolve_job_def("build_all").graph.node_dict[
        "raw__lead_events_events_are_fresh"
    ]
    assert check.definition.pool == WAREHOUSE_POOL


def test_the_dagster_home_limits_the_pool_to_one(tmp_path):
    from orchestration.build import dagster_home

    paths = Paths(tmp_path / "home")
    with environment(DAGSTER_HOME=""):
        os.environ.pop("DAGSTER_HOME")
        home = dagster_home(paths)
        assert home == paths.dagster_home and (home / "dagster.yaml").exists()
        with dg.DagsterInstance.get() as instance:
            assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    # an existing dagster.yaml is left alone
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with environment(DAGSTER_HOME=str(home)):
        dagster_home(paths)
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"
