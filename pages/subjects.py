"""Subjects, for subject leaders: one subject by class and teacher, by group, its grades, and who is below target."""
import altair as alt
import pandas as pd
import streamlit as st

from pages import staff_panels
from pages.charts import highlight
from pages.common import (MISSING, current_scope, downloads, drill_down, open_a_pupil, pupil_links, remembered,
                          subject_link, use_the_router, warehouse_run, with_group_labels)
from pages.filters import current_view, describe
from warehouse import analysis, loaders
from warehouse.loaders import STATUS_LABELS

SPLITS = {"Gender": "gender", "Disadvantaged": "disadvantaged", "SEN": "sen_status", "EAL": "eal",
          "Prior attainment": "prior_attainment_band", "School groups": "custom_groups", "Class": "class_code",
          "Teacher": "teacher"}

PUPIL_COLUMNS = {
    "pupil_name": "Pupil", "open": st.column_config.LinkColumn("Record", display_text="Open"),
    "tutor_group": "Tutor group", "class_code": "Class", "teacher": "Teacher", "working_at": "Working at",
    "target": "Target", "progress_target_points": st.column_config.NumberColumn("Progress target", format="%.2f"),
    "gap_grades": st.column_config.NumberColumn("Gap (grades)", format="%+.2f"), "status": "Status",
    "residual_grades": st.column_config.NumberColumn("Residual", format="%+.2f")}


def pupil_table(pupils: pd.DataFrame, name: str) -> None:
    """The pupils behind a figure, each a link to their record; downloadable."""
    shown = pupils.assign(status=pupils["status"].map(STATUS_LABELS),
                          open=pupil_links(view, pupils["upn"]))[list(PUPIL_COLUMNS)]
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=MISSING, column_config=PUPIL_COLUMNS)
    downloads(shown.drop(columns="open"), name)


