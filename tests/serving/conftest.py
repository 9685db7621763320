"""Fixtures of the serving tests: a small serving file and a warehouse file beside it."""

from __future__ import annotations

import duckdb
import pytest

from ingest.paths import Paths


@pytest.fixture
def home(tmp_path) -> Paths:
    """A serving file with a small marts.fct_leads (96 leads, one every hour for 4 days) and a
    warehouse file beside it (raw.lead_events), for attacks to aim at."""
    paths = Paths(tmp_path / "home")
    paths.serving.parent.mkdir(parents=True)
    with duckdb.connect(str(paths.serving)) as con:
        con.execute("create schema marts")
        con.execute(
            """
            create table marts.fct_leads as
            select
                printf('lead%03d', i) as lead_id,
                timestamp '2026-10-27 00:30:00' + to_hours(i) as submitted_at,
                cast(timestamp '2026-10-27 00:30:00' + to_hours(i) as date) as submitted_date,
                ['A', 'B', 'C'][1 + i % 3] as source_name,
                case when i % 2 = 0 then 'accepted' else 'rejected' end as lead_outcome,
                i * 1.5 as profit
            from range(96) as r(i)
            """
        )
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("create schema raw; create table raw.lead_events as select 1 as i")
    return paths
