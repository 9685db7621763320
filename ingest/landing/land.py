"""Land raw files into the warehouse: discover new files, read every record, load or quarantine.

``land(con, landing_dir, dataset)`` is the whole step for one dataset (``events`` or
``submissions``). Re-landing the same bytes changes nothing (the manifest knows their hash); a
changed file is read again, and its records already loaded, or already quarantined, count as
duplicates. Records dated before the last retention purge's cutoff are not stored: they count
as expired (``ingest.ops.retention.last_cutoff``). Records read = loaded + duplicates +
quarantined + expired, per file and in total.

A plain NDJSON file larger than SPLIT_BYTES is read in parts (about PART_BYTES each, cut after a
line), each by a worker, and committed alone in one transaction: it is landed whole or not at
all, as any file, with the same line numbers and counts as if read whole. One that changes while
its parts are read is rolled back and recorded ``unreadable`` (tried again next run).

No single file stops a batch: what discovery finds but cannot read (entries.py: a dangling
symlink, a FIFO, a symlink out of the zone) gets a manifest row with status ``ignored`` and the
reason; a file that fails to open gets one with status ``unreadable`` and is tried again on the
next run; a file whose reader fails unexpectedly is quarantined whole.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.landing import lake, raw_store
from ingest.landing.clock import check_clock
from ingest.landing.entries import walk
from ingest.landing.readers import (
    EVENT_SUFFIXES,
    NDJSON_SUFFIXES,
    SUBMISSION_META,
    SUBMISSION_SUFFIXES,
    UTF8_BOM,
    Quarantined,
    ReadResult,
    read_events,
    read_events_ndjson,
    read_submissions,
    read_submissions_ndjson,
)
from ingest.landing.redact import Redactor, landing_redactor, redact_read, redact_stored
from ingest.ops.retention import last_cutoff
from ingest.pause_points import pause_point
from ingest.settings import get_settings
from ingest.warehouse import rollback

DATASETS = ("events", "submissions")
# Flush staged records to DuckDB after this many bytes of payload, to bound memory.
FLUSH_BYTES = 256 * 1024 * 1024
# Below this many bytes of new files, reading in worker processes costs more than it saves.
PARALLEL_BYTES = 64 * 1024 * 1024
# A plain NDJSON file larger than SPLIT_BYTES is read in parts of about PART_BYTES, by all the
# workers. Read whole by one worker, a 1.6 GB file took 55-69 s and 6.5 GiB in that worker (3.5
# GiB in this process); in parts 25-27 s, 0.45 GiB a worker, 2.4 GiB here (its rows, uncommitted,
# are held by DuckDB until the file's last part: about the file's size, README "Benchmarks").
# Smaller files are read whole: day files of 300 MB landed 10-20% slower in parts (inserting a
# file's parts in one open transaction costs this process more than committing them as read).
SPLIT_BYTES = 1024 * 1024 * 1024
PART_BYTES = 64 * 1024 * 1024
SEEK_BYTES = 64 * 1024  # read at a time to find the end of the line a part ends in


@dataclass(frozen=True)
class Part:
    """Bytes [start, end) of a file: whole lines, the last ending the file or with a newline."""

    index: int
    count: int
    start: int
    end: int


@dataclass(frozen=True)
class LandedFile:
    path: Path
    relative: str
    size: int
    mtime_ns: int
    ctime_ns: int
    problem: str | None = None  # why it is not read (entries.py); None for a file to read
    note: str | None = None
    part: Part | None = None  # a part of the file, read by one worker (PART_BYTES)


@dataclass
class FileCounts:
    file_path: str
    status: str
    note: str | None = None
    records_read: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    expired: int = 0  # dated before the last retention purge's cutoff: not stored


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
        return all(
            f.records_read == f.loaded + f.duplicates + f.quarantined + f.expired
            for f in self.files
        )

    def summary(self) -> dict[str, int | str | bool]:
        return {
            "dataset": self.dataset,
            "batch_id": self.batch_id,
            "files_landed": sum(1 for f in self.files if f.status == "loaded"),
            "files_ignored": sum(1 for f in self.files if f.status == "ignored"),
            "files_unreadable": sum(1 for f in self.files if f.status == "unreadable"),
            "files_unchanged": self.skipped_unchanged,
            "records_read": self.total("records_read"),
            "loaded": self.total("loaded"),
            "duplicates": self.total("duplicates"),
            "quarantined": self.total("quarantined"),
            "expired": self.total("expired"),
            "reconciles": self.reconciles,
        }


def discover(root: Path, zone: Path | None = None) -> Iterator[LandedFile]:
    """Every entry under root (a dataset folder of the landing zone ``zone``, default its
    parent) in a stable order, in-progress ones left out (entries.py): the files to read, and
    those that cannot be read, with the reason. Waiting for a file still being written is the
    landing sensor's job (watch.settled); a file landed mid-write is read again as a new
    version once it changes (the records landed before count as duplicates)."""
    for entry in walk(root, zone or root.parent):
        yield LandedFile(
            entry.path,
            entry.relative,
            entry.size,
            entry.mtime_ns,
            entry.ctime_ns,
            entry.problem,
            entry.note,
        )


def known_files(
    con: duckdb.DuckDBPyConnection, dataset: str
) -> dict[str, tuple[str, int, int, str, str | None, int | None]]:
    """file path -> (hash, size, mtime, status, note, ctime) of its latest manifest entry."""
    rows = con.execute(
        """
        select file_path, content_hash, size_bytes, mtime_ns, status, note, ctime_ns
        from raw.ingest_manifest where dataset = ?
        qualify row_number() over (partition by file_path order by ingested_at desc) = 1
        """,
        [dataset],
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def plan_parts(path: Path, size: int, part_bytes: int) -> list[tuple[int, int]]:
    """The parts (start, end) of the first `size` bytes of a file: each ends after the first
    newline at or past `part_bytes` from its start, the last at `size`. Found by seeking: only
    the bytes around each cut are read (the workers hash and count the rest)."""
    parts, start = [], 0
    with open(path, "rb") as file:
        while start + part_bytes < size:
            file.seek(start + part_bytes - 1)
            end = None
            while end is None and (block := file.read(SEEK_BYTES)):
                if (found := block.find(b"\n")) >= 0:
                    end = file.tell() - len(block) + found + 1
            if end is None or end >= size:
                break
            parts.append((start, end))
            start = end
    parts.append((start, size))
    return parts


def _split(landed: LandedFile) -> list[LandedFile]:
    """A candidate as the items workers read: itself, or its parts when it is a plain NDJSON
    file larger than SPLIT_BYTES (whole when it cannot be opened here: its worker says why)."""
    if landed.size <= SPLIT_BYTES or not landed.relative.lower().endswith(NDJSON_SUFFIXES):
        return [landed]
    try:
        parts = plan_parts(landed.path, landed.size, PART_BYTES)
    except OSError:
        return [landed]
    if len(parts) < 2:
        return [landed]
    return [
        replace(landed, part=Part(n, len(parts), start, end))
        for n, (start, end) in enumerate(parts)
    ]


class _Stage:
    """Records (as Arrow tables) waiting to be inserted, in landing order. A submission's lead id
    is staged once per run (a repeat within the run is a duplicate); events are all staged, and
    raw_store.insert_events tells duplicates from new versions. Records dated before ``cutoff``
    (the last retention purge's) are left out, and counted per file."""

    def __init__(self, dataset: str, cutoff: date | None = None) -> None:
        self.dataset = dataset
        self.cutoff = cutoff
        self.tables: list[pa.Table] = []
        self.seen: set[str] = set()
        self.bytes = 0
        self.loaded: dict[str, int] = {}  # records inserted since the last commit, per file
        self.files: list[lake.NewFile] = []  # lake files written since the last commit

    def _expired(self, table: pa.Table) -> pa.Array:
        """True for the records dated before the cutoff (raw's event_date / submitted_date)."""
        if self.dataset == "events":
            cutoff_ms = int(datetime.combine(self.cutoff, time(), UTC).timestamp() * 1000)
            return pc.less(table.column("event_at_ms"), cutoff_ms)
        return pc.less(table.column("submitted_at"), datetime.combine(self.cutoff, time()))

    def add(self, table: pa.Table) -> dict[str, int]:
        """Stage a group's records; returns the records left out as expired, per file."""
        expired: dict[str, int] = {}
        if self.cutoff is not None and table.num_rows:
            old = self._expired(table)
            if pc.any(old).as_py():
                counts = pc.value_counts(table.column("source_file").filter(old))
                expired = {c["values"].as_py(): c["counts"].as_py() for c in counts}
                table = table.filter(pc.invert(old))
        if self.dataset == "submissions":
            seen = self.seen
            keep = []
            for key in table.column("lead_id").to_pylist():
                keep.append(key not in seen)
                seen.add(key)
            if not all(keep):
                table = table.filter(pa.array(keep))
        self.tables.append(table)
        self.bytes += table.get_total_buffer_size()
        return expired

    def discard(self, seen: set[str], root: Path) -> None:
        """Drop the staged records, and what was inserted since the last commit (the caller
        rolls it back; the lake files under `root` are deleted); `seen`: the lead ids staged
        before them."""
        self.tables.clear()
        self.bytes = 0
        self.seen = seen
        for written in self.committed():
            lake.temporary_name(root / written.path).unlink(missing_ok=True)

    def committed(self) -> list[lake.NewFile]:
        """Start counting anew (a commit took what was inserted); returns its lake files."""
        files, self.files, self.loaded = self.files, [], {}
        return files

    def flush(self, con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
        if not self.tables:
            return
        table = pa.concat_tables(self.tables)
        table = table.append_column("seq", pa.array(range(table.num_rows), pa.int64()))
        if self.dataset == "events":
            loaded = raw_store.insert_events(con, table, batch_id)
        else:
            files, loaded = raw_store.insert_submissions(con, table, batch_id)
            self.files += files
        for path, count in loaded.items():
            self.loaded[path] = self.loaded.get(path, 0) + count
        self.tables.clear()
        self.bytes = 0


@dataclass
class _FileRead:
    """What a worker found in one file."""

    digest: str
    status: str  # loaded | ignored | unreadable | unchanged
    rows: int = 0  # records to insert (in the group's table)
    quarantined: list = field(default_factory=list)
    read: int = 0
    note: str | None = None
    lines: int = 0  # a part's: the newlines in it (its line numbers start at 1)


#: Arrow's string arrays address their text with 32-bit offsets: at most this many bytes a chunk.
MAX_STRING_CHUNK = 2**31 - 1


def _text_array(texts: list[bytes]) -> pa.Array | pa.ChunkedArray:
    """Long UTF-8 texts (JSON, kept as the bytes read) as an Arrow string array, built from their
    bytes joined and their lengths: ``pa.array(texts)`` converts each Python object on its own
    and took a fifth of a landing worker's CPU (0.45-1.5 s against 0.11 s for 71,874 events);
    no ``str`` copy of each text is made. The UTF-8 is checked (``validate(full=True)``)."""
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    ends = np.cumsum(lengths)
    chunks, start = [], 0
    while start < len(texts) or not chunks:
        base = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, base + MAX_STRING_CHUNK, side="right")), start + 1)
        stop = min(stop, len(texts))
        offsets = np.zeros(stop - start + 1, np.int32)
        offsets[1:] = ends[start:stop] - base
        chunk = pa.StringArray.from_buffers(
            stop - start, pa.py_buffer(offsets), pa.py_buffer(b"".join(texts[start:stop]))
        )
        chunk.validate(full=True)
        chunks.append(chunk)
        start = stop
    return chunks[0] if len(chunks) == 1 else pa.chunked_array(chunks, pa.string())


