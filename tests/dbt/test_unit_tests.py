"""dbt's unit tests (the models' logic on fixed inputs) run here, in the test suite: production
builds leave them out (orchestration/partitions.py DBT_BUILD_ARGS), as dbt advises, since their
inputs never change with the data."""

import json
import shutil

from ingest.paths import Paths
from orchestration.defs.project import dbt_project
from tests.dbt.test_dbt_test_scope import dbt


def test_every_unit_test_passes(built_home, tmp_path):
    source, _ = built_home
    paths = Paths(tmp_path / "home")  # the models' parents must exist: a built warehouse
    shutil.copytree(source.home, paths.home, ignore=shutil.ignore_patterns("dagster"))
    manifest = json.loads(dbt_project.manifest_path.read_text())
    unit_tests = {test["name"] for test in manifest["unit_tests"].values()}
    assert len(unit_tests) >= 15
    dbt(paths.home, tmp_path / "target", "test", "--select", "test_type:unit")
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    status = {
        r["unique_id"].split(".")[-1]: r["status"]
        for r in results
        if r["unique_id"].startswith("unit_test.")
    }
    assert set(status) == unit_tests
    assert {name for name, outcome in status.items() if outcome != "pass"} == set()
