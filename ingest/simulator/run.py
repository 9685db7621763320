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
6. **Cap pacing** - buyer **"Everest Insurance Marketing"** reaches its daily cap around
   14:00-15:00 UTC on weekdays (later deliveries skip: "Recipient cap met", ``caps_reached``);
   **"Harbor Home Loans"** has a monthly cap, met in the second week of November, after which
   every delivery to it skips. The sample's caps are in ``seeds/caps.csv`` (a test checks it).
7. **Slow buyer** - **"Gulf Coast Insurance Group"** answers in ~1.8 s (median), twice as slow
   15:00-21:00 UTC, with a 6 s timeout: there ~7% of its calls end in ``ESOCKETTIMEDOUT`` and
   its p99 is the timeout.
8. **Late returns** - **"Blue Ridge Lending"** returns twice as many leads as other buyers,
   12-22 days after the delivery (others: 1-5 days); only the first days' leads get them within
   the range.
9. **Unprofitable source** - **"GreenGrid Leads"** (Residential Solar) is paid $36 a lead, about
   what solar buyers pay: net of returns it loses money.
10. **Aged certificates**, 11. **returns over a buyer's threshold**, 12. **duplicates**: see
   ``ingest.simulator.quality`` ("Keystone Lead Partners", "Learnwell Academy", "Lone Star Leads").

