"""Opening the app in AppTest as a link would open it, signed in."""
import time

from streamlit.testing.v1 import AppTest

from pages.sign_in import VIEWER, Viewer
from warehouse.accounts import Account


def account(role: str = "data_manager", **scope) -> Account:
    """An account of this role (scope fields as in warehouse.accounts.Account; schools None: all)."""
    values = {"schools": None, "subjects": (), "year_groups": (), "tutor_groups": (), "classes": ()}
    values.update({name: tuple(value) if value is not None else None for name, value in scope.items()})
    return Account(username=f"test-{role}", display_name=f"Test {role}", role=role, disabled=False,
                   must_change_password=False, created_on="", password_changed_on="", **values)


def open_page(page: str | None = None, as_account: Account | None = None, **query) -> AppTest:
    """The app as a link with these query parameters opens it, switched to a page (e.g. "pages/pupil.py"),
    for a viewer signed in with this account (by default a data manager, who sees everything)."""
    at = AppTest.from_file("../app.py", default_timeout=60)
    now = time.time()
    at.session_state[VIEWER] = Viewer(as_account or account(), signed_in_at=now, last_seen=now)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at
