"""pandera contracts (Polars API) for the typed leads frame, generated from the field registry.

Nothing here lists fields: each field's columns and dtypes come from its type
(``ingest.typed.columns.field_columns``), and its value checks from its type (:data:`TYPE_CHECKS`).
A contract violation means a parser bug: a bad *value* only makes ``valid`` false.

* :func:`typed_leads_schema` - the ``pandera.polars.DataFrameSchema`` for a set of fields.
* :func:`validate_typed_leads` - validates a typed frame and returns the failures in a readable
  frame (no exception).
* :func:`validity_rates` - per-field counts and validity rate (for asset metadata);
  :func:`validity_metadata` - the same as a plain ``{field id: rate}`` dict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaError, SchemaErrors

from ingest.typed.columns import SEP, field_columns
from ingest.typed.fields import SSN_LIKE_TYPES, Field, FieldRegistry, inferred_type
from ingest.typed.types import TYPES

#: A value check: (column-name function) -> boolean expression that must hold on every row.
Rule = Callable[[Callable[[str], pl.Expr]], pl.Expr]
TYPED_NORMALS = ("date", "dob", "time", "boolean", "number")
#: A date of birth's components that a failure report leaves out (it is logged in Dagster).
DOB_PRIVATE = frozenset({"raw", "normal", "age"})


def _where(condition: pl.Expr, claim: pl.Expr) -> pl.Expr:
    """``claim`` must hold where ``condition`` does (nulls in the claim fail)."""
    return (~condition.fill_null(False)) | claim.fill_null(False)


def _valid(c) -> pl.Expr:
    return c("valid").fill_null(False)


def _matches(expr: pl.Expr, pattern: str) -> pl.Expr:
    return expr.str.contains(pattern)


TYPE_CHECKS: dict[str, list[tuple[str, Rule]]] = {
    "phone": [
        # LeadConduit's phone.js: exchange and line split the number (cut to 7) of any +1
        # number; a masked one is valid whatever its length, so they may be shorter
        ("NANP area is 3 digits or stars, exchange and line split the number where valid",
         lambda c: _where(_valid(c) & (c("country_calling_code") == 1) & c("area").is_not_null(),
                          _matches(c("area"), r"^[0-9*]{3}$")
                          & _matches(c("exchange"), r"^[0-9*]{0,3}$")
                          & _matches(c("line"), r"^[0-9*]{0,4}$")
                          & (c("number") == c("exchange") + c("line")))),
        ("valid numbers have a country calling code and a digit normal",
         lambda c: _where(_valid(c), c("country_calling_code").is_not_null()
                          & _matches(c("normal"), r"^[0-9*]+(x[0-9*]+)?$"))),
        ("type is home, work or mobile",
         lambda c: c("type").is_null() | c("type").is_in(["home", "work", "mobile"])),
    ],
    "email": [
        ("valid addresses are lower case with user, domain and tld",
         lambda c: _where(_valid(c), (c("normal") == c("normal").str.to_lowercase())
                          & c("normal").str.contains("@", literal=True)
                          & c("user").is_not_null() & c("tld").is_not_null()
                          & c("is_free").is_not_null() & c("is_disposable").is_not_null())),
    ],
    "postal_code": [
        ("valid codes are US, CA or GB with their parts",
         lambda c: _where(_valid(c), c("country_code").is_in(["US", "CA", "GB"])
                          # LeadConduit reads a blank postal code as a valid, empty US one
                          & ((c("country_code") != "US") | _matches(c("zip"), r"^[0-9]{5}$")
                             | (c("normal") == ""))
                          & ((c("country_code") != "CA") | c("fsa").is_not_null())
                          & ((c("country_code") != "GB") | c("incode").is_not_null()))),
    ],
    "state": [
        # an unknown value is kept as given, as normal and name (LeadConduit's way)
        ("known states have a 2-letter code",
         lambda c: _where(c("name") != c("normal"), _matches(c("normal"), r"^[A-Z]{2}$"))),
    ],
    "dob": [
        ("valid dobs have year and **/**/YYYY mask",
         lambda c: _where(_valid(c), (c("year") == c("normal").dt.year())
                          & _matches(c("masked"), r"^\*\*/\*\*/[0-9]{4}$"))),
        ("an age band exactly when there is an age",
         lambda c: c("age").is_null() == c("age_band").is_null()),
    ],
    "range": [
        ("valid ranges have a min, and avg/mid exactly when max",
         lambda c: _where(_valid(c), c("min").is_not_null()
                          & (c("max").is_null() == c("avg").is_null()))),
    ],
    "gender": [
        ("valid genders are male, female or other with M/F/O",
         lambda c: _where(_valid(c), c("normal").is_in(["male", "female", "other"])
                          & (c("abbr") == c("normal").str.slice(0, 1).str.to_uppercase()))),
    ],
    "ssn": [
        ("ssn masked as ***-**-NNNN where valid, without digits otherwise",
         lambda c: _where(_valid(c), _matches(c("masked"), r"^\*\*\*-\*\*-[0-9]{4}$"))
         & _where(c("valid") == False, ~_matches(c("masked"), "[0-9]"))),  # noqa: E712
        ("ssn hash is 64 hex digits",
         lambda c: _where(c("valid").is_not_null(), _matches(c("hash"), r"^[0-9a-f]{64}$"))),
    ],
    "street": [
        ("valid streets have a number and a name",
         lambda c: _where(_valid(c), c("number").is_not_null() & c("name").is_not_null())),
    ],
    "url": [
        ("valid URLs are http(s) with a host and a path",
         lambda c: _where(_valid(c), c("protocol").is_in(["http", "https"])
                          & c("host").is_not_null() & c("path").str.starts_with("/"))),
    ],
    "trustedform_url": [
        ("valid certificate URLs are https with a cert id",
         lambda c: _where(_valid(c), c("cert_id").is_not_null()
                          & c("normal").str.starts_with("https://"))),
    ],
    "ip": [
        ("valid addresses say whether they are IPv4",
         lambda c: _where(_valid(c), c("is_ipv4").is_not_null())),
    ],
}  # fmt: skip


def _generic_checks(item: Field) -> list[tuple[str, Rule]]:
    checks: list[tuple[str, Rule]] = []
    if item.type not in SSN_LIKE_TYPES:
        checks.append(("valid is null exactly when raw is null",
                       lambda c: c("raw").is_null() == c("valid").is_null()))  # fmt: skip
    if TYPES[item.type].never_invalid:
        checks.append(("this type is never invalid",
                       lambda c: c("valid").is_null() | c("valid")))  # fmt: skip
    if item.type in TYPED_NORMALS:
        checks.append(("normal is set exactly when valid",
                       lambda c: _where(c("valid").is_not_null(),
                                        c("valid") == c("normal").is_not_null())))  # fmt: skip
    return checks


def _frame_check(item: Field, description: str, rule: Rule) -> pa.Check:
    prefix = item.prefix
    needed = [name for name in field_columns(item)]

    def check(data) -> pl.LazyFrame:
        present = set(data.lazyframe.collect_schema().names())
        if not set(needed) <= present:  # the field is absent from this frame
            return data.lazyframe.select(pl.lit(True).alias("ok"))
        expr = rule(lambda name: pl.col(f"{prefix}{SEP}{name}"))
        return data.lazyframe.select(expr.alias("ok"))

    return pa.Check(check, name=f"{prefix}: {description}", error=f"{prefix}: {description}")


def typed_leads_schema(
    registry: FieldRegistry, fields: Iterable[Field] | None = None, *, strict: bool = True
) -> pa.DataFrameSchema:
    """The contract of a typed frame holding ``fields`` (default: every registered field).

    Registered fields' columns are optional (a field absent from the data is omitted); the
    ``fields`` given that the registry does not know (unknown string fields) are required.
    """
    items = list(registry) if fields is None else list(fields)
    columns: dict[str, pa.Column] = {
        "lead_id": pa.Column(pl.String, nullable=False, unique=True),
    }
    checks: list[pa.Check] = []
    for item in items:
        for name, dtype in field_columns(item).items():
            columns[name] = pa.Column(dtype, nullable=True, required=not item.is_known)
        for description, rule in _generic_checks(item) + TYPE_CHECKS.get(item.type, []):
            checks.append(_frame_check(item, description, rule))
    return pa.DataFrameSchema(columns, checks=checks, strict=strict, name="typed_leads")


def fields_of_frame(frame: pl.DataFrame, registry: FieldRegistry) -> list[Field]:
    """The fields whose columns a typed frame holds (unknown prefixes as string fields)."""
    by_prefix = registry.by_prefix()
    seen: dict[str, Field] = {}
    for name in frame.columns:
        if name == "lead_id" or SEP not in name:
            continue
        prefix = name.rsplit(SEP, 1)[0]
        if prefix in seen:
            continue
        kind = inferred_type(prefix)  # an unknown field is typed by its name (ssn, dob)
        item = by_prefix.get(prefix) or Field(prefix, kind, prefix, "unknown", kind,
                                               prefix=prefix)  # fmt: skip
        seen[prefix] = item
    return list(seen.values())


@dataclass
class ContractReport:
    ok: bool
    #: One row per failure: column (or the check's field), check, failure_case, row index.
    failures: pl.DataFrame

    def summary(self, limit: int = 20) -> str:
        if self.ok:
            return "typed leads contract: ok"
        grouped = (
            self.failures.group_by(["column", "check"], maintain_order=True)
            .agg(pl.len().alias("failures"), pl.col("failure_case").head(3).alias("examples"))
            .head(limit)
        )
        lines = [f"typed leads contract: {self.failures.height} failure(s)"]
        for row in grouped.iter_rows(named=True):
            lines.append(f"- {row['column']}: {row['check']} ({row['failures']}x), "
                         f"e.g. {row['examples']}")  # fmt: skip
        return "\n".join(lines)


FAILURE_SCHEMA = {"column": pl.String, "check": pl.String, "failure_case": pl.String,
                  "index": pl.Int64, "lead_id": pl.String}  # fmt: skip


def _readable(cases: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """pandera's failure cases, with a frame-level check shown as its field (column), its
    description (check) and that field's values on the failing row (failure_case)."""
    rows = []
    lead_ids = frame.get_column("lead_id") if "lead_id" in frame.columns else None
    for case in cases.iter_rows(named=True):
        column, check, failure, index = (
            case.get("column"),
            case.get("check"),
            case.get("failure_case"),
            case.get("index"),
        )
        if case.get("schema_context") == "DataFrameSchema" and check and ": " in str(check):
            prefix, check = str(check).split(": ", 1)
            column = prefix
            if index is not None and index < frame.height:
                values = frame.select(pl.col(f"^{re.escape(prefix + SEP)}[a-z_]+$")).row(
                    index, named=True
                )
                parts = {k[len(prefix) + len(SEP) :]: v for k, v in values.items()}
                if "age_band" in parts:  # a date of birth: shown (logged) as published
                    parts = {k: v for k, v in parts.items() if k not in DOB_PRIVATE}
                failure = json.dumps(parts, default=str)
        lead_id = None
        if lead_ids is not None and index is not None and index < frame.height:
            lead_id = lead_ids[index]
        rows.append({"column": None if column is None else str(column),
                     "check": None if check is None else str(check),
                     "failure_case": None if failure is None else str(failure),
                     "index": index, "lead_id": lead_id})  # fmt: skip
    return pl.DataFrame(rows, schema=FAILURE_SCHEMA)


