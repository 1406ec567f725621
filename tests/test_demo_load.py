"""The demo school, loaded as `python -m warehouse demo` loads it: counts, quarantine, marts, pages."""
import os
import shutil

import pytest

from warehouse.__main__ import main as cli
from warehouse.config import load_settings
from warehouse.demo import DELIBERATE_PROBLEMS
from warehouse.store import Store
from tests.exports import query
from tests.pages import open_page


def test_every_file_loads_and_every_row_is_accounted_for(demo):
    assert query(demo, "select count(*) from batches where status <> 'loaded'") == [(0,)]
    assert query(demo, "select count(*) from batches where rows_loaded + rows_quarantined <> rows_read") == [(0,)]
    assert query(demo, "select count(*), sum(rows_read) from batches") == [(13, 606_382)]


def test_the_quarantine_holds_exactly_the_deliberate_bad_rows(demo):
    expected = {(p.file, p.row) for p in DELIBERATE_PROBLEMS if p.row is not None}
    assert set(query(demo, "select file_name, row_number from quarantine")) == expected
    assert query(demo, "select sum(rows_quarantined) from batches") == [(len(expected),)]


def test_warehouse_counts(demo):
    assert query(demo, "select pupils_on_roll, pupils_left, subjects, assessment_points, attendance_sessions "
                       "from mart_school_summary") == [(1088, 451, 28, 11, 412_574)]
    assert query(demo, "select count(*) from raw_attendance_sessions") == [(412_574,)]
    # marts agree with the facts they summarise
    assert query(demo, "select assessments, grades_entered from mart_school_summary") == query(
        demo, "select count(*), count(*) filter (where grade_entered) from fct_assessment")
    assert query(demo, "select count(*) from fct_assessment") == query(demo, "select count(*) from stg_assessments")
    # the cohorts with no KS2 tests (Year 6 in 2019/20 and 2020/21) have the alternative baseline instead
    cohorts = query(demo, "select ks4_academic_year, count(*), count(*) filter (where ks2_average is null), "
                          "count(*) filter (where alternative_baseline is null) from dim_pupil group by 1 order by 1")
    no_ks2 = {year: (pupils, without_ks2, without_baseline) for year, pupils, without_ks2, without_baseline in cohorts}
    for year in ("2024/25", "2025/26"):
        pupils, without_ks2, without_baseline = no_ks2[year]
        assert without_ks2 == pupils and without_baseline == 0
    assert no_ks2["2026/27"][1] < no_ks2["2026/27"][0] * 0.1  # later cohorts sat KS2 (a few joined without)


def test_the_class_that_entered_no_grades_is_named(demo):
    rows = query(demo, "select class_code, subject_name, pupils, grades_entered from mart_assessment_completeness "
                       "where assessment_point = '2025/26 Summer' and grades_missing > 0 order by grades_missing desc")
    class_code, subject, pupils, entered = rows[0]
    assert (class_code, subject, entered) == ("9C/Hi", "History", 0) and pupils > 20


def test_the_pages_show_the_demo_marts(demo_env):
    at = open_page()
    assert not at.exception
    at.switch_page("pages/warehouse.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Pupils on roll"] == "1,088" and shown["Attendance sessions"] == "412,574"
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Rows quarantined"] == str(sum(1 for p in DELIBERATE_PROBLEMS if p.row))
    missing = at.dataframe[-1].value
    assert missing.iloc[0].class_code == "9C/Hi"


