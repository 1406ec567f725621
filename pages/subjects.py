"""Subjects, for subject leaders: one subject by class and teacher, by group, its grades, and who is below target."""
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from pages.common import current_scope, downloads, use_the_router, warehouse_run, with_group_labels
from pages.filters import current_view, describe
from warehouse import analysis, loaders
from warehouse.loaders import STATUS_LABELS

SPLITS = {"Gender": "gender", "Disadvantaged": "disadvantaged", "SEN": "sen_status", "EAL": "eal",
          "Prior attainment": "prior_attainment_band", "School groups": "custom_groups", "Class": "class_code",
          "Teacher": "teacher"}

use_the_router()
st.title("Subjects")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    if view.subject_code is None:
        st.info("Choose a subject in the sidebar. On track by subject for this view:")
        by_subject = loaders.overview(run, current_scope(), view).by_subject
        st.dataframe(by_subject.drop(columns="subject_code"), hide_index=True, width="stretch", column_config={
            "subject_name": "Subject", "graded_with_target": "Graded with a target",
            "pct_on_track": st.column_config.ProgressColumn("On track %", format="%.1f", min_value=0, max_value=100),
            "pct_below": st.column_config.NumberColumn("Below %", format="%.1f"),
            "mean_gap_grades": st.column_config.NumberColumn("Mean gap (grades)", format="%+.2f")})
        st.stop()

    st.caption(describe(view))
    data = loaders.subject_view(run, current_scope(), view)
    pupils = data.pupils
    if pupils.empty:
        st.info("No working-at grades in this subject for these pupils at this drop.")
        st.stop()
    columns = st.columns(4)
    columns[0].metric("Pupils", f"{len(pupils):,}")
    columns[1].metric("On track", f"{100 * pupils['on_track'].dropna().mean():.1f}%",
                      help="On track or ahead of the progress target, of pupils with one.")
    columns[2].metric("Below target", f"{int(pupils['below_target'].fillna(False).sum()):,}",
                      help="Below or well below the progress target.")
    columns[3].metric("Mean residual", f"{pupils['residual_grades'].mean():+.2f} grades",
                      help="Pupils' grade here minus their mean grade in their other subjects: above zero, they do "
                           "better in this subject than elsewhere.")

    st.subheader("By class and teacher")
    st.dataframe(data.by_class, hide_index=True, width="stretch", column_config={
        "class_code": "Class", "teacher": "Teacher", "pupils": "Pupils",
        "pct_on_track": st.column_config.ProgressColumn("On track %", format="%.1f", min_value=0, max_value=100),
        "mean_gap_grades": st.column_config.NumberColumn("Mean gap (grades)", format="%+.2f"),
        "mean_residual_grades": st.column_config.NumberColumn("Mean residual (grades)", format="%+.2f")})

    left, right = st.columns(2)
    with left:
        st.subheader("By group")
        split = st.selectbox("Split by", list(SPLITS), key="subject_split")
        measure = st.radio("Measure", ["On track %", "Mean gap (grades)", "Mean residual (grades)"],
                           horizontal=True, key="subject_measure")
        summary = {"On track %": analysis.share_of("on_track"), "Mean gap (grades)": analysis.mean_of("gap_grades"),
                   "Mean residual (grades)": analysis.mean_of("residual_grades")}[measure]
        compared = with_group_labels(analysis.compare_groups(pupils, SPLITS[split], summary))
        st.dataframe(compared.drop(columns="group_by"), hide_index=True, width="stretch", column_config={
            "group": split, "pupils": "Pupils", "value": st.column_config.NumberColumn(measure, format="%.2f"),
            "rest_pupils": "Rest: pupils", "rest_value": st.column_config.NumberColumn("Rest", format="%.2f"),
            "gap": st.column_config.NumberColumn("Gap to the rest", format="%+.2f")})
    with right:
        st.subheader("Grades")
        chart = (alt.Chart(data.grades).mark_bar()
                 .encode(x=alt.X("working_at:N", title="Working at", sort=alt.SortField("working_at_points")),
                         y=alt.Y("pupils:Q", title="Pupils"), tooltip=["working_at", "pupils"]))
        st.altair_chart(chart, width="stretch")
        st.caption("Pupils by prior-attainment band (rows) and whole grade (columns).")
        st.dataframe(data.transition, width="stretch")

    st.subheader("Pupils below target")
    below = pupils[pupils["below_target"].fillna(False)].assign(
        status=lambda f: f["status"].map(STATUS_LABELS),
        open=lambda f: [f"/pupil?{urlencode({**view.to_url(), 'upn': upn})}" for upn in f["upn"]])
    columns = ["pupil_name", "open", "tutor_group", "class_code", "teacher", "working_at", "target",
               "progress_target_points", "gap_grades", "status", "residual_grades"]
    if below.empty:
        st.success("No pupil is below target in this subject.")
    else:
        st.dataframe(below[columns].sort_values("gap_grades"), hide_index=True, width="stretch", column_config={
            "pupil_name": "Pupil", "open": st.column_config.LinkColumn("Record", display_text="Open"),
            "tutor_group": "Tutor group", "class_code": "Class", "teacher": "Teacher", "working_at": "Working at",
            "target": "Target", "progress_target_points": st.column_config.NumberColumn("Progress target",
                                                                                     format="%.2f"),
            "gap_grades": st.column_config.NumberColumn("Gap (grades)", format="%+.2f"), "status": "Status",
            "residual_grades": st.column_config.NumberColumn("Residual", format="%+.2f")})
        downloads(below[[c for c in columns if c != "open"]], "pupils-below-target")
