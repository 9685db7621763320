"""The simulated lead operation, built from the seed: account, recipients, flows, sources and
where they post, caps, and the stories the dashboards must find.
"""

from __future__ import annotations

import random
from datetime import date

from ingest.simulator.flows import build_flows
from ingest.simulator.quality import quality_stories
from ingest.simulator.recipients import build_recipients
from ingest.simulator.world import (
    ACCOUNT_NAME,
    DAY_MS,
    DEPLOY_DAY_INDEX,
    DISABLED_DAY_INDEX,
    EVENING_HOURS_UTC,
    EVENING_SOURCE,
    HOUR_MS,
    LATE_RETURN_DAYS,
    OUTAGE_DAY_INDEX,
    RETURNS_SOURCE,
    SLOW_BUYER_HOURS_UTC,
    UNPROFITABLE_SOURCE,
    IdMaker,
    Placement,
    Source,
    World,
    derive_seed,
    epoch_ms,
)


def build_world(seed: int, start_date: date, leads: int, days: int, clean_days: int = 0) -> World:
    """The operation; its last ``clean_days`` days have no stories (see simulator.quality)."""
    rng = random.Random(derive_seed(seed, "world"))
    ids = IdMaker(rng, start_date)
    per_day = max(leads / max(days, 1), 1.0)
    clean_from_day = days - min(max(clean_days, 0), days)
    outage_day = min(OUTAGE_DAY_INDEX, days - 1)
    disabled_day = min(DISABLED_DAY_INDEX, days - 1)
    deploy_day = min(DEPLOY_DAY_INDEX, days)
    # a story day that is clean does not happen (-1: no lead's day)
    recipients_outage_day = outage_day if outage_day < clean_from_day else -1

    account = {"id": ids.oid(1500, 2200), "name": ACCOUNT_NAME}
    roster = build_recipients(ids, rng, per_day, recipients_outage_day)
    flows = build_flows(ids, roster)
    auto_nat, mortgage, solar, education = flows[1:]
    recipients = roster.all()
    summit, linecheck = roster.summit, roster.linecheck

    # name, base invalid share, duplicate share, TF missing, consent miss, return rate, intl share
    source_specs = [
        ("Quote Wizard Media", 0.03, 0.04, 0.06, 0.02, 0.04, 0.0),
        ("Lone Star Leads", 0.05, 0.05, 0.08, 0.03, 0.05, 0.0),
        (RETURNS_SOURCE, 0.07, 0.08, 0.10, 0.04, 0.30, 0.005),
        ("Redline Auto Leads", 0.09, 0.06, 0.12, 0.05, 0.06, 0.0),
        (EVENING_SOURCE, 0.04, 0.05, 0.10, 0.03, 0.06, 0.01),
        ("Velocity Leads", 0.06, 0.10, 0.10, 0.03, 0.07, 0.005),
        ("Peak Performance Leads", 0.02, 0.03, 0.05, 0.02, 0.03, 0.0),
        ("Cobalt Media Group", 0.11, 0.07, 0.15, 0.06, 0.08, 0.02),
        ("Liberty Lead Exchange", 0.05, 0.04, 0.10, 0.03, 0.05, 0.0),
        ("LendStream", 0.03, 0.05, 0.05, 0.02, 0.04, 0.0),
        ("RateHunter", 0.06, 0.09, 0.08, 0.03, 0.06, 0.005),
        ("HomeSure Referrals", 0.02, 0.03, 0.04, 0.02, 0.03, 0.0),
        ("Keystone Lead Partners", 0.08, 0.06, 0.12, 0.05, 0.07, 0.01),
        ("NorthStar Affiliates", 0.10, 0.08, 0.14, 0.05, 0.08, 0.02),
        ("SunTrack Leads", 0.04, 0.05, 0.06, 0.03, 0.05, 0.0),
        ("Solarize Direct", 0.06, 0.06, 0.10, 0.04, 0.06, 0.0),
        (UNPROFITABLE_SOURCE, 0.12, 0.08, 0.16, 0.06, 0.09, 0.01),
        ("EduPath Marketing", 0.05, 0.06, 0.08, 0.03, 0.05, 0.0),
        ("CampusReach", 0.07, 0.12, 0.10, 0.04, 0.06, 0.01),
        ("DegreeFinder Media", 0.04, 0.05, 0.07, 0.03, 0.05, 0.0),
        ("TrueNorth Digital", 0.09, 0.07, 0.12, 0.05, 0.07, 0.03),
        ("Horizon Lead Gen", 0.06, 0.05, 0.09, 0.04, 0.06, 0.005),
        ("Blue Fin Marketing", 0.05, 0.05, 0.08, 0.03, 0.05, 0.0),
    ]
    sources: list[Source] = []
    for name, bad, dup, tf_missing, consent_miss, return_rate, intl in source_specs:
        ip = (
            f"{rng.choice((23, 34, 44, 52, 64, 66, 104, 107, 162, 198, 203, 209))}."
            f"{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(2, 254)}"
        )
        sources.append(
            Source(ids.oid(), name, ip, bad, dup, tf_missing, consent_miss, return_rate, intl)
        )
    by_name = {source.name: index for index, source in enumerate(sources)}

    # (source, flow index, weight, base purchase price)
    placement_specs = [
        ("Quote Wizard Media", 0, 3.0, 6.0),
        ("Lone Star Leads", 0, 2.0, 5.5),
        (RETURNS_SOURCE, 0, 1.6, 4.0),
        ("Redline Auto Leads", 0, 1.4, 4.5),
        (EVENING_SOURCE, 1, 3.2, 3.5),
        (RETURNS_SOURCE, 1, 1.6, 3.0),
        ("Velocity Leads", 1, 2.2, 4.0),
        ("Peak Performance Leads", 1, 1.6, 5.0),
        ("Cobalt Media Group", 1, 1.5, 2.5),
        ("Liberty Lead Exchange", 1, 1.0, 4.0),
        ("Blue Fin Marketing", 1, 0.8, 3.5),
        ("LendStream", 2, 2.8, 14.0),
        ("RateHunter", 2, 2.0, 11.0),
        ("HomeSure Referrals", 2, 1.8, 16.0),
        ("Keystone Lead Partners", 2, 1.4, 10.0),
        ("NorthStar Affiliates", 2, 0.8, 9.0),
        ("Blue Fin Marketing", 2, 0.6, 12.0),
        ("SunTrack Leads", 3, 2.6, 12.0),
        ("Solarize Direct", 3, 1.9, 10.0),
        # paid about what a solar buyer pays for a lead: with its returns, it loses money
        (UNPROFITABLE_SOURCE, 3, 1.4, 36.0),
        ("NorthStar Affiliates", 3, 0.9, 8.0),
        ("EduPath Marketing", 4, 2.6, 7.0),
        ("CampusReach", 4, 2.0, 6.0),
        ("DegreeFinder Media", 4, 1.5, 6.5),
        ("TrueNorth Digital", 4, 1.0, 4.5),
        ("Horizon Lead Gen", 4, 1.0, 5.5),
    ]
    placements = [
        Placement(
            by_name[source_name],
            flow_index,
            weight * rng.uniform(0.9, 1.1),
            round(price * rng.uniform(0.9, 1.1) * 4) / 4,
        )
        for source_name, flow_index, weight, price in placement_specs
    ]
    total_weight = sum(placement.weight for placement in placements)
    # Source daily caps at ~85% of their average daily volume: busy weekdays hit them.
    for name, share in (("Velocity Leads", 0.85), ("CampusReach", 0.85)):
        weight = sum(
            placement.weight for placement in placements if placement.source == by_name[name]
        )
        sources[by_name[name]].daily_cap = max(1, round(weight / total_weight * per_day * share))

    day0 = epoch_ms(start_date)
    disabled_window = (
        day0 + disabled_day * DAY_MS + 3 * HOUR_MS,
        day0 + disabled_day * DAY_MS + 4 * HOUR_MS,
    )
    if disabled_day >= clean_from_day:
        disabled_window = (0, 0)
    evening = sources[by_name[EVENING_SOURCE]]
    returns = sources[by_name[RETURNS_SOURCE]]
    phone_filter = next(step for step in auto_nat.steps if step.check == "phone_valid")
    slow_step = next(step for step in solar.steps if step.recipient is linecheck)
    stories = {
        "evening_rejections": {
            "source_id": evening.id,
            "source_name": evening.name,
            "flow_name": auto_nat.name,
            "filter_step_id": phone_filter.step_id,
            "filter_name": phone_filter.name,
            "reason": phone_filter.reason,
            "hours_utc": list(EVENING_HOURS_UTC),
        },
        "buyer_outage": {
            "recipient_id": summit.id,
            "recipient_name": summit.name,
            "flow_name": mortgage.name,
            "step_id": next(step for step in mortgage.steps if step.recipient is summit).step_id,
            "date": (date.fromordinal(start_date.toordinal() + outage_day)).isoformat(),
            "reasons": ["Server error", "ESOCKETTIMEDOUT"],
        },
        "slow_step": {
            "recipient_id": linecheck.id,
            "recipient_name": linecheck.name,
            "flow_name": solar.name,
            "step_id": slow_step.step_id,
            "median_wait_ms": linecheck.wait_ms,
        },
        "returns_source": {
            "source_id": returns.id,
            "source_name": returns.name,
            "return_rate": returns.return_rate,
        },
        "cap_pacing": {
            "recipient_id": roster.everest.id,
            "recipient_name": roster.everest.name,
            "daily_cap": roster.everest.daily_cap,
            "monthly_cap_recipient_id": roster.harbor.id,
            "monthly_cap_recipient_name": roster.harbor.name,
            "monthly_cap": roster.harbor.monthly_cap,
            "capped_sources": [source.name for source in sources if source.daily_cap],
        },
        "slow_buyer": {
            "recipient_id": roster.gulf.id,
            "recipient_name": roster.gulf.name,
            "flow_name": flows[0].name,
            "timeout_ms": roster.gulf.timeout_ms,
            "slow_hours_utc": list(SLOW_BUYER_HOURS_UTC),
        },
        "late_returns": {
            "recipient_id": roster.blue_ridge.id,
            "recipient_name": roster.blue_ridge.name,
            "days_after_delivery": list(LATE_RETURN_DAYS),
        },
        "unprofitable_source": {
            "source_id": sources[by_name[UNPROFITABLE_SOURCE]].id,
            "source_name": UNPROFITABLE_SOURCE,
        },
        "flow_disabled": {
            "flow_id": education.id,
            "flow_name": education.name,
            "date": (date.fromordinal(start_date.toordinal() + disabled_day)).isoformat(),
            "hours_utc": [3, 4],
        },
    }
    stories.update(quality_stories(sources, recipients, flows))
    if clean_from_day < days:
        stories = _without_clean_days(stories, start_date, days, clean_from_day)
    hosts = tuple(f"app-worker-{number:02d}" for number in range(1, 13))
    return World(
        seed=seed,
        start_date=start_date,
        days=days,
        account=account,
        flows=flows,
        sources=sources,
        recipients=recipients,
        placements=placements,
        hosts=hosts,
        outage_day=outage_day,
        disabled_flow=flows.index(education),
        disabled_window=disabled_window,
        deploy_ms=day0 + deploy_day * DAY_MS,
        stories=stories,
        clean_from_day=clean_from_day,
    )


def _without_clean_days(stories: dict, start_date: date, days: int, clean_from_day: int) -> dict:
    """The stories that still happen when the days from ``clean_from_day`` on are clean, and
    ``clean_days`` (first date, number of days)."""
    first_clean = date.fromordinal(start_date.toordinal() + clean_from_day)
    kept = {
        name: story
        for name, story in stories.items()
        if clean_from_day > 0
        and ("date" not in story or date.fromisoformat(story["date"]) < first_clean)
    }
    kept["clean_days"] = {"first_date": first_clean.isoformat(), "days": days - clean_from_day}
    return kept
