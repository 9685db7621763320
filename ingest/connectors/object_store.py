"""Object stores (a LeadConduit Firehose in S3, or any fsspec URL) mirrored into the landing zone.

A sync lists the store (S3 through obstore, any other URL through fsspec), compares each key's
ETag and size with the sync index (a SQLite file under ``$LEADWH_HOME/connectors``, never the
warehouse), reads the new and changed objects concurrently and writes each one atomically (hidden
temporary name, then rename) to ``landing/<dataset>/<protocol>/<bucket>/<prefix>/<key>``.
Landing then treats them like any other file: manifest by content hash, quarantine,
de-duplication on event id. A re-put of the same bytes
keeps its ETag and is not copied again; a changed object is copied and re-landed (its events
already loaded count as duplicates).

Listing scales with what is new, not with the bucket: Firehose keys are
``<prefix>/<lead id>/<event id>[.json]``, lead ids start with their creation time in hex, and S3
lists keys in order, so a *recent* sync starts the listing after ``<prefix>/<hex of now - window>``
and reads only recent leads. Feedback arrives weeks later under old leads: a *full* sweep (daily,
and before ``leadwh build``) lists everything, still reading only new or changed objects.
``leadconduit_verification_*.txt`` and other non-data keys are recorded as ignored, and so are
keys that cannot be a file here (``landing_name``); a key holding what looks like an SSN is
ignored, reported masked and not recorded.
"""

from __future__ import annotations

import asyncio
import errno
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.connectors.object_ids import time_prefix
from ingest.connectors.state import connect_state, exclusive, state_dir, write_atomically
from ingest.landing.entries import SSN_IN_NAME, in_progress, masked_name
from ingest.landing.readers import EVENT_SUFFIXES, SUBMISSION_SUFFIXES
from ingest.paths import Paths
from ingest.settings import Settings

DATASETS = ("events", "submissions")
LIST_PAGE = 1000
COPY_CHUNK = 2000
KEEP_KEYS = 20  # ignored keys and errors shown in a report


#: The longest segment of a landing name, in bytes: file systems allow 255, and the temporary
#: name it is written under first adds 5 (``.<name>.tmp``).
MAX_NAME_BYTES = 250
#: Errors writing an object that no retry mends: a key that is also a folder (``a/b`` and
#: ``a/b/c``), a name the file system refuses.
UNWRITABLE = {errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.EINVAL}


class ConnectorError(RuntimeError):
    """A source that cannot be read; the message says which and what to do."""


@dataclass(frozen=True)
class Source:
    """One dataset's object-store URL."""

    dataset: str
    url: str
    protocol: str
    root: str  # bucket/prefix (s3) or folder, without a trailing slash

    @classmethod
    def parse(cls, dataset: str, url: str) -> Source:
        import fsspec.core

        protocol, path = fsspec.core.split_protocol(url.strip())
        if protocol is None:
            protocol, path = "file", str(Path(path).expanduser().resolve())
        if protocol in ("s3a", "s3n"):
            protocol = "s3"
        root = path.rstrip("/")
        if not root:
            raise ConnectorError(f"{url!r}: name a bucket (e.g. s3://my-bucket/leadconduit)")
        return cls(dataset, url.strip(), protocol, root)

    def mirror(self, landing: Path) -> Path:
        """Where this source's objects land locally."""
        return landing / self.dataset / self.protocol / self.root.lstrip("/")

    @property
    def state_name(self) -> str:
        return f"sync-{self.dataset}.sqlite"


def configured_sources(settings: Settings, paths: Paths) -> list[Source]:
    """The datasets whose URL is not the local landing folder itself."""
    sources = []
    for dataset, url in (
        ("events", settings.events_url),
        ("submissions", settings.submissions_url),
    ):
        if not url.strip():
            continue
        source = Source.parse(dataset, url)
        if source.protocol == "file" and Path(source.root) == paths.landing / dataset:
            continue
        sources.append(source)
    return sources


