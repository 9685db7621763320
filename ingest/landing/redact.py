"""Redaction at landing: no social security number is stored in clear, anywhere.

Landing calls :func:`redact_read` on what a reader returns, before anything is written, so the raw
tables, the quarantine and everything built from them (staging, typed leads, marts, serving,
exports) only ever see redacted records.

Which keys hold an SSN. A key whose name says so (``ingest.typed.fields.is_ssn_name``: ``ssn``,
``SSN``, ``social_security_number``, ``borrower_ssn``, ...), or a field the registry parses as
``ssn`` (e.g. a custom field declared ``type: ssn``), compared without case against the key and
its dotted path (``borrower.tax_id`` matches ``vars.lead.borrower.tax_id`` and the flat key
``borrower.tax_id``).

For each record (an event, or a submission's fields) that may hold an SSN (a fast text check):

1. its SSNs are collected: every value under an SSN key, anywhere in the record (a bare string or
   number, or a LeadConduit parsed object ``{normal, raw, valid, ...}``), and every SSN written
   next to an SSN-like key inside a text (``ssn=123-45-6789`` in a URL-encoded body,
   ``"ssn":"123456789"`` in a JSON body, ``<SSN>123 45 6789</SSN>`` in XML);
2. a lead field holding an SSN (``vars.lead.<key>`` of an event, ``<key>`` of a submission's
   fields) becomes the redaction object ``{"redacted": "ssn", "masked": "***-**-6789",
   "valid": true, "hash": "<HMAC-SHA256 of the 9 digits>"}`` (plus ``lc_valid`` when LeadConduit
   had parsed the value); the typed leads take ``ssn__masked``, ``ssn__valid`` and ``ssn__hash``
   from it. An invalid SSN (not 9 digits) is hashed as given and masked with every digit starred;
3. elsewhere (appended data, other vars, the transactions' URIs, headers and request and response
   bodies), a value under an SSN key is masked whole, and every collected SSN is masked in every
   string whatever its spelling: ``123-45-6789``, ``123456789``, ``123 45 6789``,
   ``123.45.6789``, URL-encoded (``123%2D45%2D6789``, ``123+45+6789``), or as a JSON number;
4. any ``ddd-dd-dddd`` in any string is masked as well (an SSN nobody labelled);
5. a record changed by this is stored as compact JSON (same keys in the same order, same values
   except the redacted ones; whitespace and escapes may differ from the file). A record with
   nothing to redact keeps its text byte for byte, unless a key appears twice in one of its
   objects: it is stored as compact JSON too, with each such key's last value (as LeadConduit's
   JSON.parse reads it; DuckDB's JSON functions would read the first, which redaction never saw).

Keys are masked like strings (an SSN used as a key, ``{"123-45-6789": ...}``); JSON escapes are
read before anything is looked for (``"\\u0073sn"`` is the key ``ssn``); digits of any script
count as digits where a value is starred. A record nested too deep to be redacted safely (more
than 254 levels: orjson writes no deeper) goes to the quarantine, redacted as text.

Quarantined records: one that is a JSON object is redacted like a record. Other bytes (malformed
JSON, a bad CSV row) get steps 1 (SSNs next to SSN-like keys), 3 and 4 on their text, and, since
no key says what a value is there, every SSN-shaped run standing alone (9 digits, or 3-2-4 with
separators, not part of a longer word or number) is masked too: a 9-digit ZIP+4 written without
its dash is masked as well. Bytes that are not UTF-8 are kept as they were. The quarantine
reason is masked like a text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from ingest.landing import lake
from ingest.landing.hmac_key import SecretKey, load_key
from ingest.landing.raw_store import EVENTS, LAKE_TABLES, SUBMISSIONS, SUPERSEDED
from ingest.landing.readers import SUBMISSION_META, Quarantined
from ingest.settings import ConfigError
from ingest.typed.fields import SSN_LIKE_TYPES, FieldRegistry, is_ssn_name, load_registry
from ingest.warehouse import rollback

#: A record's JSON text: landing hands over UTF-8 bytes, stored rows are read back as str.
TextOrBytes = str | bytes
#: The object a lead field holding an SSN becomes (its ``redacted`` key).
REDACTED = "ssn"

# Between the groups of an SSN: nothing, or up to 3 of space . - / + _ (or their URL/JSON escapes).
_SEP = r"(?:[\s.\-/+_]|%20|%2[dD]|%2[fF]|\\u002[dD]){0,3}"
# An SSN starts at a digit not preceded by a digit, except the hex digits of a %XX escape.
_START = r"(?:(?<![0-9])|(?<=%[0-9A-Fa-f]{2}))"
_END = r"(?![0-9])"
_SSN_SHAPE = rf"[0-9]{{3}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{4}}"
# ddd-dd-dddd anywhere: the written form of an SSN (phone numbers are 3-3-4, dates 4-2-2).
_DASHED = re.compile(rf"{_START}[0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}{_END}")
# Any SSN-shaped run between non-digits; masked when its digits are an SSN the record holds.
_ANY_SSN = re.compile(rf"{_START}{_SSN_SHAPE}{_END}")
# What is not a digit of an SSN in such a run: separators and %XX / \u002d escapes.
_NOT_SSN_DIGIT = re.compile(r"%[0-9A-Fa-f]{2}|\\u002[dD]|[^0-9]")
# A fast first look for _DASHED (a pattern that starts with a literal is scanned quickly).
_DASHED_HINT = re.compile(r"-[0-9][0-9]-[0-9]{4}")
# The two as bytes patterns, for text read as UTF-8 bytes: both are ASCII, and UTF-8 never
# puts an ASCII byte inside another character, so they match where they match in the str.
_DASHED_BYTES = re.compile(_DASHED.pattern.encode("ascii"))
_DASHED_HINT_BYTES = re.compile(_DASHED_HINT.pattern.encode("ascii"))


def _has_dashed(text: TextOrBytes) -> bool:
    """Whether a text holds a ddd-dd-dddd (_DASHED), tried only where the hint matched: a date of
    birth written 12-19-1968 matches the hint, and _DASHED.search scans a long text slowly. The
    text may be UTF-8 bytes."""
    dashed, hints = (
        (_DASHED_BYTES, _DASHED_HINT_BYTES) if isinstance(text, bytes) else (_DASHED, _DASHED_HINT)
    )
    return any(
        dashed.search(text, max(hint.start() - 3, 0), hint.end() + 1)
        for hint in hints.finditer(text)
    )


# Any SSN-shaped run (9 digits, or 3-2-4 with separators) standing alone: masked in quarantined
# bytes that are not JSON, where no key says what a value is (a bad CSV row, a broken line).
_ANY_SHAPE = re.compile(rf"(?:(?<![0-9A-Za-z])|(?<=%[0-9A-Fa-f]{{2}})){_SSN_SHAPE}(?![0-9A-Za-z])")
# Between an SSN-like key and its value: quotes, colons, equals, tags, spaces, %XX escapes.
_GAP = r"(?:[^0-9A-Za-z]|%[0-9A-Fa-f]{2}|&quot;|&#3[49];){0,12}?"
_SSN_KEY_WORDS = r"ssn|social[\s_.\-]*security(?:[\s_.\-]*(?:number|num|no))?"
# A JSON key that is_ssn_name reads as an SSN name though the key words miss it: "ssn" with other
# characters between its letters (S_S_N, S S N, ss-n_no); looked for in the lower-cased text.
_SPELLED_APART = r's[^a-z0-9"]*s[^a-z0-9"]*n(?:[^a-z0-9"]*(?:number|num|no))?[^a-z0-9"]*"\s*:'


def _masked(last_four: str) -> str:
    return f"***-**-{last_four}"


def _star_digits(text: str) -> str:
    return re.sub(r"\d", "*", text)  # digits of any script (full-width, Arabic-Indic, ...)


# A key with a digit in it: masked like a string (an SSN used as a key).
_DIGIT = re.compile(r"\d")


class TooDeepToRedact(ValueError):
    """A record nested deeper than redaction can write back (orjson's limit is 254 levels)."""


class _DuplicateKey(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    if len({key for key, _ in pairs}) != len(pairs):
        raise _DuplicateKey


def _has_duplicate_key(text: TextOrBytes) -> bool:
    """Whether an object in a JSON text has a key twice (the standard library's parser sees each
    pair; orjson keeps the last)."""
    try:
        json.loads(text, object_pairs_hook=_refuse_duplicates)
    except _DuplicateKey:
        return True
    return False


def _scalar_text(value: Any) -> str | None:
    """A JSON scalar that could hold an SSN, as text (None for null and booleans)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else None


class Redactor:
    """Redacts the SSNs of records (see the module docstring). Picklable: landing workers get one.

    ``ssn_ids``: the ids (any case) of the registry's fields parsed as ssn, beyond the names
    :func:`ingest.typed.fields.is_ssn_name` recognises."""

    def __init__(self, key: SecretKey, ssn_ids: Iterable[str] = ()) -> None:
        self.key = key
        self.ssn_ids = frozenset(i.lower() for i in ssn_ids)
        # a nested key spells only the last segment of a dotted id (borrower: {tax_id: ...})
        names = {i.rsplit(".", 1)[-1] for i in self.ssn_ids}
        self._last_segments = frozenset(names)
        custom = "".join(f"|{re.escape(n)}" for n in sorted(names, key=len, reverse=True))
        keys = rf"(?:{_SSN_KEY_WORDS}{custom})"
        # the cheap checks first (Python's regex engine is slow on long texts): a key word in
        # the lower-cased text, or a key spelling "ssn" apart, in one search (an alternation
        # is tried only where one of its first letters is: three times faster than a search
        # per word and one for the spelled-apart key); then "-dd-dddd" (may_hold)
        self._words = tuple(dict.fromkeys(("ssn", "social", *sorted(names))))
        ascii_words = [w for w in self._words if w.isascii()]
        self._ascii_words = tuple(w.encode("ascii") for w in ascii_words)
        self._hint = re.compile("|".join([*map(re.escape, self._words), _SPELLED_APART]))
        self._ascii_hint = re.compile(
            "|".join([*map(re.escape, ascii_words), _SPELLED_APART]).encode("ascii")
        )
        self._context = re.compile(rf"({keys}{_GAP})({_START}{_SSN_SHAPE}{_END})", re.IGNORECASE)

    @classmethod
    def from_registry(cls, key: SecretKey, registry: FieldRegistry) -> Redactor:
        return cls(key, registry.ids_of_type(*SSN_LIKE_TYPES))

    def __repr__(self) -> str:
        return f"Redactor(ssn_ids={sorted(self.ssn_ids)}, key={self.key!r})"

    # ----------------------------------------------------------------------------- records

    def event(self, text: TextOrBytes) -> TextOrBytes:
        """An event's JSON text (``str``, or UTF-8 ``bytes`` as landing reads it), redacted: the
        same object when it holds no SSN, else compact JSON of the input's type."""
        return self._record(text, ("vars", "lead"))

    def submission_fields(self, text: TextOrBytes) -> TextOrBytes:
        """A submission's fields (JSON object text, ``str`` or UTF-8 ``bytes``), redacted."""
        return self._record(text, ())

    def quarantined(self, raw: bytes, lead_path: tuple[str, ...]) -> bytes:
        """A quarantined record's bytes, redacted; ``lead_path`` is where its lead fields would
        be if it is a JSON object (``("vars", "lead")`` for events, ``("fields",)`` for
        submissions)."""
        text = raw.decode("utf-8", errors="surrogateescape")
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            obj = None
        if isinstance(obj, dict):
            if not self.may_hold(text):
                return raw
            try:
                redacted = self._redacted_json(raw, obj, lead_path)
            except TooDeepToRedact:  # redacted as text below
                pass
            else:
                return raw if redacted is None else redacted
        masked = _ANY_SHAPE.sub(lambda m: _masked(m.group(0)[-4:]), self.text(text))
        return masked.encode("utf-8", errors="surrogateescape")

    def columns(self, values: dict[str, str | None]) -> dict[str, str | None]:
        """A record's text columns (a submission's source and flow names, ...) redacted as texts;
        the same dict when none may hold an SSN (one check over all of them)."""
        if not self.may_hold("\x1f".join(v for v in values.values() if v)):
            return values
        return {k: v and self.text(v) for k, v in values.items()}

    def text(self, text: str, known: Iterable[str] = ()) -> str:
        """Free text (a quarantined line, a reason): the SSNs next to SSN-like keys, the
        ``known`` ones (9 digits each), and every ddd-dd-dddd, masked."""
        found = set(known) | self._in_context(text)
        return self._mask_text(text, frozenset(found))

    def _record(self, text: TextOrBytes, lead_path: tuple[str, ...]) -> TextOrBytes:
        if not self.may_hold(text):
            return text
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError:  # a reader hands over valid JSON; be safe anyway
            if isinstance(text, bytes):
                return self.text(text.decode("utf-8", errors="surrogateescape")).encode(
                    "utf-8", errors="surrogateescape"
                )
            return self.text(text)
        compact = self._redacted_json(text, obj, lead_path)
        if compact is None:
            return text
        return compact if isinstance(text, bytes) else compact.decode("utf-8")

    def _redacted_json(
        self, text: TextOrBytes, obj: Any, lead_path: tuple[str, ...]
    ) -> bytes | None:
        """The compact JSON of ``obj`` (parsed from ``text``) redacted, or None when the text
        may be kept as it is: nothing in it is sensitive and no key appears twice in one object
        (the text would hold a value the redactor never saw). Raises TooDeepToRedact."""
        try:
            redacted = self._redact_object(obj, lead_path)
            compact = orjson.dumps(obj if redacted is None else redacted)
        except (orjson.JSONEncodeError, RecursionError) as error:
            raise TooDeepToRedact(f"nested too deep to redact ({error})") from None
        if redacted is not None:
            return compact
        if compact == (text if isinstance(text, bytes) else text.encode("utf-8")):
            return None  # written as orjson writes it: no key twice
        try:
            return compact if _has_duplicate_key(text) else None
        except RecursionError:
            raise TooDeepToRedact("nested too deep to redact") from None

    def _redact_object(self, obj: Any, lead_path: tuple[str, ...]) -> Any | None:
        """The redacted object, or None when nothing in it is sensitive."""
        found: set[str] = set()
        self._collect(obj, (), found)
        redacted = self._transform(obj, (), lead_path, frozenset(found))
        return None if redacted == obj else redacted

    # ------------------------------------------------------------------------- collecting

    def is_ssn_key(self, path: tuple[str, ...]) -> bool:
        """Whether the key at the end of a path holds an SSN (by name or by the registry)."""
        last = path[-1]
        if _is_ssn_name(last):
            return True
        if not self.ssn_ids or last.rsplit(".", 1)[-1].lower() not in self._last_segments:
            return False
        lowered = [p.lower() for p in path]
        return any(".".join(lowered[i:]) in self.ssn_ids for i in range(len(lowered)))

    def _collect(self, node: Any, path: tuple[str, ...], found: set[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = (*path, key)
                if self.is_ssn_key(here):
                    self._collect_values(value, found)
                else:
                    self._collect(value, here, found)
        elif isinstance(node, list):
            for value in node:
                self._collect(value, path, found)
        elif isinstance(node, str):
            found |= self._in_context(node)

    def _collect_values(self, value: Any, found: set[str]) -> None:
        """The SSNs under an SSN key: a scalar, or a parsed object's ``raw``/``normal``."""
        if isinstance(value, dict):
            if value.get("redacted") == REDACTED:
                return
            for name in ("raw", "normal"):
                self._collect_values(value.get(name), found)
            return
        if isinstance(value, list):
            for item in value:
                self._collect_values(item, found)
            return
        text = _scalar_text(value)
        if text is not None:
            digits = re.sub(r"[^0-9]", "", text)
            if len(digits) == 9:
                found.add(digits)

    def may_hold(self, text: TextOrBytes) -> bool:
        """Whether a text (``str``, or UTF-8 ``bytes``) may hold an SSN: an SSN key word, a key
        spelling "ssn" apart, a ddd-dd-dddd, or a JSON escape (``\\u0073sn`` spells ``ssn``)."""
        lower, _, hint = self._lowered(text)
        escape = b"\\u" if isinstance(text, bytes) else "\\u"
        return hint.search(lower) is not None or _has_dashed(text) or escape in text

    def _has_key_word(self, text: str) -> bool:
        lower, words, _ = self._lowered(text)
        return any(word in lower for word in words)

    def _lowered(self, text: TextOrBytes) -> tuple[Any, tuple, re.Pattern]:
        """The text (``str`` or UTF-8 ``bytes``) lower-cased, with the key words and the
        key-word-or-spelled-apart pattern to look for in it: as bytes when the text is ASCII
        (three times faster; bytes lower-case ASCII only, which is all an ASCII text holds)."""
        if text.isascii():
            ascii_bytes = text if isinstance(text, bytes) else text.encode("ascii")
            return ascii_bytes.lower(), self._ascii_words, self._ascii_hint
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="surrogateescape")
        return text.lower(), self._words, self._hint

    def _in_context(self, text: str) -> set[str]:
        if not self._has_key_word(text):
            return set()
        return {
            re.sub(r"%[0-9A-Fa-f]{2}|[^0-9]", "", m.group(2)) for m in self._context.finditer(text)
        }

    def _mask_text(self, text: str, known: frozenset[str]) -> str:
        def last_four(match: re.Match) -> str:
            return _masked(match.group(0)[-4:])

        def if_known(match: re.Match) -> str:
            digits = _NOT_SSN_DIGIT.sub("", match.group(0))
            return _masked(match.group(0)[-4:]) if digits in known else match.group(0)

        if known and any(digits[5:] in text for digits in known):
            text = _ANY_SSN.sub(if_known, text)
        if self._has_key_word(text):
            text = self._context.sub(lambda m: m.group(1) + _masked(m.group(2)[-4:]), text)
        if _DASHED_HINT.search(text):
            text = _DASHED.sub(last_four, text)
        return text

    def _transform(
        self, node: Any, path: tuple[str, ...], lead_path: tuple[str, ...], known: frozenset[str]
    ) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                here = (*path, key)
                # a key with a digit is masked like a string: an SSN used as a key
                name = self._mask_text(key, known) if _DIGIT.search(key) else key
                if not self.is_ssn_key(here):
                    out[name] = self._transform(value, here, lead_path, known)
                elif path == lead_path:
                    out[name] = self.lead_value(value)
                else:
                    out[name] = _mask_whole(value)
            return out
        if isinstance(node, list):
            return [self._transform(v, path, lead_path, known) for v in node]
        if isinstance(node, str):
            return self._mask_text(node, known)
        if isinstance(node, int) and not isinstance(node, bool) and f"{node:09d}" in known:
            return _masked(f"{node:09d}"[-4:])  # an SSN written as a JSON number
        return node

    def lead_value(self, value: Any) -> Any:
        """The redaction object of a lead field's SSN value (see the module docstring)."""
        lc_valid = None
        given = value
        if isinstance(value, dict):
            if value.get("redacted") == REDACTED:
                return value  # already redacted
            lc_valid = value.get("valid") if isinstance(value.get("valid"), bool) else None
            given = value.get("raw") if value.get("raw") is not None else value.get("normal")
        text = _scalar_text(given)
        if text is None:
            return _mask_whole(value)
        digits = re.sub(r"[^0-9]", "", text)
        valid = len(digits) == 9
        out: dict[str, Any] = {
            "redacted": REDACTED,
            "masked": _masked(digits[5:]) if valid else _star_digits(text),
            "valid": valid,
            "hash": self.key.digest(digits if valid else text),
        }
        if lc_valid is not None:
            out["lc_valid"] = lc_valid
        return out


@functools.lru_cache(maxsize=65536)
def _is_ssn_name(key: str) -> bool:
    return is_ssn_name(key)


def _mask_whole(value: Any) -> Any:
    """A value under an SSN key outside the lead fields: every digit starred, except the last
    four of a 9-digit SSN; the keys and the booleans of an object kept."""
    if isinstance(value, dict):
        if value.get("redacted") == REDACTED:
            return value
        return {k: _mask_whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_whole(v) for v in value]
    text = _scalar_text(value)
    if text is None:
        return value
    digits = re.sub(r"[^0-9]", "", text)
    return _masked(digits[5:]) if len(digits) == 9 else _star_digits(text)


# --------------------------------------------------------------------------------- landing


def redact_read(dataset: str, result: Any, redactor: Redactor) -> Any:
    """Redact what a reader returned (``ingest.landing.readers.ReadResult``), in place: the
    events' payloads or the submissions' fields and other columns, and the quarantined records
    and reasons. A record too deep to redact moves to the quarantine."""
    kept = []
    for record in result.records:
        try:
            if dataset == "events":
                record.payload = redactor.event(record.payload)
            else:
                record.fields = redactor.submission_fields(record.fields)
                record.meta = redactor.columns(record.meta)
        except TooDeepToRedact as error:
            text = record.payload if dataset == "events" else record.fields
            result.quarantined.append(Quarantined(record.line, str(error), text))
        else:
            kept.append(record)
    result.records = kept
    lead_path: tuple[str, ...] = ("vars", "lead") if dataset == "events" else ("fields",)
    for item in result.quarantined:
        item.raw = redactor.quarantined(item.raw, lead_path)
        item.reason = redactor.text(item.reason)
    return result


def landing_redactor(home: Path, warn: Callable[[str], None] | None = None) -> Redactor:
    """The redactor of a warehouse home: its HMAC key and the registry's SSN fields. A custom
    fields file that cannot be read does not stop landing: the names and the standard fields
    still count (``warn`` is told)."""
    key = load_key(home)
    try:
        registry = load_registry()
    except ConfigError as error:  # a bad custom-fields file (FieldRegistryError) or setting
        if warn:
            warn(f"redaction uses SSN field names and standard fields only: {error}")
        return Redactor(key, ("ssn",))
    return Redactor.from_registry(key, registry)


# ------------------------------------------------------------------------ data stored before

#: Bumped when redaction covers more: the raw tables are redacted again once. 2: keys that spell
#: "ssn" apart (S_S_N) and the superseded versions of events. 3: keys twice in an object, SSNs as
#: keys, JSON escapes, digits of other scripts, the submissions' other text columns.
REDACTION_VERSION = 3
_SUBMISSION_TEXTS = ("fields", *SUBMISSION_META[2:])  # the fields and the other text columns


def _redact_event(redactor: Redactor, payload: str) -> tuple[str]:
    return (_stored_row(redactor, "event", payload),)


def _redact_submission(redactor: Redactor, fields: str, *columns: str) -> tuple:
    after = redactor.columns(dict(zip(_SUBMISSION_TEXTS[1:], columns, strict=True)))
    return (_stored_row(redactor, "submission_fields", fields), *after.values())


#: The lake's tables redacted when stored: their text columns, and how a row's are redacted.
_STORED = (
    (EVENTS, ("payload",), _redact_event),
    (SUPERSEDED, ("payload",), _redact_event),
    (SUBMISSIONS, _SUBMISSION_TEXTS, _redact_submission),
)


def redact_stored(con: Any, redactor: Redactor) -> dict[str, int]:
    """Redact the raw tables as they were stored before redaction existed (or by an older
    REDACTION_VERSION), once: events (current and superseded), submissions and the quarantine;
    then make the next typed run parse every lead again when a row changed or redaction is new
    (before it, ``ssn__hash`` was an unkeyed-salt hash). Returns the rows changed per table;
    ``{}`` when already done. The marts built from the old rows keep what they copied
    (``fct_lead_events.transactions``) until rebuilt: ``leadwh build --full``."""
    con.execute(
        "create table if not exists raw.redaction_state (version integer, redacted_at timestamp)"
    )
    done = con.execute("select max(version) from raw.redaction_state").fetchone()[0]
    if done is not None and done >= REDACTION_VERSION:
        return {}
    names = "".join(f"|{re.escape(i.rsplit('.', 1)[-1])}" for i in sorted(redactor.ssn_ids))
    # the rows may_hold would pass, found by DuckDB's regex (its patterns hold in RE2 with (?i))
    hint = rf"(?i)ssn|social|[0-9]{{3}}-[0-9]{{2}}-[0-9]{{4}}|\\u|{_SPELLED_APART}{names}"
    changed: dict[str, set] = {}  # table -> rows (lake file, row number) or rowids
    root = lake.root_of(con)
    con.execute("begin transaction")
    try:
        for table, texts, how in _STORED:
            changed[table.name] = _redact_lake(con, root, table, texts, redactor, how, hint)
        rows = con.execute(
            "select rowid, dataset, raw_bytes, reason from raw.quarantine"
        ).fetchall()
        updates = []
        for rowid, dataset, raw, reason in rows:
            lead_path = ("vars", "lead") if dataset == "events" else ("fields",)
            new_raw, new_reason = redactor.quarantined(raw, lead_path), redactor.text(reason)
            if (new_raw, new_reason) != (raw, reason):
                text = new_raw.decode("utf-8", errors="replace")
                updates.append((rowid, new_raw, text, new_reason))
        _update(con, "quarantine", _by_column(("rid", "raw_bytes", "raw_text", "reason"), updates))
        changed["quarantine"] = {rowid for rowid, *_ in updates}
        if (done is None or any(changed.values())) and con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'typed' and table_name = 'watermark'"
        ).fetchone()[0]:
            con.execute("delete from typed.watermark")  # re-parse every lead: HMAC hashes
        con.execute(
            "insert into raw.redaction_state values (?, now() at time zone 'UTC')",
            [REDACTION_VERSION],
        )
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise
    if any(changed[table.name] for table, _, _ in _STORED):  # lake files to make live
        lake.settle(con, root, LAKE_TABLES.values())
    return {table: len(rows) for table, rows in changed.items()}


def _redact_lake(
    con: Any,
    root: Path,
    table: lake.LakeTable,
    texts: tuple[str, ...],
    redactor: Redactor,
    how: Callable[..., tuple],
    hint: str,
) -> set:
    """A lake table's stored rows redacted, in the caller's transaction: the `texts` columns of
    the rows whose text matches `hint` (a regex of what redaction could change) go through
    `how`; the day files holding changed rows are written again and committed in their place
    (settled by the caller). Returns the rows changed (file, row number)."""
    listed = ", ".join(texts)
    rows = con.execute(
        f"select filename, file_row_number, {listed} from {lake.keyed(con, root, table)}"
        f" where regexp_matches(concat_ws(chr(31), {listed}), ?)",
        [hint],
    ).fetchall()
    edits = [
        (filename, number, False, *new)
        for filename, number, *old in rows
        if (new := how(redactor, *old)) != tuple(old)
    ]
    if edits:
        names = ("filename", "file_row_number", "remove", *texts)
        con.register("redacted_rows", pa.table(_by_column(names, edits)))
        try:
            added, dropped = lake.rewrite(
                con, root, table, "select * from redacted_rows", texts, "redacted"
            )
        finally:
            con.unregister("redacted_rows")
        lake.commit(con, added, dropped, batch_id="redacted")
    return {(filename, number) for filename, number, *_ in edits}


def _stored_row(redactor: Redactor, how: str, text: str) -> str:
    """A stored row's text redacted; one nested too deep is redacted as text (it was stored
    before redaction existed, so it is kept, not moved to the quarantine)."""
    try:
        return getattr(redactor, how)(text)
    except TooDeepToRedact:
        return redactor.text(text)


def _by_column(names: tuple[str, ...], rows: list[tuple]) -> dict[str, list]:
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def _update(con: Any, table: str, columns: dict[str, list]) -> None:
    """Set columns of raw.<table> by rowid (``rid``), all rows in one statement."""
    if not columns["rid"]:
        return
    con.register("redacted_rows", pa.table(columns))
    try:
        sets = ", ".join(f"{c} = u.{c}" for c in columns if c != "rid")
        con.execute(
            f"update raw.{table} as t set {sets} from redacted_rows as u where t.rowid = u.rid"
        )
    finally:
        con.unregister("redacted_rows")
