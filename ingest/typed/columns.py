"""The typed-leads table's column layout: ``<field prefix>__<component>`` per field, in order."""

from __future__ import annotations

import polars as pl

from ingest.typed.fields import SSN_LIKE_TYPES, Field
from ingest.typed.types import schema

SEP = "__"


def field_columns(item: Field) -> dict[str, pl.DataType]:
    """The typed-table columns of one field, in order (name -> dtype)."""
    p = item.prefix + SEP
    if item.type in SSN_LIKE_TYPES:
        return {f"{p}valid": pl.Boolean, f"{p}lc_valid": pl.Boolean, f"{p}masked": pl.String,
                f"{p}hash": pl.String}  # fmt: skip
    columns = schema(item.type)
    out = {f"{p}raw": columns.pop("raw"), f"{p}normal": columns.pop("normal"),
           f"{p}valid": columns.pop("valid"), f"{p}lc_valid": pl.Boolean}  # fmt: skip
    out.update({f"{p}{name}": dtype for name, dtype in columns.items()})
    if item.type == "dob":
        out[f"{p}age_band"] = pl.String
    return out


#: Age bands of a date of birth (lower bound, label), what is published instead of the age.
AGE_BANDS = ((65, "65+"), (55, "55-64"), (45, "45-54"), (35, "35-44"), (25, "25-34"),
             (18, "18-24"))  # fmt: skip


def age_band(age: pl.Series) -> pl.Series:
    """``under 18``, ``18-24``, ``25-34``, ``35-44``, ``45-54``, ``55-64`` or ``65+`` (null
    without an age)."""
    expr = pl.when(pl.col("age").is_null()).then(pl.lit(None, dtype=pl.String))
    for low, label in AGE_BANDS:
        expr = expr.when(pl.col("age") >= low).then(pl.lit(label))
    frame = pl.DataFrame({"age": age})
    return frame.select(expr.otherwise(pl.lit("under 18")).alias("age_band")).to_series()
