"""Alert rules: each rule kind of ``config/alerts.yaml`` evaluated against the warehouse.

``evaluate(con, config, now)`` runs every rule against the marts (plus ``raw.ingest_manifest`` and
``raw.lead_events`` for the quarantine and freshness rules) and returns the :class:`Firing` list
per rule: what is wrong *now*, within each rule's window. A firing's id is stable (rule, subject,
metric and period), so re-evaluating after every build records each problem once
(``ingest.ops.alerts.record``). Plain Python and SQL, no Dagster.

Rule kinds (parameters and defaults: ``ingest.ops.config.RULE_DEFAULTS``):

- ``rejection_spike``: a source's rejection rate in an hour far above its own baseline (its rate
  in all other hours of the window): at least ``min_leads`` leads, ``factor`` times and
  ``min_increase`` above the baseline, with a one-sided z score >= ``min_z`` (binomial, normal
  approximation with the continuity correction). ``hour_of_day`` pools each UTC hour over
  ``window_days`` days (a pattern that recurs every day, found at modest volume); ``hour`` tests
  every clock hour alone. (The
  acceptance page's ``rejection_prone_hours`` is another measure: the strongest band of 2-6
  hours per source over the page's filters, by a two-proportion z score, without thresholds.)
- ``delivery_failure``: a recipient's failure or error rate on a day (fct_delivery_daily).
- ``step_latency``: a step's daily p95 latency (fct_step_latency_daily) above ``max_ms``
  (``per_step`` overrides by step name).
- ``quarantine_rate``: share of the records read in a day's landing batches that were quarantined.
- ``freshness``: no new events loaded for ``max_hours``.
- ``trustedform_expiring``: a source's TrustedForm certificates left unclaimed with at most 24
  hours of their claim window left when the flow checked them (fct_trustedform_certificates),
  over the newest ``lookback_days`` days: at least ``min_certificates`` and ``min_share`` of its
  certificates. The message says how many can still be claimed (before they expire) at ``now``.
- ``buyer_return_rate``: a buyer's return rate (fct_returns_daily: returned / sold, by delivery
  day) over ``window_days`` days ending ``mature_days`` before the newest delivery day (returns
  arrive days later), above its threshold: ``per_buyer`` (buyer name -> rate, e.g. the 10-20% a
  contract allows) or ``max_return_rate``; at least ``min_sold`` leads sold.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import duckdb

from ingest.landing.raw_store import has_table
from ingest.ops.config import AlertRule, AlertsConfig
from ingest.ops.firing import Firing, firing, midnight, pct, utc_now, whole_day, whole_days

# --------------------------------------------------------------------------- rules

Connection = duckdb.DuckDBPyConnection


def _rows(con: Connection, table: str, sql: str, params: list) -> list[tuple]:
    """The rows of a rule's query, none while the table it reads (`schema.name`) is not built."""
    schema, name = table.split(".")
    if not has_table(con, schema, name):
        return []
    return con.execute(sql, params).fetchall()


def _newest_days(
    con: Connection,
    table: str,
    daily: str,
    params: list,
    *,
    day: str,
    days: int,
    order: str,
) -> list[tuple]:
    """The rows of the query `daily` (over `table`) on its newest `days` days (the date column
    `day`), ordered by `order`: what a rule judged day by day looks at."""
    return _rows(
        con,
        table,
        f"""
        with daily as ({daily})
        select * from daily
        where {day} > (select max({day}) from daily) - cast(? as integer)
        order by {order}
        """,
        [*params, days],
    )


def _rate_over(count: int, total: int, minimum: float, limit: float) -> float | None:
    """count / total when there are at least `minimum` in all and the rate is above `limit`."""
    if total < minimum or count / total <= limit:
        return None
    return count / total


def z_score(rejected: int, leads: int, baseline: float) -> float:
    """One-sided binomial z score of `rejected` out of `leads` against a baseline rate, with the
    continuity correction (half a lead): without it the normal approximation overstates the
    excess of a small hour (22 of 29 against 43% would pass a z of 3.5; corrected it is 3.39)."""
    if leads <= 0:
        return 0.0
    if baseline <= 0.0:
        return math.inf if rejected > 0 else 0.0
    if baseline >= 1.0:
        return 0.0
    excess = rejected - leads * baseline
    corrected = max(abs(excess) - 0.5, 0.0) * (1 if excess >= 0 else -1)
    return corrected / math.sqrt(leads * baseline * (1.0 - baseline))


