"""Raw lead field values with realistic mess, plus the parsed objects LeadConduit shows in events.

``make_person`` draws one consumer; every value is a raw string as a source would post it. The
returned ``Facts`` say what the platform would conclude about it (valid phone, valid email, ...),
so the event logic stays consistent with the data. Parsed objects follow section 3 of
``shared/domain/leadconduit.md``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# fmt: off
FIRST_NAMES = (
    "Maria", "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph",
    "Thomas", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Steven", "Paul", "Andrew",
    "Joshua", "Kevin", "Brian", "Jose", "Luis", "Carlos", "Juan", "Mary", "Patricia", "Jennifer",
    "Linda", "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Lisa", "Nancy",
    "Betty", "Sandra", "Ashley", "Emily", "Donna", "Michelle", "Carol", "Amanda", "Melissa",
    "Deborah", "Stephanie", "Rebecca", "Laura", "Ana", "Sofia", "Camila", "Valeria", "Aaliyah",
    "Jamal", "DeShawn", "Wei", "Priya", "Nguyen", "Kenji", "Olivia", "Liam", "Noah", "Emma",
)
# fmt: on
# fmt: off
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "McDonald", "De La Cruz", "Patel",
    "Kim", "Chen", "Washington", "Okafor", "Schmidt", "Kowalski",
)
# fmt: on
# fmt: off
STREETS = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset",
    "Lamar", "Guadalupe", "Congress", "Riverside", "Highland", "Meadow", "Forest", "Willow",
    "Church", "Mill", "Spring", "Ridge", "Valley", "Jefferson", "Lincoln", "Madison",
)
# fmt: on
STREET_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Street", "Avenue", "Pkwy")

# (city, state, zip prefix, area codes, weight)
# fmt: off
CITIES = (
    ("Austin", "TX", "787", ("512", "737"), 3.0),
    ("Dallas", "TX", "752", ("214", "469", "972"), 4.0),
    ("Houston", "TX", "770", ("713", "281", "832"), 5.0),
    ("San Antonio", "TX", "782", ("210", "726"), 3.0),
    ("Fort Worth", "TX", "761", ("817", "682"), 2.0), ("El Paso", "TX", "799", ("915",), 1.0),
    ("Los Angeles", "CA", "900", ("213", "323", "310"), 6.0),
    ("San Diego", "CA", "921", ("619", "858"), 2.5), ("Sacramento", "CA", "958", ("916",), 1.5),
    ("San Jose", "CA", "951", ("408", "669"), 1.5),
    ("Phoenix", "AZ", "850", ("602", "480", "623"), 3.0), ("Tucson", "AZ", "857", ("520",), 1.0),
    ("Las Vegas", "NV", "891", ("702", "725"), 2.0), ("Denver", "CO", "802", ("303", "720"), 2.0),
    ("Miami", "FL", "331", ("305", "786"), 3.0), ("Orlando", "FL", "328", ("407", "321"), 2.0),
    ("Tampa", "FL", "336", ("813",), 2.0), ("Jacksonville", "FL", "322", ("904",), 1.5),
    ("Newark", "NJ", "071", ("973", "862"), 1.5), ("Trenton", "NJ", "086", ("609",), 1.0),
    ("New York", "NY", "100", ("212", "646", "917"), 5.0), ("Buffalo", "NY", "142", ("716",), 1.0),
    ("Boston", "MA", "021", ("617", "857"), 2.0),
    ("Chicago", "IL", "606", ("312", "773", "872"), 4.0),
    ("Atlanta", "GA", "303", ("404", "470", "678"), 3.0),
    ("Charlotte", "NC", "282", ("704", "980"), 2.0), ("Raleigh", "NC", "276", ("919", "984"), 1.5),
    ("Columbus", "OH", "432", ("614",), 1.5), ("Cleveland", "OH", "441", ("216",), 1.0),
    ("Detroit", "MI", "482", ("313",), 1.5), ("Philadelphia", "PA", "191", ("215", "267"), 2.5),
    ("Pittsburgh", "PA", "152", ("412",), 1.0), ("Nashville", "TN", "372", ("615",), 1.5),
    ("Memphis", "TN", "381", ("901",), 1.0), ("Seattle", "WA", "981", ("206",), 2.0),
    ("Portland", "OR", "972", ("503", "971"), 1.5), ("Minneapolis", "MN", "554", ("612",), 1.5),
    ("St. Louis", "MO", "631", ("314",), 1.0), ("Kansas City", "MO", "641", ("816",), 1.0),
    ("Indianapolis", "IN", "462", ("317",), 1.5), ("Baltimore", "MD", "212", ("410", "443"), 1.5),
    ("Washington", "DC", "200", ("202",), 1.0), ("Richmond", "VA", "232", ("804",), 1.0),
    ("New Orleans", "LA", "701", ("504",), 1.0), ("Oklahoma City", "OK", "731", ("405",), 1.0),
    ("Salt Lake City", "UT", "841", ("801", "385"), 1.0),
    ("Albuquerque", "NM", "871", ("505",), 0.8), ("Birmingham", "AL", "352", ("205",), 0.8),
    ("Louisville", "KY", "402", ("502",), 0.8), ("Milwaukee", "WI", "532", ("414",), 0.8),
)
# fmt: on
# fmt: off
STATE_NAMES = {
    "TX": "Texas", "CA": "California", "AZ": "Arizona", "NV": "Nevada", "CO": "Colorado",
    "FL": "Florida", "NJ": "New Jersey", "NY": "New York", "MA": "Massachusetts", "IL": "Illinois",
    "GA": "Georgia", "NC": "North Carolina", "OH": "Ohio", "MI": "Michigan", "PA": "Pennsylvania",
    "TN": "Tennessee", "WA": "Washington", "OR": "Oregon", "MN": "Minnesota", "MO": "Missouri",
    "IN": "Indiana", "MD": "Maryland", "DC": "District of Columbia", "VA": "Virginia",
    "LA": "Louisiana", "OK": "Oklahoma", "UT": "Utah", "NM": "New Mexico", "AL": "Alabama",
    "KY": "Kentucky", "WI": "Wisconsin", "ON": "Ontario", "BC": "British Columbia",
}
# fmt: on
CITIES_BY_STATE: dict[str, list[tuple]] = {}
for _c in CITIES:
    CITIES_BY_STATE.setdefault(_c[1], []).append(_c)
_CITY_WEIGHTS = [c[4] for c in CITIES]
_CITY_CUM = []
_acc = 0.0
for _w in _CITY_WEIGHTS:
    _acc += _w
    _CITY_CUM.append(_acc)

# International: (city, state as posted, postal codes, phone formats)
# fmt: off
CANADA = (
    ("Toronto", "ON", ("M5V 2T6", "M4C 1B5", "m6g3a9", "M5H2N2"), "416"),
    ("Vancouver", "BC", ("V6B 4Y8", "v5k 0a1", "V6E1M7"), "604"),
    ("Ottawa", "Ontario", ("K1A 0B1", "K2P 1L4"), "613"),
)
# fmt: on
# fmt: off
BRITAIN = (
    ("London", "London", ("SW1A 1AA", "EC1A 1BB", "W1A 0AX", "sw1a 2aa"), "+44 20 7946 0{:03d}"),
    ("Manchester", "Greater Manchester", ("M1 1AE", "M60 2LA"), "+44 161 496 0{:03d}"),
    ("London", "England", ("CR2 6XH", "E14 5AB"), "011 44 20 7946 0{:03d}"),
)
# fmt: on

# fmt: off
FREE_DOMAINS = (
    "gmail.com", "yahoo.com", "hotmail.com", "aol.com", "outlook.com", "icloud.com", "live.com",
    "msn.com",
)
# fmt: on
OTHER_DOMAINS = ("comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "me.com")
DISPOSABLE_DOMAINS = ("mailinator.com", "guerrillamail.com", "10minutemail.com")
FREE_SET = frozenset(FREE_DOMAINS + ("me.com",))
DISPOSABLE_SET = frozenset(DISPOSABLE_DOMAINS)

TOLLFREE = ("800", "844", "855", "866", "877", "888")
# fmt: off
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# fmt: on
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# fmt: off
GENDERS = (
    ("M", 20), ("F", 20), ("male", 8), ("female", 8), ("Male", 6), ("Female", 6), ("m", 5),
    ("f", 5), ("FEMALE", 2), ("MALE", 2), ("O", 0.5), ("other", 0.5),
)
# fmt: on
GENDER_JUNK = ("x", "unknown", "N/A", "prefer not to say", "-", "U")
# fmt: off
IP_FIRST = (
    24, 47, 50, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108,
    173, 174, 184, 198, 206, 208, 209,
)
# fmt: on
HEX = "0123456789abcdef"


def _weighted(pairs):
    values = [p[0] for p in pairs]
    cum = []
    acc = 0.0
    for p in pairs:
        acc += p[1]
        cum.append(acc)
    return values, cum


_GENDER_V, _GENDER_C = _weighted(GENDERS)


def pick(r: random.Random, values, cum):
    x = r.random() * cum[-1]
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return values[lo]


@dataclass(slots=True)
class Facts:
    """What the platform concludes about a person's values (drives the event logic)."""

    state: str | None  # 2-letter code, None when unrecognisable
    phone_present: bool
    phone_ok: bool  # a valid US/NANP number (what verification services accept)
    phone_comp: tuple | None  # components for the parsed object; None = invalid
    phone_raw: str | None
    email_raw: str | None
    email_ok: bool
    zip_ok: bool
    tf: str  # ok | bad | missing
    age: int | None
    renter: bool
    international: bool
    loan_low: bool = False


