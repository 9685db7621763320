"""The field registry: every field LeadWarehouse knows, with its type.

One registry drives the typed parsing, the pandera contracts and the typed table's columns. It
holds the LeadConduit standard fields (the dbt seed ``seeds/standard_fields.csv``) and the
account's custom fields (``config/custom_fields.yaml``, a list of ``{id, type, label}`` that a
user edits). A field that shows up in the data without being registered is *unknown*: it is kept
as a string field and reported as schema drift, never dropped.

Types. The registry stores the type a field is declared with (``declared_type``) and the type it
is parsed as (``type``, always one of ``ingest.typed.types.TYPE_NAMES``). They differ in three
places, all LeadConduit's own behaviour that the seed does not spell out:

* ``array`` (a list of values): parsed as ``string`` (the list's JSON text);
* date-of-birth fields (a DOB-like name, :func:`is_dob_name`: ``dob``, ``*.dob``, ``*_dob``,
  ``date_of_birth``, ``birth_date``, ... declared ``date``): parsed as ``dob`` (age, year, age band
  and the ``**/**/YYYY`` mask);
* SSN fields by name (an SSN-like name, :func:`is_ssn_name`: ``ssn``, ``*.ssn``, ``*_ssn``,
  ``social_security_number``, ... declared ``string``): parsed as ``ssn``;
* ``trustedform_cert_url`` (declared ``string``): parsed as ``trustedform_url``.

A field the registry does not know gets its type from its name the same way (``ssn``, ``dob``),
else ``string``: an SSN or a date of birth under an unregistered name is still protected.

Field ids are matched case-insensitively: ``SSN`` in the data is the registered ``ssn`` field, and
a custom field may not differ from another only by case.

Column names. A field's columns in the typed table are ``<prefix>__<component>`` where the prefix
is the field id with every character other than letters, digits and ``_`` replaced by ``_``
(``vehicle.year`` -> ``vehicle_year``). Two ids can give the same prefix (the seed itself has
``mortgage.refi_purpose`` and ``mortgage.refi.purpose``): the first in registry order (seed order,
then the custom-fields file, then unknown ids sorted) keeps it, the next get ``_2``, ``_3``, ...
(``mortgage_refi_purpose_2``). ``Field.prefix`` is the authority.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.paths import PROJECT_ROOT
from ingest.settings import ConfigError, get_settings, read_yaml
from ingest.typed.types import TYPE_NAMES

STANDARD_FIELDS_PATH = PROJECT_ROOT / "seeds" / "standard_fields.csv"
CUSTOM_FIELDS_PATH = PROJECT_ROOT / "config" / "custom_fields.yaml"
#: Environment variable that points at another custom-fields file.
CUSTOM_FIELDS_ENV = "LEADWH_CUSTOM_FIELDS"

#: Declared types that are parsed as another type (see the module docstring).
TYPE_ALIASES = {"array": "string"}


def _words(text: str) -> str:
    """Lower case, letters and digits only: ``CoBorrower_SSN`` -> ``coborrowerssn``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def is_ssn_name(field_id: str) -> bool:
    """A name that says "social security number": ``ssn``, ``SSN``, ``borrower.ssn``,
    ``spouse_ssn``, ``ssn_number``, ``social_security_number``, ``SocialSecurityNo`` (the last
    dotted segment, or the whole id for "social security")."""
    last = _words(field_id.rsplit(".", 1)[-1])
    return (
        last.endswith("ssn")
        or last in ("ssnnumber", "ssnno", "ssnnum")
        or "socialsecurity" in _words(field_id)
    )


def is_dob_name(field_id: str) -> bool:
    """A name that says "date of birth": ``dob``, ``spouse.dob``, ``mortgage.coborrower.dob``,
    ``applicant_dob``, ``date_of_birth``, ``birth_date``, ``BirthDate``, ``birthday``."""
    last, whole = _words(field_id.rsplit(".", 1)[-1]), _words(field_id)
    return (
        last.endswith("dob")
        or last in ("birthday", "birthdt")
        or "dateofbirth" in whole
        or "birthdate" in whole
    )


#: Field ids parsed as another type than declared: (id predicate, declared, parsed as).
TYPE_REFINEMENTS = [
    (is_dob_name, "date", "dob"),
    (is_ssn_name, "string", "ssn"),
    (lambda field_id: field_id.lower() == "trustedform_cert_url", "string", "trustedform_url"),
]
#: Keys of a lead object that are not fields (``vars.lead.id`` is the lead id).
RESERVED_KEYS = frozenset({"id"})
DECLARABLE_TYPES = frozenset(TYPE_NAMES) | frozenset(TYPE_ALIASES)

