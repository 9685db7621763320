"""LeadConduit's own parsers (npm ``leadconduit-types``, run by Node) next to ours, component by
component, and the mapping between the two.

``parse.js`` beside this file reads (type, raw) pairs as NDJSON and writes what the library gives
for each; :func:`run_leadconduit` sends a whole batch through one Node process. :func:`compare`
maps both sides onto our column names and normal forms (the mapping is spelled out in
:func:`theirs_row` and :func:`ours_row`) and returns every component that differs; a difference is
*documented* when an entry of :data:`differences.DOCUMENTED` explains it.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from ingest.typed.types import TYPE_NAMES, get_type, parse

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "parse.js"
LIBRARY = HERE / "node_modules" / "leadconduit-types" / "package.json"
#: The day dob ages are counted to, and times without a date are read on, on both sides.
TODAY = date(2024, 5, 17)


def reference_instant(today: date) -> datetime:
    """The instant chrono-node reads times against in parse.js (LEADWH_TODAY at 00:00 UTC)."""
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


#: Types whose ``normal`` is typed on our side (null when invalid).
TYPED_NORMAL = ("date", "dob", "time", "boolean", "number")
#: The string types: LeadConduit returns the bare string (no components, always valid).
STRING_TYPES = ("string", "first_name", "last_name", "city")


class NodeMissing(RuntimeError):
    """Node or the installed library is missing (``make node-deps`` installs the library)."""


def node_problem() -> str | None:
    """Why LeadConduit's library cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm): LeadConduit's parsers can't run"
    if not LIBRARY.exists():
        return (
            f"leadconduit-types is not installed in {HERE / 'node_modules'}; "
            "run `make node-deps` (npm ci in tests/typed/reference)"
        )
    return None


def library_version() -> str:
    return json.loads(LIBRARY.read_text())["version"]


def run_leadconduit(pairs: list[tuple[str, str]], today: date = TODAY) -> list[Any]:
    """What LeadConduit's library gives for each (type, raw) pair, in order (one Node process)."""
    problem = node_problem()
    if problem:
        raise NodeMissing(problem)
    payload = "".join(json.dumps({"type": t, "raw": raw}) + "\n" for t, raw in pairs)
    env = {**os.environ, "TZ": "UTC", "LEADWH_TODAY": today.isoformat(), "NODE_ENV": "production"}
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=HERE,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"parse.js failed ({done.returncode}):\n{done.stderr[-2000:]}")
    lines = done.stdout.split("\n")[:-1]  # not splitlines: U+2028 may appear unescaped
    if len(lines) != len(pairs):
        raise RuntimeError(f"parse.js gave {len(lines)} results for {len(pairs)} values")
    return [json.loads(line, parse_int=_js_int) for line in lines]


def _js_int(text: str) -> int | float:
    """A JSON integer as JavaScript holds it: a double beyond 2**53."""
    value = int(text)
    return value if abs(value) <= 2**53 else float(value)