def landing_name(dataset: str, key: str) -> str | None:
    """The landing file name of an object key (relative to the source), or None to ignore it.

    Keys without a suffix are Firehose events (``<lead id>/<event id>``) and get ``.json``;
    ``leadconduit_verification_*.txt`` and other non-data files are ignored, and so are keys that
    landing would never read or that cannot be a file here: a segment that would leave the mirror
    folder (empty, ``.``, ``..``), a hidden or temporary one (``.staging/``, ``x.tmp/``: landing
    skips them as still being written), or one longer than a file name may be; and keys that
    hold what looks like an SSN (landing would not read them: ``entries.NAME_HOLDS_SSN``)."""
    parts = key.split("/")
    name = parts[-1]
    if any(p in ("", ".", "..") or in_progress(p) for p in parts) or SSN_IN_NAME.search(key):
        return None
    suffixes = EVENT_SUFFIXES if dataset == "events" else SUBMISSION_SUFFIXES
    if name.lower().endswith(suffixes):
        found = key
    elif dataset == "events" and "." not in name:
        found = key + ".json"
    else:
        return None
    if any(len(p.encode("utf-8")) > MAX_NAME_BYTES for p in found.split("/")):
        return None
    return found


@dataclass(frozen=True)
class Listed:
    key: str  # relative to the source root
    etag: str
    size: int


@dataclass
class SyncReport:
    dataset: str
    url: str
    mode: str  # recent | full
    listed: int = 0
    unchanged: int = 0
    new: int = 0
    changed: int = 0
    ignored: int = 0
    copied: int = 0
    failed: int = 0
    bytes: int = 0
    seconds: float = 0.0
    start_after: str = ""
    ignored_keys: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int | float | str]:
        return {
            "dataset": self.dataset,
            "source": self.url,
            "mode": self.mode,
            "start_after": self.start_after,
            "listed": self.listed,
            "unchanged": self.unchanged,
            "new": self.new,
            "changed": self.changed,
            "ignored": self.ignored,
            "copied": self.copied,
            "failed": self.failed,
            "bytes_copied": self.bytes,
            "seconds": round(self.seconds, 2),
            "objects_per_second": round(self.copied / self.seconds, 1) if self.seconds else 0.0,
        }

    def line(self) -> str:
        s = self.summary()
        return (
            f"{self.dataset} from {self.url} ({self.mode}): listed {s['listed']}, copied "
            f"{s['copied']} ({s['new']} new, {s['changed']} changed), {s['unchanged']} unchanged, "
            f"{s['ignored']} ignored, {s['failed']} failed in {s['seconds']}s "
            f"({s['objects_per_second']} objects/s)"
        )


# --------------------------------------------------------------------------- the stores


class _S3Store:
    """S3 and S3-compatible stores through obstore (Rust's object_store: concurrent GETs without
    the GIL). Credentials, region and endpoint come from the standard AWS environment
    (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL for MinIO and the like) or the machine's role."""

    def __init__(self, source: Source) -> None:
        from obstore.store import S3Store

        self.source = source
        self.bucket, _, prefix = source.root.partition("/")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        options = {}
        if endpoint:
            options["endpoint"] = endpoint
        if region:
            options["region"] = region
        client = {"allow_http": True} if endpoint and endpoint.startswith("http://") else {}
        self.store = S3Store(self.bucket, prefix=prefix or None, client_options=client, **options)
        self.prefix, self.endpoint, self.region = prefix, endpoint, region or "us-east-1"

    def pages(self, start_after: str | None) -> Iterator[list[Listed]]:
        """The keys after ``start_after``, a page at a time. obstore refuses a whole page that
        holds a key it cannot make a path of (a ``.``, ``..`` or empty segment, which anyone who
        may write to the bucket can put there): from that page on, the listing goes on through
        botocore, which lists every key, and the sync records those keys as ignored."""
        import obstore

        last = start_after
        try:
            stream = obstore.list(self.store, offset=start_after or None, chunk_size=LIST_PAGE)
            for chunk in stream:
                page = [
                    Listed(meta["path"], (meta.get("e_tag") or "").strip('"'), meta["size"])
                    for meta in chunk
                ]
                yield page
                last = page[-1].key if page else last
        except Exception as exc:
            if "InvalidPath" not in type(exc).__name__:
                raise ConnectorError(
                    f"cannot list {self.source.url}: {_reason(exc)}; the credential needs"
                    f" s3:ListBucket on s3://{self.bucket} for the prefix (README: Connect your"
                    " LeadConduit account)"
                ) from None
        else:
            return
        yield from self._pages_of_any_key(last)

    def _pages_of_any_key(self, start_after: str | None) -> Iterator[list[Listed]]:
        """ListObjectsV2 through botocore (the same credentials and endpoint), keys as they are."""
        import botocore.config
        import botocore.session

        root = self.prefix + "/" if self.prefix else ""
        config = botocore.config.Config(s3={"addressing_style": "path"} if self.endpoint else {})
        client = botocore.session.get_session().create_client(
            "s3", endpoint_url=self.endpoint, region_name=self.region, config=config
        )
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket,
            Prefix=root,
            StartAfter=root + start_after if start_after else "",
            PaginationConfig={"PageSize": LIST_PAGE},
        )
        try:
            for answer in pages:
                yield [
                    Listed(o["Key"][len(root) :], o.get("ETag", "").strip('"'), o["Size"])
                    for o in answer.get("Contents", [])
                ]
        except Exception as exc:
            raise ConnectorError(f"cannot list {self.source.url}: {_reason(exc)}") from None

    def get_many(self, keys: list[str], workers: int) -> list[bytes | BaseException]:
        import obstore

        async def get_all():
            slots = asyncio.Semaphore(workers)

            async def one(key: str):
                async with slots:
                    try:
                        answer = await obstore.get_async(self.store, key)
                        return bytes(await answer.bytes_async())
                    except Exception as exc:
                        return exc

            return await asyncio.gather(*(one(key) for key in keys))

        return run_coroutine(get_all())