def rejection_spikes(con: Connection, rule: AlertRule, lookback_days: int) -> list[Firing]:
    window_days = int(rule.get("window_days"))
    rows = _rows(
        con,
        "marts.fct_acceptance_hourly",
        """
        with hourly as (
            select submitted_date, submitted_hour_utc as hour, source_id,
                   max(source_name) as source_name,
                   sum(leads) as leads, sum(rejected) as rejected
            from marts.fct_acceptance_hourly
            group by all
        ),
        latest as (select max(submitted_date) as day from hourly)
        select hourly.* from hourly, latest
        where hourly.submitted_date > latest.day - cast(? as integer)
        """,
        [window_days],
    )
    if not rows:
        return []
    latest = max(r[0] for r in rows)
    first = min(r[0] for r in rows)  # the window's first day with data
    totals: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for _day, _hour, source_id, name, leads, rejected in rows:
        t = totals.setdefault(source_id, [0, 0])
        t[0] += int(leads)
        t[1] += int(rejected)
        names[source_id] = name
    if rule.get("granularity") == "hour_of_day":
        buckets: dict[tuple, list[int]] = {}
        for _day, hour, source_id, _name, leads, rejected in rows:
            b = buckets.setdefault((source_id, hour, None), [0, 0])
            b[0] += int(leads)
            b[1] += int(rejected)
    else:
        oldest_evaluated = latest - timedelta(days=lookback_days - 1)
        buckets = {
            (source_id, hour, day): [int(leads), int(rejected)]
            for day, hour, source_id, _name, leads, rejected in rows
            if day >= oldest_evaluated
        }
    firings = []
    ordered = sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2])))
    for (source_id, hour, day), (leads, rejected) in ordered:
        total_leads, total_rejected = totals[source_id]
        base_leads, base_rejected = total_leads - leads, total_rejected - rejected
        if leads < rule.get("min_leads") or base_leads <= 0:
            continue
        rate, baseline = rejected / leads, base_rejected / base_leads
        z = z_score(rejected, leads, baseline)
        if not (
            rate >= rule.get("factor") * baseline
            and rate >= baseline + rule.get("min_increase")
            and z >= rule.get("min_z")
        ):
            continue
        name = names[source_id]
        if day is None:
            # judged over the window; dated by the hour's latest occurrence (one firing a day)
            start = midnight(latest) + timedelta(hours=hour)
            when = f"{hour:02d}:00-{(hour + 1) % 24:02d}:00 UTC over {first} .. {latest}"
            subject = f"{source_id}@{hour:02d}"
        else:
            start = midnight(day) + timedelta(hours=hour)
            when = f"{day} {hour:02d}:00-{(hour + 1) % 24:02d}:00 UTC"
            subject = source_id
        firings.append(
            firing(
                rule,
                subject=("source", subject, name),
                period=(start, start + timedelta(hours=1)),
                metric="rejection_rate",
                value=round(rate, 4),
                threshold=round(
                    max(rule.get("factor") * baseline, baseline + rule.get("min_increase")), 4
                ),
                baseline=round(baseline, 4),
                message=(
                    f"Source {name}: {pct(rate)} of leads rejected {when} "
                    f"({rejected} of {leads}), against its usual {pct(baseline)}"
                ),
                details={
                    "source_id": source_id,
                    "hour_utc": hour,
                    "date": day.isoformat() if day else None,
                    "leads": leads,
                    "rejected": rejected,
                    "z": None if math.isinf(z) else round(z, 2),
                    "granularity": rule.get("granularity"),
                    "window": [first.isoformat(), latest.isoformat()],
                },
            )
        )
    return firings


def delivery_failures(con: Connection, rule: AlertRule, lookback_days: int) -> list[Firing]:
    rows = _newest_days(
        con,
        "marts.fct_delivery_daily",
        """
        select delivery_date, recipient_id, max(recipient_name) as recipient_name,
               sum(attempted) as attempted, sum(failed) as failed, sum(errored) as errored
        from marts.fct_delivery_daily
        where recipient_kind in (select unnest(?))
        group by all
        """,
        [list(rule.get("recipient_kinds"))],
        day="delivery_date",
        days=lookback_days,
        order="delivery_date, recipient_name",
    )
    firings = []
    for day, recipient_id, name, attempted, failed, errored in rows:
        attempted, failed, errored = int(attempted), int(failed or 0), int(errored or 0)
        if attempted < rule.get("min_attempted"):
            continue
        for metric, count, limit, word in (
            ("error_rate", errored, rule.get("max_error_rate"), "errored"),
            ("failure_rate", failed, rule.get("max_failure_rate"), "failed"),
        ):
            rate = count / attempted
            if rate <= limit:
                continue
            firings.append(
                firing(
                    rule,
                    subject=("recipient", recipient_id, name),
                    period=whole_day(day),
                    metric=metric,
                    value=round(rate, 4),
                    threshold=limit,
                    message=(
                        f"Recipient {name}: {pct(rate)} of deliveries {word} on {day} "
                        f"({count} of {attempted}; threshold {pct(limit)})"
                    ),
                    details={
                        "date": day.isoformat(),
                        "attempted": attempted,
                        "failed": failed,
                        "errored": errored,
                    },
                )
            )
    return firings


