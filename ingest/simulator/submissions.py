"""A chunk's raw submission records (one per lead, NDJSON or CSV), with the submission faults."""

from __future__ import annotations

import csv
import io

import orjson

from ingest.simulator.context import ChunkContext, iso_ms
from ingest.simulator.faults import SUBMISSION_FAULT_SHARE
from ingest.simulator.world import ALL_FIELDS, Flow, Source

# The columns before the lead fields (CSV header: SUBMISSION_META + ALL_FIELDS).
SUBMISSION_META = (
    "lead_id",
    "submitted_at",
    "account_id",
    "account_name",
    "flow_id",
    "flow_name",
    "source_id",
    "source_name",
)


class SubmissionRecords:
    """Collects a chunk's submission records in the configured format."""

    def __init__(self, context: ChunkContext):
        self.context = context
        self.lines: list[bytes] = []
        self.csv_text = io.StringIO() if context.config.submissions_format == "csv" else None
        self.csv_writer = (
            csv.writer(self.csv_text, lineterminator="\n") if self.csv_text is not None else None
        )

    def add(
        self, lead_id: str, submitted_ms: int, flow: Flow, source: Source, lead_fields: dict
    ) -> None:
        counts = self.context.counts
        counts["submissions"] += 1
        counts["submission_records"] += 1
        account = self.context.world.account
        fault_rng = self.context.fault_rng
        roll = fault_rng.random() if self.context.config.faults else 1.0
        malformed = roll < SUBMISSION_FAULT_SHARE
        missing_lead_id = not malformed and roll < 2 * SUBMISSION_FAULT_SHARE
        if self.csv_writer is not None:
            row = [
                lead_id,
                iso_ms(submitted_ms),
                account["id"],
                account["name"],
                flow.id,
                flow.name,
                source.id,
                source.name,
            ]
            row.extend(lead_fields.get(name, "") for name in ALL_FIELDS)
            self.csv_writer.writerow(row)
            if malformed:
                self.csv_writer.writerow(row[: fault_rng.randint(3, len(SUBMISSION_META) + 4)])
            elif missing_lead_id:
                self.csv_writer.writerow([""] + row[1:])
        else:
            record = {
                "lead_id": lead_id,
                "submitted_at": iso_ms(submitted_ms),
                "account_id": account["id"],
                "account_name": account["name"],
                "flow_id": flow.id,
                "flow_name": flow.name,
                "source_id": source.id,
                "source_name": source.name,
                "fields": lead_fields,
            }
            line = orjson.dumps(record)
            self.lines.append(line + b"\n")
            if malformed:
                self.lines.append(line[: fault_rng.randint(10, len(line) - 2)] + b"\n")
            elif missing_lead_id:
                del record["lead_id"]
                self.lines.append(orjson.dumps(record) + b"\n")
        if malformed:
            counts["faults"]["submission_malformed"] += 1
            counts["submission_records"] += 1
        elif missing_lead_id:
            counts["faults"]["submission_missing_lead_id"] += 1
            counts["submission_records"] += 1

    def payload(self) -> bytes:
        if self.csv_text is not None:
            return self.csv_text.getvalue().encode()
        return b"".join(self.lines)