# --------------------------------------------------------------------------- phones


def phone_value(r: random.Random, area: str, bad: float) -> tuple[str, tuple | None]:
    """A raw phone string and its components (cc, region, national, area, exch, line, ext, type)."""
    if r.random() < bad:
        k = r.randrange(8)
        if k == 0:
            raw = "123-456-7890"
        elif k == 1:
            raw = "555"
        elif k == 2:
            raw = "000-000-0000"
        elif k == 3:
            raw = "(111) 111-1111"
        elif k == 4:
            raw = f"555{r.randint(1000, 9999)}"
        elif k == 5:
            raw = f"{area}{r.randint(200, 999)}{r.randint(0, 999):03d}"  # 9 digits
        elif k == 6:
            raw = "n/a"
        else:
            raw = f"999-999-{r.randint(1000, 9999)}"
        return raw, None
    if r.random() < 0.02:
        area = TOLLFREE[r.randrange(len(TOLLFREE))]
    exch = r.randint(200, 999)
    if exch == 555:
        exch = 556
    exch_s = str(exch)
    line = f"{r.randint(0, 9999):04d}"
    x = r.random()
    if x < 0.26:
        raw = f"({area}) {exch_s}-{line}"
    elif x < 0.46:
        raw = f"{area}-{exch_s}-{line}"
    elif x < 0.66:
        raw = f"{area}{exch_s}{line}"
    elif x < 0.74:
        raw = f"{area}.{exch_s}.{line}"
    elif x < 0.80:
        raw = f"+1 {area} {exch_s} {line}"
    elif x < 0.85:
        raw = f"1-{area}-{exch_s}-{line}"
    elif x < 0.89:
        raw = f"+1{area}{exch_s}{line}"
    elif x < 0.94:
        raw = f"{area} {exch_s} {line}"
    else:
        raw = f"({area}){exch_s}-{line}"
    ext = None
    ptype = None
    y = r.random()
    if y < 0.02:
        ext = str(r.randint(1, 9999))
        z = r.randrange(3)
        raw += f" x{ext}" if z == 0 else (f" ext {ext}" if z == 1 else f" ext. {ext}")
    elif y < 0.07:
        z = r.randrange(4)
        if z == 0:
            raw += "h"
            ptype = "home"
        elif z == 1:
            raw += "w"
            ptype = "work"
        elif z == 2:
            raw += "m"
            ptype = "mobile"
        else:
            raw += " (c)"
            ptype = "mobile"
    return raw, (1, "US", area + exch_s + line, area, exch_s, line, ext, ptype)


