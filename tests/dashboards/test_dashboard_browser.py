"""The app served by `streamlit run` and opened in headless Chromium: every page shows its title
and no error; a screenshot of each is saved under artifacts/dashboards/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from dashboards import serving
from tests.conftest import ARTIFACTS, free_port, wait_until_serving

APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
SHOTS = ARTIFACTS / "dashboards"
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
COMMERCE_VIEWS = ("Cap pacing", "Buyer response", "Feedback cohorts", "Supplier P&L")


@contextmanager
def streamlit_server(home: Path, log: Path):
    """`streamlit run` on a free port with LEADWH_HOME at `home` (output to `log`); its base
    URL."""
    port = free_port()
    env = {**os.environ, "LEADWH_HOME": str(home)}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(APP),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(
            process, f"{base}/_stcore/health", log, 60, ready=lambda r: r.read() == b"ok"
        )
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def served(built_home, tmp_path_factory):
    """`streamlit run` on a free port, LEADWH_HOME at the built warehouse; its base URL."""
    paths, _ = built_home
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with streamlit_server(paths.home, log) as base:
        yield base


@pytest.fixture(scope="module")
def story(built_home) -> dict:
    """A lead with a failed or errored step, and the busiest source."""
    paths, _ = built_home
    with serving.connect(paths.serving) as con:
        lead = con.execute(
            "select lead_id from marts.fct_lead_events where outcome in ('failure', 'error')"
            " and event_type in ('recipient', 'retry') group by 1 order by count(*) desc, 1"
            " limit 1"
        ).fetchone()[0]
        source = con.execute(
            "select source_name from marts.fct_leads group by 1 order by count(*) desc limit 1"
        ).fetchone()[0]
    return {"lead": lead, "source": source}


def settle(page) -> None:
    """Wait until the script has finished running and the page has drawn."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000
    )
    page.wait_for_timeout(500)  # let Plotly draw


def screenshot(page, name: str) -> Path:
    """The whole page: the viewport grown to the main area's height first."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1500, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(600)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1500, "height": 1000})
    return path


def views(story: dict) -> list[tuple[str, str, str]]:
    """(screenshot name, URL path, title) for every page, and the stories' views."""
    return [
        ("overview", "/", "Overview"),
        ("acceptance", "/acceptance", "Acceptance patterns"),
        ("rejections", "/rejections", "Rejections"),
        ("delivery", "/delivery", "Delivery"),
        ("delivery-enhancements", "/delivery?kind=Enhancement+steps", "Delivery"),
        ("sources", "/sources", "Source quality"),
        *(
            (
                f"commerce-{view.split()[0].lower()}",
                f"/commerce?view={quote(view)}",
                "Buyers & suppliers",
            )
            for view in COMMERCE_VIEWS
        ),
        ("lookup", f"/lookup?lead={story['lead']}", "Lead lookup"),
        ("sql", "/sql", "SQL"),
    ]


@pytest.mark.browser
def test_every_page_opens_without_errors(browser, served, story):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    failures = []
    for name, path, title in views(story):
        page.goto(served + path)
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
        settle(page)
        if name == "lookup":  # open the first failed step: its reason and HTTP transaction
            failed = page.locator('[data-testid="stExpander"] summary').filter(
                has_text=re.compile(r"(recipient|retry) .* · (failure|error)")
            )
            failed.first.click()
            details = failed.first.locator("xpath=..")  # the <details> the summary opens
            details.get_by_text("Reason:").wait_for(timeout=30_000)
        shot = screenshot(page, name)
        errors = page.locator(ERRORS)
        if errors.count():
            failures.append(f"{path}: {errors.first.inner_text()[:300]}")
        assert shot.stat().st_size > 10_000
    # the SQL page runs a query and shows the result as a table
    page.goto(served + "/sql")
    settle(page)
    page.get_by_label("Query").fill(
        "select source_name, count(*) as leads from marts.fct_leads group by 1 order by 2 desc"
    )
    page.get_by_role("button", name="Run").click()
    page.get_by_text(re.compile(r"^\d+ rows in [\d.]+ s")).wait_for(timeout=60_000)
    settle(page)
    screenshot(page, "sql-result")
    assert page.locator(ERRORS).count() == 0
    page.close()
    assert not failures, failures


def has_params(url: str, path: str, wanted: dict[str, list[str]]) -> bool:
    """True when ``url`` is the page at ``path`` with at least the ``wanted`` query values."""
    parts = urlsplit(url)
    params = parse_qs(parts.query)
    return parts.path.rstrip("/") == path.rstrip("/") and all(
        params.get(key) == values for key, values in wanted.items()
    )


@pytest.mark.browser
def test_filters_stay_in_the_url_across_pages(browser, served, story):
    """The sidebar filters survive every page change: in the URL and in the widgets, after the
    new page has run (waits on the state asserted, never on time)."""
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    wanted = {"source": [story["source"]]}
    page.goto(f"{served}/?source={quote(story['source'])}")
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    expect(idle).to_be_attached(timeout=60_000)
    for title, path in [("Rejections", "/rejections"), ("Delivery", "/delivery"),
                        ("Source quality", "/sources"), ("Overview", "/")]:  # fmt: skip
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
        page.wait_for_url(lambda url, p=path: has_params(url, p, wanted), timeout=60_000)
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=60_000)
        expect(idle).to_be_attached(timeout=60_000)
        # still there once the page has finished running, and applied: the widget shows it
        assert has_params(page.url, path, wanted), page.url
        chosen = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').nth(1)
        expect(chosen).to_contain_text(story["source"])
    assert page.locator(ERRORS).count() == 0
    page.close()
