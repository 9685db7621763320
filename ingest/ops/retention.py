"""Retention: purge raw rows older than each dataset's `keep_days`, and record what was deleted.

``purge(con, config, today, landing_dir)`` deletes, in one transaction, the raw events whose event
date and the raw submissions whose submission date is before ``today - keep_days``; it writes one
row per dataset to ``ops.retention_log`` and one row per affected file to
``ops.retention_files``. With ``delete_landing_files``, a landing file is deleted once every row
it loaded is gone, and so is a file landed before the cutoff that loaded no row (its records
duplicates or quarantined), after the transaction commits; empty Firehose folders go with it.

Only ``raw.lead_events`` (with ``raw.superseded_events``, the versions corrected copies replaced,
counted with it per file) and ``raw.lead_submissions`` are touched. The marts keep their history
(they are incremental and rebuild only the partition window), exports are plain files elsewhere,
the ingest manifest stays (so a purged file is never loaded again) and so does the quarantine
(it reconciles with the manifest). Records dated before the latest cutoff that land later (a
resent or restored old file under another name) are not stored: landing counts them as
``expired`` (``last_cutoff``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.landing import lake, raw_store
from ingest.ops.config import RetentionConfig
from ingest.warehouse import rollback

# dataset -> (raw table, the date column retention applies to)
RAW_TABLES = {
    "events": ("lead_events", "event_date"),
    "submissions": ("lead_submissions", "submitted_date"),
}

OPS_RETENTION_DDL = """
create schema if not exists ops;

create table if not exists ops.retention_log (
    purge_id               varchar not null,
    purged_at              timestamp not null,
    dataset                varchar not null,   -- events | submissions
    raw_table              varchar not null,
    keep_days              integer not null,
    cutoff_date            date not null,      -- rows dated before this day were deleted
    rows_deleted           bigint not null,
    oldest_deleted         date,
    newest_deleted         date,
    files_emptied          integer not null,   -- files with no raw rows left
    landing_files_deleted  integer not null,
    dry_run                boolean not null,
    run_id                 varchar
);