def phone_parsed(raw: str, comp: tuple | None) -> dict:
    if comp is None:
        return {"normal": raw, "raw": raw, "valid": False}
    cc, region, national, area, exch, line, ext, ptype = comp
    return {
        "normal": national + ("x" + ext if ext else ""),
        "raw": raw,
        "valid": True,
        "area": area,
        "exchange": exch,
        "line": line,
        "number": exch + line if area else national,
        "extension": ext,
        "country_code": region,
        "country_calling_code": cc,
        "is_tollfree": area in TOLLFREE if area else False,
        "type": ptype,
        "masked": False,
    }


# --------------------------------------------------------------------------- emails


def email_value(r: random.Random, first: str, last: str, bad: float) -> tuple[str, bool]:
    f = first.lower().replace("'", "").replace(" ", "")
    la = last.lower().replace("'", "").replace(" ", "")
    k = r.randrange(6)
    if k == 0:
        user = f"{f}.{la}"
    elif k == 1:
        user = f"{f}{la}{r.randint(1, 99)}"
    elif k == 2:
        user = f"{f[0]}{la}"
    elif k == 3:
        user = f"{f}_{la}{r.randint(60, 2005)}"
    elif k == 4:
        user = f"{la}.{f}"
    else:
        user = f"{f}{r.randint(100, 9999)}"
    x = r.random()
    if x < 0.80:
        domain = FREE_DOMAINS[r.randrange(len(FREE_DOMAINS))]
    elif x < 0.97:
        domain = OTHER_DOMAINS[r.randrange(len(OTHER_DOMAINS))]
    else:
        domain = DISPOSABLE_DOMAINS[r.randrange(len(DISPOSABLE_DOMAINS))]
    if r.random() < bad:
        k = r.randrange(4)
        if k == 0:
            return f"{user}{domain}", False  # no at sign
        if k == 1:
            return f"{first} {last}@{domain}", False  # spaces
        if k == 2:
            return "none", False
        return f"{user}@ {domain}", False
    y = r.random()
    if y < 0.12:
        user = first + "." + last.replace(" ", "")
        domain = domain.capitalize()
    elif y < 0.16:
        user = user.upper()
        domain = domain.upper()
    raw = f"{user}@{domain}"
    z = r.random()
    if z < 0.04:
        raw = f"  {raw} "
    elif z < 0.07:
        raw = f"{raw} "
    return raw, True


