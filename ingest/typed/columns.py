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
    return out
