"""The dbt project handle, shared by the dbt assets, the publish step and the CLI.

dbt is the one beside this Python (the project's virtualenv), so `.venv/bin/dagster dev` loads the
code location without an activated virtualenv (dagster-dbt's own preparer looks for `dbt` on PATH).
"""

import shutil
import sys
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtCliResource, DbtProject

from ingest.engines import current_engine, dbt_target
from ingest.paths import PROJECT_ROOT

DBT_PROJECT_DIR: Path = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    """The dbt next to this Python (the project's virtualenv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_cli() -> DbtCliResource:
    """dbt on the engine of ``$LEADWH_ENGINE`` (its target in dbt_project/profiles.yml), read
    now: the parse that makes the manifest and every dbt step use the same target."""
    return DbtCliResource(
        project_dir=dbt_project,
        dbt_executable=dbt_executable(),
        target=dbt_target(current_engine()),
    )


def duckdb_manifest_path() -> Path:
    """The manifest as the DuckDB target renders it, parsed beside the other engine's: the marts
    copied back from Spark take the column types their contracts declare for DuckDB."""
    return dbt_project.manifest_path.parent / "duckdb" / "manifest.json"


def _parse(project: DbtProject) -> None:
    cli = dbt_cli()
    cli.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    if cli.target is not None:  # another engine: DuckDB's rendering too (contract types)
        duckdb = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
        duckdb.cli(["parse", "--quiet"], target_path=duckdb_manifest_path().parent).wait()


def prepare() -> None:
    """`dbt parse`: the manifest the dbt assets are defined from (one process at a time, as
    dagster-dbt's own preparer does)."""
    run_with_concurrent_update_guard(dbt_project.manifest_path, _parse, project=dbt_project)


if dbt_project.preparer.using_dagster_dev():  # `dagster dev` reparses at load, like prepare_if_dev
    prepare()