def email_parsed(raw: str, ok: bool) -> dict:
    if not ok:
        return {"normal": raw, "raw": raw, "valid": False}
    s = raw.strip()
    user, _, domain = s.rpartition("@")
    host, _, tld = domain.rpartition(".")
    d = domain.lower()
    return {
        "normal": s.lower(),
        "raw": raw,
        "valid": True,
        "user": user,
        "domain": domain,
        "host": host,
        "tld": tld,
        "is_free": d in FREE_SET,
        "is_disposable": d in DISPOSABLE_SET,
    }


# --------------------------------------------------------------------------- other fields


def state_value(r: random.Random, code: str, bad: float) -> tuple[str, str | None]:
    if r.random() < bad * 0.3:
        return r.choice(("Tex.", "Calif", "--", "XX", "n/a", "Cali")), None
    x = r.random()
    if x < 0.62:
        return code, code
    if x < 0.72:
        return code.lower(), code
    name = STATE_NAMES.get(code, code)
    if x < 0.88:
        return name, code
    if x < 0.94:
        return name.lower(), code
    if x < 0.97:
        return name.upper(), code
    return code.capitalize(), code


def zip_value(r: random.Random, prefix: str, bad: float) -> tuple[str, bool]:
    if r.random() < bad * 0.5:
        k = r.randrange(4)
        if k == 0:
            return prefix + str(r.randint(0, 9)), False  # 4 digits
        if k == 1:
            return "ABCDE", False
        if k == 2:
            return f"{prefix}{r.randint(0, 99):02d}-{r.randint(0, 99):02d}", False
        return "000", False
    z5 = f"{prefix}{r.randint(0, 99):02d}"
    x = r.random()
    if x < 0.78:
        return z5, True
    four = f"{r.randint(1, 9999):04d}"
    if x < 0.87:
        return z5 + four, True
    if x < 0.97:
        return f"{z5}-{four}", True
    return f" {z5} ", True


def dob_value(r: random.Random, year_now: int, bad: float, young: float) -> tuple[str, int | None]:
    if r.random() < bad * 0.3:
        return r.choice(("02/30/1988", "13/45/1990", "00/00/0000", "N/A", "1990-02-31")), None
    if r.random() < young:
        age = r.randint(15, 17)
    else:
        age = min(int(r.triangular(18, 82, 38)), 81)
    year = year_now - age - (1 if r.random() < 0.5 else 0)
    month = r.randint(1, 12)
    day = r.randint(1, MONTH_DAYS[month - 1])
    x = r.random()
    if x < 0.45:
        raw = f"{month:02d}/{day:02d}/{year}"
    elif x < 0.70:
        raw = f"{year}-{month:02d}-{day:02d}"
    elif x < 0.85:
        raw = f"{month}/{day}/{year % 100:02d}"
    elif x < 0.95:
        raw = f"{MONTHS[month - 1]} {day}, {year}"
    else:
        raw = f"{month}-{day}-{year}"
    return raw, year_now - year


