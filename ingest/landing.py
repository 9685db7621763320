"""Land raw files into the warehouse: discover new files, read every record, load or quarantine.

``land(con, landing_dir, dataset)`` is the whole step for one dataset (``events`` or
``submissions``). Re-landing the same bytes changes nothing (the manifest knows their hash); a
changed file is read again, and its records already loaded count as duplicates.
Records read = loaded + duplicates + quarantined, per file and in total.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import raw_store
from ingest.readers import (
    EVENT_SUFFIXES,
    SUBMISSION_SUFFIXES,
    ReadResult,
    read_events,
    read_submissions,
)

DATASETS = ("events", "submissions")
# Flush staged records to DuckDB after this many bytes of payload, to bound memory.
FLUSH_BYTES = 256 * 1024 * 1024
# A file modified this recently may still be being written; it is left for the next run.
DEFAULT_SETTLE_SECONDS = 0.0


@dataclass(frozen=True)
class LandedFile:
    path: Path
    relative: str
    size: int
    mtime_ns: int


@dataclass
class FileCounts:
    file_path: str
    status: str
    note: str | None = None
    records_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0


@dataclass
class LandingReport:
    dataset: str
    batch_id: str
    files: list[FileCounts] = field(default_factory=list)
    skipped_unchanged: int = 0

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def reconciles(self) -> bool:
        return all(f.records_read == f.loaded + f.duplicates + f.quarantined for f in self.files)

    def summary(self) -> dict[str, int | str | bool]:
        return {
            "dataset": self.dataset,
            "batch_id": self.batch_id,
            "files_landed": sum(1 for f in self.files if f.status == "loaded"),
            "files_ignored": sum(1 for f in self.files if f.status == "ignored"),
            "files_unchanged": self.skipped_unchanged,
            "records_read": self.total("records_read"),
            "loaded": self.total("loaded"),
            "duplicates": self.total("duplicates"),
            "quarantined": self.total("quarantined"),
            "reconciles": self.reconciles,
        }


def discover(root: Path, settle_seconds: float = DEFAULT_SETTLE_SECONDS) -> Iterator[LandedFile]:
    """Every regular file under root in a stable order, skipping hidden and in-progress files."""
    if not root.exists():
        return
    now_ns = datetime.now(tz=UTC).timestamp() * 1e9
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith((".tmp", ".part")):
                continue
            path = Path(dirpath) / name
            stat = path.stat()
            if settle_seconds and now_ns - stat.st_mtime_ns < settle_seconds * 1e9:
                continue
            yield LandedFile(
                path, path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns
            )


def known_files(con: duckdb.DuckDBPyConnection, dataset: str) -> dict[str, tuple[str, int, int]]:
    """file path -> (hash, size, mtime) of its latest manifest entry."""
    rows = con.execute(
        """
        select file_path, content_hash, size_bytes, mtime_ns
        from raw.ingest_manifest where dataset = ?
        qualify row_number() over (partition by file_path order by ingested_at desc) = 1
        """,
        [dataset],
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


class _Stage:
    """Columns of records waiting to be inserted. Each key (event id, or lead id for
    submissions) is staged once per run: a repeat within the run is a duplicate."""

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.schema = (
            raw_store.EVENTS_SCHEMA if dataset == "events" else raw_store.SUBMISSIONS_SCHEMA
        )
        self.columns: dict[str, list] = {name: [] for name in self.schema.names}
        self.seen: set[str] = set()
        self.bytes = 0

    def add(self, relative: str, result: ReadResult) -> None:
        c, seen = self.columns, self.seen
        events = self.dataset == "events"
        for r in result.records:
            key = r.event_id if events else r.lead_id
            if key in seen:
                continue
            seen.add(key)
            if events:
                c["event_id"].append(r.event_id)
                c["lead_id"].append(r.lead_id)
                c["event_type"].append(r.event_type)
                c["outcome"].append(r.outcome)
                c["event_at_ms"].append(r.event_at_ms)
                c["payload"].append(r.payload)
                self.bytes += len(r.payload)
            else:
                c["lead_id"].append(r.lead_id)
                c["submitted_at"].append(r.submitted_at)
                for key_name, value in r.meta.items():
                    c[key_name].append(value)
                c["fields"].append(r.fields)
                self.bytes += len(r.fields)
            c["source_file"].append(relative)
            c["source_line"].append(r.line)

    def flush(self, con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
        if not self.columns["source_file"]:
            return
        table = pa.table(self.columns, schema=self.schema)
        if self.dataset == "events":
            raw_store.insert_events(con, table, batch_id)
        else:
            raw_store.insert_submissions(con, table, batch_id)
        for values in self.columns.values():
            values.clear()
        self.bytes = 0


def _accepts(dataset: str, name: str) -> bool:
    suffixes = EVENT_SUFFIXES if dataset == "events" else SUBMISSION_SUFFIXES
    return name.lower().endswith(suffixes)


def land(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    dataset: str,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    only: set[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> LandingReport:
    """Land every new or changed file of one dataset (``landing_dir/<dataset>/``).

    ``only`` restricts the run to these relative paths (a sensor's batch). All writes happen in
    one transaction: a failed run leaves the warehouse as it was.
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    reader = read_events if dataset == "events" else read_submissions
    table = "lead_events" if dataset == "events" else "lead_submissions"
    root = landing_dir / dataset
    batch_id = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    report = LandingReport(dataset=dataset, batch_id=batch_id)

    raw_store.ensure_raw_schema(con)
    con.execute("begin transaction")
    try:
        known = known_files(con, dataset)
        stage = _Stage(dataset)
        good: dict[str, int] = {}
        manifest_rows: list[tuple] = []
        quarantine_rows: list[tuple] = []
        for landed in discover(root, settle_seconds):
            if only is not None and landed.relative not in only:
                continue
            previous = known.get(landed.relative)
            if previous and previous[1:] == (landed.size, landed.mtime_ns):
                report.skipped_unchanged += 1
                continue
            data = landed.path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if previous and previous[0] == digest:
                report.skipped_unchanged += 1
                continue
            if not _accepts(dataset, landed.relative):
                counts = FileCounts(
                    landed.relative, "ignored", note="not a data file for this dataset"
                )
            else:
                result = reader(landed.relative, data)
                counts = FileCounts(
                    landed.relative,
                    "loaded",
                    records_read=result.read,
                    quarantined=len(result.quarantined),
                )
                stage.add(landed.relative, result)
                good[landed.relative] = len(result.records)
                quarantine_rows.extend(
                    (dataset, landed.relative, q.line, q.reason, q.raw, batch_id)
                    for q in result.quarantined
                )
            report.files.append(counts)
            manifest_rows.append((landed, digest))
            if stage.bytes >= FLUSH_BYTES:
                stage.flush(con, batch_id)
                if progress:
                    progress(f"{dataset}: {len(report.files)} files read")
        stage.flush(con, batch_id)

        loaded = raw_store.loaded_per_file(con, table, batch_id)
        for counts in report.files:
            if counts.status == "loaded":
                counts.loaded = loaded.get(counts.file_path, 0)
                counts.duplicates = good[counts.file_path] - counts.loaded
        raw_store.insert_quarantine(con, quarantine_rows)
        _write_manifest(con, dataset, batch_id, report.files, manifest_rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    if progress:
        progress(f"{dataset}: " + ", ".join(f"{k}={v}" for k, v in report.summary().items()))
    return report


def _write_manifest(con, dataset, batch_id, files: list[FileCounts], landed: list[tuple]) -> None:
    if not files:
        return
    table = pa.table(
        {
            "dataset": [dataset] * len(files),
            "file_path": [c.file_path for c in files],
            "content_hash": [digest for _, digest in landed],
            "size_bytes": pa.array([f.size for f, _ in landed], pa.int64()),
            "mtime_ns": pa.array([f.mtime_ns for f, _ in landed], pa.int64()),
            "status": [c.status for c in files],
            "note": pa.array([c.note for c in files], pa.string()),
            "records_read": [c.records_read for c in files],
            "loaded": [c.loaded for c in files],
            "duplicates": [c.duplicates for c in files],
            "quarantined": [c.quarantined for c in files],
        }
    )
    con.register("staged_manifest", table)
    try:
        con.execute(
            "insert into raw.ingest_manifest select *, $batch_id, now()::timestamp"
            " from staged_manifest",
            {"batch_id": batch_id},
        )
    finally:
        con.unregister("staged_manifest")
