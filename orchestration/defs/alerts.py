"""Alerts and freshness: the asset ops/alerts (rules in config/alerts.yaml, logic in
ingest/ops/alert_rules.py and ingest/ops/alerts.py), evaluated after every build, the freshness
check on raw/lead_events, and the job `ops_alerts` with its schedule `ops_alerts_schedule` (hourly
by default)."""

from datetime import timedelta

import dagster as dg

from ingest.landing.raw_store import has_table
from ingest.ops.alerts import run_alerts
from ingest.ops.config import AlertsConfig, ConfigError, load_alerts
from ingest.ops.firing import utc_now
from orchestration.defs.dbt import MART_KEYS
from orchestration.defs.resources import WarehouseResource
from orchestration.names import ALERTS as ALERTS_KEY
from orchestration.names import (
    IN_PROCESS,
    OPS_ALERTS_JOB,
    RAW_EVENTS,
    RAW_MANIFEST,
    SERVING,
    TRIGGER_TAG,
    WAREHOUSE_POOL,
)

DELIVERED = "alerts_delivered"
RULES_VALID = "alert_rules_valid"
FRESHNESS = "events_are_fresh"


def _firing_table(firings) -> str:
    if not firings:
        return "No rule is firing."
    lines = [
        "| rule | severity | subject | metric | value | message |",
        "|---|---|---|---|---|---|",
    ]
    for f in firings[:50]:
        message = f.message.replace("|", "/")
        lines.append(
            f"| {f.rule} | {f.severity} | {f.subject_name} | {f.metric} | {f.value} | {message} |"
        )
    if len(firings) > 50:
        lines.append(f"| … | | {len(firings) - 50} more | | | |")
    return "\n".join(lines)


@dg.asset(
    key=ALERTS_KEY,
    group_name="ops",
    deps=[*MART_KEYS, RAW_MANIFEST, RAW_EVENTS],
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            DELIVERED,
            asset=ALERTS_KEY,
            description="Every new alert reached the webhook (passes when no webhook is set).",
        ),
        dg.AssetCheckSpec(
            RULES_VALID,
            asset=ALERTS_KEY,
            description="config/alerts.yaml can be read (when not, nothing is evaluated, and the "
            "build still publishes).",
        ),
    ],
    description="Alert rules (config/alerts.yaml: rejection spikes, failing recipients, slow "
    "steps, quarantine rate, freshness) evaluated against the marts after every build. Each "
    "firing is recorded once in ops.alerts (published with the marts) and posted as JSON to the "
    "webhook ($LEADWH_ALERT_WEBHOOK or webhook.url).",
)
def alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    try:
        config = load_alerts()
    except ConfigError as exc:  # a broken rules file must not stop the data from publishing
        context.log.error(str(exc))
        yield dg.AssetCheckResult(
            check_name=RULES_VALID, passed=False, metadata={"error": str(exc)}
        )
        yield dg.AssetCheckResult(check_name=DELIVERED, passed=True, metadata={"note": "skipped"})
        yield dg.MaterializeResult(metadata={"error": str(exc)})
        return
    yield dg.AssetCheckResult(
        check_name=RULES_VALID, passed=True, metadata={"rules": len(config.rules)}
    )
    with warehouse.connect() as con:
        outcome = run_alerts(con, config, run_id=context.run.run_id)
        recorded = con.execute("select count(*) from ops.alerts").fetchone()[0]
    for firing in outcome.new:
        context.log.warning(f"alert {firing.rule}: {firing.message}")
    failed = [(alert_id, status) for alert_id, status in outcome.posted if status != "ok"]
    yield dg.AssetCheckResult(
        check_name=DELIVERED,
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "webhook": "configured" if config.webhook_url else "none (alerts recorded only)",
            "posted": len(outcome.posted) - len(failed),
            "failed": len(failed),
            "errors": dg.MetadataValue.json(dict(failed[:20])),
        },
    )
    yield dg.MaterializeResult(
        metadata={
            "firing": len(outcome.firing),
            "new_alerts": len(outcome.new),
            "posted": len(outcome.posted) - len(failed),
            "table_rows": recorded,
            **{f"rule_{name}": len(firings) for name, firings in outcome.by_rule.items()},
            "firing_now": dg.MetadataValue.md(_firing_table(outcome.firing)),
        }
    )


@dg.asset_check(
    asset=RAW_EVENTS,
    name=FRESHNESS,
    pool=WAREHOUSE_POOL,
    description="New events were loaded within the freshness rule's max_hours "
    "(config/alerts.yaml, kind freshness; default 6 hours).",
)
def events_are_fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    try:
        rules = load_alerts().rules
    except ConfigError:
        rules = ()
    hours = next((r.get("max_hours") for r in rules if r.kind == "freshness"), 6.0)
    with warehouse.connect() as con:
        newest = (
            con.execute("select max(ingested_at) from raw.lead_events").fetchone()[0]
            if has_table(con, "raw", "lead_events")
            else None
        )
    if newest is None:
        return dg.AssetCheckResult(
            passed=True, metadata={"note": "no events loaded yet", "max_hours": hours}
        )
    age = utc_now() - newest
    return dg.AssetCheckResult(
        passed=age <= timedelta(hours=hours),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "last_loaded_at": newest.isoformat(),
            "hours_since": round(age.total_seconds() / 3600, 2),
            "max_hours": hours,
        },
    )


ops_alerts_job = dg.define_asset_job(
    OPS_ALERTS_JOB,
    selection=dg.AssetSelection.assets(ALERTS_KEY, SERVING)
    | dg.AssetSelection.checks(events_are_fresh),
    description="Evaluate the alert rules and the freshness check now, publish ops.alerts.",
)


def alerts_schedule(cron: str) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="ops_alerts_schedule",
        cron_schedule=cron,
        execution_timezone="UTC",
        job=ops_alerts_job,
        run_config={"execution": IN_PROCESS},
        default_status=dg.DefaultScheduleStatus.RUNNING,
        tags={TRIGGER_TAG: "ops_alerts_schedule"},
        description="Re-evaluate the alert rules (freshness included) even when nothing lands.",
    )


@dg.definitions
def defs() -> dg.Definitions:
    try:
        cron = load_alerts().schedule
    except ConfigError as exc:  # the runs go on, and their alert_rules_valid check shows why
        dg.get_dagster_logger().error(f"{exc} (alerts keep the default schedule until fixed)")
        cron = AlertsConfig(rules=()).schedule
    schedules = [alerts_schedule(cron)] if cron else []
    return dg.Definitions(
        assets=[alerts], asset_checks=[events_are_fresh], jobs=[ops_alerts_job], schedules=schedules
    )
