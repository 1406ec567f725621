"""Trust overview, for a trust's central team and its leaders: the schools side by side at a drop and across
drops, each a link into that school's own Overview."""
from urllib.parse import urlencode

import altair as alt
import pandas as pd
import streamlit as st

from pages.common import MISSING, current_scope, downloads, use_the_router, warehouse_run
from warehouse import loaders

YEARS = ["All"] + [str(year) for year in range(7, 14)]
COLUMNS = {
    "school_code": "School", "open": st.column_config.LinkColumn("Views", display_text="Open",
                                                                  help="The school's Overview at this drop."),
    "pupils": st.column_config.NumberColumn("Pupils", help="Pupils with working-at grades at this drop."),
    "pct_on_track": st.column_config.NumberColumn("On track %", format="%.1f",
                                                  help="Ahead or on track, of graded subjects with a progress target."),
    "pct_well_below": st.column_config.NumberColumn("Well below %", format="%.1f"),
    "disadvantaged_gap_pts": st.column_config.NumberColumn(
        "Disadvantaged gap", format="%+.1f",
        help="On track % of disadvantaged pupils minus that of the others, in percentage points."),
    "attendance_pct": st.column_config.NumberColumn("Attendance %", format="%.1f",
                                                    help="This academic year, sessions-weighted (DfE)."),
    "pct_persistent_absent": st.column_config.NumberColumn("Persistently absent %", format="%.1f",
                                                           help="Pupils missing 10% or more of sessions (DfE)."),
    "avg_attainment8": st.column_config.NumberColumn("Attainment 8", format="%.1f",
                                                     help="Year 11, on working-at grades."),
    "p8_estimate": st.column_config.NumberColumn("Progress 8 (estimate)", format="%+.2f",
                                                 help="Year 11, on working-at grades, against the DfE's A8 estimates."),
    "pct_basics_4": st.column_config.NumberColumn("Basics 4+ %", format="%.1f", help="Year 11, working-at grades."),
}


def school_link(school: str, point: str, year: str) -> str:
    """That school's Overview at this drop (and year group): where its own views start."""
    return "/overview?" + urlencode({"school": school, "point": point, **({"year": year} if year != "All" else {})})


def schools_compared(view: loaders.TrustView, point: str, year: str) -> None:
    schools = view.schools
    trust_pct = view.on_track_pct()
    bars = (alt.Chart(schools).mark_bar(color="#0072B2")
            .encode(x=alt.X("pct_on_track:Q", title="On track %", scale=alt.Scale(domain=[0, 100])),
                    y=alt.Y("school_code:N", title=None, sort=alt.EncodingSortField("pct_on_track", order="descending")),
                    tooltip=[alt.Tooltip("school_code:N", title="School"),
                             alt.Tooltip("pct_on_track:Q", title="On track %"),
                             alt.Tooltip("disadvantaged_gap_pts:Q", title="Disadvantaged gap"),
                             alt.Tooltip("attendance_pct:Q", title="Attendance %"),
                             alt.Tooltip("pupils:Q", title="Pupils")]))
    layers = [bars]
    if trust_pct is not None:
        layers.append(alt.Chart(pd.DataFrame({"trust": [trust_pct]})).mark_rule(color="#E69F00", strokeDash=[4, 4])
                      .encode(x=alt.X("trust:Q"), tooltip=[alt.Tooltip("trust:Q", title="Trust on track %")]))
    st.altair_chart(alt.layer(*layers).properties(height=max(120, 22 * len(schools))), width="stretch")
    st.caption("On track % by school, highest first; the dashed line is the trust's (all its graded subjects "
               "together). Open a school's views from the table.")
    table = schools.assign(open=[school_link(code, point, year) for code in schools["school_code"]])
    # A dash, not Streamlit's "None", where a figure does not apply (KS4's for Years 7-10) or has no pupils.
    st.dataframe(table[list(COLUMNS)], hide_index=True, width="stretch", column_config=COLUMNS, placeholder=MISSING)
    downloads(schools.drop(columns=["graded_with_target", "on_track_or_ahead"]), "trust-schools")


def across_drops(view: loaders.TrustView) -> None:
    trend = view.trend
    if trend.empty:
        st.info("No earlier drops with grades.")
        return
    order = list(trend.sort_values("point_date")["assessment_point"].unique())
    st.caption("On track % at each drop of this year and last, a line per school. Early in a key stage most pupils "
               "are on track by construction (the progress target starts at their first grade).")
    lines = (alt.Chart(trend).mark_line(point=True)
             .encode(x=alt.X("assessment_point:N", title=None, sort=order, axis=alt.Axis(labelAngle=0)),
                     y=alt.Y("pct_on_track:Q", title="On track %", scale=alt.Scale(zero=False)),
                     color=alt.Color("school_code:N", title="School",
                                     legend=alt.Legend(orient="right", columns=1 if trend["school_code"].nunique()
                                                       <= 20 else 2)),
                     tooltip=[alt.Tooltip("school_code:N", title="School"),
                              alt.Tooltip("assessment_point:N", title="Drop"),
                              alt.Tooltip("pct_on_track:Q", title="On track %"),
                              alt.Tooltip("pupils:Q", title="Pupils")])
             .properties(height=360))
    st.altair_chart(lines, width="stretch")


use_the_router()
st.title("Trust overview")
run = warehouse_run()
if run is not None:
    scope = current_scope()
    points = loaders.trust_points(run, scope)
    if not points:
        st.info("No school of yours has working-at grades yet.")
        st.stop()
    left, right, _ = st.columns([2, 1, 3])
    # Kept in the URL (?point=…&year=…): a link reproduces the comparison.
    point = left.selectbox("Drop", points, key="point", bind="query-params",
                           help="Each school's drop of this name.")
    # No format_func: a bound select box keeps the label shown in the URL, and ?year=11 is the sidebar's form.
    year = right.selectbox("Year group", YEARS, key="year", bind="query-params")
    view = loaders.trust(run, scope, point, None if year == "All" else int(year))
    schools = view.schools
    graded = schools[schools["pupils"] > 0]
    figures = st.columns(4)
    figures[0].metric("Schools", f"{len(graded)} of {len(schools)}", help="Schools with grades at this drop.")
    figures[1].metric("Pupils", f"{int(graded['pupils'].sum()):,}")
    on_track = view.on_track_pct()
    figures[2].metric("On track (trust)", "–" if on_track is None else f"{on_track:.1f}%",
                      help="All the trust's graded subjects together.")
    if not graded.empty:
        spread = graded["pct_on_track"].dropna()
        figures[3].metric("Range across schools", "–" if spread.empty else f"{spread.min():.1f}–{spread.max():.1f}%")
    tabs = st.tabs(["Schools compared", "Across drops"], key="tab", bind="query-params")
    if tabs[0].open:
        with tabs[0]:
            schools_compared(view, point, year)
    if tabs[1].open:
        with tabs[1]:
            across_drops(view)