class _FsspecStore:
    """Any other fsspec URL (a local folder, ...): a full listing each time."""

    def __init__(self, source: Source) -> None:
        import fsspec

        self.source = source
        self.fs = fsspec.filesystem(source.protocol, skip_instance_cache=True)

    def pages(self, start_after: str | None) -> Iterator[list[Listed]]:
        root = self.source.root
        try:
            found = self.fs.find(root, detail=True)
        except Exception as exc:
            raise ConnectorError(f"cannot list {self.source.url}: {_reason(exc)}") from None
        page: list[Listed] = []
        for path in sorted(found):
            info = found[path]
            key = path[len(root) :].lstrip("/") if path.startswith(root) else path
            if start_after and key <= start_after:
                continue
            tag = str(info.get("ETag") or info.get("mtime") or info.get("created") or "")
            page.append(Listed(key, tag, int(info.get("size") or 0)))
            if len(page) >= LIST_PAGE:
                yield page
                page = []
        if page:
            yield page

    def get_many(self, keys: list[str], workers: int) -> list[bytes | BaseException]:
        paths = [f"{self.source.root}/{key}" for key in keys]
        try:
            found = self.fs.cat(paths, on_error="return", batch_size=workers)
        except Exception as exc:
            return [exc] * len(keys)
        strip = self.fs._strip_protocol
        return [found.get(p, found.get(strip(p), FileNotFoundError(p))) for p in paths]


