"""The dbt project handle, shared by the dbt assets, the publish step and the CLI."""

from pathlib import Path

from dagster_dbt import DbtProject

from ingest.paths import PROJECT_ROOT

DBT_PROJECT_DIR: Path = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
