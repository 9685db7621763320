"""Personal data end to end, through Dagster: SSNs under several names and in several places of a
simulated operation are stored nowhere in clear (every table of the warehouse and of the serving
file, the exports, everything Dagster wrote under the home), their keyed hashes still join, and
dates of birth are served only masked or as an age band."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import stat
from pathlib import Path

import duckdb
import orjson
import pytest

from ingest.landing.hmac_key import key_path
from ingest.paths import Paths
from tests.conftest import build, environment, simulate_small

# One SSN per place it hides (9 digits each); every spelling of each must be gone.
SSNS = {
    "lead_ssn": "123456789",  # vars.lead.ssn, and the same lead's transaction bodies
    "lead_SSN_parsed": "234567890",  # vars.lead.SSN as a LeadConduit parsed object
    "custom_field": "345678901",  # vars.lead.tax_id_acme, a custom field of type ssn
    "appended": "456789012",  # vars.credit_bureau.applicant.social_security_number (a number)
    "submission": "567890123",  # a submission's Social_Security_Number
    "quarantined": "678901234",  # a malformed line
}
CUSTOM_FIELDS = """
- id: tax_id_acme
  type: ssn
- id: co_applicant.birth_date
  type: date
"""


def spellings(digits: str) -> list[str]:
    a, b, c = digits[:3], digits[3:5], digits[5:]
    return [digits, *(f"{a}{sep}{b}{sep}{c}" for sep in ("-", " ", ".", "+", "%2D", "%20"))]


CLEAR = re.compile("|".join(re.escape(s) for d in SSNS.values() for s in spellings(d)))


def rewrite_ndjson(path: Path, change) -> None:
    lines = []
    for line in path.read_bytes().splitlines():
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            lines.append(line)
            continue
        change(obj)
        lines.append(orjson.dumps(obj))
    path.write_bytes(b"\n".join(lines) + b"\n")


def plant_ssns(landing: Path) -> dict[str, str]:
    """Put the SSNs into the simulated files; returns the lead id of each place."""
    batches = sorted((landing / "events" / "batches").glob("*.ndjson"))
    first = orjson.loads(batches[0].read_bytes().splitlines()[0])
    lead_ids: list[str] = []
    for line in batches[0].read_bytes().splitlines():
        try:
            lead_id = orjson.loads(line)["vars"]["lead"]["id"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            continue
        if lead_id not in lead_ids:
            lead_ids.append(lead_id)
    leads = dict(zip(["lead_ssn", "lead_SSN_parsed", "custom_field", "appended", "submission"],
                     lead_ids, strict=False))  # fmt: skip
    assert len(leads) == 5 and first

    def change(event: dict) -> None:
        lead = event["vars"]["lead"]
        who = next((k for k, v in leads.items() if v == lead.get("id")), None)
        if who == "lead_ssn":
            lead["ssn"] = "123-45-6789"
            lead["spouse.dob"] = "3/4/1961"
            lead["co_applicant.birth_date"] = "1999-12-31"
            for transaction in event.get("transactions") or []:
                transaction["request"]["body"] = "first_name=Ann&ssn=123%2D45%2D6789&x=1"
                transaction["response"]["body"] = '{"applicant":{"SSN":"123456789"}}'
                transaction["request"]["uri"] += "?social_security_number=123+45+6789"
        elif who == "lead_SSN_parsed":
            parts = {"first_three": "234", "middle_two": "56", "last_four": "7890"}
            lead["SSN"] = {"normal": "234567890", "raw": "234 56 7890", "valid": True, **parts}
        elif who == "custom_field":
            lead["tax_id_acme"] = "345.67.8901"
        elif who == "appended":
            event["vars"]["credit_bureau"] = {"applicant": {"social_security_number": 456789012}}
            for transaction in event.get("transactions") or []:
                transaction["response"]["body"] = "<r><SSN>456 78 9012</SSN></r>"

    for path in batches:
        rewrite_ndjson(path, change)
    with batches[0].open("ab") as handle:  # a malformed line: quarantined, with its bytes
        handle.write(b'{"id": "broken", "vars": {"lead": {"ssn": "678-90-1234", "x": 678901234\n')

    def change_submission(submission: dict) -> None:
        if submission.get("lead_id") == leads["lead_ssn"]:
            submission["fields"]["ssn"] = "123456789"
        if submission.get("lead_id") == leads["submission"]:
            submission["fields"]["Social_Security_Number"] = "567-89-0123"

    for path in sorted((landing / "submissions").glob("*.ndjson")):
        rewrite_ndjson(path, change_submission)
    return leads


def clear_ssns_in_database(path: Path) -> dict[str, list[str]]:
    """Table -> the clear SSNs found in it, over every table and view of a DuckDB file."""
    found: dict[str, list[str]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database()"
        ).fetchall()
        assert tables
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            text = "\n".join(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for row in rows
                for v in row
            )
            hits = CLEAR.findall(text)
            if hits:
                found[f"{schema}.{table}"] = sorted(set(hits))
    return found


def clear_ssns_in_files(root: Path, skip: tuple[Path, ...]) -> dict[str, list[str]]:
    """File -> the clear SSNs (or given needles) in it, for every file under root but skip."""
    found = {}
    for path in root.rglob("*"):
        if not path.is_file() or any(path.is_relative_to(s) for s in skip):
            continue
        if path.suffix == ".duckdb":  # compressed pages: checked table by table instead
            continue
        hits = CLEAR.findall(path.read_bytes().decode("latin-1"))
        if hits:
            found[str(path.relative_to(root))] = sorted(set(hits))
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("pii")
    paths = Paths(home)
    simulate_small(paths.landing, faults=True, leads=60, days=2)
    leads = plant_ssns(paths.landing)
    config = home / "custom_fields.yaml"
    repo_config = Path(__file__).resolve().parents[2] / "config" / "custom_fields.yaml"
    config.write_text(repo_config.read_text() + CUSTOM_FIELDS)
    with environment(LEADWH_CUSTOM_FIELDS=str(config)):
        assert build(paths), "the build failed; see the Dagster log above"
        from ingest.ops.config import load_exports
        from ingest.serving.exports import run_export

        for spec in load_exports().exports:
            run_export(spec, paths.serving, home)
    return paths, leads


def test_the_landing_zone_really_holds_the_ssns(built):
    paths, _ = built
    found = clear_ssns_in_files(paths.landing, ())
    planted = {d for hits in found.values() for h in hits for d in SSNS.values()
               if re.sub(r"%2D|%20|\D", "", h) == d}  # fmt: skip
    assert planted == set(SSNS.values())  # so the scans below can find them


def test_no_clear_ssn_anywhere_in_the_warehouse_the_serving_file_exports_or_logs(built):
    paths, _ = built
    assert clear_ssns_in_database(paths.warehouse) == {}
    assert clear_ssns_in_database(paths.serving) == {}
    assert any(paths.exports.rglob("*.csv"))
    everything_else = clear_ssns_in_files(paths.home, (paths.landing,))
    assert everything_else == {}
    assert any(paths.dagster_home.rglob("*"))  # the run history was scanned too


def test_ssns_are_served_masked_with_a_keyed_hash(built):
    paths, leads = built
    key = key_path(paths.home)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text().strip()

    def keyed(digits: str) -> str:
        return hmac.new(secret.encode(), digits.encode(), hashlib.sha256).hexdigest()

    with duckdb.connect(str(paths.serving), read_only=True) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "select lead_id, ssn__masked, ssn__hash, tax_id_acme__masked,"
                " tax_id_acme__hash, social_security_number__masked from typed.leads"
            ).fetchall()
        }
        columns = [r[0] for r in con.execute("describe typed.leads").fetchall()]
    assert rows[leads["lead_ssn"]][:2] == ("***-**-6789", keyed("123456789"))
    assert rows[leads["lead_SSN_parsed"]][:2] == ("***-**-7890", keyed("234567890"))
    assert rows[leads["custom_field"]][2:4] == ("***-**-8901", keyed("345678901"))
    assert rows[leads["submission"]][4] == "***-**-0123"
    assert keyed("123456789") != hashlib.sha256(b"123456789").hexdigest()
    assert not [c for c in columns if re.match(r"(ssn|tax_id_acme|social_sec\w+)__(raw|normal)", c)]
    # the key itself is in no file but its own
    leaks = [
        p
        for p in paths.home.rglob("*")
        if p.is_file() and p != key and secret.encode() in p.read_bytes()
    ]
    assert leaks == []


def test_quarantined_and_appended_ssns_are_masked_where_they_were(built):
    paths, leads = built
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        quarantined = [r[0] for r in con.execute("select raw_text from raw.quarantine").fetchall()]
        payload = con.execute(
            "select payload from raw.lead_events where lead_id = ? and event_type = 'recipient'",
            [leads["appended"]],
        ).fetchone()[0]
    assert any('"ssn": "***-**-1234", "x": ***-**-1234' in text for text in quarantined)
    event = json.loads(payload)
    assert event["vars"]["credit_bureau"]["applicant"]["social_security_number"] == "***-**-9012"
    assert event["transactions"][0]["response"]["body"] == "<r><SSN>***-**-9012</SSN></r>"


def test_dates_of_birth_are_served_only_masked_or_as_an_age_band(built):
    paths, leads = built
    with duckdb.connect(str(paths.serving), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe typed.leads").fetchall()]
        row = con.execute(
            "select spouse_dob__masked, spouse_dob__age_band, co_applicant_birth_date__masked"
            " from typed.leads where lead_id = ?",
            [leads["lead_ssn"]],
        ).fetchone()
    for prefix in ("dob", "spouse_dob", "co_applicant_birth_date"):
        assert f"{prefix}__masked" in columns and f"{prefix}__age_band" in columns
        assert not {f"{prefix}__raw", f"{prefix}__normal", f"{prefix}__age"} & set(columns)
    assert row[0] == "**/**/1961" and row[1] == "65+" and row[2] == "**/**/1999"
