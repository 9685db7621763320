"""The Dagster UI served by `dagster dev`, opened in headless Chromium: the global asset graph shows
every group, and the operations (sensor, schedules, export jobs) are listed. Screenshots go to
artifacts/dagster/."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.paths import Paths
from tests.conftest import ARTIFACTS, environment, free_port, wait_until_serving

PROJECT = Path(__file__).resolve().parents[2]
SHOTS = ARTIFACTS / "dagster"
GROUPS = [
    "landing",
    "typed",
    "staging",
    "intermediate",
    "marts",
    "reference",
    "serving",
    "ops",
    "exports",
]


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory):
    """`dagster dev -w workspace.yaml` on a free port, on an empty temporary warehouse home."""
    from orchestration.build import dagster_home

    paths = Paths(tmp_path_factory.mktemp("ui-home"))
    paths.landing.mkdir(parents=True)
    env = {
        **os.environ,
        "LEADWH_HOME": str(paths.home),
        "DAGSTER_HOME": str(paths.dagster_home),
    }
    # this test's own Dagster home, whatever DAGSTER_HOME the caller (make) exported
    with environment(DAGSTER_HOME=str(paths.dagster_home)):
        dagster_home(paths)  # writes the instance's dagster.yaml (warehouse pool limit)
    port = free_port()
    log = tmp_path_factory.mktemp("dagster-dev") / "dagster-dev.log"
    dagster = Path(sys.executable).parent / "dagster"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its webserver and daemon children stop with it
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, f"{base}/server_info", log, 150)
        yield base
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen) -> None:
    """Stop the server and its children (its process group), even if it already exited."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def dismiss_welcome(page) -> None:
    """A fresh Dagster home greets with a "Join the Dagster community" dialog: skip it."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.wait_for(state="visible", timeout=3000)
    except Exception:  # noqa: BLE001 - no dialog this time
        return
    skip.click()
    skip.wait_for(state="hidden", timeout=5000)


@pytest.mark.browser
def test_the_asset_graph_shows_every_group(browser, dagster_ui):
    page = browser.new_page(viewport={"width": 1800, "height": 1100})
    page.goto(f"{dagster_ui}/asset-groups", wait_until="domcontentloaded", timeout=120_000)
    # the groups drawn in the graph itself (not the sidebar's list), once the location has loaded
    graph = page.locator("foreignObject [class*='CollapsedGroupNode']")
    for group in GROUPS:
        graph.get_by_text(group, exact=True).first.wait_for(state="visible", timeout=120_000)
    dismiss_welcome(page)
    page.wait_for_timeout(1000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "asset_graph.png"), full_page=True)
    missing = [g for g in GROUPS if not graph.get_by_text(g, exact=True).first.is_visible()]
    assert missing == []

    page.goto(f"{dagster_ui}/automation", wait_until="domcontentloaded")
    dismiss_welcome(page)
    for name in (
        "landing_zone_sensor",
        "daily_build",
        "retention_purge_schedule",
        "export_leads_last_24h_schedule",
        "ops_alerts_schedule",
    ):
        page.get_by_text(name, exact=True).first.wait_for(state="visible", timeout=60_000)
    page.screenshot(path=str(SHOTS / "automation.png"), full_page=True)
    page.close()
