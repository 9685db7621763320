"""Redaction at landing (ingest/landing/redact.py) and the HMAC key (ingest/landing/hmac_key.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import stat

import duckdb
import orjson
import pytest

from ingest.landing import lake
from ingest.landing.hmac_key import (
    SECRET_KEY_ENV,
    SecretKey,
    SecretKeyError,
    key_path,
    load_key,
)
from ingest.landing.land import land
from ingest.landing.redact import Redactor

KEY = SecretKey(b"s" * 32, "test")
SSN = "123456789"
SPELLINGS = ["123456789", "123-45-6789", "123 45 6789", "123.45.6789", "123%2D45%2D6789",
             "123+45+6789", "123%2045%206789"]  # fmt: skip


def keyed(value: str) -> str:
    return hmac.new(KEY.secret, value.encode(), hashlib.sha256).hexdigest()


def event(lead: dict, **extra) -> str:
    return json.dumps({"id": "a" * 24, "type": "source", "vars": {"lead": {"id": "L", **lead}},
                       **extra})  # fmt: skip


@pytest.fixture
def redactor() -> Redactor:
    return Redactor(KEY, ["tax_id_acme", "borrower.tax_id"])


@pytest.mark.parametrize("name", ["ssn", "SSN", "social_security_number", "SocialSecurityNo",
                                  "spouse_ssn", "tax_id_acme", "TAX_ID_ACME"])  # fmt: skip
def test_a_lead_field_holding_an_ssn_becomes_its_redaction_object(redactor, name):
    out = json.loads(redactor.event(event({name: "123-45-6789", "email": "a@b.co"})))
    assert out["vars"]["lead"][name] == {
        "redacted": "ssn", "masked": "***-**-6789", "valid": True, "hash": keyed(SSN)
    }  # fmt: skip
    assert out["vars"]["lead"]["email"] == "a@b.co"


def test_a_parsed_value_keeps_leadconduit_valid_and_loses_every_digit_group(redactor):
    value = {"normal": SSN, "raw": "123 45 6789", "valid": True, "first_three": "123",
             "middle_two": "45", "last_four": "6789", "masked": "***-**-6789"}  # fmt: skip
    out = json.loads(redactor.event(event({"ssn": value})))["vars"]["lead"]["ssn"]
    assert out == {"redacted": "ssn", "masked": "***-**-6789", "valid": True,
                   "hash": keyed(SSN), "lc_valid": True}  # fmt: skip


def test_an_invalid_ssn_is_hashed_as_given_and_fully_starred(redactor):
    out = json.loads(redactor.event(event({"ssn": "12-345"})))["vars"]["lead"]["ssn"]
    assert out == {"redacted": "ssn", "masked": "**-***", "valid": False, "hash": keyed("12-345")}


def test_every_spelling_is_masked_everywhere_else_in_the_record(redactor):
    bodies = [f"a=1&x={s}&b=2" for s in SPELLINGS]
    text = event(
        {"ssn": "123-45-6789"},
        appended={"bureau": {"note": "applicant 123 45 6789 checked", "id_number": 123456789}},
        transactions=[{"request": {"body": b, "uri": f"https://x.example/?q={b}"},
                       "response": {"body": json.dumps({"applicant": {"tin": SSN}})}}
                      for b in bodies],
    )  # fmt: skip
    out = redactor.event(text)
    assert not any(s in out for s in SPELLINGS), out
    parsed = json.loads(out)
    assert parsed["appended"]["bureau"]["note"] == "applicant ***-**-6789 checked"
    assert parsed["appended"]["bureau"]["id_number"] == "***-**-6789"  # was a JSON number
    assert {t["request"]["body"] for t in parsed["transactions"]} == {"a=1&x=***-**-6789&b=2"}
    assert json.loads(parsed["transactions"][0]["response"]["body"]) == {
        "applicant": {"tin": "***-**-6789"}
    }


def test_ssns_next_to_ssn_keys_in_bodies_are_found_without_a_lead_field(redactor):
    text = event(
        {"email": "a@b.co"},
        transactions=[
            {"request": {"body": "first=Ann&SSN=987%2D65%2D4321"},
             "response": {"body": '<r><social_security_number>555 44 3333</social_security'
                                  "_number><echo>555443333</echo></r>"}},
            {"request": {"body": '{"applicant": {"ssn": "222334444"}}'},
             "response": {"body": "ok 222334444"}},
        ],
    )  # fmt: skip
    out = redactor.event(text)
    for clear in ("987%2D65%2D4321", "555 44 3333", "555443333", "222334444"):
        assert clear not in out
    assert "first=Ann&SSN=***-**-4321" in out and "<echo>***-**-3333</echo>" in out


def test_values_under_ssn_keys_outside_the_lead_are_masked_whole(redactor):
    out = json.loads(
        redactor.event(event({}, credit={"borrower": {"tax_id": "111223333", "ok": True}}))
    )
    assert out["credit"]["borrower"] == {"tax_id": "***-**-3333", "ok": True}


def test_an_unlabelled_dashed_ssn_is_masked_but_phones_dates_and_ids_are_not(redactor):
    text = event({"phone_1": "512-789-1111", "comments": "call re 078-05-1120"},
                 expires_at="2027-01-24T00:53:07.908Z", host="app-123456789")  # fmt: skip
    out = json.loads(redactor.event(text))
    assert out["vars"]["lead"]["comments"] == "call re ***-**-1120"
    assert out["vars"]["lead"]["phone_1"] == "512-789-1111"
    assert out["expires_at"] == "2027-01-24T00:53:07.908Z" and out["host"] == "app-123456789"


def test_a_record_without_ssns_keeps_its_text_byte_for_byte(redactor):
    text = '{"id": "x",  "vars": {"lead": {"id": "L", "zip": "787514424", "n": 1.50}}}'
    assert redactor.event(text) is text or redactor.event(text) == text
    classname = '{"classname": "123456789", "vars": {"lead": {"id": "L"}}}'
    assert redactor.event(classname) == classname  # "ssn" in a word is no SSN key


@pytest.mark.parametrize("as_read", [str, str.encode], ids=["str", "utf8-bytes"])
def test_the_fast_check_passes_over_dates_of_birth_but_not_over_ssns(redactor, as_read):
    # landing hands the check the bytes it read (ASCII ones take the bytes patterns); stored
    # rows come back as str: the answers are the same
    def may_hold(text: str) -> bool:
        return redactor.may_hold(as_read(text))

    # a date of birth 12-19-1968 looks like the end of ddd-dd-dddd: not a reason to parse
    assert not may_hold(event({"dob": "12-19-1968", "note": "x-01-2024"}))
    for text in ("078-05-1120", "re 078-05-1120.", "a 12-19-1968 b 078-05-1120", "%2d078-05-1120"):
        assert may_hold(text), text
    assert not may_hold("1078-05-11201") and not may_hold("78-05-1120")
    # key words in any case, in ASCII and in other texts (ASCII takes a faster path)
    for text in ('{"SsN": 1}', '{"Social_Security": 1}', '{"TAX_ID_ACME": 1}', '{"ß": "SSN"}',
                 '{"S_S_N": 1}', '{"ß": 1, "s s n no" : 2}', '{"ß": "078-05-1120"}'):  # fmt: skip
        assert may_hold(text), text
    for text in ('{"ß": "classy"}', '{"s_s_n x": 1}', '{"sn": "s"}', '{"ß": "12-19-1968"}'):
        assert not may_hold(text), text


def test_bytes_in_bytes_out_with_the_same_redaction(redactor):
    lead = {"id": "L", "ssn": "123-45-6789", "note": "ünïcode"}  # not ASCII: the str path
    text = json.dumps({"vars": {"lead": lead}, "body": "ssn=123-45-6789"}, ensure_ascii=False)
    clear = json.dumps({"vars": {"lead": {"id": "L", "note": "ünïcode"}}}, ensure_ascii=False)
    assert redactor.event(text.encode()) == redactor.event(text).encode()
    assert redactor.event(text.encode()) != text.encode()
    assert redactor.event(clear.encode()) == clear.encode()
    fields = json.dumps({"SSN": SSN, "city": "Zurich"})  # ASCII: the bytes path
    assert (
        redactor.submission_fields(fields.encode()) == redactor.submission_fields(fields).encode()
    )


@pytest.mark.parametrize("name", ["S_S_N", "S S N", "Ss-N", "s_s_n_no"])
def test_an_ssn_key_spelled_apart_is_redacted_too(redactor, name):
    out = json.loads(redactor.event(event({name: SSN, "city": "Austin"})))
    assert out["vars"]["lead"][name]["masked"] == "***-**-6789"
    assert out["vars"]["lead"][name]["hash"] == keyed(SSN)
    fields = json.loads(redactor.submission_fields(json.dumps({name: SSN})))
    assert fields[name]["masked"] == "***-**-6789"


def test_redaction_is_idempotent(redactor):
    once = redactor.event(event({"ssn": "123-45-6789", "SSN": {"raw": SSN, "valid": True}}))
    assert redactor.event(once) == once


def test_submission_fields_are_the_lead_fields(redactor):
    out = json.loads(redactor.submission_fields(json.dumps({"Social_Security_Number": SSN})))
    assert out["Social_Security_Number"]["hash"] == keyed(SSN)


def test_quarantined_bytes(redactor):
    malformed = b'{"id": "x", "vars": {"lead": {"ssn": "123-45-6789", "n": 123456789 \xff'
    out = redactor.quarantined(malformed, ("vars", "lead"))
    assert out == b'{"id": "x", "vars": {"lead": {"ssn": "***-**-6789", "n": ***-**-6789 \xff'
    # a bad CSV row: no key says what a value is, so every SSN-shaped run is masked
    row = b"6adea473e451b59cc4e01fdb,Ann,987654321,987 65 4321,5127891111,4f1a123456789b"
    assert redactor.quarantined(row, ("vars", "lead")) == (
        b"6adea473e451b59cc4e01fdb,Ann,***-**-4321,***-**-4321,5127891111,4f1a123456789b"
    )
    # a JSON object (quarantined for a missing id) is redacted like a record
    record = orjson.dumps({"vars": {"lead": {"ssn": SSN}}})
    out = orjson.loads(redactor.quarantined(record, ("vars", "lead")))
    assert out["vars"]["lead"]["ssn"]["masked"] == "***-**-6789"


def test_landing_redacts_events_submissions_and_quarantine(tmp_path, redactor):
    events = tmp_path / "landing" / "events"
    events.mkdir(parents=True)
    good = event({"SSN": "123-45-6789"}, start_timestamp=1792975987905)
    (events / "a.ndjson").write_text(good + '\n{"broken": "ssn=123-45-6789"\n')
    (events / "b.csv").write_text(
        "id,type,start_timestamp,vars.lead.id,vars.lead.social_security_number\n"
        f"{'b' * 24},source,1792975987905,L2,{SSN}\n"
        "short,row\n"
    )
    submissions = tmp_path / "landing" / "submissions"
    submissions.mkdir()
    (submissions / "s.ndjson").write_text(
        json.dumps({"lead_id": "L", "submitted_at": 1792975987905, "fields": {"ssn": SSN}}) + "\n"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for dataset in ("events", "submissions"):
        assert land(con, tmp_path / "landing", dataset, redactor=redactor).reconciles
    dump = str(con.execute("select * from raw.lead_events").fetchall())
    dump += str(con.execute("select * from raw.lead_submissions").fetchall())
    dump += str(con.execute("select * from raw.quarantine").fetchall())
    assert not any(s in dump for s in SPELLINGS)
    assert dump.count(keyed(SSN)) == 3  # the two events' lead fields and the submission's


def test_landing_without_a_redactor_uses_the_homes_key(tmp_path, monkeypatch):
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    events = tmp_path / "landing" / "events"
    events.mkdir(parents=True)
    (events / "a.ndjson").write_text(event({"ssn": SSN}, start_timestamp=1792975987905) + "\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    land(con, tmp_path / "landing", "events")
    payload = json.loads(con.execute("select payload from raw.lead_events").fetchone()[0])
    secret = key_path(tmp_path).read_text().strip().encode()
    digest = hmac.new(secret, SSN.encode(), hashlib.sha256).hexdigest()
    assert payload["vars"]["lead"]["ssn"]["hash"] == digest


# ------------------------------------------------------------------------------- the HMAC key


def test_the_key_is_generated_once_private_and_stable(tmp_path):
    first = load_key(tmp_path, environ={})
    path = key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first.secret) == 64 and first.origin == str(path)
    assert load_key(tmp_path, environ={}) == first
    assert load_key(tmp_path / "other", environ={}) != first  # random, not a public default
    assert first.secret.decode() not in repr(first) and "hidden" in str(first)


def test_a_key_readable_by_others_is_made_private(tmp_path):
    load_key(tmp_path, environ={})
    key_path(tmp_path).chmod(0o644)
    load_key(tmp_path, environ={})
    assert stat.S_IMODE(key_path(tmp_path).stat().st_mode) == 0o600


def test_the_environment_key_wins_and_must_be_long(tmp_path):
    key = load_key(tmp_path, environ={SECRET_KEY_ENV: "x" * 40})
    assert key.secret == b"x" * 40 and key.origin == SECRET_KEY_ENV
    assert not key_path(tmp_path).exists()  # nothing written when the environment gives it
    with pytest.raises(SecretKeyError, match="shorter than 32"):
        load_key(tmp_path, environ={SECRET_KEY_ENV: "short"})


def test_a_damaged_key_file_says_what_to_do(tmp_path):
    key_path(tmp_path).parent.mkdir(parents=True)
    key_path(tmp_path).write_text("")
    with pytest.raises(SecretKeyError, match="restore it from a backup"):
        load_key(tmp_path, environ={})


def _load_in_child(home: str, queue) -> None:
    from pathlib import Path

    queue.put(load_key(Path(home), environ={}).secret)


def test_concurrent_first_runs_agree_on_one_key(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    children = [context.Process(target=_load_in_child, args=(str(tmp_path), queue))
                for _ in range(4)]  # fmt: skip
    for child in children:
        child.start()
    secrets = {queue.get(timeout=60) for _ in children}
    for child in children:
        child.join()
    assert len(secrets) == 1
    assert load_key(tmp_path, environ={}).secret in secrets


def test_rows_stored_before_redaction_existed_are_redacted_once(tmp_path, redactor):
    from ingest.landing import raw_store
    from ingest.landing.redact import redact_stored

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    raw_store.ensure_raw_schema(con)
    old = event({"ssn": "123-45-6789"}, transactions=[{"request": {"body": f"ssn={SSN}"}}])
    con.execute(
        "create temp table old_events as"
        " select 'e1', 'L', 'source', null, timestamp '2026-10-01', date '2026-10-01', ?, 'f', 1,"
        " 'b', timestamp '2026-10-01' union all"
        " select 'e2', 'M', 'source', null, timestamp '2026-10-01', date '2026-10-01', ?, 'f', 2,"
        " 'b', timestamp '2026-10-01'",
        [old, event({"email": "a@b.co"})],
    )
    raw_store.store_rows(con, "lead_events", "select * from old_events")
    raw_store.insert_quarantine(con, [("events", "f", 3, "malformed JSON: x",
                                       b'{"ssn": "123-45-6789"', "b")])  # fmt: skip
    con.execute("create schema typed")
    con.execute("create table typed.watermark as select timestamp '2026-10-01' as loaded_through")
    (tmp_path / "landing").mkdir()
    land(con, tmp_path / "landing", "events", redactor=redactor)
    dump = str(con.execute("select * from raw.lead_events").fetchall())
    dump += str(con.execute("select * from raw.quarantine").fetchall())
    assert not any(s in dump for s in SPELLINGS)
    assert keyed(SSN) in dump and "a@b.co" in dump
    # the lake keeps no file of the rows before (the replaced day file is deleted)
    files = sorted(lake.root_of(con).rglob("*.parquet"))
    assert [p.name.startswith("part-redacted-") for p in files] == [True]
    assert SSN not in str(con.execute(f"select * from '{files[0]}'").fetchall())
    assert con.execute("select count(*) from typed.watermark").fetchone()[0] == 0
    assert redact_stored(con, redactor) == {}  # done once


def _old_warehouse(
    path,
    version: int | None,
    lead: dict,
    fields: str | None = None,
    flow: str | None = None,
    payload: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A warehouse redacted by `version` (None: before redaction existed) that holds `lead` in
    clear in a current event, a superseded event and a submission (its fields: `fields`, else
    `lead`; its flow name `flow`; the current event's payload `payload`, else of `lead`), and a
    typed watermark. Its raw rows were tables, as before
    the lake: opened, they move to the lake."""
    from ingest.landing import raw_store

    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(
        "create table raw.lead_submissions (lead_id varchar, submitted_at timestamp,"
        " submitted_date date, account_id varchar, account_name varchar, flow_id varchar,"
        " flow_name varchar, source_id varchar, source_name varchar, fields varchar,"
        " source_file varchar, source_line integer, batch_id varchar, ingested_at timestamp)"
    )
    events = (
        "event_id varchar, lead_id varchar, event_type varchar, outcome varchar,"
        " event_at timestamp, event_date date, payload varchar, source_file varchar,"
        " source_line integer, batch_id varchar, ingested_at timestamp"
    )
    con.execute(f"create table raw.lead_events ({events})")
    con.execute(
        f"create table raw.superseded_events ({events}, superseded_at timestamp,"
        " superseded_by_batch varchar)"
    )
    con.execute(raw_store.RAW_DDL)
    columns = "'e1', 'L', 'source', null, timestamp '2026-10-01', date '2026-10-01'"
    stamps = "'f', 1, 'b', timestamp '2026-10-01'"
    con.execute(
        f"insert into raw.lead_events values ({columns}, ?, {stamps})", [payload or event(lead)]
    )
    con.execute(
        f"insert into raw.superseded_events values ({columns}, ?, {stamps}, now(), 'b2')",
        [event({**lead, "email": "old@b.co"})],
    )
    con.execute(
        "insert into raw.lead_submissions values ('L', timestamp '2026-10-01', date '2026-10-01',"
        f" null, null, null, ?, null, null, ?, {stamps})",
        [flow, fields or json.dumps(lead)],
    )
    raw_store.ensure_raw_schema(con)
    con.execute("create table raw.redaction_state (version integer, redacted_at timestamp)")
    if version is not None:
        con.execute("insert into raw.redaction_state values (?, now())", [version])
    con.execute("create schema typed")
    con.execute("create table typed.watermark as select timestamp '2026-10-01' as loaded_through")
    return con


