"""The leadwh command line."""

import json
import subprocess
import sys

import pytest

from orchestration.cli import format_rows, main
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