def _records_table(dataset: str, relative: str, result: ReadResult) -> pa.Table:
    records = result.records
    if dataset == "events":
        columns = {
            "event_id": [r.event_id for r in records],
            "lead_id": [r.lead_id for r in records],
            "event_type": [r.event_type for r in records],
            "outcome": [r.outcome for r in records],
            "event_at_ms": [r.event_at_ms for r in records],
            "payload": _text_array([r.payload for r in records]),
        }
        schema = raw_store.EVENTS_SCHEMA
    else:
        columns = {
            "lead_id": [r.lead_id for r in records],
            "submitted_at": [r.submitted_at for r in records],
            **{k: [r.meta[k] for r in records] for k in SUBMISSION_META[2:]},
            "fields": _text_array([r.fields for r in records]),
        }
        schema = raw_store.SUBMISSIONS_SCHEMA
    columns["source_file"] = [relative] * len(records)
    columns["source_line"] = [r.line for r in records]
    return pa.table(columns, schema=schema)


@contextmanager
def _without_cycle_collector():
    """Python's cycle collector paused (reference counting still frees everything). Reading a
    file makes millions of small dicts and lists (the parsed JSON), each allocation counting
    towards a collection that then walks every record kept so far; parsing makes no cycles.
    Paused, a worker spends about a tenth less CPU a record (``bench_landing_reader.py``)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_bytes(path: str, part: Part | None) -> bytes:
    if part is None:
        return Path(path).read_bytes()
    with open(path, "rb") as file:
        file.seek(part.start)
        data = file.read(part.end - part.start)
    if len(data) != part.end - part.start:
        raise OSError(f"{path} is shorter than when it was planned: it changed while read")
    return data


def _file_sha256(path: str) -> str:
    """The sha256 of a file, read a block at a time (not whole into memory)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _read_part(dataset: str, data: bytes, part: Part) -> ReadResult:
    """The records of a part of an NDJSON file, their lines numbered from the part's first (the
    landing process adds the lines before it); the first part skips a byte order mark, as the
    whole file's reader does."""
    reader = read_events_ndjson if dataset == "events" else read_submissions_ndjson
    return reader(data.removeprefix(UTF8_BOM) if part.index == 0 else data)