STANDARD, CUSTOM, UNKNOWN = "standard", "custom", "unknown"
#: Types whose values are never stored in clear in the typed table (only masked and hashed).
SSN_LIKE_TYPES = frozenset({"ssn"})


class FieldRegistryError(ConfigError):
    """A bad standard-fields seed or custom-fields file."""


def column_prefix(field_id: str) -> str:
    """The column-name prefix of a field: ``vehicle.year`` -> ``vehicle_year``."""
    prefix = re.sub(r"[^A-Za-z0-9_]", "_", field_id)
    return prefix or "_"


def parse_type(field_id: str, declared_type: str) -> str:
    """The type a field is parsed as, from the type it is declared with."""
    for matches, declared, parsed in TYPE_REFINEMENTS:
        if declared_type == declared and matches(field_id):
            return parsed
    return TYPE_ALIASES.get(declared_type, declared_type)


def inferred_type(field_id: str) -> str:
    """The type of a field the registry does not know: ``ssn`` or ``dob`` by name, else string."""
    if is_ssn_name(field_id):
        return "ssn"
    if is_dob_name(field_id):
        return "dob"
    return "string"


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: str
    source: str  # standard | custom | unknown
    declared_type: str
    vertical: str | None = None
    #: The column-name prefix in the typed table (unique in the registry).
    prefix: str = ""

    @property
    def is_known(self) -> bool:
        return self.source != UNKNOWN


@dataclass
class FieldRegistry:
    """Fields by id, in order: standard fields (seed order), then custom fields (file order).

    Lookups ignore case: ``registry["SSN"]`` is the ``ssn`` field."""

    fields: dict[str, Field] = field(default_factory=dict)
    custom_fields_path: Path | None = None

    def _find(self, field_id: object) -> Field | None:
        if not isinstance(field_id, str):
            return None
        found = self.fields.get(field_id)
        if found is not None:
            return found
        lower = field_id.lower()
        return next((f for f in self.fields.values() if f.id.lower() == lower), None)

    def __contains__(self, field_id: object) -> bool:
        return self._find(field_id) is not None

    def __getitem__(self, field_id: str) -> Field:
        found = self._find(field_id)
        if found is None:
            raise KeyError(f"field {field_id!r} is not registered")
        return found

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields.values())

    def __len__(self) -> int:
        return len(self.fields)

    def get(self, field_id: str) -> Field | None:
        return self._find(field_id)

    def type_of(self, field_id: str) -> str:
        """The parse type of a field; for an unknown one, :func:`inferred_type`."""
        found = self._find(field_id)
        return found.type if found else inferred_type(field_id)

    def ids_of_type(self, *types: str) -> frozenset[str]:
        """The ids (lower case) of the registered fields parsed as one of these types."""
        return frozenset(f.id.lower() for f in self.fields.values() if f.type in types)

    def resolve(self, field_id: str, taken: set[str] | None = None) -> Field:
        """The registered field, or an unknown field (typed by :func:`inferred_type`) for an id
        the registry lacks (its prefix made unique against the registry's and ``taken``)."""
        found = self._find(field_id)
        if found is not None:
            return found
        used = {f.prefix for f in self.fields.values()} | (taken or set())
        kind = inferred_type(field_id)
        return Field(field_id, kind, field_id, UNKNOWN, kind,
                     prefix=unique_prefix(field_id, used))  # fmt: skip

    def unknown(self, field_ids: Iterable[str]) -> list[str]:
        """The ids among ``field_ids`` that are neither registered nor reserved, sorted."""
        return sorted({f for f in field_ids if f not in self and f not in RESERVED_KEYS})

    def by_prefix(self) -> dict[str, Field]:
        return {f.prefix: f for f in self.fields.values()}

    def order(self, field_ids: Iterable[str]) -> list[Field]:
        """Fields for ids (reserved keys dropped): registry order first, then unknown ids
        sorted (typed by name, with unique prefixes). Ids that differ only by case are one field
        (see :meth:`spellings`)."""
        return list(self.spellings(field_ids))

    def spellings(self, field_ids: Iterable[str]) -> dict[Field, list[str]]:
        """Each field of :meth:`order` with the ids in ``field_ids`` that spell it (``ssn`` and
        ``SSN`` are one field; an unknown field's id is its first spelling in sorted order)."""
        by_lower: dict[str, list[str]] = {}
        for field_id in sorted(set(field_ids) - RESERVED_KEYS):
            by_lower.setdefault(field_id.lower(), []).append(field_id)
        out: dict[Field, list[str]] = {}
        for item in self.fields.values():
            found = by_lower.pop(item.id.lower(), None)
            if found:
                out[item] = sorted(found, key=lambda s: (s != item.id, s))
        taken: set[str] = set()
        for lower in sorted(by_lower, key=lambda k: by_lower[k][0]):
            ids = by_lower[lower]
            item = self.resolve(ids[0], taken)
            taken.add(item.prefix)
            out[item] = ids
        return out


