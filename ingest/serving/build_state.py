"""What the serving file holds of the warehouse: landed but not yet published.

`meta.build_state` (in the warehouse, one row) records the raw load time up to which the last
successful publish holds every landed record (`published_through`) and the version it wrote.
It moves only after a publish succeeds, so a build killed or failed anywhere between landing and
publish leaves it behind, and the next build sees the lag: raw rows loaded after it, or a serving
file that is missing or is not the version recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ingest.landing.raw_store import ensure_raw_schema, has_table
from ingest.warehouse import rollback

STATE_DDL = """
create schema if not exists meta;
create table if not exists meta.build_state (
    published_through timestamp,   -- every raw row loaded up to then is in the serving file
    version           varchar,     -- the serving file's version (meta.publish_info)
    recorded_at       timestamp
);
"""


@dataclass(frozen=True)
class Lag:
    """The warehouse's raw load time against what the serving file holds."""

    loaded_through: datetime | None  # newest raw load time (events, submissions)
    published_through: datetime | None  # None: never published (or before this record existed)
    recorded_version: str | None
    serving_version: str | None  # the serving file's own stamp (None: no file)

    @property
    def serving_current(self) -> bool:
        """The serving file is the one the last recorded publish wrote."""
        return self.serving_version is not None and self.serving_version == self.recorded_version

    @property
    def lags(self) -> bool:
        """Something landed is not in the serving file (or the file is not the one published)."""
        if self.loaded_through is None:  # nothing landed: nothing to serve
            return False
        return (
            not self.serving_current
            or self.published_through is None
            or self.loaded_through > self.published_through
        )

    def describe(self) -> str:
        if self.serving_version is None:
            return "there is no serving file"
        if not self.serving_current:
            return (
                f"the serving file (version {self.serving_version}) is not the last one"
                f" published ({self.recorded_version})"
            )
        return (
            f"raw data loaded through {self.loaded_through} but the serving file holds it"
            f" through {self.published_through}"
        )


def raw_loaded_through(con: duckdb.DuckDBPyConnection, until: datetime | None = None):
    """The newest raw load time (events and submissions), only counting loads up to `until`."""
    ensure_raw_schema(con)
    where, params = ("", []) if until is None else (" where ingested_at <= ?", [until] * 2)
    return con.execute(
        f"select greatest((select max(ingested_at) from raw.lead_events{where}),"
        f" (select max(ingested_at) from raw.lead_submissions{where}))",
        params,
    ).fetchone()[0]


def published(con: duckdb.DuckDBPyConnection) -> tuple[datetime | None, str | None]:
    """(published_through, version) of the last successful publish, (None, None) before one."""
    if not has_table(con, "meta", "build_state"):
        return None, None
    row = con.execute("select published_through, version from meta.build_state").fetchone()
    return (None, None) if row is None else (row[0], row[1])


def record_published(
    con: duckdb.DuckDBPyConnection, published_through: datetime | None, version: str
) -> None:
    """Record a successful publish (one transaction)."""
    con.execute(STATE_DDL)
    con.execute("begin transaction")
    try:
        con.execute("delete from meta.build_state")
        con.execute(
            "insert into meta.build_state values (?, ?, now() at time zone 'UTC')",
            [published_through, version],
        )
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def lag(con: duckdb.DuckDBPyConnection, serving_version: str | None) -> Lag:
    through, version = published(con)
    return Lag(raw_loaded_through(con), through, version, serving_version)
