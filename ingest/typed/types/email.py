"""Vectorized parser for the email type."""

from __future__ import annotations

import polars as pl

from . import shapes as S
from ._common import frame_of, trim

RAW = pl.col("raw")


def parse_email(raw: pl.Series) -> pl.DataFrame:
    text = trim(RAW)
    frame = (
        frame_of(raw)
        .with_columns(__text=text)
        .with_columns(__shape=pl.col("__text").str.contains(S.EMAIL))
    )
    # an address of that shape has exactly one '@': split there (cheaper than regex captures)
    parts = pl.when("__shape").then(pl.col("__text")).str.split_exact("@", 1)
    frame = frame.with_columns(__parts=parts).with_columns(
        __user=pl.col("__parts").struct.field("field_0"),
        __domain=pl.col("__parts").struct.field("field_1"),
    )
    ok = (
        pl.col("__shape")
        & (pl.col("__user").str.len_chars() <= S.EMAIL_MAX_USER)
        & (pl.col("__domain").str.len_chars() <= S.EMAIL_MAX_DOMAIN)
    ).fill_null(False)
    frame = frame.with_columns(valid=ok)
    domain = pl.col("__domain")
    lower = domain.str.to_lowercase()

    def keep(expr: pl.Expr) -> pl.Expr:
        return pl.when("valid").then(expr)

    return frame.with_columns(
        normal=pl.when("valid").then(pl.col("__text").str.to_lowercase()).otherwise(RAW),
        user=keep(pl.col("__user")),
        domain=keep(domain),
        host=keep(domain.str.extract(r"^(.*)\.[^.]*$", 1)),
        tld=keep(domain.str.extract(r"\.([^.]*)$", 1)),
        is_free=keep(lower.is_in(list(S.free_email_domains()))),
        is_disposable=keep(lower.is_in(list(S.disposable_email_domains()))),
    )