def test_the_analytics_marts_are_complete_and_agree_with_each_other(demo):
    # Every working-at grade of a pupil in a key stage has one progress row.
    assert query(demo, "select count(*) from mart_progress") == query(
        demo, "select count(*) from int_ks_grade where grade_type = 'working_at'")
    assert query(demo, "select count(*) from (select school_code, upn, subject_code, assessment_point "
                       "from mart_progress group by all having count(*) > 1)") == [(0,)]
    # Pupils with grades and a target have a progress target and a status.
    assert query(demo, "select count(*) from mart_progress where working_at_points is not null "
                       "and (target_points is not null or progress_method = 'sublevels') and status is null") == [(0,)]
    # The school KS4 table counts and averages exactly the pupils' rows.
    assert query(demo, "select sum(pupils), round(sum(avg_attainment8 * pupils)) from mart_ks4_school") == query(
        demo, "select sum(pupils), round(sum(round(avg_attainment8 * pupils, 2))) from (select school_code, "
              "assessment_point, basis, year_group, count(*) as pupils, round(avg(attainment8), 2) "
              "as avg_attainment8 from mart_ks4_pupil group by all)")
    # Attainment 8 is the sum of its elements, and of the slots behind them.
    assert query(demo, "select count(*) from mart_ks4_pupil "
                       "where abs(attainment8 - a8_english - a8_maths - a8_ebacc - a8_open) > 1e-9") == [(0,)]
    assert query(demo, "select round(sum(attainment8), 2) from mart_ks4_pupil") == query(
        demo, "select round(sum(a8_points * weight), 2) from int_a8_slot")
    # Every Year 11 pupil has a KS4 row at each GCSE results point, and all the
    # cohort gets an estimated P8 (from KS2 or the linked CAT baseline).
    assert query(demo, "select assessment_point, pupils, p8_pupils, p8_pupils_alternative_baseline "
                       "from mart_ks4_school where basis = 'final' order by 1") == [
        ("2023/24 GCSE results", 223, 223, 8), ("2024/25 GCSE results", 228, 228, 228)]
    # Attendance: the year from register marks equals the facts; earlier years equal the summaries.
    assert query(demo, "select sum(possible_sessions), sum(present_sessions) from mart_attendance_pupil "
                       "where counted_from = 'register marks'") == query(
        demo, "select count(*) filter (where is_possible), count(*) filter (where is_present) "
              "from fct_attendance_session")
    assert query(demo, "select sum(possible_sessions) from mart_attendance_pupil where counted_from = 'summaries'") \
        == query(demo, "select sum(possible_sessions) from fct_attendance_summary")
    assert query(demo, "select count(*) from mart_attendance_pupil "
                       "where present_sessions + authorised_absence_sessions + unauthorised_absence_sessions "
                       "<> possible_sessions and counted_from = 'register marks'") == [(0,)]
    # Review lists and target checks name pupils the warehouse knows, with a reason.
    assert query(demo, "select count(*) from mart_review_list r anti join mart_pupil p using (school_code, upn)") \
        == [(0,)]
    assert query(demo, "select count(*) from mart_review_list where reason is null or reason = ''") == [(0,)]
    assert query(demo, "select count(*) from mart_target_check t "
                       "anti join fct_target f using (school_code, upn, subject_code) ") == [(0,)]
    # Every programme has its participants counted and compared.
    impact = query(demo, "select programme, participants, participants_matched, comparison_pupils "
                         "from mart_intervention_impact order by programme")
    assert [row[0] for row in impact] == ["Attendance mentoring", "Year 11 English tutoring",
                                          "Year 11 maths boost", "Year 7 reading catch-up"]
    assert all(participants > 0 and matched > 0 and comparison > 0
               for _, participants, matched, comparison in impact)
    assert query(demo, "select sum(participants) from mart_intervention_impact") == query(
        demo, "select count(distinct (programme, upn)) from fct_intervention")


