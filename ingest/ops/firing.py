"""A firing: one problem an alert rule found (rule, subject, metric, period, value against
threshold, message), with a stable id; and the small helpers the rules build firings with."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ingest.ops.config import AlertRule


@dataclass(frozen=True)
class Firing:
    rule: str
    kind: str
    severity: str
    subject_type: str
    subject_id: str
    subject_name: str
    period_start: datetime | None
    period_end: datetime | None
    metric: str
    value: float
    threshold: float
    baseline: float | None
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def alert_id(self) -> str:
        period = self.period_start.isoformat() if self.period_start else ""
        key = "|".join([self.rule, self.subject_type, self.subject_id, self.metric, period])
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alert_id"] = self.alert_id
        for key in ("period_start", "period_end"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def utc_now() -> datetime:
    return datetime.now(tz=UTC).replace(tzinfo=None)


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def whole_day(day: date) -> tuple[datetime, datetime]:
    """The period of one whole day: its midnight and the next."""
    return midnight(day), midnight(day + timedelta(days=1))


def firing(
    rule: AlertRule, period: tuple[datetime | None, datetime | None], **fields: Any
) -> Firing:
    """A firing of `rule` over `period` (start, end); `fields` are the rest of Firing's."""
    return Firing(
        rule=rule.name,
        kind=rule.kind,
        severity=rule.severity,
        period_start=period[0],
        period_end=period[1],
        **fields,
    )


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"
