"""The dashboard's entry point: sign-in, the router, and what every page shares.

Pages render; they get their data from named loaders (warehouse/loaders.py)
and named queries, within the viewer's scope (warehouse/access.py) and the view
chosen in the sidebar filters, which the URL keeps (a link reproduces the view).
"""
from functools import partial

import streamlit as st

from pages.common import current_scope, import_charts_beside, quiet_run, run_routed
from pages.filters import render_sidebar_filters
from pages.sign_in import render_sign_in, render_sign_out, signed_in
from pages.staff_panels import show_saved_message
from warehouse import loaders
from warehouse.access import pages_for

st.set_page_config(page_title="Pupil progress tracker", page_icon=":material/monitoring:", layout="wide")

# Every page: its title and icon. URL paths are the file names, so that a link opened on a fresh
# server (which Streamlit first routes by file name, see pages/common.py) finds its page.
PAGES = {
    "trust": ("Trust overview", ":material/account_balance:"),
    "overview": ("Overview", ":material/dashboard:"),
    "subjects": ("Subjects", ":material/menu_book:"),
    "groups": ("Groups and gaps", ":material/join_inner:"),
    "year_review": ("Year review", ":material/groups:"),
    "pupil": ("Pupil", ":material/person:"),
    "attendance": ("Attendance", ":material/event_available:"),
    "targets": ("Targets", ":material/flag:"),
    "interventions": ("Interventions", ":material/healing:"),
    "explore": ("Explore", ":material/query_stats:"),
    "console": ("SQL console", ":material/terminal:"),
    "warehouse": ("Warehouse", ":material/school:"),
    "data_quality": ("Data quality", ":material/fact_check:"),
    "audit": ("Audit log", ":material/policy:"),
}
# The data manager's pages and the SQL console do not use the sidebar's view.
# The trust overview chooses its own drop and year group, across schools.
PAGES_WITHOUT_VIEW = {"trust", "warehouse", "data_quality", "audit", "console"}

viewer = signed_in()
if viewer is None:
    import_charts_beside()   # the sign-in draws no chart: a fresh server shows it sooner
    # A visitor sees the sign-in at whatever page a link named, and that page with the link's view
    # (its query string) opens once they are in (if their role has it). The sign-in's own default page: a
    # default page is served at the root only, so a link to a page made the default would be "not found".
    sign_in = partial(st.Page, render_sign_in, title="Sign in", icon=":material/login:")
    run_routed(st.navigation([sign_in(url_path="sign_in", default=True),
                              *(sign_in(url_path=path) for path in [*PAGES, "sign_out"])], position="hidden"))
    st.stop()

from pages.charts import skip_schema_check_outside_tests  # noqa: E402 (Altair: ~0.7 s to import, not for the sign-in)

skip_schema_check_outside_tests()

# Each role's pages under the viewer's name, and a way out. (In the navigation itself: no extra elements to
# redraw on every rerun.) A link to a page the role lacks opens the first page.
run = quiet_run()
options = loaders.filter_options(run, current_scope()) if run else None
# The trust overview only for a viewer who sees more than one school.
several_schools = options is not None and options["school_code"].nunique() > 1
allowed = [path for path in pages_for(viewer.role) if path in PAGES and (path != "trust" or several_schools)]
pages = [st.Page(f"pages/{path}.py", title=PAGES[path][0], icon=PAGES[path][1], url_path=path) for path in allowed]
# The root is a hidden page that opens the first page, with the link's view. Were the first page the default,
# it would be served at the root only, and a link to it (/overview?year=9, as opened by someone already signed
# in with the school's identity provider) would open with "Page not found".
home = st.Page(lambda: None, title=pages[0].title, url_path="home", default=True, visibility="hidden")
pages.append(st.Page(render_sign_out, title="Sign out", icon=":material/logout:", url_path="sign_out"))
who = f"{viewer.account.display_name} · {viewer.account.role_label}"
navigation = st.navigation({who + (" · demo school, made-up pupils" if viewer.demo else ""): [home, *pages]})
if navigation is home:
    st.switch_page(pages[0], query_params=st.query_params.to_dict())
if navigation.url_path not in PAGES_WITHOUT_VIEW:
    render_sidebar_filters(options)
show_saved_message()
run_routed(navigation)
