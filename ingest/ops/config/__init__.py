"""Operations config: exports, retention and alert rules, each in a YAML file a user edits.

``config/exports.yaml``, ``config/retention.yaml`` and ``config/alerts.yaml`` (each can be moved
with an environment variable: ``LEADWH_EXPORTS_CONFIG``, ``LEADWH_RETENTION_CONFIG``,
``LEADWH_ALERTS_CONFIG``; see ``ingest/settings.py``). The loaders validate everything up front
and raise :class:`ConfigError` (one line) naming the file, the entry and what to write instead;
the rest of the code gets frozen dataclasses. No I/O besides reading the file, no Dagster.
"""

from __future__ import annotations

from ingest.ops.config.alerts import (
    ALERT_KINDS,
    RULE_DEFAULTS,
    SEVERITIES,
    AlertRule,
    AlertsConfig,
    load_alerts,
)
from ingest.ops.config.checks import check_cron, parse_duration
from ingest.ops.config.exports import (
    EXPORT_FORMATS,
    EXPORT_MAX_ROWS,
    EXPORT_TIMEOUT,
    ExportsConfig,
    ExportSpec,
    load_exports,
)
from ingest.ops.config.retention import (
    DEFAULT_KEEP_DAYS,
    RETENTION_DATASETS,
    DatasetRetention,
    RetentionConfig,
    load_retention,
)
from ingest.settings import CONFIG_DIR, ConfigError

__all__ = [
    "ALERT_KINDS",
    "CONFIG_DIR",
    "DEFAULT_KEEP_DAYS",
    "EXPORT_FORMATS",
    "EXPORT_MAX_ROWS",
    "EXPORT_TIMEOUT",
    "RETENTION_DATASETS",
    "RULE_DEFAULTS",
    "SEVERITIES",
    "AlertRule",
    "AlertsConfig",
    "ConfigError",
    "DatasetRetention",
    "ExportSpec",
    "ExportsConfig",
    "RetentionConfig",
    "check_cron",
    "config_problems",
    "load_alerts",
    "load_exports",
    "load_retention",
    "parse_duration",
]


def config_problems() -> list[str]:
    """One line per config file that cannot be used (alerts, exports, retention, custom fields);
    empty when every file loads. Each broken file only turns off what it configures."""
    from ingest.typed.fields import load_registry

    problems = []
    for load in (load_alerts, load_exports, load_retention, load_registry):
        try:
            load()
        except ConfigError as exc:
            problems.append(str(exc))
    return problems
