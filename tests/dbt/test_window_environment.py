"""Dagster hands dbt the partition window in the environment ($LEADWH_WINDOW_MIN_DATE /
_MAX_DATE, macros/partition_window.sql): the models are compiled for it, and a run whose window
differs from the previous one's keeps dbt's partial parse (a changed --vars re-parses the whole
project, several seconds of every sensor run)."""

import shutil

from ingest.paths import Paths
from orchestration.defs.project import dbt_project
from orchestration.partitions import dbt_window_environment
from tests.dbt.test_dbt_test_scope import run_dbt

FULL_PARSE = "Unable to do partial parsing"


def compile_model(home, target, *args: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """`dbt compile` of fct_lead_events: (its compiled SQL, dbt's log of this invocation)."""
    log = target / "dbt.log"
    log.unlink(missing_ok=True)
    run_dbt(home, target, "compile", "--select", "fct_lead_events", *args, env=env, check=True)
    return next(target.rglob("compiled/**/fct_lead_events.sql")).read_text(), log.read_text()


def test_the_window_comes_from_the_environment_and_keeps_the_partial_parse(built_home, tmp_path):
    source, _ = built_home
    paths = Paths(tmp_path / "home")
    shutil.copytree(source.home, paths.home, ignore=shutil.ignore_patterns("dagster"))
    target = tmp_path / "target"
    target.mkdir()
    # as dagster-dbt does: each invocation starts from the partial parse of `dbt parse` (this
    # first one parses again all the same: the profile's home differs from the parse's)
    shutil.copy(dbt_project.manifest_path.parent / "partial_parse.msgpack", target)

    window = {"min_date": "2026-10-05", "max_date": "2026-10-07"}
    first, _ = compile_model(paths.home, target, env=dbt_window_environment(window))
    assert "2026-10-05" in first and "2026-10-07" in first
    window = {"min_date": "2026-10-27", "max_date": "2026-10-28"}
    second, log = compile_model(paths.home, target, env=dbt_window_environment(window))
    assert "2026-10-27" in second and "2026-10-05" not in second
    assert FULL_PARSE not in log

    # the same change of window as --vars: dbt parses the whole project again
    third, log = compile_model(paths.home, target, "--vars", '{"min_date": "2026-10-01"}')
    assert "2026-10-01" in third
    assert FULL_PARSE in log
