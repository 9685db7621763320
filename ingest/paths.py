"""Every data path of the warehouse, derived from one setting: LEADWH_HOME (``ingest/settings.py``).

Dagster, dbt's profile, the dashboards and the CLI all read their locations from here (dbt reads
the same variable in ``dbt_project/profiles.yml``), so pointing ``LEADWH_HOME`` somewhere else moves
the whole warehouse.
"""

from __future__ import annotations

import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.settings import DEFAULT_HOME, PROJECT_ROOT, get_settings

__all__ = [
    "DEFAULT_HOME",
    "ENV_VAR",
    "PROJECT_ROOT",
    "Paths",
    "get_paths",
    "home_from_env",
    "stamp_files",
]

ENV_VAR = "LEADWH_HOME"


@dataclass(frozen=True)
class Paths:
    """The locations under one warehouse home folder."""

    home: Path

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def landing_events(self) -> Path:
        return self.landing / "events"

    @property
    def landing_submissions(self) -> Path:
        return self.landing / "submissions"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def serving(self) -> Path:
        return self.home / "serving" / "serving.duckdb"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"


def home_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """The warehouse home: ``$LEADWH_HOME`` made absolute, or ``<project>/data``."""
    return get_settings(environ).home


def get_paths(environ: Mapping[str, str] | None = None) -> Paths:
    return Paths(home=home_from_env(environ))


def stamp_files(digest, paths: Iterable[Path]) -> None:
    """Feed `digest` each regular file's path, size and modification time (missing files and
    folders are skipped): a fingerprint that changes when one of them is edited or appears."""
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(status.st_mode):
            digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
