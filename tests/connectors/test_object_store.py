"""The Firehose in S3 (moto's server on loopback): mirror, sync index, listing, and real builds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.connectors.object_ids import floor_id, time_prefix
from ingest.connectors.object_store import (
    ConnectorError,
    Source,
    configured_sources,
    landing_name,
    read_ahead,
    sync_source,
)
from ingest.paths import Paths
from ingest.settings import get_settings
from tests.conftest import build, environment, simulate_small
from tests.connectors.conftest import upload_tree

VERIFICATION = "leadconduit_verification_5f0c_20261130101500123.txt"


def event_key(lead_time: datetime, n: int) -> tuple[str, str]:
    lead = floor_id(lead_time)[:-4] + f"{n:04x}"
    return lead, time_prefix(lead_time) + f"{n:016x}"


def test_landing_names_accept_keys_with_and_without_json_and_ignore_the_rest():
    assert landing_name("events", "a/b.json") == "a/b.json"
    assert landing_name("events", "lead/6a0000000000000000000001") == (
        "lead/6a0000000000000000000001.json"
    )
    assert landing_name("events", VERIFICATION) is None
    assert landing_name("events", "notes/readme.txt") is None
    assert landing_name("submissions", "s/2026.ndjson") == "s/2026.ndjson"
    assert landing_name("submissions", "s/lead") is None
    assert landing_name("events", "../../outside/6a0000000000000000000001") is None
    assert landing_name("events", "a//6a0000000000000000000001") is None
    # folders landing skips as still being written, and names too long to be a file here
    assert landing_name("events", ".staging/lead/6a0000000000000000000001") is None
    assert landing_name("events", "lead.tmp/6a0000000000000000000001.json") is None
    assert landing_name("events", "lead/" + "e" * 246) is None  # 251 bytes with .json
    assert landing_name("events", "lead/" + "e" * 245) == "lead/" + "e" * 245 + ".json"


def test_pages_listed_ahead_come_in_order_then_the_listing_error():
    def pages():
        for n in range(20):
            yield [n]
        raise ConnectorError("cannot list: AccessDenied")

    seen = []
    with pytest.raises(ConnectorError, match="AccessDenied"):
        for page in read_ahead(pages(), depth=2):
            seen.extend(page)
    assert seen == list(range(20))


def test_a_consumer_that_stops_early_does_not_leave_the_listing_thread_behind():
    listed = []

    def pages():
        for n in range(1000):
            listed.append(n)
            yield [n]

    for page in read_ahead(pages(), depth=3):
        if page == [1]:
            break
    assert len(listed) <= 6  # the thread stopped within the read-ahead depth


def test_a_local_landing_url_is_not_synced_and_s3_urls_are(tmp_path):
    paths = Paths(tmp_path)
    env = {"LEADWH_EVENTS_URL": str(paths.landing_events), "LEADWH_SUBMISSIONS_URL": ""}
    assert configured_sources(get_settings(env), paths) == []
    env["LEADWH_EVENTS_URL"] = "s3://my-bucket/leadconduit/"
    (source,) = configured_sources(get_settings(env), paths)
    assert (source.protocol, source.root) == ("s3", "my-bucket/leadconduit")
    assert source.mirror(paths.landing) == paths.landing / "events/s3/my-bucket/leadconduit"
    with pytest.raises(ConnectorError, match="name a bucket"):
        Source.parse("events", "s3://")


def test_sync_copies_new_and_changed_objects_once_and_records_ignored_ones(s3, bucket, tmp_path):
    paths = Paths(tmp_path)
    lead, event = event_key(datetime(2026, 11, 1, tzinfo=UTC), 1)
    _, event2 = event_key(datetime(2026, 11, 1, tzinfo=UTC), 2)
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}.json", Body=b'{"id": 1}')
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event2}", Body=b'{"id": 2}')  # no suffix
    s3.put_object(Bucket=bucket, Key=f"fh/{VERIFICATION}", Body=b"verification")
    source = Source.parse("events", f"s3://{bucket}/fh")

    first = sync_source(source, paths, None, workers=4)
    assert (first.listed, first.copied, first.ignored, first.failed) == (3, 2, 1, 0)
    assert first.ignored_keys == [VERIFICATION]
    mirror = source.mirror(paths.landing)
    assert sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file()) == [
        f"{lead}/{event}.json",
        f"{lead}/{event2}.json",
    ]
    assert not list(mirror.rglob(".*"))  # no temporary file left behind

    # at least once: the same bytes again (same ETag) are not copied; a changed object is
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}.json", Body=b'{"id": 1}')
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event2}", Body=b'{"id": 2, "changed": 1}')
    second = sync_source(source, paths, None, workers=4)
    assert (second.copied, second.changed, second.unchanged, second.ignored) == (1, 1, 2, 0)
    assert json.loads((mirror / lead / f"{event2}.json").read_bytes()) == {"id": 2, "changed": 1}


def test_a_recent_sync_lists_only_recent_leads_and_a_full_sweep_finds_late_feedback(
    s3, bucket, tmp_path
):
    paths = Paths(tmp_path)
    now = datetime.now(tz=UTC)
    old = [event_key(now - timedelta(days=30, minutes=n), n) for n in range(50)]
    new = [event_key(now - timedelta(minutes=n), n) for n in range(5)]
    for lead, event in old + new:
        s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}", Body=b"{}")
    source = Source.parse("events", f"s3://{bucket}/fh")
    assert sync_source(source, paths, 48, workers=4).mode == "full"  # never swept: full

    late_lead = old[10][0]
    s3.put_object(Bucket=bucket, Key=f"fh/{late_lead}/{'f' * 24}", Body=b"{}")  # feedback
    _, newest = event_key(now, 99)
    s3.put_object(Bucket=bucket, Key=f"fh/{new[0][0]}/{newest}", Body=b"{}")
    tick = sync_source(source, paths, 48, workers=4)
    assert tick.mode == "recent"
    assert tick.listed == len(new) + 1  # the old leads are not even listed
    assert tick.copied == 1
    sweep = sync_source(source, paths, None, workers=4)
    assert (sweep.mode, sweep.listed, sweep.copied) == ("full", len(old) + len(new) + 2, 1)
    assert (source.mirror(paths.landing) / late_lead / f"{'f' * 24}.json").exists()


def test_listing_a_missing_bucket_says_which_permission_is_needed(s3_endpoint, tmp_path):
    source = Source.parse("events", "s3://no-such-bucket/fh")
    with pytest.raises(ConnectorError, match="s3:ListBucket"):
        sync_source(source, Paths(tmp_path), None)


def raw_event_ids(paths: Paths) -> list[str]:
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        return [r[0] for r in con.execute("select event_id from raw.lead_events").fetchall()]


def mart_events(paths: Paths) -> int:
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        return con.execute("select count(*) from marts.fct_lead_events").fetchone()[0]


def without_suffix_for_some(relative: str) -> str:
    """Firehose keys: events/firehose/<lead>/<event>.json -> <lead>/<event>[.json]."""
    key = relative.removeprefix("events/firehose/")
    return key.removesuffix(".json") if key.endswith(("0.json", "5.json", "a.json")) else key


@pytest.mark.slow
def test_an_object_that_cannot_be_a_file_here_is_recorded_and_the_others_are_copied(
    s3, bucket, tmp_path
):
    """`a.json` and `a.json/b` both objects: one of them cannot be written (a file and a folder
    of one name). It stopped the whole sync, and every sync after it."""
    paths = Paths(tmp_path)
    lead, event = event_key(datetime(2026, 11, 1, tzinfo=UTC), 1)
    _, other = event_key(datetime(2026, 11, 1, tzinfo=UTC), 2)
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}.json", Body=b'{"id": 1}')
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}.json/{event}", Body=b'{"id": 2}')
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{other}.json", Body=b'{"id": 3}')
    source = Source.parse("events", f"s3://{bucket}/fh")
    first = sync_source(source, paths, None, workers=1)
    assert (first.listed, first.copied, first.ignored, first.failed) == (3, 2, 1, 0)
    assert "cannot be written here" in first.errors[0]
    second = sync_source(source, paths, 1.0)  # the full sweep completed: a recent sync now
    assert (second.mode, second.copied, second.failed) == ("recent", 0, 0)


def test_build_from_s3_lands_every_event_once_and_a_second_build_adds_exactly_the_new(
    s3, bucket, tmp_path
):
    source_dir = tmp_path / "operation"
    simulate_small(source_dir, faults=False, leads=120, days=2, layout="firehose")
    firehose = source_dir / "events" / "firehose"
    keys = upload_tree(s3, bucket, firehose, "leadconduit", without_suffix_for_some)
    upload_tree(s3, bucket, source_dir / "submissions", "submissions")
    s3.put_object(Bucket=bucket, Key=f"leadconduit/{VERIFICATION}", Body=b"verification")
    first_ids = {json.loads(body)["id"] for key, body in keys.items() if not key.endswith(".txt")}
    assert any(not k.endswith(".json") for k in keys)
    paths = Paths(tmp_path / "home")
    env = {
        "LEADWH_EVENTS_URL": f"s3://{bucket}/leadconduit",
        "LEADWH_SUBMISSIONS_URL": f"s3://{bucket}/submissions",
    }
    with environment(**env):
        assert build(paths)
    ids = raw_event_ids(paths)
    assert len(ids) == len(set(ids)) and set(ids) == first_ids
    assert mart_events(paths) == len(first_ids)

    # re-puts of the same bytes, and a second operation's new objects (other leads, same days)
    for key in list(keys)[:25]:
        s3.put_object(Bucket=bucket, Key=key, Body=keys[key])
    more_dir = tmp_path / "more"
    simulate_small(more_dir, faults=False, leads=40, days=2, layout="firehose", seed=99)
    more = upload_tree(s3, bucket, more_dir / "events" / "firehose", "leadconduit")
    upload_tree(s3, bucket, more_dir / "submissions", "submissions/more")
    new_ids = {json.loads(body)["id"] for key, body in more.items() if key.endswith(".json")}
    assert new_ids and not new_ids & first_ids
    with environment(**env):
        assert build(paths)
    ids = raw_event_ids(paths)
    assert len(ids) == len(set(ids)) and set(ids) == first_ids | new_ids
    assert mart_events(paths) == len(first_ids | new_ids)
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        read, loaded, duplicates = con.execute(
            "select sum(records_read), sum(loaded), sum(duplicates) from raw.ingest_manifest"
            " where dataset = 'events'"
        ).fetchone()
    assert read == loaded + duplicates and loaded == len(first_ids | new_ids)
    mirrored = Path(paths.landing_events / "s3" / bucket / "leadconduit")
    assert not list(mirrored.rglob("leadconduit_verification*"))


def test_objects_are_read_also_from_a_thread_whose_event_loop_runs():
    import asyncio

    from ingest.connectors.object_store import run_coroutine

    async def answer():
        return 42

    async def caller():  # e.g. a notebook, or a test runner's loop
        return run_coroutine(answer())

    assert run_coroutine(answer()) == 42
    assert asyncio.run(caller()) == 42


def test_keys_obstore_cannot_list_are_ignored_and_the_keys_after_them_copied(s3, bucket, tmp_path):
    """Anyone who may write to the bucket can put a key with a `.`, `..` or empty segment, and
    obstore refuses the whole page that holds one: the listing goes on through botocore from there.
    Before, such a key stopped the sync, and every build with it, until it was removed."""
    paths = Paths(tmp_path)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    keys = {f"fh/{'/'.join(event_key(day, n))}": f'{{"id": {n}}}'.encode() for n in range(1, 4)}
    keys["fh/z\u00e9 d/6a0000000000000000000009"] = b'{"id": 9}'  # listed through botocore
    odd = ["fh/./junk", "fh/../outside", "fh/a//b", "fh/zz/./late"]  # before and after the rest
    for key, body in [*keys.items(), *((k, b"{}") for k in odd)]:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    source = Source.parse("events", f"s3://{bucket}/fh")

    first = sync_source(source, paths, None, workers=4)
    assert (first.listed, first.copied, first.ignored, first.failed) == (8, 4, 4, 0)
    assert sorted(first.ignored_keys) == sorted(k.removeprefix("fh/") for k in odd)
    mirror = source.mirror(paths.landing)
    copied = {p.relative_to(mirror).as_posix(): p.read_bytes() for p in mirror.rglob("*.json")}
    assert copied == {k.removeprefix("fh/") + ".json": body for k, body in keys.items()}
    assert [p for p in paths.landing.rglob("*") if p.is_file()] == list(mirror.rglob("*.json"))

    again = sync_source(source, paths, None, workers=4)  # the odd keys are recorded as ignored
    assert (again.listed, again.copied, again.unchanged, again.ignored) == (8, 0, 8, 0)


def test_a_key_holding_an_ssn_is_not_copied_nor_kept_in_the_sync_index(s3, bucket, tmp_path):
    paths = Paths(tmp_path)
    lead, event = event_key(datetime(2026, 11, 1, tzinfo=UTC), 1)
    s3.put_object(Bucket=bucket, Key=f"fh/{lead}/{event}", Body=b'{"id": 1}')
    s3.put_object(Bucket=bucket, Key="fh/ssn/123-45-6789", Body=b'{"id": 2}')
    source = Source.parse("events", f"s3://{bucket}/fh")

    for _ in range(2):
        report = sync_source(source, paths, None, workers=4)
        assert (report.ignored, report.ignored_keys) == (1, ["ssn/***-**-6789"])
    mirror = source.mirror(paths.landing)
    assert [p.name for p in mirror.rglob("*") if p.is_file()] == [f"{event}.json"]
    index = sorted((paths.home / "connectors").rglob("*.sqlite*"))
    assert index and not any(b"45-6789" in path.read_bytes() for path in index)


def test_a_failed_sync_still_builds_what_has_landed_and_fails_the_build(s3, bucket, tmp_path):
    """A source that cannot be listed (here a bucket that does not exist): the sync fails. The
    files already in the landing zone are still built (they were not, before: one failing
    source stopped every build)."""
    paths = Paths(tmp_path / "home")
    simulate_small(paths.landing, faults=False, leads=60, days=2)
    with environment(LEADWH_EVENTS_URL=f"s3://{bucket}-missing/leadconduit"):
        assert not build(paths)
    landed = len(raw_event_ids(paths))
    assert landed > 0 and mart_events(paths) == landed