@_without_cycle_collector()
def _read_files(
    dataset: str, batch: list[tuple[str, str, str | None, Part | None]], redactor: Redactor
) -> tuple[list[_FileRead], pa.Table | None]:
    """Read, hash, parse and redact a group of files or parts of a file (runs in a worker
    process): what each holds, and one table of their records in file order (one table, not
    one per file: a Firehose group is 2,000 one-event files, and pickling a table per file cost
    more than reading it). A file that cannot be opened is `unreadable`; one whose reader fails
    unexpectedly is quarantined whole (a part: the part whole)."""
    reader = read_events if dataset == "events" else read_submissions
    out, tables = [], []
    for path, relative, previous_digest, part in batch:
        try:
            if part is None and previous_digest and os.path.getsize(path) > SPLIT_BYTES:
                digest = _file_sha256(path)  # landed already? (not read whole to know)
                if digest == previous_digest:
                    out.append(_FileRead(digest, "unchanged"))
                    continue
            data = _read_bytes(path, part)
            if part is None:
                digest = hashlib.sha256(data).hexdigest()
            elif part.index == 0:  # the whole file's hash, by the worker of its first part
                digest = _file_sha256(path)
            else:
                digest = ""  # (the first part's is the file's)
        except OSError as exc:
            note = f"cannot be read ({type(exc).__name__}: {exc.strerror or exc}); tried again"
            out.append(_FileRead("", "unreadable", note=note))
            continue
        if digest and digest == previous_digest:
            out.append(_FileRead(digest, "unchanged"))
        elif not _accepts(dataset, relative):
            out.append(_FileRead(digest, "ignored", note="not a data file for this dataset"))
        else:
            try:
                read = _read_part(dataset, data, part) if part else reader(relative, data)
                result = redact_read(dataset, read, redactor)
                table = _records_table(dataset, relative, result)
            except Exception as exc:  # a reader bug must not stop the batch: keep the bytes
                reason = f"file could not be read ({type(exc).__name__}: {str(exc)[:200]})"
                whole = ReadResult(quarantined=[Quarantined(1, reason, data)])
                result = redact_read(dataset, whole, redactor)
                table = _records_table(dataset, relative, ReadResult())
            tables.append(table)
            lines = data.count(b"\n") if part else 0
            out.append(
                _FileRead(
                    digest, "loaded", table.num_rows, result.quarantined, result.read, lines=lines
                )
            )
    # one chunk per column: a table of 2,000 chunks pickles 15 times slower
    return out, pa.concat_tables(tables).combine_chunks() if tables else None


