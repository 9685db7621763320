"""The system clock against the times the warehouse has recorded: landing refuses a clock set back.

Every step after landing finds its new work by time: typed parsing reads the submissions loaded
after its watermark, dbt's incremental models the raw rows loaded after their newest
(``ingested_at``) and the dimensions the facts built after their newest (``built_at``, dbt's run
start), and publish copies the rows built after the serving file's newest. A clock set back
(an NTP step, a virtual machine restored from a snapshot, a person fixing a wrong date) stamps
new rows as older than rows already processed, and every one of those steps would skip them: the
serving file would silently lack them, and the build would still call itself up to date.

So before landing anything, ``check_clock`` compares the clock with the newest time the warehouse
recorded (a landing's, a publish's). Behind by at most ``WAIT_SECONDS`` (an NTP correction), it
waits until the clock has passed it; behind by more, landing stops with ``ClockSetBack``, which
says how far and what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import duckdb

from ingest.landing.raw_store import has_table

#: How far behind the warehouse's newest time the clock may be for landing to wait it out.
WAIT_SECONDS = 10.0

#: The times the warehouse records with the clock, by table and column.
STAMPS = (("raw", "ingest_manifest", "ingested_at"), ("meta", "build_state", "recorded_at"))


class ClockSetBack(RuntimeError):
    """The system clock is behind a time the warehouse already recorded."""


def utc_now() -> datetime:
    return datetime.now(tz=UTC).replace(tzinfo=None)


def newest_stamp(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest time the warehouse recorded with the clock (UTC), None when it recorded none."""
    found = [
        con.execute(f"select max({column}) from {schema}.{table}").fetchone()[0]
        for schema, table, column in STAMPS
        if has_table(con, schema, table)
    ]
    found = [stamp for stamp in found if stamp is not None]
    return max(found) if found else None


def check_clock(
    con: duckdb.DuckDBPyConnection,
    wait_seconds: float = WAIT_SECONDS,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait until the clock is past the warehouse's newest time, if that is at most
    ``wait_seconds`` away; raise ClockSetBack if it is further. Returns the seconds waited."""
    newest = newest_stamp(con)
    if newest is None:
        return 0.0
    behind = (newest - now()).total_seconds()
    if behind < 0:
        return 0.0
    if behind > wait_seconds:
        raise ClockSetBack(
            f"the system clock reads {now():%Y-%m-%d %H:%M:%S} UTC, {behind:,.0f} s before the"
            f" newest time this warehouse recorded ({newest:%Y-%m-%d %H:%M:%S} UTC, its last"
            " landing or publish): the clock was set back. Rows landed now would look older"
            " than rows already built, and the incremental steps would skip them. Set the clock"
            " right (NTP), or wait until then, and build again."
        )
    sleep(behind + 0.001)
    return behind