Clean days (``clean_days=N``): the last N days of the range have none of these stories (nor the
source caps; buyers' caps and prices stay, they are business rules); ``stories`` then lists only
what still happens, plus ``clean_days``.

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

from ingest.landing.readers import SUBMISSION_META  # the CSV header before the lead fields
from ingest.simulator.chunk import ChunkConfig, ChunkTask, run_chunk
from ingest.simulator.day_files import DayFileWriter
from ingest.simulator.faults import FAULT_KINDS, QUARANTINE_EVENT_KINDS, SUBMISSION_FAULT_KINDS
from ingest.simulator.operation import build_world
from ingest.simulator.plan import make_plan
from ingest.simulator.world import ALL_FIELDS, Step, World, epoch_ms

__all__ = ["SAMPLE", "SimulationSummary", "simulate", "LAYOUTS", "SUBMISSION_FORMATS"]

SAMPLE = dict(leads=30000, days=21, seed=7)
DEFAULT_START = date(2026, 10, 26)
LAYOUTS = ("ndjson", "firehose", "mixed")
SUBMISSION_FORMATS = ("ndjson", "csv")
CREDENTIALS_TEST_FILE = "leadconduit-credentials-test.txt"


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


# --------------------------------------------------------------------------- workers

_WORKER: dict = {}


def _init_worker(world: World, config: ChunkConfig) -> None:
    _WORKER["world"] = world
    _WORKER["config"] = config


def _run_task(task: ChunkTask) -> dict:
    return run_chunk(_WORKER["world"], _WORKER["config"], task)


def _results(world: World, config: ChunkConfig, tasks: list[ChunkTask], workers: int):
    """Chunk results in chunk order, computed by ``workers`` processes (bounded look-ahead)."""
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_chunk(world, config, task)
        return
    # fork: workers need nothing from __main__ (spawn would re-import it, which fails for
    # stdin/embedded interpreters); spawn where fork does not exist.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = context.Pool(workers, initializer=_init_worker, initargs=(world, config))
    closed = False
    try:
        window: deque = deque()
        remaining = iter(tasks)
        for task in remaining:
            window.append(pool.apply_async(_run_task, (task,)))
            if len(window) >= 2 * workers + 1:
                break
        while window:
            result = window.popleft().get()
            following = next(remaining, None)
            if following is not None:
                window.append(pool.apply_async(_run_task, (following,)))
            if not window:  # every chunk is done: let the workers go
                pool.close()
                closed = True
            yield result
    finally:
        # close() lets every worker take its end marker and exit. Not terminate() (what
        # `with Pool` does) once all is done: it drains the task queue under its lock, can take
        # a worker's end marker, and then relies on SIGTERM, which a process started with
        # SIGTERM ignored (inherited) never acts on, so join() waited for ever.
        if not closed:
            pool.terminate()
        pool.join()


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
    clean_days: int = 0,
) -> SimulationSummary:
    """Simulate ``leads`` leads over ``days`` days into ``landing``; see the module docstring.
    The last ``clean_days`` days have no stories (all of them when ``clean_days >= days``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if submissions_format not in SUBMISSION_FORMATS:
        raise ValueError(f"submissions_format must be one of {SUBMISSION_FORMATS}")
    if days < 1:
        raise ValueError("days must be at least 1")
    if leads < 0:
        raise ValueError("leads must not be negative")
    if clean_days < 0:
        raise ValueError("clean_days must not be negative")
    if workers <= 0:
        workers = os.cpu_count() or 1
    if start_date is None:
        start_date = DEFAULT_START
    say = progress or (lambda _msg: None)
    landing = Path(landing)
    batches = landing / "events" / "batches"
    firehose_dir = landing / "events" / "firehose"
    submissions_dir = landing / "submissions"
    batches.mkdir(parents=True, exist_ok=True)
    submissions_dir.mkdir(parents=True, exist_ok=True)

    world = build_world(seed, start_date, leads, days, clean_days)
    plan = make_plan(world, leads, days, layout)
    day0_ms = epoch_ms(start_date)
    config = ChunkConfig(
        landing=str(landing),
        faults=faults,
        submissions_format=submissions_format,
        day0_ms=day0_ms,
        days=days,
        buyer_cap_ms=plan.buyer_cap_ms,
    )
    tasks = [
        ChunkTask(
            index=index,
            day=day,
            submitted_ms=plan.submitted_ms[first:end].tolist(),
            placement=plan.placement[first:end].tolist(),
            capped=plan.capped[first:end].tolist(),
            firehose=plan.firehose[first:end].tolist(),
        )
        for index, (day, first, end) in enumerate(plan.chunks)
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
    writer = DayFileWriter(batches, start_date, day0_ms)
    submission_handles: dict[int, object] = {}
    submission_ext = "csv" if submissions_format == "csv" else "ndjson"
    last_chunk_of_day = {day: index for index, (day, _, _) in enumerate(plan.chunks)}
    day_counts = {"leads": 0, "events": 0}
    firehose_files = 0
    firehose_bytes = 0
    try:
        for result in _results(world, config, tasks, workers):
            index = result["index"]
            day = result["day"]
            counts = result["counts"]
            # submissions: chunks of a day arrive in order
            if result["submissions"]:
                handle = submission_handles.get(day)
                if handle is None:
                    day_text = (start_date + timedelta(days=day)).isoformat()
                    name = f"submissions-{day_text}.{submission_ext}"
                    handle = submission_handles[day] = open(submissions_dir / name, "wb")  # noqa: SIM115
                    summary.submission_files += 1
                    if submissions_format == "csv":
                        handle.write((",".join(SUBMISSION_META + ALL_FIELDS) + "\n").encode())
                        summary.bytes_written += handle.tell()
                handle.write(result["submissions"])
                summary.bytes_written += len(result["submissions"])
            writer.add(result["events"])
            if index + 1 < len(plan.chunks):
                writer.flush(int(plan.submitted_ms[plan.chunks[index + 1][1]]))
            else:
                writer.flush(np.iinfo(np.int64).max)
            summary.leads += counts["leads"]
            summary.events += counts["events"]
            summary.submissions += counts["submissions"]
            summary.submission_records += counts["submission_records"]
            summary.firehose_leads += counts["firehose_leads"]
            firehose_files += counts["firehose_files"]
            firehose_bytes += counts["firehose_bytes"]
            for kind, count in counts["faults"].items():
                fault_counts[kind] += count
            for event_type, count in counts["by_type"].items():
                by_type[event_type] = by_type.get(event_type, 0) + count
            day_counts["leads"] += counts["leads"]
            day_counts["events"] += counts["events"]
            if last_chunk_of_day.get(day) == index:
                handle = submission_handles.pop(day, None)
                if handle is not None:
                    handle.close()
                say(
                    f"{start_date + timedelta(days=day)}: {day_counts['leads']} leads, "
                    f"{day_counts['events']} events"
                )
                day_counts = {"leads": 0, "events": 0}
        writer.close()
    finally:
        writer.abort()
        for handle in submission_handles.values():
            handle.close()

    if faults:
        firehose_dir.mkdir(parents=True, exist_ok=True)
        text = b"LeadConduit Firehose credentials test. This file is not an event.\n"
        (firehose_dir / CREDENTIALS_TEST_FILE).write_bytes(text)
        fault_counts["non_json_file"] = 1
        summary.bytes_written += len(text)

    summary.faults_by_kind = fault_counts
    summary.duplicates_events = fault_counts["duplicate"]
    summary.quarantine_expected_events = sum(fault_counts[kind] for kind in QUARANTINE_EVENT_KINDS)
    summary.quarantine_expected_submissions = sum(
        fault_counts[kind] for kind in SUBMISSION_FAULT_KINDS
    )
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
                "id": flow.id,
                "name": flow.name,
                "vertical": flow.vertical,
                "steps": [_step_entity(step) for step in flow.steps],
            }
            for flow in world.flows
        ],
        "sources": [
            {"id": source.id, "name": source.name, "daily_cap": source.daily_cap}
            for source in world.sources
        ],
        "recipients": [
            {
                "id": recipient.id,
                "name": recipient.name,
                "module_id": recipient.module_id,
                "kind": recipient.kind,
                "price": recipient.price,
                "daily_cap": recipient.daily_cap,
            }
            for recipient in world.recipients
        ],
    }


def _step_entity(step: Step) -> dict:
    entity = {
        "step_id": step.step_id,
        "kind": step.recipient.kind if step.recipient else "filter",
        "name": step.name,
    }
    if step.recipient:
        entity["recipient_id"] = step.recipient.id
        entity["module_id"] = step.recipient.module_id
    return entity
