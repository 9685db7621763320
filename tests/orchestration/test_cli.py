"""The leadwh command line."""

import json
import subprocess
import sys
import time

import pytest

from orchestration.cli import main
from orchestration.commands.sql import format_rows
from tests.conftest import environment


@pytest.mark.parametrize("command", ["simulate", "build", "sql"])
def test_every_command_has_help(command):
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"usage: leadwh {command}" in out


def test_format_rows():
    columns, rows = ["a", "b"], [(1, "x"), (None, "y,z")]
    assert format_rows(columns, rows, "csv") == 'a,b\n1,x\n,"y,z"'
    assert json.loads(format_rows(columns, rows, "json")) == [
        {"a": 1, "b": "x"},
        {"a": None, "b": "y,z"},
    ]
    table = format_rows(columns, rows, "table").splitlines()
    assert table[0].split() == ["a", "b"] and table[-1] == "(2 rows)"


def test_sql_reads_the_serving_file(built_home, capsys):
    paths, summary = built_home
    with environment(LEADWH_HOME=str(paths.home)):
        assert (
            main(
                [
                    "sql",
                    "select sum(leads) as n from marts.fct_acceptance_daily",
                    "--format",
                    "json",
                ]
            )
            == 0
        )
        assert json.loads(capsys.readouterr().out) == [{"n": summary.leads}]
        # read-only: writes are refused
        assert main(["sql", "create table marts.x as select 1"]) == 2
        assert "read-only" in capsys.readouterr().err


def test_sql_without_a_serving_file_says_how_to_build(tmp_path):
    with environment(LEADWH_HOME=str(tmp_path)), pytest.raises(SystemExit, match="leadwh build"):
        main(["sql", "select 1"])


@pytest.fixture
def tiny_home(tmp_path):
    """A serving file with marts.fct_leads (20 leads) and a warehouse file beside it."""
    import duckdb

    from ingest.paths import Paths

    paths = Paths(tmp_path / "home")
    paths.serving.parent.mkdir(parents=True)
    with duckdb.connect(str(paths.serving)) as con:
        con.execute(
            "create schema marts; create table marts.fct_leads as"
            " select printf('lead%02d', range) as lead_id, -1.5 * range as profit from range(20)"
        )
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema raw; create table raw.lead_events as select 1 as i")
    return paths


def leadwh(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    from ingest.paths import PROJECT_ROOT

    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
        timeout=120,
    )


@pytest.mark.parametrize(
    "args, says",
    [
        (["sql", ""], "the query is empty"),
        (["sql", " ; "], "the query is empty"),
        (["simulate", "--leads", "-5"], "--leads: must be at least 1, got -5"),
        (["simulate", "--days", "0"], "--days: must be at least 1, got 0"),
        (["simulate", "--leads", "many"], "--leads: expected a whole number, got 'many'"),
        (["simulate", "--workers", "0"], "--workers: must be at least 1"),
        (["simulate", "--start-date", "26/10/2026"], "expected a day as YYYY-MM-DD"),
        (["export", "leads_last_24h", "--as-of", "yesterday"], "expected a time as ISO 8601"),
    ],
)
def test_bad_arguments_give_one_clear_line(args, says, tmp_path):
    result = leadwh(*args, LEADWH_HOME=str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert says in result.stderr.strip().splitlines()[-1]
    assert not any(tmp_path.iterdir()), "nothing is written"


def test_bad_settings_and_config_files_give_one_clear_line(tmp_path):
    a_file = tmp_path / "home.txt"
    a_file.write_text("")
    result = leadwh("sql", "select 1", LEADWH_HOME=str(a_file))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"leadwh: error: LEADWH_HOME={str(a_file)!r}: is a file, not a folder: point it at a "
        "folder (it is created when missing) (default: ./data)"
    )
    result = leadwh("simulate", LEADWH_HOME=str(tmp_path), LEADWH_LANDING_WORKERS="lots")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("leadwh: error: LEADWH_LANDING_WORKERS='lots': ")
    broken = tmp_path / "exports.yaml"
    broken.write_text("exports: [")
    result = leadwh("export", "--list", LEADWH_EXPORTS_CONFIG=str(broken))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {broken}:1:11: not valid YAML (expected the node content, but found "
        "'<stream end>'); fix the file's syntax"
    ]


def test_an_unknown_leadwh_variable_is_warned_about(tmp_path):
    result = leadwh("export", "--list", LEADWH_HOEM=str(tmp_path))
    assert "leadwh: warning: LEADWH_HOEM is not a LeadWarehouse setting" in result.stderr


