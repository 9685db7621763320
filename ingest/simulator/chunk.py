"""Simulate one chunk of leads: their submissions and every event they produce.

A chunk is a run of consecutive leads (by submission time) of one day. It depends only on the
world, the plan's per-lead arrays and its own seed, so chunks can run in any process and the
merged output is the same for any worker count. Events of NDJSON-layout leads come back as sorted
runs per output day; Firehose-layout leads are written here, one file per event.

The event kinds live in their own modules: ``lead`` (one lead end to end), ``steps`` (the walk
through a flow), ``filters``, ``enhancements``, ``deliveries``, ``source_event``, ``retries``,
``feedback``; ``submissions`` and ``output`` write them, ``context`` holds what they share.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.simulator.context import ChunkConfig, ChunkContext
from ingest.simulator.lead import LeadSimulator
from ingest.simulator.output import EventOutput
from ingest.simulator.submissions import SubmissionRecords
from ingest.simulator.world import World

__all__ = ["ChunkConfig", "ChunkTask", "run_chunk"]


@dataclass
class ChunkTask:
    index: int
    day: int  # day index of every lead in the chunk
    submitted_ms: list[int]  # submission epoch ms, ascending
    placement: list[int]  # placement index per lead
    capped: list[bool]  # the source's daily cap was already met
    firehose: list[bool]  # the lead's events go to Firehose files


def run_chunk(world: World, config: ChunkConfig, task: ChunkTask) -> dict:
    """Simulate the task's leads -> index, day, events (sorted runs by day), submissions, counts."""
    context = ChunkContext(world, config, task.index)
    context.clean = task.day >= world.clean_from_day
    leads = LeadSimulator(context)
    submissions = SubmissionRecords(context)
    output = EventOutput(context)
    for submitted_ms, placement_index, capped, firehose in zip(
        task.submitted_ms, task.placement, task.capped, task.firehose, strict=True
    ):
        lead, events = leads.simulate(submitted_ms, placement_index, capped)
        submissions.add(lead.lead_id, submitted_ms, lead.flow, lead.source, lead.fields)
        output.write_lead(lead.lead_id, events, firehose)
    return {
        "index": task.index,
        "day": task.day,
        "events": output.sorted_runs(),
        "submissions": submissions.payload(),
        "counts": context.counts,
    }
