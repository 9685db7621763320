"""Publishing swaps the serving file atomically; readers never block it or see half a state."""

import json
import shlex
import shutil
import subprocess
import sys
import threading
from datetime import datetime

import duckdb
import pytest

from ingest.engines import dbt_manifest
from ingest.serving.publish import publish, serving_version, stamped_tables
from ingest.settings import PROJECT_ROOT


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


def test_every_date_of_birth_is_served_only_masked_or_as_an_age_band(tmp_path):
    """dob, spouse.dob, mortgage.coborrower.dob and any field typed dob (here a custom
    `applicant_bday`, recognised by its age band): raw, normal and age stay in the warehouse."""
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 1)
    parts = "'1986-07-04' as {p}__raw, date '1986-07-04' as {p}__normal, 40.1 as {p}__age," \
        " 1986 as {p}__year, '**/**/1986' as {p}__masked"  # fmt: skip
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema typed")
        con.execute(
            "create table typed.leads as select 'L1' as lead_id, "
            + ", ".join(parts.format(p=p) for p in ("spouse_dob", "mortgage_coborrower_dob"))
            + ", '1986' as applicant_bday__raw, '35-44' as applicant_bday__age_band,"
            " '07/04/1986' as Date_Of_Birth__raw, 'x' as phone_1__raw"
        )
    publish(warehouse, serving)
    with duckdb.connect(str(serving), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe typed.leads").fetchall()]
    assert columns == ["lead_id", "spouse_dob__year", "spouse_dob__masked",
                       "mortgage_coborrower_dob__year", "mortgage_coborrower_dob__masked",
                       "applicant_bday__age_band", "phone_1__raw"]  # fmt: skip


# Incremental publish: only the rows built since the serving file's newest `built_at` are copied.

KEYS = {"marts.fct": "id", "typed.leads": "lead_id"}
T1, T2 = "2026-10-01 00:00:00", "2026-10-02 00:00:00"


def test_dates_of_birth_posted_to_buyers_are_masked_in_the_served_transactions(tmp_path):
    """fct_lead_events.transactions carries what was posted to buyers: the lead's fields, in
    JSON (also as a JSON string), URL-encoded bodies and query strings, and XML."""
    body = {"DOB": "1995-05-29", "date_of_birth": "05/29/1995", "spouse_dob": "1990-01-01",
            "doberman": "kept", "zip": "78751"}  # fmt: skip
    transactions = [
        {"request": {"uri": "https://b.example/p?birth_date=1995-05-29&x=1",
                     "body": "first_name=Carol&dob=05%2F29%2F1995&zip=78751"}},
        {"request": {"body": json.dumps(body)}, "response": {"body": "<BirthDay>5/29</BirthDay>"}},
        {"request": {"body": {"dob": "1995-05-29"}}},
    ]  # fmt: skip
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 1)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table marts.fct_lead_events as select 'e1' as event_id,"
            " cast(? as json) as transactions",
            [json.dumps(transactions)],
        )
    publish(warehouse, serving)
    with duckdb.connect(str(serving), read_only=True) as con:
        text, data_type = con.execute(
            "select transactions, typeof(transactions) from marts.fct_lead_events"
        ).fetchone()
    served = json.loads(text)
    assert data_type == "JSON" and "1995" not in text and "5/29" not in text, text
    assert served[0]["request"]["body"] == "first_name=Carol&dob=**/**/****&zip=78751"
    assert json.loads(served[1]["request"]["body"]) == {
        **body, "DOB": "**/**/****", "date_of_birth": "**/**/****", "spouse_dob": "**/**/****"
    }  # fmt: skip
    assert served[2]["request"]["body"] == {"dob": "**/**/****"}


