"""Vectorized parsers for date, dob and time: regex shapes, integer components, calendar checks,
in Polars expressions (dates that are not in a common strict shape go through the port of
moment.js, ``moment_dates``, times through the port of chrono-node, ``chrono``, once per distinct
value)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from . import shapes as S
from ._common import finalize, frame_of, reference_on_unique, run_on_subset
from .moment_dates import MONTHS, TWO_DIGIT_YEAR_PIVOT

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


#: The shapes read here without the port of moment: (pattern, its groups of year, month and day,
#: moment's tokens of the year and month). Moment tries its formats strictly, then forgivingly;
#: the format that wins for each of these shapes (YYYY-MM-DD, M/D/YYYY, M/D/YY strictly;
#: MM-DD-YYYY strictly, or forgivingly with one-digit parts, reading every character; MMM DD YYYY
#: forgivingly, skipping only the comma) reads exactly these groups, so moment's answer is that
#: date when it is real. The first real reading is taken: a slashed date whose month-first
#: reading is not real is read day first (D/M/YYYY, D/M/YY: the next formats that fit strictly).
#: Other values of the shapes (a 13th month either way) go to the port.
#: tests/typed/types/test_date_shapes.py checks each shape against the port.
DATE_FAST_SHAPES = (
    (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$", ("1", "2", "3"), ("YYYY", "M")),
    (r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", ("3", "1", "2"), ("YYYY", "M")),
    (r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{2})$", ("3", "1", "2"), ("YY", "M")),
    (r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$", ("3", "1", "2"), ("YYYY", "M")),
    (rf"^({'|'.join(MONTHS)}) ([0-9]{{1,2}}), ([0-9]{{4}})$", ("3", "1", "2"),
     ("YYYY", "MMMM")),
    (r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$", ("3", "2", "1"), ("YYYY", "M")),
    (r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{2})$", ("3", "2", "1"), ("YY", "M")),
)  # fmt: skip
DATE_SCHEMA = {"raw": pl.String, "normal": pl.Date, "valid": pl.Boolean}


def _year(text: pl.Expr, token: str) -> pl.Expr:
    """The year of YYYY, or moment's of YY: 69-99 are 1969-1999, 00-68 are 2000-2068."""
    year = _int(text)
    if token == "YY":
        return year + pl.when(year > TWO_DIGIT_YEAR_PIVOT).then(1900).otherwise(2000)
    return year


def _month(text: pl.Expr, token: str) -> pl.Expr:
    if token == "MMMM":
        return text.replace_strict(MONTHS, range(1, 13), default=None, return_dtype=I32)
    return _int(text)


