"""A full materialization through Dagster on a temporary LEADWH_HOME."""

import dagster as dg
import duckdb

from ingest.paths import Paths
from tests.conftest import build, environment, table_counts

RAW = ["raw.lead_events", "raw.lead_submissions", "raw.quarantine", "raw.ingest_manifest"]


def test_build_lands_everything_and_counts_reconcile(built_home):
    paths, summary = built_home
    counts = table_counts(paths.warehouse, RAW)
    assert counts["raw.lead_events"] == summary.events
    assert counts["raw.lead_submissions"] == summary.submissions
    assert counts["raw.quarantine"] == (
        summary.quarantine_expected_events + summary.quarantine_expected_submissions
    )
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        read, loaded, dups, quarantined = con.execute(
            "select sum(records_read), sum(loaded), sum(duplicates), sum(quarantined)"
            " from raw.ingest_manifest where dataset = 'events'"
        ).fetchone()
        assert read == loaded + dups + quarantined == summary.event_records
        assert dups == summary.duplicates_events


def test_marts_are_published_and_match_the_simulation(built_home):
    paths, summary = built_home
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        leads, accepted, rejected, errored = con.execute(
            "select sum(leads), sum(accepted), sum(rejected), sum(errored)"
            " from marts.fct_acceptance_daily"
        ).fetchone()
        flows, sources = con.execute(
            "select count(distinct flow_id), count(distinct source_id)"
            " from marts.fct_acceptance_daily"
        ).fetchone()
    assert leads == summary.leads == accepted + rejected + errored
    assert accepted > 0 and rejected > 0
    assert flows >= 4 and sources >= 20
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        source_events = con.execute(
            "select count(distinct lead_id) from raw.lead_events where event_type = 'source'"
        ).fetchone()[0]
    assert leads == source_events


def test_runs_are_recorded_with_passing_dbt_checks(built_home):
    paths, _ = built_home
    with environment(DAGSTER_HOME=str(paths.dagster_home)):
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs()
            # newest first: the transform run over the new partitions, then the ingest run
            assert [r.job_name for r in runs[:2]] == ["transform", "ingest"]
            assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
            assert runs[0].tags["dagster/asset_partition_range_start"] == "2026-10-26"
            checks = [
                record
                for run in runs[:2]
                for record in instance.get_records_for_run(
                    run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
                ).records
            ]
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in checks]
    assert len(evaluations) >= 50
    names = {e.asset_check_key.name for e in evaluations}
    assert {"pandera_contract", "assert_leads_reconcile_with_source_events"} <= names
    failed = [e.asset_check_key.name for e in evaluations if not e.passed]
    assert failed == []
    # every dbt test is a check with a result (none is run by a step that does not declare it)
    from orchestration.defs.dbt import dbt_models  # loads the manifest the session parsed

    assert set(dbt_models.check_keys) - {e.asset_check_key for e in evaluations} == set()


def test_rebuilding_without_new_files_changes_nothing(built_home):
    paths, _ = built_home
    marts = ["marts.fct_acceptance_daily"]
    before_raw = table_counts(paths.warehouse, RAW)
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        before = con.execute("select * from marts.fct_acceptance_daily order by all").fetchall()
    assert build(Paths(paths.home))
    assert table_counts(paths.warehouse, RAW) == before_raw
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        after = con.execute("select * from marts.fct_acceptance_daily order by all").fetchall()
    assert after == before
    assert table_counts(paths.serving, marts)["marts.fct_acceptance_daily"] == len(before)
