"""Vectorized parsers for url, trustedform_url and ip.

The plain shapes (``shapes.URL_PLAIN``: an http(s) URL the WHATWG parser only lower-cases; a
TrustedForm URL on a production host with a plain id; a canonical dotted-quad IPv4 address) are
parsed with Polars expressions; every other value goes, once per distinct value, to the scalar
reference (``reference_web``: LeadConduit's steps on the WHATWG URL parser Node uses).
"""

from __future__ import annotations

import polars as pl

from . import reference
from . import shapes as S
from ._common import JS_WS_CLASS, finalize, frame_of, with_reference

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
    """URL columns for the plain shapes, and the mask of the rows left to the reference."""
    with_scheme = (
        pl.when(RAW.str.contains(S.URL_HAS_SCHEME, literal=True))
        .then(RAW)
        .otherwise(pl.lit("http://") + RAW)
    )
    parts = with_scheme.str.extract_groups(S.URL_PLAIN)

    def g(i: int) -> pl.Expr:
        return parts.struct.field(str(i))

    frame = frame_of(raw).with_columns(
        protocol=g(1).str.to_lowercase(),
        __host=g(2).str.to_lowercase(),
        __port=g(3).cast(pl.Int32, strict=False),
        path=pl.when(g(4) != "").then(g(4)).otherwise(pl.lit("/")),
        __query=g(5),
        __hash=g(6),
    )
    default_port = pl.col("protocol").replace_strict(S.URL_DEFAULT_PORTS, default=None)
    port = pl.col("__port").cast(pl.String)
    frame = frame.with_columns(
        valid=pl.col("__host").is_not_null(),
        # IDNA labels (xn--) are checked by the URL parser; ports beyond 65535 are errors
        __slow=pl.col("__host").str.contains(r"(?:^|\.)xn--").fill_null(False)
        | (pl.col("__port") > 65535).fill_null(False),
        port=pl.when(port != default_port).then(port),
    )
    host = pl.col("__host") + pl.when(pl.col("port").is_not_null()).then(
        pl.lit(":") + pl.col("port")
    ).otherwise(pl.lit(""))
    normal = pl.concat_str(
        pl.col("protocol"),
        pl.lit("://"),
        host,
        pl.col("path"),
        pl.col("__query").fill_null(""),
        pl.col("__hash").fill_null(""),
    )
    frame = frame.with_columns(
        normal=pl.when("valid").then(normal).otherwise(RAW),
        host=host,
        query=pl.col("__query").str.slice(1).replace("", None),
        hash=pl.when(pl.col("__hash") != "#").then(pl.col("__hash")),
    )
    slow = ~frame.get_column("valid") | frame.get_column("__slow")
    return finalize(frame, URL_SCHEMA), slow & raw.is_not_null()


def parse_url(raw: pl.Series) -> pl.DataFrame:
    fast, slow = _url_fast(raw)
    return with_reference(raw, fast, slow, reference.url, URL_SCHEMA)


#: The common shape, read without the URL parser: a production host, an id that is one path
#: segment of plain characters (not starting with '.', which could be a dot segment).
TRUSTEDFORM_PLAIN = r"^https://((?:cert|ping)\.trustedform\.com)/([A-Za-z0-9_-][A-Za-z0-9._-]*)$"


def parse_trustedform_url(raw: pl.Series) -> pl.DataFrame:
    parts = raw.str.extract_groups(TRUSTEDFORM_PLAIN)
    host, path_id = parts.struct.field("1"), parts.struct.field("2")
    length = path_id.str.len_chars()
    web = length == S.TRUSTEDFORM_WEB_ID_LENGTH
    cert_id = pl.when(web).then(path_id.str.to_lowercase()).otherwise(path_id)
    valid = web | path_id.str.starts_with("0.") | (length > S.TRUSTEDFORM_WEB_ID_LENGTH)
    legacy = cert_id.str.contains(S.TRUSTEDFORM_LEGACY_ID)
    frame = frame_of(raw).with_columns(
        __plain=host.is_not_null(),
        valid=valid,
        cert_id=pl.when(valid).then(cert_id),
        type=pl.when(valid & legacy).then(pl.lit("web")),
        is_masked=pl.when(valid).then(pl.lit(False)),
        # a plain URL is its own normal form
        normal=pl.when(valid).then(pl.lit("https://") + host + "/" + cert_id).otherwise(RAW),
    )
    slow = ~frame.get_column("__plain").fill_null(False) & raw.is_not_null()
    fast = finalize(frame, TRUSTEDFORM_SCHEMA)
    return with_reference(raw, fast, slow, reference.trustedform_url, TRUSTEDFORM_SCHEMA)


def parse_ip(raw: pl.Series) -> pl.DataFrame:
    text = RAW.str.replace_all(JS_WS_CLASS, "")
    frame = frame_of(raw).with_columns(__text=text)
    v4 = pl.col("__text").str.contains(S.IPV4)
    # without ':' (an IPv6 address, a protocol or a port), '@' (what comes before it is user
    # info), a leading '[' or digit, nothing is an address
    maybe = pl.col("__text").str.contains(r"[:@]|^[\[0-9]")
    frame = frame.with_columns(
        valid=v4,
        normal=pl.when(v4).then("__text").otherwise(RAW),
        is_ipv4=pl.when(v4).then(pl.lit(True)),
        __slow=~v4 & maybe,
    )
    slow = frame.get_column("__slow").fill_null(False)
    return with_reference(raw, finalize(frame, IP_SCHEMA), slow, reference.ip, IP_SCHEMA)
