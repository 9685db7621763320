"""Fixed tables and the textual shapes the types accept, shared by the vectorized parsers and the
scalar reference (they decide what a value *looks like*; each side then computes validity and
components on its own: the reference with the Python libraries, the vectorized side with Polars).

Every regex here is written to mean the same thing in Python's ``re`` and in Rust's ``regex``
(Polars): ASCII digit classes (``[0-9]``, never ``\\d``), an explicit whitespace class, no
backreferences and no look-around.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ._common import JS_DOT, JS_NON_WS_CLASS, JS_WS_CLASS, WS_CLASS

W = WS_CLASS

# ---------------------------------------------------------------------------------------------
# phone
#: A type hint: h, w, m or c in lower case, optionally in parentheses, at the very end of the value
#: (phone.js's hintRegex).
PHONE_HINT = r"\(?([hwcm])\)?$"
PHONE_HINTS = {"h": "home", "w": "work", "c": "mobile", "m": "mobile"}
TOLLFREE_AREAS = ("800", "844", "855", "866", "877", "888")

# ---------------------------------------------------------------------------------------------
# email
#: RFC 5322's atext (email-addresses' atext)
_ATEXT = r"[-A-Za-z0-9!#$%&'*+/=?^_`{|}~]"
_EMAIL_DOMAIN = rf"((?:{_ATEXT}+\.)+([-A-Za-z0-9]+))"
#: The plain shape: dot-atoms around a single '@', with nothing but spaces beside the '@' (folding
#: white space, ``white.karen@ aol.com``), a domain of two labels or more whose last (the TLD)
#: is letters, digits and '-' (groups: user, domain, TLD).
EMAIL_PLAIN = rf"^({_ATEXT}+(?:\.{_ATEXT}+)*) *@ *{_EMAIL_DOMAIN}$"
#: Words apart before the '@' (a name typed as the address: ``Nancy Williams@hotmail.com``):
#: never an address (RFC 5322 joins the words of a local part with dots).
EMAIL_WORDS_BEFORE_AT = rf"^ *{_ATEXT}+(?: +{_ATEXT}+)+ *@ *{_EMAIL_DOMAIN} *$"

# ---------------------------------------------------------------------------------------------
# postal_code (tried in this order on the trimmed value)
# LeadConduit's (lib/types/postal_code.js), on the JavaScript-trimmed value: the US one matches
# an empty value (valid, normal ""), a dash without the four; a GB inward code may stand alone.
_JW = JS_WS_CLASS
POSTAL_US = rf"^(?:([0-9]{{5}}){_JW}*-?{_JW}*([0-9]{{4}})?)?$"
POSTAL_CA = rf"^(([A-Za-z])[0-9][A-Za-z]){_JW}*([0-9][A-Za-z][0-9])$"
POSTAL_GB = rf"^([A-Za-z]{{1,2}}[0-9]{{1,2}}[A-Za-z0-9]?)?{_JW}*([0-9][A-Za-z]{{2}})$"

# ---------------------------------------------------------------------------------------------
# state: LeadConduit's table (lib/types/state.js), as it is: US states, DC, territories, freely
# associated states and Canadian provinces and territories. Some names carry their code ("Yukon
# YT"); LeadConduit shows them so.
STATES: dict[str, str] = {
    "AB": "Alberta", "AK": "Alaska", "AL": "Alabama", "AR": "Arkansas", "AS": "American Samoa",
    "AZ": "Arizona", "BC": "British Columbia", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DC": "District of Columbia", "DE": "Delaware", "FL": "Florida",
    "FM": "Federated States of Micronesia FM", "GA": "Georgia", "GU": "Guam", "HI": "Hawaii",
    "IA": "Iowa", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "MA": "Massachusetts", "MB": "Manitoba",
    "MD": "Maryland", "ME": "Maine", "MH": "Marshall Islands", "MI": "Michigan",
    "MN": "Minnesota", "MO": "Missouri", "MP": "Northern Mariana Islands", "MS": "Mississippi",
    "MT": "Montana", "NB": "New Brunswick", "NC": "North Carolina", "ND": "North Dakota",
    "NE": "Nebraska", "NH": "New Hampshire", "NJ": "New Jersey",
    "NL": "Newfoundland and Labrador", "NM": "New Mexico", "NS": "Nova Scotia",
    "NT": "Northwest Territories NT", "NU": "Nunavut NU", "NV": "Nevada", "NY": "New York",
    "OH": "Ohio", "OK": "Oklahoma", "ON": "Ontario", "OR": "Oregon", "PA": "Pennsylvania",
    "PE": "Prince Edward Island", "PR": "Puerto Rico", "PW": "Palau", "QC": "Quebec",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "SK": "Saskatchewan",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VA": "Virginia",
    "VI": "U.S. Virgin Islands", "VT": "Vermont", "WA": "Washington", "WI": "Wisconsin",
    "WV": "West Virginia", "WY": "Wyoming", "YT": "Yukon YT",
}  # fmt: skip


def capitalize(word: str) -> str:
    """lodash's ``capitalize``: lower case, then the first character upper case."""
    lower = word.lower()
    return lower[:1].upper() + lower[1:]


