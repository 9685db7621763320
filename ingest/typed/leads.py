"""The typed leads frame: one row per lead, every field parsed by its type into flat columns.

Input: a Polars frame with ``lead_id`` (str) and ``fields`` (str: the JSON text of an object
mapping field id -> value). A value may be a bare string, number or boolean, or an object that
LeadConduit already parsed (``{"normal", "raw", "valid", ...}``): its ``raw`` is parsed again
(``normal`` when it has no ``raw``) and LeadConduit's own ``valid`` is kept as
``<prefix>__lc_valid`` so that disagreements show. Lists are kept as their JSON text.

Output columns: ``lead_id``, then for every field that occurs in the data (registry order, then
unknown fields sorted by id) ``<prefix>__raw``, ``<prefix>__normal``, ``<prefix>__valid``,
``<prefix>__lc_valid`` and the type's components ``<prefix>__<component>`` (see
``ingest.typed.types``); the prefix is the field id with dots (and any other character that is not a
letter, digit or ``_``) as ``_``: ``vehicle_year__normal``, ``phone_1__area``.

Field ids are matched without case: ``ssn`` and ``SSN`` in the data are the one ``ssn`` field (the
first spelling with a value wins on a lead that has both).

Exceptions, for PII:

* ssn is never stored in clear: only ``ssn__valid``, ``ssn__lc_valid``, ``ssn__masked``
  (``***-**-6789``; every digit starred when invalid) and ``ssn__hash``, the HMAC-SHA256 (hex) of
  the 9 digits (of the value as given when it is not a valid SSN) under the warehouse's secret
  key (``ingest.landing.hmac_key``). Landing already replaced the value with its redaction object
  (``ingest.landing.redact``): these columns are read from it. A clear value (landed before
  redaction existed) is parsed and hashed here with the same key.
* dob is kept in the warehouse with ``dob__masked`` (``**/**/YYYY``) and ``dob__age_band``
  (``under 18``, ``18-24``, ``25-34``, ..., ``65+``); publishing withholds its raw, normal and age.

A field the registry does not know is kept as a string field (``raw``, ``normal``, ``valid``,
``lc_valid``) and reported in the drift report; the key ``id`` (the lead id LeadConduit puts in
``vars.lead``) is not a field. A ``fields`` text that is not a JSON object counts as a lead
without fields and is reported (``malformed_leads``).

JSON is flattened by DuckDB (one pass, all fields), parsing is Polars (``ingest.typed.types``).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from dataclasses import dataclass, field

import duckdb
import polars as pl

from ingest.landing.hmac_key import SecretKey, load_key
from ingest.landing.redact import REDACTED
from ingest.paths import get_paths
from ingest.typed.columns import SEP, age_band
from ingest.typed.contracts import validity_rates
from ingest.typed.fields import SSN_LIKE_TYPES, Field, FieldRegistry
from ingest.typed.types import parse
from ingest.warehouse import sql_literal


@dataclass
class TypedLeadsResult:
    #: One row per lead: ``lead_id`` and the flat field columns.
    frame: pl.DataFrame
    #: The fields in the frame, in column order.
    fields: list[Field]
    #: Schema drift: fields the registry does not know (``field_id``, ``prefix``, ``leads``).
    drift: pl.DataFrame
    #: Per-field validity (see ``ingest.typed.contracts.validity_rates``).
    validity: pl.DataFrame
    #: Leads whose ``fields`` was not a JSON object.
    malformed_leads: int = 0
    #: Every field id seen, with the number of leads that carry it.
    field_counts: dict[str, int] = field(default_factory=dict)
    #: Seconds spent: ``discover`` (field ids), ``json`` (flattening), ``parse:<field id>``.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def unknown_fields(self) -> dict[str, int]:
        return dict(zip(self.drift["field_id"], self.drift["leads"], strict=True))


def _json_path(field_id: str) -> str:
    """A JSON pointer (RFC 6901) to a top-level key: any key works, even "" or "a.b"."""
    return "/" + field_id.replace("~", "~0").replace("/", "~1")


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"set threads = {os.cpu_count() or 1}")
    # results of plain projections keep the input order (DuckDB's documented default)
    con.execute("set preserve_insertion_order = true")
    return con


def _discover(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Field id -> number of leads carrying it (one JSON pass)."""
    rows = con.sql(
        "select k, count(*) from (select unnest(try(json_keys(fields))) as k from leads_in) "
        "group by k"
    ).fetchall()
    return {k: int(n) for k, n in rows}


def _malformed(fields: pl.Series, unreadable: pl.Series | None) -> int:
    """Leads whose ``fields`` is not a JSON object: unreadable JSON (``unreadable``, from the
    extraction pass) or JSON that is no object."""
    not_object = ~fields.str.strip_chars_start().str.starts_with("{")
    bad = not_object if unreadable is None else (not_object | unreadable)
    return int((bad & fields.is_not_null()).sum())


