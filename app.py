"""The dashboard's entry point: the router and what every page shares.

Pages render; they get their data from named loaders (warehouse/loaders.py)
and named queries, within the viewer's scope and the view chosen in the
sidebar filters, which the URL keeps (a link reproduces the view).
"""
import streamlit as st

from pages.charts import skip_schema_check_outside_tests
from pages.common import current_scope, quiet_run
from pages.filters import render_sidebar_filters
from warehouse import loaders

st.set_page_config(page_title="Pupil progress tracker", page_icon=":material/monitoring:", layout="wide")
skip_schema_check_outside_tests()

# Pages about pupils share the sidebar's view; the data manager's pages do not need it.
# URL paths are the file names, so that a link opened on a fresh server (which
# Streamlit first routes by file name, see pages/common.py) finds its page.
overview = st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True,
                   url_path="overview")
# (By title: a rerun may hand back an equal page object, not the same one.)
year_review = st.Page("pages/year_review.py", title="Year review", icon=":material/groups:",
                      url_path="year_review")
subjects = st.Page("pages/subjects.py", title="Subjects", icon=":material/menu_book:", url_path="subjects")
groups = st.Page("pages/groups.py", title="Groups and gaps", icon=":material/join_inner:", url_path="groups")
pupil = st.Page("pages/pupil.py", title="Pupil", icon=":material/person:", url_path="pupil")
attendance = st.Page("pages/attendance.py", title="Attendance", icon=":material/event_available:",
                      url_path="attendance")
targets = st.Page("pages/targets.py", title="Targets", icon=":material/flag:", url_path="targets")
interventions = st.Page("pages/interventions.py", title="Interventions", icon=":material/healing:",
                        url_path="interventions")
explore = st.Page("pages/explore.py", title="Explore", icon=":material/query_stats:", url_path="explore")
PAGES_WITH_VIEW = {overview.title, subjects.title, groups.title, year_review.title, pupil.title, attendance.title,
                   targets.title, interventions.title, explore.title}

navigation = st.navigation(
    [
        overview,
        subjects,
        groups,
        year_review,
        pupil,
        attendance,
        targets,
        interventions,
        explore,
        st.Page("pages/warehouse.py", title="Warehouse", icon=":material/school:", url_path="warehouse"),
        st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:", url_path="data_quality"),
    ]
)
if navigation.title in PAGES_WITH_VIEW:
    run = quiet_run()
    render_sidebar_filters(loaders.filter_options(run, current_scope()) if run else None)
navigation.run()
