"""Vectorized parsers for the small types: string (first_name, last_name, city), boolean,
number, range, gender, state, street, ssn."""

from __future__ import annotations

import polars as pl

from . import shapes as S
from ._common import W_RUN, format_number_expr, frame_of, trim

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
    text = trim(raw)
    sanitized = raw.str.replace_all(r"[^0-9.\-]", "")
    value = (
        pl.when(text.str.contains(S.NUMBER_LITERAL))
        .then(text.cast(pl.Float64, strict=False))
        .when(sanitized.str.contains(S.NUMBER_SANITIZED))
        .then(sanitized.cast(pl.Float64, strict=False))
    )
    return finite(value)


def parse_number(raw: pl.Series) -> pl.DataFrame:
    return (
        frame_of(raw)
        .with_columns(normal=number_expr(RAW))
        .with_columns(valid=pl.col("normal").is_not_null())
    )


def parse_range(raw: pl.Series) -> pl.DataFrame:
    compact = RAW.str.to_lowercase().str.replace_all(f"[$,]|{S.W}", "")
    both = compact.str.extract_groups(S.RANGE_MIN_MAX)
    frame = frame_of(raw).with_columns(
        __low2=both.struct.field("1").cast(pl.Float64, strict=False),
        __high2=both.struct.field("2").cast(pl.Float64, strict=False),
        __plus=compact.str.extract(S.RANGE_MIN_PLUS, 1).cast(pl.Float64, strict=False),
        __bare=number_expr(RAW),
    )
    pair_ok = (pl.col("__low2").is_finite() & pl.col("__high2").is_finite()).fill_null(False)
    plus_ok = pl.col("__plus").is_finite().fill_null(False)
    frame = frame.with_columns(__pair_ok=pair_ok, __plus_ok=plus_ok)
    pair, plus = pl.col("__pair_ok"), pl.col("__plus_ok")
    frame = frame.with_columns(
        min=pl.when(pair).then(pl.col("__low2")).when(plus).then("__plus").otherwise("__bare"),
        max=pl.when(pair).then(pl.col("__high2")).when(~plus).then("__bare"),
    )
    frame = frame.with_columns(avg=finite((pl.col("min") + pl.col("max")) / 2))
    valid = plus | pl.col("avg").is_not_null()
    low, high = format_number_expr(pl.col("min")), format_number_expr(pl.col("max"))
    normal = (
        pl.when(plus)
        .then(low + "+")
        .when(pair & valid)
        .then(low + "-" + high)
        .when(valid)
        .then(low)
        .otherwise(RAW)
    )
    mid = pl.when(pl.col("avg").abs() < INT64_LIMIT).then(pl.col("avg").cast(pl.Int64))
    frame = frame.with_columns(valid=valid, normal=normal, mid=mid)
    return frame.with_columns(
        [pl.when("valid").then(pl.col(c)).alias(c) for c in ("min", "max", "avg", "mid")]
    )


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
    text = trim(RAW)
    upper = text.str.to_uppercase()
    by_code = pl.when((text.str.len_chars() == 2) & upper.is_in(list(S.STATES))).then(upper)
    key = text.str.replace_all(W_RUN, " ").str.to_lowercase()
    by_name = key.replace_strict(S.state_names(), default=None)
    code = pl.coalesce(by_code, by_name)
    return (
        frame_of(raw)
        .with_columns(__code=code)
        .with_columns(
            normal=pl.coalesce(pl.col("__code"), RAW),
            valid=pl.lit(True),
            name=pl.col("__code").replace_strict(S.STATES, default=None),
        )
    )


def parse_street(raw: pl.Series) -> pl.DataFrame:
    text = trim(RAW)
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
