"""The real app in Chromium: pages load from the warehouse, and the sidebar navigates."""
import pytest

from tests import exports
from tests.browser import browser_page, require_chromium, running_app, sign_in
from warehouse.accounts import Accounts
from warehouse.ingest import ingest


@pytest.fixture
def loaded(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in exports.UPNS]
    rows[2][4] = "5x"
    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir, rows=rows)], store=store)
    return store


def test_the_pages_show_the_warehouse_in_a_browser(loaded):
    require_chromium()
    Accounts.default().add("dm@school.example", "Data Manager", "data_manager", "a long test password", actor="test",
                        must_change_password=False)
    with running_app(loaded.data_dir) as url, browser_page() as page:
        page.goto(url + "/warehouse")  # a deep link on a fresh server goes through the router, and the sign-in
        sign_in(page, "dm@school.example", "a long test password")
        page.get_by_text("Pupils on roll", exact=True).wait_for(timeout=30_000)
        assert page.get_by_role("link", name="Overview").count() == 1
        assert page.get_by_test_id("stMetricValue").first.inner_text() == "20"
        page.get_by_role("link", name="Data quality").click()
        page.get_by_text("Rows quarantined").first.wait_for(timeout=30_000)
        assert page.url.endswith("/data_quality")
        values = page.get_by_test_id("stMetricValue").all_inner_texts()
        assert values == ["5", "0", "46", "1"]


def test_several_first_visits_at_once_to_a_fresh_server_each_get_the_sign_in(loaded):
    """A fresh server runs its first visits in Streamlit's legacy pages mode (see use_the_router): every
    one of them, not only the first to finish, must rerun through the router and show the sign-in."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    links = ["/overview?year=11", "/subjects", "/year_review", "/pupil", "/attendance"]
    with running_app(loaded.data_dir) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tabs = [browser.new_page() for _ in links]
            for tab, link in zip(tabs, links):   # all arrive while the first run is still importing
                tab.goto(url + link, wait_until="commit")
            for tab, link in zip(tabs, links):
                tab.get_by_label("Username").wait_for(timeout=60_000)
                assert tab.get_by_role("button", name="Sign in").count() == 1, link
        finally:
            browser.close()
