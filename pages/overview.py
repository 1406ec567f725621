"""Overview, for senior leaders: the chosen cohort's headlines at a drop, the trend, and where to look."""
import altair as alt
import pandas as pd
import streamlit as st

from pages.charts import highlight
from pages.common import MISSING, current_scope, drill_down, subject_page_link, use_the_router, warehouse_run
from pages.filters import current_view, describe
from warehouse import loaders

BASES = {"working_at": "Working at", "predicted": "Predicted", "target": "Target", "mock": "Mock",
         "final": "Final results"}



def pct(value) -> str:
    return "–" if pd.isna(value) else f"{value:.1f}%"


use_the_router()
st.title("Overview")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption(describe(view))
    data = loaders.overview(run, current_scope(), view)
    headline = data.at_point(view.assessment_point)
    working_at = data.ks4[data.ks4["basis"] == "working_at"]
    attendance = data.attendance.iloc[0] if not data.attendance.empty else None

    if headline is None:
        st.info("No working-at grades for these pupils at this drop. Choose another drop or widen the filters.")
    else:
        progress = st.columns(4)
        progress[0].metric("On track", pct(headline.pct_on_track),
                           help="Subjects where the pupil is on track or ahead of their progress target, as a share "
                                "of graded subjects with a progress target (docs/measures.md).")
        progress[1].metric("Well below", pct(headline.pct_well_below),
                           help="A grade or more below the progress target.")
        progress[2].metric("Mean gap to progress target",
                           "–" if pd.isna(headline.mean_gap_grades) else f"{headline.mean_gap_grades:+.2f} grades",
                           help="Working-at minus progress target, in grades, averaged over graded subjects.")
        progress[3].metric("Pupils", f"{headline.pupils:,}", help="Pupils with working-at grades at this drop.")

    if not working_at.empty:
        ks4 = working_at.iloc[0]
        st.subheader("KS4 headlines (working-at grades)")
        columns = st.columns(5)
        columns[0].metric("Attainment 8", f"{ks4.avg_attainment8:.1f}", help="Mean Attainment 8 of the pupils.")
        if pd.notna(ks4.p8_estimate):
            columns[1].metric(
                "Progress 8 (estimate)", f"{ks4.p8_estimate:+.2f}",
                help=f"Estimated against the DfE's {ks4.p8_table} A8 estimates; 95% confidence interval "
                     f"{ks4.p8_ci_lower:+.2f} to {ks4.p8_ci_upper:+.2f} ({ks4.p8_pupils} pupils with a baseline).")
        columns[2].metric("Basics 4+", pct(ks4.pct_basics_4), help="Grade 4+ in maths and either English.")
        columns[3].metric("Basics 5+", pct(ks4.pct_basics_5), help="Grade 5+ in maths and either English.")
        columns[4].metric("EBacc entered", pct(ks4.pct_ebacc_entered),
                          help="Entered for English, maths, science, a humanity and a language.")

    if attendance is not None and attendance.pupils:
        st.subheader("Attendance this academic year")
        columns = st.columns(3)
        columns[0].metric("Attendance", pct(attendance.attendance_pct),
                          help="Sessions attended as a share of possible sessions (DfE).")
        columns[1].metric("Persistently absent", pct(attendance.pct_persistent_absent),
                          help="Pupils missing 10% or more of possible sessions (severe included).")
        columns[2].metric("Severely absent", pct(attendance.pct_severe_absent),
                          help="Pupils missing 50% or more of possible sessions.")

    left, right = st.columns(2)
    with left:
        st.subheader("On track across drops")
        st.caption("The same pupils at each drop. At a pupil's first drop in a key stage their progress target "
                   "is their own grade, so all are on track there.")
        trend = (
            alt.Chart(data.progress_by_point)
            .mark_line(point=True)
            .encode(
                x=alt.X("assessment_point:N", title="Assessment point", sort=None,
                        axis=alt.Axis(labelAngle=-45, labelOverlap=False)),
                y=alt.Y("pct_on_track:Q", title="On track (%)", scale=alt.Scale(domain=[0, 100])),
                tooltip=[alt.Tooltip("assessment_point", title="Drop"), alt.Tooltip("pct_on_track", title="On track %"),
                         alt.Tooltip("mean_gap_grades", title="Mean gap (grades)"),
                         alt.Tooltip("pupils", title="Pupils")],
            )
        )
        st.altair_chart(trend, width="stretch")
    with right:
        st.subheader("On track by subject")
        if data.by_subject.empty:
            st.info("No subjects with progress targets for these pupils at this drop.")
        else:
            pick = alt.selection_point(name="pick", fields=["pick"])
            by_subject = (
                alt.Chart(data.by_subject.assign(pick=data.by_subject["subject_name"]))
                .mark_bar()
                .add_params(pick)
                .encode(
                    opacity=highlight(pick),
                    x=alt.X("pct_on_track:Q", title="On track (%)", scale=alt.Scale(domain=[0, 100])),
                    y=alt.Y("subject_name:N", title=None, sort="x"),
                    tooltip=[alt.Tooltip("subject_name", title="Subject"),
                             alt.Tooltip("pct_on_track", title="On track %"),
                             alt.Tooltip("mean_gap_grades", title="Mean gap (grades)"),
                             alt.Tooltip("graded_with_target", title="Graded with a target")],
                )
            )
            event = st.altair_chart(by_subject, width="stretch", on_select="rerun", key="overview_by_subject")
            codes = dict(zip(data.by_subject["subject_name"], data.by_subject["subject_code"]))
            left_box, right_box = st.columns([2, 1], vertical_alignment="bottom")
            with left_box:
                subject = drill_down("A subject's classes, groups and pupils below target", list(codes),
                                     "overview_subject", event, help="Or click a bar.")
            with right_box:
                subject_page_link(view, codes[subject], "Open subject")

    if not data.ks4.empty:
        st.subheader("KS4 thresholds: working at, predicted and target")
        st.caption("The 2008 guide's question: how many pupils are working at, predicted, or targeted to reach "
                   "each threshold. Progress 8 is an estimate against the DfE table named in the last column.")
        table = data.ks4.assign(basis=data.ks4["basis"].map(BASES))
        st.dataframe(
            table, hide_index=True, width="stretch", placeholder=MISSING,
            column_config={
                "basis": "Basis", "pupils": "Pupils",
                "avg_attainment8": st.column_config.NumberColumn("Attainment 8", format="%.1f"),
                "p8_pupils": st.column_config.NumberColumn("P8 pupils", help="Pupils with a KS2 or linked baseline."),
                "p8_estimate": st.column_config.NumberColumn("P8 (estimate)", format="%+.2f"),
                "p8_ci_lower": st.column_config.NumberColumn("95% CI from", format="%+.2f"),
                "p8_ci_upper": st.column_config.NumberColumn("95% CI to", format="%+.2f"),
                "p8_table": "DfE table",
                "pct_basics_4": st.column_config.ProgressColumn("Basics 4+ %", format="%.1f", min_value=0,
                                                                max_value=100),
                "pct_basics_5": st.column_config.ProgressColumn("Basics 5+ %", format="%.1f", min_value=0,
                                                                max_value=100),
                "pct_five_plus_4_inc_em": st.column_config.ProgressColumn(
                    "5+ at 4+ inc. E&M %", format="%.1f", min_value=0, max_value=100,
                    help="Five or more qualifications at grade 4+, including English and maths."),
                "pct_ebacc_entered": st.column_config.ProgressColumn("EBacc entered %", format="%.1f", min_value=0,
                                                                     max_value=100),
            },
        )
