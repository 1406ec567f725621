"""Explore: the question builder's figures (hand-computed on small frames) and the page on the demo school."""
import math

import numpy as np
import pandas as pd
import pytest

from tests.exports import query
from tests.pages import open_page
from warehouse import explore
from warehouse.explore import MEASURES, SPLITS, Question


def subject_rows() -> pd.DataFrame:
    """Five pupils, eight subject grades; statuses chosen so every figure can be worked out by hand."""
    rows = [
        # upn, gender, custom_groups, disadvantaged, subject, teacher, status, gap
        ("A", "F", ["Choir"], True, "Maths", "Ms X", "on_track", 0.0),
        ("A", "F", ["Choir"], True, "English", "Mr Y", "below", -0.67),
        ("B", "F", [], False, "Maths", "Ms X", "ahead", 0.67),
        ("B", "F", [], False, "English", "Mr Y", None, None),        # no progress target: not counted
        ("C", "M", ["Choir", "Sports"], False, "Maths", "Ms X", "well_below", -1.33),
        ("C", "M", ["Choir", "Sports"], False, "English", "Mr Y", "on_track", 0.33),
        ("D", "M", ["Sports"], True, "Maths", "Mr Y", "below", -0.67),
        ("E", "X", [], True, "Maths", "Ms X", "ahead", 1.0),
    ]
    frame = pd.DataFrame(rows, columns=["upn", "gender", "custom_groups", "disadvantaged", "subject_name", "teacher",
                                        "status", "gap_grades"])
    frame["custom_groups"] = frame["custom_groups"].map(np.array)   # as DuckDB hands lists over
    known = frame["status"].notna()
    frame["on_track"] = frame["status"].isin(["ahead", "on_track"]).where(known)
    frame["below_target"] = frame["status"].isin(["below", "well_below"]).where(known)
    return explore.in_words(frame)


def by_group(answer: pd.DataFrame) -> dict:
    return {(row.group if row.group2 is None else (row.group, row.group2)): row for row in answer.itertuples()}


def test_on_track_by_gender_counts_subject_grades_with_a_target():
    answer = by_group(explore.answer(subject_rows(), Question(MEASURES["on_track"], SPLITS["gender"])))
    assert list(answer) == ["Female", "Male", "Other (X)"]           # in words, in the catalogue's order
    # Female: A maths on track, A English below, B maths ahead (B English has no target) -> 2 of 3.
    assert answer["Female"].value == pytest.approx(200 / 3) and answer["Female"].pupils == 2
    # The rest: C (1 of 2), D (0 of 1), E (1 of 1) -> 2 of 4.
    assert answer["Female"].rest_value == pytest.approx(50.0) and answer["Female"].rest_pupils == 3
    assert answer["Female"].gap == pytest.approx(200 / 3 - 50)
    assert answer["Male"].value == pytest.approx(100 / 3) and answer["Other (X)"].value == 100
    assert explore.overall(subject_rows(), MEASURES["on_track"]) == pytest.approx(100 * 4 / 7)


def test_a_list_valued_school_group_puts_a_pupil_in_each_of_their_groups():
    answer = by_group(explore.answer(subject_rows(), Question(MEASURES["on_track"], SPLITS["school_group"])))
    assert set(answer) == {"Choir", "Sports"}
    # Choir: A (on track, below) and C (well below, on track) -> 2 of 4; the rest B, D, E -> 2 of 3.
    assert answer["Choir"].value == 50 and answer["Choir"].pupils == 2
    assert answer["Choir"].rest_value == pytest.approx(200 / 3)
    # Sports: C (1 of 2) and D (0 of 1) -> 1 of 3.
    assert answer["Sports"].value == pytest.approx(100 / 3) and answer["Sports"].rest_pupils == 3
    behind = explore.rows_behind(subject_rows(), Question(MEASURES["on_track"], SPLITS["school_group"]), "Sports")
    assert sorted(zip(behind.upn, behind.subject_name)) == [("C", "English"), ("C", "Maths"), ("D", "Maths")]