def ip_value(r: random.Random, bad: float) -> str:
    x = r.random()
    if x < bad * 0.2:
        return r.choice(("256.12.4.1", "unknown", "192.168.1", "::zz"))
    if x < 0.12:
        return (
            f"2600:{r.randint(0x1700, 0x8FFF):x}:{r.randint(0, 0xFFFF):x}:"
            f"{r.randint(0, 0xFFFF):x}::{r.randint(1, 0xFFFF):x}"
        )
    return (
        f"{IP_FIRST[r.randrange(len(IP_FIRST))]}.{r.randint(0, 255)}."
        f"{r.randint(0, 255)}.{r.randint(1, 254)}"
    )


def tf_value(r: random.Random, bad: float, missing: float) -> tuple[str | None, str]:
    x = r.random()
    if x < missing:
        return None, "missing"
    token = f"{r.getrandbits(160):040x}"
    if x < missing + bad * 0.5:
        k = r.randrange(4)
        if k == 0:
            return f"http://cert.trustedform.com/{token}", "bad"
        if k == 1:
            return f"https://cert.trustedform.net/{token}", "bad"
        if k == 2:
            return f"https://trustedform.example.com/certs/{token}", "bad"
        return "N/A", "bad"
    return f"https://cert.trustedform.com/{token}", "ok"


def person(r: random.Random, source, flow, year_now: int, bad_phone: float) -> tuple[dict, Facts]:
    """One consumer's raw fields (standard + vertical + custom, in ALL_FIELDS order)."""
    bad = source.bad
    first = FIRST_NAMES[r.randrange(len(FIRST_NAMES))]
    last = LAST_NAMES[r.randrange(len(LAST_NAMES))]
    fields: dict[str, str] = {}
    international = r.random() < source.intl
    x = r.random()
    if x < 0.06:
        fields["first_name"] = first.upper()
        fields["last_name"] = last.upper()
    elif x < 0.10:
        fields["first_name"] = first.lower()
        fields["last_name"] = last.lower()
    elif x < 0.12:
        fields["first_name"] = f" {first}"
        fields["last_name"] = last
    else:
        fields["first_name"] = first
        fields["last_name"] = last
    email, email_ok = email_value(r, first, last, bad * 0.7)
    if r.random() < 0.015:
        email_raw = None
        email_ok = False
    else:
        email_raw = email
        fields["email"] = email

    zip_ok = True
    if international:
        if r.random() < 0.6:
            city, st, codes, area = CANADA[r.randrange(len(CANADA))]
            state_raw, state = st, ("ON" if st == "Ontario" else st)
            postal = codes[r.randrange(len(codes))]
            phone_raw, comp = phone_value(r, area, bad_phone)
        else:
            city, st, codes, fmt = BRITAIN[r.randrange(len(BRITAIN))]
            state_raw, state = st, None
            postal = codes[r.randrange(len(codes))]
            phone_raw = fmt.format(r.randint(0, 999))
            national = phone_raw.replace("+44", "").replace("011 44", "").replace(" ", "")
            comp = (44, "GB", national, None, None, None, None, None)
    else:
        mix = flow.state_mix
        code = None
        if mix:
            y = r.random()
            for c, share in mix:
                if y < share:
                    code = c
                    break
                y -= share
        if code is not None:
            options = CITIES_BY_STATE[code]
            cityrow = options[r.randrange(len(options))]
        else:
            cityrow = CITIES[_pick_index(r)]
        city, code, prefix, areas, _ = cityrow
        state_raw, state = state_value(r, code, bad)
        postal, zip_ok = zip_value(r, prefix, bad)
        area = areas[r.randrange(len(areas))]
        phone_raw, comp = phone_value(r, area, bad_phone)
    phone_present = True
    if r.random() < 0.02:
        phone_present = False
        comp = None
    else:
        fields["phone_1"] = phone_raw
    if r.random() < 0.22 and not international:
        fields["phone_2"] = phone_value(r, area, bad)[0]
    if r.random() < 0.9:
        street = STREETS[r.randrange(len(STREETS))]
        suffix = STREET_SUFFIXES[r.randrange(len(STREET_SUFFIXES))]
        addr = f"{r.randint(1, 19999)} {street} {suffix}"
        if r.random() < 0.08:
            addr += f" Apt {r.randint(1, 450)}"
        fields["address_1"] = addr
    fields["city"] = city if r.random() < 0.9 else city.upper()
    fields["state"] = state_raw
    fields["postal_code"] = postal
    age = None
    if r.random() < 0.86:
        young = 0.03 if flow.vertical == "education" else 0.002
        dob, age = dob_value(r, year_now, bad, young)
        fields["dob"] = dob
    if r.random() < 0.7:
        fields["gender"] = (
            GENDER_JUNK[r.randrange(len(GENDER_JUNK))]
            if r.random() < bad
            else pick(r, _GENDER_V, _GENDER_C)
        )
    if r.random() < 0.95:
        fields["ip_address"] = ip_value(r, bad)
    tf_raw, tf = tf_value(r, bad, source.tf_missing)
    if tf_raw is not None:
        fields["trustedform_cert_url"] = tf_raw
    renter = False
    loan_low = False
    vertical = flow.vertical
    if vertical == "auto_insurance":
        if r.random() < 0.93:
            fields["vehicle.year"] = (
                r.choice(("n/a", "unknown", "20O9"))
                if r.random() < bad * 0.3
                else str(r.randint(2003, year_now + 1))
            )
        if r.random() < 0.9:
            fields["currently_insured_acme"] = _boolean(r, r.random() < 0.72, bad)
    elif vertical == "mortgage":
        if r.random() < 0.96:
            fields["mortgage.loan_amount"] = _loan_amount(r, bad)
            amount = fields["mortgage.loan_amount"]
            loan_low = amount.startswith(("50000-", "25000-")) or (
                amount.isdigit() and int(amount) < 75000
            )
        if r.random() < 0.8:
            fields["mortgage.loan.purpose"] = r.choice(
                (
                    "Refinance",
                    "Cash-Out Refinance",
                    "refinance",
                    "Rate/Term Refinance",
                    "Home Equity",
                )
            )
        if r.random() < 0.9:
            fields["credit_rating_acme"] = _credit(r, bad)
    elif vertical == "solar":
        renter = r.random() < 0.14
        if r.random() < 0.97:
            if renter:
                fields["residence_type"] = r.choice(("Rent", "rent", "Renter", "RENT"))
            else:
                fields["residence_type"] = r.choice(("Own", "own", "Owner", "Homeowner", "OWN"))
        if r.random() < 0.8:
            fields["credit_rating_acme"] = _credit(r, bad)
    elif vertical == "education":
        if r.random() < 0.92:
            fields["education_level"] = r.choice(
                (
                    "High School Diploma",
                    "GED",
                    "Some College",
                    "Associate's Degree",
                    "Bachelor's Degree",
                    "Master's Degree",
                    "high school",
                )
            )
    facts = Facts(
        state=state,
        phone_present=phone_present,
        phone_ok=comp is not None and comp[0] == 1,
        phone_comp=comp,
        phone_raw=phone_raw if phone_present else None,
        email_raw=email_raw,
        email_ok=email_ok,
        zip_ok=zip_ok,
        tf=tf,
        age=age,
        renter=renter,
        international=international,
        loan_low=loan_low,
    )
    return fields, facts