def _batches(candidates: list, batch_bytes: int = 32 * 1024 * 1024, batch_files: int = 2000):
    """Group files into worker tasks: one large file, one part of a file, or many small files
    (Firehose)."""
    batch, size = [], 0
    for landed in candidates:
        if landed.part is not None and batch:
            yield batch
            batch, size = [], 0
        batch.append(landed)
        size += landed.size
        if size >= batch_bytes or len(batch) >= batch_files or landed.part is not None:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _read_in_order(
    dataset: str,
    candidates: list,
    known: dict,
    workers: int,
    redactor: Redactor,
    warn: Callable[[str], None] | None = None,
):
    """(landed files, their _FileReads, their records' table) for every group of candidates, in
    order; `workers` processes read ahead a bounded number of groups while the caller inserts.
    If the worker pool breaks (a worker killed, or started by a script without a ``__main__``
    guard), the groups not yet handed over are read in this process, and `warn` is told."""

    def task(batch: list[LandedFile]) -> list[tuple[str, str, str | None, Part | None]]:
        return [(str(f.path), f.relative, previous_digest(f), f.part) for f in batch]

    def previous_digest(landed: LandedFile) -> str | None:
        return (known.get(landed.relative) or (None,))[0]

    items = (item for landed in candidates for item in _split(landed))
    groups = _batches(items)
    pending: deque = deque()
    if workers > 1 and sum(f.size for f in candidates) >= PARALLEL_BYTES:
        # spawn, not fork: the parent holds DuckDB and Arrow thread pools, which fork does not copy
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for batch in groups:
                    pending.append(
                        (batch, pool.submit(_read_files, dataset, task(batch), redactor))
                    )
                    if len(pending) > workers:
                        yield pending[0][0], *pending[0][1].result()
                        pending.popleft()
                while pending:
                    yield pending[0][0], *pending[0][1].result()
                    pending.popleft()
        except BrokenProcessPool as exc:
            (warn or _runtime_warning)(
                f"{dataset}: the landing workers stopped ({exc}); the remaining files are read"
                " in this process. A script that lands with workers must call land() under"
                ' `if __name__ == "__main__":` (workers are spawned, and import it).'
            )
    for batch in [batch for batch, _ in pending] + list(groups):
        yield batch, *_read_files(dataset, task(batch), redactor)


