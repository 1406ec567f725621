"""For the data manager: the audit log. Who signed in (and who was refused), who exported what, and
every change to an account, with the old and new values. It is append-only (warehouse/staff_store.py)."""
import datetime as dt

import pandas as pd
import streamlit as st

from pages.common import MISSING, downloads, use_the_router
from warehouse import staff_store

# What the log's actions mean, for the filter.
ACTIONS = {
    "": "Everything", "sign_in": "Sign-ins", "sign_in_refused": "Refused sign-ins", "export": "Exports",
    "account.": "Changes to accounts", "target.": "Targets set", "note.": "Notes on pupils",
    "action.": "Review actions", "curricular_target.": "Curricular targets", "console.query": "SQL console queries",
}

use_the_router()
st.title("Audit log")
st.caption("Every sign-in and refused sign-in, every download of a table or printed summary, every change "
           "to an account, every target, note and review action written, and every SQL console query (old → new), "
           "newest first. Times are UTC. Nobody, the data manager included, can change or "
           "delete an entry.")
left, middle, right = st.columns(3)
action = left.selectbox("What", list(ACTIONS), format_func=ACTIONS.get, key="audit_action")
actor = middle.text_input("Who (a username)", max_chars=64, key="audit_actor").strip().lower() or None
since = right.date_input("Since", value=dt.date.today() - dt.timedelta(days=30), format="DD/MM/YYYY",
                         key="audit_since")
entries = staff_store.read(staff_store.StaffStore.for_settings(), actor=actor, action=action or None,
                           since=dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc), limit=5000)
if not entries:
    st.info("Nothing in the log for this choice.")
    st.stop()
log = pd.DataFrame([{"at": e.at, "actor": e.actor, "action": e.action, "subject": e.subject,
                     "old": None if e.old is None else str(e.old), "new": None if e.new is None else str(e.new)}
                    for e in entries])
st.dataframe(log, hide_index=True, width="stretch", placeholder=MISSING, column_config={
    "at": "When (UTC)", "actor": "Who", "action": "What", "subject": "To what",
    "old": st.column_config.TextColumn("Before", width="medium"),
    "new": st.column_config.TextColumn("After", width="large")})
st.caption(f"{len(log):,} entries" + (" (the newest 5,000)" if len(log) == 5000 else "") + ".")
downloads(log, "audit-log")
