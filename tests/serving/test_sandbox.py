"""The SQL sandbox tried as an attacker would: every attack is refused or harmless, and the serving
file, the warehouse file and every other file are unchanged afterwards."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import duckdb
import pytest

from ingest.paths import Paths
from ingest.serving import sandbox
from ingest.serving.sandbox import Limits, SqlRefused, SqlTimeout


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under root (the spill folder aside) and its SHA-256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".tmp" not in p.parts[-2]
    }


def run(paths: Paths, sql: str, **limits):
    return sandbox.run_sql(paths.serving, sql, Limits(**limits) if limits else Limits())


REFUSED = [
    ("", "Type a query"),
    ("   -- only a comment\n", "Type a query"),
    ("attach '{warehouse}' as w", "an attach statement"),
    ("attach '{warehouse}' as w; drop table w.raw.lead_events", "one statement"),
    ("copy marts.fct_leads to '{warehouse}'", "a copy statement"),
    ("copy (select 1) to '{tmp}/out.csv'", "a copy statement"),
    ("export database '{tmp}/dump'", "an export statement"),
    ("install httpfs", "a load statement"),
    ("load httpfs", "a load statement"),
    ("set memory_limit = '100GB'", "a set statement"),
    ("set enable_external_access = true", "a set statement"),
    ("reset lock_configuration", "a set statement"),
    ("pragma threads = 64", "a set statement"),
    ("use system", "a set statement"),
    ("checkpoint", "a call statement"),
    ("call pragma_version()", "a call statement"),
    ("drop table marts.fct_leads", "a drop statement"),
    ("delete from marts.fct_leads", "a delete statement"),
    ("create temp table t as select 1", "a create statement"),
    ("begin transaction", "a transaction statement"),
    ("prepare p as select 1", "a prepare statement"),
    ("detach serving", "a detach statement"),
    ("vacuum", "a vacuum statement"),
    ("select 1; drop table marts.fct_leads", "one statement"),
    ("select ';' as a; drop table marts.fct_leads", "one statement"),
    ("select 1 /* ; */; drop table marts.fct_leads", "one statement"),
    ("select $$;$$ as a; attach '{warehouse}' as w", "one statement"),
    ("selec 1", "does not parse"),
    ("select 1" + " " * sandbox.MAX_SQL_CHARS, "characters long"),
]


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_anything_but_one_read_statement_is_refused_before_it_runs(home, tmp_path, sql, message):
    before = fingerprint(tmp_path)
    with pytest.raises(SqlRefused, match=message):
        run(home, sql.format(warehouse=home.warehouse, tmp=tmp_path))
    assert fingerprint(tmp_path) == before


BLOCKED = [
    # files, globs and URLs: external access is off
    ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
    ("select * from read_text('{warehouse}')", "disabled by configuration"),
    ("select * from read_blob('/etc/hostname')", "disabled by configuration"),
    ("select * from glob('/*')", "disabled by configuration"),
    ("select * from read_parquet('{tmp}/*.parquet')", "disabled by configuration"),
    ("select * from read_json('https://example.com/x.json')", "disabled by configuration"),
    ("select * from '/etc/passwd'", "does not exist"),
    ("select * from duckdb_secrets()", "disabled by configuration"),
    # a statement smuggled through a table function, a write inside a CTE
    ("select * from query('attach ''{warehouse}'' as w')", "single SELECT"),
    (
        "with gone as (delete from marts.fct_leads returning *) select * from gone",
        "data-modifying|read-only",
    ),
    # extensions are neither installed nor loaded on demand
    ("select * from sqlite_scan('{warehouse}', 'x')", "sqlite"),
]


@pytest.mark.parametrize(("sql", "message"), BLOCKED)
def test_files_urls_and_writes_are_out_of_reach(home, tmp_path, sql, message):
    before = fingerprint(tmp_path)
    with pytest.raises(duckdb.Error, match=message):
        run(home, sql.format(warehouse=home.warehouse, tmp=tmp_path))
    assert fingerprint(tmp_path) == before
    assert run(home, "select count(*) as n from marts.fct_leads").frame["n"].iloc[0] == 96


def test_harmless_tricks_stay_harmless(home, tmp_path):
    before = fingerprint(tmp_path)
    # a trailing comment hiding a second statement is just a comment
    result = run(home, "select 1 as one -- ; drop table marts.fct_leads")
    assert result.frame["one"].tolist() == [1]
    # a string holding SQL is a string
    assert (
        run(home, "select 'x; drop table marts.fct_leads' as s").frame["s"].iloc[0].startswith("x;")
    )
    assert fingerprint(tmp_path) == before


def test_the_settings_are_locked_with_a_memory_and_thread_cap(home):
    settings = run(
        home,
        "select current_setting('memory_limit') as memory, current_setting('threads') as threads,"
        " current_setting('enable_external_access') as external,"
        " current_setting('lock_configuration') as locked",
    ).frame.iloc[0]
    assert settings["memory"] == "1.8 GiB"  # DEFAULT_MEMORY_LIMIT, 2GB
    assert int(settings["threads"]) == sandbox.DEFAULT_THREADS
    assert str(settings["external"]).lower() == "false"
    assert str(settings["locked"]).lower() == "true"


def test_a_query_over_the_memory_cap_fails_cleanly(home):
    big = "select length(string_agg(repeat('x', 1000000), '')) as n from range(2000)"
    with pytest.raises(duckdb.OutOfMemoryException):
        sandbox.run_sql(home.serving, big, memory_limit="200MB")


def test_a_long_query_is_stopped_at_its_time_limit(home):
    started = time.perf_counter()
    with pytest.raises(SqlTimeout, match="longer than 0.5 s"):
        run(home, "select count(*) from range(1000000000000) as a, range(10) as b", timeout=0.5)
    assert time.perf_counter() - started < 5
    assert run(home, "select 1 as one").frame["one"].iloc[0] == 1


def test_a_query_duckdb_cannot_interrupt_gives_back_control_at_its_time_limit(home, monkeypatch):
    """DuckDB checks for an interrupt between vectors: one call of md5 over 1.2 GB runs to its
    end (about 3 s here). The caller gets SqlTimeout after the grace period, not then."""
    monkeypatch.setattr(sandbox, "INTERRUPT_GRACE", 0.1)
    started = time.perf_counter()
    with pytest.raises(SqlTimeout, match="longer than 0.2 s") as stopped:
        run(home, "select md5(repeat('ab', 600000000)) as h", timeout=0.2)
    assert stopped.value.still_running
    assert time.perf_counter() - started < 1.5
    assert run(home, "select 1 as one").frame["one"].iloc[0] == 1  # a new connection works


def test_huge_results_are_cut_at_the_row_limit_and_refused_past_the_byte_cap(home):
    started = time.perf_counter()
    result = run(home, "select * from range(1000000000000)", max_rows=1000)
    assert len(result.frame) == 1000 and result.truncated
    assert time.perf_counter() - started < 5
    whole = run(home, "select * from marts.fct_leads", max_rows=96)
    assert len(whole.frame) == 96 and not whole.truncated
    with pytest.raises(SqlRefused, match="larger than 10 MB"):
        run(home, "select repeat('x', 1000000) as s from range(100)", max_bytes=10 * 2**20)


def test_rows_and_arrow_fetches_obey_the_same_limits(home):
    query = "select lead_id, profit from marts.fct_leads order by lead_id"
    rows = sandbox.run_sql(home.serving, query, Limits(max_rows=3), fetch="rows")
    assert rows.columns == ["lead_id", "profit"] and rows.data[0] == ("lead000", 0)
    assert len(rows.data) == 3 and rows.truncated
    table = sandbox.run_sql(home.serving, "from marts.fct_leads", Limits(max_rows=7), fetch="arrow")
    assert table.data.num_rows == 7 and table.truncated


def test_a_missing_serving_file_says_how_to_build(tmp_path):
    with pytest.raises(FileNotFoundError, match="leadwh build"):
        sandbox.run_sql(tmp_path / "nothing.duckdb", "select 1")
    assert not (tmp_path / "nothing.duckdb").exists()