@pytest.mark.slow
def test_build_warns_about_each_broken_config_file_and_lands(tmp_path, capsys):
    """`leadwh build` with a broken alerts file: one warning line, and the build goes on."""
    from tests.conftest import simulate_small

    paths_home = tmp_path / "home"
    simulate_small(paths_home / "landing", faults=False, leads=30, days=1)
    broken = tmp_path / "alerts.yaml"
    broken.write_text("rules: {kind: freshness")
    with environment(
        LEADWH_HOME=str(paths_home),
        DAGSTER_HOME=str(paths_home / "dagster"),
        LEADWH_ALERTS_CONFIG=str(broken),
    ):
        assert main(["build"]) == 0
    err = capsys.readouterr().err
    assert f"leadwh: warning: {broken}:1:" in err and "not valid YAML" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "-- only a comment"], "Type a query first"),
        (["sql", "select 1", "--max-rows", "0"], "--max-rows: must be at least 1, got 0"),
        (["sql", "select 1", "--max-rows", "-5"], "--max-rows: must be at least 1, got -5"),
        (["sql", "select 1", "--timeout", "soon"], "expected a number of seconds above 0"),
        (["sql", "select 1", "--timeout", "0"], "expected a number of seconds above 0"),
        (["sql", "select 1", "--memory-limit", "lots"], "expected a memory size"),
    ],
)
def test_sql_argument_mistakes_get_one_line_not_a_traceback(tiny_home, args, message):
    done = leadwh(*args, LEADWH_HOME=str(tiny_home.home))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_sql_cannot_touch_the_warehouse_or_any_file(tiny_home, tmp_path):
    """The attacks `leadwh sql` allowed before: each refused, every file unchanged."""
    warehouse, before = tiny_home.warehouse, tiny_home.warehouse.read_bytes()
    serving = tiny_home.serving.read_bytes()
    attacks = {
        f"attach '{warehouse}' as w": "an attach statement",
        f"attach '{warehouse}' as w; drop table w.raw.lead_events": "one statement",
        f"copy marts.fct_leads to '{warehouse}'": "a copy statement",
        f"copy (select 1) to '{tmp_path}/x.csv'": "a copy statement",
        "select * from read_csv('/etc/passwd')": "disabled by configuration",
        "set enable_external_access = true": "a set statement",
        "pragma memory_limit = '100GB'": "a set statement",
        "install httpfs": "a load statement",
        f"export database '{tmp_path}/dump'": "an export statement",
    }
    for sql, message in attacks.items():
        done = leadwh("sql", sql, LEADWH_HOME=str(tiny_home.home))
        assert done.returncode == 2, sql
        assert message in done.stderr and "Traceback" not in done.stderr, (sql, done.stderr)
    assert warehouse.read_bytes() == before and tiny_home.serving.read_bytes() == serving
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "dump").exists()


def test_sql_limits_time_and_rows_and_caps_memory(tiny_home, capsys):
    with environment(LEADWH_HOME=str(tiny_home.home)):
        assert main(["sql", "select * from range(1000000)", "--max-rows", "5"]) == 0
        out = capsys.readouterr()
        assert out.out.splitlines()[-1] == "(5 rows)"
        assert "only the first 5 rows" in out.err
        slow = "select count(*) from range(1000000000000) as a, range(10) as b"
        assert main(["sql", slow, "--timeout", "0.5"]) == 2
        assert "longer than 0.5 s" in capsys.readouterr().err
        memory = "select current_setting('memory_limit') as m, current_setting('threads') as t"
        assert main(["sql", memory, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out) == [{"m": "1.8 GiB", "t": 2}]
        assert main(["sql", memory, "--format", "json", "--memory-limit", "512MB"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["m"] == "488.2 MiB"
        # one allocation outside DuckDB's buffer pool (3.2 GB) hits the query process's cap
        huge = "select len(range(400000000)) as n"
        assert main(["sql", huge, "--memory-limit", "256MB"]) == 2
        assert "Out of Memory" in capsys.readouterr().err
        # one call DuckDB cannot interrupt (md5 over 1.2 GB, ~3 s) ends with its process
        started = time.perf_counter()
        assert main(["sql", "select md5(repeat('ab', 600000000))", "--timeout", "0.2"]) == 2
        assert "longer than 0.2 s" in capsys.readouterr().err
        assert time.perf_counter() - started < 4.0


def test_sql_csv_is_safe_to_open_in_a_spreadsheet(tiny_home, capsys):
    with environment(LEADWH_HOME=str(tiny_home.home)):
        query = "select '=1+1' as \"@f\", -2.5 as n, '-x' as s, 'ok' as t"
        assert main(["sql", query, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["'@f,n,s,t", "'=1+1,-2.5,'-x,ok"]


def test_backup_copies_the_warehouse_through_dagster(tiny_home, tmp_path, capsys):
    import duckdb

    with environment(LEADWH_HOME=str(tiny_home.home)):
        assert main(["backup", "--to", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "backed up 1 tables" in out
    (folder,) = (tmp_path / "b").iterdir()
    with duckdb.connect(str(folder / "warehouse.duckdb"), read_only=True) as copy:
        assert copy.execute("select i from raw.lead_events").fetchall() == [(1,)]
    with environment(LEADWH_HOME=str(tmp_path / "nowhere")):
        assert main(["backup"]) == 2
    assert "nothing to back up" in capsys.readouterr().err
