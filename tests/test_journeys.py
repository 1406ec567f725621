"""The main journeys, as a user makes them in Chromium on the demo school.

Overview -> a subject -> its pupils below target -> one pupil; a filter change; an export downloading.
"""
import csv
import io
import re
import time

import pytest

from tests.browser import browser_page, enter_the_demo, require_chromium, running_app
from tests.exports import query

POINT = "2025/26 Summer"


@pytest.fixture
def app_in_browser(demo):
    require_chromium()
    with running_app(demo.data_dir) as url, browser_page(1400, 1000) as page:
        page.set_default_timeout(30_000)
        yield url, page


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label, as a mouse user does."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.locator("input").click()
    page.keyboard.type(option)   # the list is virtual: narrow it to the option first
    page.get_by_role("option", name=option, exact=True).click()


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.2)


def test_overview_to_a_subject_to_a_pupil_below_target(demo, app_in_browser):
    url, page = app_in_browser
    page.goto(url + "/?year=11")
    enter_the_demo(page)
    link = page.get_by_role("link", name="Open subject")
    link.wait_for()
    choose(page, "A subject's classes, groups and pupils below target", "GCSE Mathematics")
    wait_until(lambda: "subject=MA4" in (link.get_attribute("href") or ""))
    link.click()

    # The Subjects page, for maths, keeps the view (Year 11) and says so.
    page.get_by_text(f"Year 11 · GCSE Mathematics · at {POINT}").wait_for()
    assert re.search(r"[?&]subject=MA4", page.url) and re.search(r"[?&]year=11", page.url)
    page.get_by_role("heading", name="Pupils below target").wait_for()
    picked = page.get_by_test_id("stSelectbox").filter(has_text="Open a pupil's record").locator("input")
    name = picked.input_value().split(" · ")[0].strip()
    page.get_by_role("link", name="Open record").click()

    # The Pupil page: that pupil, and the marts agree they are below target in maths.
    page.get_by_role("heading", name=name).wait_for()
    assert "upn=" in page.url
    upn = re.search(r"upn=([A-Z0-9]+)", page.url).group(1)
    assert query(demo, "select p.pupil_name, m.status from mart_progress m join mart_pupil p using (school_code, upn) "
                       "where m.upn = ? and m.subject_code = 'MA4' and m.assessment_point = ?", [upn, POINT]) \
        in ([(name, "below")], [(name, "well_below")])


def test_a_filter_change_updates_the_figures_and_the_link(demo, app_in_browser):
    url, page = app_in_browser
    page.goto(url + "/?year=11")
    enter_the_demo(page)
    page.get_by_text(f"Year 11 · at {POINT}").wait_for()
    choose(page, "Year group", "Year 10")
    page.get_by_text(f"Year 10 · at {POINT}").wait_for()
    assert re.search(r"[?&]year=10", page.url)
    pupils = query(demo, "select count(distinct upn) from mart_progress where assessment_point = ? and year_group = 10",
                   [POINT])[0][0]
    labels = [text.strip() for text in page.get_by_test_id("stMetricLabel").all_inner_texts()]
    values = dict(zip(labels, page.get_by_test_id("stMetricValue").all_inner_texts()))
    assert values["Pupils"] == f"{pupils:,}"


def test_an_export_downloads_the_pupils_shown(demo, app_in_browser):
    url, page = app_in_browser
    page.goto(url + "/subjects?year=11&subject=MA4")
    enter_the_demo(page)
    page.get_by_role("heading", name="Pupils below target").wait_for()
    with page.expect_download() as download:
        page.locator(".st-key-csv-pupils-below-target button").click()   # the button keyed by its table
    assert download.value.suggested_filename == "pupils-below-target.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    expected = query(demo, "select count(*) from mart_progress where assessment_point = ? and subject_code = 'MA4' "
                           "and year_group = 11 and status in ('below', 'well_below')", [POINT])[0][0]
    assert len(rows) == expected > 0
    assert {row["status"] for row in rows} <= {"▼ below", "▼▼ well below"}


def test_a_second_pupil_opened_from_a_list_replaces_the_first(demo, app_in_browser):
    url, page = app_in_browser
    page.goto(url + "/subjects?year=11&subject=MA4")
    enter_the_demo(page)
    page.get_by_role("heading", name="Pupils below target").wait_for()
    page.get_by_role("link", name="Open record").click()
    page.get_by_test_id("stDownloadButton").filter(has_text="Printable summary").wait_for()
    first = re.search(r"upn=([A-Z0-9]+)", page.url).group(1)
    page.go_back()
    page.get_by_role("heading", name="Pupils below target").wait_for()
    names = query(demo, "select p.pupil_name, p.upn, p.tutor_group from mart_progress m join mart_pupil p using (school_code, upn) "
                        "where m.subject_code = 'MA4' and m.assessment_point = ? and m.year_group = 11 "
                        "and m.status in ('below', 'well_below') and m.upn <> ? order by p.pupil_name limit 1",
                  [POINT, first])
    name, second, tutor_group = names[0]
    choose(page, "Open a pupil's record", f"{name} · {tutor_group}")
    link = page.get_by_role("link", name="Open record")
    wait_until(lambda: second in (link.get_attribute("href") or ""))
    link.click()
    page.get_by_role("heading", name=name).wait_for()
    assert f"upn={second}" in page.url
