"""One consumer as a source posts them: raw field values, and the :class:`Facts` the platform
would conclude about them (valid phone, valid email, ...), so the event logic stays consistent
with the data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple

from ingest.simulator.value_tables import (
    BRITAIN,
    CANADA,
    CITIES,
    CREDIT_RATINGS,
    FIRST_NAMES,
    GENDER_JUNK,
    GENDERS,
    LAST_NAMES,
    LOAN_BINS,
    STREET_SUFFIXES,
    STREETS,
)
from ingest.simulator.values import (
    boolean_value,
    cumulative,
    dob_value,
    email_value,
    ip_value,
    one_of,
    phone_value,
    pick,
    state_value,
    tf_value,
    zip_value,
)

CITIES_BY_STATE: dict[str, list[tuple]] = {}
for _city in CITIES:
    CITIES_BY_STATE.setdefault(_city[1], []).append(_city)
del _city
_CITY_WEIGHTS = cumulative([city[4] for city in CITIES])
_GENDER_VALUES = [gender for gender, _ in GENDERS]
_GENDER_WEIGHTS = cumulative([weight for _, weight in GENDERS])
_LOAN_PURPOSES = (
    "Refinance",
    "Cash-Out Refinance",
    "refinance",
    "Rate/Term Refinance",
    "Home Equity",
)
_EDUCATION_LEVELS = (
    "High School Diploma",
    "GED",
    "Some College",
    "Associate's Degree",
    "Bachelor's Degree",
    "Master's Degree",
    "high school",
)


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


class _Location(NamedTuple):
    city: str
    state_raw: str
    state: str | None
    postal: str
    zip_ok: bool
    area: str | None  # the phone's area code (None for British numbers)
    phone_raw: str
    phone_components: tuple | None


def person(rng: random.Random, source, flow, year_now: int, bad_phone: float) -> tuple[dict, Facts]:
    """One consumer's raw fields (standard + vertical + custom, in ALL_FIELDS order)."""
    bad = source.bad
    first = one_of(rng, FIRST_NAMES)
    last = one_of(rng, LAST_NAMES)
    fields: dict[str, str] = {}
    international = rng.random() < source.intl
    roll = rng.random()
    if roll < 0.06:
        fields["first_name"] = first.upper()
        fields["last_name"] = last.upper()
    elif roll < 0.10:
        fields["first_name"] = first.lower()
        fields["last_name"] = last.lower()
    elif roll < 0.12:
        fields["first_name"] = f" {first}"
        fields["last_name"] = last
    else:
        fields["first_name"] = first
        fields["last_name"] = last
    email, email_ok = email_value(rng, first, last, bad * 0.7)
    if rng.random() < 0.015:
        email_raw = None
        email_ok = False
    else:
        email_raw = email
        fields["email"] = email

    if international:
        location = _foreign_location(rng, bad_phone)
    else:
        location = _us_location(rng, flow, bad, bad_phone)
    phone_components = location.phone_components
    phone_present = True
    if rng.random() < 0.02:
        phone_present = False
        phone_components = None
    else:
        fields["phone_1"] = location.phone_raw
    if rng.random() < 0.22 and not international:
        fields["phone_2"] = phone_value(rng, location.area, bad)[0]
    if rng.random() < 0.9:
        street = one_of(rng, STREETS)
        suffix = one_of(rng, STREET_SUFFIXES)
        address = f"{rng.randint(1, 19999)} {street} {suffix}"
        if rng.random() < 0.08:
            address += f" Apt {rng.randint(1, 450)}"
        fields["address_1"] = address
    fields["city"] = location.city if rng.random() < 0.9 else location.city.upper()
    fields["state"] = location.state_raw
    fields["postal_code"] = location.postal
    age = None
    if rng.random() < 0.86:
        young = 0.03 if flow.vertical == "education" else 0.002
        dob, age = dob_value(rng, year_now, bad, young)
        fields["dob"] = dob
    if rng.random() < 0.7:
        fields["gender"] = (
            one_of(rng, GENDER_JUNK)
            if rng.random() < bad
            else pick(rng, _GENDER_VALUES, _GENDER_WEIGHTS)
        )
    if rng.random() < 0.95:
        fields["ip_address"] = ip_value(rng, bad)
    cert_url, tf = tf_value(rng, bad, source.tf_missing)
    if cert_url is not None:
        fields["trustedform_cert_url"] = cert_url
    renter, loan_low = _vertical_fields(rng, flow.vertical, fields, bad, year_now)
    facts = Facts(
        state=location.state,
        phone_present=phone_present,
        phone_ok=phone_components is not None and phone_components[0] == 1,
        phone_comp=phone_components,
        phone_raw=location.phone_raw if phone_present else None,
        email_raw=email_raw,
        email_ok=email_ok,
        zip_ok=location.zip_ok,
        tf=tf,
        age=age,
        renter=renter,
        international=international,
        loan_low=loan_low,
    )
    return fields, facts


