"""The trust overview: two schools compared at a drop and across drops, figures that agree with each
school's own Overview, the page only for viewers of several schools, and the school filter."""
import os

import pytest

from tests.pages import account, open_page
from warehouse import loaders
from warehouse.config import load_settings
from warehouse.data import WarehouseReader
from warehouse.store import Store
from warehouse.view import Scope, ViewFilters

POINT = "2025/26 Summer"


@pytest.fixture(scope="module")
def trust(tmp_path_factory):
    """The demo trust of two schools, loaded once for this file."""
    from warehouse.__main__ import main as cli

    data_dir = tmp_path_factory.mktemp("trust") / "warehouse"
    before = os.environ.get("TRACKER_DATA_DIR")
    os.environ["TRACKER_DATA_DIR"] = str(data_dir)
    try:
        assert cli(["demo", "--schools", "2", "--quiet"]) == 0
        yield Store(load_settings())
    finally:
        os.environ["TRACKER_DATA_DIR"] = before or ""


@pytest.fixture
def trust_env(trust, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(trust.data_dir))
    return trust


@pytest.fixture(scope="module")
def run(trust):
    reader = WarehouseReader(trust)
    yield reader.run
    reader.close()


@pytest.mark.parametrize("few_keys", [1000, 0], ids=["answers made per key", "rows taken per ask"])
def test_lookups_answered_from_memory_are_their_queries_answers(trust, few_keys, monkeypatch):
    """The small tables the reader keeps in memory (warehouse/data.py, LOOKUPS) answer each ask as their
    query would: the same rows in the same order, the same types, and nothing outside the viewer's scope.
    Both ways a table answers: from answers made per key (few keys) and from rows taken at each ask (many)."""
    import duckdb
    import pandas as pd

    from warehouse.data import LOOKUPS, _LookupTable, query_parameters, query_sql

    monkeypatch.setattr(_LookupTable, "FEW_KEYS", few_keys)

    reader = WarehouseReader(trust)
    con = duckdb.connect(str(trust.current_snapshot()), read_only=True)
    rows = lambda sql: con.execute(sql).fetchall()
    schools = [school for school, in rows("select distinct school_code from mart_pupil order by 1")]
    some_pupils = [upn for upn, in rows("select upn from fct_intervention order by upn limit 40")[::3]]
    scopes = [Scope.everything(), Scope(schools=(schools[1],)), Scope(schools=tuple(schools)),
              Scope(schools=(schools[0],), upns=tuple(some_pupils)), Scope(subjects=("MA4",)), Scope.nothing()]
    drops = [point for point, in rows("select distinct assessment_point from dim_assessment_point order by 1")]
    drops.append("No such drop")
    keys = {
        "point_dates": [dict(school=s, assessment_point=p) for s, p in rows(
            "select school_code, assessment_point from dim_assessment_point order by all")[::5]]
        + [dict(school=schools[0], assessment_point="No such drop"), dict(school=schools[1], assessment_point=None)],
        "intervention_impact": [dict(school=s, subject_code=c) for s in [*schools, "S999"] for c, in rows(
            "select distinct subject_code from mart_intervention_impact order by all")[:4] + [(None,), ("XX",)]]
        + [dict(school=None, subject_code=None)],   # no school: every school's (the slow way; pages never ask it)
        "intervention_participants": [dict(school=s, programme=p) for s, p in rows(
            "select distinct school_code, programme from fct_intervention order by all")]
        + [dict(school=schools[1], programme="No such programme")],
        "pupil_interventions": [dict(school=s, upn=u) for s, u in rows(
            "select distinct school_code, upn from fct_intervention order by all")[::7]]
        + [dict(school=schools[0], upn=some_pupils[0] + "X")],
        "programme_pupils": [dict(school=s, assessment_point=p) for s in [*schools, "S999"] for p in drops],
        "trust_schools": [dict(assessment_point=p, year_group=y) for p in drops for y in range(7, 14)],
        "trust_schools_all_years": [dict(assessment_point=p) for p in drops],
        "trust_trend": [dict(assessment_point=p, year_group=y) for p in drops for y in range(7, 14)],
        "trust_trend_all_years": [dict(assessment_point=p) for p in drops],
        "trust_school_points": [{}],
    }
    assert set(keys) == set(LOOKUPS)
    compared = 0
    for name, lookup in LOOKUPS.items():
        scope_parameters = {p for p in query_parameters(name) if p.startswith("scope_")}
        assert lookup.parameters() == set(query_parameters(name))
        assert {*lookup.scope, *lookup.none_for} == scope_parameters
        for asked in keys[name]:
            for scope in scopes:
                params = {**scope.params(), **asked}
                used = {k: v for k, v in params.items() if k in query_parameters(name)}
                theirs = con.execute(query_sql(name), used).df()
                pd.testing.assert_frame_equal(reader.run(name, **params), theirs, obj=f"{name} {params}")
                compared += len(theirs)
    assert compared > 500
    con.close()
    reader.close()


