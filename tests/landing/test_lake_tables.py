"""The raw tables kept in the lake (``ingest.landing.raw_store.LAKE_TABLES``): an old warehouse's
tables move out once with every row; landing (events or submissions) or the move killed at any
step of the lake's change leaves the raw rows as before or as after, and the next run lands the
rest with counts that reconcile and no file on disk the catalog does not name."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from ingest.landing import lake, raw_store
from ingest.landing.land import land
from tests.conftest import simulate_small
from tests.landing.test_lake import run_until

ROOT = Path(__file__).resolve().parents[2]
OLD_TABLE = """
create schema raw;
create table raw.lead_submissions (
    lead_id varchar not null, submitted_at timestamp not null, submitted_date date not null,
    account_id varchar, account_name varchar, flow_id varchar, flow_name varchar,
    source_id varchar, source_name varchar, fields varchar not null, source_file varchar not null,
    source_line integer not null, batch_id varchar not null, ingested_at timestamp not null
);
insert into raw.lead_submissions
select 'L' || i, timestamp '2026-10-26' + to_hours(i), cast(timestamp '2026-10-26' + to_hours(i)
    as date), 'a', 'Acme', 'f', 'Flow', 's', 'Source', '{"email": "x' || i || '@b.co"}',
    'subs.ndjson', i + 1, 'old', timestamp '2026-10-29'
