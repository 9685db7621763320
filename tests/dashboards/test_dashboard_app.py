"""Every page of the Streamlit app runs (streamlit.testing.v1.AppTest) on a published warehouse,
with default and non-default filters, and explains empty states in plain words."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboards import serving
from tests.conftest import environment
from tests.dashboards.serving_copies import emptied, with_typed_leads, without_typed_leads

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py")
PAGES = {
    "app_pages/overview.py": "Overview",
    "app_pages/acceptance.py": "Acceptance patterns",
    "app_pages/rejections.py": "Rejections",
    "app_pages/delivery.py": "Delivery",
    "app_pages/sources.py": "Source quality",
    "app_pages/quality.py": "Lead quality",
    "app_pages/commerce.py": "Buyers & suppliers",
    "app_pages/lookup.py": "Lead lookup",
    "app_pages/sql.py": "SQL",
}
FILTERED_PAGES = [p for p in PAGES if p not in ("app_pages/lookup.py", "app_pages/sql.py")]


def run_page(home: Path, page: str, params: dict | None = None) -> AppTest:
    with environment(LEADWH_HOME=str(home)):
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(page)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at.run()


def assert_clean(at: AppTest, title: str) -> None:
    assert not at.exception, at.exception[0].value
    assert not at.error, at.error[0].value
    assert at.title[0].value == title


def table_with(at: AppTest, column: str):
    """The first table (as a DataFrame) that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture(scope="module")
def home(built_home) -> Path:
    return built_home[0].home


@pytest.fixture(scope="module")
def facts(built_home) -> dict:
    """A busy source, a flow it posts into, a flow it does not, and the date range."""
    paths, _ = built_home
    with serving.connect(paths.serving) as con:
        source, flow = con.execute(
            "select source_name, flow_name from marts.fct_leads group by 1, 2"
            " order by count(*) desc limit 1"
        ).fetchone()
        other_flow = con.execute(
            "select flow_name from marts.fct_leads group by 1"
            " having count(*) filter (where source_name = $s) = 0 limit 1",
            {"s": source},
        ).fetchone()[0]
        lo, hi = con.execute(
            "select min(submitted_date), max(submitted_date) from marts.fct_leads"
        ).fetchone()
        narrowed = con.execute(
            "select count(*) from marts.fct_leads where source_name = $s and flow_name = $f"
            " and submitted_date between $a and $b",
            {"s": source, "f": flow, "a": lo, "b": hi - timedelta(days=1)},
        ).fetchone()[0]
        lead = con.execute(
            "select lead_id from marts.fct_leads order by deliveries_attempted desc, lead_id"
            " limit 1"
        ).fetchone()[0]
        events = con.execute(
            "select count(*) from marts.fct_lead_events where lead_id = $id", {"id": lead}
        ).fetchone()[0]
    return {
        "source": source,
        "flow": flow,
        "other_flow": other_flow,
        "lo": lo,
        "hi": hi,
        "narrowed": narrowed,
        "lead": lead,
        "events": events,
    }


def narrowed_filters(facts: dict) -> dict:
    """URL parameters for one source in one flow, without the last day."""
    last = facts["hi"] - timedelta(days=1)
    return {
        "dates": [facts["lo"].isoformat(), last.isoformat()],
        "source": [facts["source"]],
        "flow": [facts["flow"]],
    }


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_with_default_filters(home, page):
    at = run_page(home, page)
    assert_clean(at, PAGES[page])
    if page in FILTERED_PAGES:
        assert at.get("plotly_chart"), "a filtered page shows at least one chart"
        assert at.get("download_button"), "every chart and table has its CSV download"


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_with_non_default_filters(home, facts, page):
    at = run_page(home, page, narrowed_filters(facts))
    assert at.sidebar.multiselect[1].value == [facts["source"]]
    assert_clean(at, PAGES[page])
    assert not [i for i in at.info if "Nothing matches" in i.value]


def test_overview_numbers_follow_the_filters_in_the_url(home, facts, built_home):
    _, summary = built_home
    at = run_page(home, "app_pages/overview.py")
    assert metric(at, "Leads") == f"{summary.leads:,}"
    narrowed = run_page(home, "app_pages/overview.py", narrowed_filters(facts))
    assert metric(narrowed, "Leads") == f"{facts['narrowed']:,}"
    assert narrowed.sidebar.multiselect[1].value == [facts["source"]]
    assert narrowed.sidebar.date_input[0].value[1] < facts["hi"]


