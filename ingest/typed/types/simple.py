"""Vectorized parsers for the small types: string (first_name, last_name, city), boolean,
number, range, gender, state, street, ssn."""

from __future__ import annotations

import polars as pl

from . import shapes as S
from ._common import JS_WS, frame_of, reference_on_unique, trim

RAW = pl.col("raw")
INT64_LIMIT = 2.0**63


def parse_string(raw: pl.Series) -> pl.DataFrame:
    return frame_of(raw).with_columns(normal=RAW, valid=pl.lit(True))


def parse_boolean(raw: pl.Series) -> pl.DataFrame:
    key = RAW.str.replace_all("[^A-Za-z0-9]", "").str.to_lowercase()
    normal = key.replace_strict(S.BOOLEAN_WORDS, default=None, return_dtype=pl.Boolean)
    return (
        frame_of(raw).with_columns(normal=normal).with_columns(valid=pl.col("normal").is_not_null())
    )


def finite(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_finite()).then(expr)


def number_expr(raw: pl.Expr) -> pl.Expr:
    """The number in a text (see ``reference.parse_number_text``); null when there is none."""
    sanitized = raw.str.replace_all(r"[^0-9.\-]", "")
    value = pl.when(sanitized.str.contains(S.NUMBER_SANITIZED)).then(
        sanitized.cast(pl.Float64, strict=False)
    )
    return finite(value)


def parse_number(raw: pl.Series) -> pl.DataFrame:
    return (
        frame_of(raw)
        .with_columns(normal=number_expr(RAW))
        .with_columns(valid=pl.col("normal").is_not_null())
    )


def parse_range(raw: pl.Series) -> pl.DataFrame:
    """LeadConduit's range, once per distinct value (``reference.range_``): range fields hold few
    distinct values (the options of a form)."""
    from . import TYPES, reference

    return reference_on_unique(raw, reference.range_, TYPES["range"].schema)


def parse_gender(raw: pl.Series) -> pl.DataFrame:
    gender = trim(RAW).str.to_lowercase().replace_strict(S.GENDERS, default=None)
    return (
        frame_of(raw)
        .with_columns(__g=gender)
        .with_columns(
            normal=pl.coalesce(pl.col("__g"), RAW),
            valid=pl.col("__g").is_not_null(),
            abbr=pl.col("__g").replace_strict(S.GENDER_ABBR, default=None),
        )
    )


def parse_state(raw: pl.Series) -> pl.DataFrame:
    """See ``reference.state``."""
    upper = RAW.str.to_uppercase()
    by_code = pl.when(upper.is_in(list(S.STATES))).then(upper)
    word = pl.element().str.to_lowercase()
    capitalized = (
        RAW.str.split(" ")
        .list.eval(word.str.slice(0, 1).str.to_uppercase() + word.str.slice(1))
        .list.join(" ")
    )
    by_name = capitalized.replace_strict(S.state_names(), default=None)
    code = pl.when(RAW.str.len_chars() == 2).then(by_code).otherwise(by_name)
    return (
        frame_of(raw)
        .with_columns(__code=code)
        .with_columns(
            normal=pl.coalesce(pl.col("__code"), RAW),
            valid=pl.lit(True),
            name=pl.coalesce(pl.col("__code").replace_strict(S.STATES, default=None), RAW),
        )
    )


def parse_street(raw: pl.Series) -> pl.DataFrame:
    text = RAW.str.strip_chars(JS_WS)
    parts = text.str.extract_groups(S.STREET)
    number, name = parts.struct.field("1"), parts.struct.field("2")
    return (
        frame_of(raw)
        .with_columns(number=number, name=name)
        .with_columns(
            valid=pl.col("number").is_not_null(),
            normal=pl.when(pl.col("number").is_not_null()).then(text).otherwise(RAW),
        )
    )


def parse_ssn(raw: pl.Series) -> pl.DataFrame:
    digits = RAW.str.replace_all("[^0-9]", "")
    ok = digits.str.len_chars() == 9
    return frame_of(raw).with_columns(
        normal=pl.when(ok).then(digits).otherwise(RAW),
        valid=ok,
        first_three=pl.when(ok).then(digits.str.slice(0, 3)),
        middle_two=pl.when(ok).then(digits.str.slice(3, 2)),
        last_four=pl.when(ok).then(digits.str.slice(5, 4)),
        masked=pl.when(ok)
        .then(pl.lit("***-**-") + digits.str.slice(5, 4))
        .otherwise(RAW.str.replace_all("[0-9]", "*")),
    )
