"""Typed leads: every lead field parsed by its type (logic in ingest/typed/leads.py)."""

import dagster as dg

from ingest.landing.hmac_key import load_key
from ingest.settings import ConfigError
from ingest.typed.fields import load_registry
from ingest.typed.store import update_typed_leads
from orchestration.defs.resources import WarehouseResource
from orchestration.names import RAW_EVENTS, RAW_SUBMISSIONS, TYPED_LEADS, WAREHOUSE_POOL

CONTRACT = "pandera_contract"


@dg.asset(
    key=TYPED_LEADS,
    group_name="typed",
    deps=[RAW_EVENTS, RAW_SUBMISSIONS],
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
    try:
        registry = load_registry()
    except ConfigError as exc:  # the raw data is landed; parsing waits for a usable file
        raise dg.Failure(f"{exc} (typed parsing resumes once it is fixed)") from None
    with warehouse.connect() as con:
        update = update_typed_leads(con, registry, load_key(warehouse.paths.home))
    if not update.contract.ok:
        summary = update.contract.summary()
        yield dg.AssetCheckResult(
            check_name=CONTRACT,
            passed=False,
            metadata={"failures": update.contract.failures.height, "summary": summary},
        )
        raise dg.Failure(
            "typed leads break their contract: a parser bug, the warehouse was not changed",
            metadata={"summary": dg.MetadataValue.md(f"```\n{summary}\n```")},
        )
    result = update.result
    rates = {
        row["field_id"]: round(row["validity_rate"], 4)
        for row in result.validity.iter_rows(named=True)
        if row["validity_rate"] is not None
    }
    yield dg.AssetCheckResult(check_name=CONTRACT, passed=True)
    yield dg.MaterializeResult(
        metadata={
            "leads_parsed": update.written,
            "table_rows": update.total,
            "loaded_after": str(update.loaded_after),
            "fields": len(result.fields),
            "columns": result.frame.width,
            "malformed_leads": result.malformed_leads,
            "unknown_fields": dg.MetadataValue.json(result.unknown_fields),
            "validity_rates": dg.MetadataValue.json(rates),
        }
    )
