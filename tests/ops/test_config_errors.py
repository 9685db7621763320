"""A malformed config file: one line naming the file and the problem, and landing goes on."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.ops.config import ConfigError, load_alerts, load_exports, load_retention
from ingest.paths import Paths
from ingest.typed.fields import load_registry
from tests.conftest import environment, simulate_small

LOADERS = {
    "alerts": lambda path: load_alerts(path, environ={}),
    "exports": load_exports,
    "retention": load_retention,
    "custom_fields": load_registry,
}

MALFORMED = [
    ("alerts", "rules: [", "not valid YAML"),
    ("alerts", "webhook: https://x", "webhook: expected a mapping"),
    ("alerts", "rules:\n  - {kind: freshness, max_hours: soon}", "max_hours"),
    ("alerts", "colour: red", "unknown key(s) ['colour']"),
    ("exports", "exports:\n  - {name: a, mart: fct_leads", "not valid YAML"),
    ("exports", "timezone: Mars/Olympus", "not a time zone"),
    ("exports", "exports:\n  - {name: a, mart: fct_leads, destination: [x]}", "expected text"),
    ("exports", "exports:\n  - {name: a, mart: fct_leads, colour: red}", "unknown key(s)"),
    ("retention", "defaults: 5", "defaults: expected a mapping"),
    ("retention", "datasets:\n  events: 5", "datasets.events: expected a mapping"),
    ("retention", "datasets:\n  events: {keep_days: forever}", "keep_days"),
    ("custom_fields", "- {id: a, type: [phone]}", "type ['phone'] is not one of"),
    ("custom_fields", "- {id: a, type: phone, colour: red}", "unexpected key(s)"),
    ("custom_fields", "- id: a\n  type: phone\n - id: b", "not valid YAML"),
]


def assert_one_line_naming(error: ConfigError, path) -> str:
    message = str(error)
    assert "\n" not in message, message
    assert str(path) in message, message
    return message


@pytest.mark.parametrize("kind, text, says", MALFORMED)
def test_a_malformed_file_is_one_line_naming_the_file_and_the_problem(tmp_path, kind, text, says):
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        LOADERS[kind](path)
    assert says in assert_one_line_naming(error.value, path)


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_unreadable_files(tmp_path, kind):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"rules: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8") as error:
        LOADERS[kind](binary)
    assert_one_line_naming(error.value, binary)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="cannot be read") as error:
        LOADERS[kind](folder)
    assert_one_line_naming(error.value, folder)


KEYS = {
    "alerts": ["webhook", "lookback_days", "schedule", "rules", "url", "kind", "name", "max_ms"],
    "exports": ["exports", "destination", "timezone", "name", "mart", "filters", "where", "last"],
    "retention": ["schedule", "defaults", "datasets", "events", "keep_days", "submissions"],
    "custom_fields": ["id", "type", "label"],
}
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "phone", "freshness", "csv", "24h", "0 6 * * *", "fct_leads"]),
)


@pytest.mark.parametrize("kind", sorted(LOADERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_shape_is_loaded_or_refused_with_one_line(tmp_path_factory, kind, data):
    keys = st.sampled_from(KEYS[kind])
    shapes = st.recursive(
        SCALARS,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )
    document = data.draw(st.dictionaries(keys, shapes, max_size=4) | st.lists(shapes, max_size=3))
    path = tmp_path_factory.mktemp(kind) / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(document))
    try:
        LOADERS[kind](path)
    except ConfigError as error:
        assert_one_line_naming(error, path)


@pytest.fixture
def broken_config_files(tmp_path):
    files = {}
    for name, text in {
        "LEADWH_ALERTS_CONFIG": "rules: [",
        "LEADWH_EXPORTS_CONFIG": "exports: 5",
        "LEADWH_RETENTION_CONFIG": "defaults: 5",
        "LEADWH_CUSTOM_FIELDS": "- {id: a, type: telephone}",
    }.items():
        path = tmp_path / "config" / f"{name.lower()}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        files[name] = str(path)
    return files


def test_broken_config_files_never_stop_landing(tmp_path, broken_config_files):
    """The code location loads with every config file broken; the ingest job lands every file,
    and typed parsing fails with the custom-fields file's one-line error."""
    from orchestration.definitions import defs
    from orchestration.defs.resources import WarehouseResource

    paths = Paths(tmp_path / "home")
    simulate_small(paths.landing, faults=False, leads=40, days=1)
    with environment(LEADWH_HOME=str(paths.home), **broken_config_files):
        definitions = defs()
        schedules = {s.name for s in definitions.schedules}
        assert {"daily_build", "ops_alerts_schedule", "retention_purge_schedule"} <= schedules
        assert definitions.resolve_job_def("build_all") is not None
        job = definitions.resolve_job_def("ingest")
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            resources={"warehouse": WarehouseResource(home=str(paths.home))},
            raise_on_error=False,
        )
    landed = {
        key.to_user_string()
        for event in result.get_asset_materialization_events()
        for key in [event.asset_key]
    }
    assert {"raw/lead_events", "raw/lead_submissions"} <= landed
    assert "typed/leads" not in landed
    failure = next(e for e in result.all_events if e.is_failure)
    message = failure.event_specific_data.error.message
    assert broken_config_files["LEADWH_CUSTOM_FIELDS"] in message and "telephone" in message
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.lead_events").fetchone()[0] > 0


def test_config_problems_are_listed_one_line_each(broken_config_files):
    from ingest.ops.config import config_problems

    with environment(**broken_config_files):
        problems = config_problems()
    assert len(problems) == 4
    for variable, path in broken_config_files.items():
        assert sum(path in line for line in problems) == 1, variable
    assert all("\n" not in line for line in problems)
    assert config_problems() == []
