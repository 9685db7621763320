"""`leadwh export`, `pull`, `sync` and `backup`: each runs one Dagster job in this process,
recorded in the instance under the warehouse home like a scheduled run (the UI's history)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ingest.paths import Paths
from orchestration.commands.output import say


def run_job(paths: Paths, job: str, run_config: dict):
    """Run the job `job` of the code location with this run config; its result (failures are in
    the result, not raised)."""
    os.environ["LEADWH_HOME"] = str(paths.home)
    from orchestration.build import dagster_home, prepare_dbt

    dagster_home(paths)
    prepare_dbt()
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.names import TRIGGER_TAG

    with dg.DagsterInstance.get() as instance:
        return (
            defs()
            .resolve_job_def(job)
            .execute_in_process(
                instance=instance,
                run_config=run_config,
                tags={TRIGGER_TAG: "cli"},
                raise_on_error=False,
            )
        )


def failure_message(result) -> str:
    """Why a failed run failed: its first failure's error message."""
    failure = next((e for e in result.all_events if e.is_failure), None)
    return (failure.event_specific_data.error.message if failure else "see the Dagster UI").strip()


def materializations(result, node: str) -> list[dict]:
    """The metadata of each asset the node materialized, as plain values."""
    return [
        {k: v.value for k, v in materialization.metadata.items()}
        for materialization in result.asset_materializations_for_node(node)
    ]


# --------------------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace, paths: Paths) -> int:
    """Run the export NAME defined in config/exports.yaml ($LEADWH_EXPORTS_CONFIG) now, through
    Dagster (recorded on the asset exports/NAME): read the serving file, apply the filters,
    write <destination>/<name>.<csv|parquet> atomically with a .meta.json sidecar (row count,
    time window)."""
    from ingest.ops.config import ConfigError, load_exports

    try:
        config = load_exports()
        if args.list or not args.name:
            for spec in config.exports:
                schedule = spec.schedule or "on demand"
                say(f"{spec.name:<24} {spec.format:<8} {schedule:<14} {spec.describe_filters()}")
            if not config.exports:
                say(f"no exports defined in {config.path}")
            return 0 if (args.list or config.exports) else 2
        config.get(args.name)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not paths.serving.exists():
        print(f"error: no serving file at {paths.serving}: run `leadwh build`", file=sys.stderr)
        return 2
    from orchestration.defs.exports import job_name, op_name

    run_config = {"ops": {op_name(args.name): {"config": {"as_of": args.as_of or ""}}}}
    result = run_job(paths, job_name(args.name), run_config)
    if not result.success:
        print(f"error: export {args.name} failed: {failure_message(result)}", file=sys.stderr)
        return 1
    for meta in materializations(result, op_name(args.name)):
        window = (
            f", window {meta['window_start']} .. {meta['window_end']}"
            if meta.get("window_end")
            else ""
        )
        say(f"wrote {meta['rows']} rows to {meta['path']}{window} (run {result.run_id})")
    return 0


# --------------------------------------------------------------------------- pull, sync


def _run_connector_job(paths: Paths, job: str, run_config: dict, node: str) -> dict:
    """Run one connector job (in one process); the metadata of what its node materialized."""
    in_process = {"execution": {"config": {"in_process": {}}}}
    result = run_job(paths, job, {**run_config, **in_process})
    if not result.success:
        raise SystemExit(f"leadwh: error: {failure_message(result)}")
    found = materializations(result, node)
    return found[-1] if found else {}


def cmd_pull(args: argparse.Namespace, paths: Paths) -> int:
    """Pull events newer than the last pull (less LEADWH_PULL_OVERLAP_MINUTES) from
    LeadConduit's Events API (LEADWH_LEADCONDUIT_URL, key LEADWH_LEADCONDUIT_API_KEY) into
    $LEADWH_HOME/landing/events/api as NDJSON, through Dagster. `leadwh build` lands them."""
    from ingest.settings import get_settings
    from orchestration.names import EVENTS_API_PULL_JOB

    if not get_settings().leadconduit_api_key.get_secret_value():
        print(
            "leadwh: error: set LEADWH_LEADCONDUIT_API_KEY to your LeadConduit API key "
            "(README: Connect your LeadConduit account)",
            file=sys.stderr,
        )
        return 2
    since = args.since.isoformat() if args.since else ""
    run_config = {"ops": {"connectors__leadconduit_events_api": {"config": {"since": since}}}}
    meta = _run_connector_job(
        paths, EVENTS_API_PULL_JOB, run_config, "connectors__leadconduit_events_api"
    )
    say(
        f"pulled {meta.get('events_read', 0)} events in {meta.get('pages', 0)} pages: "
        f"{meta.get('events_written', 0)} new in {meta.get('files_written', 0)} files under "
        f"{paths.landing_events / 'api'}, {meta.get('repeats_skipped', 0)} already pulled; "
        f"cursor {meta.get('cursor_after', '')}. `leadwh build` lands them."
    )
    return 0


def cmd_sync(args: argparse.Namespace, paths: Paths) -> int:
    """Copy new and changed objects of LEADWH_EVENTS_URL / LEADWH_SUBMISSIONS_URL (e.g.
    s3://bucket/prefix, a LeadConduit Firehose) into $LEADWH_HOME/landing, through Dagster.
    `leadwh build` does this first by itself."""
    from ingest.connectors.object_store import configured_sources
    from ingest.settings import get_settings
    from orchestration.names import OBJECT_STORE_SYNC_JOB

    if not configured_sources(get_settings(), paths):
        say("LEADWH_EVENTS_URL and LEADWH_SUBMISSIONS_URL are the local landing folders")
        return 0
    run_config = {"ops": {"connectors__object_store_mirror": {"config": {"recent": args.recent}}}}
    meta = _run_connector_job(
        paths, OBJECT_STORE_SYNC_JOB, run_config, "connectors__object_store_mirror"
    )
    for dataset in ("events", "submissions"):
        if f"{dataset}_source" in meta:
            say(
                f"{dataset} from {meta[f'{dataset}_source']} ({meta[f'{dataset}_mode']}): "
                f"listed {meta[f'{dataset}_listed']}, copied {meta[f'{dataset}_copied']}, "
                f"{meta[f'{dataset}_unchanged']} unchanged, {meta[f'{dataset}_ignored']} ignored "
                f"in {meta[f'{dataset}_seconds']}s"
            )
    return 0


# --------------------------------------------------------------------------- backup


def cmd_backup(args: argparse.Namespace, paths: Paths) -> int:
    """Copy the warehouse file (and the HMAC key of ssn__hash) into a new folder under
    $LEADWH_HOME/backups (or --to), through Dagster: it waits for a running build, checks the
    copy's tables against the warehouse and records it in backup.json. README: Backups."""
    from orchestration.names import BACKUP_JOB

    if not paths.warehouse.exists():
        print(
            f"leadwh: error: no warehouse at {paths.warehouse}: nothing to back up", file=sys.stderr
        )
        return 2
    config = {"to": str(Path(args.to).expanduser().resolve()) if args.to else ""}
    result = run_job(paths, BACKUP_JOB, {"ops": {"back_up_warehouse": {"config": config}}})
    if not result.success:
        print(f"leadwh: error: the backup failed: {failure_message(result)}", file=sys.stderr)
        return 1
    done = result.output_for_node("back_up_warehouse")
    say(f"backed up {done['tables']} tables ({done['bytes'] / 2**20:,.1f} MB) to {done['folder']}")
    return 0