@pytest.mark.parametrize("year_group", [None, 11, 8])
def test_each_schools_figures_are_its_own_overviews(run, year_group):
    view = loaders.trust(run, Scope.everything(), POINT, year_group)
    assert list(view.schools["school_code"]) == ["S001", "S002"]
    for school in view.schools.itertuples():
        own = loaders.overview(run, Scope.everything(), ViewFilters(school=school.school_code,
                                                                   assessment_point=POINT, year_group=year_group))
        headline = own.at_point(POINT)
        assert (school.pct_on_track, school.pct_well_below, school.pupils) == (
            headline.pct_on_track, headline.pct_well_below, headline.pupils)
        attendance = own.attendance.iloc[0]
        assert (school.attendance_pct, school.pct_persistent_absent) == (
            attendance.attendance_pct, attendance.pct_persistent_absent)
        working_at = own.ks4[own.ks4["basis"] == "working_at"]
        if year_group in (None, 11):
            assert school.p8_estimate == working_at.iloc[0].p8_estimate
            assert round(school.avg_attainment8, 1) == working_at.iloc[0].avg_attainment8
        else:
            assert school.p8_estimate != school.p8_estimate   # no Year 11 in the view: no KS4 figures (NaN)


def test_a_whole_year_groups_overview_summed_from_counts_equals_the_one_counted_from_its_pupils(run):
    """The Overview of a whole year group or school, or a standard subgroup of it, reads marts of counts (the
    `_whole_cohort` queries); each of its tables is the same as the one counted from the pupils' own rows, at
    every drop of both schools, for every year group and the whole school, for all subjects and each one, and
    for subgroups alone and together."""
    import pandas as pd

    options = loaders.filter_options(run, Scope.everything())
    subgroups = [{}, {"disadvantaged": True}, {"disadvantaged": False, "sen_status": "K"},
                 {"gender": "F", "prior_attainment_band": "low"}, {"sen_status": "E", "gender": "M"}]
    compared = 0
    for choice in options.itertuples():
        subjects = [s["code"] for s in choice.subjects]
        for year_group in [None, *[int(y) for y in choice.year_groups]]:
            for subgroup in subgroups:
                for subject in [None, *subjects] if not subgroup else [None]:
                    view = ViewFilters(school=choice.school_code, assessment_point=choice.assessment_point,
                                       year_group=year_group, subject_code=subject, **subgroup)
                    scope = Scope(schools=(choice.school_code,))
                    assert loaders.whole_cohort(scope, view)
                    params = {**scope.params(), **view.params()}
                    names = ["overview_progress"] if subject else [
                        "overview_progress", "overview_by_subject", "overview_attendance"]
                    for name in names + ([] if subgroup or subject else ["overview_ks4"]):
                        summed, counted = run(name + "_whole_cohort", **params), run(name, **params)
                        pd.testing.assert_frame_equal(summed, counted, check_dtype=False, obj=f"{name} {view}")
                        compared += not counted.empty
    assert compared > 500
    # A school's own group, and viewers of some pupils or subjects, are counted from the pupils' rows.
    assert not loaders.whole_cohort(Scope(), ViewFilters(school="S001", custom_group="Sports Academy"))
    assert not loaders.whole_cohort(Scope(upns=("P1",)), ViewFilters(school="S001"))
    assert not loaders.whole_cohort(Scope(subjects=("MA4",)), ViewFilters(school="S001"))


