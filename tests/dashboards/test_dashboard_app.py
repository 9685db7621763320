"""Every page of the Streamlit app runs (streamlit.testing.v1.AppTest) on a published warehouse,
with default and non-default filters, and explains empty states in plain words."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from markdown_it import MarkdownIt
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


#: Text a buyer's endpoint, a lead's poster or a flow's owner could write: a link, an image the
#: browser would fetch, LaTeX, a Streamlit directive, HTML and, after a line break, a heading.
HOSTILE = (
    "[x](https://evil.example) ![p](https://evil.example/p.png) $x$ :red[z]"
    ' <a href="https://evil.example">a</a>\n# heading'
)
HOSTILE_FIELD = "[f](https://evil.example)![i](https://evil.example/i.png)"


@pytest.fixture(scope="module")
def hostile_home(built_home, facts, tmp_path_factory) -> Path:
    """A copy of the serving file where the lead facts["lead"] holds HOSTILE wherever the lookup
    page shows outside text: its flow, source, rejection reason and category, its steps' names
    (the rejecting step's too), its events' reasons and feedback; and an invalid field named
    HOSTILE_FIELD."""
    copy = with_typed_leads(built_home[0], tmp_path_factory.mktemp("hostile"))
    params = {"id": facts["lead"], "t": HOSTILE}
    with duckdb.connect(str(copy.serving)) as con:
        con.execute(
            "update marts.fct_leads set flow_name = $t, source_name = $t, reason = $t,"
            " reason_category = $t, lead_outcome = 'rejected', rejected_by = 'filter',"
            " rejecting_step_id = (select min(step_id) from marts.fct_lead_events"
            " where lead_id = $id) where lead_id = $id",
            params,
        )
        con.execute(
            "update marts.fct_lead_events set reason = $t, feedback_type = $t,"
            " feedback_reason = $t where lead_id = $id",
            params,
        )
        con.execute(
            "update marts.dim_steps set step_name = $t where step_id in"
            " (select step_id from marts.fct_lead_events where lead_id = $id)",
            params,
        )
        con.execute(f'alter table typed.leads add column "{HOSTILE_FIELD}__raw" varchar')
        con.execute(f'alter table typed.leads add column "{HOSTILE_FIELD}__valid" boolean')
        con.execute(
            f'update typed.leads set "{HOSTILE_FIELD}__raw" = $t, "{HOSTILE_FIELD}__valid" = false'
            " where lead_id = $id",
            params,
        )
        con.execute("update meta.publish_info set version = version || '-hostile'")
    return copy.home


def markdown_shown(at: AppTest) -> list[str]:
    """Every text the page hands Streamlit's markdown renderer: markdown, captions, alerts,
    subheaders, metric and expander labels, st.table cells."""
    texts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "subheader")
        for e in at.get(kind)
    ]
    texts += [e.label for e in at.expander] + [m.label for m in at.metric]
    for table in at.table:
        texts += [str(cell) for cell in table.value.to_numpy().ravel()]
    return texts


def test_lookup_shows_outside_text_as_literal_text(hostile_home, facts):
    at = run_page(hostile_home, "app_pages/lookup.py", {"lead": facts["lead"]})
    assert_clean(at, "Lead lookup")
    shown = markdown_shown(at)
    commonmark = MarkdownIt("commonmark")
    for text in shown:
        # no link, image, LaTeX, directive or line break survives unescaped
        assert "](" not in text and "![" not in text and "$x$" not in text, text
        assert "\n#" not in text and ":red[z" not in text, text
        html = commonmark.render(text)
        assert "<a " not in html and "<img" not in html and "<h1" not in html, html
        # nor a bare URL once the escapes are resolved (GFM links those in a second pass)
        assert "https://evil" not in re.sub(r"\\(.)", r"\1", text), text
    # and the text is there, escaped: the summary, the reason, the events, the fields
    escaped_link, escaped_image = r"\[x\]\(https\:", r"\!\[p\]\(https\:"
    markdown = [m.value for m in at.markdown]
    assert any(escaped_link in t and escaped_image in t and r"\$x\$" in t for t in markdown)
    assert sum(r"\# heading" in t for t in markdown) >= 3  # source, flow, reason, events
    assert all(escaped_link in e.label for e in at.expander)
    assert any(r"\[f\]\(https\:" in t for t in markdown)  # the invalid field's name
    cells = [str(cell) for table in at.table for cell in table.value.to_numpy().ravel()]
    assert any(escaped_link in cell for cell in cells)  # a step's name in its event's facts
    # the timeline's step names and reasons reach Plotly as entities, drawn as text
    spec = at.get("plotly_chart")[0].proto.spec
    assert "&lt;a href" in spec and "<a href" not in spec


def test_a_crafted_lookup_link_cannot_format_the_page(hostile_home):
    # searched as an email address (one @), found nowhere, and quoted back
    term = "x` [click](https://evil.example) `@example.com"
    at = run_page(hostile_home, "app_pages/lookup.py", {"lead": term})
    assert_clean(at, "Lead lookup")
    answer = next(i.value for i in at.info if "No lead matches" in i.value)
    # the term's backticks cannot close a code span around it: escaped, as its link
    assert not re.search(r"(?<!\\)`", answer) and "](" not in answer, answer
    assert not [t for t in markdown_shown(at) if "](" in t]


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
