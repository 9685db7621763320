"""Per-type agreement with LeadConduit's own parsers (npm leadconduit-types) on generated values.

    python tests/typed/reference/agreement.py [N] [--show K] [--types T ...]

N values per type (default 500, the same values on every run); a value agrees when every column
agrees. Two figures per type: raw (every difference counts) and with the documented differences
(differences.py) counted as agreement. --show K prints K undocumented mismatches per type and
component.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from differences import DOCUMENTED, PENDING
from lcjs import compare, library_version
from strategies import sample

from ingest.typed.types import TYPE_NAMES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--show", type=int, default=0, metavar="K")
    parser.add_argument("--types", nargs="*", default=list(TYPE_NAMES))
    parser.add_argument(
        "--values", metavar="FILE", help="read the values from FILE (JSON) or, if missing, write"
        " them there: to compare two versions of the parsers on the same values",
    )  # fmt: skip
    args = parser.parse_args()
    stored = Path(args.values) if args.values else None
    if stored and stored.exists():
        values = {
            t: v[: args.n] for t, v in json.loads(stored.read_text()).items() if t in args.types
        }
    else:
        values = {t: sample(t, args.n) for t in args.types}
        if stored:
            stored.write_text(json.dumps(values))
    result = compare(values, DOCUMENTED)
    print(f"leadconduit-types {library_version()}, {args.n} generated values per type")
    print("| type | raw agree % | agree % (documented differences allowed) | still differing |")
    print("|---|---:|---:|---|")
    by_type = Counter((m.type_name, m.component) for m in result.mismatches)
    for t in args.types:
        parts = ", ".join(f"{c} {n}" for (tt, c), n in sorted(by_type.items()) if tt == t)
        pending = " (pending)" if t in PENDING else ""
        raw, allowed = result.agreement(t, documented_too=True), result.agreement(t)
        print(f"| {t}{pending} | {raw:.1f} | {allowed:.1f} | {parts} |")
    total = sum(result.values.values())
    for label, too in (("raw", True), ("documented allowed", False)):
        wrong = sum(result.rows_differing(t, too) for t in args.types)
        print(f"all types, {label}: {100 * (total - wrong) / total:.1f} %")
    if args.show:
        shown = Counter()
        for m in result.mismatches:
            key = (m.type_name, m.component)
            if shown[key] < args.show:
                shown[key] += 1
                print(" ", m)


if __name__ == "__main__":
    main()