def test_a_serving_file_published_under_older_privacy_rules_is_replaced_whole(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    publish(warehouse, serving, delta_keys=KEYS)
    assert publish(warehouse, serving, delta_keys=KEYS).incremental
    with duckdb.connect(str(serving)) as con:  # as a publish before the rules were recorded
        con.execute("alter table meta.publish_info drop column privacy_rules")
    assert not publish(warehouse, serving, delta_keys=KEYS).incremental
    assert publish(warehouse, serving, delta_keys=KEYS).incremental


def test_a_custom_field_of_type_dob_is_masked_and_a_new_one_makes_a_full_publish(
    tmp_path, monkeypatch
):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    body = "first_name=Ann&applicant.born=1990-01-02&born_in=Austin"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table marts.fct_lead_events as select 'e1' as event_id,"
            " cast(? as json) as transactions",
            [json.dumps([{"request": {"body": body}}])],
        )
    publish(warehouse, serving, delta_keys=KEYS)
    assert publish(warehouse, serving, delta_keys=KEYS).incremental
    fields = tmp_path / "custom_fields.yaml"
    fields.write_text("- id: applicant.born\n  type: dob\n")
    monkeypatch.setenv("LEADWH_CUSTOM_FIELDS", str(fields))
    assert not publish(warehouse, serving, delta_keys=KEYS).incremental  # other rules
    with duckdb.connect(str(serving), read_only=True) as con:
        [(text,)] = con.execute("select transactions from marts.fct_lead_events").fetchall()
    assert json.loads(text)[0]["request"]["body"] == (
        "first_name=Ann&applicant.born=**/**/****&born_in=Austin"
    )
    assert publish(warehouse, serving, delta_keys=KEYS).incremental


def make_stamped_warehouse(path):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct as select range as id, 'v1' as v,"
            " cast(? as timestamp) as built_at from range(1000)",
            [T1],
        )
        con.execute("create table marts.agg as select 1 as day, 1000 as n")
        con.execute("create schema typed")
        con.execute(
            "create table typed.leads as select 'L' || range as lead_id, '1986' as dob__raw,"
            " '**/**/1986' as dob__masked, cast(? as timestamp) as built_at from range(10)",
            [T1],
        )


def rebuild_some_rows(path):
    """What a later run does: rewrites rows 900..999 and adds 1000..1099, at a later stamp."""
    with duckdb.connect(str(path)) as con:
        con.execute("delete from marts.fct where id >= 900")
        con.execute(
            "insert into marts.fct select range, 'v2', cast(? as timestamp) from range(900, 1100)",
            [T2],
        )
        con.execute("create or replace table marts.agg as select 1 as day, 1100 as n")
        con.execute(
            "insert into typed.leads values ('L10', '1990', '**/**/1990', cast(? as timestamp))",
            [T2],
        )


def contents(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: sorted(con.execute(f"select * from {table}").fetchall())
            for table in ("marts.fct", "marts.agg", "typed.leads")
        }