def test_a_second_split_compares_each_group_with_the_rest_of_its_second_group():
    question = Question(MEASURES["gap"], SPLITS["teacher"], SPLITS["disadvantaged"])
    answer = by_group(explore.answer(subject_rows(), question))
    assert list(answer) == [("Mr Y", "Yes"), ("Ms X", "Yes"), ("Mr Y", "No"), ("Ms X", "No")]
    # Disadvantaged: Mr Y has A English (-0.67) and D maths (-0.67); Ms X has A maths (0) and E maths (1).
    assert answer[("Mr Y", "Yes")].value == pytest.approx(-0.67)
    assert answer[("Mr Y", "Yes")].rest_value == pytest.approx(0.5)
    assert answer[("Mr Y", "Yes")].gap == pytest.approx(-1.17)
    # Not disadvantaged: Mr Y has C English (0.33) only (B English has no gap); Ms X has B (0.67), C (-1.33).
    assert answer[("Mr Y", "No")].value == pytest.approx(0.33) and answer[("Mr Y", "No")].pupils == 1
    assert answer[("Ms X", "No")].value == pytest.approx(-0.33)
    behind = explore.rows_behind(subject_rows(), question, "Ms X", "No")
    assert sorted(behind.upn) == ["B", "C"]


def test_attendance_is_weighted_by_sessions_not_a_mean_of_percentages():
    pupils = pd.DataFrame({
        "upn": ["A", "B", "C", "D"], "gender": ["F", "F", "M", "M"],
        "present_sessions": [90, 5, 300, None], "possible_sessions": [100, 50, 400, None],
        "persistent_absent": [False, True, True, None],
    })
    pupils = explore.in_words(pupils)
    answer = by_group(explore.answer(pupils, Question(MEASURES["attendance"], SPLITS["gender"])))
    # Female: (90 + 5) / (100 + 50) = 63.3%, not the mean of 90% and 10% (50%); Male: 300 / 400.
    assert answer["Female"].value == pytest.approx(9500 / 150) and answer["Male"].value == pytest.approx(75.0)
    assert answer["Male"].pupils == 1                     # D has no attendance: not counted
    # All: 395 / 550 sessions, where the mean of the percentages would be (90 + 10 + 75) / 3.
    assert explore.overall(pupils, MEASURES["attendance"]) == pytest.approx(39500 / 550)
    assert explore.overall(pupils, MEASURES["persistent_absence"]) == pytest.approx(200 / 3)
    absent = by_group(explore.answer(pupils, Question(MEASURES["persistent_absence"], SPLITS["gender"])))
    assert absent["Female"].value == 50 and absent["Male"].value == 100


def test_a_pupil_count_has_no_gap_and_counts_each_pupil_once():
    answer = by_group(explore.answer(subject_rows(), Question(MEASURES["pupils"], SPLITS["teacher"])))
    assert (answer["Ms X"].value, answer["Mr Y"].value) == (4, 4)
    by_gender = by_group(explore.answer(subject_rows(), Question(MEASURES["pupils"], SPLITS["gender"])))
    assert (by_gender["Female"].value, by_gender["Male"].value, by_gender["Other (X)"].value) == (2, 2, 1)
    assert all(math.isnan(row.gap) for row in answer.values())
    assert Question(MEASURES["pupils"], SPLITS["teacher"]).level() == explore.SUBJECT
    assert Question(MEASURES["pupils"], SPLITS["gender"]).level() == explore.PUPIL
    assert Question(MEASURES["pupils"], SPLITS["gender"]).level(subject_chosen=True) == explore.SUBJECT


def test_a_question_in_a_link_round_trips_and_unknown_values_fall_back():
    question = Question(MEASURES["attainment8"], SPLITS["band"], SPLITS["gender"], "table", "predicted")
    assert question.to_url() == {"measure": "attainment8", "split": "band", "split2": "gender", "chart": "table",
                                 "basis": "predicted"}
    assert Question.from_url(question.to_url()) == question
    fallback = Question.from_url({"measure": "drop table", "split": "shoe size", "chart": "pie", "basis": "x"})
    assert fallback == Question(MEASURES["on_track"], SPLITS["gender"], None, "bar", "working_at")
    # Teacher splits pupil-subject rows: not attendance, which has a row per pupil.
    assert Question.from_url({"measure": "attendance", "split": "teacher", "split2": "class"}).split.key == "gender"
    assert Question.from_url({"measure": "on_track", "split": "sen", "split2": "sen"}).split2 is None
    assert {s.key for s in explore.splits_for(MEASURES["attendance"])}.isdisjoint({"subject", "class", "teacher"})


# The demo school, Year 11 at the latest drop, through the page.
YEAR_11 = "select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 11"
POINT = "2025/26 Summer"


def figures(at) -> pd.DataFrame:
    return at.dataframe[0].value


def shown_pupils(at) -> pd.DataFrame:
    return at.dataframe[-1].value


