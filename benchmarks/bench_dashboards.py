"""Benchmark: the dashboards' first render after a publish, and a lead lookup.

    LEADWH_HOME=/path/to/home .venv/bin/python benchmarks/bench_dashboards.py [--repeat 3]

Reads the serving file of a built warehouse home (``$LEADWH_HOME`` or ``--home``) and prints:

1. Per page, the page's queries run cold (no result cache, a fresh read-only connection per
   query, as the app does right after a publish), for the app's default filters (the last week
   of published data) and for the whole history.
2. Per page, a full cold render through ``streamlit.testing.v1.AppTest`` (queries, figures,
   Streamlit elements; not the browser's drawing) with the cache cleared first.
3. Lead lookups of random leads: search by lead id + the lead's row + its events + its parsed
   fields, each on its own connection (the app's path on a cache miss); by email and phone too
   when typed.leads is published.

Targets (on the 1,000,000-lead data set): a page's first render <= 2 s; a lookup <= 300 ms.
Works on any built home, the small sample included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboards import queries, serving  # noqa: E402

APP = ROOT / "dashboards" / "streamlit_app.py"
DEFAULT_DAYS = 7  # as dashboards/streamlit_app.py
PAGE_TARGET_S = 2.0
LOOKUP_TARGET_MS = 300.0

# The queries each page runs on first render with its default widgets.
PAGES: dict[str, list[tuple[Callable, dict]]] = {
    "overview": [(queries.overview_kpis, {}), (queries.overview_daily, {})],
    "acceptance": [
        (queries.daily_outcomes, {}),
        (queries.acceptance_by_hour_weekday, {"clock": "local"}),
        (queries.acceptance_by_source_hour, {"clock": "utc"}),
        (queries.outcomes_by_source, {}),
        (queries.outcomes_by_flow, {}),
        (queries.daily_acceptance_by_flow, {}),
    ],
    "rejections": [
        (queries.rejection_pareto, {}),
        (queries.rejection_reasons, {"category": None}),
        (queries.rejection_steps, {"category": None}),
        (queries.rejections_by_source, {"category": None}),
        (queries.rejections_daily, {"category": None}),
    ],
    "delivery": [
        (queries.delivery_by_recipient, {"kind": "delivery"}),
        (queries.delivery_daily, {"kind": "delivery"}),
        (queries.delivery_failures, {"kind": "delivery"}),
    ],
    "sources": [(queries.source_scorecard, {}), (queries.source_quality_daily, {})],
}
PAGE_FILES = {
    "overview": "app_pages/overview.py",
    "acceptance": "app_pages/acceptance.py",
    "rejections": "app_pages/rejections.py",
    "delivery": "app_pages/delivery.py",
    "sources": "app_pages/sources.py",
    "lookup": "app_pages/lookup.py",
    "sql": "app_pages/sql.py",
}


def cold_queries(path: Path, filters: queries.Filters, page: str) -> tuple[float, list[str]]:
    """Seconds for the page's queries, each on a fresh connection; and per-query timings."""
    total, detail = 0.0, []
    for fn, options in PAGES[page]:
        started = time.perf_counter()
        with serving.connect(path) as con:
            fn(con, filters, **options)
        took = time.perf_counter() - started
        total += took
        detail.append(f"{fn.__name__} {took * 1000:.0f}")
    return total, detail


def app_render(page: str, query_params: dict, lead: str | None = None) -> float:
    """Seconds for one cold AppTest run of a page (result cache cleared first)."""
    import streamlit as st
    from streamlit.logger import set_log_level
    from streamlit.testing.v1 import AppTest

    set_log_level("error")  # no "no runtime found" warning on every run
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(PAGE_FILES[page])
    for key, value in query_params.items():
        at.query_params[key] = value
    if lead:
        at.query_params["lead"] = lead
    started = time.perf_counter()
    at.run()
    took = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"page {page} raised: {at.exception[0].value}")
    return took


def lookup(path: Path, term: str) -> float:
    """Milliseconds for one cold lookup as the page does it: the search and the newest match's
    row, events and parsed fields, on one fresh connection."""
    started = time.perf_counter()
    with serving.connect(path) as con:
        result = queries.lookup(con, term)
    took = (time.perf_counter() - started) * 1000
    if result.detail is None:
        raise RuntimeError(f"lookup of {term!r} found nothing")
    return took