def _raw_dump(con) -> str:
    return "".join(
        str(con.execute(f"select * from raw.{table}").fetchall())
        for table in ("lead_events", "superseded_events", "lead_submissions")
    )


@pytest.mark.parametrize("key", ["S_S_N", "s s n", "Ss-N_No"])
def test_a_warehouse_redacted_by_version_1_loses_its_spelled_apart_ssn_keys(
    tmp_path, redactor, key
):
    """Version 1 of the stored-rows pass found rows by key words and ddd-dd-dddd only, so a key
    spelling "ssn" apart with an undashed value stayed in clear (in every raw table), and it
    skipped the superseded versions of events."""
    from ingest.landing.redact import redact_stored

    con = _old_warehouse(tmp_path / "w.duckdb", 1, {key: SSN})
    (tmp_path / "landing").mkdir()
    land(con, tmp_path / "landing", "events", redactor=redactor)
    dump = _raw_dump(con)
    assert SSN not in dump and dump.count(keyed(SSN)) == 3, dump
    assert "old@b.co" in dump  # the superseded version is kept, redacted
    assert con.execute("select count(*) from typed.watermark").fetchone()[0] == 0  # re-parse
    assert redact_stored(con, redactor) == {}


def test_a_warehouse_with_nothing_left_to_redact_keeps_its_typed_watermark(tmp_path, redactor):
    from ingest.landing.redact import redact_stored

    con = _old_warehouse(tmp_path / "w.duckdb", 1, {"email": "a@b.co"})
    assert redact_stored(con, redactor) == {
        "lead_events": 0, "superseded_events": 0, "lead_submissions": 0, "quarantine": 0
    }  # fmt: skip
    assert con.execute("select count(*) from typed.watermark").fetchone()[0] == 1