def _pick_index(r: random.Random) -> int:
    x = r.random() * _CITY_CUM[-1]
    lo, hi = 0, len(_CITY_CUM) - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if _CITY_CUM[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _boolean(r: random.Random, value: bool, bad: float) -> str:
    if r.random() < bad * 0.3:
        return r.choice(("maybe", "unsure", "?"))
    if value:
        return r.choice(("yes", "Yes", "Y", "true", "1", "YES", "y"))
    return r.choice(("no", "No", "N", "false", "0", "NO", "n"))


# fmt: off
_LOAN_BINS = (
    "75000-99999", "100000-149999", "150000-199999", "200000-249999", "250000-299999",
    "300000-349999", "350000-399999", "400000-499999", "500000+",
)
# fmt: on


def _loan_amount(r: random.Random, bad: float) -> str:
    if r.random() < bad * 0.3:
        return r.choice(("a lot", "not sure", "TBD"))
    x = r.random()
    if x < 0.85:
        return _LOAN_BINS[min(int(r.triangular(0, 9, 3)), 8)]
    if x < 0.95:
        return str(r.randint(60, 900) * 1000)
    return r.choice(("50000-74999", "25000-49999"))


_CREDIT = ("750-850", "700-749", "650-699", "600-649", "300-599", "720+", "680")


def _credit(r: random.Random, bad: float) -> str:
    if r.random() < bad * 0.4:
        return r.choice(("Excellent", "good", "Fair", "poor"))
    return _CREDIT[min(int(r.triangular(0, 7, 1)), 6)]