from range(60) as t(i);
"""  # as landing kept them before the lake: a table in the warehouse file


def rows(con) -> list[tuple]:
    return sorted(con.execute("select * from raw.lead_submissions").fetchall())


def kind(con) -> str:
    return con.execute(
        "select table_type from information_schema.tables"
        " where table_schema = 'raw' and table_name = 'lead_submissions'"
    ).fetchone()[0]


def files_on_disk(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*.parquet")}


def live(con) -> set[str]:
    return set(lake.live_files(con, "lead_submissions"))


def old_warehouse(path: Path) -> list[tuple]:
    with duckdb.connect(str(path)) as con:
        con.execute(OLD_TABLE)
        return rows(con)


def test_an_old_warehouses_submissions_move_to_the_lake_once(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    before = old_warehouse(database)
    with duckdb.connect(str(database)) as con:
        raw_store.ensure_raw_schema(con)
        assert kind(con) == "VIEW" and rows(con) == before
        assert con.execute("describe raw.lead_submissions").fetchall() == [
            (name, kind_.upper(), "YES", None, None, None)
            for name, kind_ in raw_store.SUBMISSIONS.columns
        ]
        moved = live(con)
        # a file per day, under the day's folder (as Spark reads them)
        assert sorted(Path(p).parent.name for p in moved) == [
            f"submitted_date=2026-10-{d}" for d in (26, 27, 28)
        ]
        assert files_on_disk(lake.root_of(con)) == moved
        raw_store.ensure_raw_schema(con)  # once: nothing moves again
        assert live(con) == moved and rows(con) == before


@pytest.mark.parametrize(
    ("point", "moved"),
    [
        ("lake-written", False),  # the day files written, nothing committed
        ("lake-committing", False),  # catalogued in the open transaction, the table not dropped
        ("lake-committed", True),  # committed (the table dropped), no file renamed
        ("lake-renamed", True),  # renamed, no view yet
    ],
)
def test_the_move_killed_anywhere_loses_no_row(tmp_path, point, moved):
    database = tmp_path / "warehouse.duckdb"
    before = old_warehouse(database)
    code = (
        "import duckdb; from ingest.landing import raw_store;"
        f" raw_store.ensure_raw_schema(duckdb.connect({str(database)!r}))"
    )
    run_until(code, point, tmp_path / "paused")
    with duckdb.connect(str(database)) as con:
        gone = con.execute(
            "select count(*) = 0 from information_schema.tables"
            " where table_schema = 'raw' and table_name = 'lead_submissions'"
            " and table_type = 'BASE TABLE'"
        ).fetchone()[0]
        assert gone == moved
        (tmp_path / "landing" / "submissions").mkdir(parents=True)
        land(con, tmp_path / "landing", "submissions")  # the next run: repaired, then lands
        assert kind(con) == "VIEW" and rows(con) == before
        assert files_on_disk(lake.root_of(con)) == live(con)


def loaded(con, dataset: str = "submissions") -> int:
    return con.execute(
        "select coalesce(sum(loaded), 0) from raw.ingest_manifest where dataset = ?", [dataset]
    ).fetchone()[0]


#: dataset -> (its rows stored, whether its current rows have each id once), as SQL
STORED = {
    "submissions": (
        "select count(*) from raw.lead_submissions",
        "select count(distinct lead_id) = count(*) from raw.lead_submissions",
    ),
    "events": (
        "select (select count(*) from raw.lead_events)"
        " + (select count(*) from raw.superseded_events)",
        "select count(distinct event_id) = count(*) from raw.lead_events",
    ),
}


@pytest.mark.parametrize("dataset", ["submissions", "events"])
@pytest.mark.parametrize(
    ("point", "landed"),
    [
        ("lake-written", False),  # the chunk's day files written, not committed
        ("landing", False),  # the chunk's rows staged, nothing committed
        ("lake-committed", True),  # the chunk committed, its files not renamed
        ("lake-renaming", True),  # one file renamed
        ("lake-switched", True),  # the view switched
    ],
)
def test_landing_killed_in_its_lake_change_is_all_or_nothing(tmp_path, point, landed, dataset):
    simulate_small(tmp_path / "source", faults=True, leads=150, days=2)
    landing = tmp_path / "source"
    database = tmp_path / "warehouse.duckdb"
    code = (
        "import duckdb, pathlib; from ingest.landing.land import land;"
        f" land(duckdb.connect({str(database)!r}), pathlib.Path({str(landing)!r}),"
        f" {dataset!r}, workers=1)"
    )
    run_until(code, point, tmp_path / "paused")
    count, unique = STORED[dataset]
    with duckdb.connect(str(database)) as con:
        # what a reader finds after the kill, once repaired: all of the chunk or none of it
        raw_store.ensure_raw_schema(con)
        stored = con.execute(count).fetchone()[0]
        assert (stored > 0) == landed and stored == loaded(con, dataset)
        report = land(con, landing, dataset, workers=1)
        assert report.reconciles
        assert con.execute(count).fetchone()[0] == loaded(con, dataset) > 0
        assert (report.total("loaded") == 0) == landed  # landed already: nothing again
        assert con.execute(unique).fetchone()[0]
        named = {path for (path,) in con.execute("select path from raw.lake_files").fetchall()}
        assert files_on_disk(lake.root_of(con)) == named


def test_a_day_landed_by_many_runs_is_compacted_into_one_file(tmp_path, monkeypatch):
    """Each landing run adds a file to each day it lands (a sensor every minute: hundreds a
    day); past COMPACT_FILES the day is rewritten as one file, with every row."""
    monkeypatch.setattr(lake, "COMPACT_FILES", 3)
    folder = tmp_path / "landing" / "submissions"
    folder.mkdir(parents=True)
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    counts = []
    for run in range(5):
        lines = [
            json.dumps({"lead_id": f"L{run}-{n}", "submitted_at": 1792975987905 + n, "fields": {}})
            for n in range(3)
        ]
        (folder / f"run-{run}.ndjson").write_text("\n".join(lines) + "\n")
        assert land(con, tmp_path / "landing", "submissions", workers=1).reconciles
        counts.append(len(live(con)))
    assert counts == [1, 2, 3, 1, 2]  # the fourth file made four: rewritten as one
    assert [row[0] for row in rows(con)] == sorted(f"L{r}-{n}" for r in range(5) for n in range(3))
    assert files_on_disk(lake.root_of(con)) == live(con) and loaded(con) == 15
