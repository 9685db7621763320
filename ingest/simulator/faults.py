"""The faults a simulation can inject (``faults=True``), by kind, and how often.

Event faults hit NDJSON-layout event records (see ``output.py``), submission faults the
submission records (see ``submissions.py``); ``non_json_file`` is one file the run writes.
"""

from __future__ import annotations

EVENT_FAULT_SHARE = 0.005  # per event record, per kind
SUBMISSION_FAULT_SHARE = 0.005  # per submission record, per kind
EVENT_FAULT_KINDS = (
    "duplicate",
    "late",
    "malformed_json",
    "non_utf8",
    "missing_id",
    "extra_fields",
)
SUBMISSION_FAULT_KINDS = ("submission_malformed", "submission_missing_lead_id")
FAULT_KINDS = EVENT_FAULT_KINDS + SUBMISSION_FAULT_KINDS + ("non_json_file",)
# The event faults a loader must quarantine (the others still parse).
QUARANTINE_EVENT_KINDS = ("malformed_json", "non_utf8", "missing_id")
