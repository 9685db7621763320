"""The date shapes read in Polars without the port of moment (dates.DATE_FAST_SHAPES) give the
port's answer for every value of the shape: each month and day from 0 to one past the largest, in
one and two digits, over years chosen for their edges (leap years, centuries, moment's two-digit
year pivot at 68/69, year 0)."""

from __future__ import annotations

from datetime import date

import pytest
from typegen import assert_same

from ingest.typed.types.dates import DATE_FAST_SHAPES
from ingest.typed.types.moment_dates import MONTHS

TODAY = date(2024, 5, 17)


def numbers(upto: int) -> list[str]:
    """0..upto in two digits, and 0..9 in one."""
    return [f"{n:02d}" for n in range(upto + 1)] + [str(n) for n in range(10)]


def two_digits(upto: int) -> list[str]:
    return [f"{n:02d}" for n in range(upto + 1)]


YEARS_4 = ["0000", "0001", "0004", "1900", "1968", "1969", "2000", "2024", "2100", "9999"]
YEARS_2 = ["00", "01", "04", "28", "29", "67", "68", "69", "70", "96", "99"]

CASES = {
    "YYYY-MM-DD": [f"{y}-{m}-{d}" for y in YEARS_4 for m in two_digits(13) for d in two_digits(32)],
    "M/D/YYYY or D/M/YYYY": [
        f"{a}/{b}/{y}" for y in YEARS_4[:6] for a in numbers(32) for b in numbers(32)
    ],
    "M/D/YY or D/M/YY": [f"{a}/{b}/{y}" for y in YEARS_2 for a in numbers(32) for b in numbers(32)],
    "M-D-YYYY": [f"{m}-{d}-{y}" for y in YEARS_4 for m in numbers(13) for d in numbers(32)],
    "MMMM D, YYYY": [f"{m} {d}, {y}" for y in YEARS_4 for m in MONTHS for d in numbers(32)],
}


def test_every_fast_shape_is_checked():
    patterns = {pattern for pattern, _, _ in DATE_FAST_SHAPES}
    assert len(CASES) == len(patterns)


@pytest.mark.parametrize("shape", sorted(CASES))
@pytest.mark.parametrize("type_name", ["date", "dob"])
def test_fast_shape_equals_the_port(shape, type_name):
    options = {"today": TODAY} if type_name == "dob" else {}
    assert_same(type_name, CASES[shape], **options)
