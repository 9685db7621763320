"""Land raw files into the warehouse: discover new files, read every record, load or quarantine.

``land(con, landing_dir, dataset)`` is the whole step for one dataset (``events`` or
``submissions``). Re-landing the same bytes changes nothing (the manifest knows their hash); a
changed file is read again, and its records already loaded count as duplicates.
Records read = loaded + duplicates + quarantined, per file and in total.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest.landing import raw_store
from ingest.landing.readers import (
    EVENT_SUFFIXES,
    SUBMISSION_META,
    SUBMISSION_SUFFIXES,
    ReadResult,
    read_events,
    read_submissions,
)
from ingest.landing.redact import Redactor, landing_redactor, redact_read, redact_stored
from ingest.pause_points import pause_point
from ingest.settings import get_settings

DATASETS = ("events", "submissions")
# Flush staged records to DuckDB after this many bytes of payload, to bound memory.
FLUSH_BYTES = 256 * 1024 * 1024
# Below this many bytes of new files, reading in worker processes costs more than it saves.
PARALLEL_BYTES = 64 * 1024 * 1024
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
    """Records (as Arrow tables) waiting to be inserted. Each key (event id, or lead id for
    submissions) is staged once per run: a repeat within the run is a duplicate."""

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.key = "event_id" if dataset == "events" else "lead_id"
        self.tables: list[pa.Table] = []
        self.seen: set[str] = set()
        self.bytes = 0

    def add(self, table: pa.Table) -> None:
        seen = self.seen
        keep = []
        for key in table.column(self.key).to_pylist():
            keep.append(key not in seen)
            seen.add(key)
        if not all(keep):
            table = table.filter(pa.array(keep))
        self.tables.append(table)
        self.bytes += table.nbytes

    def flush(self, con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
        if not self.tables:
            return
        table = pa.concat_tables(self.tables)
        if self.dataset == "events":
            raw_store.insert_events(con, table, batch_id)
        else:
            raw_store.insert_submissions(con, table, batch_id)
        self.tables.clear()
        self.bytes = 0


@dataclass
class _FileRead:
    """What a worker found in one file."""

    digest: str
    status: str  # loaded | ignored | unchanged
    table: pa.Table | None = None
    quarantined: list = field(default_factory=list)
    read: int = 0


def _records_table(dataset: str, relative: str, result: ReadResult) -> pa.Table:
    records = result.records
    if dataset == "events":
        columns = {
            "event_id": [r.event_id for r in records],
            "lead_id": [r.lead_id for r in records],
            "event_type": [r.event_type for r in records],
            "outcome": [r.outcome for r in records],
            "event_at_ms": [r.event_at_ms for r in records],
            "payload": [r.payload for r in records],
        }
        schema = raw_store.EVENTS_SCHEMA
    else:
        columns = {
            "lead_id": [r.lead_id for r in records],
            "submitted_at": [r.submitted_at for r in records],
            **{k: [r.meta[k] for r in records] for k in SUBMISSION_META[2:]},
            "fields": [r.fields for r in records],
        }
        schema = raw_store.SUBMISSIONS_SCHEMA
    columns["source_file"] = [relative] * len(records)
    columns["source_line"] = [r.line for r in records]
    return pa.table(columns, schema=schema)


def _read_files(
    dataset: str, batch: list[tuple[str, str, str | None]], redactor: Redactor
) -> list[_FileRead]:
    """Read, hash, parse and redact a group of files (runs in a worker process)."""
    reader = read_events if dataset == "events" else read_submissions
    out = []
    for path, relative, previous_digest in batch:
        data = Path(path).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest == previous_digest:
            out.append(_FileRead(digest, "unchanged"))
        elif not _accepts(dataset, relative):
            out.append(_FileRead(digest, "ignored"))
        else:
            result = redact_read(dataset, reader(relative, data), redactor)
            table = _records_table(dataset, relative, result)
            out.append(_FileRead(digest, "loaded", table, result.quarantined, result.read))
    return out


def _batches(candidates: list, batch_bytes: int = 32 * 1024 * 1024, batch_files: int = 2000):
    """Group files into worker tasks: one large file, or many small ones (Firehose)."""
    batch, size = [], 0
    for landed in candidates:
        batch.append(landed)
        size += landed.size
        if size >= batch_bytes or len(batch) >= batch_files:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _read_in_order(dataset: str, candidates: list, known: dict, workers: int, redactor: Redactor):
    """(landed file, _FileRead) for every candidate, in order; `workers` processes read ahead a
    bounded number of groups while the caller inserts."""

    def task(batch: list[LandedFile]) -> list[tuple[str, str, str | None]]:
        return [(str(f.path), f.relative, (known.get(f.relative) or (None,))[0]) for f in batch]

    if workers <= 1 or sum(f.size for f in candidates) < PARALLEL_BYTES:
        for batch in _batches(candidates):
            yield from zip(batch, _read_files(dataset, task(batch), redactor), strict=True)
        return
    # spawn, not fork: the parent holds DuckDB and Arrow thread pools, which fork does not copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        for batch in _batches(candidates):
            pending.append((batch, pool.submit(_read_files, dataset, task(batch), redactor)))
            if len(pending) > workers:
                done_batch, future = pending.popleft()
                yield from zip(done_batch, future.result(), strict=True)
        while pending:
            done_batch, future = pending.popleft()
            yield from zip(done_batch, future.result(), strict=True)


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
    workers: int | None = None,
    redactor: Redactor | None = None,
) -> LandingReport:
    """Land every new or changed file of one dataset (``landing_dir/<dataset>/``).

    ``only`` restricts the run to these relative paths (a sensor's batch). ``workers`` processes
    read and parse files while this one inserts (default: $LEADWH_LANDING_WORKERS, else 2).
    Files are committed in chunks (records, quarantine and manifest together): a failed run
    leaves every file either landed whole or not at all, and the next run picks up the rest.
    Every record is redacted before it is stored (``ingest.landing.redact``; default redactor:
    the home's, the folder above ``landing_dir``).
    """
    if workers is None:
        workers = get_settings().landing_workers
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    table = "lead_events" if dataset == "events" else "lead_submissions"
    if redactor is None:
        redactor = landing_redactor(landing_dir.parent, progress)
    root = landing_dir / dataset
    batch_id = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    report = LandingReport(dataset=dataset, batch_id=batch_id)

    raw_store.ensure_raw_schema(con)
    redact_stored(con, redactor)  # once: rows stored before redaction existed
    known = known_files(con, dataset)
    candidates = []
    for landed in discover(root, settle_seconds):
        if only is not None and landed.relative not in only:
            continue
        previous = known.get(landed.relative)
        if previous and previous[1:] == (landed.size, landed.mtime_ns):
            report.skipped_unchanged += 1
        else:
            candidates.append(landed)

    stage = _Stage(dataset)
    chunk = _Chunk()
    for landed, found in _read_in_order(dataset, candidates, known, workers, redactor):
        if found.status == "unchanged":
            report.skipped_unchanged += 1
            continue
        if found.status == "ignored":
            counts = FileCounts(landed.relative, "ignored", note="not a data file for this dataset")
        else:
            counts = FileCounts(
                landed.relative,
                "loaded",
                records_read=found.read,
                quarantined=len(found.quarantined),
            )
            stage.add(found.table)
            chunk.good[landed.relative] = found.table.num_rows
            chunk.quarantine.extend(
                (dataset, landed.relative, q.line, q.reason, q.raw, batch_id)
                for q in found.quarantined
            )
        report.files.append(counts)
        chunk.files.append((counts, landed, found.digest))
        if stage.bytes >= FLUSH_BYTES:
            _commit(con, dataset, table, batch_id, stage, chunk)
            chunk = _Chunk()
            if progress:
                progress(f"{dataset}: {len(report.files)} files landed")
    _commit(con, dataset, table, batch_id, stage, chunk)
    if progress:
        progress(f"{dataset}: " + ", ".join(f"{k}={v}" for k, v in report.summary().items()))
    return report


@dataclass
class _Chunk:
    """Files read since the last commit, with what they hold."""

    files: list[tuple[FileCounts, LandedFile, str]] = field(default_factory=list)
    good: dict[str, int] = field(default_factory=dict)
    quarantine: list[tuple] = field(default_factory=list)


def _commit(con, dataset: str, table: str, batch_id: str, stage: _Stage, chunk: _Chunk) -> None:
    """Insert a chunk's records, quarantine and manifest rows in one transaction: each file is
    either landed whole (and in the manifest) or not at all, and memory stays bounded."""
    if not chunk.files:
        return
    con.execute("begin transaction")
    try:
        stage.flush(con, batch_id)
        pause_point("landing")  # records inserted, manifest not yet: the transaction is open
        loaded = raw_store.loaded_per_file(con, table, batch_id)
        for counts, _, _ in chunk.files:
            if counts.status == "loaded":
                counts.loaded = loaded.get(counts.file_path, 0)
                counts.duplicates = chunk.good[counts.file_path] - counts.loaded
        raw_store.insert_quarantine(con, chunk.quarantine)
        _write_manifest(
            con,
            dataset,
            batch_id,
            [counts for counts, _, _ in chunk.files],
            [(landed, digest) for _, landed, digest in chunk.files],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


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
            "insert into raw.ingest_manifest select *, $batch_id, (now() at time zone 'UTC')"
            " from staged_manifest",
            {"batch_id": batch_id},
        )
    finally:
        con.unregister("staged_manifest")