def test_the_trust_figure_is_all_its_subjects_together_and_the_gap_is_by_hand(run, trust):
    view = loaders.trust(run, Scope.everything(), POINT, 11)
    schools = view.schools
    assert view.on_track_pct() == round(100 * schools["on_track_or_ahead"].sum() / schools["graded_with_target"].sum(), 1)
    # The disadvantaged gap of S001's Year 11, counted from mart_progress by hand.
    from tests.exports import query
    (disadvantaged, others), = query(trust, """
        select 100.0 * count(*) filter (where m.status in ('ahead', 'on_track') and p.disadvantaged)
                   / count(m.status) filter (where p.disadvantaged),
               100.0 * count(*) filter (where m.status in ('ahead', 'on_track') and not p.disadvantaged)
                   / count(m.status) filter (where not p.disadvantaged)
        from mart_progress m join mart_pupil p using (school_code, upn)
        where m.school_code = 'S001' and m.assessment_point = ? and m.year_group = 11""", [POINT])
    assert schools.iloc[0].disadvantaged_gap_pts == round(disadvantaged - others, 1)


def test_the_drops_offered_are_latest_first_each_by_its_earliest_schools_date():
    """By hand: a drop one school holds later than the other is dated by the earlier, and drops on the same
    day are latest name first (rows as trust_school_points gives them: oldest first, then by name)."""
    import pandas as pd

    rows = pd.DataFrame({"school_code": ["S2", "S1", "S1", "S1", "S2", "S1"],
                         "assessment_point": ["Autumn", "Mocks", "Careers", "Spring", "Spring", "Autumn"],
                         "point_date": pd.to_datetime(["2025-12-01", "2026-02-06", "2026-03-20", "2026-03-20",
                                                       "2026-03-20", "2026-03-27"])})
    # Not by name (Spring, Mocks, Careers, Autumn), nor by a school's latest date (Autumn first).
    assert loaders.trust_points(lambda name, **params: rows, Scope.everything()) == [
        "Spring", "Careers", "Mocks", "Autumn"]


@pytest.mark.parametrize("scope", [Scope.everything(), Scope(schools=("S002",)), Scope(schools=("S001", "S002"))],
                         ids=["trust", "one school", "both"])
def test_the_drops_offered_are_those_the_viewers_schools_have_grades_at(run, trust, scope):
    import duckdb

    with duckdb.connect(str(trust.current_snapshot()), read_only=True) as con:
        expected = con.execute("""
            select assessment_point from mart_trust_progress
            where $schools is null or list_contains($schools, school_code)
            group by all order by min(point_date) desc, assessment_point desc""",
                               {"schools": scope.params()["scope_schools"]}).fetchall()
    assert loaders.trust_points(run, scope) == [point for point, in expected]
    assert POINT in loaders.trust_points(run, scope)


def test_a_viewer_of_some_pupils_or_subjects_gets_no_trust_figures(run):
    assert loaders.trust(run, Scope(upns=("X",)), POINT, None).schools.empty
    assert loaders.trust(run, Scope(subjects=("MA4",)), POINT, None).trend.empty
    assert loaders.trust_points(run, Scope(upns=("X",))) == []
    assert loaders.trust_points(run, Scope(subjects=("MA4",))) == []
    only_one = loaders.trust(run, Scope(schools=("S002",)), POINT, None)
    assert list(only_one.schools["school_code"]) == ["S002"] and set(only_one.trend["school_code"]) == {"S002"}


