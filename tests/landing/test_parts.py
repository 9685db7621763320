"""A big NDJSON file is read in parts by the workers (ingest/landing/land.py, SPLIT_BYTES): the
warehouse it lands is the one reading it whole lands, row for row, with the same line numbers,
quarantine and counts; killed mid-file, or the file changing while read, none of it lands."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pytest

from ingest.landing import lake
from ingest.landing import land as land_module
from ingest.landing.land import land, plan_parts
from ingest.landing.readers import UTF8_BOM
from ingest.pause_points import PAUSE_AT, PAUSE_MARKER
from tests.conftest import simulate_small

ROOT = Path(__file__).resolve().parents[2]
# stamps of the landing run, different in any two
STAMPS = {"batch_id", "ingested_at", "superseded_at", "superseded_by_batch", "quarantined_at"}
TABLES = ("lead_events", "superseded_events", "lead_submissions", "quarantine", "ingest_manifest")


def one_big_file(source, dataset: str) -> bytes:
    """The simulated operation's files of a dataset as one NDJSON file, with what a cut between
    lines could get wrong: a byte order mark first, Windows line ends, blank lines, a line
    starting with a byte order mark (malformed, unless it is the file's first), a corrected
    copy of an early record at the end (a new version: the later line wins)."""
    files = sorted((source / dataset).rglob("*.ndjson"))
    lines = b"".join(path.read_bytes().rstrip(b"\n") + b"\n" for path in files).split(b"\n")
    lines = [line for line in lines if line]
    mixed = []
    for n, line in enumerate(lines):
        mixed.append(line + (b"\r" if n % 7 == 0 else b""))
        if n % 11 == 0:
            mixed.append(b"   ")
        if n % 97 == 50:
            mixed.append(UTF8_BOM + line)
    if dataset == "events":
        first = orjson.loads(lines[0])
        first["outcome"] = "corrected"
        mixed.append(orjson.dumps(first))
    return UTF8_BOM + b"\n".join(mixed) + b"\n"


def snapshot(database) -> dict[str, list]:
    with duckdb.connect(str(database), read_only=True) as con:
        out = {}
        for table in TABLES:
            columns = [
                row[0]
                for row in con.execute(f"describe raw.{table}").fetchall()
                if row[0] not in STAMPS
            ]
            out[table] = sorted(
                con.execute(f"select {', '.join(columns)} from raw.{table}").fetchall(), key=repr
            )
        return out


@pytest.fixture(scope="module")
def big_landing(tmp_path_factory):
    work = tmp_path_factory.mktemp("parts")
    source = work / "source"
    simulate_small(source, faults=True, leads=300, days=3)
    landing = work / "landing"
    for dataset in ("events", "submissions"):
        (landing / dataset).mkdir(parents=True)
        (landing / dataset / "all.ndjson").write_bytes(one_big_file(source, dataset))
    whole = work / "whole.duckdb"
    land_both(whole, landing)
    return work, landing, whole


def land_both(database, landing) -> None:
    con = duckdb.connect(str(database))
    for dataset in ("events", "submissions"):
        assert land(con, landing, dataset, workers=1).reconciles
    con.close()


@pytest.mark.parametrize(
    ("part_bytes", "flush_bytes"),
    [(2_000, 1), (37_000, land_module.FLUSH_BYTES)],  # 1: each part inserted before the next
)
def test_a_file_read_in_parts_lands_what_it_lands_read_whole(
    big_landing, monkeypatch, part_bytes, flush_bytes
):
    work, landing, whole = big_landing
    events = landing / "events" / "all.ndjson"
    assert len(plan_parts(events, events.stat().st_size, part_bytes)) > 10  # really in parts
    monkeypatch.setattr(land_module, "PART_BYTES", part_bytes)
    monkeypatch.setattr(land_module, "SPLIT_BYTES", part_bytes)
    monkeypatch.setattr(land_module, "FLUSH_BYTES", flush_bytes)
    in_parts = work / f"parts-{part_bytes}.duckdb"
    land_both(in_parts, landing)
    expected = snapshot(whole)
    assert snapshot(in_parts) == expected
    # the faults were there to get wrong
    assert len(expected["quarantine"]) > 10 and len(expected["superseded_events"]) == 1
    with duckdb.connect(str(in_parts), read_only=True) as con:
        # line numbers of the whole file, not of a part
        assert con.execute("select max(source_line) from raw.lead_events").fetchone()[0] > 1000
        reasons = con.execute("select reason from raw.quarantine").fetchall()
    assert sum("malformed JSON" in reason for (reason,) in reasons) > 3


def test_the_parts_cover_the_file_in_whole_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(land_module, "SEEK_BYTES", 7)  # a cut's line ends past the first read
    data = b"".join(b"x" * (n % 13) + b"\n" for n in range(200)) + b"no newline at the end"
    path = tmp_path / "f.ndjson"
    path.write_bytes(data)
    parts = plan_parts(path, len(data), 40)
    assert len(parts) > 10 and parts[0][0] == 0 and parts[-1][1] == len(data)
    for (_, end), (start, _) in zip(parts, parts[1:], strict=False):
        assert end == start and data[end - 1 : end] == b"\n"
    assert all(end - start >= 40 for start, end in parts[:-1])
    # a file that grew since it was found: only the bytes found are planned
    assert plan_parts(path, 100, 40)[-1][1] == 100


def test_a_big_file_found_again_with_new_times_is_unchanged(big_landing, monkeypatch):
    """Its first part's worker hashes it: the same bytes are not landed again, and the new
    times are recorded."""
    work, landing, whole = big_landing
    monkeypatch.setattr(land_module, "PART_BYTES", 2_000)
    monkeypatch.setattr(land_module, "SPLIT_BYTES", 2_000)
    copied = work / "copied" / "landing"  # the same names and bytes, new inode change times
    shutil.copytree(landing, copied)
    database = work / "touched.duckdb"
    shutil.copy(whole, database)
    shutil.copytree(lake.root_for(whole), lake.root_for(database))  # its raw files
    con = duckdb.connect(str(database))
    for dataset in ("events", "submissions"):
        report = land(con, copied, dataset, workers=1)
        assert report.files == [] and report.skipped_unchanged == 1
    times = con.execute("select file_path, ctime_ns from raw.ingest_manifest").fetchall()
    con.close()
    assert sorted(ctime for _, ctime in times) == sorted(
        (copied / d / "all.ndjson").stat().st_ctime_ns for d in ("events", "submissions")
    )
    before, after = snapshot(whole), snapshot(database)
    assert {k: v for k, v in after.items() if k != "ingest_manifest"} == {
        k: v for k, v in before.items() if k != "ingest_manifest"
    }
    assert len(after["ingest_manifest"]) == len(before["ingest_manifest"])


@pytest.mark.parametrize("change", ["shorter", "same size"])
def test_a_file_changed_while_its_parts_are_read_is_left_for_the_next_run(
    tmp_path, monkeypatch, change
):
    """Its parts could hold bytes of two versions: what they inserted is undone, the file is
    recorded `unreadable` (tried again), and the files before and after it land as usual."""
    landing = tmp_path / "landing"
    simulate_small(tmp_path / "source", faults=False, leads=100, days=1)
    (landing / "events").mkdir(parents=True)
    lines = one_big_file(tmp_path / "source", "events").split(b"\n")
    files = {"a.ndjson": lines[1:4], "all.ndjson": lines[4:-4], "z.ndjson": lines[-4:]}
    for name, content in files.items():
        (landing / "events" / name).write_bytes(b"\n".join(content))
    monkeypatch.setattr(land_module, "PART_BYTES", 5_000)
    monkeypatch.setattr(land_module, "SPLIT_BYTES", 5_000)
    monkeypatch.setattr(land_module, "FLUSH_BYTES", 1)  # parts inserted before the change shows
    planned = land_module.plan_parts

    def rewrite(file, size, part_bytes):  # the file changes after it was planned
        result = planned(file, size, part_bytes)
        with open(file, "r+b") as handle:
            if change == "shorter":
                handle.truncate(result[-1][0] - 10)
            else:  # the same size: only its times say so
                handle.seek(result[1][0])
                handle.write(b"{}")
        return result

    monkeypatch.setattr(land_module, "plan_parts", rewrite)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = land(con, landing, "events", workers=1)
    status = {f.file_path: (f.status, f.note or "", f.loaded) for f in report.files}
    assert status["all.ndjson"][:1] == ("unreadable",)
    assert "changed while it was landed" in status["all.ndjson"][1]
    assert status["a.ndjson"][0] == status["z.ndjson"][0] == "loaded"
    stored = "select source_file, count(*) from raw.lead_events group by 1 order by 1"
    assert con.execute(stored).fetchall() == [
        ("a.ndjson", status["a.ndjson"][2]),
        ("z.ndjson", status["z.ndjson"][2]),
    ]
    monkeypatch.setattr(land_module, "plan_parts", planned)
    again = land(con, landing, "events", workers=1)
    [landed] = again.files
    assert (landed.file_path, landed.status) == ("all.ndjson", "loaded") and again.reconciles
    assert con.execute(stored).fetchall()[1] == ("all.ndjson", landed.loaded)
    assert landed.loaded > 100
    shutil.rmtree(tmp_path / "source")


def test_a_file_gone_before_its_first_part_is_hashed_is_left_for_the_next_run(
    tmp_path, monkeypatch
):
    landing = tmp_path / "landing"
    simulate_small(tmp_path / "source", faults=False, leads=100, days=1)
    (landing / "events").mkdir(parents=True)
    (landing / "events" / "all.ndjson").write_bytes(one_big_file(tmp_path / "source", "events"))
    monkeypatch.setattr(land_module, "PART_BYTES", 5_000)
    monkeypatch.setattr(land_module, "SPLIT_BYTES", 5_000)

    def gone(path):
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(land_module, "_file_sha256", gone)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    [file] = land(con, landing, "events", workers=1).files
    assert file.status == "unreadable" and "changed while it was landed" in file.note
    assert con.execute("select count(*) from raw.lead_events").fetchone()[0] == 0


LAND_IN_PARTS = """
import sys, duckdb
from pathlib import Path
from ingest.landing import land
land.PART_BYTES, land.SPLIT_BYTES, land.FLUSH_BYTES = 2_000, 2_000, 1
con = duckdb.connect(sys.argv[1])
land.land(con, Path(sys.argv[2]), "events", workers=1)
"""


def test_killed_mid_file_none_of_it_is_landed_and_the_next_run_lands_it_whole(big_landing):
    work, landing, whole = big_landing
    database, marker = work / "killed.duckdb", work / "paused"
    env = {**os.environ, PAUSE_AT: "landing-part", PAUSE_MARKER: str(marker)}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-c", LAND_IN_PARTS, str(database), str(landing)]
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "never reached a part"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with duckdb.connect(str(database)) as con:
        assert con.execute("select count(*) from raw.lead_events").fetchone()[0] == 0
        assert con.execute("select count(*) from raw.ingest_manifest").fetchone()[0] == 0
    land_both(database, landing)
    assert snapshot(database) == snapshot(whole)
