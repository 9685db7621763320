"""One lead from submission to its last event: who it is (a fresh person or a resubmission),
acceptance criteria and caps, its steps, the source event, retries and feedback.
"""

from __future__ import annotations

from ingest.simulator.context import ChunkContext, Lead, iso_ms
from ingest.simulator.feedback import feedback_events
from ingest.simulator.person import Facts, person
from ingest.simulator.quality import extra_duplicate
from ingest.simulator.retries import RETRY_SHARE, retry_events
from ingest.simulator.source_event import source_event
from ingest.simulator.steps import StepWalk, walk_steps
from ingest.simulator.world import (
    DAY_MS,
    EVENING_BAD_PHONE_SHARE,
    EVENING_HOURS_UTC,
    EVENING_SOURCE,
    HOUR_MS,
    Flow,
    Placement,
)

DUPLICATE_POOL_SIZE = 50  # recent people per placement a resubmission is drawn from
CAP_REACHED = ("failure", "Cap reached")


class LeadSimulator:
    """Simulates a chunk's leads one by one; remembers recent people for resubmissions."""

    def __init__(self, context: ChunkContext):
        self.context = context
        self.recent_people: dict[int, list[tuple[dict, Facts]]] = {}  # by placement index
        evening = [
            index
            for index, source in enumerate(context.world.sources)
            if source.name == EVENING_SOURCE
        ]
        self.evening_source = evening[0] if evening else -1

    def simulate(
        self, submitted_ms: int, placement_index: int, capped: bool
    ) -> tuple[Lead, list[dict]]:
        """The lead and its events (the source event after its steps, then retries, feedback)."""
        context = self.context
        rng = context.rng
        world = context.world
        context.counts["leads"] += 1
        placement = world.placements[placement_index]
        source = world.sources[placement.source]
        flow = world.flows[placement.flow]
        lead_id = context.new_id(submitted_ms)
        lead_fields, facts, is_duplicate = self._person(placement_index, placement, submitted_ms)
        lead_vars = {"id": lead_id}
        lead_vars.update(lead_fields)
        lead = Lead(
            lead_id=lead_id,
            submitted_ms=submitted_ms,
            source=source,
            flow=flow,
            fields=lead_fields,
            facts=facts,
            is_duplicate=is_duplicate,
            day_index=(submitted_ms - context.config.day0_ms) // DAY_MS,
            host=context.random_host(),
            lead_vars=lead_vars,
            submission_vars={"timestamp": iso_ms(submitted_ms), "ip": source.ip},
            flow_vars=context.flow_refs[placement.flow],
            source_vars=context.source_refs[placement.source],
        )
        rejection = self._rejection(lead, placement, capped)
        steps_start_ms = submitted_ms + rng.randint(3, 25)
        events: list[dict] = []
        if rejection is None:
            walk = walk_steps(context, lead, steps_start_ms, events)
        else:
            walk = StepWalk(*rejection, steps_start_ms)
        events.append(source_event(context, lead, placement, walk, rejection is CAP_REACHED))
        for errored in walk.errored:
            if rng.random() < RETRY_SHARE:
                events.extend(retry_events(context, lead, errored))
        for delivery in walk.deliveries:
            events.extend(feedback_events(context, lead, delivery))
        return lead, events

    def _person(
        self, placement_index: int, placement: Placement, submitted_ms: int
    ) -> tuple[dict, Facts, bool]:
        """A fresh person, or a resubmission of a recent lead of the same placement."""
        context = self.context
        rng = context.rng
        world = context.world
        source = world.sources[placement.source]
        recent = self.recent_people.setdefault(placement_index, [])
        if recent and (rng.random() < source.dup or extra_duplicate(context, source)):
            lead_fields, facts = recent[rng.randrange(len(recent))]
            return lead_fields, facts, True
        bad_phone_share = source.bad
        if placement.source == self.evening_source and not context.clean:
            hour = (submitted_ms % DAY_MS) // HOUR_MS
            if EVENING_HOURS_UTC[0] <= hour < EVENING_HOURS_UTC[1]:
                bad_phone_share = EVENING_BAD_PHONE_SHARE
        flow = world.flows[placement.flow]
        lead_fields, facts = person(rng, source, flow, world.start_date.year, bad_phone_share)
        if len(recent) >= DUPLICATE_POOL_SIZE:
            recent[rng.randrange(DUPLICATE_POOL_SIZE)] = (lead_fields, facts)
        else:
            recent.append((lead_fields, facts))
        return lead_fields, facts, False

    def _rejection(self, lead: Lead, placement: Placement, capped: bool) -> tuple | None:
        """(outcome, reason) when the lead is turned away before its steps, else None."""
        world = self.context.world
        flow: Flow = lead.flow
        facts = lead.facts
        window_start_ms, window_end_ms = world.disabled_window
        if placement.flow == world.disabled_flow and (
            window_start_ms <= lead.submitted_ms < window_end_ms
        ):
            return "error", "Flow is disabled"
        if capped:
            return CAP_REACHED
        if flow.acceptance == "state_in" and facts.state not in flow.acceptance_states:
            return "failure", flow.acceptance_reason
        if flow.acceptance == "state_not_in" and (
            facts.state is None or facts.state in flow.acceptance_states
        ):
            return "failure", flow.acceptance_reason
        if lead.is_duplicate and flow.dedupe_reason:
            return "failure", flow.dedupe_reason
        return None
