"""End to end on real files and real DuckDB files, through Dagster:

- files dropped into an empty landing zone are picked up by the landing sensor, built by the run
  it requests and visible in the serving file; a clean simulated day raises no alert; the next
  batch, minutes after a run that tested, is built without dbt's data tests (fresh_build);
- after the retention purge, the marts' history of the purged days survives later builds, and
  that build's incremental publish serves exactly what a full publish would.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import orjson

from ingest.paths import Paths
from tests.conftest import ARTIFACTS, build, environment
from tests.ops.conftest import write_yaml
from tests.orchestration.test_sensor import tick

SETTLE = 0.5


def clean_days(scratch: Path, day_indexes: list[int]) -> list[dict]:
    """Days of one simulated clean operation (``clean_days``: no story, unfiltered: every source,
    flow and buyer), the leads submitted on each day of `day_indexes`: each day's files'
    contents and counts."""
    from ingest.simulator.run import simulate

    summary = simulate(scratch, leads=5000, days=5, seed=23, faults=False, clean_days=5)
    assert set(summary.stories) == {"clean_days"}
    start = date.fromisoformat(summary.start_date)
    return [one_day(scratch, (start + timedelta(days=index)).isoformat()) for index in day_indexes]


def one_day(scratch: Path, day: str) -> dict:
    submissions, leads = [], set()
    for line in (scratch / "submissions" / f"submissions-{day}.ndjson").read_bytes().splitlines():
        submissions.append(line)
        leads.add(orjson.loads(line)["lead_id"])
    events, event_ids = [], set()
    for path in sorted((scratch / "events" / "batches").glob("*.ndjson")):
        for line in path.read_bytes().splitlines():
            event = orjson.loads(line)
            if event["vars"]["lead"]["id"] in leads:
                events.append(line)
                event_ids.add(event["id"])
    firehose = {}
    for path in (scratch / "events" / "firehose").glob("*/*.json"):
        if path.parent.name in leads:
            firehose[f"firehose/{path.parent.name}/{path.name}"] = path.read_bytes()
            event_ids.add(orjson.loads(path.read_bytes())["id"])
    return {
        "day": day,
        "events": b"\n".join(events) + b"\n",
        "firehose": firehose,
        "submissions": b"\n".join(submissions) + b"\n",
        "leads": len(leads),
        "event_ids": len(event_ids),
    }


def drop(target: Path, data: bytes) -> None:
    """Deliver a file the way a sync tool does: write aside, rename into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def drop_day(paths: Paths, day: dict) -> None:
    drop(paths.landing_events / "api" / f"events-{day['day']}.ndjson", day["events"])
    for relative, data in day["firehose"].items():
        drop(paths.landing_events / relative, data)
    drop(paths.landing_submissions / f"submissions-{day['day']}.ndjson", day["submissions"])


def test_dropped_files_reach_the_serving_file_and_a_clean_day_raises_no_alert(tmp_path, webhook):
    from orchestration.build import dagster_home
    from orchestration.definitions import defs
    from orchestration.defs.dbt import dbt_models

    day, next_day = clean_days(tmp_path / "scratch", [1, 2])
    paths = Paths(tmp_path / "home")
    paths.landing.mkdir(parents=True)
    with environment(
        LEADWH_HOME=str(paths.home),
        DAGSTER_HOME=str(paths.dagster_home),
        LEADWH_SETTLE_SECONDS=str(SETTLE),
        LEADWH_ALERT_WEBHOOK=webhook.url,
    ):
        dagster_home(paths)  # the instance with the warehouse pool's limit
        definitions = defs()
        with dg.DagsterInstance.get() as instance:
            first = tick(paths, instance, None)
            assert first.run_requests == []

            dropped_at = time.time()
            drop_day(paths, day)
            time.sleep(SETTLE + 0.1)

            second = tick(paths, instance, first.cursor)
            (request,) = second.run_requests
            assert request.job_name == "build_all"
            assert request.tags["dagster/asset_partition_range_start"] == day["day"]
            files = request.run_config["ops"]["raw_landing"]["config"]
            assert len(files["events"]) == 1 + len(day["firehose"])
            assert files["submissions"] == [f"submissions-{day['day']}.ndjson"]

            run = definitions.resolve_job_def(request.job_name).execute_in_process(
                instance=instance,
                run_config=request.run_config,
                tags=request.tags,
                raise_on_error=False,
            )
            visible_after = time.time() - dropped_at
            assert run.success
            served = instance.get_latest_materialization_event(
                dg.AssetKey(["serving", "serving_database"])
            ).asset_materialization.metadata
            latency = served["landing_to_serving_seconds"].value

            # nothing new: no run, and the cursor keeps every file it requested
            third = tick(paths, instance, second.cursor)
            assert third.run_requests == [] and third.cursor == second.cursor

            # the next day's batch: dbt's data tests ran a moment ago, so not again
            drop_day(paths, next_day)
            time.sleep(SETTLE + 0.1)
            (fresh,) = tick(paths, instance, third.cursor).run_requests
            assert fresh.job_name == "fresh_build"
            fresh_run = definitions.resolve_job_def(fresh.job_name).execute_in_process(
                instance=instance, run_config=fresh.run_config, tags=fresh.tags
            )
            dbt_tests = set(dbt_models.check_keys)
            tested = {e.asset_check_key for e in fresh_run.get_asset_check_evaluations()}
            assert tested and not tested & dbt_tests  # landing's, typing's, alerts' checks only
            tested = {e.asset_check_key for e in run.get_asset_check_evaluations()}
            assert len(tested & dbt_tests) > 100  # the first run ran dbt's data tests

    with duckdb.connect(str(paths.serving), read_only=True) as con:
        assert (
            con.execute("select count(*) from marts.fct_lead_events").fetchone()[0]
            == day["event_ids"] + next_day["event_ids"]
        )
        leads = con.execute(
            "select sum(leads) from marts.fct_acceptance_daily where submitted_date = ?",
            [date.fromisoformat(day["day"])],
        ).fetchone()[0]
        assert leads == day["leads"]
        alerts = con.execute("select rule, message from ops.alerts").fetchall()
    assert alerts == [] and webhook.received == []
    assert 0 < latency <= visible_after + 1
    report = {
        "files": len(files["events"]) + len(files["submissions"]),
        "events": day["event_ids"],
        "leads": day["leads"],
        "landing_to_serving_seconds": latency,
        "note": "sensor tick and run in process; benchmarks/bench_landing_latency.py measures "
        "it with the Dagster daemon",
    }
    print(f"landing -> serving latency (in process): {latency:.1f} s")
    (ARTIFACTS / "ops").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "ops" / "landing_latency_e2e.json").write_text(json.dumps(report, indent=1))


