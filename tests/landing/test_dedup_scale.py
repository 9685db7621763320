"""De-duplication scales with the batch, not with the history: landing a batch into a warehouse
with a million raw events reads only the row groups (of the lake's day files) its ids fall in,
and still tells new records, duplicates and corrected copies apart."""

import duckdb
import pytest

from benchmarks.bench_dedup import (
    BASELINE_SUBMISSIONS,
    EVENTS_PER_QUARANTINED,
    EVENTS_PER_SUBMISSION,
    ProfiledConnection,
    batch,
    land_batch,
    write_history,
)
from ingest.landing import lake, raw_store

HISTORY = 1_000_000


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """(connection, raw-table scans) after one batch landed on a million-event history."""
    folder = tmp_path_factory.mktemp("dedup")
    path = folder / "history.duckdb"
    write_history(path, HISTORY)
    con = duckdb.connect(str(path))
    staged = batch(con, HISTORY)
    profiled = ProfiledConnection(con, folder / "profile.json")
    land_batch(profiled, *staged)
    lake.settle(con, lake.root_of(con), raw_store.LAKE_TABLES.values())
    con.register("staged_submissions", staged[1])
    profiled.execute(BASELINE_SUBMISSIONS)
    profiled.close_profile()
    yield con, profiled.scans
    con.close()


def count(con, sql):
    return con.execute(sql).fetchone()[0]


def test_the_batch_lands_new_records_and_corrections_and_leaves_duplicates_out(landed):
    con, _ = landed
    # 1,750 new events; 30 copies of stored events are duplicates; 5 corrected copies replace
    # their stored versions, which move to superseded_events.
    assert count(con, "select count(*) from raw.lead_events") == HISTORY + 1750
    assert count(con, "select count(*) from raw.lead_events where batch_id = 'bench'") == 1755
    assert count(con, "select count(*) from raw.superseded_events") == 5
    assert count(con, "select count(*) from raw.lead_submissions where batch_id = 'bench'") == 290
    assert (
        count(con, "select count(*) from raw.lead_submissions")
        == int(HISTORY / EVENTS_PER_SUBMISSION) + 290
    )
    assert count(con, "select count(*) from raw.quarantine") == (
        HISTORY // EVENTS_PER_QUARANTINED + 15
    )


def test_each_lookup_reads_only_the_row_groups_its_ids_fall_in(landed):
    _, scans = landed
    landing = scans[:-1]
    events = [scan for scan in landing if scan[0] == "lead_events"]
    submissions = [scan for scan in landing if scan[0] == "lead_submissions"]
    assert events and submissions
    # the events are lake files, a day each (one row group): the lookups of stored ids, of
    # their versions and of the corrected events' rows read the newest days (the new ids and
    # the copies) and the day of the corrected events, not the 24 days
    lookups = [scan for scan in events if scan[2] > 1]
    assert len(lookups) == 3 and all(scanned <= 3 and total >= 20 for _, scanned, total in lookups)
    # then the one day file holding the corrected events is written again without them
    assert [scan[1:] for scan in events if scan[2] == 1] == [(1, 1)] * (len(events) - 3)
    # the submissions: the newest day's only
    assert all(scanned == 1 and total >= 20 for _, scanned, total in submissions)


def test_the_not_exists_form_landing_no_longer_uses_reads_every_row_group(landed):
    # the measurement above can tell: `not exists` hashes the whole stored table
    _, scans = landed
    table, scanned, total = scans[-1]
    assert table == "lead_submissions" and scanned == total >= 2
