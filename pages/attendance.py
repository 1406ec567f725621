"""Attendance: the chosen pupils' attendance and persistent absence over any dates, by group and month."""
import altair as alt
import pandas as pd
import streamlit as st

from pages.common import (MISSING, RECORD_COLUMN, current_scope, downloads, open_a_pupil, remembered, use_the_router,
                          warehouse_run, with_group_labels, with_record_links)
from pages.filters import current_view, describe
from warehouse import analysis, loaders

SPLITS = {"Disadvantaged": "disadvantaged", "SEN": "sen_status", "Gender": "gender", "EAL": "eal",
          "Prior attainment": "prior_attainment_band", "Tutor group": "tutor_group", "School groups": "custom_groups"}

PUPIL_COLUMNS = {
    "pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": None, "tutor_group": "Tutor group",
    "possible_sessions": "Possible", "present_sessions": "Present", "authorised_absence_sessions": "Authorised",
    "unauthorised_absence_sessions": "Unauthorised",
    "attendance_pct": st.column_config.NumberColumn("Attendance %", format="%.1f"),
    "persistent_absent": "Persistent", "severe_absent": "Severe",
    "mean_gap_grades": st.column_config.NumberColumn("Mean gap", format="%+.2f",
                                                     help="Mean gap to the progress target at the drop, in grades.")}

