"""Roles and scope: each role sees its own pupils and subjects and nothing else, on every page it has."""
import re

import pytest

from tests.exports import query
from tests.pages import account, open_page
from warehouse.access import pages_for

LINKED_UPN = re.compile(r"[?&]upn=([A-Z0-9]+)")
UPN = re.compile(r"\b[A-Z][0-9]{11}[0-9A-Z]\b")


def demo_scope(store) -> dict:
    """The biggest class of the demo's latest year, its subject, and a year and tutor group in it."""
    school, class_code, subject, year_group, tutor_group = query(store, open(
        "warehouse/queries/demo_scope_example.sql").read())[0]
    return {"class_code": class_code, "subject": subject, "year_group": year_group, "tutor_group": tutor_group}


def accounts_of_each_role(store) -> dict:
    example = demo_scope(store)
    return {
        "head_of_year": account("head_of_year", year_groups=[example["year_group"]]),
        "tutor": account("tutor", tutor_groups=[example["tutor_group"]]),
        "teacher": account("teacher", classes=[example["class_code"]]),
        "subject_leader": account("subject_leader", subjects=[example["subject"]]),
    }


def allowed_upns(store, role: str, who) -> set[str]:
    latest = "academic_year = (select max(academic_year) from fct_class_membership)"
    if role == "head_of_year":
        sql, value = "select upn from mart_pupil where on_roll and year_group = ?", who.year_groups[0]
    elif role == "tutor":
        sql, value = "select upn from mart_pupil where on_roll and tutor_group = ?", who.tutor_groups[0]
    elif role == "teacher":
        sql, value = f"select upn from fct_class_membership where {latest} and class_code = ?", who.classes[0]
    else:
        sql, value = f"select upn from fct_class_membership where {latest} and subject_code = ?", who.subjects[0]
    return {upn for upn, in query(store, sql, [value])}


def upns_shown(at, names_to_upns: dict) -> set[str]:
    """Every pupil a page shows in a table, by UPN (a UPN column, a record link, or a name)."""
    shown = set()
    for frame in at.dataframe:
        value = frame.value
        if "upn" in value.columns:
            shown |= set(value["upn"].dropna())
        for column in value.columns:
            if value[column].dtype == object:
                for text in value[column].dropna().astype(str):
                    shown |= set(LINKED_UPN.findall(text))
        if "pupil_name" in value.columns:
            shown |= {upn for name in value["pupil_name"].dropna() for upn in names_to_upns.get(name, ())}
    for box in at.selectbox:   # pupil pickers show "name · tutor group · UPN"
        for option in box.options:
            shown |= set(UPN.findall(str(option)))
    return shown


@pytest.mark.parametrize("role", ["head_of_year", "tutor", "teacher", "subject_leader"])
def test_every_page_of_a_role_shows_only_its_pupils(demo_env, role):
    who = accounts_of_each_role(demo_env)[role]
    allowed = allowed_upns(demo_env, role, who)
    assert allowed
    names = {}
    for upn, name in query(demo_env, "select upn, pupil_name from mart_pupil"):
        names.setdefault(name, set()).add(upn)
    seen_any = False
    # Each page as it opens, and narrowed to the role's own subject and year group (where its tables list pupils).
    views = [{}, {"subject": who.subjects[0]} if who.subjects else {}, {"year": str(who.year_groups[0])}
             if who.year_groups else {}]
    if role == "teacher":
        views.append({"subject": query(demo_env, "select subject_code from dim_class where class_code = ? limit 1",
                                       [who.classes[0]])[0][0]})
    for page in pages_for(role):
        for view in views:
            at = open_page(f"pages/{page}.py", as_account=who, **view)
            assert not at.exception, (role, page, view, at.exception)
            shown = upns_shown(at, {n: u for n, u in names.items() if len(u) == 1})
            assert shown <= allowed, (role, page, view, sorted(shown - allowed)[:5])
            seen_any |= bool(shown)
    assert seen_any   # the walk saw pupils at all


def test_a_teacher_sees_only_their_classes_subjects_on_a_pupils_record(demo_env):
    who = accounts_of_each_role(demo_env)["teacher"]
    upn = sorted(allowed_upns(demo_env, "teacher", who))[0]
    at = open_page("pages/pupil.py", as_account=who, upn=upn)
    assert not at.exception
    subjects = set(at.dataframe[0].value["subject_name"])
    class_subject, = query(demo_env, "select s.subject_name from dim_class c join dim_subject s using "
                                     "(school_code, subject_code) where c.class_code = ? limit 1", [who.classes[0]])[0]
    assert subjects == {class_subject}


