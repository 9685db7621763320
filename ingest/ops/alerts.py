"""Event-based alerts: firings recorded in ``ops.alerts`` and posted to a webhook.

The rules themselves (``evaluate`` and one evaluator per rule kind) are in
``ingest.ops.alert_rules``. ``record(con, firings)`` adds the firings not seen before to
``ops.alerts``: a firing's id is stable (rule, subject, metric and period), so re-evaluating after
every build records each problem once. ``post_pending(con, url)`` posts every recorded, not yet
delivered alert as a Slack-compatible JSON payload (``text`` and ``blocks``, and the alert itself
under ``alert``), and writes the outcome back. ``run_alerts`` evaluates, records and posts, in
that order. Plain Python and SQL, no Dagster.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from ingest.ops.alert_rules import evaluate
from ingest.ops.config import AlertsConfig
from ingest.ops.firing import Firing, utc_now

OPS_ALERTS_DDL = """
create schema if not exists ops;

create table if not exists ops.alerts (
    alert_id       varchar not null,   -- stable: rule, subject, metric and period
    rule           varchar not null,
    kind           varchar not null,
    severity       varchar not null,   -- info | warning | critical
    subject_type   varchar not null,   -- source | recipient | step | dataset | warehouse
    subject_id     varchar,
    subject_name   varchar,
    period_start   timestamp,
    period_end     timestamp,
    metric         varchar not null,
    value          double,
    threshold      double,
    baseline       double,
    message        varchar not null,
    details        json,
    fired_at       timestamp not null, -- when it was first recorded
    run_id         varchar,
    posted_at      timestamp,
    post_status    varchar,            -- null: not posted (no webhook); ok; or the error
    post_attempts  integer not null
);
"""

MAX_POST_ATTEMPTS = 3
# Alerts older than this are not posted any more (e.g. recorded before a webhook was configured).
POST_WITHIN = timedelta(days=1)


def ensure_ops_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(OPS_ALERTS_DDL)


def record(
    con: duckdb.DuckDBPyConnection,
    firings: list[Firing],
    run_id: str = "",
    now: datetime | None = None,
) -> list[Firing]:
    """Insert the firings not recorded before; returns those new ones."""
    ensure_ops_schema(con)
    if not firings:
        return []
    known = {
        r[0]
        for r in con.execute(
            "select alert_id from ops.alerts where alert_id in (select unnest(?))",
            [[f.alert_id for f in firings]],
        ).fetchall()
    }
    fired_at = now or utc_now()
    new, seen = [], set()
    for f in firings:
        if f.alert_id in known or f.alert_id in seen:
            continue
        seen.add(f.alert_id)
        new.append(f)
        con.execute(
            "insert into ops.alerts values"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, 0)",
            [
                f.alert_id,
                f.rule,
                f.kind,
                f.severity,
                f.subject_type,
                f.subject_id,
                f.subject_name,
                f.period_start,
                f.period_end,
                f.metric,
                f.value,
                f.threshold,
                f.baseline,
                f.message,
                json.dumps(f.details, default=str),
                fired_at,
                run_id,
            ],
        )
    return new


SEVERITY_ICON = {
    "info": ":information_source:",
    "warning": ":warning:",
    "critical": ":rotating_light:",
}


def slack_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook message for one alert; the alert itself rides along."""
    icon = SEVERITY_ICON.get(alert["severity"], ":bell:")
    head = f"{icon} *{alert['severity'].upper()}* `{alert['rule']}`"
    return {
        "text": f"[{alert['severity']}] {alert['rule']}: {alert['message']}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"{head}\n{alert['message']}"}},
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"LeadWarehouse alert {alert['alert_id']} · {alert['metric']}"
                        f" = {alert['value']} (threshold {alert['threshold']})",
                    }
                ],
            },
        ],
        "alert": alert,
    }


def post_json(url: str, payload: dict[str, Any], timeout: float) -> str:
    """POST JSON; returns 'ok' or raises with the reason."""
    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        status = response.status
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    return "ok"


Poster = Callable[[str, dict[str, Any], float], str]


def post_pending(
    con: duckdb.DuckDBPyConnection,
    url: str,
    timeout: float = 5.0,
    poster: Poster = post_json,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """Post every alert recorded in the last day and not delivered yet (at most
    MAX_POST_ATTEMPTS tries each); returns (alert_id, 'ok' or the error)."""
    ensure_ops_schema(con)
    if not url:
        return []
    now = now or utc_now()
    cursor = con.execute(
        "select * from ops.alerts where coalesce(post_status, '') <> 'ok'"
        " and post_attempts < ? and fired_at >= ? order by fired_at, alert_id",
        [MAX_POST_ATTEMPTS, now - POST_WITHIN],
    )
    columns = [d[0] for d in cursor.description]
    pending = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    outcomes = []
    for row in pending:
        alert = {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in row.items()
            if k not in ("posted_at", "post_status", "post_attempts")
        }
        alert["details"] = json.loads(alert["details"]) if alert["details"] else {}
        try:
            status = poster(url, slack_payload(alert), timeout)
        except (OSError, RuntimeError, urllib.error.URLError, ValueError) as exc:
            status = f"error: {exc}"[:500]
        con.execute(
            "update ops.alerts set post_attempts = post_attempts + 1, post_status = ?,"
            " posted_at = case when ? = 'ok' then ? else posted_at end where alert_id = ?",
            [status, status, now, row["alert_id"]],
        )
        outcomes.append((row["alert_id"], status))
    return outcomes


@dataclass
class AlertsOutcome:
    by_rule: dict[str, list[Firing]]
    new: list[Firing]
    posted: list[tuple[str, str]]

    @property
    def firing(self) -> list[Firing]:
        return [f for firings in self.by_rule.values() for f in firings]


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    config: AlertsConfig,
    now: datetime | None = None,
    run_id: str = "",
    poster: Poster = post_json,
) -> AlertsOutcome:
    """Evaluate, record the new firings, post what has not been posted."""
    now = now or utc_now()
    by_rule = evaluate(con, config, now)
    new = record(con, [f for fs in by_rule.values() for f in fs], run_id, now)
    posted = post_pending(con, config.webhook_url, config.timeout_seconds, poster, now)
    return AlertsOutcome(by_rule, new, posted)
