"""config/retention.yaml: how many days of raw events and submissions to keep, loaded as a
frozen :class:`RetentionConfig`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.ops.config.checks import (
    as_whole,
    check_cron,
    check_keys,
    one_line_errors,
    read_mapping,
)
from ingest.settings import ConfigError, get_settings

RETENTION_DATASETS = ("events", "submissions")


@dataclass(frozen=True)
class DatasetRetention:
    dataset: str
    keep_days: int
    delete_landing_files: bool


@dataclass(frozen=True)
class RetentionConfig:
    datasets: tuple[DatasetRetention, ...]
    schedule: str | None = "15 3 * * *"
    path: Path | None = None

    def for_dataset(self, dataset: str) -> DatasetRetention:
        return next(d for d in self.datasets if d.dataset == dataset)


DEFAULT_KEEP_DAYS = 30


@one_line_errors("retention_config")
def load_retention(path: Path | None = None) -> RetentionConfig:
    path = path or get_settings().retention_config
    data = read_mapping(path)
    check_keys(str(path), data, {"schedule", "defaults", "datasets"})
    defaults = data.get("defaults") or {}
    check_keys(f"{path}: defaults", defaults, {"keep_days", "delete_landing_files"})
    datasets = data.get("datasets") or {}
    if not isinstance(datasets, dict):
        raise ConfigError(
            f"{path}: `datasets` must map a dataset ({RETENTION_DATASETS}) to keep_days"
        )
    unknown = sorted(set(datasets) - set(RETENTION_DATASETS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown dataset(s) {unknown}; retention applies to {RETENTION_DATASETS}"
        )
    result = []
    for dataset in RETENTION_DATASETS:
        where = f"{path}: datasets.{dataset}"
        check_keys(where, datasets.get(dataset) or {}, {"keep_days", "delete_landing_files"})
        entry = {**defaults, **(datasets.get(dataset) or {})}
        keep = as_whole(
            entry.get("keep_days", DEFAULT_KEEP_DAYS), f"{where}: keep_days", "days", 36500
        )
        delete = entry.get("delete_landing_files", False)
        if not isinstance(delete, bool):
            raise ConfigError(f"{where}: delete_landing_files must be true or false")
        result.append(DatasetRetention(dataset, keep, delete))
    schedule = data.get("schedule", "15 3 * * *")
    if schedule is not None:
        schedule = check_cron(schedule, f"{path}: schedule")
    return RetentionConfig(tuple(result), schedule, path)
