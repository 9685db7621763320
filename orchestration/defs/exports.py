"""Analytic exports from config/exports.yaml (logic in ingest/serving/exports.py).

Each export gets an asset `exports/<name>` in the asset graph (group "exports", downstream of the
serving file; its materializations carry the file, row count and time window), a job
`export_<name>` to run it on demand (UI: Jobs -> export_<name> -> Launch run; shell:
`leadwh export <name>`) and, when it has a `schedule`, a schedule `export_<name>_schedule`.

The exports are jobs rather than executable assets so that `build_all` and `transform`, which
select every asset, never rewrite them: an export runs on its own schedule or on demand only.
"""

from datetime import UTC, datetime

import dagster as dg

from ingest.ops.config import ConfigError, ExportSpec, load_exports
from ingest.serving.exports import run_export
from orchestration.defs.resources import WarehouseResource
from orchestration.names import EXPORT_TAG, SERVING, TRIGGER_TAG


class ExportConfig(dg.Config):
    """as_of: the time the export's window ends at (ISO 8601, UTC when naive); empty = now."""

    as_of: str = ""


def export_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["exports", name])


def job_name(name: str) -> str:
    return f"export_{name}"


def op_name(name: str) -> str:
    return f"write_export_{name}"


def _parse_as_of(text: str) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def export_spec_asset(spec: ExportSpec) -> dg.AssetSpec:
    return dg.AssetSpec(
        export_key(spec.name),
        group_name="exports",
        deps=[SERVING],
        kinds={spec.format},
        description=f"{spec.description} ({spec.describe_filters()}). "
        f"Written by the job {job_name(spec.name)}.",
        metadata={
            "source": f"marts.{spec.mart}"
            if spec.mart
            else dg.MetadataValue.md(f"```sql\n{spec.query}\n```"),
            "file": f"{spec.destination}/{spec.file_name}",
            "schedule": spec.schedule or "on demand",
        },
    )


def export_job(spec: ExportSpec) -> dg.JobDefinition:
    @dg.op(
        name=op_name(spec.name),
        description=f"Write {spec.destination}/{spec.file_name} from the serving file.",
    )
    def write_export(
        context: dg.OpExecutionContext, config: ExportConfig, warehouse: WarehouseResource
    ) -> None:
        paths = warehouse.paths
        result = run_export(spec, paths.serving, paths.home, _parse_as_of(config.as_of))
        context.log.info(f"wrote {result.rows} rows to {result.path}")
        window = {
            "window_start": result.window_start.isoformat() if result.window_start else "",
            "window_end": result.window_end.isoformat() if result.window_end else "",
        }
        context.log_event(
            dg.AssetMaterialization(
                asset_key=export_key(spec.name),
                description=spec.description,
                metadata={
                    "path": dg.MetadataValue.path(str(result.path)),
                    "rows": result.rows,
                    **window,
                    "format": result.format,
                    "columns": len(result.columns),
                    "size_bytes": result.size_bytes,
                    "filters": result.filters,
                    "sidecar": dg.MetadataValue.path(str(result.sidecar)),
                },
            )
        )

    @dg.job(
        name=job_name(spec.name),
        description=f"Export {spec.name}: {spec.description}",
        tags={EXPORT_TAG: spec.name},
    )
    def _job():
        write_export()

    return _job


def export_schedule(
    spec: ExportSpec, job: dg.JobDefinition, timezone: str
) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"{job_name(spec.name)}_schedule",
        cron_schedule=spec.schedule,
        execution_timezone=timezone,
        job=job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Export {spec.name} ({spec.schedule}, {timezone}).",
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        moment = context.scheduled_execution_time.astimezone(UTC)
        return dg.RunRequest(
            run_key=f"export-{spec.name}-{moment.isoformat()}",
            run_config={"ops": {op_name(spec.name): {"config": {"as_of": moment.isoformat()}}}},
            tags={TRIGGER_TAG: f"{job_name(spec.name)}_schedule"},
        )

    return _schedule


CONFIG_ERROR_JOB = "exports_config_invalid"


def config_error_job(message: str) -> dg.JobDefinition:
    """What the UI shows in place of the exports while their file is broken: a job named for it,
    whose description (and run, if launched) gives `message`, what to fix."""

    @dg.op(name="explain_exports_config_error")
    def explain() -> None:
        raise dg.Failure(description=message)

    @dg.job(
        name=CONFIG_ERROR_JOB,
        description=f"No export jobs: the exports file is invalid. {message}",
    )
    def _job():
        explain()

    return _job


@dg.definitions
def defs() -> dg.Definitions:
    try:
        config = load_exports()
    except ConfigError as exc:  # never stops the rest of the code location (landing, builds)
        message = f"{exc} (no export runs until it is fixed)"
        dg.get_dagster_logger().error(message)
        return dg.Definitions(jobs=[config_error_job(message)])
    specs, jobs, schedules = [], [], []
    for spec in config.exports:
        job = export_job(spec)
        specs.append(export_spec_asset(spec))
        jobs.append(job)
        if spec.schedule:
            schedules.append(export_schedule(spec, job, config.timezone))
    return dg.Definitions(assets=specs, jobs=jobs, schedules=schedules)
