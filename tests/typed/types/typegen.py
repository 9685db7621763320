"""Generators of realistic and hostile values per type, shared by the property-based and the
differential tests (plain ``random`` for the large sets, Hypothesis strategies for shrinking)."""

from __future__ import annotations

import random
import string

import polars as pl
from hypothesis import strategies as st

from ingest.typed.types import parse, parse_reference

HARD = ["", " ", "\t", "\u00a0", "\u3000x\u3000", "\x1c", "null", "None", "💥", "０１２", "٣",
        "Ｘ", "İ", "ſ", "K", "ß", "ǅ", "-", ".", "+", "*", "x", "(", ")", "9" * 400,
        "1" * 30, "a" * 1000, "\n5127891111\n", "\u200b"]  # fmt: skip


def assert_same(type_name: str, values: list[str | None], **options) -> None:
    """The vectorized parse equals the scalar reference, value for value."""
    series = pl.Series("v", values, dtype=pl.String)
    fast = parse(type_name, series, **options)
    ref = parse_reference(type_name, series, **options)
    assert fast.schema == ref.schema
    if fast.equals(ref):
        return
    diff = (
        fast.with_row_index("i")
        .join(ref.with_row_index("i"), on="i", suffix="__ref")
        .filter(
            pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__ref")) for c in fast.columns])
        )
    )
    raise AssertionError(f"{type_name}: {diff.height} rows differ:\n{diff.head(10).to_dicts()}")


# ---------------------------------------------------------------------------------------------
# random (fast, large sets)
SEPS = ["", " ", "-", ".", "  ", "--", "/", "_"]


def rand_phone(rng: random.Random) -> str:
    area = rng.choice(
        [
            f"{rng.randint(0, 999):03d}",
            f"{rng.randint(200, 999)}",
            rng.choice(
                [
                    "800",
                    "844",
                    "855",
                    "866",
                    "877",
                    "888",
                    "900",
                    "268",
                    "809",
                    "876",
                    "787",
                    "340",
                    "671",
                    "416",
                    "604",
                    "512",
                    "212",
                ]
            ),
        ]
    )
    exchange = f"{rng.randint(0, 999):03d}" if rng.random() < 0.2 else f"{rng.randint(200, 999)}"
    line = f"{rng.randint(0, 9999):04d}"
    s1, s2 = rng.choice(SEPS[:4]), rng.choice(SEPS[:4])
    if rng.random() < 0.05:
        s1, s2 = rng.choice(SEPS), rng.choice(SEPS)
    body = rng.choice(
        [
            f"({area}) {exchange}{s2}{line}",
            f"{area}{s1}{exchange}{s2}{line}",
            f"({area}){exchange}-{line}",
            f"({area}) - {exchange}-{line}",
        ]
    )
    prefix = rng.choice(
        ["", "", "", "1", "1 ", "+1", "+1 ", "1-", "+1-", "1.", "+ 1 ", "01", "11", "2"]
    )
    value = prefix + body
    r = rng.random()
    if r < 0.1:
        value += rng.choice(
            [" x", "x", " ext ", " ext. ", "ext.", " X ", " EXT", " #", ",", " extension "]
        ) + str(rng.randint(0, 10 ** rng.randint(1, 9)))
    r = rng.random()
    if r < 0.1:
        value += rng.choice(
            ["m", "c", "h", "w", " (c)", " (m)", "(h)", " w", "M", " (W)", " (x)", "(c", "c)"]
        )
    if rng.random() < 0.03:
        pos = rng.randrange(len(value))
        value = value[:pos] + "*" + value[pos + 1 :]
    if rng.random() < 0.03:
        value = rng.choice(
            [
                "+44 20 7946 0958",
                "011 44 20 7946 0958",
                "+52 55 1234 5678",
                "+1 (800) FLOWERS",
                "0044 20 7946 0958",
                "+49 30 123456",
            ]
        )
    if rng.random() < 0.02:
        value = rng.choice(HARD)
    if rng.random() < 0.05:
        value = rng.choice([" ", "\t", ""]) + value + rng.choice([" ", "\n", ""])
    return value


def rand_text(rng: random.Random, alphabet: str, max_len: int = 12) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, max_len)))


def rand_email(rng: random.Random) -> str:
    user = rand_text(rng, string.ascii_letters + string.digits + "._+-!#'", 10) or "u"
    domain = rng.choice(
        [
            "gmail.com",
            "Gmail.com",
            "yahoo.co.uk",
            "mailinator.com",
            "ex-ample.org",
            "a.b.c.io",
            "xn--bcher-kva.de",
            "-bad.com",
            "bad-.com",
            "x..com",
            "com",
            "localhost",
            "sub.domain.museum",
            "1.2.3.4",
            "d.c0m",
        ]
    )
    value = f"{user}@{domain}"
    r = rng.random()
    if r < 0.05:
        value = value.replace("@", "")
    elif r < 0.1:
        value = value.replace("@", "@@")
    elif r < 0.15:
        value = rng.choice(HARD) + value
    elif r < 0.2:
        value = " " + value.upper() + " "
    return value


