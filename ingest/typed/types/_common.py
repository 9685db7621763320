"""Shared pieces of the typed parsers: whitespace, output schemas, null handling, the
unique-values fallback onto the scalar reference.

Every parser turns a column of raw values into a frame with one row per value (same order) and the
columns ``raw``, ``normal``, ``valid`` plus the type's components. Two rules hold for every type:

* a null value gives a row of nulls (``valid`` included);
* a bad value is never rejected: it only gets ``valid = false``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

#: One value's columns, as a scalar reference function returns them (``reference``).
Row = dict[str, Any]

# Unicode White_Space, spelled out so that Python (``str.strip``/``re``) and Polars (Rust's regex
# and ``strip_chars``) agree on what whitespace is. Python's ``str.isspace`` also counts the
# information separators U+001C..U+001F; Rust does not; neither engine's default is used.
WS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: A regex character class matching exactly the characters of :data:`WS` (both engines).
WS_CLASS = "[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
#: The complement of :data:`WS_CLASS`.
NON_WS_CLASS = "[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
#: One or more whitespace characters.
W_RUN = WS_CLASS + "+"


# JavaScript's whitespace (String.prototype.trim, \s): White_Space without U+0085, plus U+FEFF;
# for the types that follow LeadConduit's JavaScript to the character.
JS_WS = WS.replace("\x85", "") + "\ufeff"
JS_WS_CLASS = "[\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
JS_NON_WS_CLASS = "[^\t-\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
#: JavaScript's ``.``: anything but a line terminator.
JS_DOT = "[^\n\r\u2028\u2029]"


def strip_ws(value: str) -> str:
    """Trim Unicode White_Space from both ends (the Python twin of :func:`trim`)."""
    return value.strip(WS)


def trim(expr: pl.Expr) -> pl.Expr:
    """Trim Unicode White_Space from both ends (the Polars twin of :func:`strip_ws`)."""
    return expr.str.strip_chars(WS)


Schema = Mapping[str, pl.DataType]


@dataclass(frozen=True)
class TypeSpec:
    """One type of the reference: its output columns and its two implementations."""

    name: str
    #: Output columns in order: raw, normal, valid, then the components.
    schema: dict[str, pl.DataType]
    #: Vectorized parser: (values as a String series, options) -> frame with ``schema``.
    vectorized: Callable[..., pl.DataFrame]
    #: Scalar reference: (value or None, options) -> dict with the ``schema`` keys.
    reference: Callable[..., dict[str, Any]]
    #: Options this type accepts (e.g. ``default_region`` for phone, ``today`` for dob).
    options: tuple[str, ...] = ()
    #: True when the type never marks a value invalid.
    never_invalid: bool = False

    @property
    def components(self) -> list[str]:
        return [c for c in self.schema if c not in ("raw", "normal", "valid")]


def frame_of(raw: pl.Series) -> pl.DataFrame:
    """A one-column frame ``raw`` to build a parser's columns on."""
    return pl.DataFrame({"raw": raw.rename("raw")})


def base_schema(normal: pl.DataType = pl.String) -> dict[str, pl.DataType]:
    return {"raw": pl.String, "normal": normal, "valid": pl.Boolean}


def as_strings(values: pl.Series) -> pl.Series:
    """The values as a String series named ``raw`` (numbers and booleans in their text form)."""
    if values.dtype == pl.String:
        return values.rename("raw")
    if values.dtype == pl.Null:
        return pl.Series("raw", [None] * len(values), dtype=pl.String)
    if values.dtype == pl.Categorical or isinstance(values.dtype, pl.Enum):
        return values.cast(pl.String).rename("raw")
    if values.dtype.is_numeric() or values.dtype == pl.Boolean:
        return values.cast(pl.String).rename("raw")
    raise TypeError(f"typed parsing takes text, numbers or booleans, not a {values.dtype} series")


def finalize(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """Columns in schema order with schema dtypes; every column null where ``raw`` is null."""
    is_null = pl.col("raw").is_null()
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name) if name in frame.columns else pl.lit(None)
        col = col.cast(dtype)
        if name != "raw":
            col = pl.when(is_null).then(pl.lit(None, dtype=dtype)).otherwise(col)
        exprs.append(col.alias(name))
    return frame.select(exprs)


def empty_row(schema: Schema) -> dict[str, Any]:
    return {name: None for name in schema}


def rows_to_frame(rows: list[dict[str, Any]], schema: Schema) -> pl.DataFrame:
    """Scalar results (dicts) to a frame with exactly ``schema``."""
    columns = {name: [row.get(name) for row in rows] for name in schema}
    return pl.DataFrame(columns, schema=dict(schema))


def reference_on_unique(
    raw: pl.Series,
    reference: Callable[..., dict[str, Any]],
    schema: Schema,
    **options: Any,
) -> pl.DataFrame:
    """Run a scalar reference once per distinct non-null value and spread the results back.

    Returns a frame aligned with ``raw`` (same length and order).
    """
    raw = raw.rename("raw")
    uniques = raw.drop_nulls().unique()
    rows = [reference(value, **options) for value in uniques.to_list()]
    table = rows_to_frame(rows, schema)
    if table.is_empty():
        return finalize(pl.DataFrame({"raw": raw}), schema)
    joined = (
        pl.DataFrame({"raw": raw})
        .with_row_index("__row")
        .join(table, on="raw", how="left", maintain_order="left")
    )
    return finalize(joined.sort("__row"), schema)


def run_on_subset(
    raw: pl.Series,
    mask: pl.Series,
    parser: Callable[[pl.Series], pl.DataFrame],
    base: pl.DataFrame,
    schema: Schema,
) -> pl.DataFrame:
    """Replace the rows of ``base`` where ``mask`` holds by ``parser(raw[mask])``."""
    mask = mask.fill_null(False)
    if not mask.any():
        return base
    index = mask.arg_true()
    sub = parser(raw.filter(mask))
    columns = []
    for name in schema:
        column = base.get_column(name)
        columns.append(column.scatter(index, sub.get_column(name).cast(column.dtype)))
    return pl.DataFrame(columns)


def with_reference(
    raw: pl.Series,
    fast: pl.DataFrame,
    slow: pl.Series,
    reference: Callable[..., dict[str, Any]],
    schema: Schema,
    **options: Any,
) -> pl.DataFrame:
    """The vectorized rows ``fast``, with the rows where ``slow`` holds computed by the scalar
    ``reference`` instead (once per distinct value)."""
    return run_on_subset(
        raw,
        slow,
        lambda sub: reference_on_unique(sub, reference, schema, **options),
        fast,
        schema,
    )