def _objects(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """For JSON objects (values LeadConduit already parsed): (raw, valid). ``raw`` is the
    object's ``raw``, else its ``normal``, else its JSON text."""
    found = pl.DataFrame({"o": values}).select(
        raw=pl.coalesce(
            pl.col("o").str.json_path_match("$.raw"),
            pl.col("o").str.json_path_match("$.normal"),
            pl.col("o"),
        ),
        valid=pl.col("o")
        .str.json_path_match("$.valid")
        .str.to_lowercase()
        .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean),
    )
    return found.get_column("raw"), found.get_column("valid")


def _flatten(
    con: duckdb.DuckDBPyConnection, field_ids: list[str], fields: pl.Series
) -> tuple[dict[str, pl.Series], dict[str, pl.Series], pl.Series]:
    """(raw text, LeadConduit valid) per field, in lead order, and which leads' JSON could not
    be read.

    One JSON pass in DuckDB gives every field's value as text (strings unquoted, numbers,
    booleans and lists as JSON text, null as null). A value that starts with '{' may be an object
    (a value LeadConduit already parsed) or a string that starts with '{': DuckDB tells which, on
    those few leads only.
    """
    paths = [_json_path(f) for f in field_ids]
    path_list = ", ".join(sql_literal(p) for p in paths)
    selects = ", ".join(f"v[{i + 1}] as c{i}" for i in range(len(field_ids)))
    out = con.sql(
        f"select v is null as unreadable, {selects} from "
        f"(select try(json_extract_string(fields, [{path_list}])) as v from leads_in)"
    ).pl()
    names = [f"c{i}" for i in range(len(field_ids))]
    braces = out.select([pl.col(n).str.starts_with("{").fill_null(False).alias(n) for n in names])
    maybe = braces.select(pl.any_horizontal(pl.all()).alias("any")).to_series()
    types: pl.DataFrame | None = None
    if maybe.any():
        con.register("maybe_rows", pl.DataFrame({"fields": fields.filter(maybe)}))
        try:
            types = con.sql(f"select json_type(fields, [{path_list}]) as t from maybe_rows").pl()
        finally:
            con.unregister("maybe_rows")
    raws, lcs = {}, {}
    for i, field_id in enumerate(field_ids):
        raw = out.get_column(names[i])
        lc = pl.Series(f"lc{i}", [None] * out.height, dtype=pl.Boolean)
        if types is not None and braces.get_column(names[i]).any():
            is_object = types.select(pl.col("t").list.get(i) == "OBJECT").to_series()
            rows = maybe.arg_true().filter(is_object)
            if rows.len():
                obj_raw, obj_valid = _objects(raw.gather(rows))
                raw = raw.scatter(rows, obj_raw)
                lc = lc.scatter(rows, obj_valid)
        raws[field_id], lcs[field_id] = raw, lc
        out.drop_in_place(names[i])
    return raws, lcs, out.get_column("unreadable")


def _ssn_columns(
    item: Field, values: pl.Series, lc_valid: pl.Series, key: _LazyKey
) -> dict[str, pl.Series]:
    """ssn without clear text: from the redaction object landing wrote (masked, valid, keyed
    hash), or, for a clear value landed before redaction existed, parsed and hashed here."""

    parsed = parse("ssn", values)
    frame = pl.DataFrame(
        {"v": values, "lc": lc_valid, "valid": parsed.get_column("valid"),
         "masked": parsed.get_column("masked"), "normal": parsed.get_column("normal")}
    )  # fmt: skip

    def member(name: str) -> pl.Expr:
        return pl.col("v").str.json_path_match(f"$.{name}")

    redacted = (member("redacted") == REDACTED).fill_null(False)
    out = frame.select(
        valid=pl.when(redacted).then(member("valid") == "true").otherwise(pl.col("valid")),
        lc_valid=pl.when(redacted)
        .then(pl.when(member("lc_valid").is_not_null()).then(member("lc_valid") == "true"))
        .otherwise(pl.col("lc")),
        masked=pl.when(redacted).then(member("masked")).otherwise(pl.col("masked")),
        hash=pl.when(redacted).then(member("hash")),
        clear=pl.when(~redacted).then(pl.col("normal")),
    )
    clear = out.get_column("clear")
    digests = {value: key().digest(value) for value in clear.drop_nulls().unique().to_list()}
    hashed = clear.replace_strict(digests, default=None, return_dtype=pl.String)
    p = item.prefix + SEP
    return {
        f"{p}valid": out.get_column("valid"),
        f"{p}lc_valid": out.get_column("lc_valid"),
        f"{p}masked": out.get_column("masked"),
        f"{p}hash": out.get_column("hash").fill_null(hashed),
    }


class _LazyKey:
    """The HMAC key, read (or created) only when a clear SSN needs hashing."""

    def __init__(self, key: SecretKey | None) -> None:
        self._key = key

    def __call__(self) -> SecretKey:
        if self._key is None:
            self._key = load_key(get_paths().home)
        return self._key


