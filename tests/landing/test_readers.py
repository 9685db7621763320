"""Readers turn bytes into good records or quarantined ones, with a reason, never dropping."""

import orjson
import pytest

from ingest.landing.readers import read_events, read_submissions, unflatten


def event(**overrides):
    base = {
        "id": "6568a1f1c3e2b94d1a7f0002",
        "type": "recipient",
        "outcome": "success",
        "start_timestamp": 1701355505120,
        "vars": {"lead": {"id": "6568a1f0c3e2b94d1a7f0001"}},
    }
    base.update(overrides)
    return orjson.dumps(base)


def test_ndjson_good_and_bad_lines_all_accounted_for():
    data = b"\n".join(
        [
            event(),
            b"",  # blank lines are not records
            b'{"id": "truncated',
            event()[:20] + b"\xff\xfe" + event()[20:],
            event(id=None),
            event(vars={"lead": {}}),
            b"[1, 2]",
            event(id="6568a1f1c3e2b94d1a7f0009", start_timestamp=None, end_timestamp=1701355505999),
        ]
    )
    result = read_events("batch.ndjson", data)
    assert [r.event_id for r in result.records] == [
        "6568a1f1c3e2b94d1a7f0002",
        "6568a1f1c3e2b94d1a7f0009",
    ]
    assert result.records[1].event_at_ms == 1701355505999
    reasons = {q.line: q.reason for q in result.quarantined}
    assert reasons[3].startswith("malformed JSON")
    assert reasons[4].startswith("invalid UTF-8")
    assert reasons[5] == "missing event id"
    assert reasons[6] == "missing lead id (vars.lead.id)"
    assert reasons[7].startswith("not a JSON object")
    assert result.read == 7
    # the original bytes are kept for every quarantined record
    assert b"\xff\xfe" in next(q.raw for q in result.quarantined if q.line == 4)


def test_payload_is_the_original_bytes():
    raw = (
        b'{"id":"6568a1f1c3e2b94d1a7f0002","type":"source","start_timestamp":1701355505120,'
        b'"extra_field":{"x":1},"vars":{"lead":{"id":"L1"}}}'
    )
    result = read_events("x.ndjson", raw)
    assert result.records[0].payload == raw  # byte for byte, as read: no str copy is made


@pytest.mark.parametrize(
    "bad",
    [b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf4\x90\x80\x80", b"\xff"],
    ids=["encoded-surrogate", "overlong", "lone-continuation", "above-u10ffff", "ff"],
)
def test_text_that_is_not_utf8_is_quarantined_as_such_not_stored(bad):
    # the payload is stored as the bytes read: whatever is not strict UTF-8 must never get there
    line = event()[:-1] + b', "note": "' + bad + b'"}'  # valid JSON but for the bytes
    for name, data in (("x.ndjson", line), ("x.json", line)):
        result = read_events(name, data)
        assert not result.records
        assert result.quarantined[0].reason.startswith("invalid UTF-8 at byte"), name
    submission = b'{"lead_id": "L", "fields": {"a": "' + bad + b'"}}'
    assert read_submissions("s.ndjson", submission).quarantined[0].reason.startswith("invalid UTF")


def test_firehose_file_is_one_pretty_printed_event():
    data = orjson.dumps(orjson.loads(event()), option=orjson.OPT_INDENT_2)
    result = read_events("lead/6568a1f1c3e2b94d1a7f0002.json", data)
    assert len(result.records) == 1 and not result.quarantined


def test_events_csv_export_is_unflattened():
    data = (
        b"id,type,outcome,start_timestamp,vars.lead.id,vars.lead.email,vars.flow.name\n"
        b"6568a1f1c3e2b94d1a7f0002,source,success,2023-11-30 14:45:05,L1,a@b.com,Auto\n"
        b"6568a1f1c3e2b94d1a7f0003,source,success,2023-11-30 14:45:05,,a@b.com,Auto\n"
    )
    result = read_events("export.csv", data)
    assert len(result.records) == 1
    payload = orjson.loads(result.records[0].payload)
    assert payload["vars"]["lead"] == {"id": "L1", "email": "a@b.com"}
    assert result.records[0].event_at_ms == 1701355505000
    assert result.quarantined[0].line == 3
    assert result.quarantined[0].reason == "missing lead id (vars.lead.id)"


def test_submissions_ndjson_and_csv():
    ndjson = b"\n".join(
        [
            orjson.dumps(
                {
                    "lead_id": "L1",
                    "submitted_at": "2026-11-01T10:00:00.000Z",
                    "flow_name": "Auto",
                    "fields": {"email": "A@B.com"},
                }
            ),
            orjson.dumps({"submitted_at": "2026-11-01T10:00:00.000Z", "fields": {}}),
            orjson.dumps({"lead_id": "L3", "submitted_at": "yesterday", "fields": {}}),
        ]
    )
    result = read_submissions("s.ndjson", ndjson)
    assert [r.lead_id for r in result.records] == ["L1"]
    assert orjson.loads(result.records[0].fields) == {"email": "A@B.com"}
    assert [q.reason for q in result.quarantined] == [
        "missing lead_id",
        "submitted_at is not a timestamp: 'yesterday'",
    ]

    csv_data = (
        b"lead_id,submitted_at,flow_name,source_name,email,phone_1\n"
        b"L1,2026-11-01T10:00:00Z,Auto,Src,a@b.com,\n"
        b"L2,2026-11-01T10:00:00Z,Auto\n"
        b"L3,2026-11-01T10:00:00Z,Auto,Src,\xff@b.com,555\n"
    )
    result = read_submissions("s.csv", csv_data)
    assert [r.lead_id for r in result.records] == ["L1"]
    assert orjson.loads(result.records[0].fields) == {"email": "a@b.com"}
    assert [(q.line, q.reason) for q in result.quarantined] == [
        (3, "CSV row has a different number of columns than the header"),
        (4, "invalid UTF-8 in CSV row"),
    ]
    assert result.quarantined[1].raw == b"L3,2026-11-01T10:00:00Z,Auto,Src,\xff@b.com,555"


def test_unflatten():
    assert unflatten({"a.b": "1", "a.c": "2", "d": "", "e": "3"}) == {
        "a": {"b": "1", "c": "2"},
        "e": "3",
    }
