"""Publishing swaps the serving file atomically; readers never block it or see half a state."""

import threading

import duckdb
import pytest

from ingest.publish import publish, serving_version


def make_warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.t as select range as n from range(?)", [rows])
        con.execute("create schema if not exists staging")
        con.execute("create or replace table staging.hidden as select 1 as x")


def test_publish_copies_marts_only_with_a_version_stamp(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving" / "s.duckdb"
    make_warehouse(warehouse, 5)
    result = publish(warehouse, serving)
    assert result.tables == {"marts.t": 5}
    assert serving_version(serving) == result.version
    with duckdb.connect(str(serving), read_only=True) as con:
        schemas = {
            r[0]
            for r in con.execute(
                "select distinct table_schema from information_schema.tables"
            ).fetchall()
        }
    assert schemas == {"marts", "meta"}
    assert not list(serving.parent.glob(".*tmp"))


def test_a_reader_holding_the_old_file_does_not_block_and_keeps_a_whole_version(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 10)
    first = publish(warehouse, serving)
    reader = duckdb.connect(str(serving), read_only=True)
    make_warehouse(warehouse, 20)
    second = publish(warehouse, serving)  # must not fail on the reader's open file
    assert reader.execute("select count(*) from marts.t").fetchone()[0] == 10
    assert reader.execute("select version from meta.publish_info").fetchone()[0] == first.version
    reader.close()
    assert serving_version(serving) == second.version


def test_readers_during_repeated_publishes_always_see_a_consistent_version(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 100)
    publish(warehouse, serving)
    seen, errors, stop = [], [], threading.Event()

    def read_loop():
        while not stop.is_set():
            try:
                with duckdb.connect(str(serving), read_only=True) as con:
                    n = con.execute("select count(*) from marts.t").fetchone()[0]
                    tables = con.execute("select tables from meta.publish_info").fetchone()[0]
                    seen.append((n, tables))
            except Exception as exc:  # noqa: BLE001 - any error is a failure of the swap
                errors.append(exc)

    thread = threading.Thread(target=read_loop)
    thread.start()
    for rows in (100, 200, 300, 400):
        make_warehouse(warehouse, rows)
        publish(warehouse, serving)
    stop.set()
    thread.join()
    assert not errors
    assert seen
    # the row count always matches the version's own record of it
    for n, tables in seen:
        assert f'"marts.t":{n}' in tables.replace(" ", "")


def test_publish_without_a_warehouse_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="leadwh build"):
        publish(tmp_path / "missing.duckdb", tmp_path / "s.duckdb")


def test_date_of_birth_is_served_masked_only(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 1)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema typed")
        con.execute(
            "create table typed.leads as select 'L1' as lead_id, '07/04/1986' as dob__raw,"
            " '1986-07-04' as dob__normal, '**/**/1986' as dob__masked"
        )
    publish(warehouse, serving)
    with duckdb.connect(str(serving), read_only=True) as con:
        row = con.execute("select * from typed.leads").fetchall()
        columns = [d[0] for d in con.description]
    assert columns == ["lead_id", "dob__masked"] and row == [("L1", "**/**/1986")]
