"""The time_zone_offsets seed: current with the pinned tzdata and the zones the marts use, and
periods that tile time with the offsets Python's zoneinfo gives."""

import csv
import io
from datetime import UTC, datetime, timedelta

from ingest.reference.time_zone_offsets import SEED, periods, seed_text, tzdata_zone, zones


def test_the_seed_is_written_from_the_pinned_tzdata_for_every_zone_used():
    assert SEED.read_text() == seed_text(zones()), (
        "seeds/time_zone_offsets.csv is stale: python -m ingest.reference.time_zone_offsets"
    )


def test_periods_tile_time_and_give_zoneinfo_offsets():
    rows = list(csv.DictReader(io.StringIO(SEED.read_text())))
    zone_names = {row["time_zone"] for row in rows}
    assert {"America/New_York", "America/Vancouver", "Pacific/Honolulu"} <= zone_names
    for name in ("America/New_York", "America/Vancouver"):
        spans = list(periods(name))
        for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
            assert end == start
        zone = tzdata_zone(name)
        for start, end, offset in spans:
            for at in (start, end - timedelta(seconds=1)):
                assert at.astimezone(zone).utcoffset().total_seconds() == offset


def test_new_york_changes_twice_a_year_at_two_local():
    spans = [span for span in periods("America/New_York") if span[0].year == 2026]
    assert [(start, offset) for start, _, offset in spans] == [
        (datetime(2026, 3, 8, 7, tzinfo=UTC), -14400),
        (datetime(2026, 11, 1, 6, tzinfo=UTC), -18000),
    ]
