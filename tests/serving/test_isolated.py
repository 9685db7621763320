"""Sandbox queries in a process of their own: what the in-process sandbox cannot bound (one huge
allocation outside DuckDB's buffer pool, one function call DuckDB cannot interrupt) is bounded."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import duckdb
import pytest

from ingest.serving import isolated
from ingest.serving.sandbox import Limits, SqlRefused, SqlTimeout

#: A list of 400 million BIGINTs (3.2 GB) in one call: outside DuckDB's buffer pool, so its
#: memory_limit does not stop it (the in-process sandbox answers 400000000 using ~3.5 GB).
HUGE_LIST = "select len(range(400000000)) as n"


@pytest.fixture
def children(monkeypatch):
    """Every child process started by the module, to check it is gone afterwards."""
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(isolated.subprocess, "Popen", popen)
    return started


def test_results_come_back_as_the_sandbox_gives_them(home, children):
    query = "select lead_id, profit from marts.fct_leads order by lead_id"
    frame = isolated.run_sql(home.serving, query, Limits(max_rows=5))
    assert frame.frame["lead_id"].tolist()[:2] == ["lead000", "lead001"]
    assert len(frame.frame) == 5 and frame.truncated and frame.columns == ["lead_id", "profit"]
    rows = isolated.run_sql(home.serving, query, Limits(max_rows=200), fetch="rows")
    assert len(rows.data) == 96 and not rows.truncated and rows.data[0] == ("lead000", 0)
    table = isolated.run_sql(home.serving, "from marts.fct_leads", fetch="arrow")
    assert table.data.num_rows == 96
    assert len(children) == 3 and all(child.returncode == 0 for child in children)


def test_a_huge_allocation_outside_the_buffer_pool_hits_the_process_cap(home, children):
    started = time.perf_counter()
    with pytest.raises(duckdb.OutOfMemoryException, match="Out of Memory"):
        isolated.run_sql(home.serving, HUGE_LIST, memory_limit="256MB")
    assert time.perf_counter() - started < 10
    assert children[0].returncode == 0  # the child answered: the cap failed the allocation


def test_a_call_duckdb_cannot_interrupt_is_killed_at_its_time_limit(home, children, monkeypatch):
    """One md5 over 1.2 GB runs to its end in-process (about 3 s here, interrupt or not)."""
    monkeypatch.setattr(isolated, "KILL_GRACE", 0.3)
    started = time.perf_counter()
    with pytest.raises(SqlTimeout, match="longer than 0.2 s") as stopped:
        isolated.run_sql(
            home.serving, "select md5(repeat('ab', 600000000)) as h", Limits(timeout=0.2)
        )
    assert not stopped.value.still_running
    assert time.perf_counter() - started < 2.5
    assert children[0].returncode is not None and children[0].returncode < 0  # killed
    assert isolated.run_sql(home.serving, "select 1 as one").frame["one"].iloc[0] == 1


def test_errors_come_back_as_their_own_types(home, tmp_path, children):
    with pytest.raises(duckdb.CatalogException, match="no_such_table"):
        isolated.run_sql(home.serving, "select * from marts.no_such_table")
    with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
        isolated.run_sql(home.serving, "select * from read_csv('/etc/passwd')")
    assert len(children) == 2
    # refused text and a missing file are answered before any child starts
    with pytest.raises(SqlRefused, match="a drop statement"):
        isolated.run_sql(home.serving, "drop table marts.fct_leads")
    with pytest.raises(FileNotFoundError, match="leadwh build"):
        isolated.run_sql(tmp_path / "nothing.duckdb", "select 1")
    assert len(children) == 2 and not (tmp_path / "nothing.duckdb").exists()


def test_a_child_that_dies_without_an_answer_is_a_clear_error(home, monkeypatch):
    """As the kernel's OOM killer, or an abort in a library, would end it."""
    killed = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    monkeypatch.setattr(isolated, "CHILD", [sys.executable, "-c", killed])
    with pytest.raises(duckdb.Error, match=r"ended without an answer \(exit status -9\)"):
        isolated.run_sql(home.serving, "select 1")
    failing = "import sys; sys.exit('MemoryError: cannot import')"
    monkeypatch.setattr(isolated, "CHILD", [sys.executable, "-c", failing])
    with pytest.raises(duckdb.Error, match="exit status 1.*MemoryError: cannot import"):
        isolated.run_sql(home.serving, "select 1")


@pytest.mark.parametrize(
    ("text", "size"),
    [("2GB", 2 * 10**9), ("512 MiB", 512 * 2**20), (" 1.5gb ", 1_500_000_000), ("10B", 10)],
)
def test_memory_sizes_are_read_as_duckdb_writes_them(text, size):
    assert isolated.size_in_bytes(text) == size


@pytest.mark.parametrize("text", ["lots", "", "2", "-1GB", "1e3MB", "2 G B"])
def test_anything_else_is_not_a_memory_size(text):
    with pytest.raises(ValueError, match="expected a memory size"):
        isolated.size_in_bytes(text)


def test_queries_beyond_the_running_limit_wait_then_give_up(home, monkeypatch, children):
    """The dashboards' server runs every viewer's queries: at most MAX_RUNNING at once, each
    with its own memory cap, so many viewers cannot multiply the memory a query may take."""
    slots = threading.BoundedSemaphore(1)
    monkeypatch.setattr(isolated, "_slots", slots)
    slots.acquire()  # another viewer's query is running
    with pytest.raises(SqlTimeout, match="did not start"):
        isolated.run_sql(home.serving, "select 1 as one", Limits(timeout=0.3))
    assert children == []
    threading.Timer(0.3, slots.release).start()  # it ends while this one waits
    assert isolated.run_sql(home.serving, "select 1 as one").frame["one"].iloc[0] == 1
    assert slots.acquire(blocking=False)  # the slot was given back
