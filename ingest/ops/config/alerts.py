"""config/alerts.yaml: the alert rules (kind, severity, parameters over each kind's defaults)
and the webhook, loaded as a frozen :class:`AlertsConfig`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.ops.config.checks import (
    NAME,
    as_number,
    as_whole,
    check_cron,
    check_keys,
    check_unique,
    limit_of,
    one_line_errors,
    read_mapping,
)
from ingest.settings import ConfigError, get_settings

ALERT_KINDS = (
    "rejection_spike",
    "delivery_failure",
    "step_latency",
    "quarantine_rate",
    "freshness",
    "trustedform_expiring",
    "buyer_return_rate",
)
SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class AlertRule:
    name: str
    kind: str
    severity: str
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.params[key]


@dataclass(frozen=True)
class AlertsConfig:
    rules: tuple[AlertRule, ...]
    webhook_url: str = ""
    timeout_seconds: float = 5.0
    lookback_days: int = 2
    schedule: str | None = "5 * * * *"
    path: Path | None = None


# Every rule kind's parameters and their defaults (a rule may override any of them).
RULE_DEFAULTS: dict[str, dict[str, Any]] = {
    # A source's rejection rate in an hour far above its own rate in the other hours.
    # granularity hour_of_day pools each UTC hour over the last `window_days` days (a recurring
    # pattern, e.g. every evening); `hour` tests every clock hour alone (needs volume).
    "rejection_spike": {
        "granularity": "hour_of_day",
        "window_days": 7,
        "min_leads": 20,
        "factor": 1.5,
        "min_increase": 0.2,
        "min_z": 3.5,
    },
    # A recipient's share of failed or errored deliveries in a day.
    "delivery_failure": {
        "max_failure_rate": 0.7,
        "max_error_rate": 0.2,
        "min_attempted": 30,
        "recipient_kinds": ["delivery"],
    },
    # A step's daily p95 latency (ms_p95 = processing time, or wait_ms_p95).
    "step_latency": {"metric": "ms_p95", "max_ms": 3000, "min_events": 20, "per_step": {}},
    # Share of records read in one landing batch that went to quarantine.
    "quarantine_rate": {"max_rate": 0.05, "min_records": 100},
    # No new events loaded for this long.
    "freshness": {"max_hours": 6},
    # A source's unclaimed TrustedForm certificates near the end of their claim window.
    "trustedform_expiring": {"min_certificates": 5, "min_share": 0.05},
    # A buyer's return rate over its threshold (per_buyer: buyer name -> max rate).
    "buyer_return_rate": {
        "max_return_rate": 0.15,
        "per_buyer": {},
        "window_days": 14,
        "mature_days": 5,
        "min_sold": 50,
    },
}


def _rule(entry: Any, where: str) -> AlertRule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping with name and kind")
    kind = entry.get("kind")
    if kind not in ALERT_KINDS:
        raise ConfigError(f"{where}: `kind` must be one of {ALERT_KINDS}, got {kind!r}")
    name = entry.get("name") or kind
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{where}: `name` must be lower case letters, digits and _")
    severity = entry.get("severity", "warning")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: `severity` must be one of {SEVERITIES}")
    defaults = RULE_DEFAULTS[kind]
    params = {k: v for k, v in entry.items() if k not in ("name", "kind", "severity")}
    check_keys(f"{where} ({name})", params, set(defaults))
    merged = {**defaults, **params}
    for key, value in merged.items():
        default = defaults[key]
        if isinstance(default, int | float) and not isinstance(default, bool):
            merged[key] = as_number(value, f"{where} ({name}).{key}", maximum=limit_of(key))
    if kind == "rejection_spike" and merged["granularity"] not in ("hour", "hour_of_day"):
        raise ConfigError(f"{where} ({name}).granularity: hour or hour_of_day")
    if kind == "step_latency":
        if merged["metric"] not in ("ms_p95", "wait_ms_p95"):
            raise ConfigError(f"{where} ({name}).metric: ms_p95 or wait_ms_p95")
        if not isinstance(merged["per_step"], dict):
            raise ConfigError(f"{where} ({name}).per_step: map a step name to its max_ms")
        merged["per_step"] = {
            str(k): as_number(v, f"{where} ({name}).per_step.{k}")
            for k, v in merged["per_step"].items()
        }
    if kind == "buyer_return_rate":
        if not isinstance(merged["per_buyer"], dict):
            raise ConfigError(f"{where} ({name}).per_buyer: map a buyer name to its max rate")
        merged["per_buyer"] = {
            str(k): as_number(v, f"{where} ({name}).per_buyer.{k}")
            for k, v in merged["per_buyer"].items()
        }
    if kind == "delivery_failure" and not (
        isinstance(merged["recipient_kinds"], list) and merged["recipient_kinds"]
    ):
        raise ConfigError(f"{where} ({name}).recipient_kinds: a list, e.g. [delivery]")
    return AlertRule(name=name, kind=kind, severity=severity, params=merged)


@one_line_errors("alerts_config")
def load_alerts(path: Path | None = None, environ: Mapping[str, str] | None = None) -> AlertsConfig:
    settings = get_settings(environ)
    path = path or settings.alerts_config
    data = read_mapping(path)
    check_keys(str(path), data, {"webhook", "lookback_days", "schedule", "rules"})
    webhook = data.get("webhook") or {}
    check_keys(f"{path}: webhook", webhook, {"url", "timeout_seconds"})
    url = settings.alert_webhook or str(webhook.get("url") or "").strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: webhook url must start with http:// or https://, got {url!r}")
    entries = data.get("rules")
    if entries is None:
        entries = [{"kind": kind} for kind in ALERT_KINDS]
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `rules` must be a list")
    rules = tuple(_rule(e, f"{path}: rules[{i}]") for i, e in enumerate(entries))
    check_unique([item.name for item in rules], f"{path}: rule names")
    lookback = as_whole(data.get("lookback_days", 2), f"{path}: lookback_days", "days")
    schedule = data.get("schedule", "5 * * * *")
    if schedule is not None:
        schedule = check_cron(schedule, f"{path}: schedule")
    return AlertsConfig(
        rules=rules,
        webhook_url=url,
        timeout_seconds=as_number(
            webhook.get("timeout_seconds", 5), f"{path}: timeout_seconds", maximum=300
        ),
        lookback_days=lookback,
        schedule=schedule,
        path=path,
    )
