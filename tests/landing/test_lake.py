"""The lake's write protocol (ingest/landing/lake.py): a change is all or nothing, whatever
point a writer is killed at, once the start-up repair (``settle(..., sweep=True)``) has run; the
files on disk are then exactly the catalog's; the view reads what the folders hold."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from ingest.landing import lake
from ingest.pause_points import PAUSE_AT, PAUSE_MARKER

ROOT = Path(__file__).resolve().parents[2]
DEMO = lake.LakeTable(
    "demo",
    (("id", "varchar"), ("n", "bigint"), ("day", "date"), ("note", "varchar")),
    "day",
)
DAY1, DAY2, DAY3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)
BEFORE = [
    *[(f"a{i}", i, DAY1, "it's") for i in range(5)],
    *[(f"b{i}", 10 + i, DAY2, None) for i in range(3)],
]
# the change: day 1 rewritten (a4 removed, a2 corrected), day 3 new, day 2 untouched
AFTER = sorted(
    [row for row in BEFORE if row[0] != "a4" and row[0] != "a2"]
    + [("a2", 99, DAY1, "corrected")]
    + [(f"c{i}", 20 + i, DAY3, "new") for i in range(2)]
)


def rows_sql(rows: list[tuple]) -> str:
    def literal(value):
        if value is None:
            return "null"
        if isinstance(value, date):
            return f"date '{value.isoformat()}'"
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return str(value)

    values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"select * from (values {values}) as t(id, n, day, note)"


def land(con, root: Path, rows: list[tuple], batch: str, drop: list[str] = ()) -> None:
    """A whole change, as landing will make one: write, commit (with other work), settle."""
    added = lake.write(con, root, DEMO, rows_sql(rows), batch)
    con.execute("begin transaction")
    lake.commit(con, added, drop, batch)
    con.execute("commit")
    lake.settle(con, root, [DEMO])


def change(database: str, root: str) -> None:
    """The change under test, run in a process the test kills: day 1 rewritten from what the
    view reads, its old file dropped; day 3 added."""
    root = Path(root)
    con = duckdb.connect(database)
    day1 = con.execute(
        "select id, case when id = 'a2' then 99 else n end, day,"
        " case when id = 'a2' then 'corrected' else note end"
        " from raw.demo where day = ? and id <> 'a4'",
        [DAY1],
    ).fetchall()
    old = [path for path in lake.live_files(con, "demo") if "day=2026-11-01" in path]
    new = [(f"c{i}", 20 + i, DAY3, "new") for i in range(2)]
    land(con, root, day1 + new, "b2", drop=old)


def read(con) -> list[tuple]:
    return sorted(con.execute("select * from raw.demo").fetchall())


def files_on_disk(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def lake_home(tmp_path):
    database, root = tmp_path / "warehouse.duckdb", tmp_path / "lake"
    con = duckdb.connect(str(database))
    land(con, root, BEFORE, "b1")
    con.close()
    return database, root


def test_a_change_reads_back_in_the_tables_order_and_types(lake_home):
    database, root = lake_home
    con = duckdb.connect(str(database))
    assert read(con) == sorted(BEFORE)
    assert [(c[0], c[1]) for c in con.execute("describe raw.demo").fetchall()] == [
        ("id", "VARCHAR"),
        ("n", "BIGINT"),
        ("day", "DATE"),
        ("note", "VARCHAR"),
    ]
    con.close()
    change(str(database), str(root))
    con = duckdb.connect(str(database))
    assert read(con) == AFTER
    live = lake.live_files(con, "demo")
    assert files_on_disk(root) == set(live)
    assert [Path(p).parent.name for p in live] == [
        "day=2026-11-01",
        "day=2026-11-02",
        "day=2026-11-03",
    ]
    assert all(Path(p).name.startswith("part-") for p in live)
    # what Spark and other readers of the folders see (names starting with "_" skipped)
    folder = ds.dataset(DEMO.folder(root), format="parquet", partitioning="hive")
    table = folder.to_table().to_pylist()
    assert sorted((r["id"], r["n"], r["note"]) for r in table) == [
        (i, n, x) for i, n, _, x in AFTER
    ]


def test_a_table_with_no_file_reads_as_no_rows_with_its_columns(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    lake.settle(con, tmp_path / "lake", [DEMO])
    assert read(con) == []
    assert [c[1] for c in con.execute("describe raw.demo").fetchall()] == [
        "VARCHAR",
        "BIGINT",
        "DATE",
        "VARCHAR",
    ]


def run_until(code: str, point: str, marker: Path) -> None:
    """Run Python `code` in a child process, frozen at pause point `point`, and kill it there."""
    marker.unlink(missing_ok=True)
    env = {**os.environ, PAUSE_AT: point, PAUSE_MARKER: str(marker), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, f"it ended (rc {proc.returncode}) before {point}"
        assert time.monotonic() < deadline, f"it never reached {point}"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def run_change_until(database: Path, root: Path, point: str) -> None:
    """Run `change` in a child process, frozen at pause point `point`, and kill it there."""
    code = f"from tests.landing.test_lake import change; change({str(database)!r}, {str(root)!r})"
    run_until(code, point, root.parent / "paused")


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("lake-written", "before"),  # temporary files written, nothing committed
        ("lake-committing", "before"),  # catalog rows inserted, the transaction still open
        ("lake-committed", "after"),  # committed, nothing renamed
        ("lake-renaming", "after"),  # one of the two files renamed
        ("lake-renamed", "after"),  # renamed, the view not switched
        ("lake-switched", "after"),  # the view switched, the dropped file still on disk
    ],
)
def test_killed_anywhere_a_change_is_all_or_nothing_after_repair(lake_home, point, expected):
    database, root = lake_home
    run_change_until(database, root, point)
    con = duckdb.connect(str(database))
    done = lake.settle(con, root, [DEMO], sweep=True)
    assert read(con) == (sorted(BEFORE) if expected == "before" else AFTER)
    assert files_on_disk(root) == set(lake.live_files(con, "demo"))
    assert con.execute("select distinct state from raw.lake_files").fetchall() == [("live",)]
    if point in ("lake-written", "lake-committing"):
        assert len(done.swept) == 2 and all("/_tmp-b2-" in p for p in done.swept)
    con.close()
    # the repaired lake takes the next change as usual
    change(str(database), str(root)) if expected == "before" else None
    con = duckdb.connect(str(database))
    assert read(con) == AFTER


def test_a_moved_lake_is_followed_by_the_next_settle(lake_home, tmp_path):
    database, root = lake_home
    moved = tmp_path / "elsewhere"
    os.rename(root, moved)
    con = duckdb.connect(str(database))
    with pytest.raises(duckdb.IOException):
        read(con)
    lake.settle(con, moved, [DEMO])
    assert read(con) == sorted(BEFORE)


def test_a_committed_file_missing_under_both_names_is_a_clear_error(lake_home):
    database, root = lake_home
    con = duckdb.connect(str(database))
    added = lake.write(con, root, DEMO, rows_sql([("z", 1, DAY3, None)]), "b3")
    con.execute("begin transaction")
    lake.commit(con, added, batch_id="b3")
    con.execute("commit")
    lake.temporary_name(root / added[0].path).unlink()
    with pytest.raises(lake.LakeDamaged, match="day=2026-11-03/part-b3-[0-9a-f]+\\.parquet"):
        lake.settle(con, root, [DEMO])
    assert read(con) == sorted(BEFORE)  # the view still reads the last settled files


def test_the_sweep_leaves_files_that_are_not_the_lakes_alone(lake_home):
    database, root = lake_home
    foreign = [DEMO.day_folder(root, DAY1) / "notes.txt", DEMO.day_folder(root, DAY1) / "x.parquet"]
    for path in foreign:
        path.write_text("someone else's")
    orphan = DEMO.day_folder(root, DAY2) / "part-old-0.parquet"
    orphan.write_bytes(b"")
    con = duckdb.connect(str(database))
    done = lake.settle(con, root, [DEMO], sweep=True)
    assert done.swept == [orphan.relative_to(root).as_posix()]
    assert all(path.exists() for path in foreign)
    assert read(con) == sorted(BEFORE)


def test_dropping_a_file_the_lake_does_not_hold_live_is_refused(lake_home):
    database, _ = lake_home
    con = duckdb.connect(str(database))
    con.execute("begin transaction")
    with pytest.raises(ValueError, match="no live file"):
        lake.commit(con, [], ["raw/demo/day=2026-11-01/part-nope-0.parquet"])
    con.execute("rollback")
