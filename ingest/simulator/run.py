"""A deterministic simulator of a LeadConduit lead operation, written into a landing folder.

``simulate(landing, leads, days, seed=7, ...)`` writes, for ``days`` days from ``start_date``:

- ``events/batches/events-YYYY-MM-DD.ndjson``: one compact event per line, in the file of the
  day the event was written (its ``end_timestamp``'s UTC date), sorted by write time. Feedback
  lands days after its lead; with ``faults`` some records are late, duplicated or broken.
- ``events/firehose/<lead id>/<event id>.json``: one event per file for the Firehose-layout leads
  (``layout="mixed"``: ~5% of the leads, chosen by the seed; ``"firehose"``: all of them).
- ``submissions/submissions-YYYY-MM-DD.ndjson`` (or ``.csv``): one raw submission per lead.
- ``simulation.json``: the :class:`SimulationSummary` (counts to reconcile a load against).

Same arguments + seed => byte-identical files, for any ``workers``. Nothing is deleted: files
the simulator writes are overwritten, so start from an empty folder for a clean landing.

The operation (names fixed, ids/prices/caps drawn from the seed): one account, "Acme Lead
Exchange"; five flows (verticals auto insurance, mortgage, solar, education):

=========================== ======================================================================
flow                        steps (f = filter, e = enhancement, d = buyer delivery)
=========================== ======================================================================
Auto Insurance - TX         acceptance "Lead must live in TX"; e SuppressionList, f Duplicate
                            check, e TrustedForm, f TrustedForm consent, d Lone Star Auto Agency,
                            d Gulf Coast Insurance Group (shared: every buyer may buy)
Auto Insurance - National   acceptance "Leads not accepted in CA, MA or NY", built-in dedupe;
                            e BriteVerify Phone, f Valid phone required, d Allied Auto Quotes,
                            d Everest Insurance Marketing (daily cap), d Pioneer Direct Insurance
Mortgage Refinance          dedupe; e BriteVerify Email, e TrustedForm, f TrustedForm consent,
                            d Summit Mortgage Partners, d Blue Ridge Lending, d Harbor Home Loans
                            (exclusive waterfall: later buyers skip once one bought)
Residential Solar           acceptance "Lead must live in a solar service state (...)"; f
                            Homeowners only, e LineCheck Phone Lookup, f Valid phone required,
                            d SunPeak Solar, d Brightline Energy (daily cap; exclusive)
Online Education            dedupe; f Age 18+, e BriteVerify Email, d Crestview University
                            Online, d Learnwell Academy
=========================== ======================================================================

23 sources post into them with different quality (invalid-value share 2-12%, duplicate share
3-12%, missing TrustedForm certificates, return rates) and prices; "Velocity Leads" and
"CampusReach" have daily caps that busy weekdays hit ("Cap reached", ``step_count`` 0).

Stories a dashboard must find (also in ``simulation.json`` under ``stories``, with ids):

1. **Evening rejections** - source **"ClickPath Digital"** (flow "Auto Insurance - National")
   sends junk phone numbers between **18:00 and 22:00 UTC** (half its leads vs ~4% otherwise):
   BriteVerify Phone says invalid and the filter **"Valid phone required"** stops them with
   reason "Phone number is invalid".
2. **Buyer outage** - buyer **"Summit Mortgage Partners"** (flow "Mortgage Refinance") errors on
   every delivery for the whole of **day 5** of the range (``start_date + 4``; the last day if
   the range is shorter): ``Server error`` (HTTP 503) and ``ESOCKETTIMEDOUT`` (~15 s waits);
   its retries that day fail too, and Blue Ridge Lending picks up the leads.
3. **Slow enhancement** - **"LineCheck Phone Lookup"** (flow "Residential Solar") has a median
   ``wait_ms`` of ~4.5 s, against ~170-250 ms for every other enhancement.
4. **Returns** - source **"BargainLeads Network"** (both auto flows) gets ~30% of its delivered
   leads returned (``feedback-received``, type ``return``, mostly "Wrong number"), vs ~3-9%.
5. (minor) flow "Online Education" is disabled 03:00-04:00 UTC on day 3 (source ``error``,
   "Flow is disabled"); ``handler_version`` changes from 5.12.0 to 5.13.1 on day 11.

Faults (``faults=True``; each ~0.5% of NDJSON event records, counted exactly): ``duplicate``
(exact byte copy of the line in the next day's file), ``late`` (the line in a later day's file),
``malformed_json`` (an extra truncated copy), ``non_utf8`` (an extra copy with bytes FF FE inside a
string), ``missing_id`` (an extra copy without ``id``), ``extra_fields`` (unknown top-level keys;
still valid); submissions: ``submission_malformed`` (extra truncated line or short CSV row),
``submission_missing_lead_id`` (extra copy without lead_id); plus ``non_json_file`` (one
``events/firehose/leadconduit-credentials-test.txt``). Firehose files never carry faults. Broken
copies are extra records: every lead keeps all of its valid events.

Scale: ~5.75 events per lead over 21 days (fewer for short ranges: feedback needs days), ~1.45 KB
per NDJSON event (source and enhancement events carry the full lead, ~2 KB; filters, deliveries,
retries and feedback carry a few fields), ~9 MB on disk per 1,000 leads. Work is split into chunks
of 2,500 consecutive leads with seeds derived from ``seed``; ``workers`` processes run them and the
parent merges their sorted runs into the day files. ~10k leads (~55k events) per CPU-second.
``SAMPLE`` (30,000 leads, 21 days) takes ~4 s with two workers.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import orjson

from ingest.simulator.chunk import ChunkConfig, ChunkTask, run_chunk
from ingest.simulator.faults import FAULT_KINDS, QUARANTINE_EVENT_KINDS, SUBMISSION_FAULT_KINDS
from ingest.simulator.operation import build_world
from ingest.simulator.submissions import SUBMISSION_META
from ingest.simulator.world import (
    ALL_FIELDS,
    DAY_MS,
    HOUR_MS,
    World,
    derive_seed,
    epoch_ms,
)

__all__ = ["SAMPLE", "SimulationSummary", "simulate", "LAYOUTS", "SUBMISSION_FORMATS"]

SAMPLE = dict(leads=30000, days=21, seed=7)
DEFAULT_START = date(2026, 10, 26)
LAYOUTS = ("ndjson", "firehose", "mixed")
SUBMISSION_FORMATS = ("ndjson", "csv")
FIREHOSE_SHARE = 0.05
CHUNK_LEADS = 2500
LAST_DAY_CUTOFF_MS = 23 * HOUR_MS + 50 * 60_000  # no submissions after 23:50 on the last day
CREDENTIALS_TEST_FILE = "leadconduit-credentials-test.txt"

# Relative submission volume by UTC hour: busy US daytime (13:00-03:00 UTC), quiet nights.
# fmt: off
HOUR_WEIGHTS = (
    0.95, 0.8, 0.6, 0.42, 0.28, 0.18, 0.13, 0.12, 0.14, 0.2, 0.32, 0.5, 0.75, 0.95, 1.1, 1.2, 1.25,
    1.25, 1.2, 1.15, 1.1, 1.08, 1.05, 1.0,
)
# fmt: on
# Monday .. Sunday
WEEKDAY_WEIGHTS = (1.05, 1.08, 1.06, 1.03, 0.95, 0.62, 0.55)


@dataclass
class SimulationSummary:
    leads: int = 0
    events: int = 0  # distinct valid event ids written
    event_records: int = 0  # event records written: valid + duplicates + faulty (lines + files)
    submissions: int = 0  # valid submission records
    submission_records: int = 0  # submission records written incl. faulty ones
    duplicates_events: int = 0  # extra exact copies of already-written events
    quarantine_expected_events: int = 0  # malformed JSON + non-UTF-8 + missing id
    quarantine_expected_submissions: int = 0  # malformed + missing lead_id
    faults_by_kind: dict = field(default_factory=dict)
    files: int = 0  # data files written under landing (simulation.json not counted)
    event_files: int = 0  # events/batches/*.ndjson
    firehose_files: int = 0  # events/firehose/<lead>/<event>.json
    submission_files: int = 0
    firehose_leads: int = 0
    ndjson_event_records: int = 0  # lines in events/batches (incl. duplicates, faulty)
    events_by_type: dict = field(default_factory=dict)
    bytes_written: int = 0
    seed: int = 7
    days: int = 0
    start_date: str = ""
    end_date: str = ""  # last day of the range
    layout: str = "mixed"
    submissions_format: str = "ndjson"
    faults: bool = False
    stories: dict = field(default_factory=dict)
    entities: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return orjson.dumps(
            self.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        ).decode()


# --------------------------------------------------------------------------- the plan


@dataclass
class _Plan:
    ts: np.ndarray  # submission epoch ms, ascending
    day: np.ndarray
    placement: np.ndarray
    capped: np.ndarray
    firehose: np.ndarray
    chunks: list[tuple[int, int, int]]  # (day, start, stop)
    buyer_cap_ms: dict


def _plan(world: World, leads: int, days: int, layout: str) -> _Plan:
    rng = np.random.default_rng(derive_seed(world.seed, "plan"))
    day0 = epoch_ms(world.start_date)
    dw = np.array(
        [WEEKDAY_WEIGHTS[(world.start_date + timedelta(days=d)).weekday()] for d in range(days)]
    )
    per_day = rng.multinomial(leads, dw / dw.sum())
    hw = np.array(HOUR_WEIGHTS, dtype=float)
    hw /= hw.sum()
    parts = []
    for d, n in enumerate(per_day):
        n = int(n)
        if n == 0:
            continue
        hours = rng.choice(24, size=n, p=hw)
        within = rng.integers(0, HOUR_MS, size=n)
        if d == days - 1:  # the landing ends at midnight: let the last leads finish before it
            within = np.where(hours == 23, within % (LAST_DAY_CUTOFF_MS - 23 * HOUR_MS), within)
        offset = hours.astype(np.int64) * HOUR_MS + within
        parts.append(np.sort(day0 + d * DAY_MS + offset))
    ts = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    n = len(ts)
    day = ((ts - day0) // DAY_MS).astype(np.int64)
    pw = np.array([p.weight for p in world.placements])
    placement = rng.choice(len(pw), size=n, p=pw / pw.sum()).astype(np.int64)
    u = rng.random(n)
    if layout == "firehose":
        firehose = np.ones(n, dtype=bool)
    elif layout == "mixed":
        firehose = u < FIREHOSE_SHARE
    else:
        firehose = np.zeros(n, dtype=bool)

    # Source daily caps: leads beyond the cap on their day are rejected up front.
    capped = np.zeros(n, dtype=bool)
    src_of = np.array([p.source for p in world.placements])[placement] if n else placement
    for s_index, source in enumerate(world.sources):
        if not source.daily_cap:
            continue
        for d in range(days):
            idx = np.nonzero((src_of == s_index) & (day == d))[0]
            capped[idx[source.daily_cap :]] = True

    # Buyer daily caps, as the time the cap is met (estimated from the flow's volume that day).
    flow_of = np.array([p.flow for p in world.placements])[placement] if n else placement
    buyer_cap_ms: dict = {}
    for f_index, flow in enumerate(world.flows):
        for step in flow.steps:
            rec = step.recipient
            if rec is None or not rec.daily_cap:
                continue
            r_index = world.recipients.index(rec)
            needed = int(np.ceil(rec.daily_cap / rec.cap_share))
            for d in range(days):
                idx = np.nonzero((flow_of == f_index) & (day == d))[0]
                if needed < len(idx):
                    buyer_cap_ms[(r_index, d)] = int(ts[idx[needed]])

    chunks = []
    bounds = np.searchsorted(day, np.arange(days + 1), side="left")
    for d in range(days):
        a, b = int(bounds[d]), int(bounds[d + 1])
        while a < b:
            stop = min(a + CHUNK_LEADS, b)
            chunks.append((d, a, stop))
            a = stop
    return _Plan(ts, day, placement, capped, firehose, chunks, buyer_cap_ms)


# --------------------------------------------------------------------------- workers

_WORKER: dict = {}


def _init_worker(world: World, cfg: ChunkConfig) -> None:
    _WORKER["world"] = world
    _WORKER["cfg"] = cfg


def _run_task(task: ChunkTask) -> dict:
    return run_chunk(_WORKER["world"], _WORKER["cfg"], task)


def _results(world, cfg, tasks, workers):
    """Chunk results in chunk order, computed by ``workers`` processes (bounded look-ahead)."""
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_chunk(world, cfg, task)
        return
    # fork: workers need nothing from __main__ (spawn would re-import it, which fails for
    # stdin/embedded interpreters); spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(world, cfg)) as pool:
        window: deque = deque()
        it = iter(tasks)
        for task in it:
            window.append(pool.apply_async(_run_task, (task,)))
            if len(window) >= 2 * workers + 1:
                break
        while window:
            result = window.popleft().get()
            nxt = next(it, None)
            if nxt is not None:
                window.append(pool.apply_async(_run_task, (nxt,)))
            yield result


# --------------------------------------------------------------------------- merging


class _EventWriter:
    """Writes per-day NDJSON files from sorted runs, merging them by write time (stable)."""

    def __init__(self, folder: Path, day0: date, day0_ms: int):
        self.folder = folder
        self.day0 = day0
        self.day0_ms = day0_ms
        self.pending: dict[int, list[list]] = {}  # day -> [[ts, blob, offsets, start], ...]
        self.handles: dict[int, object] = {}
        self.opened: set[int] = set()
        self.files = 0
        self.lines = 0
        self.bytes = 0

    def add(self, runs: dict) -> None:
        for day, (ts, blob, offsets) in runs.items():
            self.pending.setdefault(day, []).append([ts, blob, offsets, 0])

    def flush(self, watermark: int) -> None:
        """Write every pending line with write time < watermark (no later chunk can precede it)."""
        for day in sorted(self.pending):
            if self.day0_ms + day * DAY_MS >= watermark:
                continue
            runs = self.pending[day]
            takes = []
            for run in runs:
                ts, _, _, start = run
                k = int(np.searchsorted(ts, watermark, side="left")) - start
                takes.append(k)
            total = sum(takes)
            if total:
                self._write(day, runs, takes)
            keep = []
            for run, k in zip(runs, takes, strict=True):
                run[3] += k
                if run[3] < len(run[0]):
                    keep.append(run)
            if keep:
                self.pending[day] = keep
            else:
                del self.pending[day]
        for day in [d for d in self.handles if self.day0_ms + (d + 1) * DAY_MS <= watermark]:
            if day not in self.pending:  # complete: nothing later can belong to it
                self.handles.pop(day).close()

    def _write(self, day: int, runs: list, takes: list[int]) -> None:
        parts: list = []
        nonzero = [(run, k) for run, k in zip(runs, takes, strict=True) if k]
        if len(nonzero) == 1:
            (ts, blob, offs, start), k = nonzero[0]
            parts.append(memoryview(blob)[offs[start] : offs[start + k]])
        else:
            all_ts = np.concatenate([run[0][run[3] : run[3] + k] for run, k in nonzero])
            run_id = np.concatenate(
                [np.full(k, i, dtype=np.int64) for i, (_, k) in enumerate(nonzero)]
            )
            line_no = np.concatenate(
                [np.arange(run[3], run[3] + k, dtype=np.int64) for run, k in nonzero]
            )
            order = np.argsort(all_ts, kind="stable")
            rid = run_id[order]
            lno = line_no[order]
            # Contiguous stretches of one run become one slice.
            brk = np.nonzero((rid[1:] != rid[:-1]) | (lno[1:] != lno[:-1] + 1))[0] + 1
            starts = np.concatenate(([0], brk))
            ends = np.concatenate((brk, [len(rid)]))
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
                run = nonzero[rid[s]][0]
                offs = run[2]
                parts.append(memoryview(run[1])[offs[lno[s]] : offs[lno[e - 1] + 1]])
        fh = self.handles.get(day)
        if fh is None:
            name = f"events-{(self.day0 + timedelta(days=day)).isoformat()}.ndjson"
            mode = "ab" if day in self.opened else "wb"
            fh = self.handles[day] = open(self.folder / name, mode)  # noqa: SIM115
            if day not in self.opened:
                self.opened.add(day)
                self.files += 1
        for p in parts:
            fh.write(p)
            self.bytes += len(p)
        self.lines += sum(takes)

    def close(self) -> None:
        self.flush(np.iinfo(np.int64).max)
        self.abort()

    def abort(self) -> None:
        for fh in self.handles.values():
            fh.close()
        self.handles.clear()


# --------------------------------------------------------------------------- the API


def simulate(
    landing: Path,
    leads: int,
    days: int,
    seed: int = 7,
    start_date: date = DEFAULT_START,
    layout: str = "mixed",
    submissions_format: str = "ndjson",
    faults: bool = False,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> SimulationSummary:
    """Simulate ``leads`` leads over ``days`` days into ``landing``; see the module docstring."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if submissions_format not in SUBMISSION_FORMATS:
        raise ValueError(f"submissions_format must be one of {SUBMISSION_FORMATS}")
    if days < 1:
        raise ValueError("days must be at least 1")
    if leads < 0:
        raise ValueError("leads must not be negative")
    if workers <= 0:
        workers = os.cpu_count() or 1
    if start_date is None:
        start_date = DEFAULT_START
    say = progress or (lambda _msg: None)
    landing = Path(landing)
    batches = landing / "events" / "batches"
    firehose_dir = landing / "events" / "firehose"
    subs_dir = landing / "submissions"
    batches.mkdir(parents=True, exist_ok=True)
    subs_dir.mkdir(parents=True, exist_ok=True)

    world = build_world(seed, start_date, leads, days)
    plan = _plan(world, leads, days, layout)
    day0_ms = epoch_ms(start_date)
    cfg = ChunkConfig(
        landing=str(landing),
        faults=faults,
        submissions_format=submissions_format,
        day0_ms=day0_ms,
        days=days,
        buyer_cap_ms=plan.buyer_cap_ms,
    )
    tasks = [
        ChunkTask(
            index=i,
            day=d,
            submitted_ms=plan.ts[a:b].tolist(),
            placement=plan.placement[a:b].tolist(),
            capped=plan.capped[a:b].tolist(),
            firehose=plan.firehose[a:b].tolist(),
        )
        for i, (d, a, b) in enumerate(plan.chunks)
    ]
    if plan.firehose.any():
        firehose_dir.mkdir(parents=True, exist_ok=True)
    say(
        f"simulating {leads} leads over {days} days from {start_date} "
        f"({len(tasks)} chunks, {workers} worker(s))"
    )

    summary = SimulationSummary(
        seed=seed,
        days=days,
        start_date=start_date.isoformat(),
        end_date=(start_date + timedelta(days=days - 1)).isoformat(),
        layout=layout,
        submissions_format=submissions_format,
        faults=faults,
        stories=world.stories,
        entities=_entities(world),
    )
    fault_counts = dict.fromkeys(FAULT_KINDS, 0)
    by_type: dict[str, int] = {}
    writer = _EventWriter(batches, start_date, day0_ms)
    sub_handles: dict[int, object] = {}
    sub_ext = "csv" if submissions_format == "csv" else "ndjson"
    last_chunk_of_day = {d: i for i, (d, _, _) in enumerate(plan.chunks)}
    day_counts = {"leads": 0, "events": 0}
    firehose_files = 0
    firehose_bytes = 0
    try:
        for res in _results(world, cfg, tasks, workers):
            i = res["index"]
            d = res["day"]
            c = res["counts"]
            # submissions: chunks of a day arrive in order
            if res["submissions"]:
                fh = sub_handles.get(d)
                if fh is None:
                    name = f"submissions-{(start_date + timedelta(days=d)).isoformat()}.{sub_ext}"
                    fh = sub_handles[d] = open(subs_dir / name, "wb")  # noqa: SIM115
                    summary.submission_files += 1
                    if submissions_format == "csv":
                        fh.write((",".join(SUBMISSION_META + ALL_FIELDS) + "\n").encode())
                        summary.bytes_written += fh.tell()
                fh.write(res["submissions"])
                summary.bytes_written += len(res["submissions"])
            writer.add(res["events"])
            nxt = int(plan.ts[plan.chunks[i + 1][1]]) if i + 1 < len(plan.chunks) else None
            writer.flush(nxt if nxt is not None else np.iinfo(np.int64).max)
            summary.leads += c["leads"]
            summary.events += c["events"]
            summary.submissions += c["submissions"]
            summary.submission_records += c["submission_records"]
            summary.firehose_leads += c["firehose_leads"]
            firehose_files += c["firehose_files"]
            firehose_bytes += c["firehose_bytes"]
            for k, v in c["faults"].items():
                fault_counts[k] += v
            for k, v in c["by_type"].items():
                by_type[k] = by_type.get(k, 0) + v
            day_counts["leads"] += c["leads"]
            day_counts["events"] += c["events"]
            if last_chunk_of_day.get(d) == i:
                fh = sub_handles.pop(d, None)
                if fh is not None:
                    fh.close()
                say(
                    f"{start_date + timedelta(days=d)}: {day_counts['leads']} leads, "
                    f"{day_counts['events']} events"
                )
                day_counts = {"leads": 0, "events": 0}
        writer.close()
    finally:
        writer.abort()
        for fh in sub_handles.values():
            fh.close()

    if faults:
        firehose_dir.mkdir(parents=True, exist_ok=True)
        text = b"LeadConduit Firehose credentials test. This file is not an event.\n"
        (firehose_dir / CREDENTIALS_TEST_FILE).write_bytes(text)
        fault_counts["non_json_file"] = 1
        summary.bytes_written += len(text)

    summary.faults_by_kind = fault_counts
    summary.duplicates_events = fault_counts["duplicate"]
    summary.quarantine_expected_events = sum(fault_counts[k] for k in QUARANTINE_EVENT_KINDS)
    summary.quarantine_expected_submissions = sum(fault_counts[k] for k in SUBMISSION_FAULT_KINDS)
    summary.ndjson_event_records = writer.lines
    summary.firehose_files = firehose_files
    summary.event_records = writer.lines + firehose_files
    summary.event_files = writer.files
    summary.files = (
        summary.event_files
        + summary.firehose_files
        + summary.submission_files
        + fault_counts["non_json_file"]
    )
    summary.events_by_type = dict(sorted(by_type.items()))
    summary.bytes_written += writer.bytes + firehose_bytes
    assert summary.event_records == (
        summary.events + summary.duplicates_events + summary.quarantine_expected_events
    ), "count mismatch"
    (landing / "simulation.json").write_text(summary.to_json() + "\n")
    say(f"done: {summary.leads} leads, {summary.events} events, {summary.files} files")
    return summary


def _entities(world: World) -> dict:
    return {
        "account": world.account,
        "flows": [
            {
                "id": f.id,
                "name": f.name,
                "vertical": f.vertical,
                "steps": [
                    {
                        "step_id": s.step_id,
                        "kind": (s.recipient.kind if s.recipient else "filter"),
                        "name": s.name,
                        **(
                            {"recipient_id": s.recipient.id, "module_id": s.recipient.module_id}
                            if s.recipient
                            else {}
                        ),
                    }
                    for s in f.steps
                ],
            }
            for f in world.flows
        ],
        "sources": [{"id": s.id, "name": s.name, "daily_cap": s.daily_cap} for s in world.sources],
        "recipients": [
            {
                "id": r.id,
                "name": r.name,
                "module_id": r.module_id,
                "kind": r.kind,
                "price": r.price,
                "daily_cap": r.daily_cap,
            }
            for r in world.recipients
        ],
    }