def test_on_track_by_teacher_for_disadvantaged_boys_agrees_with_the_marts(demo_env):
    at = open_page("pages/explore.py", year="11", disadvantaged="Y", gender="M", measure="on_track",
                   split="teacher", subject="MA4")
    assert not at.exception
    table = figures(at).set_index("group")
    expected = query(demo_env, "select coalesce(t.staff_name, m.teacher_code), count(distinct m.upn), "
                               "100.0 * count(*) filter (where m.status in ('ahead', 'on_track')) / count(m.status) "
                               "from mart_progress m join mart_pupil p using (school_code, upn) "
                               "left join dim_staff t on t.school_code = m.school_code and t.staff_code = m.teacher_code "
                               f"where m.assessment_point = '{POINT}' and m.subject_code = 'MA4' "
                               f"and m.status is not null and p.disadvantaged and p.gender = 'M' and m.upn in ({YEAR_11}) "
                               "group by all")
    assert len(expected) >= 2 and len(table) == len(expected)
    for teacher, pupils, on_track in expected:
        assert table.loc[teacher, "pupils"] == pupils
        assert table.loc[teacher, "value"] == pytest.approx(on_track)
    # The drill-down lists exactly the pupils of one teacher's figure, each with a link to their record.
    teacher = expected[0][0]
    at.selectbox(key="explore_show").set_value(teacher).run()
    assert not at.exception
    listed = shown_pupils(at)
    names = query(demo_env, "select p.pupil_name from mart_progress m join mart_pupil p using (school_code, upn) "
                            "left join dim_staff t on t.school_code = m.school_code and t.staff_code = m.teacher_code "
                            f"where m.assessment_point = '{POINT}' and m.subject_code = 'MA4' and m.status is not null "
                            f"and p.disadvantaged and p.gender = 'M' and m.upn in ({YEAR_11}) "
                            "and coalesce(t.staff_name, m.teacher_code) = ?", [teacher])
    assert sorted(listed["pupil_name"]) == sorted(n for (n,) in names)
    assert listed["open"].str.startswith("/pupil?").all() and listed["open"].str.contains("upn=").all()
    assert (listed["open"].str.contains("year=11") & listed["open"].str.contains("disadvantaged=Y")).all()
    assert at.query_params["show"] in (teacher, [teacher])
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel", "CSV", "Excel"]


def test_attendance_by_tutor_group_is_the_marts_sessions_weighted_rate(demo_env):
    at = open_page("pages/explore.py", year="9", measure="attendance", split="tutor_group", chart="table")
    assert not at.exception
    year_9 = "select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 9"
    expected = query(demo_env, "select p.tutor_group, count(*), 100.0 * sum(a.present_sessions) / "
                               "sum(a.possible_sessions) from mart_attendance_pupil a join mart_pupil p "
                               f"using (school_code, upn) where a.academic_year = '2025/26' and a.upn in ({year_9}) "
                               "group by all")
    table = figures(at).set_index("group")
    assert sorted(table.index) == sorted(group for group, _, _ in expected)
    for group, pupils, attendance in expected:
        assert (table.loc[group, "pupils"], table.loc[group, "value"]) == (pupils, pytest.approx(attendance))
    overall, = query(demo_env, "select 100.0 * sum(present_sessions) / sum(possible_sessions) from "
                               f"mart_attendance_pupil where academic_year = '2025/26' and upn in ({year_9})")[0]
    assert {m.label: m.value for m in at.metric}["Attendance %: all"] == f"{overall:.1f}%"
    group = expected[0][0]
    at.selectbox(key="explore_show").set_value(group).run()
    listed = shown_pupils(at)
    assert len(listed) == expected[0][1] and set(listed["tutor_group"]) == {group}


