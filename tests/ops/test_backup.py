"""Backups: a checked copy of the warehouse and its key; never of a file being written."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.landing import lake, raw_store
from ingest.ops.backup import BackupError, backup
from ingest.paths import Paths


@pytest.fixture
def home(tmp_path) -> Paths:
    paths = Paths(tmp_path / "home")
    paths.home.mkdir()
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute(
            "create schema raw; create table raw.lead_events as select range as i from range(5000)"
        )
        con.execute("create schema marts; create table marts.fct_leads as select 'l1' as lead_id")
    key = paths.home / "secrets" / "hmac.key"
    key.parent.mkdir(mode=0o700)
    key.write_text("ab" * 32 + "\n")
    key.chmod(0o600)
    return paths


def test_a_backup_is_a_checked_copy_with_its_key(home, tmp_path):
    result = backup(home, tmp_path / "backups")
    folder = tmp_path / "backups" / result.folder.rsplit("/", 1)[-1]
    assert result.tables == {"marts.fct_leads": 1, "raw.lead_events": 5000}
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as copy:
        assert copy.execute("select sum(i) from raw.lead_events").fetchone()[0] == sum(range(5000))
    key = folder / "secrets" / "hmac.key"
    assert key.read_text() == "ab" * 32 + "\n" and stat.S_IMODE(key.stat().st_mode) == 0o600
    recorded = json.loads((folder / "backup.json").read_text())
    assert recorded["tables"] == result.tables and set(recorded["files"]) == {
        "warehouse.duckdb",
        "secrets/hmac.key",
    }
    assert not list(folder.glob("*.partial"))


def test_changes_a_crash_left_in_the_write_ahead_log_are_in_the_backup(home, tmp_path):
    """A process killed after a commit but before a checkpoint leaves its rows in the .wal."""
    killed = (
        "import duckdb, os, sys; con = duckdb.connect(sys.argv[1]);"
        " con.execute('insert into raw.lead_events values (99999)'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", killed, str(home.warehouse)], check=True)
    assert home.warehouse.with_name("warehouse.duckdb.wal").exists()
    result = backup(home, tmp_path / "backups")
    assert result.tables["raw.lead_events"] == 5001 and "warehouse.duckdb.wal" in result.files


def test_a_warehouse_being_written_is_not_backed_up(home, tmp_path):
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]);"
            " print('open', flush=True); time.sleep(60)",
            str(home.warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(BackupError, match="is being written"):
            backup(home, tmp_path / "backups")
    finally:
        writer.kill()
        writer.wait()
    assert not (tmp_path / "backups").exists()
    with pytest.raises(BackupError, match="nothing to back up"):
        backup(Paths(tmp_path / "empty"), tmp_path / "backups")


@pytest.mark.parametrize("inside", ["landing/events/old", "exports", "serving/backups"])
def test_a_backup_is_not_written_where_others_read(home, inside):
    """In the landing zone its backup.json would be landed as events and the key lie among the
    data files; in the exports or serving folder the key would go to whoever reads them."""
    root = home.home / inside
    with pytest.raises(BackupError, match="somewhere only the operator reads"):
        backup(home, root)
    assert not root.exists()
    assert backup(home, home.home / "backups").tables["raw.lead_events"] == 5000


def test_the_lakes_files_are_in_the_backup_and_outlive_the_originals(home, tmp_path):
    """The raw rows are Parquet files beside the warehouse file: a backup of the file alone
    would name files it does not hold. Restored (the folder as a home), the rows read back, also
    after the originals are deleted (a retention purge, a lost disk)."""
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute("drop table raw.lead_events")  # the fixture's stand-in
        raw_store.ensure_raw_schema(con)
        for day in (1, 2):
            raw_store.store_rows(
                con,
                "lead_submissions",
                f"select 'L' || range, timestamp '2026-11-0{day}', date '2026-11-0{day}', null,"
                " null, null, null, null, null, '{}', 'f', 1, 'b', now() from range(7)",
            )
            raw_store.store_rows(
                con,
                "lead_events",
                f"select 'E' || range, 'L' || range, 'source', 'success', timestamp"
                f" '2026-11-0{day}', date '2026-11-0{day}', '{{}}', 'f', 1, 'b', now()"
                " from range(5)",
            )
    result = backup(home, tmp_path / "backups")
    assert "warehouse.lake/" in result.files
    assert (result.tables["lake.lead_submissions"], result.tables["lake.lead_events"]) == (14, 10)
    for path in lake.root_for(home.warehouse).rglob("*.parquet"):
        path.unlink()
    restored = tmp_path / "restored" / "warehouse.duckdb"
    restored.parent.mkdir()
    folder = Path(result.folder)
    (folder / "warehouse.duckdb").rename(restored)
    (folder / "warehouse.lake").rename(lake.root_for(restored))
    with duckdb.connect(str(restored)) as con:
        raw_store.ensure_raw_schema(con)  # the views follow the lake to its new place
        assert con.execute("select count(*) from raw.lead_submissions").fetchone()[0] == 14
        assert con.execute("select count(*) from raw.lead_events").fetchone()[0] == 10