def rand_postal(rng: random.Random) -> str:
    d = string.digits
    L = string.ascii_letters
    return rng.choice([
        rand_text(rng, d, 10), f"{rand_text(rng, d, 5)}-{rand_text(rng, d, 4)}",
        f"{rng.choice(L)}{rng.choice(d)}{rng.choice(L)} "
        f"{rng.choice(d)}{rng.choice(L)}{rng.choice(d)}",
        f"{rng.choice(L)}{rng.choice(d)}{rng.choice(L)}{rng.choice(d)}{rng.choice(L)}{rng.choice(d)}",
        f"{rand_text(rng, L, 2)}{rng.choice(d)}{rng.choice(L + d)} "
        f"{rng.choice(d)}{rand_text(rng, L, 2)}",
        rng.choice(HARD), f" {rng.randint(10000, 99999)}  {rng.randint(1000, 9999)} ",
    ])  # fmt: skip


def rand_date(rng: random.Random) -> str:
    y, m, d = rng.randint(1, 2999), rng.randint(0, 13), rng.randint(0, 32)
    sep = rng.choice("-/.")
    months = [
        "Jan",
        "February",
        "mar",
        "APR",
        "May",
        "june",
        "Jul",
        "aug",
        "Sept",
        "oct",
        "Nov",
        "December",
        "Foo",
    ]
    return rng.choice([
        f"{y:04d}{sep}{m:02d}{sep}{d:02d}", f"{m}{sep}{d}{sep}{y:04d}", f"{d}/{m}/{y % 100:02d}",
        f"{m:02d}{d:02d}{y:04d}", f"{y:04d}{m:02d}{d:02d}", f"{rng.choice(months)} {d}, {y:04d}",
        f"Mon {rng.choice(months)} {d:02d} {y:04d}", f"{d} {rng.choice(months)} {y:04d}",
        f"{y:04d}-{m:02d}-{d:02d}T10:20:30Z", rng.choice(HARD), f"{m}/{d}/{y}",
    ])  # fmt: skip


def rand_time(rng: random.Random) -> str:
    y, mo, d = rng.randint(1, 9999), rng.randint(1, 13), rng.randint(1, 31)
    h, mi, s = rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 61)
    zone = rng.choice(["", "Z", "z", "+05:30", "-0800", "+14", " UTC", "GMT", "+24:00", "-00:60"])
    frac = rng.choice(["", ".1", ".123456", ",5"])
    return rng.choice([
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{zone}",
        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}{zone}", f"{y:04d}-{mo:02d}-{d:02d}",
        f"{mo}/{d}/{y:04d} {h}:{mi:02d}:{s:02d} {rng.choice(['AM', 'PM', 'am', ''])}",
        f"Sat Jun {d:02d} {y:04d} {h:02d}:{mi:02d}:{s:02d} "
        f"GMT{rng.choice(['-0500', '+0000', '+2400'])} (CDT)",
        f"Sun, {d} Jun {y:04d} {h:02d}:{mi:02d}:{s:02d} {rng.choice(['+0000', 'GMT', '-0130'])}",
        str(rng.randint(0, 10**13)), rng.choice(HARD),
    ])  # fmt: skip


def rand_number(rng: random.Random) -> str:
    return rng.choice([
        str(rng.randint(-10**6, 10**6)), f"${rng.randint(0, 10**7):,}.{rng.randint(0, 99):02d}",
        f"{rng.random() * 1000:.3f}", rand_text(rng, "0123456789.-,$ abc+eE", 8),
        f"{rng.random():e}", rng.choice(HARD), "1-800", "5.", ".5", "-.5", "--5", "1.2.3",
    ])  # fmt: skip


def rand_range(rng: random.Random) -> str:
    a, b = rng.randint(-100, 10**6), rng.randint(0, 10**6)
    return rng.choice([
        f"{a}-{b}", f"{a} - {b}", f"${a:,} - ${b:,}", f"{a} to {b}", f"{a}+", f"{a} +",
        f"{a}.{rng.randint(0, 99)}-{b}.5", f"{a}–{b}", rand_number(rng),
        rand_text(rng, "0123456789-+to $,.", 10),
    ])  # fmt: skip


