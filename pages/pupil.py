"""Pupil: one pupil's subjects, trajectories against their progress targets, attendance, targets and programmes."""
import altair as alt
import pandas as pd
import streamlit as st

from pages import charts, staff_panels
from pages.common import (MISSING, current_actor, current_scope, record_event, remembered, use_the_router,
                          warehouse_run)
from pages.filters import current_view
from warehouse import analysis, loaders
from warehouse.loaders import STATUS_LABELS
from warehouse.pupil_summary import academic_year_of, summary_file_name, summary_html

def attendance_pattern(pattern: analysis.AttendancePattern, year_start, point_date) -> None:
    """Where the pupil's absences fall this year, up to the drop: by day and session, and week by week."""
    if pattern.by_day.empty:
        return
    st.caption(f"Sessions missed from {year_start:%d/%m/%Y} to the drop ({point_date:%d/%m/%Y}), by day and "
               "session, and week by week: a pattern (every Monday, afternoons) is worth a conversation.")
    day = alt.X("weekday:N", title=None, sort=list(analysis.WEEKDAYS), axis=alt.Axis(labelAngle=0))
    days = alt.Chart(pattern.by_day).encode(x=day, y=alt.Y("session:N", title=None))
    grid = days.mark_rect().encode(
        # No legend: each cell prints its count (a legend beside the stretched grid was cut off).
        color=alt.Color("missed:Q", title="Missed", scale=alt.Scale(scheme="oranges"), legend=None),
        tooltip=[alt.Tooltip("weekday:N", title="Day"), alt.Tooltip("session:N", title="Session"),
                 alt.Tooltip("possible:Q", title="Possible"), alt.Tooltip("missed:Q", title="Missed"),
                 alt.Tooltip("unauthorised:Q", title="Unauthorised"),
                 alt.Tooltip("attendance_pct:Q", title="Attendance %")])
    weeks = (alt.Chart(pattern.by_week).mark_bar(color="#E69F00")
             .encode(x=alt.X("week:T", title="Week starting", axis=alt.Axis(format="%d %b")),
                     y=alt.Y("missed:Q", title="Missed"),
                     tooltip=[alt.Tooltip("week:T", title="Week starting", format="%d/%m/%Y"),
                              alt.Tooltip("missed:Q", title="Missed"), alt.Tooltip("possible:Q", title="Possible")])
             .properties(height=130))
    # One chart of two parts: each chart the browser draws has a fixed cost on every filter change.
    both = alt.vconcat((grid + days.mark_text().encode(text=alt.Text("missed:Q"))).properties(height=110), weeks)
    # Fitted to the column's width with its axes: Streamlit leaves a concatenation holding a layer unfitted
    # (its "pad"), and the chart then ran past the column by its axis labels.
    fitted = both.resolve_scale(color="independent").properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    st.altair_chart(fitted, width="stretch")