def _foreign_location(rng: random.Random, bad_phone: float) -> _Location:
    """A Canadian (60%) or British address and phone."""
    if rng.random() < 0.6:
        city, posted_state, codes, area = one_of(rng, CANADA)
        state = "ON" if posted_state == "Ontario" else posted_state
        postal = one_of(rng, codes)
        phone_raw, components = phone_value(rng, area, bad_phone)
        return _Location(city, posted_state, state, postal, True, area, phone_raw, components)
    city, posted_state, codes, phone_format = one_of(rng, BRITAIN)
    postal = one_of(rng, codes)
    phone_raw = phone_format.format(rng.randint(0, 999))
    national = phone_raw.replace("+44", "").replace("011 44", "").replace(" ", "")
    components = (44, "GB", national, None, None, None, None, None)
    return _Location(city, posted_state, None, postal, True, None, phone_raw, components)


def _us_location(rng: random.Random, flow, bad: float, bad_phone: float) -> _Location:
    """A US address and phone, in the flow's targeted states when it has them."""
    code = None
    if flow.state_mix:
        roll = rng.random()
        for state_code, share in flow.state_mix:
            if roll < share:
                code = state_code
                break
            roll -= share
    if code is not None:
        city_row = one_of(rng, CITIES_BY_STATE[code])
    else:
        city_row = pick(rng, CITIES, _CITY_WEIGHTS)
    city, code, zip_prefix, area_codes, _ = city_row
    state_raw, state = state_value(rng, code, bad)
    postal, zip_ok = zip_value(rng, zip_prefix, bad)
    area = one_of(rng, area_codes)
    phone_raw, components = phone_value(rng, area, bad_phone)
    return _Location(city, state_raw, state, postal, zip_ok, area, phone_raw, components)


def _vertical_fields(
    rng: random.Random, vertical: str, fields: dict, bad: float, year_now: int
) -> tuple[bool, bool]:
    """Add the vertical's fields -> (renter, loan amount below the minimum)."""
    renter = False
    loan_low = False
    if vertical == "auto_insurance":
        if rng.random() < 0.93:
            fields["vehicle.year"] = (
                rng.choice(("n/a", "unknown", "20O9"))
                if rng.random() < bad * 0.3
                else str(rng.randint(2003, year_now + 1))
            )
        if rng.random() < 0.9:
            fields["currently_insured_acme"] = boolean_value(rng, rng.random() < 0.72, bad)
    elif vertical == "mortgage":
        if rng.random() < 0.96:
            amount = fields["mortgage.loan_amount"] = _loan_amount(rng, bad)
            loan_low = amount.startswith(("50000-", "25000-")) or (
                amount.isdigit() and int(amount) < 75000
            )
        if rng.random() < 0.8:
            fields["mortgage.loan.purpose"] = rng.choice(_LOAN_PURPOSES)
        if rng.random() < 0.9:
            fields["credit_rating_acme"] = _credit(rng, bad)
    elif vertical == "solar":
        renter = rng.random() < 0.14
        if rng.random() < 0.97:
            if renter:
                fields["residence_type"] = rng.choice(("Rent", "rent", "Renter", "RENT"))
            else:
                fields["residence_type"] = rng.choice(("Own", "own", "Owner", "Homeowner", "OWN"))
        if rng.random() < 0.8:
            fields["credit_rating_acme"] = _credit(rng, bad)
    elif vertical == "education":
        if rng.random() < 0.92:
            fields["education_level"] = rng.choice(_EDUCATION_LEVELS)
    return renter, loan_low


def _loan_amount(rng: random.Random, bad: float) -> str:
    if rng.random() < bad * 0.3:
        return rng.choice(("a lot", "not sure", "TBD"))
    roll = rng.random()
    if roll < 0.85:
        return LOAN_BINS[min(int(rng.triangular(0, 9, 3)), 8)]
    if roll < 0.95:
        return str(rng.randint(60, 900) * 1000)
    return rng.choice(("50000-74999", "25000-49999"))


def _credit(rng: random.Random, bad: float) -> str:
    if rng.random() < bad * 0.4:
        return rng.choice(("Excellent", "good", "Fair", "poor"))
    return CREDIT_RATINGS[min(int(rng.triangular(0, 7, 1)), 6)]