def rand_url(rng: random.Random) -> str:
    host = rng.choice(
        [
            "example.com",
            "EXAMPLE.com",
            "sub.ex-ample.co.uk",
            "1.2.3.4",
            "[::1]",
            "[fe80::1%25eth0]",
            "localhost",
            "ex_ample.com",
            "bad host.com",
            "a..b",
            "[zz]",
            "münchen.de",
            ".com",
            "cert.trustedform.com",
            "ping.trustedform.com",
        ]
    )
    scheme = rng.choice(
        ["http://", "https://", "HTTPS://", "", "ftp://", "http:/", "mailto:", "javascript://"]
    )
    port = rng.choice(["", "", ":8080", ":0", ":65536", ":", ":80x", ":00080"])
    path = rng.choice(
        [
            "",
            "/",
            "/a/b.html",
            f"/{rng.getrandbits(160):040x}",
            "/0.abc-DEF_g",
            "/a b",
            "/a/../b",
            "/" + "A" * 40,
        ]
    )
    query = rng.choice(["", "?", "?a=1&b=2", "?x=http://y.com"])
    frag = rng.choice(["", "#", "#top", "#a?b"])
    user = rng.choice(["", "", "", "user:pw@", "@"])
    value = f"{scheme}{user}{host}{port}{path}{query}{frag}"
    if rng.random() < 0.05:
        value = rng.choice(HARD)
    if rng.random() < 0.05:
        value = f"  {value} "
    return value


def rand_ip(rng: random.Random) -> str:
    octets = [
        rng.choice([str(rng.randint(0, 255)), str(rng.randint(0, 999)), "01", "00", ""])
        for _ in range(4)
    ]
    v6 = ":".join(f"{rng.getrandbits(16):x}" for _ in range(8))
    return rng.choice([
        ".".join(str(rng.randint(0, 255)) for _ in range(4)), ".".join(octets), v6,
        "::1", "::ffff:1.2.3.4", "[::1]", "fe80::1%eth0", "1:2:3", rng.choice(HARD),
        " " + ".".join(str(rng.randint(0, 255)) for _ in range(4)) + " ",
        v6.upper(), "1.2.3", "1.2.3.4.5", "[1.2.3.4]",
    ])  # fmt: skip


def rand_misc(rng: random.Random, words: list[str]) -> str:
    value = rng.choice(words + [rand_text(rng, string.printable, 8), rng.choice(HARD)])
    r = rng.random()
    if r < 0.2:
        value = value.upper()
    elif r < 0.3:
        value = f" {value}\t"
    return value


WORDS = {
    "boolean": ["y", "yes", "true", "t", "1", "n", "no", "false", "f", "0", "Yes!", "N/A", "maybe",
                "TRUE", "y.e.s", "10", "1.0"],
    "gender": ["m", "male", "f", "female", "o", "other", "M", "Female", "x", "man", "femalе"],
    "state": ["tx", "TX", "texas", "New York", "new  york", "district of columbia", "Quebec",
              "québec", "ZZ", "Île-de-France", "ıa", "ſc", "washington d.c.", "  ca "],
    "street": ["4203 Guadalupe St", "Main", " 12  Elm ", "12\tElm", "a b", "\u00a0a b",
               "x\u2003y"],
    "ssn": ["123-45-6789", "123 45 6789", "123456789", "12345678", "1234567890", "***-**-6789"],
    "string": ["Maria", "  spaced ", "Łódź", "O'Brien"],
}  # fmt: skip

GENERATORS = {
    "phone": rand_phone, "email": rand_email, "postal_code": rand_postal, "date": rand_date,
    "dob": rand_date, "time": rand_time, "number": rand_number, "range": rand_range,
    "url": rand_url, "trustedform_url": rand_url, "ip": rand_ip,
    **{t: (lambda rng, w=w: rand_misc(rng, w)) for t, w in WORDS.items()},
}  # fmt: skip
for alias in ("first_name", "last_name", "city"):
    GENERATORS[alias] = GENERATORS["string"]


def generate(type_name: str, n: int, seed: int = 0, nulls: float = 0.02) -> list[str | None]:
    rng = random.Random(f"{type_name}-{seed}")
    make = GENERATORS[type_name]
    return [None if rng.random() < nulls else make(rng) for _ in range(n)]


# ---------------------------------------------------------------------------------------------
# Hypothesis: typed shapes mixed with arbitrary text
def strategy(type_name: str) -> st.SearchStrategy[str | None]:
    seeded = st.integers(0, 2**32).map(lambda s: GENERATORS[type_name](random.Random(s)))
    return st.one_of(seeded, st.text(max_size=30), st.sampled_from(HARD), st.none())
