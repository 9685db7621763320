"""The UTC offset of every time zone the marts convert to, period by period: the one source of
local time for both engines (seed `time_zone_offsets`, used by the macro `to_local_time`).

DuckDB (ICU) and Spark (Java) each carry their own time-zone database, and they disagree: for
America/Vancouver, Edmonton, Winnipeg and Yellowknife after 2026-11-01, for one. The seed is
written from the IANA database of the pinned `tzdata` package (constraints.txt), whatever the
system's, so both engines, and every machine, give the same local times. Regenerate it after
bumping tzdata or adding a zone to seeds/states.csv: `python -m ingest.reference.time_zone_offsets`
(a test checks the file is current).
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import yaml

from ingest.paths import PROJECT_ROOT

SEED = PROJECT_ROOT / "seeds" / "time_zone_offsets.csv"
STATES = PROJECT_ROOT / "seeds" / "states.csv"
DBT_PROJECT = PROJECT_ROOT / "dbt_project" / "dbt_project.yml"
FIRST = datetime(2000, 1, 1, tzinfo=UTC)
LAST = datetime(2040, 1, 1, tzinfo=UTC)
COLUMNS = ("time_zone", "valid_from", "valid_until", "utc_offset_seconds")


def zones(states: Path = STATES, dbt_project: Path = DBT_PROJECT) -> list[str]:
    """The zones of the states seed and dbt's var default_time_zone (a lead's of unknown state)."""
    default = yaml.safe_load(dbt_project.read_text())["vars"]["default_time_zone"]
    with states.open(newline="") as file:
        return sorted({row["time_zone"] for row in csv.DictReader(file)} | {default})


def tzdata_zone(name: str) -> zoneinfo.ZoneInfo:
    """A zone from the tzdata package (pinned), not from the system's database."""
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as file:
        return zoneinfo.ZoneInfo.from_file(file, key=name)


def _offset(zone: zoneinfo.ZoneInfo, at: datetime) -> int:
    return int(at.astimezone(zone).utcoffset().total_seconds())


def _change_after(zone: zoneinfo.ZoneInfo, start: datetime, end: datetime) -> datetime:
    """The first instant in (start, end] with end's offset, start's offset being another
    (bisection to the second; zone changes fall on whole seconds)."""
    while end - start > timedelta(seconds=1):
        middle = start + (end - start) / 2
        middle = middle.replace(microsecond=0)
        if middle <= start:
            break
        if _offset(zone, middle) == _offset(zone, start):
            start = middle
        else:
            end = middle
    return end


def periods(name: str, first: datetime = FIRST, last: datetime = LAST):
    """(valid_from, valid_until, offset seconds) of one zone from `first` to `last`, UTC; the
    offset holds for valid_from <= t < valid_until. Checked day by day: zones change at most
    twice a year, never twice in one day."""
    zone = tzdata_zone(name)
    start, offset = first, _offset(zone, first)
    day = first
    while day < last:
        following = min(day + timedelta(days=1), last)
        if _offset(zone, following) != offset:
            change = _change_after(zone, day, following)
            yield start, change, offset
            start, offset = change, _offset(zone, change)
        day = following
    yield start, last, offset


def _time(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def seed_text(names: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for name in names:
        for start, end, offset in periods(name):
            writer.writerow((name, _time(start), _time(end), offset))
    return out.getvalue()


if __name__ == "__main__":
    SEED.write_text(seed_text(zones()))
    print(f"wrote {SEED}")