HISTORY_TABLES = {
    "marts.fct_acceptance_daily": "submitted_date",
    "marts.fct_acceptance_hourly": "submitted_date",
    "marts.fct_rejections_daily": "submitted_date",
    "marts.fct_source_quality_daily": "submitted_date",
    "marts.fct_delivery_daily": "delivery_date",
    "marts.fct_step_latency_daily": "event_date",
    "marts.fct_leads": "submitted_date",
    "marts.fct_lead_events": "event_date",
}


def history(database: Path, days: list[date]) -> dict[str, list]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            table: con.execute(
                f"select * exclude (ingested_at) from {table} where {column} in (select unnest(?))"
                " order by all"
                if table == "marts.fct_lead_events"
                else f"select * from {table} where {column} in (select unnest(?)) order by all",
                [days],
            ).fetchall()
            for table, column in HISTORY_TABLES.items()
        }


def served_tables(serving: Path) -> dict[str, list[tuple]]:
    """Every table of a serving file, its rows in a stable order."""
    with duckdb.connect(str(serving), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() order by 1"
        ).fetchall()
        return {name: con.execute(f"select * from {name} order by all").fetchall()
                for (name,) in names}  # fmt: skip


def test_the_marts_history_survives_the_retention_purge(story_home, tmp_path):
    from ingest.simulator.run import simulate
    from orchestration.definitions import defs

    paths = Paths(tmp_path / "home")
    shutil.copytree(story_home.paths.home, paths.home)
    start = date.fromisoformat(story_home.summary.start_date)
    purged_days = [start, start + timedelta(days=1)]
    before = history(paths.warehouse, purged_days)
    assert all(before.values()), {t: len(rows) for t, rows in before.items()}

    # purge raw data older than 30 days, as of a day that makes the first two days that old
    config = write_yaml(
        tmp_path / "retention.yaml",
        {"defaults": {"keep_days": 30}, "datasets": {"events": {"delete_landing_files": True}}},
    )
    today = start + timedelta(days=32)
    with environment(
        LEADWH_HOME=str(paths.home),
        DAGSTER_HOME=str(paths.dagster_home),
        LEADWH_RETENTION_CONFIG=str(config),
    ):
        with dg.DagsterInstance.get() as instance:
            purge = (
                defs()
                .resolve_job_def("retention_purge")
                .execute_in_process(
                    instance=instance,
                    run_config={"ops": {"purge_raw": {"config": {"today": today.isoformat()}}}},
                )
            )
        assert purge.success
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("select min(event_date) from raw.lead_events").fetchone()[
            0
        ] == start + timedelta(days=2)
        assert con.execute("select min(submitted_date) from raw.lead_submissions").fetchone()[
            0
        ] == start + timedelta(days=2)
        deleted = dict(
            con.execute("select dataset, rows_deleted from ops.retention_log").fetchall()
        )
    assert deleted["events"] > 0 and deleted["submissions"] > 0
    assert not (paths.landing_events / "batches" / f"events-{start}.ndjson").exists()
    assert (paths.landing_submissions / f"submissions-{start}.ndjson").exists()

    # a new day of data lands and is built (its late events reach back into the kept days)
    new_day = start + timedelta(days=story_home.summary.days)
    scratch = tmp_path / "scratch"
    simulate(scratch, leads=800, days=1, seed=11, start_date=new_day)
    shutil.copytree(scratch / "events", paths.landing_events / "newday")
    shutil.copytree(scratch / "submissions", paths.landing_submissions / "newday")
    assert build(paths)

    after = history(paths.warehouse, purged_days)
    for table in HISTORY_TABLES:
        assert after[table] == before[table], f"{table}: the purged days' history changed"
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        assert (
            con.execute(
                "select sum(leads) from marts.fct_acceptance_daily where submitted_date = ?",
                [new_day],
            ).fetchone()[0]
            == 800
        )
        served = dict(con.execute("select dataset, rows_deleted from ops.retention_log").fetchall())
    assert served == deleted  # the purge record is published with the marts

    # that build published incrementally, and serves exactly what a full publish would
    from ingest.serving.publish import publish
    from orchestration.defs.publish import SERVED_SCHEMAS

    full = publish(paths.warehouse, tmp_path / "full.duckdb", SERVED_SCHEMAS, full=True)
    incremental = served_tables(paths.serving)
    _, _, tables, was_incremental, written, *_ = incremental.pop("meta.publish_info")[0]
    assert was_incremental
    events = "marts.fct_lead_events"
    assert 0 < json.loads(written)[events] < json.loads(tables)[events]  # only the new rows
    full_tables = served_tables(full.path)
    full_tables.pop("meta.publish_info")
    assert incremental == full_tables
