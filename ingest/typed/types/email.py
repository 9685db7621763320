"""Vectorized parser for the email type.

The plain shape (``shapes.EMAIL_PLAIN``: dot-atoms on both sides of a single '@', nothing around
them or the '@' but spaces, a TLD of letters, digits and '-') is read with Polars expressions:
the RFC 5322 parser would give back the address itself; words apart before the '@' (a name typed
as the address) are never an address. Whether its domain is free or disposable (or makes
LeadConduit's libraries throw) is asked once per distinct domain. Every other value goes to the
scalar reference (``reference_email``), once per distinct value.
"""

from __future__ import annotations

import polars as pl

from . import reference, reference_email
from . import shapes as S
from ._common import finalize, frame_of, with_reference

RAW = pl.col("raw")

SCHEMA = {
    "raw": pl.String, "normal": pl.String, "valid": pl.Boolean, "user": pl.String,
    "domain": pl.String, "host": pl.String, "tld": pl.String, "is_free": pl.Boolean,
    "is_disposable": pl.Boolean,
}  # fmt: skip


def _domain_lookup(domains: pl.Series) -> pl.DataFrame:
    """Per distinct domain (what follows the '@'): is_free, is_disposable, and whether the
    libraries accept it."""
    rows = []
    for domain in domains.drop_nulls().unique().to_list():
        try:
            free, disposable = reference_email.freemail("@" + domain)
            rows.append((domain, free, disposable, True))
        except reference_email.LibraryError:
            rows.append((domain, None, None, False))
    return pl.DataFrame(
        rows,
        schema={
            "__after_at": pl.String,
            "is_free": pl.Boolean,
            "is_disposable": pl.Boolean,
            "__accepted": pl.Boolean,
        },  # fmt: skip
        orient="row",
    )


def _fast(raw: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    # spaces around an address are folding white space to RFC 5322: the address is what they
    # enclose (1 in 12 of the sample's values is typed with them)
    address = RAW.str.strip_chars(" ")
    parts = address.str.extract_groups(S.EMAIL_PLAIN)
    frame = frame_of(raw).with_columns(
        __user=parts.struct.field("1"),
        __domain=parts.struct.field("2"),
        __tld=parts.struct.field("3"),
        # freemail reads what follows the '@' of the value as given, trailing spaces and all
        __after_at=pl.when(parts.struct.field("2").is_not_null()).then(
            RAW.str.splitn("@", 2).struct.field("field_1")
        ),
    )
    lookup = _domain_lookup(frame.get_column("__after_at"))
    frame = frame.join(lookup, on="__after_at", how="left", maintain_order="left")
    plain = frame.get_column("__domain").is_not_null()
    # rfc5322.never_an_address: no '@', or beyond ASCII outside a quoted string; and words
    # apart before the '@'
    never = frame.select(
        ~RAW.str.contains("@", literal=True)
        | (RAW.str.contains(r"[^\x00-\x7f]") & ~RAW.str.contains('"', literal=True))
        | RAW.str.contains(S.EMAIL_WORDS_BEFORE_AT)
    ).to_series()
    ok = pl.col("__accepted").fill_null(False)

    def keep(expr: pl.Expr) -> pl.Expr:
        return pl.when("valid").then(expr)

    frame = frame.with_columns(valid=ok).with_columns(
        normal=pl.when("valid")
        .then(pl.concat_str("__user", pl.lit("@"), "__domain").str.to_lowercase())
        .otherwise(RAW),
        user=keep(pl.col("__user")),
        domain=keep(pl.col("__domain")),
        host=keep(
            pl.col("__domain").str.head(
                pl.col("__domain").str.len_chars() - pl.col("__tld").str.len_chars() - 1
            )
        ),
        tld=keep(pl.col("__tld")),
        is_free=keep(pl.col("is_free")),
        is_disposable=keep(pl.col("is_disposable")),
    )
    return finalize(frame, SCHEMA), ~plain & ~never.fill_null(True)


def parse_email(raw: pl.Series) -> pl.DataFrame:
    fast, slow = _fast(raw)
    return with_reference(raw, fast, slow, reference.email, SCHEMA)