# ----------------------------------------------------------- what hides an SSN from a parser


def test_a_key_twice_keeps_no_ssn_in_its_first_value(redactor):
    """orjson keeps a duplicated key's last value and DuckDB's JSON functions its first: the
    stored text holds neither the first value nor anything DuckDB could read back in clear."""
    text = ('{"id": "x", "vars": {"lead": {"id": "L", "ssn": "111223333", "ssn": null}},'
            ' "appended": {"ssn": "111-22-4444", "ssn": true}}')  # fmt: skip
    out = redactor.event(text)
    assert "111223333" not in out and "4444" not in out, out
    assert duckdb.execute("select ?::json->>'$.vars.lead.ssn'", [out]).fetchone()[0] is None
    quarantined = redactor.quarantined(b'{"ssn": "123456789", "ssn": null}', ("vars", "lead"))
    assert SSN not in quarantined.decode()
    # without a key twice, a record with nothing to redact keeps its text
    assert redactor.event('{"classname":  "x", "b": 1}') == '{"classname":  "x", "b": 1}'


def test_an_ssn_used_as_a_key_is_masked(redactor):
    text = event({"ssn": SSN}, appended={"credit": {"results": {SSN: {"score": 700}}}},
                 notes={"111-22-8888": "x"})  # fmt: skip
    out = json.loads(redactor.event(text))
    assert list(out["appended"]["credit"]["results"]) == ["***-**-6789"]
    assert list(out["notes"]) == ["***-**-8888"]