# the commerce page is per buyer and source: a source with a flow it does not post into still
# leaves that flow's buyers to show
@pytest.mark.parametrize("page", [p for p in FILTERED_PAGES if p != "app_pages/commerce.py"])
def test_filters_that_match_nothing_are_explained(home, facts, page):
    at = run_page(home, page, {"source": [facts["source"]], "flow": [facts["other_flow"]]})
    assert_clean(at, PAGES[page])
    assert any("Nothing matches these filters" in i.value for i in at.info)
    assert not at.get("plotly_chart")


@pytest.mark.parametrize("page", list(PAGES))
def test_a_missing_serving_file_is_explained(tmp_path, page):
    at = run_page(tmp_path, page)
    assert_clean(at, PAGES[page])
    assert "make build" in at.info[0].value
    assert not at.sidebar.multiselect  # no filters without data


@pytest.fixture(scope="module")
def empty_home(built_home, tmp_path_factory) -> Path:
    return emptied(built_home[0], tmp_path_factory.mktemp("empty")).home


@pytest.mark.parametrize("page", list(PAGES))
def test_a_warehouse_without_leads_is_explained(empty_home, page):
    at = run_page(empty_home, page)
    assert_clean(at, PAGES[page])
    if page in FILTERED_PAGES:
        assert "holds no leads yet" in at.info[0].value
        assert not at.get("plotly_chart")


def test_a_sidebar_filter_narrows_the_page(home, built_home):
    _, summary = built_home
    with environment(LEADWH_HOME=str(home)):
        at = AppTest.from_file(APP, default_timeout=60).run()
        source = at.sidebar.multiselect[1].options[0]
        at.sidebar.multiselect[1].select(source).run()
    assert not at.exception
    leads = int(metric(at, "Leads").replace(",", ""))
    assert 0 < leads < summary.leads


def test_rejections_drill_down_into_a_category(home, monkeypatch):
    monkeypatch.setenv("LEADWH_HOME", str(home))  # for the reruns too
    at = run_page(home, "app_pages/rejections.py")
    categories = at.selectbox(key="category").options
    assert categories[0] == "All categories" and len(categories) > 1
    at.selectbox(key="category").select(categories[1]).run()
    assert not at.exception
    titles = [chart.proto.spec for chart in at.get("plotly_chart")]
    assert any(f"Raw reasons ({categories[1]})" in spec for spec in titles)


def test_delivery_shows_enhancement_steps_apart(home):
    at = run_page(home, "app_pages/delivery.py", {"kind": "Enhancement steps"})
    assert_clean(at, "Delivery")
    labels = [m.label for m in at.metric]
    assert "Enhancement steps run" in labels and "Buyer deliveries" not in labels
    buyers = run_page(home, "app_pages/delivery.py")
    assert "Buyer deliveries" in [m.label for m in buyers.metric]


def test_lookup_shows_a_leads_events_and_fields(home, facts, built_home, tmp_path):
    typed = with_typed_leads(built_home[0], tmp_path / "typed")
    at = run_page(typed.home, "app_pages/lookup.py", {"lead": facts["lead"]})
    assert_clean(at, "Lead lookup")
    assert len(at.expander) == facts["events"]
    assert any(s.value == "Parsed fields" for s in at.subheader)
    fields = table_with(at, "field")
    assert {"email", "phone_1"} <= set(fields["field"])


def test_lookup_without_parsed_fields_says_so(built_home, facts, tmp_path):
    untyped = without_typed_leads(built_home[0], tmp_path / "untyped")
    at = run_page(untyped.home, "app_pages/lookup.py", {"lead": facts["lead"]})
    assert_clean(at, "Lead lookup")
    assert len(at.expander) == facts["events"]
    assert any("not published yet" in i.value for i in at.info)
    by_email = run_page(untyped.home, "app_pages/lookup.py", {"lead": "jane@example.com"})
    assert_clean(by_email, "Lead lookup")
    assert any("Search by lead id instead" in i.value for i in by_email.info)


def test_lookup_of_an_unknown_lead(home):
    at = run_page(home, "app_pages/lookup.py", {"lead": "0" * 24})
    assert_clean(at, "Lead lookup")
    assert any("No lead matches" in i.value for i in at.info)


def test_sql_page_runs_a_query_and_refuses_a_write(home, built_home, monkeypatch):
    _, summary = built_home
    monkeypatch.setenv("LEADWH_HOME", str(home))  # for the reruns too
    at = run_page(home, "app_pages/sql.py")
    at.text_area(key="sql_text").input("select count(*) as n from marts.fct_leads")
    at.button[0].click().run()
    assert_clean(at, "SQL")
    assert table_with(at, "n")["n"].iloc[0] == summary.leads
    at.text_area(key="sql_text").input("delete from marts.fct_leads")
    at.button[0].click().run()
    assert_clean(at, "SQL")
    assert "Only read queries" in at.warning[0].value
