"""The field registry, the typed leads frame and its pandera contracts."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from ingest.landing.hmac_key import SecretKey
from ingest.landing.redact import Redactor
from ingest.typed.contracts import typed_leads_schema, validate_typed_leads, validity_rates
from ingest.typed.fields import (
    CUSTOM_FIELDS_PATH,
    STANDARD_FIELDS_PATH,
    FieldRegistryError,
    load_registry,
)
from ingest.typed.leads import build_typed_leads
from ingest.typed.types import TYPE_NAMES, parse

SHARED = Path(__file__).resolve().parents[3] / "shared" / "domain"  # shared/ beside the repo
EXAMPLES = SHARED / "examples"
SHARED_FIELDS = SHARED / "standard_fields.csv"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def leads_frame(*leads: dict | str | None) -> pl.DataFrame:
    texts = [lead if isinstance(lead, str | None) else json.dumps(lead) for lead in leads]
    return pl.DataFrame(
        {"lead_id": [f"lead{i}" for i in range(len(texts))], "fields": texts},
        schema={"lead_id": pl.String, "fields": pl.String},
    )


# ---------------------------------------------------------------------------------------------
# registry
def test_seed_is_the_shared_standard_fields():
    if SHARED_FIELDS.exists():
        assert STANDARD_FIELDS_PATH.read_text() == SHARED_FIELDS.read_text()


def test_registry_standard_and_custom_fields(registry):
    assert registry["email"].type == "email" and registry["email"].source == "standard"
    assert registry["phone_1"].type == "phone"
    assert registry["currently_insured_acme"].type == "boolean"
    assert registry["credit_rating_acme"].type == "range"
    assert registry["currently_insured_acme"].source == "custom"
    assert registry.type_of("boat.length") == "string"  # unknown
    assert "boat.length" not in registry
    assert all(f.type in TYPE_NAMES for f in registry)
    assert registry.custom_fields_path == CUSTOM_FIELDS_PATH


def test_registry_type_refinements(registry):
    assert registry["dob"].type == "dob" and registry["dob"].declared_type == "date"
    assert registry["spouse.dob"].type == "dob"
    assert registry["trustedform_cert_url"].type == "trustedform_url"
    assert registry["buyerzone.vendors"].type == "string"
    assert registry["buyerzone.vendors"].declared_type == "array"


def test_registry_prefixes_are_unique(registry):
    prefixes = [f.prefix for f in registry]
    assert len(prefixes) == len(set(prefixes))
    assert registry["mortgage.refi_purpose"].prefix == "mortgage_refi_purpose"
    assert registry["mortgage.refi.purpose"].prefix == "mortgage_refi_purpose_2"
    assert registry["loan.amount"].prefix == "loan_amount"


def test_unknown_and_reserved_ids(registry):
    assert registry.unknown(["email", "id", "boat.length", "zz"]) == ["boat.length", "zz"]
    order = registry.order(["zz", "email", "id", "boat.length", "first_name"])
    assert [f.id for f in order] == ["first_name", "email", "boat.length", "zz"]
    assert [f.source for f in order] == ["standard", "standard", "unknown", "unknown"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(text)
    return path


def test_custom_fields_file_errors(tmp_path):
    cases = {
        "- id: email\n  type: email\n": "standard field",
        "- id: a\n  type: telephone\n": "type 'telephone'",
        "- id: a\n  type: string\n- id: a\n  type: string\n": "twice",
        "- type: string\n": "'id'",
        "- id: id\n  type: string\n": "reserved",
        "fields: 1\n": "list",
        "- id: a\n  type: string\n  colour: red\n": "unexpected",
        "- [1, 2\n": "YAML",
    }
    for text, message in cases.items():
        with pytest.raises(FieldRegistryError, match=message):
            load_registry(write(tmp_path, text))
    with pytest.raises(FieldRegistryError, match="does not exist"):
        load_registry(tmp_path / "missing.yaml")


def test_custom_fields_file_and_env(tmp_path, monkeypatch):
    path = write(tmp_path, "- id: vehicle.year\n  type: number\n  label: Vehicle Year\n")
    registry = load_registry(path)
    assert registry["vehicle.year"].type == "number"
    assert registry["vehicle.year"].label == "Vehicle Year"
    assert "currently_insured_acme" not in registry
    monkeypatch.setenv("LEADWH_CUSTOM_FIELDS", str(path))
    assert load_registry()["vehicle.year"].type == "number"
    assert len(load_registry(write(tmp_path, ""))) == len(registry) - 1


# ---------------------------------------------------------------------------------------------
# typed leads frame
def example_leads() -> pl.DataFrame:
    rows = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        event = json.loads(path.read_text())
        lead = (event.get("vars") or {}).get("lead") or {}
        if len(lead) > 3:
            rows.append({"lead_id": event["id"], "fields": json.dumps(lead)})
    return pl.DataFrame(rows, schema={"lead_id": pl.String, "fields": pl.String})


@pytest.mark.skipif(not EXAMPLES.exists(), reason="shared examples not available")
def test_examples_typed(registry):
    result = build_typed_leads(example_leads(), registry)
    frame = result.frame
    row = frame.row(0, named=True)
    # the recipient event: phone_1 and email already parsed by LeadConduit
    assert row["phone_1__raw"] == "(512) 789-1111 (c)"
    assert row["phone_1__normal"] == "5127891111"
    assert row["phone_1__area"] == "512" and row["phone_1__type"] == "mobile"
    assert row["phone_1__valid"] is True and row["phone_1__lc_valid"] is True
    assert row["email__normal"] == "maria.gonzalez@example.com"
    assert row["email__host"] == "Example"
    assert row["state__normal"] == "TX" and row["state__name"] == "Texas"
    assert row["dob__normal"] == date(1986, 7, 4) and row["dob__masked"] == "**/**/1986"
    assert row["currently_insured_acme__normal"] is True
    assert row["vehicle_year__normal"] == 2019  # declared in config/custom_fields.yaml
    assert result.unknown_fields == {}
    assert "id__raw" not in frame.columns
    assert validate_typed_leads(frame, registry).ok


def test_bare_values_objects_and_odd_json(registry):
    frame = leads_frame(
        {"phone_1": "512-789-1111", "loan.amount": 5000, "mobile_opt_in": True,
         "first_name": 'Zoë "Z" \\ O\'Brien', "buyerzone.vendors": ["a", "b"],
         "email": None, "phone_2": {"normal": "5127891111", "valid": False}},
        {"phone_1": {"raw": "123-456-7890", "normal": "1234567890", "valid": True,
                     "area": "123"}, "last_name": "{not an object"},
        "not json at all",
        None,
        "[1, 2]",
        {},
    )  # fmt: skip
    result = build_typed_leads(frame, registry)
    out = result.frame
    assert out.height == 6 and out.get_column("lead_id").to_list() == frame["lead_id"].to_list()
    assert result.malformed_leads == 2
    first, second = out.row(0, named=True), out.row(1, named=True)
    assert first["loan_amount__raw"] == "5000" and first["loan_amount__normal"] == 5000.0
    assert first["mobile_opt_in__raw"] == "true" and first["mobile_opt_in__normal"] is True
    assert first["first_name__raw"] == 'Zoë "Z" \\ O\'Brien'
    assert first["buyerzone_vendors__raw"] == '["a","b"]'
    assert first["email__raw"] is None and first["email__valid"] is None
    assert first["phone_2__raw"] == "5127891111" and first["phone_2__lc_valid"] is False
    assert first["phone_2__valid"] is True
    assert first["phone_1__lc_valid"] is None
    assert second["phone_1__raw"] == "123-456-7890"
    assert second["phone_1__valid"] is False and second["phone_1__lc_valid"] is True
    assert second["last_name__raw"] == "{not an object"
    assert all(v is None for k, v in out.row(2, named=True).items() if k != "lead_id")
    rates = result.validity.filter(pl.col("field_id") == "phone_1").row(0, named=True)
    assert rates["present"] == 2 and rates["valid"] == 1 and rates["lc_disagreements"] == 1
    assert validate_typed_leads(out, registry).ok


def test_flat_column_names(registry):
    out = build_typed_leads(
        leads_frame({"boat.length": "2019", "phone_1": "5127891111", "loan.amount": "1"}),
        registry,
    ).frame
    assert {"boat_length__normal", "phone_1__area", "phone_1__valid", "phone_1__raw",
            "loan_amount__normal", "phone_1__lc_valid"} <= set(out.columns)  # fmt: skip
    assert all("." not in c for c in out.columns)
    # registered fields absent from the data are omitted
    assert not any(c.startswith("email__") for c in out.columns)


KEY = SecretKey(b"k" * 32, "test")


def keyed(value: str, key: SecretKey = KEY) -> str:
    return hmac.new(key.secret, value.encode(), hashlib.sha256).hexdigest()


def test_ssn_never_in_clear(registry):
    frame = leads_frame({"ssn": "123-45-6789"}, {"ssn": "12-34"}, {"first_name": "x"})
    out = build_typed_leads(frame, registry, ssn_key=KEY).frame
    ssn_columns = [c for c in out.columns if c.startswith("ssn__")]
    assert ssn_columns == ["ssn__valid", "ssn__lc_valid", "ssn__masked", "ssn__hash"]
    text = out.write_csv()
    assert "123456789" not in text and "123-45" not in text and "12-34" not in text
    row = out.row(0, named=True)
    assert row["ssn__masked"] == "***-**-6789"
    assert row["ssn__hash"] == keyed("123456789")
    # an unkeyed or publicly salted hash would fall to 10^5 guesses: not what is stored
    assert row["ssn__hash"] != hashlib.sha256(b"123456789").hexdigest()
    assert out.row(1, named=True)["ssn__masked"] == "**-**"
    assert out.row(2, named=True)["ssn__hash"] is None
    other = SecretKey(b"o" * 32, "test")
    rekeyed = build_typed_leads(frame, registry, ssn_key=other).frame.row(0, named=True)
    assert rekeyed["ssn__hash"] == keyed("123456789", other) != row["ssn__hash"]
    assert validate_typed_leads(out, registry).ok


def test_ssn_columns_come_from_the_redaction_landing_wrote(registry):
    """Landing replaced the value with {redacted, masked, valid, hash}: the typed columns are
    the same as for the clear value, and LeadConduit's own valid is kept as lc_valid."""
    redactor = Redactor(KEY)
    clear = [{"ssn": "123-45-6789"}, {"ssn": {"raw": "987 65 4321", "valid": False}},
             {"ssn": "12-34"}, {"ssn": None}]  # fmt: skip
    redacted = [json.loads(redactor.submission_fields(json.dumps(lead))) for lead in clear]
    assert "123-45-6789" not in json.dumps(redacted) and "987 65" not in json.dumps(redacted)
    from_clear = build_typed_leads(leads_frame(*clear), registry, ssn_key=KEY).frame
    from_redacted = build_typed_leads(leads_frame(*redacted), registry, ssn_key=KEY).frame
    assert from_redacted.equals(from_clear)
    assert from_redacted.get_column("ssn__lc_valid").to_list() == [None, False, None, None]
    assert validate_typed_leads(from_redacted, registry).ok


