"""Simulate one chunk of leads: their submissions and every event they produce.

A chunk is a run of consecutive leads (by submission time) of one day. It depends only on the
world, the plan's per-lead arrays and its own seed, so chunks can run in any process and the
merged output is the same for any worker count. Events of NDJSON-layout leads come back as sorted
runs per output day; Firehose-layout leads are written here, one file per event.
"""

from __future__ import annotations

import csv
import io
import os
import random
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote_plus

import numpy as np
import orjson

from ingest.simulator.values import email_parsed, person, phone_parsed
from ingest.simulator.world import (
    ALL_FIELDS,
    DAY_MS,
    EVENING_BAD_PHONE_SHARE,
    EVENING_HOURS_UTC,
    EVENING_SOURCE,
    INBOUND_MODULE,
    RETURNS_SOURCE,
    World,
    derive_seed,
)

EXPIRY_MS = 90 * DAY_MS
FAULT_SHARE = 0.005  # per event record, per kind
SUBMISSION_FAULT_SHARE = 0.005
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
QUARANTINE_EVENT_KINDS = ("malformed_json", "non_utf8", "missing_id")
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
HANDLER_VERSIONS = ("5.12.0", "5.13.1")
# The lead fields a buyer's mapping sends (what delivery events show in vars.lead).
DELIVERY_FIELDS = ("first_name", "last_name", "phone_1", "postal_code")

_dumps = orjson.dumps
_INDENT = orjson.OPT_INDENT_2

_DATE_CACHE: dict[int, str] = {}