def _runtime_warning(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _accepts(dataset: str, name: str) -> bool:
    suffixes = EVENT_SUFFIXES if dataset == "events" else SUBMISSION_SUFFIXES
    return name.lower().endswith(suffixes)


def land(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    dataset: str,
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
    if redactor is None:
        redactor = landing_redactor(landing_dir.parent, progress)
    root = landing_dir / dataset
    batch_id = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    report = LandingReport(dataset=dataset, batch_id=batch_id)

    raw_store.ensure_raw_schema(con)
    lake_root = lake.root_of(con)
    # the start-up repair: files of changes killed before their commit are removed
    lake.settle(con, lake_root, raw_store.LAKE_TABLES.values(), sweep=True)
    waited = check_clock(con)  # a clock set back would make later steps skip these rows
    if waited and progress:
        progress(f"{dataset}: waited {waited:.1f} s for the clock to pass the last landing")
    raw_store.forget_pending(con)
    redact_stored(con, redactor)  # once: rows stored before redaction existed
    known = known_files(con, dataset)
    candidates = []
    stage = _Stage(dataset, last_cutoff(con, dataset))
    chunk = _Chunk()
    for landed in discover(root, zone=landing_dir):
        if only is not None and landed.relative not in only:
            continue
        previous = known.get(landed.relative)
        # a rewrite may keep the size and restore the modification time (cp -p); the inode
        # change time cannot be set back, so a file is opened unless all three are as recorded
        stat = (landed.size, landed.mtime_ns, landed.ctime_ns)
        same_version = previous is not None and (*previous[1:3], previous[5]) == stat
        if same_version and previous[3] != "unreadable":
            report.skipped_unchanged += 1
        elif landed.problem:  # accounted for in the manifest, never opened
            counts = FileCounts(landed.relative, "ignored", note=landed.problem)
            report.files.append(counts)
            chunk.files.append((counts, landed, ""))
        else:
            candidates.append(landed)

    reading = _read_in_order(dataset, candidates, known, workers, redactor, progress)
    parts: dict[str, _FileRead] = {}  # a file read in parts: what its parts so far hold
    left: set[str] = set()  # files read in parts whose other parts are not taken
    begun = False  # a transaction is open: the parts of a file are being inserted
    seen: set[str] = set()  # the submissions staged before the file read in parts
    try:
        for group, reads, records in reading:
            landed = group[0]
            if landed.part is None:
                for landed, found in zip(group, reads, strict=True):
                    _take(landed, found, known.get(landed.relative), report, chunk)
            else:  # a group of one part of a file
                if landed.part.index == 0:  # a file read in parts commits alone
                    _commit(con, dataset, batch_id, stage, chunk, begun)
                    begun, chunk, seen = False, _Chunk(), set(stage.seen)
                if landed.relative in left:
                    continue
                found, lines_before = _add_part(parts, landed, reads[0])
                if found is not None and found.status != "loaded":  # unchanged, or changed
                    if begun:  # what its parts inserted is undone
                        rollback(con)
                    begun, chunk, records = False, _Chunk(), None
                    stage.discard(seen, lake_root)
                    left.add(landed.relative)
                if found is not None:
                    whole = replace(landed, part=None)
                    _take(whole, found, known.get(landed.relative), report, chunk)
                if records is not None:
                    records = _lines_after(records, lines_before)
            if records is not None:
                for path, count in stage.add(records).items():
                    chunk.expired[path] = chunk.expired.get(path, 0) + count
            if stage.bytes >= FLUSH_BYTES and parts:  # the rest of the file commits with them
                begun = _flush(con, stage, batch_id, begun)
            elif stage.bytes >= FLUSH_BYTES:
                _commit(con, dataset, batch_id, stage, chunk, begun)
                begun, chunk = False, _Chunk()
                if progress:
                    progress(f"{dataset}: {len(report.files)} files landed")
        _commit(con, dataset, batch_id, stage, chunk, begun)
    except BaseException:
        if begun:
            rollback(con)
        raise
    if progress:
        progress(f"{dataset}: " + ", ".join(f"{k}={v}" for k, v in report.summary().items()))
    return report


def _add_part(
    parts: dict[str, _FileRead], landed: LandedFile, found: _FileRead
) -> tuple[_FileRead | None, int]:
    """(What the file holds once its last part is in, else None; the lines before this part.)
    Its first part says whether it is `unchanged` (its hash). A file that changed while its
    parts were read (a part could not be read, or its size or times are not those found at the
    end) is `unreadable`: its parts may hold bytes of two versions. The caller undoes what its
    parts inserted; the next run reads it again."""
    before = parts.pop(landed.relative, None)
    lines_before = before.lines if before else 0  # its newlines: each ends a line
    if found.status == "unchanged":
        return found, 0
    why = None
    if found.status != "loaded":
        why = f"a part of it could not be read: {found.note}"
    elif landed.part.index + 1 == landed.part.count:
        try:
            now = os.stat(landed.path)
            stat = (now.st_size, now.st_mtime_ns, now.st_ctime_ns)
        except OSError as exc:
            stat = exc.strerror
        if stat != (landed.size, landed.mtime_ns, landed.ctime_ns):
            why = "its size or times changed"
    if why is not None:
        note = f"changed while it was landed ({why}); tried again"
        return _FileRead("", "unreadable", note=note), lines_before
    for item in found.quarantined:
        item.line += lines_before
    if before is not None:
        found = _FileRead(
            before.digest,  # the first part's: the file's
            found.status,
            before.rows + found.rows,
            before.quarantined + found.quarantined,
            before.read + found.read,
            lines=before.lines + found.lines,
        )
    if landed.part.index + 1 < landed.part.count:
        parts[landed.relative] = found
        return None, lines_before
    return found, lines_before


def _lines_after(records: pa.Table, lines: int) -> pa.Table:
    """A part's records numbered by their lines in the whole file: `lines` come before it."""
    if not lines:
        return records
    column = records.schema.get_field_index("source_line")
    shifted = pc.add_checked(records.column(column), pa.scalar(lines, pa.int32()))
    return records.set_column(column, "source_line", shifted)


def _flush(con, stage: _Stage, batch_id: str, begun: bool) -> bool:
    """Insert the staged records in the open transaction (opened here if not yet)."""
    if not begun:
        con.execute("begin transaction")
    try:
        stage.flush(con, batch_id)
    except BaseException:
        rollback(con)
        raise
    pause_point("landing-part")  # a part inserted, the file not whole: the transaction is open
    return True


@dataclass
class _Chunk:
    """Files read since the last commit, with what they hold."""

    files: list[tuple[FileCounts, LandedFile, str]] = field(default_factory=list)
    good: dict[str, int] = field(default_factory=dict)
    expired: dict[str, int] = field(default_factory=dict)  # left out by the stage, per file
    quarantine: list[tuple] = field(default_factory=list)
    seen_unchanged: list[tuple[LandedFile, str]] = field(default_factory=list)  # and its hash


def _take(
    landed: LandedFile, found: _FileRead, previous: tuple | None, report: LandingReport, chunk
) -> None:
    """Account for one file read (its records are in its group's table): in the report, and in
    the chunk to commit, unless it is unchanged (or still unreadable, as recorded already)."""
    if found.status == "unchanged":  # same bytes: its times are recorded, not opened again
        report.skipped_unchanged += 1
        chunk.seen_unchanged.append((landed, found.digest))
        return
    if found.status == "unreadable":
        again = (landed.size, landed.mtime_ns, found.status, found.note)
        if previous and previous[1:5] == again:
            report.skipped_unchanged += 1  # still unreadable: recorded already
            return
    if found.status in ("ignored", "unreadable"):
        counts = FileCounts(landed.relative, found.status, note=found.note)
    else:
        counts = FileCounts(
            landed.relative,
            "loaded",
            note=landed.note,
            records_read=found.read,
            quarantined=len(found.quarantined),
        )
        chunk.good[landed.relative] = found.rows
        chunk.quarantine.extend(
            (report.dataset, landed.relative, q.line, q.reason, q.raw, report.batch_id)
            for q in found.quarantined
        )
    report.files.append(counts)
    chunk.files.append((counts, landed, found.digest))


def _commit(con, dataset: str, batch_id: str, stage: _Stage, chunk: _Chunk, begun: bool) -> None:
    """Insert a chunk's records, quarantine and manifest rows in one transaction (`begun`: open
    already, with records of a file read in parts): each file is either landed whole (and in
    the manifest) or not at all, and memory stays bounded. Lake files written for it are
    catalogued in the same transaction and made live after it (``ingest.landing.lake``)."""
    if not chunk.files and not chunk.seen_unchanged and not begun:
        return
    if not begun:
        con.execute("begin transaction")
    try:
        _record_times(con, dataset, chunk.seen_unchanged)
        stage.flush(con, batch_id)
        raw_store.insert_quarantine(con, chunk.quarantine)
        pause_point("landing")  # records inserted, manifest not yet: the transaction is open
        written, replaced = raw_store.write_events(con, batch_id)
        stage.files += written
        lake.commit(con, stage.files, replaced, batch_id)
        loaded = stage.loaded
        quarantined = raw_store.quarantined_per_file(con, batch_id)
        for counts, _, _ in chunk.files:
            if counts.status == "loaded":
                counts.loaded = loaded.get(counts.file_path, 0)
                counts.expired = chunk.expired.get(counts.file_path, 0)
                # records already quarantined (by an earlier version of the file, or another
                # file with the same bytes) are duplicates too
                found = counts.quarantined
                counts.quarantined = quarantined.get(counts.file_path, 0)
                counts.duplicates = (
                    chunk.good[counts.file_path]
                    - counts.loaded
                    - counts.expired
                    + found
                    - counts.quarantined
                )
        _write_manifest(
            con,
            dataset,
            batch_id,
            [counts for counts, _, _ in chunk.files],
            [(landed, digest) for _, landed, digest in chunk.files],
        )
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    files = stage.committed()
    if files:  # lake files: made live, and a day grown to many files rewritten as one
        root = lake.root_of(con)
        lake.settle(con, root, raw_store.LAKE_TABLES.values())
        for name in sorted({f.table for f in files}):
            days = {f.day for f in files if f.table == name}
            lake.compact(con, root, raw_store.LAKE_TABLES[name], days, batch_id)


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
            "ctime_ns": pa.array([f.ctime_ns for f, _ in landed], pa.int64()),
            "status": [c.status for c in files],
            "note": pa.array([c.note for c in files], pa.string()),
            "records_read": [c.records_read for c in files],
            "loaded": [c.loaded for c in files],
            "duplicates": [c.duplicates for c in files],
            "quarantined": [c.quarantined for c in files],
            "expired": [c.expired for c in files],
        }
    )
    con.register("staged_manifest", table)
    try:
        con.execute(
            "insert into raw.ingest_manifest by name select *, $batch_id as batch_id,"
            " (now() at time zone 'UTC') as ingested_at from staged_manifest",
            {"batch_id": batch_id},
        )
    finally:
        con.unregister("staged_manifest")


def _record_times(con, dataset: str, files: list[tuple[LandedFile, str]]) -> None:
    """Record the times of files opened and found unchanged (touched, chmod-ed, copied with new
    times) on their manifest rows of those bytes, so they are not opened on every run."""
    if not files:
        return
    table = pa.table(
        {
            "file_path": [f.relative for f, _ in files],
            "content_hash": [digest for _, digest in files],
            "mtime_ns": pa.array([f.mtime_ns for f, _ in files], pa.int64()),
            "ctime_ns": pa.array([f.ctime_ns for f, _ in files], pa.int64()),
        }
    )
    con.register("seen_unchanged", table)
    try:
        con.execute(
            "update raw.ingest_manifest as m set mtime_ns = s.mtime_ns, ctime_ns = s.ctime_ns"
            " from seen_unchanged as s where m.dataset = ? and m.file_path = s.file_path"
            " and m.content_hash = s.content_hash",
            [dataset],
        )
    finally:
        con.unregister("seen_unchanged")