def test_field_ids_match_without_case(registry):
    assert registry["SSN"].id == "ssn" and "Email" in registry
    assert registry.type_of("Spouse.DOB") == "dob"
    out = build_typed_leads(
        leads_frame({"SSN": "123-45-6789", "EMAIL": "A@B.co"}, {"ssn": "111-22-3333"}),
        registry,
        ssn_key=KEY,
    )
    assert out.frame.get_column("ssn__masked").to_list() == ["***-**-6789", "***-**-3333"]
    assert out.frame.get_column("email__valid").to_list() == [True, None]
    assert out.drift.height == 0  # SSN and EMAIL are the registered fields, not drift


def test_prefixes_are_unique_without_case(registry):
    """DuckDB's column names ignore case: an unknown Vehicle_Year must not collide with the
    registered vehicle.year (prefix vehicle_year)."""
    out = build_typed_leads(leads_frame({"vehicle.year": "2019", "Vehicle_Year": "x"}), registry)
    lowered = [c.lower() for c in out.frame.columns]
    assert len(lowered) == len(set(lowered))
    assert {"vehicle_year__normal", "Vehicle_Year_2__raw"} <= set(out.frame.columns)


def test_unregistered_ssn_and_dob_names_are_typed_by_name(registry):
    out = build_typed_leads(
        leads_frame({"social_security_number": "123 45 6789", "co_applicant.dob": "1/2/1990"}),
        registry,
        ssn_key=KEY,
    )
    columns = set(out.frame.columns)
    assert "social_security_number__raw" not in columns
    assert out.frame.row(0, named=True)["social_security_number__hash"] == keyed("123456789")
    assert {"co_applicant_dob__masked", "co_applicant_dob__age_band"} <= columns
    assert validate_typed_leads(out.frame, registry).ok


