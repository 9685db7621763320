"""Reconcile the warehouse with LeadConduit: event counts by type and outcome for a closed window,
from raw.lead_events and from the Events API's ``/events/stats``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from ingest.landing import raw_store

Counts = dict[tuple[str, str | None], int]
SETTLE = timedelta(hours=2)  # events stored late and the landing of the last pull


def closed_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last UTC day that ended at least two hours ago: [start, end)."""
    now = (now or datetime.now(tz=UTC)) - SETTLE
    end = datetime(now.year, now.month, now.day, tzinfo=UTC)
    return end - timedelta(days=1), end


def warehouse_counts(con: duckdb.DuckDBPyConnection, start: datetime, end: datetime) -> Counts:
    if not raw_store.has_table(con, "raw", "lead_events"):
        return {}  # nothing landed yet
    rows = con.execute(
        """
        select e.event_type, e.outcome, count(*) as n
        from raw.lead_events as e
        where e.event_at >= ? and e.event_at < ?
        group by all
        """,
        [start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None)],
    ).fetchall()
    return {(t, o): n for t, o, n in rows}


def differences(api: Counts, warehouse: Counts) -> list[dict]:
    """One row per (type, outcome) whose counts differ, largest difference first."""
    rows = [
        {
            "type": key[0],
            "outcome": key[1],
            "api": api.get(key, 0),
            "warehouse": warehouse.get(key, 0),
        }
        for key in sorted(set(api) | set(warehouse), key=lambda k: (k[0], k[1] or ""))
        if api.get(key, 0) != warehouse.get(key, 0)
    ]
    return sorted(rows, key=lambda r: -abs(r["api"] - r["warehouse"]))