def test_json_escapes_do_not_hide_a_key_or_a_dash(redactor):
    text = ('{"id": "x", "vars": {"lead": {"id": "L", "\\u0073sn": "111225555"}},'
            ' "notes": "111\\u002d22\\u002d6666"}')  # fmt: skip
    assert json.loads(text)["vars"]["lead"]["ssn"] == "111225555"  # what a parser reads
    for as_read in (text, text.encode()):
        out = redactor.event(as_read)
        out = out.decode() if isinstance(out, bytes) else out
        parsed = json.loads(out)
        assert parsed["vars"]["lead"]["ssn"]["hash"] == keyed("111225555")
        assert parsed["notes"] == "***-**-6666"


def test_digits_of_other_scripts_under_an_ssn_key_are_starred(redactor):
    full_width, arabic_indic = "１１１２２７７７７", "١١١٢٢٧٧٧٧"
    out = json.loads(redactor.event(event({"ssn": full_width}, appended={"ssn": arabic_indic})))
    assert out["vars"]["lead"]["ssn"]["masked"] == "*" * 9
    assert out["appended"]["ssn"] == "*" * 9


def _deep(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_a_record_too_deep_to_redact_is_quarantined_not_a_stopped_batch(tmp_path, redactor):
    """orjson reads 1,024 levels but writes 254: an event with an SSN nested deeper than it can
    be written back stopped every landing run (nothing reached the manifest)."""
    events = tmp_path / "landing" / "events"
    events.mkdir(parents=True)
    lines = [
        event({"ssn": SSN}, start_timestamp=1792975987905, appended=json.loads(_deep(300))),
        event({"ssn": SSN}, start_timestamp=1792975987905, id="b" * 24),
        event({}, start_timestamp=1792975987905, id="c" * 24)[:-1] + f', "x": {_deep(990)}}}',
    ]
    (events / "deep.ndjson").write_text("\n".join(lines) + "\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = land(con, tmp_path / "landing", "events", redactor=redactor)
    assert report.reconciles and (report.total("loaded"), report.total("quarantined")) == (2, 1)
    reason, raw = con.execute("select reason, raw_text from raw.quarantine").fetchone()
    assert reason.startswith("nested too deep to redact")
    assert SSN not in raw and '"ssn": "***-**-6789"' in raw
    assert SSN not in str(con.execute("select payload from raw.lead_events").fetchall())
    # quarantined bytes nested too deep (a whole file, a broken line) are redacted as text
    deep = f'{{"ssn": "{SSN}", "x": {_deep(300)}}}'.encode()
    assert SSN.encode() not in redactor.quarantined(deep, ("vars", "lead"))


def test_a_submissions_other_columns_are_redacted(tmp_path, redactor):
    submissions = tmp_path / "landing" / "submissions"
    submissions.mkdir(parents=True)
    record = {"lead_id": "L", "submitted_at": 1792975987905, "account_name": "Acme",
              "source_name": "callback 123-45-6789", "flow_name": f"ssn: {SSN}",
              "fields": {"zip": "78751"}}  # fmt: skip
    (submissions / "s.ndjson").write_text(json.dumps(record) + "\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert land(con, tmp_path / "landing", "submissions", redactor=redactor).reconciles
    row = con.execute("select source_name, flow_name, account_name from raw.lead_submissions")
    assert row.fetchone() == ("callback ***-**-6789", "ssn: ***-**-6789", "Acme")


def test_a_warehouse_redacted_by_version_2_loses_what_hid_from_it(tmp_path, redactor):
    from ingest.landing.redact import redact_stored

    hidden = '{"id": "L", "ssn": "111223333", "ssn": null, "borrower_\\u0073sn": "222334444"}'
    con = _old_warehouse(
        tmp_path / "w.duckdb",
        2,
        {"email": "a@b.co"},
        fields=hidden,
        flow="ssn 333445555",
        payload=f'{{"vars": {{"lead": {hidden}}}}}',
    )
    changed = redact_stored(con, redactor)
    assert (changed["lead_events"], changed["lead_submissions"]) == (1, 1)  # fields and names
    dump = _raw_dump(con)
    assert not any(ssn in dump for ssn in ("111223333", "222334444", "333445555")), dump
    assert con.execute("select count(*) from typed.watermark").fetchone()[0] == 0
