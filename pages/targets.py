"""Targets: current targets that look wrong by the 2008 guide's checks, with who set them and why."""
import streamlit as st

from pages.common import (MISSING, RECORD_COLUMN, current_scope, downloads, use_the_router, warehouse_run,
                          with_record_links)
from pages.filters import current_view, describe
from warehouse import loaders

use_the_router()
st.title("Targets")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption(describe(view).rsplit(" · at ", 1)[0] + ". Current targets of pupils on roll in their current key "
               "stage, checked against the prediction set in tracker.toml, the best grade reached, and recent "
               "progress (docs/measures.md).")
    headline = st.container()   # the counts above the toggle that decides which rows are read
    only_flagged = st.toggle("Only targets with a flag", value=True)
    checks = loaders.target_checks(run, current_scope(), view, flagged_only=only_flagged)
    counts = checks.counts
    columns = headline.columns(4)
    columns[0].metric("Targets checked", f"{int(counts['targets']):,}")
    columns[1].metric("Below prediction", f"{int(counts['below_prediction']):,}",
                      help="Target below the pupil's prediction.")
    columns[2].metric("Already reached", f"{int(counts['already_attained']):,}",
                      help="Target at or below a grade the pupil has already reached.")
    columns[3].metric("Not challenging", f"{int(counts['not_challenging']):,}",
                      help="Ahead of the progress target at the latest drops since the target was set.")
    table = checks.targets.drop(columns=["target_below_prediction", "target_already_attained",
                                         "target_not_challenging"])
    if table.empty:
        if only_flagged:
            st.success("No target in this view has a flag.")
        else:
            st.info("No pupil in this view has a current target.")
        st.stop()
    st.caption(f"{len(table):,} targets with a flag." if only_flagged
               else f"All {len(table):,} targets, those with a flag first.")
    st.dataframe(
        with_record_links(table, view), hide_index=True, width="stretch", placeholder=MISSING,
        column_config={"pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": "UPN", "tutor_group": "Tutor group", "subject_name": "Subject",
         "target": "Target", "set_by": "Set by", "set_on": st.column_config.DateColumn("Set on", format="DD/MM/YYYY"),
         "reason": "Why", "prediction_method": "Checked against", "predicted_grade": "Prediction",
         "best_attained": "Best so far", "flags": st.column_config.TextColumn("Flags", width="large")},
    )
    downloads(table, "target-checks")