def test_rebuild_applies_changed_settings(demo, tmp_path, monkeypatch):
    copy = tmp_path / "warehouse"
    shutil.copytree(demo.data_dir, copy)
    config = tmp_path / "tracker.toml"
    config.write_text('[progress]\nks4_method = "learned"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(copy))
    monkeypatch.setenv("TRACKER_CONFIG", str(config))
    assert cli(["rebuild"]) == 0
    rebuilt = Store(load_settings())
    assert query(rebuilt, "select distinct progress_method from mart_progress where key_stage = '4'") == \
        [("learned",)]
    config.write_text('[progress]\nks4_method = "wobbly"\n', encoding="utf-8")
    assert cli(["rebuild"]) == 1


COHORT = ("select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 11 "
          "and disadvantaged")


def test_the_overview_shows_the_marts_figures_for_the_view_in_the_url(demo_env):
    at = open_page(year="11", disadvantaged="Y")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    on_track, = query(demo_env, "select 100.0 * count(*) filter (where status in ('ahead', 'on_track')) "
                                f"/ count(status) from mart_progress where assessment_point = '2025/26 Summer' "
                                f"and upn in ({COHORT})")[0]
    assert shown["On track"] == f"{on_track:.1f}%"
    p8, a8, pupils = query(demo_env, "select avg(p8_estimate_exact), avg(attainment8), count(*) from mart_ks4_pupil "
                                     "where basis = 'working_at' and assessment_point = '2025/26 Summer' "
                                     f"and upn in ({COHORT})")[0]
    assert shown["Progress 8 (estimate)"] == f"{p8:+.2f}" and shown["Attainment 8"] == f"{a8:.1f}"
    attendance, = query(demo_env, "select 100.0 * sum(present_sessions) / sum(possible_sessions) "
                                  f"from mart_attendance_pupil where academic_year = '2025/26' and upn in ({COHORT})")[0]
    assert shown["Attendance"] == f"{attendance:.1f}%"
    assert shown["Pupils"] == str(pupils)
    # The sidebar took the view from the URL, and the URL keeps it.
    chosen = {s.label: s.value for s in at.sidebar.selectbox}
    assert chosen["Year group"] == "Year 11" and chosen["Disadvantaged"] == "Yes"
    assert chosen["Assessment point"] == "2025/26 Summer"
    assert at.query_params["point"] == ["2025/26 Summer"] or at.query_params["point"] == "2025/26 Summer"
    # Changing a filter changes the figures and the URL.
    at.sidebar.selectbox(key="f_year").set_value("Year 10").run()
    assert at.query_params["year"] in ("10", ["10"])
    assert {m.label: m.value for m in at.metric}["Pupils"] != str(pupils)


def test_a_shared_link_reproduces_the_view_in_a_browser(demo):
    from tests.browser import browser_page, enter_the_demo, require_chromium, running_app

    require_chromium()
    with running_app(demo.data_dir) as url, browser_page() as page:
        page.goto(url + "/?year=11&disadvantaged=Y")  # the Overview is the home page
        enter_the_demo(page)   # the view of the link waits for the sign-in
        page.get_by_text("Year 11 · disadvantaged · at 2025/26 Summer").wait_for(timeout=30_000)
        page.get_by_test_id("stMetricLabel").filter(has_text="Severely absent").wait_for(timeout=30_000)
        pupils = query(demo, f"select count(distinct upn) from mart_progress where assessment_point = "
                             f"'2025/26 Summer' and upn in ({COHORT})")[0][0]
        labels = [text.strip() for text in page.get_by_test_id("stMetricLabel").all_inner_texts()]
        values = dict(zip(labels, page.get_by_test_id("stMetricValue").all_inner_texts()))
        assert values["Pupils"] == str(pupils), values


def test_the_year_review_lists_the_marts_pupils_with_reasons(demo_env):
    at = open_page("pages/year_review.py", year="9", compare="2025/26 Autumn")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    year_9 = "select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 9"
    concern, commended = query(demo_env, "select count(distinct upn) filter (where list = 'concern'), "
                                         "count(distinct upn) filter (where list = 'commendation') "
                                         "from mart_review_list where assessment_point = '2025/26 Summer' "
                                         f"and upn in ({year_9})")[0]
    assert (shown["Pupils of concern"], shown["Pupils commended"]) == (str(concern), str(commended))
    concerns, = (frame.value for frame in at.dataframe)   # only the open tab is drawn
    assert set(concerns.reason) == set(r for (r,) in query(
        demo_env, "select reason from mart_review_list where list = 'concern' and "
                  f"assessment_point = '2025/26 Summer' and upn in ({year_9})"))
    grid = open_page("pages/year_review.py", year="9", tab="All subjects").dataframe[0].value
    assert len(grid) == query(demo_env, "select count(distinct upn) from mart_progress where "
                                        f"assessment_point = '2025/26 Summer' and upn in ({year_9})")[0][0]
    assert {"▲ ahead", "● on track", "▼ below"} <= set(grid.drop(columns=["pupil_name", "upn", "tutor_group"])
                                                         .stack())
    movers = open_page("pages/year_review.py", year="9", compare="2025/26 Autumn", tab="Movers").dataframe[0].value
    assert set(movers.columns) >= {"subjects_up", "subjects_down", "mean_change_grades"} and len(movers) > 0


def test_the_pupil_page_shows_one_pupils_subjects_from_the_marts(demo_env):
    upn, name = query(demo_env, "select upn, pupil_name from mart_pupil where year_group = 11 and on_roll "
                                "order by upn limit 1")[0]
    at = open_page("pages/pupil.py", year="11", upn=upn)
    assert not at.exception
    assert at.header[0].value == name
    subjects = at.dataframe[0].value
    expected = query(demo_env, "select s.subject_name, m.working_at, m.target from mart_progress m "
                               "join dim_subject s using (school_code, subject_code) "
                               "where m.upn = ? and m.assessment_point = '2025/26 Summer' order by 1", [upn])
    assert list(subjects[["subject_name", "working_at", "target"]].itertuples(index=False, name=None)) == expected
    assert len(at.get("vega_lite_chart")) == 1   # trajectories
    at.toggle(key="pupil_earlier").set_value(True).run()   # subjects of earlier key stages too
    assert not at.exception and len(at.get("vega_lite_chart")) == 1
    absences = open_page("pages/pupil.py", year="11", upn=upn, tab="Attendance")
    assert len(absences.get("vega_lite_chart")) == 2   # and absences by day and session over week by week
    assert any(c.value.startswith("Sessions missed from 01/09/2025 to the drop") for c in absences.caption)
    # Headline figures; the history of targets is drawn when its tab is opened.
    shown = {m.label: m.value for m in at.metric}
    this_year = query(demo_env, "select attendance_pct from mart_attendance_pupil where upn = ? "
                                "and academic_year = '2025/26'", [upn])[0][0]
    below = query(demo_env, "select count(*) from mart_progress where upn = ? and assessment_point = "
                            "'2025/26 Summer' and status in ('below', 'well_below')", [upn])[0][0]
    assert (shown["Attendance 2025/26"], shown["Subjects below target"]) == (f"{this_year:.1f}%", str(below))
    history = open_page("pages/pupil.py", year="11", upn=upn, tab="Targets and estimates").dataframe[-1].value
    assert len(history) == query(demo_env, "select count(*) from fct_target where upn = ?", [upn])[0][0] > 0
    assert {"set_by", "set_on", "reason"} <= set(history.columns)


def test_a_pupils_attendance_pattern_counts_their_missed_sessions(demo_env):
    from warehouse.data import WarehouseReader
    from warehouse.loaders import pupil_attendance_pattern
    from warehouse.view import Scope

    upn, missed = query(demo_env, """
        select upn, count(*) filter (where not is_present) from fct_attendance_session
        where is_possible and session_date between '2025-09-01' and '2026-07-03' group by upn
        order by 2 desc, upn limit 1""")[0]
    reader = WarehouseReader(demo_env)
    pattern = pupil_attendance_pattern(reader.run, Scope.everything(), "S001", upn, "2025-09-01", "2026-07-03")
    assert pattern.by_day["missed"].sum() == pattern.by_week["missed"].sum() == missed
    # Outside the viewer's scope there is nothing to see.
    hidden = pupil_attendance_pattern(reader.run, Scope(upns=("someone else",)), "S001", upn, "2025-09-01",
                                      "2026-07-03")
    assert hidden.by_day.empty and hidden.by_week.empty
    reader.close()


def test_the_targets_and_interventions_pages_show_the_marts(demo_env):
    at = open_page("pages/targets.py", year="11")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    year_11 = "select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 11"
    checked, below, attained, easy = query(
        demo_env, "select count(*), count(*) filter (where target_below_prediction), count(*) filter (where "
                  "target_already_attained), count(*) filter (where target_not_challenging) from mart_target_check "
                  f"where upn in ({year_11})")[0]
    assert shown == {"Targets checked": f"{checked:,}", "Below prediction": f"{below:,}",
                     "Already reached": f"{attained:,}", "Not challenging": f"{easy:,}"}
    flagged = at.dataframe[0].value
    assert (flagged["flags"] != "").all() and 0 < len(flagged) < checked
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]
    # With the toggle off, every target is read and shown, flagged ones first; the counts stay.
    at.toggle[0].set_value(False).run()
    every = at.dataframe[0].value
    assert len(every) == checked and {m.label: m.value for m in at.metric} == shown
    assert at.caption[-1].value == f"All {checked:,} targets, those with a flag first."
    assert list(every["flags"] != "") == sorted(every["flags"] != "", reverse=True)

    at.switch_page("pages/interventions.py").run()
    assert not at.exception
    impact = at.dataframe[0].value
    assert sorted(zip(impact.programme, impact.impact_grades)) == sorted(query(
        demo_env, "select programme, impact_grades from mart_intervention_impact"))
    assert at.dataframe[0].proto.placeholder == "–"   # a figure missing: a dash, not "None"
    # A programme some pupils are still in: their "To" is blank, not Streamlit's "None".
    running, still_in = query(demo_env, "select programme, count(*) from fct_intervention where end_date is null "
                                        "group by programme order by programme limit 1")[0]
    [chooser] = [box for box in at.selectbox if box.label == "Participants of"]
    chooser.set_value(running).run()
    participants = at.dataframe[1]
    assert participants.value["end_date"].isna().sum() == still_in > 0
    assert participants.proto.HasField("placeholder") and participants.proto.placeholder == ""


