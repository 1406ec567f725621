"""Year review, for heads of year and tutors: who to discuss and why, every pupil's subjects, and who moved."""
import streamlit as st

from pages.common import (MISSING, RECORD_COLUMN, current_scope, downloads, open_a_pupil, remembered, use_the_router,
                          warehouse_run, with_record_links)
from pages import staff_panels
from pages.filters import current_view, describe
from warehouse import loaders

# Colour-blind safe (blue to orange), always with the status in words as well.
STATUS_COLOURS = {"▲": "background-color: #c6dbef", "●": "background-color: #f0f0f0",
                  "▼▼": "background-color: #fdae6b", "▼": "background-color: #fee6ce"}
RULES = {"effort": "Effort", "below_target": "Below target", "uneven": "Uneven across subjects",
         "attendance": "Attendance", "progress": "Progress"}


def colour(value: str) -> str:
    for mark in ("▼▼", "▲", "●", "▼"):
        if isinstance(value, str) and value.startswith(mark):
            return STATUS_COLOURS[mark]
    return ""


use_the_router()
st.title("Year review")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption(describe(view) + ". Lists and thresholds: docs/measures.md (review lists).")
    data = remembered(loaders.year_review, run, current_scope(), view)
    concerns = data.lists[data.lists["list"] == "concern"]
    commendations = data.lists[data.lists["list"] == "commendation"]
    columns = st.columns(3)
    columns[0].metric("Pupils of concern", concerns["upn"].nunique(), help="Listed by at least one concern rule.")
    columns[1].metric("Pupils commended", commendations["upn"].nunique(),
                      help="Listed by at least one commendation rule.")
    columns[2].metric("Pupils", data.pupils, help="Pupils with working-at grades at this drop.")

    listed = {"pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": "UPN", "tutor_group": "Tutor group",
              "year_group": "Year", "rule": "Rule", "reason": st.column_config.TextColumn("Reason", width="large")}

    def concerns_tab():
        if concerns.empty:
            st.success("No pupil meets a concern rule at this drop.")
            return
        table = concerns.drop(columns="list").assign(rule=concerns["rule"].map(RULES))
        st.dataframe(with_record_links(table, view), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config=listed)
        downloads(table, "concerns")
        open_a_pupil(table.drop_duplicates("upn"), view, "review_concern_pupil")

    def commendations_tab():
        if commendations.empty:
            st.info("No pupil meets a commendation rule at this drop.")
            return
        table = commendations.drop(columns="list").assign(rule=commendations["rule"].map(RULES))
        st.dataframe(with_record_links(table, view), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config=listed)
        downloads(table, "commendations")

    def grid_tab():
        st.caption("Each pupil's status in each subject against their progress target: ▲ ahead, ● on track, "
                   "▼ below, ▼▼ well below, – no target; blank: not taking the subject.")
        grid = remembered(loaders.year_review_grid, run, current_scope(), view)
        if grid.empty:
            st.info("No working-at grades for these pupils at this drop.")
            return
        subjects = [c for c in grid.columns if c not in ("pupil_name", "upn", "tutor_group")]
        st.dataframe(with_record_links(grid, view).style.map(colour, subset=subjects), hide_index=True,
                     width="stretch", placeholder=MISSING, column_config={
                         "pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": "UPN", "tutor_group": "Tutor group"})
        downloads(grid, "status-grid")

    def movers_tab():
        if view.compare_point is None:
            st.info("Choose a drop to compare with in the sidebar (Compare with) to see who moved.")
            return
        moved = remembered(loaders.movers, run, current_scope(), view)
        if moved.empty:
            st.info(f"No pupil has grades in the same subject at both {view.compare_point} and "
                    f"{view.assessment_point}.")
            return
        st.caption(f"Working-at grades at {view.assessment_point} against {view.compare_point}, "
                   "same subjects; largest rise first.")
        st.dataframe(with_record_links(moved, view), hide_index=True, width="stretch", placeholder=MISSING,
                     column_config={
            "pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": "UPN", "tutor_group": "Tutor group",
            "subjects": "Subjects", "subjects_up": "Up", "subjects_same": "Same", "subjects_down": "Down",
            "mean_change_grades": st.column_config.NumberColumn("Mean change (grades)", format="%+.2f")})
        downloads(moved, "movers")

    def actions_tab():
        pupils = loaders.pupils_to_find(run, current_scope(), view)
        if pupils.empty:
            st.info("No pupils in this view.")
            return
        staff_panels.review_actions(current_scope(), view.school, pupils, view.assessment_point)

    # Only the open tab is drawn and its rows read (the grid of every pupil and subject is the costly one); the
    # URL keeps it (?tab=).
    tabs = st.tabs(["Concerns", "Commendations", "All subjects", "Movers", "Actions"], key="tab",
                   bind="query-params")
    for tab, draw in zip(tabs, (concerns_tab, commendations_tab, grid_tab, movers_tab, actions_tab)):
        if tab.open:
            with tab:
                draw()