def slow_steps(con: Connection, rule: AlertRule, lookback_days: int) -> list[Firing]:
    metric = rule.get("metric")
    rows = _newest_days(
        con,
        "marts.fct_step_latency_daily",
        f"""
        select event_date, step_id, event_type, step_name, flow_name, events, {metric}
        from marts.fct_step_latency_daily
        """,
        [],
        day="event_date",
        days=lookback_days,
        order="event_date, step_name, step_id, event_type",
    )
    per_step = rule.get("per_step")
    firings = []
    for day, step_id, event_type, name, flow, events, value in rows:
        limit = per_step.get(name, rule.get("max_ms"))
        if value is None or events < rule.get("min_events") or value <= limit:
            continue
        kind = "" if event_type == "recipient" else f" ({event_type})"
        firings.append(
            firing(
                rule,
                subject=("step", f"{step_id}:{event_type}", name),
                period=whole_day(day),
                metric=metric,
                value=round(float(value), 1),
                threshold=limit,
                message=(
                    f"Step {name}{kind} in {flow}: p95 {metric.replace('_p95', '')} "
                    f"{float(value) / 1000:.1f} s on {day} ({events} events; "
                    f"threshold {limit / 1000:.1f} s)"
                ),
                details={
                    "date": day.isoformat(),
                    "step_id": step_id,
                    "event_type": event_type,
                    "flow_name": flow,
                    "events": int(events),
                },
            )
        )
    return firings


def quarantine_rates(con: Connection, rule: AlertRule, lookback_days: int) -> list[Firing]:
    rows = _newest_days(
        con,
        "raw.ingest_manifest",
        """
        select dataset, cast(ingested_at as date) as ingest_date,
               sum(records_read) as records, sum(quarantined) as quarantined,
               count(distinct batch_id) as batches
        from raw.ingest_manifest
        where status = 'loaded'
        group by all
        """,
        [],
        day="ingest_date",
        days=lookback_days,
        order="ingest_date, dataset",
    )
    firings = []
    limit = rule.get("max_rate")
    for dataset, day, records, quarantined, batches in rows:
        records, quarantined = int(records), int(quarantined)
        rate = _rate_over(quarantined, records, rule.get("min_records"), limit)
        if rate is None:
            continue
        firings.append(
            firing(
                rule,
                subject=("dataset", dataset, dataset),
                period=whole_day(day),
                metric="quarantine_rate",
                value=round(rate, 4),
                threshold=limit,
                message=(
                    f"Landing {dataset}: {pct(rate)} of the records loaded on {day} went to "
                    f"quarantine ({quarantined} of {records}; threshold {pct(limit)}); "
                    "see raw.quarantine for the reasons"
                ),
                details={"date": day.isoformat(), "records": records, "batches": int(batches)},
            )
        )
    return firings


def stale_events(con: Connection, rule: AlertRule, now: datetime) -> list[Firing]:
    if not has_table(con, "raw", "lead_events"):
        return []
    newest = con.execute("select max(ingested_at) from raw.lead_events").fetchone()[0]
    if newest is None:
        return []
    limit = rule.get("max_hours")
    hours = (now - newest).total_seconds() / 3600
    if hours <= limit:
        return []
    return [
        firing(
            rule,
            subject=("warehouse", "raw.lead_events", "lead events"),
            period=(newest, now),
            metric="hours_since_new_events",
            value=round(hours, 2),
            threshold=limit,
            message=(
                f"No new events for {hours:.1f} hours (last loaded {newest:%Y-%m-%d %H:%M} UTC; "
                f"threshold {limit:g} h): check the landing zone and the landing sensor"
            ),
            details={"last_ingested_at": newest.isoformat()},
        )
    ]


