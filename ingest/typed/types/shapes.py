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

from ._common import NON_WS_CLASS, WS_CLASS

W = WS_CLASS

# ---------------------------------------------------------------------------------------------
# phone
#: A trailing type hint: h, w, m or c, optionally in parentheses (after trimming).
PHONE_HINT = r"\(?([hwcmHWCM])\)?$"
PHONE_HINTS = {"h": "home", "w": "work", "c": "mobile", "m": "mobile"}
TOLLFREE_AREAS = ("800", "844", "855", "866", "877", "888")

# ---------------------------------------------------------------------------------------------
# email
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})"
#: user @ domain; the domain has at least two labels and an alphabetic (or punycode) TLD.
EMAIL = rf"^({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+{_TLD})$"
EMAIL_MAX_USER = 64
EMAIL_MAX_DOMAIN = 253

# ---------------------------------------------------------------------------------------------
# postal_code (tried in this order on the trimmed value)
POSTAL_US = rf"^([0-9]{{5}})(?:{W}*-?{W}*([0-9]{{4}}))?$"
POSTAL_CA = rf"^(([A-Za-z])[0-9][A-Za-z]){W}*([0-9][A-Za-z][0-9])$"
POSTAL_GB = rf"^([A-Za-z]{{1,2}}[0-9][A-Za-z0-9]?){W}*([0-9][A-Za-z]{{2}})$"

# ---------------------------------------------------------------------------------------------
# state: US states, DC, the inhabited territories and the Canadian provinces and territories
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
    "NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
    "SK": "Saskatchewan", "YT": "Yukon",
}  # fmt: skip
#: Other spellings of full names (lower case, single spaces).
STATE_ALIASES: dict[str, str] = {
    "washington dc": "DC", "washington d.c.": "DC", "d.c.": "DC",
    "virgin islands": "VI", "us virgin islands": "VI", "united states virgin islands": "VI",
    "québec": "QC", "newfoundland": "NL", "yukon territory": "YT",
}  # fmt: skip


def state_names() -> dict[str, str]:
    """Lower-case full name (or alias) -> code."""
    names = {name.lower(): code for code, name in STATES.items()}
    names.update(STATE_ALIASES)
    return names


# ---------------------------------------------------------------------------------------------
# dates and times
MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_DOW = (
    "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)"
)
_ORD = "(?:st|nd|rd|th)?"
_SEP = "[-/.]"

#: Y-M-D (then Y-D-M), optionally followed by a time part that the date type ignores.
DATE_YMD = rf"^([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})(?:(?:T|t|{W}+)[0-9].*)?$"
#: M/D/Y (US order; D/M/Y when that is no date), 2- or 4-digit year.
DATE_MDY = rf"^([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}}|[0-9]{{2}})$"
#: eight digits: MMDDYYYY, then YYYYMMDD, then DDMMYYYY.
DATE_8 = r"^([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$"
#: [weekday] month day[,] year   (case-insensitive)
DATE_MONTH_FIRST = (
    rf"(?i)^(?:{_DOW}\.?,?{W}+)?{_MONTH}\.?{W}*([0-9]{{1,2}}){_ORD},?{W}+([0-9]{{4}})$"
)
#: [weekday] day month[,] year   (case-insensitive)
DATE_DAY_FIRST = rf"(?i)^(?:{_DOW}\.?,?{W}+)?([0-9]{{1,2}}){_ORD}{W}*{_MONTH}\.?,?{W}+([0-9]{{4}})$"


def two_digit_year(yy: int) -> int:
    """moment.js's pivot: 69..99 -> 19xx, 00..68 -> 20xx."""
    return yy + (1900 if yy > 68 else 2000)


#: ISO 8601: date, optional time (seconds, fraction), optional zone (Z, UTC, GMT, +hh[:mm]).
TIME_ISO = (
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})"
    rf"(?:(?:T|t|{W}+)([0-9]{{2}}):([0-9]{{2}})(?::([0-9]{{2}})(?:[.,]([0-9]{{1,9}}))?)?)?"
    rf"{W}*(Z|z|UTC|GMT|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)?$"
)
#: US: M/D/YYYY [h:mm[:ss] [AM|PM]] (no zone: UTC)
TIME_US = (
    rf"^([0-9]{{1,2}})/([0-9]{{1,2}})/([0-9]{{4}})"
    rf"(?:{W}+([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}}))?(?:{W}*([AaPp][Mm]))?)?$"
)
#: JavaScript's Date.toString(): 'Sat Jun 14 2015 13:27:33 GMT-0500 (CDT)'
TIME_JS = (
    rf"(?i)^{_DOW}{W}+{_MONTH}{W}+([0-9]{{1,2}}){W}+([0-9]{{4}}){W}+"
    rf"([0-9]{{2}}):([0-9]{{2}}):([0-9]{{2}}){W}+(?:GMT|UTC)([+-][0-9]{{4}})(?:{W}+\(.*\))?$"
)
#: RFC 2822 / HTTP date: '[Sun, ]14 Jun 2015 18:27:33 +0000' (or GMT/UTC/Z)
TIME_RFC = (
    rf"(?i)^(?:{_DOW},?{W}+)?([0-9]{{1,2}}){W}+{_MONTH}{W}+([0-9]{{4}}){W}+"
    rf"([0-9]{{2}}):([0-9]{{2}})(?::([0-9]{{2}}))?{W}*(GMT|UTC|Z|[+-][0-9]{{4}})$"
)
#: Unix epoch: 10 digits are seconds, 13 digits milliseconds.
TIME_EPOCH = r"^([0-9]{10}|[0-9]{13})$"

# ---------------------------------------------------------------------------------------------
# number and range
#: A plain decimal or scientific literal, taken as is.
NUMBER_LITERAL = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
#: What remains after removing everything but digits, '.' and '-' must look like this.
NUMBER_SANITIZED = r"^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$"
_NUM = r"(-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+))"
#: After lower-casing and removing '$', ',' and whitespace: 'min-max' / 'min to max' / 'min+'.
RANGE_MIN_MAX = rf"^{_NUM}(?:-|to|–|—){_NUM}$"
RANGE_MIN_PLUS = rf"^{_NUM}\+$"

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
STREET = rf"(?s)^({NON_WS_CLASS}+){W}+(.+)$"

# ---------------------------------------------------------------------------------------------
# url, trustedform_url, ip
#: scheme :// [userinfo@] host [:port] [/path] [?query] [#fragment], no whitespace anywhere.
#: The host here is a plain name or IPv4 address; bracketed IPv6 hosts are left to the reference.
URL_PLAIN = (
    rf"^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^/?#@\[\]{W[1:-1]}]*)@)?"
    rf"([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?)(?::([0-9]{{1,5}}))?"
    rf"(/[^?#{W[1:-1]}]*)?(?:\?([^#{W[1:-1]}]*))?(?:#({NON_WS_CLASS}*))?$"
)
URL_HAS_SCHEME = "://"
TRUSTEDFORM_HOSTS = ("cert.trustedform.com", "ping.trustedform.com")
TRUSTEDFORM_CERT_ID = r"^[A-Za-z0-9._-]{1,255}$"
TRUSTEDFORM_LEGACY_ID = r"^[0-9A-Fa-f]{40}$"
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
IPV4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}$"


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