def test_an_incremental_publish_equals_a_full_one_and_copies_only_the_new_rows(tmp_path):
    warehouse, serving, full = tmp_path / "w.duckdb", tmp_path / "s.duckdb", tmp_path / "f.duckdb"
    make_stamped_warehouse(warehouse)
    first = publish(warehouse, serving, delta_keys=KEYS)
    assert not first.incremental and first.written["marts.fct"] == 1000
    rebuild_some_rows(warehouse)
    second = publish(warehouse, serving, delta_keys=KEYS)
    assert second.incremental and second.by_delta == {"marts.fct", "typed.leads"}
    assert second.written == {"marts.fct": 200, "marts.agg": 1, "typed.leads": 1}
    assert second.tables == {"marts.fct": 1100, "marts.agg": 1, "typed.leads": 11}
    publish(warehouse, full, delta_keys=KEYS, full=True)
    assert contents(serving) == contents(full)
    with duckdb.connect(str(serving), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe typed.leads").fetchall()]
        info = con.execute("select incremental, rows_written from meta.publish_info").fetchone()
    assert "dob__raw" not in columns  # still withheld on the incremental path
    assert info[0] is True and '"marts.fct":200' in info[1].replace(" ", "")


def test_rows_deleted_in_the_warehouse_make_the_table_copied_whole(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    publish(warehouse, serving, delta_keys=KEYS)
    with duckdb.connect(str(warehouse)) as con:  # e.g. a purge: no row is newer, some are gone
        con.execute("delete from marts.fct where id < 100")
    result = publish(warehouse, serving, delta_keys=KEYS)
    assert result.incremental and "marts.fct" not in result.by_delta
    assert result.written["marts.fct"] == result.tables["marts.fct"] == 900


def test_a_table_mostly_rebuilt_is_copied_whole(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    publish(warehouse, serving, delta_keys=KEYS)
    with duckdb.connect(str(warehouse)) as con:  # e.g. a full rebuild: every row is newer
        con.execute("update marts.fct set v = 'v2', built_at = cast(? as timestamp)", [T2])
    result = publish(warehouse, serving, delta_keys=KEYS)
    assert result.incremental and result.by_delta == {"typed.leads"}
    assert contents(serving)["marts.fct"] == [(i, "v2", datetime(2026, 10, 2)) for i in range(1000)]


def test_changed_columns_and_dropped_tables_follow_the_warehouse(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    publish(warehouse, serving, delta_keys=KEYS)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table marts.fct add column extra integer default 7")
        con.execute("drop table marts.agg")
    result = publish(warehouse, serving, delta_keys=KEYS)
    assert result.incremental and "marts.fct" not in result.by_delta
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("select min(extra), max(extra) from marts.fct").fetchone() == (7, 7)
        names = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert "agg" not in names


def test_a_serving_file_grown_past_its_limit_is_written_afresh(tmp_path, monkeypatch):
    import ingest.serving.publish as publish_module

    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    publish(warehouse, serving, delta_keys=KEYS)
    monkeypatch.setattr(publish_module, "COMPACT_GROWTH", 0.5)  # any size is now too big
    rebuild_some_rows(warehouse)
    result = publish(warehouse, serving, delta_keys=KEYS)
    assert not result.incremental and not result.by_delta


def test_a_serving_file_from_before_incremental_publishing_is_replaced_whole(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_stamped_warehouse(warehouse)
    with duckdb.connect(str(serving)) as con:  # the stamp as earlier versions wrote it
        con.execute("create schema meta")
        con.execute("create table meta.publish_info as select 'v0' as version")
    result = publish(warehouse, serving, delta_keys=KEYS)
    assert not result.incremental and result.tables["marts.fct"] == 1000
    assert publish(warehouse, serving, delta_keys=KEYS).incremental  # and from then on


def test_temporary_files_of_killed_publishes_are_removed_and_only_those(tmp_path):
    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "serving" / "s.duckdb"
    make_warehouse(warehouse, 5)
    serving.parent.mkdir()
    killed = [
        serving.parent / ".s.duckdb.20261201T040331603925-ec51fd.tmp",
        serving.parent / ".s.duckdb.20261201T040331603925-ec51fd.tmp.wal",
    ]
    others = [
        serving.parent / ".other.duckdb.20261201T040331603925-ec51fd.tmp",  # another file's
        serving.parent / ".s.duckdb.notaversion.tmp",
        serving.parent / "notes.tmp",
    ]
    for path in killed + others:
        path.write_bytes(b"left behind")
    result = publish(warehouse, serving)
    assert sorted(result.removed_temporaries) == sorted(p.name for p in killed)
    assert not any(p.exists() for p in killed)
    assert all(p.exists() for p in others)
    assert serving_version(serving) == result.version


def test_a_publish_waits_for_a_running_one_and_leaves_its_temporary_file_alone(tmp_path):
    from ingest.serving.publish import publish_lock

    warehouse, serving = tmp_path / "w.duckdb", tmp_path / "s.duckdb"
    make_warehouse(warehouse, 5)
    running = tmp_path / ".s.duckdb.20261201T040331603925-ec51fd.tmp"  # a live publish's file
    with publish_lock(serving):
        running.write_bytes(b"being written")
        waiting = threading.Thread(target=publish, args=(warehouse, serving))
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive(), "a second publish must wait for the lock"
        assert running.exists()
    waiting.join(timeout=60)
    assert not waiting.is_alive()
    # once the first publish is gone, its file (had it been left behind) goes too
    assert not running.exists()


# Which tables are published by their new rows: declared once, in the dbt models' meta.


def write_manifest(path, models):
    """A dbt manifest holding the given models: name -> (config, schema)."""
    nodes = {
        f"model.p.{name}": {
            "resource_type": "model",
            "name": name,
            "schema": schema,
            "alias": name,
            "config": config,
        }
        for name, (config, schema) in models.items()
    }
    nodes["test.p.unique_fct_id"] = {"resource_type": "test", "config": {"meta": {}}}
    path.write_text(json.dumps({"nodes": nodes}))
    return path


def test_the_stamped_tables_are_the_models_whose_meta_says_so_and_the_typed_leads(tmp_path):
    manifest = write_manifest(
        tmp_path / "manifest.json",
        {
            "fct": ({"unique_key": "id", "meta": {"stamped": True}}, "marts"),
            "agg": ({"unique_key": "day", "meta": {}}, "marts"),
            "dim": ({"unique_key": "id"}, "marts"),
        },
    )
    assert stamped_tables(manifest) == {"marts.fct": "id", "typed.leads": "lead_id"}


def test_the_project_stamps_the_four_big_facts():
    assert stamped_tables() == {  # the manifest of dbt_project/ (the session's `dbt parse`)
        "marts.fct_lead_events": "event_id",
        "marts.fct_leads": "lead_id",
        "marts.fct_deliveries": "delivery_id",
        "marts.fct_feedback": "feedback_event_id",
        "typed.leads": "lead_id",
    }


def test_the_default_manifest_is_the_one_of_this_process_engine(tmp_path, monkeypatch):
    """Spark parses into dbt_project/target/spark/: publish must not read DuckDB's manifest."""
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.setenv("LEADWH_ENGINE", "spark")
    assert dbt_manifest() == PROJECT_ROOT / "dbt_project" / "target" / "spark" / "manifest.json"
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    write_manifest(
        tmp_path / "manifest.json", {"fct": ({"unique_key": "id", "meta": {"stamped": True}}, "m")}
    )
    assert stamped_tables() == {"m.fct": "id", "typed.leads": "lead_id"}


def test_a_stamped_model_needs_one_key_column_and_a_manifest_must_exist(tmp_path):
    manifest = write_manifest(
        tmp_path / "manifest.json",
        {"fct": ({"unique_key": ["day", "id"], "meta": {"stamped": True}}, "marts")},
    )
    with pytest.raises(ValueError, match="one key column"):
        stamped_tables(manifest)
    with pytest.raises(FileNotFoundError, match="dbt parse"):
        stamped_tables(tmp_path / "missing.json")


FULL_DISK_PUBLISH = """
import os, sys
from pathlib import Path
import duckdb
from ingest.serving.publish import publish
warehouse, serving = Path(sys.argv[1]), Path(sys.argv[2]) / "s.duckdb"
keys = {"marts.fct": "id"}
publish(warehouse, serving, delta_keys=keys)
with duckdb.connect(str(warehouse)) as con:  # 140,000 of 300,000 rows rebuilt: a delta
    con.execute("update marts.fct set h = md5(h), built_at = built_at + interval 1 day"
                " where id < 140000")
try:
    publish(warehouse, serving, delta_keys=keys)
    print("published")
except Exception as error:
    print("failed:", error)
print(sorted(os.listdir(serving.parent)))
"""


def on_small_disk(size: str, folder, args: list[str]) -> str:
    """Run Python with ``args`` where ``folder`` is a file system of ``size`` of its own (a
    tmpfs in a mount namespace: the real "No space left on device"); its output."""
    if subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode:
        pytest.skip("needs unshare -Urm (user and mount namespaces) for a small file system")
    mount = f"mount -t tmpfs -o size={size} tmpfs {folder}"
    command = shlex.join([sys.executable, *args])
    done = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", f"{mount} && {command}"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_publish_that_fills_the_disk_leaves_no_temporary_file_behind(tmp_path):
    """A full disk stops a publish wherever it strikes (copying the previous serving file, the
    write-ahead log of the delta, the checkpoint): its temporary file and that file's log (as
    large as the rows) are removed at once, not left to fill the disk until the next publish."""
    warehouse, disk = tmp_path / "w.duckdb", tmp_path / "disk"
    with duckdb.connect(str(warehouse)) as con:  # about 10 MB that does not compress
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct as select range as id, md5(range::varchar) as h,"
            f" timestamp '{T1}' as built_at from range(300000)"
        )
    disk.mkdir()
    failures = []
    for megabytes in range(8, 19):
        copy = tmp_path / "w-copy.duckdb"
        shutil.copyfile(warehouse, copy)
        out = on_small_disk(f"{megabytes}m", disk, ["-c", FULL_DISK_PUBLISH, str(copy), str(disk)])
        outcome, listing = out.strip().splitlines()
        assert listing == "['.s.duckdb.publish.lock', 's.duckdb']", (megabytes, out)
        if outcome != "published":
            assert "No space left on device" in outcome
            failures.append(outcome)
    assert len(failures) >= 3  # the disk filled up in several places