def state_names() -> dict[str, str]:
    """Full name -> code, for the names LeadConduit can find: it capitalizes every word of the
    value (split on single spaces) and looks the result up, so a name with a word that is not
    capitalized ("District of Columbia", "Yukon YT") is never found from a full name."""
    return {
        name: code
        for code, name in STATES.items()
        if " ".join(capitalize(part) for part in name.split(" ")) == name
    }


# ---------------------------------------------------------------------------------------------
# dates and times
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
#: 0.0, 0.1, ..., 0.9 as JavaScript writes ``t / 10`` (ages add them to whole years).
TENTHS = tuple(t / 10 for t in range(10))


def leap(year: int) -> bool:
    return (year % 4 == 0 and year % 100 != 0) or year % 400 == 0


# time: the shapes read without the port of chrono-node (``chrono``), where its answer is the
# fields as written (see ``dates.parse_time``); every other value goes through the port.
#: ISO 8601 with a time: chrono's ISO parser takes the whole text (a fraction of 1-3 digits is
#: that many milliseconds: '.1' is 1 ms; an offset -00:mm is read east of UTC).
TIME_ISO = (
    r"^([1-9][0-9]{3})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})"
    r"(?:\.([0-9]{1,3}))?)?([Zz]|([+-])([0-9]{2}):?([0-9]{2}))?$"
)
#: year-month-day, then a clock time after one space (chrono merges the two; no zone: UTC;
#: no time: noon)
TIME_YMD = r"^([1-9][0-9]{3})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?$"
#: US month/day/year, then h:mm[:ss] and AM/PM after one space (no zone: UTC; no time: noon)
TIME_US = (
    r"^([0-9]{1,2})/([0-9]{1,2})/([1-9][0-9]{3})"
    r"(?: ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?(?: ?([AaPp][Mm]))?)?$"
)
#: JavaScript's Date.toString(): 'Sat Jun 14 2015 13:27:33 GMT-0500 (Central Daylight Time)'
#: (chrono merges weekday, date, time and the offset; the name in parentheses does not count
#: when the offset is read)
TIME_JS = (
    r"^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{2}) ([1-9][0-9]{3}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})"
    r"(?: \([A-Za-z ]*\))?$"
)
_ABBRS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTH_ABBRS = {m: i + 1 for i, m in enumerate(_ABBRS)}
#: digits alone: no time for chrono (no epoch numbers)
TIME_DIGITS = r"^[0-9]+$"

