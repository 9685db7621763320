"""The dbt project handle, shared by the dbt assets, the publish step and the CLI.

dbt is the one beside this Python (the project's virtualenv), so `.venv/bin/dagster dev` loads the
code location without an activated virtualenv (dagster-dbt's own preparer looks for `dbt` on PATH).
"""

import contextlib
import hashlib
import os
import re
import shutil
import sys
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtCliResource, DbtProject, asset_utils
from packaging.version import Version

from ingest.engines import current_engine, dbt_target, dbt_target_path
from ingest.paths import PROJECT_ROOT, stamp_files

DBT_PROJECT_DIR: Path = PROJECT_ROOT / "dbt_project"

# The engine's own target folder (ingest.engines.dbt_target_folder), as this process starts;
# dagster-dbt puts each invocation's folder, and takes the partial-parse file, under
# $DBT_TARGET_PATH. A DBT_TARGET_PATH set by the user is kept.
TARGET_PATH = os.environ["DBT_TARGET_PATH"] = dbt_target_path()

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=Path(TARGET_PATH)
)

# dagster-dbt hands a selection of more than 200 dbt resources to dbt as a selector file in a
# temporary copy of the project directory. That copy cannot work here: the models and seeds are
# beside the project (model-paths "../models"), so it has none, and dbt reports "Nothing to do" (a
# run of the 212 data tests from the UI evaluated none of them). The names are passed instead up
# to this many resources: the whole project is 267 (tests/orchestration/test_dbt_selection.py
# checks that it fits, and in one command-line argument, for dbt started as a new process).
SELECTION_ARGS_LIMIT = 1000
asset_utils._SELECTION_ARGS_THRESHOLD = SELECTION_ARGS_LIMIT


def dbt_executable() -> str:
    """The dbt next to this Python (the project's virtualenv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class ProjectDbtCliResource(DbtCliResource):
    """dagster-dbt's resource, which learns dbt's version from the installed dbt-core package
    when its executable is the virtualenv's, instead of starting `dbt --version` on every run, and
    does not load dbt's project and adapter into the run's process before starting dbt."""

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable) == Path(sys.executable).parent / "dbt":
            return Version(version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        """None: dagster-dbt needs the adapter only for `fetch_row_counts` and
        `fetch_column_metadata`, which this project does not use, and loading it took 1.5-2.5 s
        of every dbt step."""
        return None


def dbt_cli() -> DbtCliResource:
    """dbt on the engine of ``$LEADWH_ENGINE`` (its target in dbt_project/profiles.yml), read
    now: the parse that makes the manifest and every dbt step use the same target."""
    return ProjectDbtCliResource(
        project_dir=dbt_project,
        dbt_executable=dbt_executable(),
        target=dbt_target(current_engine()),
    )


# dagster-dbt gives each dbt invocation a target folder of its own, `<op>-<run id>-<random>` (its
# manifest, partial parse, compiled SQL, run results and log: about 6 MB): with a landing run a
# minute they would fill 9 GB a day. The newest are kept to look into.
INVOCATION_TARGET = re.compile(r"^\w+-[0-9a-f]{7}-[0-9a-f]{7}$")
KEEP_INVOCATION_TARGETS = 20


def prune_invocation_targets(target: Path, keep: int = KEEP_INVOCATION_TARGETS) -> list[Path]:
    """Delete all but the `keep` newest dbt invocation folders in `target` (nothing else in it);
    returns those deleted."""
    dated = []
    for path in target.iterdir() if target.is_dir() else []:
        if INVOCATION_TARGET.match(path.name) and path.is_dir():
            with contextlib.suppress(FileNotFoundError):  # another run pruned it meanwhile
                dated.append((path.stat().st_mtime_ns, path))
    old = [path for _, path in sorted(dated, reverse=True)[keep:]]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return old


def duckdb_manifest_path() -> Path:
    """The manifest as the DuckDB target renders it, parsed beside the other engine's: the marts
    copied back from Spark take the column types their contracts declare for DuckDB."""
    return dbt_project.manifest_path.parent / "duckdb" / "manifest.json"


# What `dbt parse` reads: the project's files (models, seeds, macros, tests, its YAML).
PARSE_INPUTS = (
    PROJECT_ROOT / "models",
    PROJECT_ROOT / "seeds",
    DBT_PROJECT_DIR / "macros",
    DBT_PROJECT_DIR / "tests",
    DBT_PROJECT_DIR / "dbt_project.yml",
    DBT_PROJECT_DIR / "profiles.yml",
)


def parse_fingerprint() -> str:
    """What the manifest was parsed from: every input file's path, size and modification time,
    the engine's target and the LEADWH_* settings (profiles.yml renders some)."""
    digest = hashlib.sha256(f"target={dbt_target(current_engine())}\n".encode())
    for name, value in sorted(os.environ.items()):
        if name.startswith("LEADWH_"):
            digest.update(f"{name}={value}\n".encode())
    for root in PARSE_INPUTS:
        stamp_files(digest, sorted(root.rglob("*")) if root.is_dir() else [root])
    return digest.hexdigest()


def fingerprint_path() -> Path:
    return dbt_project.manifest_path.parent / "leadwh_parse_fingerprint"


def manifest_is_current() -> bool:
    """The manifests exist and were parsed from the project's files as they are now."""
    stamp = fingerprint_path()
    manifests = [dbt_project.manifest_path]
    if dbt_target(current_engine()) is not None:
        manifests.append(duckdb_manifest_path())
    return (
        all(path.exists() for path in manifests)
        and stamp.exists()
        and stamp.read_text() == parse_fingerprint()
    )


def _parse(project: DbtProject) -> None:
    fingerprint = parse_fingerprint()  # before the parse: a file changed meanwhile parses again
    fingerprint_path().unlink(missing_ok=True)
    cli = dbt_cli()
    cli.cli(["parse", "--quiet"], target_path=project.target_path).wait()
    if cli.target is not None:  # another engine: DuckDB's rendering too (contract types)
        duckdb = DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
        duckdb.cli(["parse", "--quiet"], target_path=duckdb_manifest_path().parent).wait()
    fingerprint_path().write_text(fingerprint)


def prepare() -> None:
    """`dbt parse`: the manifest the dbt assets are defined from (one process at a time, as
    dagster-dbt's own preparer does), unless it was parsed from the files as they are now: a
    run launched by `dagster dev` loads the code location again and need not start dbt for it."""
    if manifest_is_current():
        return
    run_with_concurrent_update_guard(dbt_project.manifest_path, _parse, project=dbt_project)


if dbt_project.preparer.using_dagster_dev():  # `dagster dev` reparses at load, like prepare_if_dev
    prepare()
