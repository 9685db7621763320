"""Raw lead field values with realistic mess, plus the parsed objects LeadConduit shows in events.

Each ``*_value`` draws one raw string as a source would post it, with what the platform would
conclude about it (valid or not); ``person.py`` puts a consumer together from them. Parsed
objects follow section 3 of ``shared/domain/leadconduit.md``. The tables are in
``value_tables.py``.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

from ingest.simulator.value_tables import (
    DISPOSABLE_DOMAINS,
    FREE_DOMAINS,
    IP_FIRST,
    MONTH_DAYS,
    MONTHS,
    OTHER_DOMAINS,
    STATE_NAMES,
    TOLLFREE,
)

FREE_SET = frozenset(FREE_DOMAINS + ("me.com",))
DISPOSABLE_SET = frozenset(DISPOSABLE_DOMAINS)

# Templates are filled with str.format: named fields from the caller, then one positional field
# per (low, high) range, drawn with randint in order.
Template = tuple[str, tuple[tuple[int, int], ...]]

_INVALID_PHONES: tuple[Template, ...] = (
    ("123-456-7890", ()),
    ("555", ()),
    ("000-000-0000", ()),
    ("(111) 111-1111", ()),
    ("555{}", ((1000, 9999),)),
    ("{area}{}{:03d}", ((200, 999), (0, 999))),  # 9 digits
    ("n/a", ()),
    ("999-999-{}", ((1000, 9999),)),
)
# (upper bound of the roll, format)
_PHONE_FORMATS = (
    (0.26, "({area}) {exchange}-{line}"),
    (0.46, "{area}-{exchange}-{line}"),
    (0.66, "{area}{exchange}{line}"),
    (0.74, "{area}.{exchange}.{line}"),
    (0.80, "+1 {area} {exchange} {line}"),
    (0.85, "1-{area}-{exchange}-{line}"),
    (0.89, "+1{area}{exchange}{line}"),
    (0.94, "{area} {exchange} {line}"),
    (1.0, "({area}){exchange}-{line}"),
)
_EXTENSION_FORMATS = (" x{}", " ext {}", " ext. {}")
_PHONE_TYPE_SUFFIXES = (("h", "home"), ("w", "work"), ("m", "mobile"), (" (c)", "mobile"))

_EMAIL_USERS: tuple[Template, ...] = (
    ("{first}.{last}", ()),
    ("{first}{last}{}", ((1, 99),)),
    ("{initial}{last}", ()),
    ("{first}_{last}{}", ((60, 2005),)),
    ("{last}.{first}", ()),
    ("{first}{}", ((100, 9999),)),
)
_INVALID_EMAILS: tuple[Template, ...] = (
    ("{user}{domain}", ()),  # no at sign
    ("{first} {last}@{domain}", ()),  # spaces
    ("none", ()),
    ("{user}@ {domain}", ()),
)
_INVALID_ZIPS: tuple[Template, ...] = (
    ("{prefix}{}", ((0, 9),)),  # 4 digits
    ("ABCDE", ()),
    ("{prefix}{:02d}-{:02d}", ((0, 99), (0, 99))),
    ("000", ()),
)
_DOB_FORMATS = (
    (0.45, "{month:02d}/{day:02d}/{year}"),
    (0.70, "{year}-{month:02d}-{day:02d}"),
    (0.85, "{month}/{day}/{short_year:02d}"),
    (0.95, "{month_name} {day}, {year}"),
    (1.0, "{month}-{day}-{year}"),
)
_INVALID_CERT_URLS: tuple[Template, ...] = (
    ("http://cert.trustedform.com/{token}", ()),
    ("https://cert.trustedform.net/{token}", ()),
    ("https://trustedform.example.com/certs/{token}", ()),
    ("N/A", ()),
)


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def pick(rng: random.Random, values: Sequence, cumulative_weights: Sequence[float]):
    """One of ``values``, drawn by weight (``cumulative_weights`` from :func:`cumulative`)."""
    roll = rng.random() * cumulative_weights[-1]
    return values[min(bisect_left(cumulative_weights, roll), len(values) - 1)]


def first_below(roll: float, bounded: Sequence[tuple[float, object]]):
    """The value of the first (upper bound, value) pair whose bound exceeds ``roll``."""
    for bound, value in bounded:
        if roll < bound:
            return value
    return bounded[-1][1]


def one_of(rng: random.Random, values: Sequence):
    return values[rng.randrange(len(values))]


def fill(rng: random.Random, templates: Sequence[Template], **fields: object) -> str:
    """One of ``templates`` at random, filled with ``fields`` and its drawn numbers."""
    template, ranges = one_of(rng, templates)
    return template.format(*[rng.randint(low, high) for low, high in ranges], **fields)


# --------------------------------------------------------------------------- phones


def phone_value(rng: random.Random, area: str, bad: float) -> tuple[str, tuple | None]:
    """A raw phone string and its components (cc, region, national, area, exch, line, ext, type)."""
    if rng.random() < bad:
        return fill(rng, _INVALID_PHONES, area=area), None
    if rng.random() < 0.02:
        area = one_of(rng, TOLLFREE)
    exchange_number = rng.randint(200, 999)
    if exchange_number == 555:
        exchange_number = 556
    exchange = str(exchange_number)
    line = f"{rng.randint(0, 9999):04d}"
    raw = first_below(rng.random(), _PHONE_FORMATS).format(area=area, exchange=exchange, line=line)
    extension = None
    phone_type = None
    roll = rng.random()
    if roll < 0.02:
        extension = str(rng.randint(1, 9999))
        raw += one_of(rng, _EXTENSION_FORMATS).format(extension)
    elif roll < 0.07:
        suffix, phone_type = one_of(rng, _PHONE_TYPE_SUFFIXES)
        raw += suffix
    return raw, (1, "US", area + exchange + line, area, exchange, line, extension, phone_type)


def phone_parsed(raw: str, components: tuple | None) -> dict:
    if components is None:
        return {"normal": raw, "raw": raw, "valid": False}
    calling_code, region, national, area, exchange, line, extension, phone_type = components
    return {
        "normal": national + ("x" + extension if extension else ""),
        "raw": raw,
        "valid": True,
        "area": area,
        "exchange": exchange,
        "line": line,
        "number": exchange + line if area else national,
        "extension": extension,
        "country_code": region,
        "country_calling_code": calling_code,
        "is_tollfree": area in TOLLFREE if area else False,
        "type": phone_type,
        "masked": False,
    }


# --------------------------------------------------------------------------- emails


def email_value(rng: random.Random, first: str, last: str, bad: float) -> tuple[str, bool]:
    first_part = first.lower().replace("'", "").replace(" ", "")
    last_part = last.lower().replace("'", "").replace(" ", "")
    user = fill(rng, _EMAIL_USERS, first=first_part, last=last_part, initial=first_part[0])
    roll = rng.random()
    if roll < 0.80:
        domain = one_of(rng, FREE_DOMAINS)
    elif roll < 0.97:
        domain = one_of(rng, OTHER_DOMAINS)
    else:
        domain = one_of(rng, DISPOSABLE_DOMAINS)
    if rng.random() < bad:
        return fill(rng, _INVALID_EMAILS, user=user, domain=domain, first=first, last=last), False
    roll = rng.random()
    if roll < 0.12:
        user = first + "." + last.replace(" ", "")
        domain = domain.capitalize()
    elif roll < 0.16:
        user = user.upper()
        domain = domain.upper()
    raw = f"{user}@{domain}"
    roll = rng.random()
    if roll < 0.04:
        raw = f"  {raw} "
    elif roll < 0.07:
        raw = f"{raw} "
    return raw, True


def email_parsed(raw: str, ok: bool) -> dict:
    if not ok:
        return {"normal": raw, "raw": raw, "valid": False}
    address = raw.strip()
    user, _, domain = address.rpartition("@")
    host, _, tld = domain.rpartition(".")
    domain_lower = domain.lower()
    return {
        "normal": address.lower(),
        "raw": raw,
        "valid": True,
        "user": user,
        "domain": domain,
        "host": host,
        "tld": tld,
        "is_free": domain_lower in FREE_SET,
        "is_disposable": domain_lower in DISPOSABLE_SET,
    }


# --------------------------------------------------------------------------- other fields


def state_value(rng: random.Random, code: str, bad: float) -> tuple[str, str | None]:
    if rng.random() < bad * 0.3:
        return rng.choice(("Tex.", "Calif", "--", "XX", "n/a", "Cali")), None
    roll = rng.random()
    if roll < 0.62:
        return code, code
    if roll < 0.72:
        return code.lower(), code
    name = STATE_NAMES.get(code, code)
    if roll < 0.88:
        return name, code
    if roll < 0.94:
        return name.lower(), code
    if roll < 0.97:
        return name.upper(), code
    return code.capitalize(), code


def zip_value(rng: random.Random, prefix: str, bad: float) -> tuple[str, bool]:
    if rng.random() < bad * 0.5:
        return fill(rng, _INVALID_ZIPS, prefix=prefix), False
    zip5 = f"{prefix}{rng.randint(0, 99):02d}"
    roll = rng.random()
    if roll < 0.78:
        return zip5, True
    plus_four = f"{rng.randint(1, 9999):04d}"
    if roll < 0.87:
        return zip5 + plus_four, True
    if roll < 0.97:
        return f"{zip5}-{plus_four}", True
    return f" {zip5} ", True


def dob_value(
    rng: random.Random, year_now: int, bad: float, young: float
) -> tuple[str, int | None]:
    if rng.random() < bad * 0.3:
        return rng.choice(("02/30/1988", "13/45/1990", "00/00/0000", "N/A", "1990-02-31")), None
    if rng.random() < young:
        age = rng.randint(15, 17)
    else:
        age = min(int(rng.triangular(18, 82, 38)), 81)
    year = year_now - age - (1 if rng.random() < 0.5 else 0)
    month = rng.randint(1, 12)
    day = rng.randint(1, MONTH_DAYS[month - 1])
    raw = first_below(rng.random(), _DOB_FORMATS).format(
        month=month,
        day=day,
        year=year,
        short_year=year % 100,
        month_name=MONTHS[month - 1],
    )
    return raw, year_now - year


def ip_value(rng: random.Random, bad: float) -> str:
    roll = rng.random()
    if roll < bad * 0.2:
        return rng.choice(("256.12.4.1", "unknown", "192.168.1", "::zz"))
    if roll < 0.12:
        return (
            f"2600:{rng.randint(0x1700, 0x8FFF):x}:{rng.randint(0, 0xFFFF):x}:"
            f"{rng.randint(0, 0xFFFF):x}::{rng.randint(1, 0xFFFF):x}"
        )
    return (
        f"{one_of(rng, IP_FIRST)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    )


def tf_value(rng: random.Random, bad: float, missing: float) -> tuple[str | None, str]:
    """A TrustedForm certificate URL (None: not posted) and ok | bad | missing."""
    roll = rng.random()
    if roll < missing:
        return None, "missing"
    token = f"{rng.getrandbits(160):040x}"
    if roll < missing + bad * 0.5:
        return fill(rng, _INVALID_CERT_URLS, token=token), "bad"
    return f"https://cert.trustedform.com/{token}", "ok"


def boolean_value(rng: random.Random, value: bool, bad: float) -> str:
    if rng.random() < bad * 0.3:
        return rng.choice(("maybe", "unsure", "?"))
    if value:
        return rng.choice(("yes", "Yes", "Y", "true", "1", "YES", "y"))
    return rng.choice(("no", "No", "N", "false", "0", "NO", "n"))