def test_dates_of_birth_get_an_age_band(registry):
    out = build_typed_leads(
        leads_frame({"dob": "1/2/1950"}, {"spouse.dob": "2020-01-01"}, {"dob": "bad"}), registry
    ).frame
    assert out.get_column("dob__age_band").to_list() == ["65+", None, None]
    assert out.get_column("spouse_dob__age_band").to_list() == [None, "under 18", None]
    assert validate_typed_leads(out, registry).ok


def test_duplicate_lead_ids_are_an_error(registry):
    frame = pl.DataFrame({"lead_id": ["a", "a"], "fields": ["{}", "{}"]})
    with pytest.raises(ValueError, match="share a lead_id"):
        build_typed_leads(frame, registry)


def test_empty_input(registry):
    result = build_typed_leads(leads_frame(), registry)
    assert result.frame.columns == ["lead_id"] and result.frame.height == 0
    assert result.drift.height == 0


def test_typed_values_equal_parse(registry):
    values = ["(512) 789-1111", "nope", None, "+44 20 7946 0958", "512-789-****"]
    frame = leads_frame(*[{"phone_1": v} for v in values])
    out = build_typed_leads(frame, registry).frame
    expected = parse("phone", pl.Series(values, dtype=pl.String))
    for name in expected.columns:
        assert out.get_column(f"phone_1__{name}").to_list() == expected[name].to_list()


