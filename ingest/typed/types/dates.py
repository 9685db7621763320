"""Vectorized parsers for date, dob and time: regex shapes, integer components, calendar checks,
in Polars expressions (dates that are not in a common strict shape go through the port of
moment.js, ``moment_dates``, once per distinct value)."""

from __future__ import annotations

from datetime import date

import polars as pl

from . import shapes as S
from ._common import finalize, frame_of, reference_on_unique, run_on_subset, trim

RAW = pl.col("raw")
I32 = pl.Int32


def _int(expr: pl.Expr) -> pl.Expr:
    return expr.cast(I32, strict=False)


def _leap(y: pl.Expr) -> pl.Expr:
    return (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))


def real_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """True where (y, m, d) is a real calendar date (years 1..9999); null-safe (false)."""
    days_in_month = (
        pl.when(m == 2)
        .then(pl.when(_leap(y)).then(29).otherwise(28))
        .when(m.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )
    ok = (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month)
    return ok.fill_null(False)


def _month(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().replace_strict(S.MONTHS, default=None, return_dtype=I32)


#: The shapes read here without the port of moment: the first format that fits them strictly
#: is theirs (YYYY-MM-DD, M/D/YYYY), so moment's answer is that date when it is real.
DATE_FAST_YMD = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
DATE_FAST_MDY = r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$"
DATE_SCHEMA = {"raw": pl.String, "normal": pl.Date, "valid": pl.Boolean}


def parse_date(raw: pl.Series) -> pl.DataFrame:
    """LeadConduit's date (``moment_dates``): the strict common shapes in Polars, every other
    value through the port of moment, once per distinct value."""
    from . import reference

    frame = frame_of(raw).with_columns(
        ymd=RAW.str.extract_groups(DATE_FAST_YMD), mdy=RAW.str.extract_groups(DATE_FAST_MDY)
    )
    ymd, mdy = pl.col("ymd").struct, pl.col("mdy").struct
    is_ymd = ymd.field("1").is_not_null()
    y = _int(pl.when(is_ymd).then(ymd.field("1")).otherwise(mdy.field("3")))
    m = _int(pl.when(is_ymd).then(ymd.field("2")).otherwise(mdy.field("1")))
    d = _int(pl.when(is_ymd).then(ymd.field("3")).otherwise(mdy.field("2")))
    fast_ok = real_date(y, m, d)
    frame = frame.with_columns(
        normal=pl.when(fast_ok).then(pl.date(pl.when(fast_ok).then(y), m, d)),
        valid=fast_ok,
        __fast=fast_ok,
    )
    slow = RAW.is_not_null() & ~pl.col("__fast")
    return run_on_subset(
        raw,
        frame.select(slow).to_series(),
        lambda sub: reference_on_unique(sub, reference.date_, DATE_SCHEMA),
        finalize(frame, DATE_SCHEMA),
        DATE_SCHEMA,
    )


def parse_dob(raw: pl.Series, today: date | None = None) -> pl.DataFrame:
    from .reference import today_utc

    today = today or today_utc()
    frame = parse_date(raw)
    born = pl.col("normal")
    y, m, d = born.dt.year(), born.dt.month().cast(I32), born.dt.day().cast(I32)
    ty, tm, td = today.year, today.month, today.day
    # LeadConduit's age, as reference.age computes it
    reached = (m < tm) | ((m == tm) & (d <= td))
    years = (
        pl.when(born <= pl.lit(today))
        .then(ty - y - (~reached).cast(I32))
        .otherwise(-(y - ty - reached.cast(I32)))
    )
    feb29 = (m == 2) & (d == 29)
    last_year = pl.when(reached).then(ty).otherwise(ty - 1)
    last_day = pl.when(feb29 & ~_leap(last_year)).then(28).otherwise(d)
    days = (pl.lit(today) - pl.date(last_year, m, last_day)).dt.total_days()
    tenths = ((10 * days + 1) * 400 // 146_097).clip(upper_bound=9)
    fraction = tenths.replace_strict(dict(enumerate(S.TENTHS)), return_dtype=pl.Float64)
    age = pl.when(~feb29 | S.leap(ty)).then(years.cast(pl.Float64) + fraction)
    return frame.with_columns(
        age=age,
        year=y,
        masked=pl.lit("**/**/") + y.cast(pl.String).str.zfill(4),
    )


# ---------------------------------------------------------------------------------------------
# time
def _zone_minutes(zone: pl.Expr) -> pl.Expr:
    """Minutes east of UTC for a zone designator; null when it is no valid offset."""
    named = zone.str.to_uppercase().is_in(["Z", "UTC", "GMT"])
    digits = zone.str.slice(1).str.replace_all(":", "")
    hours = _int(digits.str.slice(0, 2))
    minutes = pl.when(digits.str.len_chars() > 2).then(_int(digits.str.slice(2))).otherwise(0)
    sign = pl.when(zone.str.starts_with("-")).then(-1).otherwise(1)
    offset = pl.when((hours <= 23) & (minutes <= 59)).then(sign * (hours * 60 + minutes))
    return pl.when(zone.is_null() | named).then(0).otherwise(offset)


def _valid_clock(h: pl.Expr, mi: pl.Expr, s: pl.Expr) -> pl.Expr:
    return ((h >= 0) & (h <= 23) & (mi >= 0) & (mi <= 59) & (s >= 0) & (s <= 59)).fill_null(False)


def _staged_time(frame: pl.DataFrame, text: pl.Expr) -> pl.Series:
    """The UTC instant of each trimmed text (see ``reference.parse_time_text``), in stages so
    that every regex runs once per row."""

    def g(struct: pl.Expr, i: int) -> pl.Expr:
        return struct.struct.field(str(i))

    frame = frame.select(
        iso=text.str.extract_groups(S.TIME_ISO),
        us=text.str.extract_groups(S.TIME_US),
        js=text.str.extract_groups(S.TIME_JS),
        rfc=text.str.extract_groups(S.TIME_RFC),
        epoch=text.str.extract(S.TIME_EPOCH, 1),
    )
    iso, us, js, rfc = pl.col("iso"), pl.col("us"), pl.col("js"), pl.col("rfc")

    # ISO
    frac = g(iso, 7).str.slice(0, 3).str.pad_end(3, "0")
    iso_parts = (
        _int(g(iso, 1)), _int(g(iso, 2)), _int(g(iso, 3)),
        _int(g(iso, 4)).fill_null(0), _int(g(iso, 5)).fill_null(0), _int(g(iso, 6)).fill_null(0),
        _int(frac).fill_null(0), _zone_minutes(g(iso, 8)),
    )  # fmt: skip
    # US with optional AM/PM
    hour = _int(g(us, 4)).fill_null(0)
    ampm = g(us, 7).str.to_lowercase()
    hour24 = (
        pl.when(ampm.is_null())
        .then(hour)
        .when((hour >= 1) & (hour <= 12))
        .then(hour % 12 + pl.when(ampm == "pm").then(12).otherwise(0))
        .otherwise(-1)
    )
    us_parts = (
        _int(g(us, 3)), _int(g(us, 1)), _int(g(us, 2)),
        hour24, _int(g(us, 5)).fill_null(0), _int(g(us, 6)).fill_null(0), pl.lit(0), pl.lit(0),
    )  # fmt: skip
    js_parts = (
        _int(g(js, 3)), _month(g(js, 1)), _int(g(js, 2)),
        _int(g(js, 4)), _int(g(js, 5)), _int(g(js, 6)), pl.lit(0), _zone_minutes(g(js, 7)),
    )  # fmt: skip
    rfc_parts = (
        _int(g(rfc, 3)), _month(g(rfc, 2)), _int(g(rfc, 1)),
        _int(g(rfc, 4)), _int(g(rfc, 5)), _int(g(rfc, 6)).fill_null(0), pl.lit(0),
        _zone_minutes(g(rfc, 7)),
    )  # fmt: skip
    shapes = [
        (g(iso, 1).is_not_null(), iso_parts),
        (g(us, 1).is_not_null(), us_parts),
        (g(js, 1).is_not_null(), js_parts),
        (g(rfc, 1).is_not_null(), rfc_parts),
    ]
    columns = {}
    for i, name in enumerate(("y", "mo", "d", "h", "mi", "s", "ms", "offset")):
        chain = pl.when(False).then(None)
        for matched, parts in shapes:
            chain = chain.when(matched).then(parts[i])
        columns[name] = chain.cast(I32)
    frame = frame.select(**columns, epoch=pl.col("epoch"))
    y, mo, d, h, mi, s, ms, offset = (
        pl.col(c) for c in ("y", "mo", "d", "h", "mi", "s", "ms", "offset")
    )
    frame = frame.with_columns(
        ok=real_date(y, mo, d) & _valid_clock(h, mi, s) & offset.is_not_null()
    )
    local = pl.datetime(
        pl.when("ok").then(y), mo, d, h, mi, s, ms * 1000, time_unit="ms", time_zone="UTC"
    )
    frame = frame.with_columns(utc=local - pl.duration(minutes=offset))
    utc = pl.col("utc")
    utc = pl.when(utc.dt.year().is_between(1, 9999)).then(utc)
    epoch = pl.col("epoch")
    millis = epoch.cast(pl.Int64, strict=False) * pl.when(epoch.str.len_chars() == 10).then(
        1000
    ).otherwise(1)
    from_epoch = pl.from_epoch(millis, time_unit="ms").dt.replace_time_zone("UTC")
    return frame.select(
        pl.when(epoch.is_not_null()).then(from_epoch).otherwise(utc).alias("normal")
    ).to_series()


def parse_time(raw: pl.Series) -> pl.DataFrame:
    frame = frame_of(raw)
    return frame.with_columns(normal=_staged_time(frame, trim(RAW))).with_columns(
        valid=pl.col("normal").is_not_null()
    )