def _coalesced(series: dict[str, pl.Series], spellings: list[str]) -> pl.Series:
    """The first non-null value of a field over its spellings (``ssn``, ``SSN``)."""
    out = series.pop(spellings[0])
    for other in spellings[1:]:
        out = out.zip_with(out.is_not_null(), series.pop(other))
    return out


#: Leads are parsed this many at a time (bounds the memory of the JSON flattening).
CHUNK_ROWS = 250_000


def _typed_chunk(
    con: duckdb.DuckDBPyConnection,
    chunk: pl.DataFrame,
    spellings: dict[Field, list[str]],
    default_region: str,
    timings: dict[str, float],
    key: _LazyKey,
) -> tuple[pl.DataFrame, int]:
    """The typed frame of a slice of the leads, and how many of them were malformed."""
    fields = list(spellings)
    con.register("leads_in", chunk.select("fields"))
    try:
        started = time.perf_counter()
        if fields:
            data_keys = [k for ids in spellings.values() for k in ids]
            raws, lcs, unreadable = _flatten(con, data_keys, chunk.get_column("fields"))
            raws = {f.id: _coalesced(raws, ids) for f, ids in spellings.items()}
            lcs = {f.id: _coalesced(lcs, ids) for f, ids in spellings.items()}
        else:
            raws, lcs = {}, {}
            unreadable = (
                con.sql("select try(json_keys(fields)) is null as u from leads_in")
                .pl()
                .get_column("u")
            )
        malformed = _malformed(chunk.get_column("fields"), unreadable)
        timings["json"] += time.perf_counter() - started

        columns: dict[str, pl.Series] = {"lead_id": chunk.get_column("lead_id")}
        for item in fields:
            started = time.perf_counter()
            p = item.prefix + SEP
            lc_valid = lcs.pop(item.id).rename(f"{p}lc_valid")
            if item.type in SSN_LIKE_TYPES:
                columns.update(_ssn_columns(item, raws.pop(item.id), lc_valid, key))
                timings[f"parse:{item.id}"] += time.perf_counter() - started
                continue
            options = {"default_region": default_region} if item.type == "phone" else {}
            parsed = parse(item.type, raws.pop(item.id), **options)
            timings[f"parse:{item.id}"] += time.perf_counter() - started
            for name in ("raw", "normal", "valid"):
                columns[f"{p}{name}"] = parsed.get_column(name)
            columns[f"{p}lc_valid"] = lc_valid
            for name in parsed.columns[3:]:
                columns[f"{p}{name}"] = parsed.get_column(name)
            if item.type == "dob":
                columns[f"{p}age_band"] = age_band(parsed.get_column("age"))
    finally:
        con.unregister("leads_in")
    frame = pl.DataFrame([series.rename(name) for name, series in columns.items()])
    return frame, malformed


def build_typed_leads(
    leads: pl.DataFrame,
    registry: FieldRegistry,
    *,
    default_region: str = "US",
    chunk_rows: int = CHUNK_ROWS,
    ssn_key: SecretKey | None = None,
) -> TypedLeadsResult:
    """Parse every field of every lead by its type (see the module docstring). ``ssn_key`` hashes
    clear SSNs (default: the key of ``$LEADWH_HOME``, read only when one is met)."""
    missing = {"lead_id", "fields"} - set(leads.columns)
    if missing:
        raise ValueError(f"leads frame lacks column(s) {sorted(missing)}")
    leads = leads.select(pl.col("lead_id").cast(pl.String), pl.col("fields").cast(pl.String))
    duplicated = leads.get_column("lead_id").is_duplicated().sum()
    if duplicated:
        raise ValueError(f"{duplicated} rows share a lead_id: the typed frame has one row a lead")

    timings: dict[str, float] = defaultdict(float)
    con = _connect()
    try:
        started = time.perf_counter()
        con.register("leads_in", leads.select("fields"))
        field_counts = _discover(con)
        con.unregister("leads_in")
        timings["discover"] = time.perf_counter() - started
        spellings = registry.spellings(field_counts)
        fields = list(spellings)
        key = _LazyKey(ssn_key)
        parts, malformed = [], 0
        for start in range(0, max(leads.height, 1), chunk_rows):
            part, bad = _typed_chunk(
                con, leads.slice(start, chunk_rows), spellings, default_region, timings, key
            )
            parts.append(part)
            malformed += bad
    finally:
        con.close()

    frame = pl.concat(parts, how="vertical", rechunk=False)
    unknown = [f for f in fields if not f.is_known]
    drift = pl.DataFrame(
        {
            "field_id": [f.id for f in unknown],
            "prefix": [f.prefix for f in unknown],
            "leads": [sum(field_counts[k] for k in spellings[f]) for f in unknown],
        },
        schema={"field_id": pl.String, "prefix": pl.String, "leads": pl.Int64},
    ).sort(["leads", "field_id"], descending=[True, False])
    return TypedLeadsResult(
        frame=frame,
        fields=fields,
        drift=drift,
        validity=validity_rates(frame, fields),
        malformed_leads=malformed,
        field_counts=field_counts,
        timings=dict(timings),
    )