def test_the_trust_page_compares_the_schools_and_links_to_each(trust_env):
    at = open_page("pages/trust.py", as_account=account("senior_leader"))
    at.selectbox(key="point").set_value(POINT)
    at.selectbox(key="year").set_value("11").run()
    assert not at.exception
    assert at.title[0].value == "Trust overview"
    table = at.dataframe[0].value
    assert list(table["school_code"]) == ["S001", "S002"]
    assert table["open"].tolist() == [f"/overview?school={s}&point=2025%2F26+Summer&year=11" for s in ("S001", "S002")]
    assert at.metric[0].value == "2 of 2"
    assert at.get("vega_lite_chart")   # the schools' bar chart
    assert at.dataframe[0].proto.placeholder == "–"   # a figure that does not apply: a dash, not "None"


def test_the_trust_page_is_only_for_viewers_of_several_schools(trust_env):
    senior = open_page(as_account=account("senior_leader"))
    one_school = open_page(as_account=account("senior_leader", schools=["S001"]))
    head_of_year = open_page(as_account=account("head_of_year", year_groups=[11]))
    for at in (senior, one_school, head_of_year):
        assert not at.exception
    assert _offers_trust(senior) and not _offers_trust(one_school) and not _offers_trust(head_of_year)


def _offers_trust(at) -> bool:
    """Whether the app's navigation offers the Trust overview (it is then openable by its URL path)."""
    try:
        at.switch_page("pages/trust.py")
    except ValueError:   # not among the navigation's pages
        return False
    at.run()
    return bool(at.title) and at.title[0].value == "Trust overview"


def test_the_school_filter_chooses_the_school_every_page_shows(trust_env, run):
    at = open_page("pages/overview.py", as_account=account("senior_leader"), school="S002", point=POINT)
    assert not at.exception
    box = at.sidebar.selectbox(key="f_school")
    assert box.options == ["S001", "S002"] and box.value == "S002"
    s002 = loaders.trust(run, Scope.everything(), POINT, None).schools.set_index("school_code").loc["S002"]
    assert at.metric[0].value == f"{s002.pct_on_track:.1f}%"
    box.set_value("S001").run()
    s001 = loaders.trust(run, Scope.everything(), POINT, None).schools.set_index("school_code").loc["S001"]
    assert at.metric[0].value == f"{s001.pct_on_track:.1f}%"


def test_the_trust_page_and_the_school_filter_in_a_browser(trust):
    """A link to the trust overview with a drop and year group opens it so (after the demo's sign-in);
    the Overview's school filter then moves the view, and the URL, to the other school."""
    from tests.browser import browser_page, enter_the_demo, require_chromium, running_app

    require_chromium()
    with running_app(trust.data_dir) as url, browser_page() as page:
        page.set_default_timeout(30_000)
        # A server that has served someone already (a fresh one routes a first visit by file name): the
        # sign-in shows at the page a link names, with no "Page not found" (as for a link to a default page).
        page.goto(url)
        page.get_by_role("button", name="Open the demo").wait_for()
        page.goto(url + "/trust?point=2025%2F26+Summer&year=11")
        page.get_by_role("button", name="Open the demo").wait_for()
        page.wait_for_timeout(2_000)
        assert not page.get_by_text("Page not found").count()
        enter_the_demo(page, "Senior leader")
        page.get_by_role("heading", name="Trust overview").wait_for()
        assert page.get_by_test_id("stSelectbox").filter(has_text="Year group").locator("input").input_value() \
            == "11"
        assert "2 of 2" in page.get_by_test_id("stMetric").first.inner_text()
        page.get_by_test_id("stVegaLiteChart").first.wait_for()
        page.get_by_test_id("stSidebarNav").get_by_text("Overview", exact=True).click()
        page.get_by_role("heading", name="Overview").wait_for()
        school = page.get_by_test_id("stSidebar").get_by_role("combobox", name="School")
        school.click()
        page.get_by_role("option", name="S002", exact=True).click()
        page.wait_for_url("**school=S002**")
