"""SQL: a read-only query box over the serving file, with a row limit and a time limit."""

import duckdb
import streamlit as st

from dashboards import serving, ui
from dashboards.safe_text import md
from dashboards.state import require_serving
from ingest.serving import isolated, sandbox

st.title("SQL")
st.caption(
    "One read query (select, with, from, describe, summarize) over the serving file, on its own"
    " read-only connection: tables under `marts` (and `typed` once published), `meta.publish_info`."
    " Files, URLs and settings are out of reach; each query runs in a process of its own, its"
    f" memory capped ({sandbox.DEFAULT_MEMORY_LIMIT} for DuckDB), stopped at its time limit."
    " The sidebar filters do not apply here: write your own `where` clause."
)

DEFAULT_ROWS = 1000
MAX_ROWS = 100_000

EXAMPLE = """select source_name, count(*) as leads,
       avg(case when lead_outcome = 'accepted' then 1 else 0 end) as acceptance_rate
from marts.fct_leads
group by source_name
order by leads desc"""

if require_serving(need_leads=False):
    with st.form("sql"):
        sql = st.text_area("Query", EXAMPLE, height=180, key="sql_text")
        left, right, _ = st.columns([1, 1, 2])
        limit = left.number_input("Row limit", 1, MAX_ROWS, DEFAULT_ROWS, step=100)
        timeout = right.number_input("Time limit (seconds)", 1, 120, 10)
        submitted = st.form_submit_button("Run", type="primary", icon=":material/play_arrow:")
    with st.expander("Tables in the serving file"):
        with serving.connect() as con:
            tables = con.execute(
                "select schema_name as schema, table_name as table, estimated_size as rows,"
                " column_count as columns from duckdb_tables() order by 1, 2"
            ).df()
        st.dataframe(tables, hide_index=True, width="stretch", key="tables")
    if submitted:
        try:
            limits = sandbox.Limits(timeout=float(timeout), max_rows=int(limit))
            result = isolated.run_sql(serving.serving_path(), sql, limits)
        except sandbox.SqlRefused as refused:
            st.warning(str(refused))
        except sandbox.SqlTimeout as slow:
            st.warning(str(slow))
        except duckdb.Error as error:
            st.warning(f"DuckDB could not run this query: {md(error)}")
        else:
            note = f"{len(result.frame):,} rows in {result.seconds:.2f} s"
            if result.truncated:
                note += f" — only the first {int(limit):,} rows are shown: raise the row limit"
                note += " or narrow the query"
            st.caption(note)
            ui.table(result.frame, "sql_result", None)
