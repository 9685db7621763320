"""The differential test of the engines: the same landing files, built once on DuckDB and once on
Spark (``LEADWH_ENGINE=spark``), publish the same marts, row by row (run stamps aside, see
marts_diff.py), on the first build and on the incremental build after a later day lands.

Spark starts in ~20-50 s for the dbt step of each build, so the sample is small; the test takes
about 10 min on 2 shared cores (builds: DuckDB 50 + 46 s, Spark 215 + 224 s). It needs the `spark`
extra and Java 17 (`make spark-deps`): skipped without them, failed without them in CI.
"""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from ingest.paths import Paths
from tests.conftest import build, environment
from tests.spark.marts_diff import marts_differences
from tests.spark.spark_needed import require_spark

pytestmark = pytest.mark.slow

# across the end of summer time in the US (2026-11-01 06:00 UTC): local times on both sides of it
SAMPLE = dict(leads=200, days=2, seed=19, start_date=date(2026, 10, 31))
LATER_DAY = dict(leads=100, days=1, seed=20)
ENGINES = ("duckdb", "spark")


@pytest.fixture(scope="module", autouse=True)
def spark_available():
    require_spark()
    yield
    from orchestration.build import prepare_dbt

    with environment(LEADWH_ENGINE="duckdb"):  # the manifest the other tests read
        prepare_dbt()


def land(homes: dict[str, Paths], scratch: Path, folder: str = "") -> None:
    """The same files into every home's landing zone (under `folder` when given)."""
    for paths in homes.values():
        shutil.copytree(scratch / "events", paths.landing_events / folder, dirs_exist_ok=True)
        shutil.copytree(
            scratch / "submissions", paths.landing_submissions / folder, dirs_exist_ok=True
        )


def build_all(homes: dict[str, Paths], seconds: dict[str, list[float]]) -> None:
    for engine, paths in homes.items():
        started = time.monotonic()
        with environment(LEADWH_ENGINE=engine):
            assert build(paths), f"the {engine} build failed; see the Dagster log above"
        seconds[engine].append(round(time.monotonic() - started, 1))


def test_spark_publishes_the_marts_duckdb_does(tmp_path):
    from ingest.simulator.run import simulate

    homes = {engine: Paths(tmp_path / engine) for engine in ENGINES}
    seconds: dict[str, list[float]] = {engine: [] for engine in ENGINES}
    summary = simulate(tmp_path / "sample", faults=True, **SAMPLE)
    land(homes, tmp_path / "sample")
    build_all(homes, seconds)
    first = marts_differences(homes["duckdb"].serving, homes["spark"].serving)
    assert first == [], "first build:\n" + "\n".join(first)

    # a later day lands in both: the incremental models' second run
    later = date.fromisoformat(summary.start_date) + timedelta(days=SAMPLE["days"])
    simulate(tmp_path / "later", faults=True, start_date=later, **LATER_DAY)
    land(homes, tmp_path / "later", "later")
    build_all(homes, seconds)
    print(f"build seconds (first, incremental): {seconds}")
    second = marts_differences(homes["duckdb"].serving, homes["spark"].serving)
    assert second == [], "incremental build:\n" + "\n".join(second)
