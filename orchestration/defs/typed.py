"""Typed leads: every lead field parsed by its type (logic in ingest/typed_leads.py)."""

import dagster as dg

from ingest.contracts import validate_typed_leads
from ingest.fields import load_registry
from ingest.typed_leads import build_typed_leads
from ingest.typed_store import read_lead_fields, write_typed_leads
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource

TYPED_LEADS = dg.AssetKey(["typed", "leads"])
CONTRACT = "pandera_contract"


@dg.asset(
    key=TYPED_LEADS,
    group_name="typed",
    deps=[dg.AssetKey(["raw", "lead_events"]), dg.AssetKey(["raw", "lead_submissions"])],
    kinds={"polars", "duckdb"},
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            CONTRACT,
            asset=TYPED_LEADS,
            blocking=True,
            description="The typed frame matches its pandera contract (a failure is a parser bug).",
        )
    ],
    description="One row per lead; every registered field parsed by its type into flat columns "
    "<field>__<component> with raw, normal and valid. Invalid values are marked, never dropped.",
)
def typed_leads(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    registry = load_registry()
    with warehouse.connect() as con:
        leads = read_lead_fields(con)
    result = build_typed_leads(leads, registry)
    report = validate_typed_leads(result.frame, registry)
    if not report.ok:
        yield dg.AssetCheckResult(
            check_name=CONTRACT,
            passed=False,
            metadata={"failures": report.failures.height, "summary": report.summary()},
        )
        raise dg.Failure(
            "typed leads break their contract: a parser bug, the warehouse was not changed",
            metadata={"summary": dg.MetadataValue.md(f"```\n{report.summary()}\n```")},
        )
    with warehouse.connect() as con:
        rows = write_typed_leads(con, result.frame)
    rates = {
        row["field_id"]: round(row["validity_rate"], 4)
        for row in result.validity.iter_rows(named=True)
        if row["validity_rate"] is not None
    }
    yield dg.AssetCheckResult(check_name=CONTRACT, passed=True)
    yield dg.MaterializeResult(
        metadata={
            "leads": rows,
            "fields": len(result.fields),
            "columns": result.frame.width,
            "malformed_leads": result.malformed_leads,
            "unknown_fields": dg.MetadataValue.json(result.unknown_fields),
            "validity_rates": dg.MetadataValue.json(rates),
        }
    )
