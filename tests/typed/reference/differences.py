"""The deliberate differences from LeadConduit's own parsers: each entry names the types, the
components, when it applies and why we differ. The differential test reads this list; any other
difference fails it, and an entry that no longer explains anything fails it too (stale).

:data:`PENDING` names the types whose parser does not follow LeadConduit's yet (a port of the
JavaScript library it relies on is still to do): their test is an expected failure, strict, so it
fails the day they agree and this list stays true."""

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


def _mid_not_an_int64(raw: str, ours: Row, theirs: Row) -> bool:
    mid = theirs.get("mid")
    if not isinstance(mid, float):
        return False
    if abs(mid) >= 2.0**63:
        return ours.get("mid") is None
    return ours.get("mid") == int(mid)


DOCUMENTED: list[Difference] = [
    Difference(
        ("phone",),
        ("raw",),
        lambda raw, ours, theirs: ours.get("raw") == raw,
        "`raw` is the value as given in every type (the lead's own text, which typed rows are"
        " matched back on); LeadConduit's phone drops a type hint from it ('5127891111 (c)' ->"
        " '5127891111'), which both keep in `type`.",
    ),
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
    Difference(
        ("range",),
        ("mid",),
        _mid_not_an_int64,
        "`mid` is an integer column (LeadConduit's own description: the average 'rounded down"
        " to the nearest whole number'); for a bare number LeadConduit copies the number as it"
        " is (0.5); we truncate it as it does for a min-max range; beyond 64 bits it is null.",
    ),
    Difference(
        ("trustedform_url",),
        ("type", "is_masked"),
        lambda raw, ours, theirs: theirs.get("valid") and theirs.get("type") is None,
        "LeadConduit decrypts the certificate id with its secret key to know the type; the"
        " published library without that key says null. We say web for a 40-hex (classic web)"
        " id, as LeadConduit does with the key.",
    ),
    Difference(
        ("trustedform_url",),
        ("valid",),
        lambda raw, ours, theirs: raw == "",
        "An empty value: LeadConduit's trustedform_url hands it back as it came, without a valid"
        " flag; ours is invalid, as an empty url is.",
    ),
]

#: type -> what still differs and what agreeing needs (see the module docstring).
PENDING: dict[str, str] = {}
