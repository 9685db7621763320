"""Property-based tests (Hypothesis): for every type, on realistic shapes mixed with arbitrary
Unicode text, the vectorized parser equals the scalar reference value for value, keeps the row
count and order, and gives nulls for nulls."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typegen import assert_same, strategy

from ingest.typed.types import TYPE_NAMES, parse

TODAY = date(2024, 5, 17)
NOW = datetime(2024, 5, 17, 15, 30, tzinfo=UTC)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def options(type_name: str) -> dict:
    return {"dob": {"today": TODAY}, "time": {"now": NOW}}.get(type_name, {})


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@SETTINGS
@given(data=st.data())
def test_vectorized_equals_reference(type_name, data):
    values = data.draw(st.lists(strategy(type_name), max_size=40), label="values")
    assert_same(type_name, values, **options(type_name))


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@SETTINGS
@given(data=st.data())
def test_rows_order_and_nulls(type_name, data):
    values = data.draw(st.lists(strategy(type_name), max_size=40), label="values")
    out = parse(type_name, pl.Series(values, dtype=pl.String), **options(type_name))
    assert out.height == len(values)
    assert out.get_column("raw").to_list() == values
    nulls = out.filter(pl.col("raw").is_null())
    assert nulls.null_count().row(0) == (nulls.height,) * out.width
    valid = out.filter(pl.col("raw").is_not_null()).get_column("valid")
    assert valid.null_count() == 0


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789()-+. x*extmhwc", max_size=22), max_size=40))
def test_phone_punctuation_soup(values):
    assert_same("phone", values)


@SETTINGS
@given(
    st.lists(
        st.from_regex(r"\A\+?1?[ (]?[2-9][0-9]{2}[) .-]{0,2}[0-9]{3}[ .-]?[0-9]{4}\Z"), max_size=40
    )
)
def test_phone_nanp_shapes(values):
    assert_same("phone", values)


@SETTINGS
@given(st.lists(st.text(alphabet="0123456789/-. ,TZ:+janmyfebsp", max_size=24), max_size=40))
def test_date_and_time_soup(values):
    assert_same("date", values)
    assert_same("dob", values, today=TODAY)
    assert_same("time", values, now=NOW)


@SETTINGS
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False).map(repr), max_size=40))
def test_number_and_range_of_floats(values):
    assert_same("number", values)
    assert_same("range", values)
    pairs = [f"{a}-{b}" for a, b in zip(values, reversed(values), strict=True)]
    assert_same("range", pairs)
