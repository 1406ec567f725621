"""What the warehouse holds: pupils, drops and imports, school by school."""
import altair as alt
import streamlit as st

from pages.common import MISSING, run_query, use_the_router

use_the_router()
st.title("Warehouse")
st.caption("What has been imported: pupils on roll and the data drops. Import batches, rejected files and "
           "quarantined rows are on the Data quality page.")

summary = run_query("school_summary")
if summary is not None:
    for school in summary.itertuples():
        st.subheader(f"School {school.school_code}")
        columns = st.columns(6)
        columns[0].metric("Pupils on roll", f"{school.pupils_on_roll:,}", help="Pupils with no leaving date.")
        columns[1].metric("Former pupils", f"{school.pupils_left:,}", help="Leavers kept for past-cohort analysis.")
        columns[2].metric("Subjects", school.subjects)
        columns[3].metric("Assessment points", school.assessment_points,
                          help=f"Latest: {school.latest_assessment_point}")
        columns[4].metric("Grades entered", f"{school.grades_entered:,}",
                          help=f"Of {school.assessments:,} assessment rows; the rest are blank (not yet entered).")
        columns[5].metric("Attendance sessions", f"{school.attendance_sessions:,}",
                          help="Register marks (AM and PM sessions) imported.")

    by_year = run_query("pupils_by_year_group")
    st.subheader("Pupils on roll by year group")
    chart = (
        alt.Chart(by_year)
        .mark_bar()
        .encode(
            x=alt.X("year_group:O", title="Year group", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("pupils:Q", title="Pupils"),
            color=alt.Color("school_code:N", title="School"),
            tooltip=[alt.Tooltip("school_code:N", title="School"), alt.Tooltip("year_group:O", title="Year group"),
                     alt.Tooltip("pupils:Q", title="Pupils"), alt.Tooltip("disadvantaged:Q", title="Disadvantaged"),
                     alt.Tooltip("sen:Q", title="SEN"), alt.Tooltip("without_ks2:Q", title="Without KS2")],
        )
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(
        by_year, hide_index=True, width="stretch", placeholder=MISSING,
        column_config={
            "school_code": "School", "year_group": "Year", "pupils": "Pupils",
            "disadvantaged": st.column_config.NumberColumn("Disadvantaged", help="Pupils flagged disadvantaged."),
            "sen": st.column_config.NumberColumn("SEN", help="SEN support (K) or EHC plan (E)."),
            "without_ks2": st.column_config.NumberColumn(
                "Without KS2", help="No KS2 reading and maths scores (e.g. no tests in 2020 and 2021)."),
        },
    )

    st.subheader("Assessment points")
    points = run_query("assessment_points")
    st.dataframe(
        points, hide_index=True, width="stretch", placeholder=MISSING,
        column_config={
            "school_code": "School", "assessment_point": "Assessment point", "academic_year": "Year",
            "term": "Term", "point_date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"),
            "point_kind": "Kind", "assessments": "Rows", "grades_entered": "Grades entered",
        },
    )