def run_coroutine(coroutine):
    """asyncio.run, also from a thread whose event loop is running (a caller's own loop):
    there the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def open_store(source: Source):
    return _S3Store(source) if source.protocol == "s3" else _FsspecStore(source)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{type(exc).__name__}: {text[:300]}"


# --------------------------------------------------------------------------- the sync index


def _open_index(path: Path):
    con = connect_state(path)
    con.execute(
        "create table if not exists objects (source text, key text, etag text, size integer,"
        " status text, synced_at text, primary key (source, key)) without rowid"
    )
    con.execute("create table if not exists sweeps (source text primary key, last_full_sweep text)")
    return con


def _known(con, source: Source, keys: list[str]) -> dict[str, tuple[str, int]]:
    marks = ",".join("?" * len(keys))
    rows = con.execute(
        f"select key, etag, size from objects where source = ? and key in ({marks})",
        [source.url, *keys],
    ).fetchall()
    return {key: (etag, size) for key, etag, size in rows}


def _record(con, source: Source, rows: list[tuple[Listed, str]]) -> None:
    now = datetime.now(tz=UTC).isoformat(timespec="seconds")
    con.execute("begin")
    con.executemany(
        "insert or replace into objects values (?, ?, ?, ?, ?, ?)",
        [(source.url, o.key, o.etag, o.size, status, now) for o, status in rows],
    )
    con.execute("commit")


def last_full_sweep(con, source: Source) -> str | None:
    row = con.execute(
        "select last_full_sweep from sweeps where source = ?", [source.url]
    ).fetchone()
    return row[0] if row else None


# --------------------------------------------------------------------------- sync


def sync_source(
    source: Source,
    paths: Paths,
    recent_hours: float | None = None,
    workers: int = 64,
    log: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> SyncReport:
    """Copy the source's new and changed objects into the landing zone.

    ``recent_hours``: list only leads created since then (a tick); None: list everything (a full
    sweep). Until one full sweep has completed, every sync is a full one."""
    started = time.perf_counter()
    index_path = state_dir(paths.home) / source.state_name
    with exclusive(index_path, f"sync of {source.url}"):
        con = _open_index(index_path)
        try:
            swept = last_full_sweep(con, source)
            full = recent_hours is None or swept is None
            report = SyncReport(source.dataset, source.url, "full" if full else "recent")
            if not full:
                moment = (now or datetime.now(tz=UTC)) - timedelta(hours=recent_hours)
                report.start_after = time_prefix(moment)
            store = open_store(source)
            mirror = source.mirror(paths.landing)
            pending: list[tuple[Listed, str, str]] = []
            for page in read_ahead(store.pages(report.start_after or None)):
                report.listed += len(page)
                known = _known(con, source, [o.key for o in page])
                ignored = []
                for obj in page:
                    previous = known.get(obj.key)
                    if previous == (obj.etag, obj.size):
                        report.unchanged += 1
                        continue
                    name = landing_name(source.dataset, obj.key)
                    if name is None:
                        report.ignored += 1
                        masked = masked_name(obj.key)
                        if len(report.ignored_keys) < KEEP_KEYS:
                            report.ignored_keys.append(masked or obj.key)
                        if masked is None:  # a key holding an SSN is not kept, even here
                            ignored.append((obj, "ignored"))
                        continue
                    pending.append((obj, name, "changed" if previous else "new"))
                if ignored:
                    _record(con, source, ignored)
                if len(pending) >= COPY_CHUNK:
                    _copy(store, source, mirror, pending, con, report, workers)
                    pending = []
                    if log:
                        log(report.line())
            _copy(store, source, mirror, pending, con, report, workers)
            if full and not report.failed:
                con.execute(
                    "insert or replace into sweeps values (?, ?)",
                    [source.url, datetime.now(tz=UTC).isoformat(timespec="seconds")],
                )
        finally:
            con.close()
    report.seconds = time.perf_counter() - started
    if log:
        log(report.line())
    return report


def read_ahead(pages: Iterator[list[Listed]], depth: int = 8) -> Iterator[list[Listed]]:
    """The pages of a listing, listed by a thread up to ``depth`` pages ahead, so the next pages
    are being listed while the current ones are copied (a listing is one request after another).
    An error of the listing is raised here, after the pages before it."""
    ahead: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    done = object()

    def offer(item) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False  # the consumer has gone

    def list_pages() -> None:
        try:
            for page in pages:
                if not offer(page):
                    return
            offer(done)
        except BaseException as exc:  # handed to the consumer
            offer(exc)

    thread = threading.Thread(target=list_pages, name="listing", daemon=True)
    thread.start()
    try:
        while (item := ahead.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _copy(store, source: Source, mirror: Path, pending, con, report: SyncReport, workers: int):
    """Read a chunk of objects concurrently, write each atomically, then record them."""
    if not pending:
        return
    contents = store.get_many([obj.key for obj, _, _ in pending], workers)
    done = []
    for (obj, name, kind), data in zip(pending, contents, strict=True):
        if isinstance(data, BaseException):
            report.failed += 1
            if len(report.errors) < KEEP_KEYS:
                report.errors.append(f"{obj.key}: {_reason(data)}")
            continue
        try:
            write_atomically(mirror / name, data)
        except OSError as exc:
            if len(report.errors) < KEEP_KEYS:
                report.errors.append(f"{obj.key}: cannot be written here ({_reason(exc)})")
            if exc.errno not in UNWRITABLE:
                report.failed += 1  # a full disk, a permission: tried again next time
                continue
            report.ignored += 1  # recorded: tried again only when the object changes
            done.append((obj, "unwritable"))
            continue
        report.copied += 1
        report.bytes += len(data)
        setattr(report, kind, getattr(report, kind) + 1)
        done.append((obj, "copied"))
    if done:
        _record(con, source, done)


def sync_all(
    settings: Settings,
    paths: Paths,
    recent: bool = False,
    log: Callable[[str], None] | None = None,
) -> list[SyncReport]:
    """Sync every configured object-store source (none: the landing folders are local)."""
    hours = settings.firehose_recent_hours if recent else None
    return [
        sync_source(source, paths, hours, settings.sync_workers, log)
        for source in configured_sources(settings, paths)
    ]
