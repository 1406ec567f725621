"""Signing in: accounts, the demo's sign-in, sessions that end, and what a visitor who is not signed in sees."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from pages.sign_in import IDLE_SECONDS, VIEWER, Viewer, account_for_identity
from tests import exports
from tests.exports import UPNS
from tests.pages import account
from warehouse import staff_store
from warehouse.accounts import Accounts
from warehouse.ingest import ingest
from warehouse.prepare import IngestOptions

PASSWORD = "correct horse battery staple"


def visitor(**query) -> AppTest:
    """The app as someone who has not signed in opens a link."""
    at = AppTest.from_file("../app.py", default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture
def school(store, exports_dir):
    """A small school imported from files (not the demo), with a senior leader's account."""
    ingest(exports.base_school(exports_dir), store=store)
    Accounts.default().add("head@school.example", "Ms Head", "senior_leader", PASSWORD, actor="test",
                           must_change_password=False)
    return store


def test_a_visitor_sees_only_the_sign_in_whatever_the_link(school):
    at = visitor(upn=UPNS[0], year="11")
    assert not at.exception
    assert at.text_input(key="sign_in_username") is not None
    assert not at.dataframe and not at.metric
    assert at.sidebar.selectbox.len == 0   # no view, no navigation to anything


def test_signing_in_with_a_password_in_a_browser(school):
    """The sign-in form in Chromium: a refusal says no more than "not signed in" (whatever the reason),
    an account someone else set a password for chooses its own first, then the Overview opens."""
    from tests.browser import browser_page, require_chromium, running_app, sign_in

    require_chromium()
    accounts = Accounts.default()
    one_time = accounts.reset_password("head@school.example", actor="test")
    with running_app(school.data_dir) as url, browser_page() as page:
        page.set_default_timeout(30_000)
        page.goto(url + "/?year=11")
        sign_in(page, "nobody@school.example", "not the password at all")
        refusal = page.get_by_test_id("stAlertContentError").inner_text()
        assert refusal.startswith("Not signed in")
        sign_in(page, "head@school.example", "not the password at all")
        assert page.get_by_test_id("stAlertContentError").inner_text() == refusal   # the same answer
        sign_in(page, "head@school.example", one_time)
        page.get_by_role("heading", name="Choose your password").wait_for()
        page.get_by_label("Password you were given").fill(one_time)
        page.get_by_label("New password", exact=True).fill("my own long password here")
        page.get_by_label("New password again").fill("my own long password here")
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("heading", name="Overview").wait_for()
        assert "Ms Head" in page.get_by_test_id("stSidebar").inner_text()
    assert accounts.verify("head@school.example", "my own long password here") is not None
    log = staff_store.read(accounts.store)
    refused = {entry.subject for entry in log if entry.action == "sign_in_refused"}
    assert {"head@school.example", "nobody@school.example"} <= refused
    assert any(entry.action == "account.change_password" and entry.actor == "head@school.example" for entry in log)


def test_a_link_opened_by_someone_signed_in_with_the_identity_provider_opens_its_page(school, tmp_path):
    """Someone the school's identity provider has signed in (its cookie, as Streamlit signs it after the
    provider's answer) opens links: to their first page with a view, and to the root. Each opens their
    first page with the view, and never "Page not found" (which a link to a default page, served only at
    the root, would show)."""
    import json

    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    from tests.browser import browser_page, require_chromium, running_app

    require_chromium()
    secret = "a cookie secret for this test only"
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1/oauth2callback"
cookie_secret = "{secret}"
client_id = "tracker"
client_secret = "not a secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
""")
    with running_app(school.data_dir, "--secrets.files", str(secrets)) as url, browser_page() as page:
        page.set_default_timeout(30_000)
        user = json.dumps({"origin": url, "is_logged_in": True, "email": "head@school.example"})
        page.context.add_cookies([{"name": "_streamlit_user", "url": url,
                                   "value": create_signed_value(secret, "_streamlit_user", user).decode()}])
        view = "point=2025%2F26+Autumn"   # not the latest drop, which opens without a link's view
        for link in (f"/overview?{view}", f"/?{view}"):
            page.goto(url + link)
            page.get_by_role("heading", name="Overview").wait_for()
            page.wait_for_url(lambda address: "/overview?" in address and view in address)
            page.wait_for_timeout(2_000)
            assert not page.get_by_text("Page not found").count(), link
            assert "Ms Head" in page.get_by_test_id("stSidebar").inner_text()
            assert page.get_by_test_id("stSidebar").get_by_role("combobox", name="Assessment point").input_value() \
                == "2025/26 Autumn"
    log = staff_store.read(Accounts.default().store)
    assert any(entry.action == "sign_in" and entry.actor == "head@school.example" for entry in log)


def test_a_session_ends_after_an_hour_idle(school):
    at = AppTest.from_file("../app.py", default_timeout=60)
    long_ago = time.time() - IDLE_SECONDS - 1
    at.session_state[VIEWER] = Viewer(account("senior_leader"), signed_in_at=long_ago, last_seen=long_ago)
    at.run()
    assert at.info[0].value == "Your session has ended: sign in again."
    assert at.text_input(key="sign_in_username") is not None and not at.metric


def test_the_demo_sign_in_is_offered_only_while_every_batch_is_the_demos(store, exports_dir):
    ingest(exports.base_school(exports_dir), IngestOptions(demo=True), store=store)
    at = visitor()
    assert at.button(key="demo_open") is not None and "Demo school" in at.warning[0].value
    assert at.text_input.len == 0   # no password asked for
    from tests.browser import browser_page, enter_the_demo, require_chromium, running_app

    require_chromium()
    with running_app(store.data_dir) as url, browser_page() as page:
        page.goto(url + "/")
        enter_the_demo(page, "Tutor")
        page.get_by_role("heading", name="Year review").wait_for(timeout=30_000)   # a tutor's first page
        navigation = page.get_by_test_id("stSidebarNav").inner_text()
        assert "Attendance" in navigation and "Subjects" not in navigation and "Audit log" not in navigation
        assert "made-up pupils" in page.get_by_test_id("stSidebar").inner_text()
    # One real import, and the demo's sign-in is gone for good.
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    ingest([exports.assessments(exports_dir, rows=rows)], store=store)
    at = visitor()
    assert not at.warning and at.text_input(key="sign_in_username") is not None


def test_the_identity_providers_address_finds_the_account_of_that_name(school):
    accounts = Accounts.default()
    assert account_for_identity("Head@School.example ", accounts).display_name == "Ms Head"
    assert account_for_identity("someone.else@school.example", accounts) is None
    assert account_for_identity("x' or '1'='1", accounts) is None and account_for_identity(None, accounts) is None
    accounts.disable("head@school.example", actor="test")
    assert account_for_identity("head@school.example", accounts) is None
