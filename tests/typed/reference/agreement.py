"""Per-type agreement with LeadConduit's own parsers (npm leadconduit-types) on generated values.

    python tests/typed/reference/agreement.py [N] [--raw] [--show K]

N values per type (default 500, the same values on every run); a row agrees when every component
agrees. Without --raw the documented differences (differences.py) count as agreement; --show K
prints K example mismatches per type and component.
"""

from __future__ import annotations

import argparse
from collections import Counter

from differences import DOCUMENTED
from lcjs import compare, library_version
from strategies import sample

from ingest.typed.types import TYPE_NAMES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--raw", action="store_true", help="count documented differences too")
    parser.add_argument("--show", type=int, default=0, metavar="K")
    parser.add_argument("--types", nargs="*", default=list(TYPE_NAMES))
    args = parser.parse_args()
    values = {t: sample(t, args.n) for t in args.types}
    result = compare(values, () if args.raw else DOCUMENTED)
    print(
        f"leadconduit-types {library_version()}, {args.n} values per type,"
        f" {'raw' if args.raw else 'documented differences allowed'}"
    )
    print(f"{'type':<16} {'agree %':>8}  components differing")
    by_type = Counter((m.type_name, m.component) for m in result.mismatches)
    for t in args.types:
        parts = ", ".join(f"{c} {n}" for (tt, c), n in sorted(by_type.items()) if tt == t)
        print(f"{t:<16} {result.agreement(t):8.1f}  {parts}")
    total = sum(result.values.values())
    wrong = sum(result.rows_differing.values())
    print(f"{'all':<16} {100 * (total - wrong) / total:8.1f}")
    if args.show:
        shown = Counter()
        for m in result.mismatches:
            key = (m.type_name, m.component)
            if shown[key] < args.show:
                shown[key] += 1
                print(" ", m)


if __name__ == "__main__":
    main()
