"""Hypothesis strategies of raw values per type, for the comparison with LeadConduit's parsers:
well-formed values, near misses and odd shapes (surrounding and inner spaces, case, other
separators, partial values), mixed with arbitrary text.

:func:`sample` draws a fixed, reproducible batch per type (Hypothesis seeded per type, generate
phase only), so a whole batch goes through one Node process.
"""

from __future__ import annotations

import string
import zlib

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from ingest.typed.types import TYPE_NAMES

SPACES = [" ", "  ", "\t", "\u00a0", "\n"]
SEPARATORS = ["", " ", "-", ".", "/", "  ", "--", "_", ", "]


def digits(n_min: int, n_max: int | None = None) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n_min, max_size=n_max or n_min)


def joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


def _recase(text: str, how: str) -> str:
    return {"upper": text.upper(), "lower": text.lower(), "title": text.title(),
            "swap": text.swapcase()}.get(how, text)  # fmt: skip


@st.composite
def odd(draw, base: st.SearchStrategy[str]) -> str:
    """A value of ``base``, sometimes with surrounding spaces, another case, a separator changed
    or only a part of it."""
    value = draw(base)
    how = draw(st.sampled_from(["as is"] * 6 + ["spaces", "case", "separator", "partial",
                                                 "inner space", "doubled"]))  # fmt: skip
    if how == "spaces":
        value = draw(st.sampled_from(["", *SPACES])) + value + draw(st.sampled_from(["", *SPACES]))
    elif how == "case":
        value = _recase(value, draw(st.sampled_from(["upper", "lower", "title", "swap"])))
    elif how == "separator" and value:
        seps = [c for c in "-/. " if c in value]
        if seps:
            value = value.replace(draw(st.sampled_from(seps)), draw(st.sampled_from(SEPARATORS)))
    elif how == "partial" and len(value) > 1:
        cut = draw(st.integers(1, len(value) - 1))
        value = value[:cut] if draw(st.booleans()) else value[cut:]
    elif how == "inner space" and len(value) > 1:
        at = draw(st.integers(1, len(value) - 1))
        value = value[:at] + draw(st.sampled_from(SPACES)) + value[at:]
    elif how == "doubled":
        value = value + draw(st.sampled_from(["", " ", ","])) + value
    return value


