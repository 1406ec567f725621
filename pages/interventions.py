"""Interventions: each programme's effect on grades against comparable pupils who did not take part."""
import streamlit as st

from pages.common import (RECORD_COLUMN, current_scope, downloads, show_table, use_the_router, warehouse_run,
                          with_record_links)
from pages.filters import current_view
from warehouse import loaders

use_the_router()
st.title("Interventions")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption("Change in working-at grades over each programme's window, for participants and for comparable "
               "pupils who did not take part (same year group, subject and starting grade). A comparison, not "
               "proof of cause: small groups vary a lot (docs/measures.md). Of the sidebar's filters, the school "
               "and subject apply here: each programme is measured over all its participants.")
    impact = loaders.intervention_impact(run, current_scope(), view)
    show_table(
        impact[["programme", "subject_name", "from_point", "to_point", "participants", "participants_matched",
                "comparison_pupils", "participant_change_grades", "comparison_change_grades", "impact_grades",
                "still_running"]],
        "No intervention programmes imported yet.",
        {"programme": "Programme", "subject_name": "Subject", "from_point": "From", "to_point": "To",
         "participants": "Participants", "participants_matched": st.column_config.NumberColumn(
             "Compared", help="Participants with comparable non-participants."),
         "comparison_pupils": "Comparison pupils",
         "participant_change_grades": st.column_config.NumberColumn("Participants' change", format="%+.2f"),
         "comparison_change_grades": st.column_config.NumberColumn("Comparison change", format="%+.2f"),
         "impact_grades": st.column_config.NumberColumn("Impact (grades)", format="%+.2f",
                                                        help="Participants' change minus the comparison's."),
         "still_running": "Running"},
        download_as="intervention-impact",
    )
    if not impact.empty:
        programme = st.selectbox("Participants of", list(impact["programme"].drop_duplicates()))
        participants = loaders.intervention_participants(run, current_scope(), view.school, programme)
        if participants.empty:
            st.info("No participants you may see.")
        else:
            columns = {"pupil_name": "Pupil", "open": RECORD_COLUMN, "upn": "UPN", "tutor_group": "Tutor group",
                       "start_date": st.column_config.DateColumn("From", format="DD/MM/YYYY"),
                       "end_date": st.column_config.DateColumn(
                           "To", format="DD/MM/YYYY", help="Blank while the pupil is still in the programme."),
                       "lead": "Lead"}
            # A blank, not Streamlit's "None", where a pupil is still in the programme (no end date).
            st.dataframe(with_record_links(participants, view), hide_index=True, width="stretch", placeholder="",
                         column_config=columns)
            downloads(participants, "participants")