# ---------------------------------------------------------------------------------------------
# the mapping onto our columns
def _js_date(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:
        stamp = value["$date"]
        if stamp is None:
            return None
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:  # years 0 and below, or above 9999: no Python datetime
            return f"out of range: {stamp}"
    return value


def theirs_row(type_name: str, result: Any) -> dict[str, Any]:
    """LeadConduit's result as a row of our columns.

    * the string types give a bare string: ``normal`` = it, ``valid`` = true;
    * dates are Dates (UTC midnight for date/dob: compared as calendar dates), times to the ms;
    * a component LeadConduit leaves out is null; WHATWG URL's empty ``port``/``query``/``hash``
      mean absent (null); phone's ``masked`` is only set when true: false when the number was
      decomposed (it has an ``area`` key), else null;
    * a typed normal (number NaN, boolean false, the raw text of a bad date) is null when the value
      is invalid, as ours is (documented in ``differences.py``).
    """
    columns = get_type(type_name).schema
    if isinstance(result, dict) and "$error" in result:
        return {"$error": result["$error"]}
    if type_name in STRING_TYPES:
        return {"raw": result, "normal": result, "valid": True}
    if not isinstance(result, dict):  # a value handed back as it came (e.g. "" for trustedform_url)
        return {"raw": result, "normal": result, "valid": None}
    row = {name: result.get(name) for name in columns}
    normal = _js_date(result.get("normal"))
    if type_name in ("date", "dob") and isinstance(normal, datetime):
        normal = normal.date()
    row["normal"] = normal
    if type_name == "url":
        for name in ("port", "query", "hash"):
            if row[name] == "":
                row[name] = None
    if type_name == "phone":
        row["masked"] = True if result.get("masked") else (False if "area" in result else None)
    return row


def ours_row(frame_row: dict[str, Any]) -> dict[str, Any]:
    row = dict(frame_row)
    for name, value in row.items():
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)
    return row


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (
            a is not None and b is not None and bool(a) == bool(b) and type(a) is type(b)
        )
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@dataclass(frozen=True)
class Mismatch:
    type_name: str
    component: str
    raw: str
    ours: Any
    theirs: Any
    ours_row: dict[str, Any]
    theirs_row: dict[str, Any]
    raw_index: int = 0
    #: explained by an entry of the documented differences given to :func:`compare`
    documented: bool = False

    def __str__(self) -> str:
        where = f"{self.type_name}.{self.component} {self.raw!r}"
        return f"{where}: ours {self.ours!r}, LeadConduit {self.theirs!r}"


@dataclass
class Comparison:
    """Per type: the values compared and every component that differs."""

    values: dict[str, int]
    all_mismatches: list[Mismatch]

    @property
    def mismatches(self) -> list[Mismatch]:
        """The differences no documented entry explains."""
        return [m for m in self.all_mismatches if not m.documented]

    def rows_differing(self, type_name: str, documented_too: bool = False) -> int:
        found = self.all_mismatches if documented_too else self.mismatches
        return len({m.raw_index for m in found if m.type_name == type_name})

    def agreement(self, type_name: str, documented_too: bool = False) -> float:
        """Per cent of the values whose every column agrees (documented differences count as
        agreement unless ``documented_too``)."""
        n = self.values.get(type_name, 0)
        wrong = self.rows_differing(type_name, documented_too)
        return 100.0 * (n - wrong) / n if n else float("nan")


def compare(
    values: dict[str, list[str]], documented: Iterable[Any] = (), today: date = TODAY
) -> Comparison:
    """Parse ``values`` (type -> raw strings) on both sides (one Node process) and list every
    column that differs (``raw``, ``normal``, ``valid`` and each component), marked documented
    where an entry of ``documented`` explains it."""
    documented = list(documented)
    pairs = [(t, raw) for t, raws in values.items() for raw in raws]
    theirs = iter(run_leadconduit(pairs, today))
    counts, mismatches = {}, []
    for type_name, raws in values.items():
        if type_name not in TYPE_NAMES:
            raise ValueError(f"unknown type {type_name!r}")
        options = {"dob": {"today": today}, "time": {"now": reference_instant(today)}}.get(
            type_name, {}
        )
        ours = parse(type_name, pl.Series("raw", raws, dtype=pl.String), **options).to_dicts()
        counts[type_name] = len(raws)
        for index, (raw, mine) in enumerate(zip(raws, ours, strict=True)):
            other = theirs_row(type_name, next(theirs))
            mine = ours_row(mine)
            for column in ("$error", *mine) if "$error" in other else mine:
                a, b = mine.get(column), other.get(column)
                if same(a, b):
                    continue
                miss = Mismatch(type_name, column, raw, a, b, mine, other, index)
                explained = any(entry.explains(miss) for entry in documented)
                mismatches.append(replace(miss, documented=explained))
    return Comparison(counts, mismatches)
