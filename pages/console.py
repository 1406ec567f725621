"""For senior leaders and the data manager: a read-only SQL console over the marts their access allows.

Each query runs sandboxed, in a process of its own holding only the viewer's
rows, with time, memory and row limits (warehouse/console.py and
warehouse/console_worker.py); every query is written to the audit log.
"""
import pandas as pd
import streamlit as st

from pages.common import (current_actor, current_scope, downloads, show_empty_warehouse, use_the_router,
                          viewer_has_page)
from warehouse.config import load_settings
from warehouse.console import MAX_SQL_CHARS, ConsoleLimits, available_tables, run_console_query

EXAMPLE = ("select year_group, count(*) as pupils\nfrom mart_pupil\nwhere on_roll\n"
           "group by year_group\norder by year_group")
RESULT = "console_result"

use_the_router()
st.title("SQL console")
if not viewer_has_page("console"):   # the navigation offers it to no one else; the data layer holds the scope
    st.error("The SQL console is for senior leaders and the data manager.")
    st.stop()
limits = ConsoleLimits()
st.caption(f"One read-only query (SELECT, WITH … SELECT, or EXPLAIN) over the tables below, holding only the "
           f"pupils, schools and subjects you may see. A query may run for {limits.time_seconds:g} seconds and "
           f"show {limits.max_rows:,} rows; files, settings, extensions and changes to data are refused. "
           "Every query is written to the audit log.")

settings = load_settings()
scope = current_scope()
tables = available_tables(scope, settings)
if not tables:
    show_empty_warehouse()
    st.stop()

with st.expander(f"The tables you can query ({len(tables)})"):
    listing = pd.DataFrame([{"table": table, "columns": ", ".join(f"{name} ({kind.lower()})" for name, kind in columns)}
                            for table, columns in tables.items()])
    st.dataframe(listing,
                 hide_index=True, width="stretch",
                 column_config={"table": st.column_config.TextColumn("Table", width="small"),
                                "columns": st.column_config.TextColumn("Columns (type)", width="large")})
    st.caption("A query sees only the tables it names (and the database's own catalogue of them).")

with st.form("console_form"):
    sql = st.text_area("Query", value=EXAMPLE, height=180, max_chars=MAX_SQL_CHARS, key="console_sql")
    run = st.form_submit_button("Run", icon=":material/play_arrow:", type="primary")
if run:
    with st.spinner("Running the query…"):
        st.session_state[RESULT] = run_console_query(sql, scope, settings, actor=current_actor(), limits=limits)

result = st.session_state.get(RESULT)   # kept, so that a download's rerun still shows the result
if result is not None:
    message = (result.message or "")[:1].upper() + (result.message or "")[1:]
    if result.status == "refused":
        st.error(f"Refused: {message}.", icon=":material/block:")
    elif result.status == "timeout":
        st.warning(f"Stopped: {message}.", icon=":material/timer_off:")
    elif result.status == "error":
        st.error(message, icon=":material/error:")
    else:
        rows = len(result.frame)
        st.caption(f"{rows:,} row{'s' if rows != 1 else ''} in {result.elapsed:.1f} s"
                   + (f": the first {rows:,} only (the console shows at most {limits.max_rows:,})."
                      if result.truncated else "."))
        # SQL's word for a missing value, as someone writing a query expects it (not Streamlit's "None").
        st.dataframe(result.frame, hide_index=True, width="stretch", placeholder="NULL")
        downloads(result.frame, "console-result")
