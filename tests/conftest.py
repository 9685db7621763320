"""Shared fixtures: the dbt manifest, a small simulated operation, a fully built warehouse."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from ingest.paths import Paths
from ingest.settings import environment  # noqa: F401 (the tests import it from here)

SMALL = dict(leads=600, days=4, seed=11)


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest():
    """dbt parse before any definitions load (the manifest must exist in tests and CI)."""
    from orchestration.build import prepare_dbt
    from orchestration.cli import use_this_environment

    use_this_environment()
    prepare_dbt()


def simulate_small(landing: Path, faults: bool = True, **overrides):
    from ingest.simulator.run import simulate

    options = {**SMALL, **overrides}
    return simulate(landing, faults=faults, **options)


def build(paths: Paths) -> bool:
    from orchestration.build import run_build

    with environment(LEADWH_HOME=str(paths.home), DAGSTER_HOME=str(paths.dagster_home)):
        return run_build(paths)


def table_counts(database: Path, tables: list[str]) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


@pytest.fixture(scope="session")
def built_home(tmp_path_factory):
    """A warehouse home with a small simulated operation (faults on), built once through Dagster."""
    paths = Paths(tmp_path_factory.mktemp("leadwh"))
    summary = simulate_small(paths.landing)
    assert build(paths), "the first build failed; see the Dagster log above"
    return paths, summary


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright. Skipped where Chromium is missing, except
    in CI (CI=true), where `make test` installs it and a missing browser is a failure."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: `make browser-deps` should have installed it")
        pytest.skip("headless Chromium (/usr/bin/chromium) is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(
    process: subprocess.Popen, url: str, log: Path, timeout: float, ready=lambda response: True
) -> None:
    """Poll `url` until it answers and `ready(response)` holds; fail the test with the end of the
    server's `log` when `process` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if ready(response):
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer:\n{log.read_text()[-5000:]}")
        time.sleep(0.3)


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