use_the_router()
st.title("Pupil")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    pupils = loaders.pupils_to_find(run, current_scope(), view)
    if pupils.empty:
        st.info("No pupils in this view. Widen the filters in the sidebar.")
        st.stop()
    labels = dict(zip(pupils["upn"], pupils["pupil_name"] + " · " + pupils["tutor_group"].fillna("")
                      + " · " + pupils["upn"]))
    wanted = st.query_params.get("upn")
    if wanted in labels and wanted != st.session_state.get("pupil_url"):
        st.session_state["pupil"] = wanted   # a link (or the back button) named another pupil: it wins
    elif st.session_state.get("pupil") not in labels:
        st.session_state["pupil"] = pupils["upn"].iloc[0]
    upn = st.selectbox("Find a pupil (type a name or UPN)", list(labels), key="pupil",
                       format_func=labels.get, help="Pupils of the view chosen in the sidebar.")
    st.session_state["pupil_url"] = upn
    if st.query_params.get("upn") != upn:
        st.query_params["upn"] = upn

    year_start, point_date = loaders.academic_year_dates(run, view)
    record = remembered(loaders.pupil_record, run, current_scope(), view.school, upn)
    pupil = record.profile
    name_column, print_column = st.columns([4, 1], vertical_alignment="bottom")
    name_column.header(pupil.pupil_name)
    actor = current_actor()   # now: the file is made later, outside this session's script

    def printable_summary() -> bytes:
        record_event("export", f"{summary_file_name(upn, view.assessment_point)}",
                     {"table": "pupil summary", "upn": upn, "assessment_point": view.assessment_point}, actor=actor)
        return summary_html(record, view.assessment_point, point_date).encode("utf-8")

    print_column.download_button(
        "Printable summary", printable_summary,
        file_name=summary_file_name(upn, view.assessment_point), mime="text/html", icon=":material/print:",
        help="One A4 page for a parents' meeting: subjects at this drop, this year's attendance, programmes. "
             "Open it in a browser and print. It leaves out SEN, disadvantage and other sensitive details.")
    flags = [label for label, on in (("Disadvantaged", pupil.disadvantaged), ("Pupil premium", pupil.pupil_premium),
                                     ("FSM", pupil.fsm), ("EAL", pupil.eal), ("Looked after", pupil.looked_after),
                                     ("More able", pupil.more_able)) if on]
    if pupil.sen_status in ("K", "E"):
        flags.append({"K": "SEN support", "E": "EHC plan"}[pupil.sen_status])
    baseline = ("KS2 average " + f"{pupil.ks2_average:g}" if pd.notna(pupil.ks2_average) else
                f"no KS2; alternative baseline {pupil.alternative_baseline:g}" if pd.notna(pupil.alternative_baseline)
                else "no baseline")
    st.caption(f"UPN {pupil.upn} · Year {pupil.year_group} ({pupil.year_group_academic_year}) · tutor group "
               f"{pupil.tutor_group or '–'} · {baseline}"
               + (f" · prior attainment {pupil.prior_attainment_band}" if pupil.prior_attainment_band else "")
               + (" · " + ", ".join(flags) if flags else "")
               + (" · groups: " + ", ".join(pupil.custom_groups) if len(pupil.custom_groups) else ""))

    now = record.at_point(view.assessment_point)
    this_year = record.attendance[record.attendance["academic_year"] == academic_year_of(point_date)]
    # One row of figures (a horizontal container, not three columns): each element is a message the browser
    # redraws the page for, so fewer of them make a change of pupil quicker.
    figures = [st.container(horizontal=True, gap="medium")] * 3
    figures[0].metric(f"Attendance {academic_year_of(point_date)}",
                      "–" if this_year.empty else f"{this_year['attendance_pct'].iloc[0]:.1f}%",
                      help="Sessions attended as a share of possible sessions this academic year (DfE). A pupil "
                           "missing 10% or more is persistently absent.")
    figures[1].metric("Subjects below target", int(now["status"].isin(["below", "well_below"]).sum()),
                      help="Subjects at this drop below or well below the progress target.")
    figures[2].metric("Programmes", len(record.interventions), help="Intervention programmes on record.")
    st.subheader(f"Subjects at {view.assessment_point}")
    if now.empty:
        st.info("No grades for this pupil at this drop.")
    else:
        table = now.assign(status=now["status"].map(STATUS_LABELS).fillna("–"))[
            ["subject_name", "working_at", "target", "progress_target_points", "gap_grades", "status", "effort",
             "teacher", "class_code"]]
        st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING, column_config={
            "subject_name": "Subject", "working_at": "Working at",
            "target": st.column_config.TextColumn("Target", help="The end-of-key-stage target in force at this drop."),
            "progress_target_points": st.column_config.NumberColumn(
                "Progress target", format="%.2f", help="Where the pupil should be now, in points of the subject's "
                                                       "scale, on the way to the target (docs/measures.md)."),
            "gap_grades": st.column_config.NumberColumn("Gap (grades)", format="%+.2f"),
            "status": "Status", "effort": "Effort", "teacher": "Teacher", "class_code": "Class"})

    # The heading and what the chart shows as one element (see the figures above).
    st.markdown("### Trajectories\n:small[:gray[Each subject's row: the working-at grade (solid) at each drop "
                "against the progress target (dashed), on one points scale for every subject: higher is further "
                "on. Point at a drop for its grades.]]")
    history = record.progress.dropna(subset=["working_at_points"])
    earlier = st.toggle("Subjects no longer taken (earlier key stages)", key="pupil_earlier",
                        help="By default, the subjects the pupil has a grade in at this drop.")
    if not earlier and not now.empty:
        history = history[history["subject_name"].isin(now["subject_name"])]
    if history.empty:
        st.info("No working-at grades yet.")
    else:
        # Only the columns the chart shows: each is sent to the browser and turned into its rows on every change.
        shown = history[["subject_name", "assessment_point", "point_sequence", "working_at_points",
                         "progress_target_points", "working_at", "target", "status"]]
        st.altair_chart(charts.trajectories(shown.assign(status=shown["status"].map(STATUS_LABELS))),
                        width="stretch")

    def attendance_tab():
        if record.attendance.empty:
            st.info("No attendance imported for this pupil.")
        else:
            st.dataframe(record.attendance, hide_index=True, width="stretch", placeholder=MISSING, column_config={
                "academic_year": "Year", "counted_from": "From", "possible_sessions": "Possible",
                "present_sessions": "Present", "authorised_absence_sessions": "Authorised",
                "unauthorised_absence_sessions": "Unauthorised",
                "attendance_pct": st.column_config.NumberColumn("Attendance %", format="%.1f"),
                "persistent_absent": "Persistent (≥10%)", "severe_absent": "Severe (≥50%)"})
        pattern = remembered(loaders.pupil_attendance_pattern, run, current_scope(), view.school, upn, year_start,
                             point_date)
        if pattern.by_day.empty:
            st.info("No register marks for this pupil between the start of the year and the drop.")
        attendance_pattern(pattern, year_start, point_date)

    def programmes_tab():
        if record.interventions.empty:
            st.info("Not in any intervention programme.")
        else:
            st.dataframe(record.interventions, hide_index=True, width="stretch", placeholder="", column_config={
                "programme": "Programme", "subject_name": "Subject",
                "start_date": st.column_config.DateColumn("From", format="DD/MM/YYYY"),
                "end_date": st.column_config.DateColumn(
                    "To", format="DD/MM/YYYY", help="Blank while the pupil is still in the programme."),
                "lead": "Lead"})

    def targets_tab():
        targets = remembered(loaders.pupil_targets, run, current_scope(), view.school, upn)
        staff_panels.pupil_targets(run, current_scope(), view.school, upn, targets, record.progress)

    def notes_tab():
        classes = tuple(record.progress["class_code"].dropna().unique())
        groups = tuple(pupil.custom_groups) if pupil.custom_groups is not None else ()
        staff_panels.pupil_notes_and_actions(run, current_scope(), view.school, upn, view.assessment_point,
                                             classes, groups)

    # Only the open tab is drawn (its name is kept in the URL), and only its rows read: a change of pupil redraws
    # and reads less. This year's attendance is in the figures above; the tab has every year's, and where this
    # year's absences fall (the year's register marks, read when the tab opens), as the targets are.
    tabs = st.tabs(["Programmes", "Attendance", "Targets and estimates", "Notes and actions"], key="tab",
                   bind="query-params")
    for tab, draw in zip(tabs, (programmes_tab, attendance_tab, targets_tab, notes_tab)):
        if tab.open:
            with tab:
                draw()