def summary_ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="warehouse home (default: $LEADWH_HOME)")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per page (best kept)")
    parser.add_argument("--lookups", type=int, default=20, help="random leads to look up")
    parser.add_argument("--skip-app", action="store_true", help="skip the AppTest renders")
    args = parser.parse_args()
    if args.home:
        os.environ["LEADWH_HOME"] = str(args.home.resolve())
    path = serving.serving_path()
    version = serving.version(path)
    if version is None:
        sys.exit(f"no published serving file at {path}: build it first (make build)")

    with serving.connect(path) as con:
        options = queries.filter_options(con)
        leads, events = con.execute(
            "select (select count(*) from marts.fct_leads), (select count(*) from"
            " marts.fct_lead_events)"
        ).fetchone()
        sample = [
            r[0]
            for r in con.execute(
                "select lead_id from marts.fct_leads"
                f" using sample reservoir({int(args.lookups)} rows) repeatable (7)"
            ).fetchall()
        ]
        typed = queries.typed_columns(con)
        contacts = []
        if {"email__normal", "phone_1__normal"} <= set(typed):
            contacts = con.execute(
                "select email__normal, phone_1__normal from typed.leads"
                " where email__valid and phone_1__valid"
                " using sample reservoir(10 rows) repeatable (7)"
            ).fetchall()
    lo, hi = options["min_date"], options["max_date"]
    default = queries.Filters(max(lo, hi - timedelta(days=DEFAULT_DAYS - 1)), hi)
    everything = replace(default, start=lo)
    print(f"serving file {path} ({path.stat().st_size / 2**20:,.0f} MiB), version {version}")
    print(
        f"data: {leads:,} leads, {events:,} events, {lo} to {hi}; typed.leads "
        f"{'published' if typed else 'not published'}; threads: {os.cpu_count()} cores"
    )

    print(f"\n1. queries per page, cold (best of {args.repeat}; ms per query on the right)")
    worst = 0.0
    for label, filters in (("default (last week)", default), ("whole history", everything)):
        print(f"  filters: {label}: {filters.start} to {filters.end}")
        for page in PAGES:
            runs = [cold_queries(path, filters, page) for _ in range(args.repeat)]
            best, detail = min(runs, key=lambda r: r[0])
            worst = max(worst, best)
            print(f"    {page:<11} {best * 1000:7.0f} ms  [{', '.join(detail)}]")

    renders: dict[str, float] = {}
    if not args.skip_app:
        print(f"\n2. full page render (AppTest, cache cleared, best of {args.repeat})")
        for label, params in (
            ("default filters", {}),
            ("whole history", {"dates": [lo.isoformat(), hi.isoformat()]}),
        ):
            print(f"  filters: {label}")
            for page in PAGE_FILES:
                lead = sample[0] if page == "lookup" and sample else None
                best = min(app_render(page, params, lead) for _ in range(args.repeat))
                renders[f"{page} / {label}"] = best
                print(f"    {page:<11} {best * 1000:7.0f} ms  {verdict(best <= PAGE_TARGET_S)}")

    print(f"\n3. lead lookup, cold ({len(sample)} random leads)")
    by_id = [lookup(path, lead) for lead in sample]
    print(f"  by lead id  {summary_ms(by_id)}  {verdict(max(by_id) <= LOOKUP_TARGET_MS)}")
    every = list(by_id)
    if contacts:
        by_email = [lookup(path, email) for email, _ in contacts]
        by_phone = [lookup(path, phone) for _, phone in contacts]
        print(f"  by email    {summary_ms(by_email)}  {verdict(max(by_email) <= LOOKUP_TARGET_MS)}")
        print(f"  by phone    {summary_ms(by_phone)}  {verdict(max(by_phone) <= LOOKUP_TARGET_MS)}")
        every += by_email + by_phone
    else:
        print("  by email / phone: skipped (typed.leads is not published)")

    slowest = max(renders.values()) if renders else worst
    what = "page first render" if renders else "page's queries (renders skipped)"
    print(
        f"\nslowest {what} {slowest:.2f} s (target <= {PAGE_TARGET_S:.0f} s):"
        f" {verdict(slowest <= PAGE_TARGET_S)}"
    )
    print(
        f"slowest lookup {max(every):.0f} ms (target <= {LOOKUP_TARGET_MS:.0f} ms):"
        f" {verdict(max(every) <= LOOKUP_TARGET_MS)}"
    )


if __name__ == "__main__":
    main()