def expiring_certificates(
    con: Connection, rule: AlertRule, lookback_days: int, now: datetime
) -> list[Firing]:
    rows = _rows(
        con,
        "marts.fct_trustedform_certificates",
        """
        with recent as (
            select * from marts.fct_trustedform_certificates
            where check_date > (select max(check_date) from marts.fct_trustedform_certificates)
                               - cast(? as integer)
        )
        select source_id, max(source_name) as source_name,
               min(check_date) as first_day, max(check_date) as last_day,
               count(*) filter (where certificate_status in ('claimed', 'unclaimed'))
                   as certificates,
               count(*) filter (where is_unclaimed_near_expiry) as near_expiry,
               count(*) filter (where is_unclaimed_near_expiry
                                  and certificate_expires_at > ?) as claimable,
               min(certificate_expires_at) filter (where is_unclaimed_near_expiry
                                                     and certificate_expires_at > ?)
                   as next_expiry,
               min(hours_left_at_check) filter (where is_unclaimed_near_expiry) as min_hours
        from recent
        group by source_id
        order by source_name, source_id
        """,
        [lookback_days, now, now],
    )
    firings = []
    for source_id, name, first, last, certificates, near, claimable, next_expiry, hours in rows:
        certificates, near = int(certificates), int(near)
        share = near / certificates if certificates else 0.0
        if near < rule.get("min_certificates") or share < rule.get("min_share"):
            continue
        if claimable:
            still = (
                f"{claimable} can still be claimed, the next expires {next_expiry:%Y-%m-%d %H:%M}"
                " UTC: claim them now or stop selling them"
            )
        else:
            still = "all of them have expired since: these leads' consent is no longer documented"
        firings.append(
            firing(
                rule,
                subject=("source", source_id, name),
                period=whole_days(first, last),
                metric="unclaimed_near_expiry",
                value=float(near),
                threshold=rule.get("min_certificates"),
                message=(
                    f"Source {name}: {near} TrustedForm certificates unclaimed and within 24 h "
                    f"of expiry when checked, {first} .. {last} ({pct(share)} of its "
                    f"{certificates} certificates); {still}"
                ),
                details={
                    "source_id": source_id,
                    "window": [first.isoformat(), last.isoformat()],
                    "certificates": certificates,
                    "near_expiry_share": round(share, 4),
                    "claimable_now": int(claimable),
                    "next_expiry": next_expiry.isoformat() if next_expiry else None,
                    "min_hours_left": None if hours is None else round(float(hours), 1),
                },
            )
        )
    return firings


def buyer_return_rates(con: Connection, rule: AlertRule) -> list[Firing]:
    window_days, mature_days = int(rule.get("window_days")), int(rule.get("mature_days"))
    rows = _rows(
        con,
        "marts.fct_returns_daily",
        """
        with bounds as (
            select max(delivery_date) - cast(? as integer) as last_day
            from marts.fct_returns_daily
        )
        select recipient_id, max(recipient_name) as recipient_name,
               min(delivery_date) as first_day, max(delivery_date) as last_day,
               sum(sold) as sold, sum(returned) as returned
        from marts.fct_returns_daily, bounds
        where delivery_date <= bounds.last_day
          and delivery_date > bounds.last_day - cast(? as integer)
        group by recipient_id
        order by recipient_name, recipient_id
        """,
        [mature_days, window_days],
    )
    per_buyer = rule.get("per_buyer")
    firings = []
    for recipient_id, name, first, last, sold, returned in rows:
        sold, returned = int(sold), int(returned)
        limit = per_buyer.get(name, rule.get("max_return_rate"))
        rate = _rate_over(returned, sold, rule.get("min_sold"), limit)
        if rate is None:
            continue
        firings.append(
            firing(
                rule,
                subject=("recipient", recipient_id, name),
                period=whole_days(first, last),
                metric="return_rate",
                value=round(rate, 4),
                threshold=limit,
                message=(
                    f"Buyer {name}: {pct(rate)} of the leads delivered {first} .. {last} were "
                    f"returned ({returned} of {sold}), over its threshold of {pct(limit)}; see "
                    "the Lead quality page for the sources and reasons"
                ),
                details={
                    "window": [first.isoformat(), last.isoformat()],
                    "sold": sold,
                    "returned": returned,
                    "threshold_from": "per_buyer" if name in per_buyer else "max_return_rate",
                },
            )
        )
    return firings


def evaluate(
    con: Connection, config: AlertsConfig, now: datetime | None = None
) -> dict[str, list[Firing]]:
    """rule name -> its firings (empty when the rule is satisfied)."""
    now = now or utc_now()
    result: dict[str, list[Firing]] = {}
    for rule in config.rules:
        if rule.kind == "rejection_spike":
            result[rule.name] = rejection_spikes(con, rule, config.lookback_days)
        elif rule.kind == "delivery_failure":
            result[rule.name] = delivery_failures(con, rule, config.lookback_days)
        elif rule.kind == "step_latency":
            result[rule.name] = slow_steps(con, rule, config.lookback_days)
        elif rule.kind == "quarantine_rate":
            result[rule.name] = quarantine_rates(con, rule, config.lookback_days)
        elif rule.kind == "freshness":
            result[rule.name] = stale_events(con, rule, now)
        elif rule.kind == "trustedform_expiring":
            result[rule.name] = expiring_certificates(con, rule, config.lookback_days, now)
        elif rule.kind == "buyer_return_rate":
            result[rule.name] = buyer_return_rates(con, rule)
    return result