def test_a_role_has_only_its_pages(demo_env):
    at = open_page(as_account=account("teacher", classes=["nothing"]))
    assert not at.exception
    assert at.title[0].value == "Subjects"   # the teacher's first page


def test_a_link_to_a_pupil_outside_the_scope_shows_none_of_them(demo_env):
    who = accounts_of_each_role(demo_env)["tutor"]
    allowed = allowed_upns(demo_env, "tutor", who)
    outsider, name = query(demo_env, "select upn, pupil_name from mart_pupil where on_roll and tutor_group <> ? "
                                     "order by upn limit 1", [who.tutor_groups[0]])[0]
    at = open_page("pages/pupil.py", as_account=who, upn=outsider)
    assert not at.exception
    assert all(h.value != name for h in at.header)
    assert upns_shown(at, {}) <= allowed and outsider not in upns_shown(at, {})


HOSTILE = {
    "year": "11; drop table mart_pupil; --",
    "subject": "MA4' or '1'='1",
    "school": "S001') or true --",
    "upn": "../../../../etc/passwd",
    "group": "x" * 10_000,
    "point": "2025/26 Summer\x00",
    "band": "<script>alert(1)</script>",
    "tab": "Targets and estimates' --",
}


@pytest.mark.parametrize("page", ["overview", "pupil", "year_review", "explore", "groups"])
def test_hostile_deep_links_are_harmless(demo_env, page):
    """Query parameters are only ever bound as values (never joined into SQL or paths): a hostile link
    shows a page with nothing matched, or the role's own view, never more and never an error."""
    who = accounts_of_each_role(demo_env)["tutor"] if page != "explore" else account("head_of_year",
                                                                                      year_groups=[11])
    at = open_page(f"pages/{page}.py" if page in pages_for(who.role) else None, as_account=who, **HOSTILE)
    assert not at.exception
    role = "tutor" if who.role == "tutor" else "head_of_year"
    assert upns_shown(at, {}) <= allowed_upns(demo_env, role, who)
    assert query(demo_env, "select count(*) from mart_pupil")[0][0] > 0   # nothing was dropped


def test_what_staff_wrote_is_shown_only_within_the_viewers_scope(demo_env):
    """Year review's actions and a pupil's notes, for a head of year: their year's pupils only, although
    actions and notes were written for pupils of another year too."""
    import datetime as dt

    from warehouse import staff_records
    from warehouse.config import load_settings
    from warehouse.staff_records import Writer
    from warehouse.staff_store import StaffStore
    from warehouse.view import Scope

    who = accounts_of_each_role(demo_env)["head_of_year"]
    year = who.year_groups[0]
    (school, mine, my_name), = query(demo_env, "select school_code, upn, pupil_name from mart_pupil where on_roll "
                                               "and year_group = ? order by upn limit 1", [year])
    (theirs, their_name), = query(demo_env, "select upn, pupil_name from mart_pupil where on_roll and year_group <> ? "
                                            "order by upn limit 1", [year])
    store, writer = StaffStore.for_settings(load_settings()), Writer("dm", "Data Manager", "data_manager")
    due = dt.date.today() + dt.timedelta(days=14)
    for upn, label in ((mine, "in-scope"), (theirs, "out-of-scope")):
        staff_records.add_action(store, writer, Scope.everything(), school=school, upn=upn, owner="Someone",
                                 action=f"Action for the {label} pupil", due_on=due)
        staff_records.add_note(store, writer, Scope.everything(), school=school, upn=upn, kind="Note",
                               body=f"Note on the {label} pupil")

    def everything_shown(at) -> str:
        tables = " ".join(frame.value.to_csv() for frame in at.dataframe)
        return tables + " ".join(str(e.value) for e in [*at.text, *at.caption, *at.markdown])

    review = open_page("pages/year_review.py", as_account=who, year=str(year), tab="Actions")
    assert not review.exception
    shown = everything_shown(review)
    assert "Action for the in-scope pupil" in shown and my_name in shown
    assert "out-of-scope" not in shown and their_name not in shown
    record = open_page("pages/pupil.py", as_account=who, upn=mine, year=str(year))
    # (The role's first page, Year review, ran first and dropped a tab it does not have: ask again.)
    record.query_params["tab"] = "Notes and actions"
    record.run()
    assert not record.exception
    shown = everything_shown(record)
    assert "Note on the in-scope pupil" in shown and "Action for the in-scope pupil" in shown
    assert "out-of-scope" not in shown