# ---------------------------------------------------------------------------------------------
# number and range
#: What remains after removing everything but digits, '.' and '-' must look like this.
NUMBER_SANITIZED = r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
# LeadConduit's range (lib/types/range.js), JavaScript's regexes spelled for Python
RANGE_ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,3}Z)?"
#: /(.+)-|(?:to)/, replaced once by '$1 ' (JavaScript's '.' stops at line terminators)
RANGE_SPLIT = rf"({JS_DOT}+)-|to"
RANGE_DROP = r"[^-0-9 .+]"
RANGE_MIN_PLUS = r"(-?[0-9]+(?:\.[0-9]+)?) *\+"
RANGE_MIN_MAX = r"(-?[0-9]+(?:\.[0-9]+)?) +([0-9]+(?:\.[0-9]+)?)"


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (year 0 and before included)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


# ---------------------------------------------------------------------------------------------
# boolean and gender
BOOLEAN_WORDS = {
    "y": True, "yes": True, "true": True, "t": True, "1": True,
    "n": False, "no": False, "false": False, "f": False, "0": False,
}  # fmt: skip
GENDERS = {"m": "male", "male": "male", "f": "female", "female": "female", "o": "other",
           "other": "other"}  # fmt: skip
GENDER_ABBR = {"male": "M", "female": "F", "other": "O"}

# ---------------------------------------------------------------------------------------------
# street
#: LeadConduit's /^(\S+)\s+(.+)$/ on the (JavaScript-)trimmed value: the name is on one line.
STREET = rf"^({JS_NON_WS_CLASS}+){JS_WS_CLASS}+({JS_DOT}+)$"

# ---------------------------------------------------------------------------------------------
# url, trustedform_url, ip
#: The plain shapes the vectorized url parser reads itself, where the WHATWG URL parser changes
#: nothing but the case of scheme and host and a default port: http(s) :// host [:port] [/path]
#: [?query] [#fragment]; host names of ASCII letters, digits and '-' whose last label starts with
#: a letter (no IPv4 reading); path, query and fragment of characters none of its percent-encode
#: sets touch (no '.' right after a '/': dot segments are resolved).
#: (A segment starting with '%' could be '%2e', a dot segment too.)
_U = r"-A-Za-z0-9_~!$&()*+,;=:@"
URL_PLAIN = (
    r"^([hH][tT][tT][pP][sS]?)://"
    r"((?:[A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*)(?::([0-9]{1,5}))?"
    rf"((?:/[{_U}'][{_U}'.%]*)*/?)(\?[{_U}%/?.]*)?(#[{_U}%'/?.#]*)?$"
)
URL_HAS_SCHEME = "://"
URL_DEFAULT_PORTS = {"http": "80", "https": "443"}
#: trustedform_url.js's production hosts, searched for anywhere in the URL's host.
TRUSTEDFORM_HOST = r"(cert|ping)\.trustedform\.com"
TRUSTEDFORM_WEB_ID_LENGTH = 40
TRUSTEDFORM_LEGACY_ID = r"^[0-9A-Fa-f]{40}$"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
#: A dotted-quad IPv4 address in its canonical form (no leading zeros).
IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"
#: ip.js's startsWithIpv4 (Python's ``re`` with ASCII word boundaries)
IP_STARTS_IPV4 = r"^([0-9]{1,3}\.){3}[0-9]{1,3}\b"


# ---------------------------------------------------------------------------------------------
# the maintained provider lists
@cache
def provider_list(name: str) -> frozenset[str]:
    """A list from ``data/<name>.txt`` here: one lower-case domain a line, "#" comments."""
    text = resources.files(__package__).joinpath("data", f"{name}.txt").read_text("utf-8")
    domains = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            domains.add(line)
    if not domains:
        raise RuntimeError(f"the provider list {name!r} is empty")
    return frozenset(domains)


def free_email_domains() -> frozenset[str]:
    return provider_list("free_email_providers")


def disposable_email_domains() -> frozenset[str]:
    return provider_list("disposable_email_providers")
