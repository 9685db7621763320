"""Vectorized parser for the postal_code type (US, then CA, then GB)."""

from __future__ import annotations

import polars as pl

from . import shapes as S
from ._common import JS_WS, frame_of

RAW = pl.col("raw")


def parse_postal_code(raw: pl.Series) -> pl.DataFrame:
    """See ``reference.postal_code``."""
    text = RAW.str.strip_chars(JS_WS)
    us = text.str.extract_groups(S.POSTAL_US)
    ca = text.str.extract_groups(S.POSTAL_CA)
    gb = text.str.extract_groups(S.POSTAL_GB)
    frame = frame_of(raw).with_columns(
        __text=text,
        __is_us=text.str.contains(S.POSTAL_US),
        __zip=us.struct.field("1"),
        __four=us.struct.field("2"),
        __fsa=ca.struct.field("1").str.to_uppercase(),
        __district=ca.struct.field("2").str.to_uppercase(),
        __ldu=ca.struct.field("3").str.to_uppercase(),
        __out=gb.struct.field("1").str.to_uppercase(),
        __in=gb.struct.field("2").str.to_uppercase(),
    )
    is_us = pl.col("__is_us")
    is_ca = ~is_us & pl.col("__fsa").is_not_null()
    is_gb = ~is_us & ~is_ca & pl.col("__in").is_not_null()
    frame = frame.with_columns(__us=is_us, __ca=is_ca, __gb=is_gb)
    us_, ca_, gb_ = pl.col("__us"), pl.col("__ca"), pl.col("__gb")
    us_normal = (
        pl.when(pl.col("__four").is_not_null())
        .then(pl.col("__zip") + "-" + pl.col("__four"))
        .otherwise(pl.col("__zip").fill_null(""))
    )
    valid = us_ | ca_ | gb_
    return frame.with_columns(
        valid=valid,
        normal=pl.when(us_)
        .then(us_normal)
        .when(ca_)
        .then(pl.col("__fsa") + " " + pl.col("__ldu"))
        .when(gb_)
        .then(pl.col("__out").fill_null("") + " " + pl.col("__in"))
        .otherwise(RAW),
        country_code=pl.when(us_)
        .then(pl.lit("US"))
        .when(ca_)
        .then(pl.lit("CA"))
        .when(gb_)
        .then(pl.lit("GB")),
        code=pl.when(valid & (pl.col("__text") != "")).then(pl.col("__text").str.to_uppercase()),
        zip=pl.when(us_).then("__zip"),
        four=pl.when(us_).then("__four"),
        fsa=pl.when(ca_).then("__fsa"),
        ldu=pl.when(ca_).then("__ldu"),
        district=pl.when(ca_).then("__district"),
        outcode=pl.when(gb_).then("__out"),
        incode=pl.when(gb_).then("__in"),
    )