def mixed(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly ``base`` (with its odd shapes), some arbitrary text."""
    return st.one_of(
        odd(base), odd(base), odd(base), odd(base), odd(base), odd(base),
        st.text(max_size=20),
        st.text(string.printable, max_size=20),
        st.sampled_from(["", " ", "0", "-", ".", "null", "N/A", "x", "💥", "１２３"]),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# per type
def _area():
    return st.one_of(
        st.sampled_from(["512", "212", "800", "888", "415", "604", "416", "787", "900"]), digits(3)
    )


def _phone():
    nanp = st.builds(
        lambda fmt, a, e, line: fmt.format(a=a, e=e, l=line),
        st.sampled_from(["{a}{e}{l}", "({a}) {e}-{l}", "{a}-{e}-{l}", "1{a}{e}{l}",
                         "+1 {a}.{e}.{l}", "1-{a}-{e}-{l}", "({a}){e}-{l}", "{a} {e} {l}"]),
        _area(), st.one_of(st.sampled_from(["789", "555", "234"]), digits(3)), digits(4),
    )  # fmt: skip
    intl = st.sampled_from(["+44 20 7946 0958", "011 44 20 7946 0958", "+52 55 1234 5678",
                            "+49 30 123456", "+33 1 42 68 53 00", "+1 (800) FLOWERS"])  # fmt: skip
    number = st.one_of(nanp, nanp, nanp, intl, digits(7, 12))
    suffix = st.sampled_from(["", "", "", " x12", "x1234", " ext. 5", "m", "h", "w", "c", " (c)",
                              "(w)", " M", " #12"])  # fmt: skip
    masked = st.builds(lambda s, i: s[:i] + "*" + s[i + 1 :] if s else s, nanp, st.integers(0, 12))
    return joined(st.one_of(number, number, masked), suffix)


def _email():
    user = st.one_of(
        st.sampled_from(["john", "Foo.Bar", "a+b", "x_y", "first.last", "o'brien", "j--d"]),
        st.text(string.ascii_letters + string.digits + "._+-!#", min_size=1, max_size=10),
    )
    domain = st.sampled_from(["gmail.com", "Gmail.com", "yahoo.co.uk", "mailinator.com",
                              "example.org", "sub.example.io", "xn--bcher-kva.de", "com",
                              "localhost", "bad-.com", "x..com", "1.2.3.4",
                              "hotmail.fr"])  # fmt: skip
    return st.builds(
        lambda u, at, d: f"{u}{at}{d}", user, st.sampled_from(["@"] * 8 + ["", "@@"]), domain
    )


def _postal():
    letters = st.sampled_from(string.ascii_uppercase)
    d = st.sampled_from(string.digits)
    us = st.one_of(digits(5), joined(digits(5), st.sampled_from(["-", "", " ", " - "]), digits(4)))
    ca = joined(letters, d, letters, st.sampled_from(["", " ", "  "]), d, letters, d)
    area = st.text(string.ascii_uppercase, min_size=1, max_size=2)
    gb = joined(area, d, st.sampled_from(["", "A", "1"]), st.sampled_from(["", " "]), d, letters,
                letters)  # fmt: skip
    return st.one_of(us, us, ca, gb, digits(1, 10))


#: US and Canadian codes and names (spelled out here, so the values do not change with the parser)
STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "CA": "California", "CO": "Colorado",
    "DC": "District of Columbia", "FL": "Florida", "FM": "Federated States of Micronesia FM",
    "IA": "Iowa", "KY": "Kentucky", "MP": "Northern Mariana Islands",
    "NL": "Newfoundland and Labrador", "NT": "Northwest Territories", "NY": "New York",
    "ON": "Ontario", "PR": "Puerto Rico", "PW": "Palau", "QC": "Quebec", "RI": "Rhode Island",
    "SD": "South Dakota", "TX": "Texas", "VI": "U.S. Virgin Islands", "WV": "West Virginia",
    "YT": "Yukon YT",
}  # fmt: skip


def _state():
    names = sorted(STATE_NAMES.values()) + ["washington dc", "Québec", "virgin islands", "yukon"]
    return st.one_of(
        st.sampled_from(sorted(STATE_NAMES)),
        st.sampled_from(names),
        st.sampled_from(["Île-de-France", "Bavaria", "ZZ", "Texass", "New  York",
                         "Newfoundland And Labrador", "district of columbia", "Yukon YT", "Q"]),
        st.text(string.ascii_letters + " ", max_size=12),
    )  # fmt: skip


_MONTH_NAMES = ["Jan", "February", "mar", "APR", "May", "june", "Jul", "aug", "Sep", "Sept",
                "oct", "Nov", "December"]  # fmt: skip


@st.composite
def _date(draw, years=(1, 2999)) -> str:
    y = draw(st.one_of(st.integers(1900, 2030), st.integers(*years)))
    m = draw(st.one_of(st.integers(1, 12), st.integers(0, 13)))
    d = draw(st.one_of(st.integers(1, 28), st.integers(0, 32)))
    sep = draw(st.sampled_from(["-", "/", "."]))
    mon = draw(st.sampled_from(_MONTH_NAMES))
    dow = draw(st.sampled_from(["Mon", "Tue", "Fri", "Sun"]))
    shapes = [
        f"{y:04d}-{m:02d}-{d:02d}", f"{y:04d}{sep}{m:02d}{sep}{d:02d}", f"{y:04d}{sep}{m}{sep}{d}",
        f"{m}/{d}/{y:04d}", f"{m:02d}/{d:02d}/{y:04d}", f"{m}/{d}/{y % 100:02d}",
        f"{d}/{m}/{y:04d}", f"{m:02d}-{d:02d}-{y:04d}", f"{m:02d}{d:02d}{y:04d}",
        f"{y:04d}{m:02d}{d:02d}", f"{mon} {d:02d} {y:04d}", f"{mon} {d}, {y:04d}",
        f"{dow} {mon} {d:02d} {y:04d}", f"{d:02d} {mon} {y:04d}", f"{dow} {d:02d} {mon} {y:04d}",
        f"{y:04d}-{m:02d}-{d:02d}T10:20:30Z", f"{m}.{d}.{y:04d}",
    ]  # fmt: skip
    return draw(st.sampled_from(shapes))


_RELATIVE = ["now", "today", "tomorrow", "yesterday", "tonight", "next friday", "last monday",
             "this morning", "noon", "midnight", "Tomorrow 9am", "today at 5pm", "friday evening",
             "tmrw 3:30pm", "last night", "Monday 10:00", "5pm today", "in 5 minutes",
             "2 days ago", "3 weeks later", "+2 hours", "next week", "last month", "this year",
             "end of the month", "an hour ago", "2 days ago at 5pm", "within 2 weeks"]  # fmt: skip


@st.composite
def _time(draw) -> str:
    """The shapes LeadConduit's users send as times: ISO 8601 with and without a zone, year
    first with a space, US month/day/year with AM/PM, JavaScript and RFC 2822 date strings, clock
    times alone with AM/PM variants, relative words (read against the same instant on both
    sides), epoch-like numbers."""
    y, mo, d = draw(st.integers(1970, 2035)), draw(st.integers(1, 13)), draw(st.integers(1, 31))
    h, mi, s = draw(st.integers(0, 24)), draw(st.integers(0, 60)), draw(st.integers(0, 60))
    zone = draw(st.sampled_from(["", "Z", "+05:30", "-0800", "+00:00", " UTC", "GMT", " EST",
                                 " PT", " CET", "-05"]))  # fmt: skip
    frac = draw(st.sampled_from(["", ".1", ".123", ".123456"]))
    ampm = draw(st.sampled_from(["AM", "PM", "am", "", "pm", "a.m.", "P.M.", "a", "p"]))
    h12 = draw(st.integers(0, 13))
    mon = draw(st.sampled_from(_MONTH_NAMES))
    shapes = [
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{zone}",
        f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}",
        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}{zone}",
        f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}", f"{y:04d}-{mo:02d}-{d:02d}",
        f"{mo:02d}/{d:02d}/{y:04d} {h}:{mi:02d}:{s:02d} {ampm}",
        f"{mo:02d}/{d:02d}/{y:04d} {h12:02d}:{mi:02d} {ampm}", f"{mo}/{d}/{y:04d}",
        f"{mo}/{d}/{y % 100:02d} {h12}:{mi:02d}{ampm}",
        f"Sat Jun {d:02d} {y:04d} {h:02d}:{mi:02d}:{s:02d} GMT-0500 (CDT)",
        f"Sun, {d} Jun {y:04d} {h:02d}:{mi:02d}:{s:02d} +0000",
        f"{mon} {d}, {y:04d} {h12}:{mi:02d} {ampm}{zone}",
        f"{h12}{ampm}", f"{h12}:{mi:02d} {ampm}", f"at {h12}:{mi:02d}{ampm}",
        draw(st.sampled_from(_RELATIVE)),
        str(draw(st.integers(10**9, 2 * 10**9))), str(draw(st.integers(10**12, 2 * 10**12))),
    ]  # fmt: skip
    return draw(st.sampled_from(shapes))


def _words(words: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(words),
        st.builds(
            lambda w, p: w + p, st.sampled_from(words), st.sampled_from([".", "!", "?", "'"])
        ),
    )


def _number():
    return st.one_of(
        st.integers(-(10**9), 10**9).map(str),
        st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: f"{x:.3f}"),
        st.integers(0, 10**7).map(lambda n: f"${n:,}.99"),
        st.sampled_from(["1,000", "$100.99", "1e3", "1.5e-3", "-.5", "5.", "1-800", "1.2.3", "--5",
                         "+5", "12abc", "abc", "(100)", "100%", "0x10"]),
    )  # fmt: skip


def _range():
    n = st.integers(-100, 10**6)
    return st.one_of(
        st.builds(
            lambda a, s, b: f"{a}{s}{b}", n, st.sampled_from(["-", " - ", " to ", "to", "–"]), n
        ),
        st.builds(lambda a, s: f"{a}{s}", n, st.sampled_from(["+", " +", "+ more"])),
        st.builds(lambda a, b: f"${a:,} - ${b:,}", n, n),
        st.builds(lambda a, b: f"{a}.5-{b}.25", n, n),
        n.map(str),
        _number(),
    )


def _ssn():
    return st.one_of(
        st.builds(lambda a, b, c, s: f"{a}{s}{b}{s}{c}", digits(3), digits(2), digits(4),
                  st.sampled_from(["-", " ", "", "."])),
        digits(8, 10), st.just("***-**-6789"),
    )  # fmt: skip


def _street():
    return st.one_of(
        st.builds(lambda n, s: f"{n} {s}", digits(1, 5),
                  st.sampled_from(["Main St", "Guadalupe St", "Elm", "N Lamar Blvd Apt 4"])),
        st.sampled_from(["Main", "PO Box 12", "12\tElm", " 12  Elm ", "a b", "One Way"]),
    )  # fmt: skip


def _url():
    scheme = st.sampled_from(["http://", "https://", "", "HTTPS://", "ftp://", "mailto:"])
    host = st.sampled_from(["example.com", "EXAMPLE.com", "sub.ex-ample.co.uk", "1.2.3.4",
                            "[::1]", "localhost", "ex_ample.com", "münchen.de",
                            "cert.trustedform.com", "a..b"])  # fmt: skip
    port = st.sampled_from(["", "", "", ":8080", ":443", ":80", ":65536"])
    path = st.sampled_from(["", "", "/", "/a/b.html", "/a b", "/" + "a1" * 20, "/x?y"])
    query = st.sampled_from(["", "", "?a=1&b=2", "?"])
    frag = st.sampled_from(["", "", "#top", "#"])
    return st.builds(lambda *p: "".join(p), scheme, host, port, path, query, frag)


def _trustedform():
    cert = st.one_of(
        st.text("0123456789abcdef", min_size=40, max_size=40),
        st.text("0123456789ABCDEF", min_size=40, max_size=40),
        st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=60),
        st.text(string.ascii_letters + string.digits + "_-", min_size=30, max_size=60).map(
            lambda s: "0." + s
        ),
    )
    host = st.sampled_from(["cert.trustedform.com", "ping.trustedform.com", "example.com",
                            "cert.trustedform-staging.com", "CERT.trustedform.com"])  # fmt: skip
    scheme = st.sampled_from(["https://", "https://", "http://", ""])
    return st.one_of(st.builds(lambda s, h, c: f"{s}{h}/{c}", scheme, host, cert), _url())


def _ip():
    octet = st.one_of(st.integers(0, 255).map(str), st.sampled_from(["256", "01", "999", ""]))
    v4 = st.builds(lambda *o: ".".join(o), octet, octet, octet, octet)
    v6 = st.lists(st.integers(0, 0xFFFF).map(lambda n: f"{n:x}"), min_size=8, max_size=8).map(
        ":".join
    )
    return st.one_of(
        v4, v4, v6,
        st.sampled_from(["::1", "::ffff:1.2.3.4", "[::1]", "fe80::1", "1:2:3", "1.2.3",
                         "1.2.3.4.5", "[1.2.3.4]", "2001:db8::1", "localhost"]),
    )  # fmt: skip


def _string():
    return st.one_of(
        st.sampled_from(["Maria", "  spaced ", "Łódź", "O'Brien", "", "0123"]), st.text(max_size=15)
    )


BASES: dict[str, st.SearchStrategy[str]] = {
    "phone": _phone(), "email": _email(), "postal_code": _postal(), "state": _state(),
    "date": _date(), "dob": _date(years=(1900, 2024)), "time": _time(),
    "boolean": _words(["y", "yes", "true", "t", "1", "n", "no", "false", "f", "0", "maybe",
                       "N/A", "10", "1.0", "y.e.s", "on", "off"]),
    "number": _number(), "range": _range(),
    "gender": _words(["m", "male", "f", "female", "o", "other", "man", "woman", "x", "Female"]),
    "ssn": _ssn(), "street": _street(), "url": _url(), "trustedform_url": _trustedform(),
    "ip": _ip(),
    **{name: _string() for name in ("string", "first_name", "last_name", "city")},
}  # fmt: skip
assert set(BASES) == set(TYPE_NAMES), set(TYPE_NAMES) ^ set(BASES)


def strategy(type_name: str) -> st.SearchStrategy[str]:
    return mixed(BASES[type_name])


def sample(type_name: str, n: int) -> list[str]:
    """``n`` values of ``type_name``, the same on every run and every version of the parsers
    (Hypothesis seeded from the type name)."""
    drawn: list[str] = []

    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @seed(zlib.crc32(type_name.encode()))
    @given(strategy(type_name))
    def collect(value: str) -> None:
        drawn.append(value)

    collect()
    return drawn