def iso_ms(ms: int) -> str:
    """Epoch milliseconds -> ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    day, rem = divmod(ms, DAY_MS)
    d = _DATE_CACHE.get(day)
    if d is None:
        d = _DATE_CACHE[day] = date.fromordinal(719163 + day).isoformat()
    h, rem = divmod(rem, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{d}T{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"


def _skip(reason: str, overhead: int, priced: bool = False, caps_reached: bool = False):
    """A step skipped for `reason`: outcome, reason, wait, overhead, output, transaction, sale,
    caps (deliveries carry a price of 0 in their output)."""
    output = {"outcome": "skip", "reason": reason}
    if priced:
        output["price"] = 0
    return "skip", reason, 0, overhead, output, None, 0, caps_reached


@dataclass
class ChunkTask:
    index: int
    day: int  # day index of every lead in the chunk
    ts: list[int]  # submission epoch ms, ascending
    placement: list[int]
    capped: list[bool]  # the source's daily cap was already met
    firehose: list[bool]


@dataclass
class ChunkConfig:
    landing: str
    faults: bool
    submissions_format: str
    day0_ms: int
    days: int
    buyer_cap_ms: dict  # (recipient index, day index) -> epoch ms when the daily cap is met


_JSON_HEADERS = {"Content-Type": "application/json"}
_HTML_HEADERS = {"Content-Type": "text/html"}
_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}

# reason, HTTP status, status text, headers, body ; status None = no response (timeout)
_ERRORS = (
    (
        "Server error",
        503,
        "Service Unavailable",
        _HTML_HEADERS,
        "<html><body><h1>503 Service Unavailable</h1></body></html>",
    ),
    ("Server error", 500, "Internal Server Error", _HTML_HEADERS, "Internal Server Error"),
    (
        "Server error",
        502,
        "Bad Gateway",
        _HTML_HEADERS,
        "<html><body>502 Bad Gateway</body></html>",
    ),
    ("ESOCKETTIMEDOUT", None, None, {}, None),
    ("Unrecognized response", 200, "OK", _HTML_HEADERS, "<html><body>Thank you!</body></html>"),
    ("No Content-Type specified in server response", 200, "OK", {}, "accepted"),
    ("Authentication failed", 401, "Unauthorized", _JSON_HEADERS, '{"error":"invalid api key"}'),
)
_OUTAGE_ERRORS = (_ERRORS[0], _ERRORS[0], _ERRORS[0], _ERRORS[0], _ERRORS[3], _ERRORS[3])
_BUYER_REJECTIONS = (
    "Lead rejected: no coverage in area",
    "Lead rejected: outside buying criteria",
    "Lead rejected: no coverage in area",
)
_RETURN_REASONS = ("Wrong number", "Wrong number", "Not interested", "Not interested", "Duplicate")
_CONVERSION_REASONS = ("Sold", "Sold", "Appointment set")


class ChunkSimulator:
    def __init__(self, world: World, cfg: ChunkConfig, task: ChunkTask):
        self.w = world
        self.cfg = cfg
        self.task = task
        self.r = random.Random(derive_seed(world.seed, "chunk", task.index))
        self.fr = random.Random(derive_seed(world.seed, "faults", task.index))
        self.machine = derive_seed(world.seed, "machine") & 0xFFFFFFFFFF ^ task.index
        self.counter = derive_seed(world.seed, "counter", task.index) & 0xFFFFFF
        self.horizon = cfg.day0_ms + cfg.days * DAY_MS
        self.flow_refs = [f.ref() for f in world.flows]
        self.source_refs = [s.ref() for s in world.sources]
        self.rec_index = {id(rc): i for i, rc in enumerate(world.recipients)}
        self.rec_refs = {id(rc): rc.ref() for rc in world.recipients}
        self.dup_pool: dict[int, list] = {}
        self.buckets: dict[int, list] = {}
        self.seq = 0
        self.sub_lines: list[bytes] = []
        self.sub_csv = io.StringIO() if cfg.submissions_format == "csv" else None
        self.sub_writer = csv.writer(self.sub_csv, lineterminator="\n") if self.sub_csv else None
        self.counts = {
            "leads": 0,
            "events": 0,
            "ndjson_events": 0,
            "firehose_files": 0,
            "firehose_leads": 0,
            "firehose_bytes": 0,
            "submissions": 0,
            "submission_records": 0,
            "faults": dict.fromkeys(FAULT_KINDS, 0),
            "by_type": {},
        }
        evening = [i for i, s in enumerate(world.sources) if s.name == EVENING_SOURCE]
        self.evening_source = evening[0] if evening else -1
        self.made_dirs: set[str] = set()

    # ------------------------------------------------------------------ ids and helpers

    def oid(self, ms: int) -> str:
        self.counter = (self.counter + 1) & 0xFFFFFF
        return f"{ms // 1000:08x}{self.machine:010x}{self.counter:06x}"

    def base(self, eid, typ, outcome, reason, start, end, wait, overhead, T, host, cap=False):
        return {
            "id": eid,
            "type": typ,
            "outcome": outcome,
            "reason": reason,
            "start_timestamp": start,
            "end_timestamp": end,
            "ms": end - start,
            "wait_ms": wait,
            "overhead_ms": overhead,
            "total_ms": end - T,
            "host": host,
            "handler_version": HANDLER_VERSIONS[start >= self.w.deploy_ms],
            "version": "1.0.0",
            "expires_at": iso_ms(end + EXPIRY_MS),
            "cap_reached": cap,
        }

    def wait(self, median: int) -> int:
        return max(5, int(median * self.r.lognormvariate(0.0, 0.35)))

    # ------------------------------------------------------------------ the chunk

    def run(self) -> dict:
        task = self.task
        for i in range(len(task.ts)):
            self.lead(task.ts[i], task.placement[i], task.capped[i], task.firehose[i])
        events = {}
        for day, items in self.buckets.items():
            items.sort()
            n = len(items)
            ts = np.fromiter((it[0] for it in items), dtype=np.int64, count=n)
            lines = [it[2] for it in items]
            lengths = np.fromiter((len(x) + 1 for x in lines), dtype=np.int64, count=n)
            offsets = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=offsets[1:])
            lines.append(b"")
            events[day] = (ts, b"\n".join(lines), offsets)
        if self.sub_csv is not None:
            submissions = self.sub_csv.getvalue().encode()
        else:
            submissions = b"".join(self.sub_lines)
        return {
            "index": task.index,
            "day": task.day,
            "events": events,
            "submissions": submissions,
            "counts": self.counts,
        }

    # ------------------------------------------------------------------ one lead

    def lead(self, T: int, pl_index: int, capped: bool, firehose: bool) -> None:
        r = self.r
        w = self.w
        counts = self.counts
        counts["leads"] += 1
        pl = w.placements[pl_index]
        src = w.sources[pl.source]
        flow = w.flows[pl.flow]
        lead_id = self.oid(T)
        # The person: a fresh one, or a resubmission of a recent lead of the same placement.
        pool = self.dup_pool.get(pl_index)
        if pool is None:
            pool = self.dup_pool[pl_index] = []
        is_dup = bool(pool) and r.random() < src.dup
        if is_dup:
            lead_fields, facts = pool[r.randrange(len(pool))]
        else:
            bad_phone = src.bad
            if pl.source == self.evening_source:
                hour = (T % DAY_MS) // 3_600_000
                if EVENING_HOURS_UTC[0] <= hour < EVENING_HOURS_UTC[1]:
                    bad_phone = EVENING_BAD_PHONE_SHARE
            lead_fields, facts = person(r, src, flow, w.start_date.year, bad_phone)
            if len(pool) >= 50:
                pool[r.randrange(50)] = (lead_fields, facts)
            else:
                pool.append((lead_fields, facts))
        host = w.hosts[r.randrange(len(w.hosts))]
        vsub = {"timestamp": iso_ms(T), "ip": src.ip}
        vflow = self.flow_refs[pl.flow]
        vsrc = self.source_refs[pl.source]
        vacct = w.account
        vlead = {"id": lead_id}
        vlead.update(lead_fields)
        day_i = (T - self.cfg.day0_ms) // DAY_MS
        out: list[dict] = []

        # ---- acceptance criteria, caps, flow switch
        early = None
        cap_hit = False
        if pl.flow == w.disabled_flow and w.disabled_window[0] <= T < w.disabled_window[1]:
            early = ("error", "Flow is disabled")
        elif capped:
            early = ("failure", "Cap reached")
            cap_hit = True
        elif flow.acceptance == "state_in" and facts.state not in flow.acceptance_states:
            early = ("failure", flow.acceptance_reason)
        elif flow.acceptance == "state_not_in" and (
            facts.state is None or facts.state in flow.acceptance_states
        ):
            early = ("failure", flow.acceptance_reason)
        elif is_dup and flow.dedupe_reason:
            early = ("failure", flow.dedupe_reason)

        appended: dict = {}
        t = T + r.randint(3, 25)
        step_count = 0
        wait_sum = 0
        outcome, reason = "success", None
        deliveries = []  # (event id, step, recipient, end, price)
        errored = []  # (step, recipient, end, reason)
        if early is not None:
            outcome, reason = early
        else:
            sold = False
            any_error = None
            stopped = False
            delivery_lead = None
            for step in flow.steps:
                step_count += 1
                start = t + r.randint(1, 3)
                if step.kind == "filter":
                    stop_reason, err = self.filter_check(step, facts, appended)
                    ms = r.randint(0, 3)
                    end = start + ms
                    eid = self.oid(end)
                    ev = self.base(
                        eid,
                        "filter",
                        "error" if err else ("stop" if stop_reason else "continue"),
                        err or stop_reason,
                        start,
                        end,
                        0,
                        ms,
                        T,
                        host,
                    )
                    ev["step_id"] = step.step_id
                    vl = {"id": lead_id}
                    for f in step.lead_fields:
                        v = lead_fields.get(f)
                        if v is not None:
                            vl[f] = v
                    v = {"lead": vl, "submission": vsub, "flow": vflow, "source": vsrc}
                    for k in step.appended_keys:
                        if k in appended:
                            v[k] = appended[k]
                    ev["vars"] = v
                    ev["rule_set"] = step.rule_set
                    out.append(ev)
                    t = end
                    if stop_reason:
                        outcome, reason = "failure", stop_reason
                        stopped = True
                        break
                    continue
                rec = step.recipient
                if rec.kind != "delivery":
                    res = self.enhance(rec, src, facts, is_dup, lead_fields, start)
                    if flow.parsed_in_enhancements and not appended:
                        # The first enhancement shows email/phone as parsed objects.
                        lead_view = dict(vlead)
                        if facts.email_raw is not None:
                            lead_view["email"] = email_parsed(facts.email_raw, facts.email_ok)
                        if facts.phone_raw is not None:
                            lead_view["phone_1"] = phone_parsed(facts.phone_raw, facts.phone_comp)
                    else:
                        lead_view = vlead
                else:
                    res = self.deliver(rec, flow, facts, lead_fields, start, T, day_i, sold, is_dup)
                    if delivery_lead is None:
                        delivery_lead = {"id": lead_id}
                        for f in DELIVERY_FIELDS:
                            v = lead_fields.get(f)
                            if v is not None:
                                delivery_lead[f] = v
                    lead_view = delivery_lead
                out_o, out_reason, wait, overhead, output, txn, sale, caps = res
                end = start + wait + overhead
                eid = self.oid(end)
                ev = self.base(
                    eid, "recipient", out_o, out_reason, start, end, wait, overhead, T, host, caps
                )
                ev["step_id"] = step.step_id
                ev["module_id"] = rec.module_id
                ev["package_version"] = rec.package_version
                ev["key"] = rec.key
                ev["sale_price"] = sale
                ev["revenue"] = sale
                ev["cost"] = rec.cost if txn is not None else 0
                ev["caps_reached"] = caps
                if rec.kind != "delivery":
                    v = {
                        "lead": lead_view,
                        "submission": vsub,
                        "account": vacct,
                        "flow": vflow,
                        "source": vsrc,
                        "recipient": self.rec_refs[id(rec)],
                    }
                else:
                    v = {
                        "lead": lead_view,
                        "submission": vsub,
                        "flow": vflow,
                        "source": vsrc,
                        "recipient": self.rec_refs[id(rec)],
                        "event_id": eid,
                    }
                ev["vars"] = v
                ev[rec.key] = output
                ev["transactions"] = [] if txn is None else [txn]
                out.append(ev)
                wait_sum += wait
                t = end
                if rec.kind != "delivery":
                    appended[rec.key] = output
                elif out_o == "success":
                    sold = True
                    deliveries.append((eid, step, rec, end))
                elif out_o == "error":
                    errored.append((step, rec, end, out_reason))
                    if any_error is None:
                        any_error = out_reason
            if not stopped:
                if sold:
                    outcome, reason = "success", None
                elif any_error is not None:
                    outcome, reason = "error", any_error
                else:
                    outcome, reason = "failure", "no bid"

        # ---- the source event, written last
        end = t + r.randint(2, 15)
        eid = self.oid(end)
        ms = end - T
        ev = self.base(
            eid, "source", outcome, reason, T, end, wait_sum, ms - wait_sum, T, host, cap_hit
        )
        ev["module_id"] = INBOUND_MODULE
        ev["package_version"] = "2.9.14"
        ev["step_count"] = step_count
        ev["acceptance_criteria"] = flow.acceptance_rules
        price = pl.price if outcome == "success" else 0
        ev["purchase_price"] = price
        ev["cost"] = price
        ev["vars"] = {
            "lead": vlead,
            "submission": vsub,
            "account": vacct,
            "flow": vflow,
            "source": vsrc,
        }
        ev["appended"] = appended
        ev["request"] = {
            "method": "POST",
            "uri": f"https://app.leadconduit.com/flows/{flow.id}/sources/{src.id}/submit",
            "headers": _FORM_HEADERS,
            "body": "&".join(f"{k}={quote_plus(v)}" for k, v in lead_fields.items()),
        }
        if outcome == "success":
            body = f'{{"outcome":"success","lead":{{"id":"{lead_id}"}},"price":{price}}}'
            ev["response"] = {"status": 201, "status_text": "Created", "body": body}
        else:
            body = orjson.dumps(
                {"outcome": outcome, "reason": reason, "lead": {"id": lead_id}}
            ).decode()
            ev["response"] = {"status": 200, "status_text": "OK", "body": body}
        out.append(ev)

        # ---- retries of errored deliveries (minutes later)
        for step, rec, err_end, err_reason in errored:
            if r.random() < 0.85:
                self.retry(
                    out, step, rec, err_end, err_reason, T, lead_id, vsub, vflow, vsrc, day_i, facts
                )
        # ---- feedback (days later)
        for d_eid, step, rec, d_end in deliveries:
            self.feedback(out, src, step, rec, d_eid, d_end, T, lead_id, vsub, vflow, vsrc, facts)

        # ---- submission record
        self.submission(lead_id, T, flow, src, vflow, vsrc, lead_fields)

        # ---- write
        counts["events"] += len(out)
        by_type = counts["by_type"]
        for ev in out:
            by_type[ev["type"]] = by_type.get(ev["type"], 0) + 1
        if firehose:
            self.write_firehose(lead_id, out)
        else:
            self.place(out)

    # ------------------------------------------------------------------ steps

    def filter_check(self, step, facts, appended) -> tuple[str | None, str | None]:
        if self.r.random() < 0.0003:
            return None, "Unable to evaluate rule"
        check = step.check
        if check == "dup_found":
            out = appended.get("suppressionlist")
            if out and out.get("query_item", {}).get("found"):
                return step.reason, None
        elif check == "tf_consent":
            out = appended.get("trustedform")
            if out is None or out["outcome"] == "skip":
                return "TrustedForm certificate is required", None
            if out["outcome"] != "success":
                return "TrustedForm certificate could not be verified", None
            if not out.get("consent_language_detected", True):
                return "Consent language not detected in the certificate.", None
        elif check == "phone_valid":
            for out in appended.values():
                if out.get("status") == "invalid" and "line_type" in out:
                    return step.reason, None
        elif check == "required_phone":
            if not facts.phone_present:
                return step.reason, None
        elif check == "loan_min":
            if facts.loan_low:
                return step.reason, None
        elif check == "email_valid":
            out = appended.get("briteverify")
            if out is not None and out["outcome"] in ("failure", "skip"):
                return step.reason, None
        elif check == "homeowner":
            if facts.renter:
                return step.reason, None
        elif check == "age18":
            if facts.age is not None and facts.age < 18:
                return step.reason, None
        return None, None

    def enhance(self, rec, src, facts, is_dup, lead_fields, start):
        """-> outcome, reason, wait, overhead, output, transaction, sale, caps"""
        r = self.r
        kind = rec.kind
        overhead = r.randint(8, 35)
        if kind == "suppression":
            if r.random() < 0.002:
                return self._enh_error(rec, start, overhead, "Authentication failed")
            found = is_dup or r.random() < 0.008
            output = {"outcome": "success", "query_item": {"found": found}}
            wait = self.wait(rec.wait_ms)
            value = (facts.phone_raw or facts.email_raw or "").strip()
            txn = self.txn(
                "GET",
                f"{rec.uri}?value={quote_plus(value)}",
                None,
                start,
                wait,
                200,
                "OK",
                _JSON_HEADERS,
                '{"found":%s}' % ("true" if found else "false"),
            )
            return "success", None, wait, overhead, output, txn, 0, False
        if kind == "trustedform":
            if facts.tf == "missing":
                return _skip("trustedform_cert_url is required", overhead)
            if r.random() < 0.002:
                return self._enh_error(rec, start, overhead, "ESOCKETTIMEDOUT")
            wait = self.wait(rec.wait_ms)
            cert = lead_fields.get("trustedform_cert_url", "")
            x = r.random()
            if facts.tf == "bad" or x < 0.012:
                fail = "certificate not found"
            elif x < 0.025:
                fail = "The cert has expired"
            else:
                fail = None
            if fail:
                output = {"outcome": "failure", "reason": fail}
                txn = self.txn(
                    "POST",
                    cert[:120],
                    '{"match_lead":{}}',
                    start,
                    wait,
                    404 if "found" in fail else 410,
                    "Not Found" if "found" in fail else "Gone",
                    _JSON_HEADERS,
                    f'{{"message":"{fail}"}}',
                )
                return "failure", fail, wait, overhead, output, txn, 0, False
            consent = r.random() >= src.consent_miss
            age_s = r.randint(4, 900)
            output = {
                "outcome": "success",
                "reason": None,
                "age_in_seconds": age_s,
                "consent_language_detected": consent,
            }
            txn = self.txn(
                "POST",
                cert[:120],
                '{"match_lead":{}}',
                start,
                wait,
                200,
                "OK",
                _JSON_HEADERS,
                f'{{"outcome":"success","age_seconds":{age_s}}}',
            )
            return "success", None, wait, overhead, output, txn, 0, False
        if kind == "phone_verify":
            if not facts.phone_present:
                return _skip("phone_1 is required", overhead)
            if r.random() < 0.003:
                return self._enh_error(rec, start, overhead, "ESOCKETTIMEDOUT")
            wait = self.wait(rec.wait_ms)
            if facts.phone_ok:
                status = "valid"
                lt = "mobile" if r.random() < 0.68 else ("landline" if r.random() < 0.7 else "voip")
            else:
                status, lt = "invalid", None
            output = {"outcome": "success", "reason": None, "status": status, "line_type": lt}
            line_type = f'"{lt}"' if lt else "null"
            body = f'{{"phone":{{"status":"{status}","line_type":{line_type}}}}}'
            txn = self.txn(
                "POST",
                rec.uri,
                f'{{"phone":"{_short(facts.phone_raw)}"}}',
                start,
                wait,
                200,
                "OK",
                _JSON_HEADERS,
                body,
            )
            return "success", None, wait, overhead, output, txn, 0, False
        # email_verify
        if not facts.email_ok:
            return _skip("valid email is required", overhead)
        if r.random() < 0.002:
            return self._enh_error(rec, start, overhead, "Server error")
        wait = self.wait(rec.wait_ms)
        x = r.random()
        if x < 0.03:
            status = "invalid"
        elif x < 0.10:
            status = "accept_all"
        elif x < 0.13:
            status = "unknown"
        else:
            status = "valid"
        email = facts.email_raw.strip().lower()
        disposable = email.endswith(("mailinator.com", "guerrillamail.com", "10minutemail.com"))
        if status == "invalid":
            output = {
                "outcome": "failure",
                "reason": "Email address is invalid",
                "status": status,
                "disposable": disposable,
            }
            o, rs = "failure", "Email address is invalid"
        elif status == "unknown" and r.random() < 0.5:
            output = {
                "outcome": "failure",
                "reason": "No matches found",
                "status": status,
                "disposable": disposable,
            }
            o, rs = "failure", "No matches found"
        else:
            output = {
                "outcome": "success",
                "reason": None,
                "status": status,
                "disposable": disposable,
            }
            o, rs = "success", None
        txn = self.txn(
            "POST",
            rec.uri,
            f'{{"email":"{_short(email)}"}}',
            start,
            wait,
            200,
            "OK",
            _JSON_HEADERS,
            f'{{"email":{{"status":"{status}"}}}}',
        )
        return o, rs, wait, overhead, output, txn, 0, False

    def _enh_error(self, rec, start, overhead, reason):
        for err in _ERRORS:
            if err[0] == reason:
                break
        status, text, headers, body = err[1], err[2], err[3], err[4]
        wait = 15000 + self.r.randint(0, 400) if status is None else self.wait(rec.wait_ms)
        txn = self.txn("POST", rec.uri, "{}", start, wait, status, text, headers, body)
        return (
            "error",
            reason,
            wait,
            overhead,
            {"outcome": "error", "reason": reason},
            txn,
            0,
            False,
        )

    def txn(self, method, uri, body, start, wait, status, status_text, headers, resp_body):
        t0 = start + self.r.randint(2, 9)
        return {
            "request": {
                "method": method,
                "uri": uri,
                "headers": _JSON_HEADERS if body else {},
                "body": body,
                "timestamp": t0,
            },
            "response": {
                "status": status,
                "status_text": status_text,
                "headers": headers,
                "body": resp_body,
                "timestamp": t0 + wait,
            },
            "ms": wait,
        }

    def deliver(self, rec, flow, facts, lead_fields, start, T, day_i, sold, is_dup):
        """-> outcome, reason, wait, overhead, output, transaction, sale, caps"""
        r = self.r
        overhead = r.randint(10, 40)
        if flow.exclusive and sold:
            return _skip("Step criteria not met", overhead, priced=True)
        cap_ms = self.cfg.buyer_cap_ms.get((self.rec_index[id(rec)], day_i))
        if cap_ms is not None and T >= cap_ms:
            return _skip("Recipient cap met", overhead, priced=True, caps_reached=True)
        if rec.requires_email and not facts.email_ok:
            return _skip("valid email is required", overhead, priced=True)
        first = _short(lead_fields.get("first_name", ""))
        phone = _short(facts.phone_raw or "")
        zip_code = _short(lead_fields.get("postal_code", ""))
        req_body = f'{{"first":"{first}","phone":"{phone}","zip":"{zip_code}"}}'
        err = None
        if rec.outage_day is not None and day_i == rec.outage_day:
            err = _OUTAGE_ERRORS[r.randrange(len(_OUTAGE_ERRORS))]
        elif r.random() < 0.006:
            err = _ERRORS[r.randrange(len(_ERRORS))]
        if err is not None:
            reason, status, text, headers, body = err
            wait = (
                15000 + r.randint(0, 400)
                if status is None
                else (r.randint(30, 400) if status >= 500 else self.wait(rec.wait_ms))
            )
            txn = self.txn("POST", rec.uri, req_body, start, wait, status, text, headers, body)
            return (
                "error",
                reason,
                wait,
                overhead,
                {"outcome": "error", "reason": reason, "price": 0},
                txn,
                0,
                False,
            )
        wait = self.wait(rec.wait_ms)
        fail = None
        status = 200
        x = r.random()
        if rec.requires_phone and not facts.phone_ok:
            fail, status = "PhoneNumber is a required field.", 422
        elif rec.checks_zip and not facts.zip_ok:
            fail, status = "Invalid zip code", 422
        elif x < (0.35 if is_dup else 0.04):
            fail = "Duplicate"
        elif rec.unpaid and x < 0.06:
            fail = "Unpaid account"
        elif x > rec.accept:
            fail = _BUYER_REJECTIONS[r.randrange(len(_BUYER_REJECTIONS))]
        if fail:
            if status == 422:
                body = f'{{"errors":["{fail}"]}}'
                text = "Unprocessable Entity"
            else:
                body = f'{{"status":"rejected","reason":"{fail}"}}'
                text = "OK"
            txn = self.txn(
                "POST", rec.uri, req_body, start, wait, status, text, _JSON_HEADERS, body
            )
            return (
                "failure",
                fail,
                wait,
                overhead,
                {"outcome": "failure", "reason": fail, "price": 0},
                txn,
                0,
                False,
            )
        price = rec.price
        if rec.price_jitter:
            price = round(price * r.uniform(1 - rec.price_jitter, 1 + rec.price_jitter) * 4) / 4
        txn = self.txn(
            "POST",
            rec.uri,
            req_body,
            start,
            wait,
            200,
            "OK",
            _JSON_HEADERS,
            f'{{"status":"accepted","price":{price}}}',
        )
        return (
            "success",
            None,
            wait,
            overhead,
            {"outcome": "success", "reason": None, "price": price},
            txn,
            price,
            False,
        )

    def retry(
        self, out, step, rec, err_end, err_reason, T, lead_id, vsub, vflow, vsrc, day_i, facts
    ):
        r = self.r
        start = err_end + r.randint(5 * 60_000, 30 * 60_000)
        if start + 60_000 >= self.horizon:
            return
        host = self.w.hosts[r.randrange(len(self.w.hosts))]
        rref = self.rec_refs[id(rec)]
        lead = {"id": lead_id}
        end = start + r.randint(2, 6)
        eid = self.oid(end)
        ev = self.base(eid, "retry", "error", err_reason, start, end, 0, end - start, T, host)
        self._recipient_keys(ev, step, rec, 0, 0)
        ev["retry_status"] = "started"
        ev["vars"] = {
            "lead": lead,
            "submission": vsub,
            "flow": vflow,
            "source": vsrc,
            "recipient": rref,
            "event_id": eid,
        }
        ev["transactions"] = []
        out.append(ev)
        start2 = end + r.randint(1, 5)
        overhead = r.randint(10, 40)
        retry_day = (start2 - self.cfg.day0_ms) // DAY_MS
        if rec.outage_day is not None and retry_day == rec.outage_day:
            err = _OUTAGE_ERRORS[r.randrange(len(_OUTAGE_ERRORS))]
        elif r.random() < 0.12:
            err = _ERRORS[r.randrange(len(_ERRORS))]
        else:
            err = None
        if err is not None:
            reason, status, text, headers, body = err
            wait = 15000 + r.randint(0, 400) if status is None else r.randint(30, 400)
            o, price = "error", 0
        else:
            wait = self.wait(rec.wait_ms)
            if r.random() < 0.75:
                o, reason, price = "success", None, rec.price
                status, text, headers = 200, "OK", _JSON_HEADERS
                body = f'{{"status":"accepted","price":{price}}}'
            else:
                o, reason, price = "failure", "Duplicate", 0
                status, text, headers = 200, "OK", _JSON_HEADERS
                body = '{"status":"rejected","reason":"Duplicate"}'
        end2 = start2 + wait + overhead
        eid2 = self.oid(end2)
        ev = self.base(eid2, "retry", o, reason, start2, end2, wait, overhead, T, host)
        self._recipient_keys(ev, step, rec, price, rec.cost)
        ev["retry_status"] = "completed"
        ev["vars"] = {
            "lead": lead,
            "submission": vsub,
            "flow": vflow,
            "source": vsrc,
            "recipient": rref,
            "event_id": eid2,
        }
        ev[rec.key] = {"outcome": o, "reason": reason, "price": price}
        ev["transactions"] = [
            self.txn("POST", rec.uri, "{}", start2, wait, status, text, headers, body)
        ]
        out.append(ev)

    @staticmethod
    def _recipient_keys(ev, step, rec, price, cost):
        ev["step_id"] = step.step_id
        ev["module_id"] = rec.module_id
        ev["package_version"] = rec.package_version
        ev["key"] = rec.key
        ev["sale_price"] = price
        ev["revenue"] = price
        ev["cost"] = cost
        ev["caps_reached"] = False

    def feedback(self, out, src, step, rec, d_eid, d_end, T, lead_id, vsub, vflow, vsrc, facts):
        r = self.r
        p_ret = src.return_rate * (3.0 if not facts.phone_ok else 1.0)
        p_conv = rec.conv_rate * (0.3 if not facts.phone_ok else 1.0)
        x = r.random()
        if x < p_ret:
            kind = "return"
            if not facts.phone_ok or src.name == RETURNS_SOURCE and r.random() < 0.4:
                fb_reason = "Wrong number"
            else:
                fb_reason = _RETURN_REASONS[r.randrange(len(_RETURN_REASONS))]
        elif x < p_ret + p_conv:
            kind = "conversion"
            fb_reason = _CONVERSION_REASONS[r.randrange(len(_CONVERSION_REASONS))]
        else:
            return
        start = (d_end + r.randint(DAY_MS, 5 * DAY_MS)) // 1000 * 1000
        if start + 120_000 >= self.horizon:
            return
        end = start + r.randint(15, 90)
        host = self.w.hosts[r.randrange(len(self.w.hosts))]
        rref = self.rec_refs[id(rec)]
        fb = {"type": kind, "reason": fb_reason, "timestamp": iso_ms(start)}
        eid = self.oid(end)
        ev = self.base(
            eid, "feedback-received", "success", fb_reason, start, end, 0, end - start, T, host
        )
        ev["recipient_event_id"] = d_eid
        ev["step_id"] = step.step_id
        ev["module_id"] = rec.module_id
        ev["vars"] = {
            "lead": {"id": lead_id},
            "submission": {"timestamp": vsub["timestamp"]},
            "flow": vflow,
            "source": vsrc,
            "recipient": rref,
            "feedback": fb,
        }
        out.append(ev)
        if kind == "return" and r.random() < 0.65:
            start2 = end + r.randint(500, 20_000)
            y = r.random()
            if y < 0.9:
                o, rs, status, body = "success", None, 200, '{"status":"ok"}'
            elif y < 0.95:
                o, rs, status, body = (
                    "failure",
                    "Return window expired",
                    200,
                    '{"status":"rejected","reason":"Return window expired"}',
                )
            else:
                o, rs, status, body = "skip", "Source does not accept returns", None, None
            if status is None:
                wait = 0
                txns = []
            else:
                wait = self.wait(300)
                txns = [
                    self.txn(
                        "POST",
                        f"https://returns.{_slug(src.name)}.example/api/returns",
                        f'{{"lead_id":"{lead_id}","reason":"{fb_reason}"}}',
                        start2,
                        wait,
                        status,
                        "OK",
                        _JSON_HEADERS,
                        body,
                    )
                ]
            overhead = r.randint(5, 30)
            end2 = start2 + wait + overhead
            eid2 = self.oid(end2)
            ev = self.base(eid2, "feedback-sent", o, rs, start2, end2, wait, overhead, T, host)
            ev["recipient_event_id"] = d_eid
            ev["step_id"] = step.step_id
            ev["module_id"] = rec.module_id
            ev["vars"] = {
                "lead": {"id": lead_id},
                "submission": {"timestamp": vsub["timestamp"]},
                "flow": vflow,
                "source": vsrc,
                "recipient": rref,
                "feedback": fb,
            }
            ev["transactions"] = txns
            out.append(ev)

    # ------------------------------------------------------------------ output

    def submission(self, lead_id, T, flow, src, vflow, vsrc, lead_fields) -> None:
        counts = self.counts
        counts["submissions"] += 1
        counts["submission_records"] += 1
        acct = self.w.account
        fr = self.fr
        faults = self.cfg.faults
        x = fr.random() if faults else 1.0
        if self.sub_writer is not None:
            row = [
                lead_id,
                iso_ms(T),
                acct["id"],
                acct["name"],
                flow.id,
                flow.name,
                src.id,
                src.name,
            ]
            row.extend(lead_fields.get(f, "") for f in ALL_FIELDS)
            self.sub_writer.writerow(row)
            if x < SUBMISSION_FAULT_SHARE:
                self.sub_writer.writerow(row[: fr.randint(3, len(SUBMISSION_META) + 4)])
                counts["faults"]["submission_malformed"] += 1
                counts["submission_records"] += 1
            elif x < 2 * SUBMISSION_FAULT_SHARE:
                self.sub_writer.writerow([""] + row[1:])
                counts["faults"]["submission_missing_lead_id"] += 1
                counts["submission_records"] += 1
            return
        rec = {
            "lead_id": lead_id,
            "submitted_at": iso_ms(T),
            "account_id": acct["id"],
            "account_name": acct["name"],
            "flow_id": flow.id,
            "flow_name": flow.name,
            "source_id": src.id,
            "source_name": src.name,
            "fields": lead_fields,
        }
        line = _dumps(rec)
        self.sub_lines.append(line + b"\n")
        if x < SUBMISSION_FAULT_SHARE:
            self.sub_lines.append(line[: fr.randint(10, len(line) - 2)] + b"\n")
            counts["faults"]["submission_malformed"] += 1
            counts["submission_records"] += 1
        elif x < 2 * SUBMISSION_FAULT_SHARE:
            del rec["lead_id"]
            self.sub_lines.append(_dumps(rec) + b"\n")
            counts["faults"]["submission_missing_lead_id"] += 1
            counts["submission_records"] += 1

    def place(self, events: list[dict]) -> None:
        """Serialise NDJSON-layout events into per-day buckets, injecting faults."""
        counts = self.counts
        day0 = self.cfg.day0_ms
        last_day = self.cfg.days - 1
        faults = self.cfg.faults
        fr = self.fr
        fk = counts["faults"]
        for ev in events:
            ts = ev["end_timestamp"]
            day = (ts - day0) // DAY_MS
            x = fr.random() if faults else 1.0
            kind = None
            if x < 6 * FAULT_SHARE:
                kind = EVENT_FAULT_KINDS[int(x / FAULT_SHARE)]
            if kind == "extra_fields":
                ev["x_firehose_delivery_attempt"] = fr.randint(2, 4)
                ev["_ingest"] = {"region": "us-east-1", "shard": fr.randint(0, 63)}
                fk[kind] += 1
            line = _dumps(ev)
            if kind == "late" and day < last_day:
                k = min(fr.randint(1, 2), last_day - day)
                ts_w = ts + k * DAY_MS
                self._put(day + k, ts_w, line)
                fk[kind] += 1
            else:
                self._put(day, ts, line)
            counts["ndjson_events"] += 1
            if kind == "duplicate" and day < last_day:
                self._put(day + 1, ts + DAY_MS, line)
                fk[kind] += 1
            elif kind == "malformed_json":
                self._put(day, ts, line[: fr.randint(20, len(line) - 10)])
                fk[kind] += 1
            elif kind == "non_utf8":
                self._put(day, ts, line.replace(b'"type":"', b'"type":"\xff\xfe', 1))
                fk[kind] += 1
            elif kind == "missing_id":
                copy = dict(ev)
                del copy["id"]
                self._put(day, ts, _dumps(copy))
                fk[kind] += 1

    def _put(self, day: int, ts: int, line: bytes) -> None:
        self.seq += 1
        b = self.buckets.get(day)
        if b is None:
            b = self.buckets[day] = []
        b.append((ts, self.seq, line))

    def write_firehose(self, lead_id: str, events: list[dict]) -> None:
        folder = os.path.join(self.cfg.landing, "events", "firehose", lead_id)
        os.makedirs(folder, exist_ok=True)
        nbytes = 0
        for ev in events:
            data = _dumps(ev, option=_INDENT) + b"\n"
            nbytes += len(data)
            with open(os.path.join(folder, ev["id"] + ".json"), "wb") as fh:
                fh.write(data)
        self.counts["firehose_bytes"] += nbytes
        self.counts["firehose_files"] += len(events)
        self.counts["firehose_leads"] += 1


def _short(value: str) -> str:
    return value.replace("\\", "").replace('"', "")[:40]


def _slug(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


def run_chunk(world: World, cfg: ChunkConfig, task: ChunkTask) -> dict:
    return ChunkSimulator(world, cfg, task).run()