def parse_date(raw: pl.Series) -> pl.DataFrame:
    """LeadConduit's date (``moment_dates``): the common shapes in Polars, every other value
    through the port of moment, once per distinct value."""
    from . import reference

    patterns = list(dict.fromkeys(pattern for pattern, _, _ in DATE_FAST_SHAPES))
    frame = frame_of(raw).with_columns(  # each pattern once: M/D and D/M read the same groups
        RAW.str.extract_groups(pattern).alias(f"shape{k}") for k, pattern in enumerate(patterns)
    )
    readings = []
    for pattern, (year, month, day), (year_token, month_token) in DATE_FAST_SHAPES:
        shape = pl.col(f"shape{patterns.index(pattern)}").struct
        y = _year(shape.field(year), year_token)
        m = _month(shape.field(month), month_token)
        d = _int(shape.field(day))
        real = real_date(y, m, d)
        readings.append(tuple(pl.when(real).then(part) for part in (y, m, d)))
    y, m, d = (pl.coalesce(parts) for parts in zip(*readings, strict=True))
    fast_ok = y.is_not_null()
    frame = frame.with_columns(
        normal=pl.date(y, m, d),  # null unless a reading is real
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
TIME_SCHEMA = {"raw": pl.String, "normal": pl.Datetime("ms", "UTC"), "valid": pl.Boolean}


def _g(struct: str, i: int) -> pl.Expr:
    return pl.col(struct).struct.field(str(i))


def _first(*pairs: tuple[pl.Expr, pl.Expr]) -> pl.Expr:
    chain = pl.when(pairs[0][0]).then(pairs[0][1])
    for matched, value in pairs[1:]:
        chain = chain.when(matched).then(value)
    return chain.cast(I32)


def _noon_unless(hour: pl.Expr, given: pl.Expr) -> pl.Expr:
    """chrono's hour: noon when the text has no time."""
    return pl.when(given.is_null()).then(12).otherwise(hour)


def _fast_time(raw: pl.Series) -> pl.DataFrame:
    """The common shapes (``shapes.TIME_*``) where chrono's answer is the fields as written:
    ``normal``, ``valid`` and ``__fast`` (true where this answer holds)."""
    frame = frame_of(raw).with_columns(
        iso=RAW.str.extract_groups(S.TIME_ISO),
        ymd=RAW.str.extract_groups(S.TIME_YMD),
        us=RAW.str.extract_groups(S.TIME_US),
        js=RAW.str.extract_groups(S.TIME_JS),
        digits=RAW.str.contains(S.TIME_DIGITS),
    )
    iso, ymd, us, js = (_g(s, 1).is_not_null() for s in ("iso", "ymd", "us", "js"))
    hour, ampm = _int(_g("us", 4)), _g("us", 7).str.to_lowercase()
    us_hour = (
        pl.when(ampm.is_null())
        .then(hour)
        .when((hour >= 1) & (hour <= 12))
        .then(hour % 12 + pl.when(ampm == "pm").then(12).otherwise(0))
    )
    # minutes east; chrono's ISO parser reads -00:mm east too (its sign is that of the hours),
    # its offset refiner ('GMT-0500') takes none beyond 14 hours
    iso_h, iso_m = _int(_g("iso", 10)), _int(_g("iso", 11))
    iso_west = (_g("iso", 9) == "-") & (iso_h != 0)
    js_minutes = _int(_g("js", 8)) * 60 + _int(_g("js", 9))
    js_sign = pl.when(_g("js", 7) == "-").then(-1).otherwise(1)
    shapes = [
        (iso, [_int(_g("iso", i)) for i in range(1, 8)]
         + [pl.when(iso_west).then(-(iso_h * 60 + iso_m))
            .otherwise(iso_h * 60 + iso_m).fill_null(0)]),
        (ymd, [_int(_g("ymd", 1)), _int(_g("ymd", 2)), _int(_g("ymd", 3)),
               _noon_unless(_int(_g("ymd", 4)), _g("ymd", 4)), _int(_g("ymd", 5)),
               _int(_g("ymd", 6)), pl.lit(0), pl.lit(0)]),
        (us, [_int(_g("us", 3)), _int(_g("us", 1)), _int(_g("us", 2)),
              _noon_unless(us_hour, _g("us", 4)), _int(_g("us", 5)), _int(_g("us", 6)),
              pl.lit(0), pl.lit(0)]),
        (js, [_int(_g("js", 3)), _g("js", 1).replace_strict(S.MONTH_ABBRS, default=None),
              _int(_g("js", 2)), _int(_g("js", 4)), _int(_g("js", 5)), _int(_g("js", 6)),
              pl.lit(0), pl.when(js_minutes <= 14 * 60).then(js_sign * js_minutes)]),
    ]  # fmt: skip
    names = ("y", "mo", "d", "h", "mi", "s", "ms", "offset")
    frame = frame.select(
        "raw", "digits",
        offset_ok=_first(*[(m, f[7].is_not_null()) for m, f in shapes]).cast(pl.Boolean),
        **{n: _first(*[(m, f[i]) for m, f in shapes]) for i, n in enumerate(names)},
    )  # fmt: skip
    y, mo, d, h = pl.col("y"), pl.col("mo"), pl.col("d"), pl.col("h")
    mi, s = pl.col("mi").fill_null(0), pl.col("s").fill_null(0)
    ms, offset = pl.col("ms").fill_null(0), pl.col("offset").fill_null(0)
    ok = real_date(y, mo, d) & y.is_between(1000, 9000) & _valid_clock(h, mi, s)
    ok = (ok & pl.col("offset_ok")).fill_null(False)
    local = pl.datetime(pl.when(ok).then(y), mo, d, h, mi, s, ms * 1000, time_unit="ms",
                        time_zone="UTC")  # fmt: skip
    return frame.select(
        "raw",
        normal=local - pl.duration(minutes=offset),
        valid=ok,
        __fast=ok | pl.col("digits"),
    )


def _valid_clock(h: pl.Expr, mi: pl.Expr, s: pl.Expr) -> pl.Expr:
    return ((h >= 0) & (h <= 23) & (mi >= 0) & (mi <= 59) & (s >= 0) & (s <= 59)).fill_null(False)


def parse_time(raw: pl.Series, now: datetime | None = None) -> pl.DataFrame:
    """LeadConduit's time (chrono-node, ported in ``chrono``): the common strict shapes in
    Polars, every other value through the port, once per distinct value, read against ``now``
    (the instant a time without a date is on the day of; default: the present)."""
    from . import reference

    now = now or reference.now_utc()
    frame = _fast_time(raw)
    slow = RAW.is_not_null() & ~pl.col("__fast")
    return run_on_subset(
        raw,
        frame.select(slow).to_series(),
        lambda sub: reference_on_unique(sub, reference.time, TIME_SCHEMA, now=now),
        finalize(frame, TIME_SCHEMA),
        TIME_SCHEMA,
    )
