"""The deliberate differences from LeadConduit's own parsers: each entry names the types, the
components, when it applies and why we differ. The differential test reads this list; any other
difference fails it, and an entry that no longer explains anything fails it too (stale)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest.typed.types.moment_dates import read_date

Row = dict[str, Any]


@dataclass(frozen=True)
class Difference:
    types: tuple[str, ...]
    components: tuple[str, ...]
    #: (raw value, our row, LeadConduit's row) -> True where this difference applies
    when: Callable[[str, Row, Row], bool]
    reason: str

    def explains(self, mismatch: Any) -> bool:
        return (
            mismatch.type_name in self.types
            and mismatch.component in self.components
            and bool(self.when(mismatch.raw, mismatch.ours_row, mismatch.theirs_row))
        )


def _year_from_parse_day(raw: str, ours: Row, theirs: Row) -> bool:
    return (
        read_date(raw)[1]
        or str(theirs.get("normal")).startswith("out of range")
        or (theirs.get("year") == 0)
    )


DOCUMENTED: list[Difference] = [
    Difference(
        ("date", "dob", "time", "boolean", "number"),
        ("normal",),
        lambda raw, ours, theirs: theirs.get("valid") is False,
        "Typed normals (Date, Datetime, Boolean, Float64 columns) are null when the value is"
        " invalid; LeadConduit keeps the text, NaN or false there.",
    ),
    Difference(
        ("date", "dob"),
        ("normal", "valid", "age", "year", "masked"),
        _year_from_parse_day,
        "A date without a year ('5/04', '1', a lone weekday): moment takes the year (and month,"
        " day) from the day of parsing, so the same lead would get another date on another day;"
        " we mark it invalid. Year 0 likewise (no calendar year, no Date value).",
    ),
    Difference(
        ("dob", "ssn"),
        ("masked",),
        lambda raw, ours, theirs: theirs.get("masked") is False,
        "Our `masked` is the masked text kept where PII is not (`**/**/1986`, `***-**-6789`);"
        " LeadConduit's is a flag, false until its own masking runs.",
    ),
]
