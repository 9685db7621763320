"""Vectorized parser for the phone type.

Plain NANP shapes (``5127891111``, ``(512) 789-1111``, ``+1 512.789.1111``, ``1-512-789-1111
x12``, with an optional type hint) are parsed with Polars expressions; their validity is decided
by phonenumbers' own NANP metadata (the region patterns, compiled into Polars regexes, applied the
way ``phonenumbers.is_valid_number`` applies them). Every other value (international numbers,
masked digits, letters, odd punctuation, ...) goes to the scalar reference, i.e. phonenumbers
itself, once per distinct value.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.phonemetadata import PhoneMetadata

from . import reference
from . import shapes as S
from ._common import JS_WS, finalize, frame_of, reference_on_unique, run_on_subset, trim

RAW = pl.col("raw")

SCHEMA = {
    "raw": pl.String, "normal": pl.String, "valid": pl.Boolean, "area": pl.String,
    "exchange": pl.String, "line": pl.String, "number": pl.String, "extension": pl.String,
    "country_code": pl.String, "country_calling_code": pl.Int32, "is_tollfree": pl.Boolean,
    "type": pl.String, "masked": pl.Boolean,
}  # fmt: skip

#: A plain NANP number after the hint is gone: [+]1 prefix, area (maybe in parentheses),
#: exchange, line (digits of these two may be masked with '*'), single separators, an 'x'/'ext'
#: extension of up to 6 digits. For an area code
#: that does not start with 0 or 1, phonenumbers keeps these ten digits as the national number
#: (the tests prove it for every such area code), so only their validity needs its metadata.
#: (Area codes starting with 0 or 1 meet its national-prefix rules: left to phonenumbers.)
NANP_PLAIN = (
    r"^(?:\+?1[ .-]?)?(?:\(([2-9][0-9]{2})\) ?[.-]?|([2-9][0-9]{2})[ .-]?)"
    r"([0-9*]{3})[ .-]?([0-9*]{4})(?: ?(?:[xX]|[eE][xX][tT]\.?) ?([0-9]{1,6}))?$"
)

_TYPE_FIELDS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
                "uan", "voicemail", "fixed_line", "mobile")  # fmt: skip
NSN_LENGTH = 10


def _fullmatch(pattern: str) -> str:
    return f"^(?:{pattern})$"


def _desc_applies(desc) -> bool:
    """Whether a number description can match a 10-digit national number at all."""
    if desc is None or desc.national_number_pattern is None:
        return False
    return not desc.possible_length or NSN_LENGTH in desc.possible_length


@cache
def nanp_rules() -> list[tuple[str, str | None, str, str]]:
    """For each NANP region, in phonenumbers' order: (region, leading-digits regex or None,
    general-description regex, any-type regex), all for 10-digit national numbers."""
    rules = []
    for region in COUNTRY_CODE_TO_REGION_CODE[1]:
        meta = PhoneMetadata.metadata_for_region(region)
        if meta is None:
            continue
        general = meta.general_desc
        if not _desc_applies(general):
            raise RuntimeError(f"unexpected NANP metadata for {region}: no 10-digit numbers")
        types = [getattr(meta, f) for f in _TYPE_FIELDS]
        patterns = [d.national_number_pattern for d in types if _desc_applies(d)]
        leading = f"^(?:{meta.leading_digits})" if meta.leading_digits else None
        rules.append(
            (region, leading, _fullmatch(general.national_number_pattern),
             _fullmatch("|".join(f"(?:{p})" for p in patterns)))
        )  # fmt: skip
    return rules


def _known(nsn: pl.Expr, general: str, types: str) -> pl.Expr:
    return nsn.str.contains(general) & nsn.str.contains(types)


def nanp_valid(nsn: pl.Series) -> pl.Series:
    """phonenumbers.is_valid_number for 10-digit NANP national numbers, vectorized.

    ``is_valid_number`` first picks the region (the first region in the list whose leading
    digits match, or, for regions without leading digits, whose patterns know the number), then
    asks whether the number is of a known type there. The US rule is tried on every number; the
    rest of the chain only on the numbers the US does not know.
    """
    rules = nanp_rules()
    _, _, us_general, us_types = rules[0]
    frame = pl.DataFrame({"nsn": nsn})
    known_us = frame.select(_known(pl.col("nsn"), us_general, us_types)).to_series()
    known_us = known_us.fill_null(False)
    rest = ~known_us & nsn.is_not_null()
    if not rest.any():
        return known_us.rename("valid")
    sub = frame.filter(rest)
    col = pl.col("nsn")
    chain = pl.when(False).then(None)
    for _, leading, general, types in rules[1:]:
        known = _known(col, general, types)
        if leading is None:
            chain = chain.when(known).then(True)
        else:
            chain = chain.when(col.str.contains(leading)).then(known)
    rest_valid = sub.select(chain.otherwise(False).fill_null(False)).to_series()
    return known_us.scatter(rest.arg_true(), rest_valid).rename("valid")


def _fast(raw: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """Phone columns for the plain NANP rows, and the mask of the rows left to phonenumbers."""
    hint = RAW.str.extract(S.PHONE_HINT, 1)
    text = (
        pl.when(hint.is_not_null())
        .then(RAW.str.replace(S.PHONE_HINT, "").str.strip_chars(JS_WS))
        .otherwise(RAW)
    )
    parts = trim(text).str.extract_groups(NANP_PLAIN)

    def g(i: int) -> pl.Expr:
        return parts.struct.field(str(i))

    frame = frame_of(raw).with_columns(
        type=hint.replace_strict(S.PHONE_HINTS, default=None),
        area=pl.coalesce(g(1), g(2)),
        exchange=g(3),
        line=g(4),
        extension=g(5),
    )
    nsn = frame.select(pl.col("area") + pl.col("exchange") + pl.col("line")).to_series()
    masked = nsn.str.contains("*", literal=True)
    # stars are put back aligned on the value's digits and 'x': with an extension, the reference
    fast = frame.get_column("exchange").is_not_null() & ~(
        masked & frame.get_column("extension").is_not_null()
    ).fill_null(False)
    # masked digits count as valid (ten digits are a possible NANP number)
    valid = nanp_valid(nsn.zip_with(~masked.fill_null(False), pl.Series([None], dtype=pl.String)))
    valid = valid.zip_with(~masked.fill_null(False), pl.Series([True]))
    frame = frame.with_columns(valid=valid, masked=masked).with_columns(
        normal=pl.col("area")
        + pl.col("exchange")
        + pl.col("line")
        + pl.when(pl.col("extension").is_not_null())
        .then(pl.lit("x") + pl.col("extension"))
        .otherwise(pl.lit("")),
        number=pl.col("exchange") + pl.col("line"),
        country_code=pl.when(pl.col("exchange").is_not_null()).then(pl.lit("US")),
        country_calling_code=pl.when(pl.col("exchange").is_not_null()).then(pl.lit(1)),
        is_tollfree=pl.col("area").is_in(list(S.TOLLFREE_AREAS)),
    )
    return finalize(frame, SCHEMA), ~fast & raw.is_not_null()


def _nanp_default(region: str) -> bool:
    """The fast path is proven (differential tests) for the US and Canada as default regions."""
    return region.upper() in ("US", "CA")


def parse_phone(raw: pl.Series, default_region: str = "US") -> pl.DataFrame:
    region = default_region.upper()
    if region not in {r for regions in COUNTRY_CODE_TO_REGION_CODE.values() for r in regions}:
        raise ValueError(f"unknown phone region {default_region!r}")

    def slow(sub: pl.Series) -> pl.DataFrame:
        return reference_on_unique(sub, reference.phone, SCHEMA, default_region=region)

    if not _nanp_default(region):
        return slow(raw)
    fast, rest = _fast(raw)
    return run_on_subset(raw, rest, slow, fast, SCHEMA)
