"""The plan of a simulation: when each lead is submitted, through which placement, whether a
source cap turns it away, its output layout, buyer cap times, and the chunks the work is cut into.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from ingest.simulator.world import DAY_MS, HOUR_MS, World, derive_seed, epoch_ms

FIREHOSE_SHARE = 0.05  # of the leads, with layout "mixed"
CHUNK_LEADS = 2500
LAST_DAY_CUTOFF_MS = 23 * HOUR_MS + 50 * 60_000  # no submissions after 23:50 on the last day

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
class Plan:
    submitted_ms: np.ndarray  # submission epoch ms per lead, ascending
    day: np.ndarray  # day index per lead
    placement: np.ndarray  # placement index per lead
    capped: np.ndarray  # the source's daily cap was already met
    firehose: np.ndarray  # the lead's events go to Firehose files
    chunks: list[tuple[int, int, int]]  # (day, first lead, end lead)
    buyer_cap_ms: dict  # (recipient index, day index) -> epoch ms when the daily cap is met


def make_plan(world: World, leads: int, days: int, layout: str) -> Plan:
    rng = np.random.default_rng(derive_seed(world.seed, "plan"))
    day0_ms = epoch_ms(world.start_date)
    day_weights = np.array(
        [WEEKDAY_WEIGHTS[(world.start_date + timedelta(days=day)).weekday()] for day in range(days)]
    )
    per_day = rng.multinomial(leads, day_weights / day_weights.sum())
    hour_weights = np.array(HOUR_WEIGHTS, dtype=float)
    hour_weights /= hour_weights.sum()
    parts = []
    for day, day_leads in enumerate(per_day):
        day_leads = int(day_leads)
        if day_leads == 0:
            continue
        hours = rng.choice(24, size=day_leads, p=hour_weights)
        within = rng.integers(0, HOUR_MS, size=day_leads)
        if day == days - 1:  # the landing ends at midnight: let the last leads finish before it
            within = np.where(hours == 23, within % (LAST_DAY_CUTOFF_MS - 23 * HOUR_MS), within)
        offset = hours.astype(np.int64) * HOUR_MS + within
        parts.append(np.sort(day0_ms + day * DAY_MS + offset))
    submitted_ms = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    count = len(submitted_ms)
    lead_day = ((submitted_ms - day0_ms) // DAY_MS).astype(np.int64)
    placement_weights = np.array([placement.weight for placement in world.placements])
    placement = rng.choice(
        len(placement_weights), size=count, p=placement_weights / placement_weights.sum()
    ).astype(np.int64)
    layout_roll = rng.random(count)
    if layout == "firehose":
        firehose = np.ones(count, dtype=bool)
    elif layout == "mixed":
        firehose = layout_roll < FIREHOSE_SHARE
    else:
        firehose = np.zeros(count, dtype=bool)

    # Source daily caps: leads beyond the cap on their day are rejected up front.
    capped = np.zeros(count, dtype=bool)
    source_of = (
        np.array([entry.source for entry in world.placements])[placement] if count else placement
    )
    for source_index, source in enumerate(world.sources):
        if not source.daily_cap:
            continue
        for day in range(min(days, world.clean_from_day)):  # clean days: caps are not hit
            leads_of_day = np.nonzero((source_of == source_index) & (lead_day == day))[0]
            capped[leads_of_day[source.daily_cap :]] = True

    # Buyer daily caps, as the time the cap is met (estimated from the flow's volume that day).
    flow_of = (
        np.array([entry.flow for entry in world.placements])[placement] if count else placement
    )
    buyer_cap_ms: dict = {}
    for flow_index, flow in enumerate(world.flows):
        for step in flow.steps:
            recipient = step.recipient
            if recipient is None or not recipient.daily_cap:
                continue
            recipient_index = world.recipients.index(recipient)
            needed = int(np.ceil(recipient.daily_cap / recipient.cap_share))
            for day in range(days):
                leads_of_day = np.nonzero((flow_of == flow_index) & (lead_day == day))[0]
                if needed < len(leads_of_day):
                    buyer_cap_ms[(recipient_index, day)] = int(submitted_ms[leads_of_day[needed]])
            if recipient.monthly_cap:
                _monthly_cap_times(
                    buyer_cap_ms,
                    recipient_index,
                    int(np.ceil(recipient.monthly_cap / recipient.cap_share)),
                    submitted_ms[flow_of == flow_index],
                    world,
                    days,
                )

    chunks = []
    bounds = np.searchsorted(lead_day, np.arange(days + 1), side="left")
    for day in range(days):
        first, end = int(bounds[day]), int(bounds[day + 1])
        while first < end:
            stop = min(first + CHUNK_LEADS, end)
            chunks.append((day, first, stop))
            first = stop
    return Plan(submitted_ms, lead_day, placement, capped, firehose, chunks, buyer_cap_ms)


def _monthly_cap_times(
    buyer_cap_ms: dict,
    recipient_index: int,
    needed: int,
    flow_submitted_ms: np.ndarray,
    world: World,
    days: int,
) -> None:
    """From the day a monthly cap is met until the month ends, the buyer is capped: at the time
    it is met that day, from midnight on the following days (the earlier of a day's two caps)."""
    day0_ms = epoch_ms(world.start_date)
    for day in range(days):
        today = world.start_date + timedelta(days=day)
        month_start_ms = day0_ms + (day - (today.day - 1)) * DAY_MS
        day_start_ms = day0_ms + day * DAY_MS
        month_so_far = flow_submitted_ms[
            (flow_submitted_ms >= month_start_ms) & (flow_submitted_ms < day_start_ms + DAY_MS)
        ]
        if needed >= len(month_so_far):
            continue
        met_ms = max(int(month_so_far[needed]), day_start_ms)
        key = (recipient_index, day)
        buyer_cap_ms[key] = min(buyer_cap_ms.get(key, met_ms), met_ms)