def test_attainment8_by_prior_attainment_and_gender_agrees_with_the_marts(demo_env):
    at = open_page("pages/explore.py", year="11", measure="attainment8", split="band", split2="gender")
    assert not at.exception
    expected = query(demo_env, "select p.prior_attainment_band, p.gender, count(*), avg(k.attainment8) "
                               "from mart_ks4_pupil k join mart_pupil p using (school_code, upn) "
                               f"where k.assessment_point = '{POINT}' and k.basis = 'working_at' "
                               f"and k.upn in ({YEAR_11}) and p.prior_attainment_band is not null group by all")
    words = {"low": "Low", "middle": "Middle", "high": "High", "F": "Female", "M": "Male", "X": "Other (X)"}
    table = figures(at).set_index(["group", "group2"])
    for band, gender, pupils, a8 in expected:
        row = table.loc[(words[band], words[gender])]
        assert (row["pupils"], row["value"]) == (pupils, pytest.approx(a8))
    # The Overview's Attainment 8 for the same pupils is the page's headline.
    a8, = query(demo_env, "select avg(attainment8) from mart_ks4_pupil where basis = 'working_at' and "
                          f"assessment_point = '{POINT}' and upn in ({YEAR_11})")[0]
    assert {m.label: m.value for m in at.metric}["Attainment 8 (mean): all"] == f"{a8:.1f}"
    at.selectbox(key="explore_show").set_value("High · Female").run()
    listed = shown_pupils(at)
    high_girls = query(demo_env, f"select count(*) from mart_ks4_pupil k join mart_pupil p using (school_code, upn) "
                                 f"where k.assessment_point = '{POINT}' and k.basis = 'working_at' "
                                 f"and k.upn in ({YEAR_11}) and p.prior_attainment_band = 'high' and p.gender = 'F'")
    assert len(listed) == high_girls[0][0] and listed["attainment8"].notna().all()


def test_the_question_is_kept_in_the_url_and_a_bad_link_falls_back(demo_env):
    at = open_page("pages/explore.py", year="11", measure="persistent_absence", split="band", chart="table")
    assert not at.exception
    chosen = {s.key: s.value for s in at.selectbox if s.key and s.key.startswith("explore_")}
    assert (chosen["explore_measure"], chosen["explore_split"], chosen["explore_chart_kind"]) == (
        "persistent_absence", "band", "table")
    at.selectbox(key="explore_measure").set_value("ebacc_entry").run()
    at.selectbox(key="explore_split2").set_value("disadvantaged").run()
    assert not at.exception
    url = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert {k: url.get(k) for k in ("measure", "split", "split2", "chart", "basis", "year")} == {
        "measure": "ebacc_entry", "split": "band", "split2": "disadvantaged", "chart": "table",
        "basis": "working_at", "year": "11"}
    again = open_page("pages/explore.py", **url)
    assert not again.exception
    assert figures(again).equals(figures(at))

    bad = open_page("pages/explore.py", year="11", measure="nonsense", split="teacher", split2="x", chart="pie",
                    show="nobody")
    assert not bad.exception
    chosen = {s.key: s.value for s in bad.selectbox if s.key and s.key.startswith("explore_")}
    assert (chosen["explore_measure"], chosen["explore_split"], chosen["explore_split2"],
            chosen["explore_chart_kind"], chosen["explore_show"]) == ("on_track", "teacher", "none", "bar",
                                                                       "Choose a group")


def test_every_measure_and_split_renders_on_a_small_school_without_classes_or_attendance(store, exports_dir):
    from tests import exports
    from tests.exports import UPNS
    from warehouse.ingest import ingest

    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    rows += [[upn, "EN", "2025/26 Autumn", "working_at", "" if i < 4 else "6", 1] for i, upn in enumerate(UPNS)]
    files = exports.base_school(exports_dir)
    with open(files[2], encoding="utf-8") as handle:     # the pupils file, with school groups for some
        lines = handle.read().splitlines()
    groups = ["Groups"] + ["Choir;Sports" if i % 4 == 0 else "Choir" if i % 2 else "" for i in range(len(lines) - 1)]
    files[2].write_text("\n".join(f"{line},{group}" for line, group in zip(lines, groups)) + "\n", encoding="utf-8")
    ingest(files + [exports.assessments(exports_dir, rows=rows)], store=store)
    at = open_page("pages/explore.py", point="2025/26 Autumn")   # the drop with grades
    assert not at.exception
    for measure in MEASURES:
        at.selectbox(key="explore_measure").set_value(measure).run()
        allowed = {s.key for s in explore.splits_for(MEASURES[measure])}
        for split in allowed & {"school_group", "band", "teacher", "class"}:
            at.selectbox(key="explore_split").set_value(split).run()
            assert not at.exception, (measure, split)
    # No attendance and no KS4 results here: the page says so rather than showing empty figures.
    at.selectbox(key="explore_measure").set_value("attendance").run()
    assert "No figures for these pupils" in at.info[0].value
    at.selectbox(key="explore_measure").set_value("pupils").run()
    at.selectbox(key="explore_split").set_value("year_group").run()
    assert dict(zip(figures(at)["group"], figures(at)["value"])) == {"Year 10": 10, "Year 11": 10}