use_the_router()
st.title("Attendance")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    year_start, point_date = loaders.academic_year_dates(run, view)
    st.caption(describe(view).rsplit(" · at ", 1)[0] + ". DfE definitions: present includes approved educational "
               "activity; persistent absence is missing 10% or more of possible sessions (docs/measures.md).")
    dates = st.date_input("Between", value=(year_start.date(), point_date.date()), format="DD/MM/YYYY",
                          help="From the start of the drop's academic year to the drop, unless you choose.")
    if not isinstance(dates, tuple) or len(dates) != 2:
        st.stop()
    data = remembered(loaders.attendance, run, current_scope(), view, *dates)
    pupils = data.pupils[data.pupils["possible_sessions"] > 0]
    if pupils.empty:
        st.info("No attendance for these pupils between these dates.")
        st.stop()
    columns = st.columns(4)
    columns[0].metric("Attendance", f"{analysis.ATTENDANCE.compute(pupils):.1f}%",
                      help="Sessions attended as a share of possible sessions, over all the pupils.")
    columns[1].metric("Persistently absent", f"{analysis.PERSISTENT_ABSENCE.compute(pupils):.1f}%",
                      help="Pupils missing 10% or more of their possible sessions (severe included).")
    columns[2].metric("Severely absent", f"{analysis.SEVERE_ABSENCE.compute(pupils):.1f}%",
                      help="Pupils missing 50% or more.")
    columns[3].metric("Pupils", f"{len(pupils):,}")

    def groups_and_months():
        """Attendance by group with the gap to the rest, month by month, and the pupils in a group."""
        left, right = st.columns(2)
        with left:
            st.subheader("By group")
            split = st.selectbox("Split by", list(SPLITS), key="attendance_split")
            compared = with_group_labels(analysis.compare_groups(pupils, SPLITS[split], analysis.ATTENDANCE))
            absent = with_group_labels(analysis.compare_groups(pupils, SPLITS[split], analysis.PERSISTENT_ABSENCE))
            table = compared[["group", "pupils", "value", "gap"]].merge(
                absent[["group", "value", "gap"]], on="group", suffixes=("", "_pa"))
            st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING, column_config={
                "group": split, "pupils": "Pupils",
                "value": st.column_config.NumberColumn("Attendance %", format="%.1f"),
                "gap": st.column_config.NumberColumn("Gap to the rest", format="%+.1f"),
                "value_pa": st.column_config.NumberColumn("Persistently absent %", format="%.1f"),
                "gap_pa": st.column_config.NumberColumn("Gap to the rest (PA)", format="%+.1f")})
        with right:
            st.subheader("Month by month")
            if data.by_month.empty:
                st.info("No register marks between these dates (earlier years may have summaries only).")
            else:
                chart = (alt.Chart(data.by_month).mark_line(point=True)
                         .encode(x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
                                 y=alt.Y("attendance_pct:Q", title="Attendance (%)", scale=alt.Scale(zero=False)),
                                 tooltip=[alt.Tooltip("month:T", title="Month", format="%B %Y"),
                                          alt.Tooltip("attendance_pct:Q", title="Attendance %"),
                                          alt.Tooltip("pupils:Q", title="Pupils")]))
                st.altair_chart(chart, width="stretch")

        # Drawn only when open (on_change="rerun"): a filter change stays quick.
        in_a_group = st.expander(f"Show the pupils in a group ({split})", key="attendance_group_open",
                                 on_change="rerun")
        if in_a_group.open:
            with in_a_group:
                raw = analysis.compare_groups(pupils, SPLITS[split], analysis.ATTENDANCE)["group"]
                by_label = dict(zip(compared["group"].astype(str), raw))
                chosen = st.selectbox("Group", list(by_label), key="attendance_group")
                members = (pupils[analysis.members_of(pupils, SPLITS[split], by_label[chosen])] if by_label
                           else pupils[:0])
                group_table = members.sort_values("attendance_pct")[[c for c in PUPIL_COLUMNS if c != "open"]]
                st.dataframe(with_record_links(group_table, view), hide_index=True, width="stretch",
                             placeholder=MISSING, column_config=PUPIL_COLUMNS)
                downloads(group_table, "attendance-group")

    def against_progress():
        """Attendance against the mean gap to the progress target, pupil by pupil."""
        st.caption("Each pupil: attendance between the dates against their mean gap to the progress target at the "
                   "drop.")
        graded = pupils.dropna(subset=["mean_gap_grades"])
        graded = graded.assign(persistent=graded["persistent_absent"].map({True: "Yes", False: "No"}))
        scatter = (alt.Chart(graded).mark_circle(opacity=0.6)
                   .encode(x=alt.X("attendance_pct:Q", title="Attendance (%)", scale=alt.Scale(zero=False)),
                           y=alt.Y("mean_gap_grades:Q", title="Mean gap to progress target (grades)"),
                           color=alt.Color("persistent:N", title="Persistently absent",
                                           scale=alt.Scale(domain=["No", "Yes"], range=["#3182bd", "#e6550d"])),
                           tooltip=[alt.Tooltip("pupil_name:N", title="Pupil"),
                                    alt.Tooltip("tutor_group:N", title="Tutor group"),
                                    alt.Tooltip("attendance_pct:Q", title="Attendance %"),
                                    alt.Tooltip("mean_gap_grades:Q", title="Mean gap (grades)")]))
        st.altair_chart(scatter, width="stretch")

    def persistently_absent():
        """The persistently absent pupils, lowest attendance first."""
        absent_pupils = pupils[pupils["persistent_absent"].fillna(False)].sort_values("attendance_pct")
        shown = absent_pupils[[c for c in PUPIL_COLUMNS if c != "open"]]
        if shown.empty:
            st.success("No pupil in this view is persistently absent between these dates.")
        else:
            st.dataframe(with_record_links(shown, view), hide_index=True, width="stretch", placeholder=MISSING,
                         column_config=PUPIL_COLUMNS)
            downloads(shown, "persistently-absent")
            open_a_pupil(absent_pupils, view, "attendance_absent_pupil")

    # Only the open tab is drawn (its name is kept in the URL): a filter change redraws one part of the page.
    tabs = st.tabs(["By group and month", "Attendance and progress", "Persistently absent pupils"], key="tab",
                   bind="query-params")
    for tab, draw in zip(tabs, (groups_and_months, against_progress, persistently_absent)):
        if tab.open:
            with tab:
                draw()
