"""Vectorized parsers for url, trustedform_url and ip.

The common shapes (a plain host name or IPv4 host without user info; a dotted-quad IPv4 address)
are parsed with Polars expressions; every other value goes, once per distinct value, to the
scalar reference built on ``urllib.parse`` / ``ipaddress``, which stays the source of truth.
"""

from __future__ import annotations

import polars as pl

from . import reference
from . import shapes as S
from ._common import finalize, frame_of, reference_on_unique, run_on_subset, trim

RAW = pl.col("raw")

URL_SCHEMA = {
    "raw": pl.String, "normal": pl.String, "valid": pl.Boolean, "protocol": pl.String,
    "host": pl.String, "port": pl.String, "path": pl.String, "query": pl.String,
    "hash": pl.String,
}  # fmt: skip
TRUSTEDFORM_SCHEMA = {
    "raw": pl.String, "normal": pl.String, "valid": pl.Boolean, "cert_id": pl.String,
    "type": pl.String, "is_masked": pl.Boolean,
}  # fmt: skip
IP_SCHEMA = {"raw": pl.String, "normal": pl.String, "valid": pl.Boolean, "is_ipv4": pl.Boolean}


def _url_fast(raw: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """URL columns for the plain shapes, and the mask of the rows that need the reference."""
    text = trim(RAW)
    with_scheme = (
        pl.when(text.str.contains(S.URL_HAS_SCHEME, literal=True))
        .then(text)
        .otherwise(pl.lit("http://") + text)
    )
    parts = with_scheme.str.extract_groups(S.URL_PLAIN)

    def g(i: int) -> pl.Expr:
        return parts.struct.field(str(i))

    frame = frame_of(raw).with_columns(
        __scheme=g(1).str.to_lowercase(),
        __user=g(2),
        __host=g(3).str.to_lowercase(),
        __port=g(4).cast(pl.Int32, strict=False),
        __path=g(5),
        __query=g(6),
        __hash=g(7),
    )
    matched = pl.col("__host").is_not_null() & pl.col("__user").is_null()
    frame = frame.with_columns(__fast=matched | RAW.is_null())
    ok = (
        pl.col("__fast")
        & pl.col("__scheme").is_in(["http", "https"])
        & (pl.col("__port").is_null() | (pl.col("__port") <= 65535))
    )
    port = pl.col("__port").cast(pl.String)
    path = pl.coalesce(pl.col("__path"), pl.lit("/"))
    query = pl.when(pl.col("__query") != "").then(pl.col("__query"))
    fragment = pl.when(pl.col("__hash") != "").then(pl.lit("#") + pl.col("__hash"))
    normal = pl.concat_str(
        pl.col("__scheme"),
        pl.lit("://"),
        pl.col("__host"),
        pl.when(port.is_not_null()).then(pl.lit(":") + port).otherwise(pl.lit("")),
        path,
        pl.when(query.is_not_null()).then(pl.lit("?") + query).otherwise(pl.lit("")),
        fragment.fill_null(""),
    )

    def keep(expr: pl.Expr) -> pl.Expr:
        return pl.when("valid").then(expr)

    frame = frame.with_columns(valid=ok).with_columns(
        normal=pl.when("valid").then(normal).otherwise(RAW),
        protocol=keep(pl.col("__scheme")),
        host=keep(pl.col("__host")),
        port=keep(port),
        path=keep(path),
        query=keep(query),
        hash=keep(fragment),
    )
    return finalize(frame, URL_SCHEMA), ~frame.get_column("__fast")


def parse_url(raw: pl.Series) -> pl.DataFrame:
    fast, slow = _url_fast(raw)
    return run_on_subset(
        raw,
        slow,
        lambda sub: reference_on_unique(sub, reference.url, URL_SCHEMA),
        fast,
        URL_SCHEMA,
    )


#: The common shape, read without the generic URL parser.
TRUSTEDFORM_PLAIN = r"^https://((?:cert|ping)\.trustedform\.com)/([A-Za-z0-9._-]{1,255})$"


def _trustedform_from_url(parts: pl.DataFrame) -> pl.DataFrame:
    cert_id = parts.get_column("path").str.slice(1)
    legacy = cert_id.str.contains(S.TRUSTEDFORM_LEGACY_ID)
    frame = parts.with_columns(
        __id=pl.when(legacy).then(cert_id.str.to_lowercase()).otherwise(cert_id),
        __legacy=legacy,
    )
    ok = (
        pl.col("valid")
        & (pl.col("protocol") == "https")
        & pl.col("port").is_null()
        & pl.col("host").is_in(list(S.TRUSTEDFORM_HOSTS))
        & pl.col("__id").str.contains(S.TRUSTEDFORM_CERT_ID)
    ).fill_null(False)
    return frame.with_columns(valid=ok)


def parse_trustedform_url(raw: pl.Series) -> pl.DataFrame:
    # both hosts are 20 characters long: https:// (8) + host (20) + /id (from 28 on)
    text = trim(RAW)
    parts = frame_of(raw).with_columns(
        __plain=text.str.contains(TRUSTEDFORM_PLAIN).fill_null(False), __text=text
    )
    parts = parts.with_columns(
        host=pl.when("__plain").then(pl.col("__text").str.slice(8, 20)),
        path=pl.when("__plain").then(pl.col("__text").str.slice(28)),
    )
    plain = parts.get_column("__plain")
    parts = parts.with_columns(valid=plain, protocol=pl.lit("https"), port=pl.lit(None, pl.String))

    def generic(sub: pl.Series) -> pl.DataFrame:
        return parse_url(sub)

    url_parts = run_on_subset(raw, ~plain & raw.is_not_null(), generic,
                              finalize(parts, URL_SCHEMA), URL_SCHEMA)  # fmt: skip
    frame = _trustedform_from_url(url_parts)
    return finalize(
        frame.with_columns(
            normal=pl.when("valid")
            .then(pl.lit("https://") + pl.col("host") + "/" + pl.col("__id"))
            .otherwise(RAW),
            cert_id=pl.when("valid").then("__id"),
            type=pl.when(pl.col("valid") & pl.col("__legacy")).then(pl.lit("web")),
            is_masked=pl.when(pl.col("valid") & pl.col("__legacy")).then(pl.lit(False)),
        ),
        TRUSTEDFORM_SCHEMA,
    )


def parse_ip(raw: pl.Series) -> pl.DataFrame:
    text = trim(RAW)
    frame = frame_of(raw).with_columns(__text=text)
    v4 = pl.col("__text").str.contains(S.IPV4)
    needs_library = pl.col("__text").str.contains(":", literal=True) | pl.col(
        "__text"
    ).str.starts_with("[")
    frame = frame.with_columns(
        valid=v4,
        normal=pl.when(v4).then("__text").otherwise(RAW),
        is_ipv4=pl.when(v4).then(pl.lit(True)),
        __slow=~v4 & needs_library,
    )
    slow = frame.get_column("__slow").fill_null(False)
    fast = finalize(frame, IP_SCHEMA)
    return run_on_subset(
        raw,
        slow,
        lambda sub: reference_on_unique(sub, reference.ip, IP_SCHEMA),
        fast,
        IP_SCHEMA,
    )
