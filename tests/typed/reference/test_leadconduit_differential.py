"""Differential tests against LeadConduit's own parsers (npm ``leadconduit-types``, pinned in
package-lock.json, installed by ``make node-deps``): on generated values of every type, every
column of ``ingest.typed.types.parse`` equals what the library gives, except the deliberate
differences listed (with their reasons) in ``differences.py``.

Skipped when Node or the library is missing, except under CI (CI=true), where that fails.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from differences import DOCUMENTED, PENDING
from lcjs import compare, node_problem, run_leadconduit, theirs_row
from strategies import sample

from ingest.typed.types import TYPE_NAMES

#: Values per type (the same on every run: derandomized Hypothesis).
N = 400


@pytest.fixture(scope="module", autouse=True)
def node_available():
    problem = node_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI: `make node-deps` should have installed it)")
        pytest.skip(problem)


@pytest.fixture(scope="module")
def values() -> dict[str, list[str]]:
    return {t: sample(t, N) for t in TYPE_NAMES}


@pytest.fixture(scope="module")
def comparison(values):
    return compare(values, DOCUMENTED)


@pytest.mark.parametrize(
    "type_name",
    [
        pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=PENDING[t]))
        if t in PENDING
        else t
        for t in TYPE_NAMES
    ],
)
def test_every_component_agrees_with_leadconduit(comparison, type_name):
    found = [m for m in comparison.mismatches if m.type_name == type_name]
    shown = "\n".join(f"  {m}" for m in found[:25])
    assert not found, (
        f"{len(found)} components of {type_name} differ from LeadConduit's parser "
        f"({comparison.rows_differing(type_name)} of {comparison.values[type_name]} values); "
        f"fix ingest/typed/types or, if deliberate, add an entry with its reason to "
        f"tests/typed/reference/differences.py:\n{shown}"
    )


def test_each_documented_difference_is_still_needed(comparison):
    """An entry that explains nothing is stale (the difference was fixed): remove it."""
    stale = [
        f"{entry.types} {entry.components}: {entry.reason[:60]}"
        for entry in DOCUMENTED
        if not any(entry.explains(m) for m in comparison.all_mismatches)
    ]
    assert not stale, stale


def test_the_documented_differences_are_few():
    assert len(DOCUMENTED) <= 8
    for entry in DOCUMENTED:
        assert set(entry.types) <= set(TYPE_NAMES) and entry.reason.strip()
    assert set(PENDING) <= set(TYPE_NAMES)


def test_the_harness_reads_leadconduit_as_documented():
    """The bridge itself: LeadConduit's examples (leadconduit.md §3) come back mapped onto our
    columns, dates and times as Python values."""
    pairs = [
        ("phone", "(512) 789-1111"),
        ("state", "texas"),
        ("date", "6/2/14"),
        ("time", "2014-06-14T18:27:33.000Z"),
        ("range", "700-749"),
        ("string", " as given "),
        ("number", "abc"),
    ]
    rows = [theirs_row(t, r) for (t, _), r in zip(pairs, run_leadconduit(pairs), strict=True)]
    phone, state, day, time, range_, text, number = rows
    assert (phone["normal"], phone["area"], phone["exchange"], phone["line"]) == (
        "5127891111", "512", "789", "1111",
    )  # fmt: skip
    assert phone["valid"] is True and phone["masked"] is False
    assert (state["normal"], state["name"]) == ("TX", "Texas")
    assert day["normal"] == date(2014, 6, 2)
    assert time["normal"].isoformat() == "2014-06-14T18:27:33+00:00"
    assert (range_["min"], range_["max"], range_["avg"], range_["mid"]) == (700, 749, 724.5, 724)
    assert text == {"raw": " as given ", "normal": " as given ", "valid": True}
    assert number["valid"] is False and number["normal"] is None


def test_numbers_are_written_as_javascript_writes_them():
    """``js_number`` (range normals) against Node's own String(x), on awkward doubles."""
    import json
    import random
    import subprocess

    from ingest.typed.types.reference import js_number

    rng = random.Random(16)
    values = [0.5, 100.0, 1e21, 1e20, 1e-7, 1.5e-7, 1e-6, 5e-324, -724.5, 2.0**63, 0.1 + 0.2]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 25) for _ in range(2000)]
    script = "const xs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    script += "process.stdout.write(JSON.stringify(xs.map(String)));"
    done = subprocess.run(
        ["node", "-e", script], input=json.dumps(values), capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    theirs = json.loads(done.stdout)
    wrong = [(x, js_number(x), t) for x, t in zip(values, theirs, strict=True) if js_number(x) != t]
    assert not wrong, wrong[:10]


def test_times_agree_with_chrono_read_against_other_instants():
    """The time type reads partial and relative times against an instant (``now``); parse.js
    fixes it at midnight. Here chrono-node itself (the version leadconduit-types pins) reads the
    generated times against other instants: late in the day, before and after daylight saving
    changes, another year."""
    import json
    import subprocess
    from datetime import UTC, datetime

    from lcjs import HERE

    from ingest.typed.types.reference import parse_time_text

    instants = [datetime(2024, 5, 17, 22, 45, 12, 345000, tzinfo=UTC),
                datetime(2024, 3, 10, 1, 30, tzinfo=UTC), datetime(2023, 11, 5, 7, tzinfo=UTC),
                datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)]  # fmt: skip
    values = sample("time", 300)
    pairs = [(v, at) for at in instants for v in values]
    script = (
        "const chrono = require('chrono-node');"
        "const pairs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(pairs.map(([v, ms]) => {"
        " const r = chrono.parse(v, new Date(ms)); return r.length ? r[0].start.date().getTime()"
        " : null; })));"
    )
    payload = json.dumps([(v, int(at.timestamp() * 1000)) for v, at in pairs])
    done = subprocess.run(
        ["node", "-e", script], input=payload, capture_output=True, text=True, check=True,
        cwd=HERE, env={**os.environ, "TZ": "UTC"},
    )  # fmt: skip
    theirs = json.loads(done.stdout)
    wrong = []
    for (value, at), ms in zip(pairs, theirs, strict=True):
        ours = parse_time_text(value, at)
        ours_ms = None if ours is None else round(ours.timestamp() * 1000)
        if ours_ms != ms:
            wrong.append((value, at.isoformat(), ours, ms))
    assert not wrong, wrong[:10]
