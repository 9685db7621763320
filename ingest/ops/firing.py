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


def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    """The period of the whole days `first` .. `last`: first's midnight and the one after last."""
    return midnight(first), midnight(last + timedelta(days=1))


def whole_day(day: date) -> tuple[datetime, datetime]:
    """The period of one whole day: its midnight and the next."""
    return whole_days(day, day)


def firing(
    rule: AlertRule,
    subject: tuple[str, str, str],
    period: tuple[datetime | None, datetime | None],
    baseline: float | None = None,
    **fields: Any,
) -> Firing:
    """A firing of `rule` about `subject` (its type, id and name) over `period` (start, end);
    `fields` are the rest of Firing's (no `baseline` by default: most rules judge against a fixed
    threshold)."""
    subject_type, subject_id, subject_name = subject
    return Firing(
        rule=rule.name,
        kind=rule.kind,
        severity=rule.severity,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_name=subject_name,
        period_start=period[0],
        period_end=period[1],
        baseline=baseline,
        **fields,
    )


def pct(x: float) -> str:
    return f"{100 * x:.0f}%"
