"""Typed leads: every lead field parsed by its type (logic in ingest/typed_leads.py)."""

import dagster as dg

from ingest.contracts import validate_typed_leads
from ingest.fields import load_registry
from ingest.typed_leads import build_typed_leads
from ingest.typed_store import raw_loaded_through, read_lead_fields, watermark, write_typed_leads
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
    "<field>__<component> with raw, normal and valid. Invalid values are marked, never dropped. "
    "Incremental: parses the leads loaded since the previous run.",
)
def typed_leads(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    registry = load_registry()
    with warehouse.connect() as con:
        loaded_after = watermark(con)
        loaded_through = raw_loaded_through(con)
        leads = read_lead_fields(con, loaded_after)
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
        rows = write_typed_leads(con, result.frame, loaded_through)
        total = con.execute("select count(*) from typed.leads").fetchall()[0][0]
    rates = {
        row["field_id"]: round(row["validity_rate"], 4)
        for row in result.validity.iter_rows(named=True)
        if row["validity_rate"] is not None
    }
    yield dg.AssetCheckResult(check_name=CONTRACT, passed=True)
    yield dg.MaterializeResult(
        metadata={
            "leads_parsed": rows,
            "table_rows": total,
            "loaded_after": str(loaded_after),
            "fields": len(result.fields),
            "columns": result.frame.width,
            "malformed_leads": result.malformed_leads,
            "unknown_fields": dg.MetadataValue.json(result.unknown_fields),
            "validity_rates": dg.MetadataValue.json(rates),
        }
    )