use_the_router()
st.title("Subjects")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    if view.subject_code is None:
        st.info("Choose a subject in the sidebar. On track by subject for this view:")
        by_subject = loaders.overview(run, current_scope(), view).by_subject
        by_subject = by_subject.assign(open=[subject_link(view, code) for code in by_subject["subject_code"]])
        st.dataframe(by_subject.drop(columns="subject_code"), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config={
            "subject_name": "Subject", "open": st.column_config.LinkColumn("Subject page", display_text="Open"), "graded_with_target": "Graded with a target",
            "pct_on_track": st.column_config.ProgressColumn("On track %", format="%.1f", min_value=0, max_value=100),
            "pct_below": st.column_config.NumberColumn("Below %", format="%.1f"),
            "mean_gap_grades": st.column_config.NumberColumn("Mean gap (grades)", format="%+.2f")})
        st.stop()

    st.caption(describe(view))
    data = remembered(loaders.subject_view, run, current_scope(), view)
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
    st.dataframe(data.by_class, hide_index=True, width="stretch", placeholder=MISSING, column_config={
        "class_code": "Class", "teacher": "Teacher", "pupils": "Pupils",
        "pct_on_track": st.column_config.ProgressColumn("On track %", format="%.1f", min_value=0, max_value=100),
        "mean_gap_grades": st.column_config.NumberColumn("Mean gap (grades)", format="%+.2f"),
        "mean_residual_grades": st.column_config.NumberColumn("Mean residual (grades)", format="%+.2f")})
    # Expanders here draw their tables only when open (on_change="rerun"): a filter change stays quick.
    by_class = st.expander("Show the pupils in a class", key="subject_class_open", on_change="rerun")
    if by_class.open:
        with by_class:
            chosen = st.selectbox("Class", list(data.by_class["class_code"]), key="subject_class")
            pupil_table(pupils[pupils["class_code"] == chosen], f"class-{str(chosen).replace('/', '-')}")

    left, right = st.columns(2)
    with left:
        st.subheader("By group")
        split = st.selectbox("Split by", list(SPLITS), key="subject_split")
        measure = st.radio("Measure", ["On track %", "Mean gap (grades)", "Mean residual (grades)"],
                           horizontal=True, key="subject_measure")
        summary = {"On track %": analysis.share_of("on_track"), "Mean gap (grades)": analysis.mean_of("gap_grades"),
                   "Mean residual (grades)": analysis.mean_of("residual_grades")}[measure]
        raw_groups = analysis.compare_groups(pupils, SPLITS[split], summary)
        compared = with_group_labels(raw_groups)
        st.dataframe(compared.drop(columns="group_by"), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config={
            "group": split, "pupils": "Pupils", "value": st.column_config.NumberColumn(measure, format="%.2f"),
            "rest_pupils": "Rest: pupils", "rest_value": st.column_config.NumberColumn("Rest", format="%.2f"),
            "gap": st.column_config.NumberColumn("Gap to the rest", format="%+.2f")})
        labelled = dict(zip(compared["group"].astype(str), raw_groups["group"]))
    with right:
        st.subheader("Grades")
        pick = alt.selection_point(name="pick", fields=["pick"])
        chart = (alt.Chart(data.grades.assign(pick=data.grades["working_at"])).mark_bar().add_params(pick)
                 .encode(x=alt.X("working_at:N", title="Working at", sort=alt.SortField("working_at_points")),
                         y=alt.Y("pupils:Q", title="Pupils"),
                         tooltip=[alt.Tooltip("working_at:N", title="Working at"),
                                  alt.Tooltip("pupils:Q", title="Pupils")],
                         opacity=highlight(pick)))
        grade_event = st.altair_chart(chart, width="stretch", on_select="rerun", key="subject_grades")
        st.caption("Pupils by prior-attainment band (rows) and whole grade (columns).")
        st.dataframe(data.transition.rename_axis("Prior attainment"), width="stretch", placeholder=MISSING)

    picked = (grade_event.selection.get("pick") or [{}])[0].get("pick")
    if picked is not None and picked != st.session_state.get("subject_grade_clicked"):
        st.session_state["subject_pupils_open"] = True   # a click on a grade opens its pupils
    st.session_state["subject_grade_clicked"] = picked
    in_a_group = st.expander("Show the pupils in a group or at a grade", key="subject_pupils_open",
                             on_change="rerun")
    if in_a_group.open:
        with in_a_group:
            group_side, grade_side = st.columns(2)
            with group_side:
                group = st.selectbox(f"{split}", list(labelled), key="subject_group")
            with grade_side:
                grade = drill_down("Working at", ["Any"] + list(data.grades["working_at"]), "subject_grade",
                                   grade_event, help="Or click a bar of the grades chart.")
            members = pupils if not labelled else pupils[analysis.members_of(pupils, SPLITS[split], labelled[group])]
            if grade != "Any":
                members = members[members["working_at"] == grade]
            pupil_table(members, "subject-pupils")

    st.subheader("Pupils below target")
    below = pupils[pupils["below_target"].fillna(False)].assign(
        status=lambda f: f["status"].map(STATUS_LABELS),
        open=lambda f: pupil_links(view, f["upn"]))
    columns = ["pupil_name", "open", "tutor_group", "class_code", "teacher", "working_at", "target",
               "progress_target_points", "gap_grades", "status", "residual_grades"]
    if below.empty:
        st.success("No pupil is below target in this subject.")
    else:
        st.dataframe(below[columns].sort_values("gap_grades"), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config=PUPIL_COLUMNS)
        downloads(below[[c for c in columns if c != "open"]], "pupils-below-target")
        open_a_pupil(below.sort_values("gap_grades"), view, "subject_below_pupil")

    # Drawn only when asked for: the page redraws on every change of view, and few changes need these.
    if st.toggle("Curricular targets", key="subject_curricular",
                 help="Short targets for a class, a group or a pupil in this subject, over a term or a few weeks."):
        groups = sorted({g for listed in pupils["custom_groups"].dropna() for g in listed})
        names = dict(zip(pupils["upn"], pupils["pupil_name"] + " · " + pupils["upn"]))
        staff_panels.subject_curricular_targets(run, current_scope(), view.school, view.subject_code, groups, names)