create table if not exists ops.retention_files (
    purge_id              varchar not null,
    dataset               varchar not null,
    file_path             varchar not null,    -- relative to the dataset's landing folder
    rows_deleted          bigint not null,
    emptied               boolean not null,
    landing_file_deleted  boolean not null
);
"""


@dataclass
class DatasetPurge:
    dataset: str
    raw_table: str
    keep_days: int
    cutoff_date: date
    rows_deleted: int = 0
    oldest_deleted: date | None = None
    newest_deleted: date | None = None
    files: dict[str, int] = field(default_factory=dict)  # file -> rows deleted
    emptied: list[str] = field(default_factory=list)
    landing_deleted: list[str] = field(default_factory=list)


@dataclass
class PurgeReport:
    purge_id: str
    purged_at: datetime
    dry_run: bool
    datasets: list[DatasetPurge]

    @property
    def rows_deleted(self) -> int:
        return sum(d.rows_deleted for d in self.datasets)

    def summary(self) -> dict[str, int | str | bool]:
        out: dict[str, int | str | bool] = {"purge_id": self.purge_id, "dry_run": self.dry_run}
        for d in self.datasets:
            out[f"{d.dataset}_cutoff_date"] = d.cutoff_date.isoformat()
            out[f"{d.dataset}_rows_deleted"] = d.rows_deleted
            out[f"{d.dataset}_files_emptied"] = len(d.emptied)
            out[f"{d.dataset}_landing_files_deleted"] = len(d.landing_deleted)
        out["rows_deleted"] = self.rows_deleted
        return out


def cutoff_date(keep_days: int, today: date) -> date:
    """Rows dated before this day are purged: `keep_days` whole days before today are kept."""
    return today - timedelta(days=keep_days)


def ensure_ops_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(OPS_RETENTION_DDL)


def last_cutoff(con: duckdb.DuckDBPyConnection, dataset: str) -> date | None:
    """The latest cutoff a purge (not a dry run) applied to ``dataset``: its rows dated before
    it were deleted. Landing does not store such rows again (a resent or restored old file would
    bring purged personal data, and purged versions of events, back); None before any purge."""
    if not raw_store.has_table(con, "ops", "retention_log"):
        return None
    return con.execute(
        "select max(cutoff_date) from ops.retention_log where dataset = ? and not dry_run",
        [dataset],
    ).fetchone()[0]


def purge(
    con: duckdb.DuckDBPyConnection,
    config: RetentionConfig,
    today: date | None = None,
    landing_dir: Path | None = None,
    run_id: str = "",
    dry_run: bool = False,
) -> PurgeReport:
    """Delete raw rows older than each dataset's retention; see the module docstring.

    ``dry_run`` counts and records what would be deleted, and deletes nothing."""
    now = datetime.now(tz=UTC).replace(tzinfo=None)
    today = today or now.date()
    report = PurgeReport(uuid.uuid4().hex[:12], now, dry_run, [])
    raw_store.ensure_raw_schema(con)
    ensure_ops_schema(con)
    dropped = False  # lake files: made live after the commit
    con.execute("begin transaction")
    try:
        for policy in config.datasets:
            table, column = RAW_TABLES[policy.dataset]
            result = DatasetPurge(
                policy.dataset, table, policy.keep_days, cutoff_date(policy.keep_days, today)
            )
            # the versions corrected copies replaced hold the same personal data: purged alike
            tables = raw_store.with_versions(table)
            rows_of = " union all ".join(
                f"select source_file, {column} from raw.{name}" for name in tables
            )
            rows = con.execute(
                f"select source_file, count(*), min({column}), max({column})"
                f" from ({rows_of}) where {column} < ? group by 1 order by 1",
                [result.cutoff_date],
            ).fetchall()
            result.files = {r[0]: r[1] for r in rows}
            result.rows_deleted = sum(result.files.values())
            if rows:
                result.oldest_deleted = min(r[2] for r in rows)
                result.newest_deleted = max(r[3] for r in rows)
                remaining = dict(
                    con.execute(
                        f"select source_file, count(*) filter (where {column} >= ?)"
                        f" from ({rows_of}) where source_file in (select unnest(?)) group by 1",
                        [result.cutoff_date, list(result.files)],
                    ).fetchall()
                )
                result.emptied = sorted(f for f in result.files if not remaining.get(f))
            if policy.delete_landing_files:  # files that own no rows hold the same data
                unloaded = _loaded_nothing(con, policy.dataset, result.cutoff_date)
                result.files.update({f: 0 for f in unloaded if f not in result.files})
                result.emptied = sorted(set(result.emptied) | set(unloaded))
            if rows and not dry_run:
                for purged in tables:
                    if purged in raw_store.LAKE_TABLES:  # its day files before the cutoff
                        lake.commit(
                            con, [], lake.live_files(con, purged, before=result.cutoff_date)
                        )
                        dropped = True
                    else:
                        con.execute(
                            f"delete from raw.{purged} where {column} < ?", [result.cutoff_date]
                        )
            report.datasets.append(result)
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    if dropped:
        lake.settle(con, lake.root_of(con), raw_store.LAKE_TABLES.values())

    if not dry_run and landing_dir is not None:
        for result, policy in zip(report.datasets, config.datasets, strict=True):
            if policy.delete_landing_files:
                result.landing_deleted = _delete_landing_files(
                    landing_dir / result.dataset, result.emptied
                )
    _record(con, report, run_id)
    return report


def _loaded_nothing(con: duckdb.DuckDBPyConnection, dataset: str, cutoff: date) -> list[str]:
    """The files of a dataset landed before the cutoff whose latest version loaded no row: every
    record a duplicate of another file's, or quarantined. No raw row names them, so no purge of
    rows empties them, yet they hold the same personal data."""
    return [
        r[0]
        for r in con.execute(
            """
            select file_path from raw.ingest_manifest where dataset = ?
            qualify row_number() over (partition by file_path order by ingested_at desc) = 1
              and status = 'loaded' and loaded = 0 and ingested_at < ?
            """,
            [dataset, cutoff],
        ).fetchall()
    ]


def _delete_landing_files(root: Path, relative_paths: list[str]) -> list[str]:
    deleted = []
    root = root.resolve()
    for relative in relative_paths:
        path = (root / relative).resolve()
        if root not in path.parents:  # never outside the dataset's landing folder
            continue
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(relative)
        parent = path.parent
        while parent != root:
            try:
                parent.rmdir()  # only when empty (a Firehose <lead id>/ folder)
            except OSError:
                break
            parent = parent.parent
    return deleted


def _record(con: duckdb.DuckDBPyConnection, report: PurgeReport, run_id: str) -> None:
    for d in report.datasets:
        con.execute(
            "insert into ops.retention_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.purge_id,
                report.purged_at,
                d.dataset,
                f"raw.{d.raw_table}",
                d.keep_days,
                d.cutoff_date,
                d.rows_deleted,
                d.oldest_deleted,
                d.newest_deleted,
                len(d.emptied),
                len(d.landing_deleted),
                report.dry_run,
                run_id,
            ],
        )
        if d.files:
            emptied, deleted = set(d.emptied), set(d.landing_deleted)
            files = pa.table(
                {
                    "purge_id": [report.purge_id] * len(d.files),
                    "dataset": [d.dataset] * len(d.files),
                    "file_path": list(d.files),
                    "rows_deleted": pa.array(list(d.files.values()), pa.int64()),
                    "emptied": [f in emptied for f in d.files],
                    "landing_file_deleted": [f in deleted for f in d.files],
                }
            )
            con.register("staged_retention_files", files)
            try:
                con.execute("insert into ops.retention_files select * from staged_retention_files")
            finally:
                con.unregister("staged_retention_files")
