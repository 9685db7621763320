"""The Streamlit app runs on a published warehouse and explains an empty one."""

from streamlit.testing.v1 import AppTest

from ingest.paths import PROJECT_ROOT
from tests.conftest import environment

APP = str(PROJECT_ROOT / "dashboards" / "streamlit_app.py")


def test_acceptance_page_renders_the_published_data(built_home):
    paths, summary = built_home
    with environment(LEADWH_HOME=str(paths.home)):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Acceptance"
    assert at.metric[0].value == f"{summary.leads:,}"
    assert len(at.get("plotly_chart")) == 2


def test_a_source_filter_narrows_the_page(built_home):
    paths, summary = built_home
    with environment(LEADWH_HOME=str(paths.home)):
        at = AppTest.from_file(APP, default_timeout=60).run()
        source = at.sidebar.multiselect[1].options[0]
        at.sidebar.multiselect[1].select(source).run()
    assert not at.exception
    leads = int(at.metric[0].value.replace(",", ""))
    assert 0 < leads < summary.leads
    assert at.query_params["source"] == [source]


def test_missing_serving_file_is_explained(tmp_path):
    with environment(LEADWH_HOME=str(tmp_path)):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "make build" in at.info[0].value