def test_the_subjects_page_splits_one_subject_from_the_marts(demo_env):
    at = open_page("pages/subjects.py", year="11", subject="MA4")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    year_11 = "select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 11"
    pupils, on_track, below = query(
        demo_env, "select count(*), 100.0 * count(*) filter (where status in ('ahead', 'on_track')) / count(status), "
                  "count(*) filter (where status in ('below', 'well_below')) from mart_progress "
                  "where subject_code = 'MA4' and assessment_point = '2025/26 Summer' and working_at is not null "
                  f"and upn in ({year_11})")[0]
    assert (shown["Pupils"], shown["On track"], shown["Below target"]) == (
        str(pupils), f"{on_track:.1f}%", str(below))
    by_class = at.dataframe[0].value
    assert by_class["pupils"].sum() == pupils
    below_target = at.dataframe[-1].value
    assert len(below_target) == below
    assert below_target["open"].str.startswith("/pupil?").all() and below_target["open"].str.contains("upn=").all()


def test_the_attendance_page_counts_the_views_sessions(demo_env):
    at = open_page("pages/attendance.py", year="11", disadvantaged="Y")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    attendance, pupils = query(demo_env, "select 100.0 * count(*) filter (where is_present) / count(*) filter "
                                         "(where is_possible), count(distinct upn) from fct_attendance_session "
                                         "where session_date between '2025-09-01' and '2026-07-03' "
                                         f"and upn in ({COHORT})")[0]
    assert (shown["Attendance"], shown["Pupils"]) == (f"{attendance:.1f}%", str(pupils))
    by_group = at.dataframe[0].value
    assert set(by_group.group) == {"Yes"}  # the view has disadvantaged pupils only


@pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result")   # compared as the reader reads big answers
def test_mart_progress_names_subjects_and_teachers_as_the_dimensions_do(demo_env):
    """The names mart_progress carries for the pages (the subject, its place by name, the teacher) are those of
    dim_subject and dim_staff on every row, and carrying them neither drops nor repeats a grade."""
    rows, = query(demo_env, "select count(*) from int_ks_grade where grade_type = 'working_at'")[0]
    assert query(demo_env, "select count(*), count(subject_name), count(subject_order) from mart_progress") == [
        (rows, rows, rows)]
    differing = query(demo_env, """
        select count(*) from mart_progress m
        join dim_subject s using (school_code, subject_code)
        left join dim_staff t on t.school_code = m.school_code and t.staff_code = m.teacher_code
        where m.subject_name is distinct from s.subject_name or m.subject_order is distinct from s.name_order
           or m.teacher_name is distinct from t.staff_name""")
    named, = query(demo_env, "select count(teacher_name) from mart_progress")[0]
    assert differing == [(0,)] and named > 0


def test_every_named_query_reads_into_the_frame_duckdb_would_make(demo_env):
    """The reader converts a query's rows through Arrow (a third quicker on thousands of rows of text than
    DuckDB's own .df()); for every named query, on views wide and narrow, the frame is the one .df() makes:
    the same values, the same types, missing values the same way."""
    from datetime import date

    import duckdb
    import pandas as pd

    from warehouse.data import QUERIES_DIR, frame_of, query_parameters, query_sql

    upn, = query(demo_env, "select upn from mart_pupil where year_group = 11 and on_roll order by upn limit 1")[0]
    programme, = query(demo_env, "select programme from fct_intervention order by programme limit 1")[0]
    common = {"school": "S001", "assessment_point": "2025/26 Summer", "compare_point": "2025/26 Autumn",
              "upn": upn, "from_date": date(2025, 9, 1), "to_date": date(2026, 6, 19), "basis": "working_at",
              "grade_type": "working_at", "programme": programme, "flagged_only": False, "batch_id": None,
              "from_point": "2025/26 Autumn", "to_point": "2025/26 Summer", "schools": ["S001"],
              "role": "head_of_year", "year_groups": [11], "tutor_groups": [], "classes": [], "subjects": []}
    views = [
        {"year_group": 11, "subject_code": "MA4"},
        {"year_group": None, "subject_code": None, "disadvantaged": True, "sen_status": "K"},
        {"year_group": 7, "gender": "F", "prior_attainment_band": "low", "custom_group": "No such group"},
    ]
    con = duckdb.connect(str(demo_env.current_snapshot()), read_only=True)
    names = sorted(path.stem for path in QUERIES_DIR.glob("*.sql"))
    compared = 0
    for name in names:
        for view in views:
            params = {"scope_schools": None, "scope_upns": None, "scope_subjects": None,
                      **dict.fromkeys(["year_group", "subject_code", "disadvantaged", "sen_status", "gender",
                                       "prior_attainment_band", "custom_group"]), **common, **view}
            used = {k: v for k, v in params.items() if k in query_parameters(name)}
            by_duckdb = con.execute(query_sql(name), used).df()
            by_arrow = frame_of(con.execute(query_sql(name), used).to_arrow_table())
            pd.testing.assert_frame_equal(by_arrow, by_duckdb, obj=f"{name} {view}")
            compared += len(by_duckdb.columns)
    con.close()
    assert len(names) > 40 and compared > 1000
