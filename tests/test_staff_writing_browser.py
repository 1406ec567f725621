"""Staff writing in a browser: two roles sign in and see different pupils and subjects; a subject leader
sets a target with a reason (shown at once, in the measures after the background rebuild); a tutor writes
a note and agrees an action. Everything lands in the staff store and the audit log."""
import time

import pytest

from tests import exports
from tests.browser import browser_page, require_chromium, running_app, sign_in
from tests.exports import UPNS, query, write_csv
from warehouse import staff_records, staff_store
from warehouse.accounts import Accounts
from warehouse.ingest import ingest
from warehouse.view import Scope

PASSWORD = "correct horse battery staple"


@pytest.fixture
def school(store, exports_dir):
    """A small school with grades at one drop: Year 11 in tutor group 11A (UPNS[:10]), Year 10 in 10B."""
    classes = write_csv(exports_dir / "teaching_groups.csv", ["Academic Year", "Class", "Subject", "Teacher", "UPN"],
                        [["2025/26", f"{'11' if i < 10 else '10'}/{subject}1", subject, "ABC", upn]
                         for i, upn in enumerate(UPNS) for subject in ("MA", "EN")])
    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir), classes], store=store)
    accounts = Accounts.default()
    accounts.add("maths@school.example", "Mr Maths", "subject_leader", PASSWORD, actor="test",
                 must_change_password=False, subjects=["MA"])
    accounts.add("tutor@school.example", "Mrs Tutor", "tutor", PASSWORD, actor="test",
                 must_change_password=False, tutor_groups=["11A"])
    return store


def _pupils_found(page, typed: str) -> list[str]:
    """The pupils the Pupil page's search offers for what was typed."""
    box = page.get_by_test_id("stSelectbox").filter(has_text="Find a pupil").locator("input")
    box.click()
    box.fill(typed)
    time.sleep(0.5)
    options = [o for o in page.get_by_role("option").all_inner_texts() if typed in o]
    page.keyboard.press("Escape")
    return options


def _choose(page, combobox, option: str) -> None:
    """Type into a select box and pick the option (again, if a rerun closed the list as it opened)."""
    for attempt in range(3):
        combobox.click()
        combobox.fill(option)
        wanted = page.get_by_role("option", name=option, exact=True)
        try:
            wanted.wait_for(timeout=5_000)
        except Exception:
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
            continue
        wanted.click()
        return


def _options(page, combobox) -> list[str]:
    """What a select box offers (opened again if a rerun closed it as it opened)."""
    for _ in range(3):
        combobox.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_two_roles_see_different_data_and_write_what_their_role_allows(school):
    require_chromium()
    with running_app(school.data_dir) as url, browser_page() as page:
        page.set_default_timeout(30_000)
        # The subject leader: every pupil taking maths, and maths only.
        page.goto(url + f"/pupil?upn={UPNS[12]}&tab=Targets+and+estimates")
        sign_in(page, "maths@school.example", PASSWORD)
        page.get_by_text("Set or change a target").wait_for()
        assert len(_pupils_found(page, UPNS[3])) == 1 and len(_pupils_found(page, UPNS[12])) == 1
        page.get_by_role("tab", name="Notes and actions").click()
        page.get_by_role("button", name="Add the note").wait_for()
        page.get_by_role("tab", name="Targets and estimates").click()
        page.get_by_text("Set or change a target").click()
        # Targets in maths only, though the pupil takes English too.
        assert _options(page, page.get_by_test_id("stTabs").get_by_role("combobox", name="Subject")) == ["Mathematics"]
        _choose(page, page.get_by_test_id("stSelectbox").filter(has_text="New target").locator("input"), "7")
        page.get_by_label("Why").fill("Agreed at the autumn review: secure at 5+ already")
        page.get_by_role("button", name="Set the target").click()
        # Shown at once (the table is drawn on a canvas: its cells are not page text), kept with its reason.
        page.get_by_text("Target in Mathematics set to 7").or_(page.get_by_text("Just set")).first.wait_for()
        (kept,) = staff_records.targets_since(staff_store.StaffStore.for_settings(), Scope.everything(), "S001",
                                              UPNS[12], after_id=0).to_dict("records")
        assert (kept["grade"], kept["set_by"], kept["reason"]) == (
            "7", "Mr Maths", "Agreed at the autumn review: secure at 5+ already")

        # The tutor, in a tab of their own: the pupils of 11A only, in every subject.
        tutor = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        tutor.set_default_timeout(30_000)
        tutor.goto(url + f"/pupil?upn={UPNS[3]}&tab=Notes+and+actions&year=11")
        sign_in(tutor, "tutor@school.example", PASSWORD)
        tutor.get_by_role("button", name="Add the note").wait_for()
        assert len(_pupils_found(tutor, UPNS[3])) == 1 and _pupils_found(tutor, UPNS[12]) == []   # 10B: not theirs
        tutor.get_by_label("Note", exact=True).fill("Worried about the mocks; talked through a revision plan.")
        tutor.get_by_role("button", name="Add the note").click()
        tutor.get_by_text("Worried about the mocks").wait_for()
        tutor.get_by_role("textbox", name="Action").fill("Weekly check-in with the tutor")
        tutor.get_by_role("button", name="Agree the action").click()
        tutor.get_by_text("Action agreed.").wait_for()
        # The tutor's role sets no subject targets: no form, only the history.
        tutor.get_by_role("tab", name="Targets and estimates").click()
        tutor.get_by_text("Every target and estimate").wait_for()
        assert tutor.get_by_text("Set or change a target").count() == 0

    # The target reached the measures (the app started a rebuild), and everything is audited.
    deadline = time.monotonic() + 120
    while query(school, "select count(*) from fct_target where target_source = 'tracker'")[0][0] == 0:
        assert time.monotonic() < deadline, "the background rebuild never took the new target in"
        time.sleep(1)
    assert query(school, "select grade, set_by, is_current from fct_target where upn = ? and subject_code = 'MA'",
                 [UPNS[12]]) == [("7", "Mr Maths", True)]
    store = staff_store.StaffStore.for_settings()
    assert staff_records.notes(store, Scope.everything(), "S001", UPNS[3])["author_name"].tolist() == ["Mrs Tutor"]
    assert staff_records.actions(store, Scope.everything(), "S001")["action"].tolist() == [
        "Weekly check-in with the tutor"]
    assert {(e.actor, e.action) for e in staff_store.read(store)} >= {
        ("maths@school.example", "target.set"), ("tutor@school.example", "note.add"),
        ("tutor@school.example", "action.add")}