def validate_typed_leads(frame: pl.DataFrame, registry: FieldRegistry) -> ContractReport:
    """Validate a typed frame (all checks, lazily) and return the failures readably."""
    schema = typed_leads_schema(registry, fields_of_frame(frame, registry))
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return ContractReport(False, _readable(errors.failure_cases, frame))
    except SchemaError as error:  # pragma: no cover - lazy=True gathers errors
        failures = pl.DataFrame(
            {"column": ["(frame)"], "check": [str(error)], "failure_case": [None],
             "index": [None], "lead_id": [None]},
            schema=FAILURE_SCHEMA,
        )  # fmt: skip
        return ContractReport(False, failures)
    return ContractReport(True, pl.DataFrame(schema=FAILURE_SCHEMA))


def validity_rates(frame: pl.DataFrame, fields: Iterable[Field]) -> pl.DataFrame:
    """Per field: leads with a value, valid and invalid counts, the validity rate, and how often
    our ``valid`` disagrees with LeadConduit's own (where LeadConduit sent one)."""
    rows = []
    exprs = []
    items = [f for f in fields if f"{f.prefix}{SEP}valid" in frame.columns]
    for i, item in enumerate(items):
        valid = pl.col(f"{item.prefix}{SEP}valid")
        lc = pl.col(f"{item.prefix}{SEP}lc_valid")
        exprs += [
            valid.is_not_null().sum().alias(f"p{i}"),
            valid.fill_null(False).sum().alias(f"v{i}"),
            (lc.is_not_null() & valid.is_not_null() & (lc != valid)).sum().alias(f"d{i}"),
        ]
    counts = frame.select(exprs).row(0) if exprs else ()
    for i, item in enumerate(items):
        present, valid_n, disagree = counts[3 * i : 3 * i + 3]
        rows.append({
            "field_id": item.id, "prefix": item.prefix, "type": item.type,
            "source": item.source, "present": present, "valid": valid_n,
            "invalid": present - valid_n,
            "validity_rate": (valid_n / present) if present else None,
            "lc_disagreements": disagree,
        })  # fmt: skip
    return pl.DataFrame(
        rows,
        schema={"field_id": pl.String, "prefix": pl.String, "type": pl.String,
                "source": pl.String, "present": pl.Int64, "valid": pl.Int64,
                "invalid": pl.Int64, "validity_rate": pl.Float64,
                "lc_disagreements": pl.Int64},
    )  # fmt: skip


def validity_metadata(validity: pl.DataFrame) -> dict[str, float | None]:
    """``{field id: validity rate}`` from :func:`validity_rates`, e.g. for asset metadata."""
    return dict(
        zip(validity.get_column("field_id"), validity.get_column("validity_rate"), strict=True)
    )