def unique_prefix(field_id: str, used: set[str]) -> str:
    """The field's column prefix, made unique against ``used`` without case (DuckDB's column
    names ignore case: ``Vehicle_Year__raw`` is ``vehicle_year__raw``)."""
    base = column_prefix(field_id)
    taken = {u.lower() for u in used}
    prefix, n = base, 1
    while prefix.lower() in taken:
        n += 1
        prefix = f"{base}_{n}"
    return prefix


def _read_standard(path: Path) -> list[Field]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "type", "name"} - set(reader.fieldnames or ())
        if missing:
            raise FieldRegistryError(f"{path}: missing column(s) {sorted(missing)}")
        fields = []
        for line, row in enumerate(reader, start=2):
            field_id, declared = (row["id"] or "").strip(), (row["type"] or "").strip()
            if declared not in DECLARABLE_TYPES:
                raise FieldRegistryError(f"{path}:{line}: field {field_id!r}: unknown type "
                                         f"{declared!r}")  # fmt: skip
            fields.append(Field(field_id, parse_type(field_id, declared),
                                (row["name"] or field_id).strip(), STANDARD, declared,
                                (row.get("vertical") or "").strip() or None))  # fmt: skip
    return fields


def _read_custom(path: Path) -> list[Field]:
    try:
        data = read_yaml(path)
    except ConfigError as error:
        raise FieldRegistryError(str(error)) from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise FieldRegistryError(f"{path}: expected a list of {{id, type, label}} entries")
    fields = []
    for number, entry in enumerate(data, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise FieldRegistryError(f"{where}: expected a mapping with id, type and label")
        extra = set(entry) - {"id", "type", "label"}
        if extra:
            raise FieldRegistryError(f"{where}: unexpected key(s) {sorted(extra)}")
        field_id, declared = entry.get("id"), entry.get("type")
        if not isinstance(field_id, str) or not field_id.strip():
            raise FieldRegistryError(f"{where}: 'id' must be a non-empty string")
        field_id = field_id.strip()
        if field_id.lower() in RESERVED_KEYS:
            raise FieldRegistryError(f"{where}: {field_id!r} is reserved (it is the lead id)")
        if not isinstance(declared, str) or declared not in DECLARABLE_TYPES:
            raise FieldRegistryError(
                f"{where} ({field_id}): type {declared!r} is not one of "
                f"{', '.join(sorted(DECLARABLE_TYPES))}"
            )
        label = entry.get("label")
        label = str(label).strip() if label is not None else field_id
        fields.append(Field(field_id, parse_type(field_id, declared), label, CUSTOM, declared))
    return fields


def default_custom_fields_path() -> Path:
    return get_settings().custom_fields


def load_registry(
    custom_fields_path: str | Path | None = None,
    standard_fields_path: str | Path | None = None,
) -> FieldRegistry:
    """The registry: the standard fields plus the custom fields.

    ``custom_fields_path`` defaults to ``$LEADWH_CUSTOM_FIELDS`` or ``config/custom_fields.yaml``
    (a missing default file means no custom fields; a missing explicit file is an error).
    """
    standard = _read_standard(Path(standard_fields_path or STANDARD_FIELDS_PATH))
    explicit = custom_fields_path is not None
    custom_path = Path(custom_fields_path) if explicit else default_custom_fields_path()
    if custom_path.exists():
        custom = _read_custom(custom_path)
    elif explicit:
        raise FieldRegistryError(f"custom fields file {custom_path} does not exist")
    else:
        custom = []

    registry = FieldRegistry(custom_fields_path=custom_path if custom_path.exists() else None)
    used: set[str] = set()
    for item in [*standard, *custom]:
        clash = registry.get(item.id)  # ids that differ only by case are the same field
        if clash is not None:
            kind = "a standard field" if clash.source == STANDARD else "twice"
            raise FieldRegistryError(f"field {item.id!r} is declared {kind} "
                                     f"({item.source} field in {custom_path})")  # fmt: skip
        item = replace(item, prefix=unique_prefix(item.id, used))
        used.add(item.prefix)
        registry.fields[item.id] = item
    return registry
