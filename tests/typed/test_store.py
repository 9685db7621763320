"""The typed leads table is updated incrementally: only leads loaded since the watermark are
parsed, their rows are replaced and stamped, and new fields become new columns."""

import json

import duckdb

from ingest.landing.land import land
from ingest.typed.fields import load_registry
from ingest.typed.store import update_typed_leads


def drop_submissions(landing, name, leads):
    """A submissions NDJSON file: lead id -> its fields."""
    folder = landing / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"lead_id": lead, "submitted_at": "2026-10-01T12:00:00Z", "fields": fields})
        for lead, fields in leads.items()
    ]
    (folder / name).write_text("\n".join(lines) + "\n")


def typed_rows(con):
    rows = con.execute("select lead_id, email__normal, built_at from typed.leads").fetchall()
    return {lead: (email, built_at) for lead, email, built_at in rows}


def test_only_leads_loaded_since_the_watermark_are_rewritten(tmp_path):
    registry = load_registry()
    landing = tmp_path / "landing"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        drop_submissions(landing, "a.ndjson", {"L1": {"email": "A@Example.com"}, "L2": {}})
        land(con, landing, "submissions", workers=0)
        first = update_typed_leads(con, registry)
        assert (first.written, first.total, first.loaded_after) == (2, 2, None)
        before = typed_rows(con)
        assert before["L1"][0] == "a@example.com" and before["L1"][1] is not None

        nothing = update_typed_leads(con, registry)  # nothing loaded since: nothing rewritten
        assert (nothing.written, nothing.total) == (0, 2)
        assert typed_rows(con) == before

        drop_submissions(
            landing, "b.ndjson", {"L3": {"email": "c@example.com", "brand_new_field": "x"}}
        )
        land(con, landing, "submissions", workers=0)
        second = update_typed_leads(con, registry)
        assert (second.written, second.total) == (1, 3)
        after = typed_rows(con)
        assert {lead: after[lead] for lead in ("L1", "L2")} == {k: before[k] for k in ("L1", "L2")}
        assert after["L3"][1] > before["L1"][1]  # stamped by its own, later run
        columns = {r[0] for r in con.execute("describe typed.leads").fetchall()}
        assert "brand_new_field__raw" in columns  # an unknown field is kept, never dropped
        assert con.execute(
            "select brand_new_field__raw from typed.leads where lead_id = 'L3'"
        ).fetchone() == ("x",)