# ---------------------------------------------------------------------------------------------
# contracts
def test_schema_is_generated_from_the_registry(registry):
    schema = typed_leads_schema(registry)
    assert "lead_id" in schema.columns
    for item in registry:
        assert f"{item.prefix}__valid" in schema.columns
    assert schema.columns["phone_1__area"].dtype.type == pl.String
    assert schema.columns["loan_amount__normal"].dtype.type == pl.Float64
    assert "ssn__raw" not in schema.columns and "ssn__hash" in schema.columns


def test_contract_catches_parser_bugs(registry):
    good = build_typed_leads(
        leads_frame({"phone_1": "5127891111", "email": "a@b.co", "gender": "f"},
                    {"phone_1": "bad", "email": "bad", "gender": "?"}),
        registry,
    ).frame  # fmt: skip
    assert validate_typed_leads(good, registry).ok  # bad values are fine: valid = false
    broken = good.with_columns(
        pl.when(pl.col("phone_1__valid")).then(pl.lit("51")).otherwise("phone_1__area")
        .alias("phone_1__area"),
        pl.lit(None, dtype=pl.Boolean).alias("email__valid"),
        pl.lit(1).alias("gender__abbr"),
        pl.lit("x").alias("unexpected_column"),
    )  # fmt: skip
    report = validate_typed_leads(broken, registry)
    assert not report.ok
    failures = report.failures
    assert set(failures.columns) == {"column", "check", "failure_case", "index", "lead_id"}
    area = failures.filter(pl.col("column") == "phone_1").row(0, named=True)
    assert "3 digits or stars" in area["check"] and area["lead_id"] == "lead0"
    assert json.loads(area["failure_case"])["area"] == "51"
    assert failures.filter(pl.col("column") == "email").height >= 1
    assert failures.filter(pl.col("column") == "gender__abbr").height == 1
    assert "unexpected_column" in " ".join(failures["failure_case"].drop_nulls())
    assert "failure" in report.summary()


def test_validity_rates(registry):
    result = build_typed_leads(
        leads_frame({"email": "a@b.co"}, {"email": "bad"}, {"email": "c@d.co"}, {}), registry
    )
    rates = validity_rates(result.frame, result.fields).row(0, named=True)
    assert rates["field_id"] == "email" and rates["present"] == 3 and rates["valid"] == 2
    assert rates["validity_rate"] == pytest.approx(2 / 3) and rates["invalid"] == 1


def test_chunks_give_the_same_frame(registry):
    leads = [{"phone_1": f"512-789-{i:04d}", "email": f"u{i}@example.com", "dob": "1/2/1990",
              "boat.length": str(2000 + i)} for i in range(7)]  # fmt: skip
    leads[3] = "broken"
    leads[5]["phone_1"] = {"raw": "nope", "valid": True}
    frame = leads_frame(*leads)
    whole = build_typed_leads(frame, registry)
    chunked = build_typed_leads(frame, registry, chunk_rows=2)
    assert chunked.frame.equals(whole.frame)
    assert chunked.malformed_leads == whole.malformed_leads == 1
    assert chunked.unknown_fields == whole.unknown_fields == {"boat.length": 6}
    assert set(whole.timings) >= {"discover", "json", "parse:phone_1"}


def test_validity_metadata(registry):
    from ingest.typed.contracts import validity_metadata

    result = build_typed_leads(leads_frame({"email": "a@b.co", "gender": "?"}), registry)
    assert validity_metadata(result.validity) == {"email": 1.0, "gender": 0.0}


def test_any_key_is_kept_never_dropped(registry):
    keys = ['we"ird', "back\\slash", "sp ace", "dot.ted.key", "ünï", "$.x", "a'b", "", "sl/ash",
            "til~de", "0", "phone_1"]  # fmt: skip
    lead = {key: f"v{i}" for i, key in enumerate(keys)}
    result = build_typed_leads(leads_frame(lead), registry)
    raws = [v for c, v in result.frame.row(0, named=True).items() if c.endswith("__raw")]
    assert sorted(raws) == sorted(lead.values())
    assert set(result.unknown_fields) == set(keys) - {"phone_1"}
    assert validate_typed_leads(result.frame, registry).ok


def test_a_contract_failure_report_shows_no_clear_date_of_birth(registry):
    out = build_typed_leads(leads_frame({"dob": "7/4/1986"}), registry).frame
    broken = out.with_columns(pl.lit("x").alias("dob__masked"))
    report = validate_typed_leads(broken, registry)
    assert not report.ok
    text = report.summary() + report.failures.write_csv()
    assert "1986-07-04" not in text and "7/4/1986" not in text and '"masked": "x"' in text
