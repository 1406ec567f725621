"""Attendance, review lists, intervention impact, residuals and group comparisons, by hand."""
from datetime import date, timedelta

import pandas as pd
import pytest

from tests.tiny import Tiny
from warehouse import analysis
from warehouse.data import query_sql


def marks(tiny: Tiny, upn: str, first_day: date, codes: list[str]) -> None:
    """One mark per session, AM then PM, on consecutive days."""
    for i, code in enumerate(codes):
        tiny.add("attendance_sessions", upn=upn, date=(first_day + timedelta(days=i // 2)).isoformat(),
                 session="AM" if i % 2 == 0 else "PM", mark=code)


def runner(con):
    return lambda name, **params: con.execute(query_sql(name), params).df()


@pytest.fixture(scope="module")
def attendance():
    tiny = Tiny()
    for upn in ("A1", "B2", "C3", "D4", "E5"):
        tiny.pupil(upn)
    # Exactly 10% absent: 20 possible (X and Q are not possible sessions; B is approved education, present).
    marks(tiny, "A1", date(2025, 9, 8), ["/"] * 16 + ["B", "B", "N", "C", "X", "X", "Q"])
    # Just under 10%: 19 of 200.
    marks(tiny, "B2", date(2025, 9, 8), ["\\"] * 181 + ["I"] * 19)
    # Exactly half absent: severe (and persistent).
    marks(tiny, "C3", date(2025, 9, 8), ["/"] * 10 + ["O"] * 10)
    # The code set before August 2024: H (holiday) authorised, Y (unable to attend) not possible.
    marks(tiny, "D4", date(2024, 3, 4), ["/"] * 8 + ["H", "Y"])
    # A year known only from a summary.
    tiny.add("attendance_summary", upn="E5", from_date="2024-09-02", to_date="2025-07-18",
             possible_sessions="100", present_sessions="90", authorised_absence="6", unauthorised_absence="4")
    return tiny.build()


def by_pupil(con):
    frame = con.execute("select * from mart_attendance_pupil").df()
    return frame.set_index(["upn", "academic_year"])


def test_possible_sessions_present_and_absence_follow_the_dfe_codes(attendance):
    a1 = by_pupil(attendance).loc[("A1", "2025/26")]
    assert (a1.possible_sessions, a1.present_sessions) == (20, 18)
    assert (a1.authorised_absence_sessions, a1.unauthorised_absence_sessions) == (1, 1)
    assert a1.attendance_pct == 90.0


def test_persistent_absence_is_ten_percent_or_more_and_includes_severe(attendance):
    pupils = by_pupil(attendance)
    assert pupils.loc[("A1", "2025/26")].persistent_absent  # exactly 10%
    assert not pupils.loc[("B2", "2025/26")].persistent_absent  # 9.5%
    c3 = pupils.loc[("C3", "2025/26")]
    assert c3.severe_absent and c3.persistent_absent  # exactly 50%
    assert not pupils.loc[("A1", "2025/26")].severe_absent


def test_the_codes_before_august_2024_and_summaries(attendance):
    pupils = by_pupil(attendance)
    d4 = pupils.loc[("D4", "2023/24")]
    assert (d4.possible_sessions, d4.present_sessions, d4.authorised_absence_sessions) == (9, 8, 1)
    e5 = pupils.loc[("E5", "2024/25")]
    assert (e5.counted_from, e5.possible_sessions, e5.attendance_pct, e5.persistent_absent) == \
        ("summaries", 100, 90.0, True)


def test_summaries_fill_the_periods_marks_do_not_cover_and_never_count_twice():
    tiny = Tiny()
    tiny.pupil("S1").pupil("S2")
    # S1: a year-to-date export to Christmas, then one to Easter that contains it.
    tiny.add("attendance_summary", upn="S1", from_date="2025-09-03", to_date="2025-12-19",
             possible_sessions="140", present_sessions="126", authorised_absence="14", unauthorised_absence="0")
    tiny.add("attendance_summary", upn="S1", from_date="2025-09-03", to_date="2026-03-27",
             possible_sessions="250", present_sessions="230", authorised_absence="20", unauthorised_absence="0")
    # S2: the autumn as a summary (71.4%), then register marks from January (100%).
    tiny.add("attendance_summary", upn="S2", from_date="2025-09-03", to_date="2025-12-19",
             possible_sessions="140", present_sessions="100", authorised_absence="20", unauthorised_absence="20")
    marks(tiny, "S2", date(2026, 1, 5), ["/"] * 20)
    con = tiny.build()
    pupils = by_pupil(con)
    assert pupils.loc[("S1", "2025/26")][["possible_sessions", "present_sessions"]].tolist() == [250, 230]
    s2 = pupils.loc[("S2", "2025/26")]
    assert (s2.counted_from, s2.possible_sessions, s2.present_sessions) == \
        ("register marks and summaries", 160, 120)
    assert s2.persistent_absent  # 40 of 160 missed
    year = analysis.attendance_between(runner(con), "S001", "2025-09-01", "2026-08-31").set_index("upn")
    assert year.loc["S2"].possible_sessions == 160 and year.loc["S1"].possible_sessions == 250


def test_attendance_over_a_date_range_and_by_group(attendance):
    run = runner(attendance)
    # A1's first five days only: sessions 1-10, all present.
    first_week = analysis.attendance_between(run, "S001", "2025-09-08", "2025-09-12").set_index("upn")
    assert (first_week.loc["A1"].possible_sessions, first_week.loc["A1"].present_sessions) == (10, 10)
    year = analysis.attendance_between(run, "S001", "2025-09-01", "2026-08-31")
    year["group"] = year["upn"].map({"A1": "x", "B2": "x", "C3": "y"})
    compared = analysis.compare_groups(year, "group", analysis.ATTENDANCE).set_index("group")
    # Sessions-weighted: (18 + 181) / (20 + 200) for x; 10 / 20 for y.
    assert compared.loc["x"].value == pytest.approx(100 * 199 / 220)
    assert compared.loc["x"].rest_value == pytest.approx(50.0)
    assert compared.loc["x"].gap == pytest.approx(100 * 199 / 220 - 50)
    assert compared.loc["y"].pupils == 1 and compared.loc["y"].rest_pupils == 2


def test_a_date_range_adds_whole_months_and_counts_the_part_months_mark_by_mark(attendance):
    """The months wholly inside a range come from each pupil's monthly counts, the ends mark by mark: B2's
    200 sessions run from Monday 8 September (present) to 16 December (the last 19 authorised absent)."""
    run = runner(attendance)
    # 20 September to 30 November: a part of September, then October and November whole; 72 days, all present.
    autumn = analysis.attendance_between(run, "S001", "2025-09-20", "2025-11-30").set_index("upn").loc["B2"]
    assert (autumn.possible_sessions, autumn.present_sessions, autumn.absence_sessions) == (144, 144, 0)
    # 1 October to 16 December: October and November whole, a part of December; 77 days, the last 19 absent.
    to_december = analysis.attendance_between(run, "S001", "2025-10-01", "2025-12-16").set_index("upn").loc["B2"]
    assert (to_december.possible_sessions, to_december.present_sessions,
            to_december.authorised_absence_sessions) == (154, 135, 19)
    # Within one month, neither end on its first or last day.
    week = analysis.attendance_between(run, "S001", "2025-10-06", "2025-10-10").set_index("upn").loc["B2"]
    assert (week.possible_sessions, week.present_sessions) == (10, 10)
    # Month by month, the same as counting every mark, for ranges whole and part.
    view = dict.fromkeys(["scope_schools", "scope_upns", "assessment_point", "year_group", "disadvantaged",
                          "sen_status", "gender", "prior_attainment_band", "custom_group"])
    for first, last in (("2025-09-01", "2025-12-31"), ("2025-09-10", "2025-12-05"), ("2025-10-03", "2025-10-20")):
        months = run("attendance_by_month", **view, school="S001", from_date=date.fromisoformat(first),
                     to_date=date.fromisoformat(last))
        counted = attendance.execute(
            "select cast(date_trunc('month', session_date) as date) as month, count(distinct upn), "
            "count(*) filter (where is_possible), count(*) filter (where is_present) from fct_attendance_session "
            "where session_date between ? and ? group by 1 order by 1", [first, last]).fetchall()
        assert [(pd.Timestamp(m.month).date(), m.pupils, m.possible_sessions, m.present_sessions)
                for m in months.itertuples()] == [(pd.Timestamp(m).date(), *rest) for m, *rest in counted]


def test_compare_groups_with_custom_groups_and_shares():
    frame = pd.DataFrame({
        "upn": ["a", "b", "c", "d"],
        "basics_4": [True, False, True, True],
        "custom_groups": [["Choir", "Young Carers"], ["Choir"], [], ["Young Carers"]],
    })
    compared = analysis.compare_groups(frame, "custom_groups", analysis.share_of("basics_4")).set_index("group")
    assert compared.loc["Choir"][["pupils", "value", "rest_pupils", "rest_value"]].tolist() == [2, 50.0, 2, 100.0]
    assert compared.loc["Young Carers"].gap == pytest.approx(100.0 - 50.0)


def test_compare_groups_on_subject_rows_and_with_missing_values():
    # A row per pupil and subject: teacher T1 teaches both pupils maths, T2 their English.
    rows = pd.DataFrame({
        "upn": ["a", "a", "b", "b"], "teacher_code": ["T1", "T2", "T1", "T2"],
        "residual_grades": [-1.0, 1.0, -1.0, 1.0],
    })
    compared = analysis.compare_groups(rows, "teacher_code", analysis.mean_of("residual_grades")).set_index("group")
    assert compared.loc["T1"][["pupils", "value", "rest_pupils", "rest_value", "gap"]].tolist() == \
        [2, -1.0, 2, 1.0, -2.0]
    # A pupil with no attendance row is not counted as absent, nor in the rate.
    pupils = pd.DataFrame({"upn": ["a", "b", "c"], "group": ["x", "x", "x"],
                           "persistent_absent": [True, False, None],
                           "present_sessions": [90, 100, None], "possible_sessions": [100, 100, 100]})
    x = analysis.compare_groups(pupils, "group", analysis.PERSISTENT_ABSENCE).iloc[0]
    assert x.value == 50.0 and x.pupils == 3
    assert analysis.compare_groups(pupils, "group", analysis.ATTENDANCE).iloc[0].value == 95.0


def review_school(**settings) -> Tiny:
    tiny = Tiny(**{"review.good_effort_subjects": 2, "review.below_target_subjects": 2, **settings})
    tiny.ks4_subjects("MA4", "EL4", "HI4")
    tiny.point("2025/26 Autumn", "2025-12-05", "2025/26", "autumn")
    tiny.point("2025/26 Spring", "2026-03-20", "2025/26", "spring")
    return tiny


def test_review_lists_give_the_rule_and_the_reason():
    tiny = review_school()
    tiny.pupil("R1").pupil("R2")
    tiny.grades("R1", "2025/26 Autumn", {"MA4": "5", "EL4": "5", "HI4": "5"})
    tiny.add("assessments", upn="R1", subject_code="MA4", assessment_point="2025/26 Spring", grade="7", effort="4")
    tiny.add("assessments", upn="R1", subject_code="EL4", assessment_point="2025/26 Spring", grade="3+", effort="3")
    tiny.add("assessments", upn="R1", subject_code="HI4", assessment_point="2025/26 Spring", grade="4", effort="2")
    for subject in ("MA4", "EL4", "HI4"):
        tiny.add("targets", upn="R1", subject_code=subject, grade="6", set_on="2025-09-10")
        tiny.add("assessments", upn="R2", subject_code=subject, assessment_point="2025/26 Spring",
                 grade="6", effort="1")
    marks(tiny, "R2", date(2025, 9, 8), ["/"] * 17 + ["N"] * 3)  # 85% attendance
    con = tiny.build()
    lists = {(r[0], r[1], r[2]): r[3] for r in con.execute(
        "select upn, list, rule, reason from mart_review_list where assessment_point = '2025/26 Spring'").fetchall()}
    assert lists[("R1", "concern", "effort")] == "poor effort in 2 subjects: English Language, Mathematics"
    # Progress targets at Spring (term 5 of 6) from 5 to 6: 5.5; EL 3.33 and HI 4 are below.
    assert lists[("R1", "concern", "below_target")] == "below target in 2 subjects: English Language, History"
    assert lists[("R1", "concern", "uneven")] == \
        "uneven: best Mathematics 7, weakest English Language 3+ (3.7 grades apart)"
    assert lists[("R2", "concern", "attendance")] == "attendance 85.0% this year"
    assert lists[("R2", "commendation", "effort")] == \
        "top effort in 3 subjects: English Language, History, Mathematics"
    assert ("R1", "commendation", "progress") not in lists
    assert len(lists) == 5


def test_intervention_impact_against_comparable_non_participants():
    tiny = review_school()
    for upn in ("I1", "I2", "C1", "C2", "C3"):
        tiny.pupil(upn)
    tiny.pupil("Y10", year_group="10")
    before = {"I1": "4", "I2": "4", "C1": "4", "C2": "4", "C3": "6", "Y10": "4"}
    after = {"I1": "5", "I2": "6", "C1": "4", "C2": "5", "C3": "9", "Y10": "9"}
    for upn in before:
        tiny.grades(upn, "2025/26 Autumn", {"MA4": before[upn]}).grades(upn, "2025/26 Spring", {"MA4": after[upn]})
    for upn in ("I1", "I2"):
        tiny.add("interventions", programme="Maths boost", upn=upn, subject_code="MA4",
                 start_date="2026-01-12", end_date="2026-03-06")
    impact = tiny.build().execute("select * from mart_intervention_impact").df().iloc[0]
    assert (impact.from_point, impact.to_point) == ("2025/26 Autumn", "2025/26 Spring")
    assert (impact.participants, impact.participants_matched, impact.comparison_pupils) == (2, 2, 2)
    # Participants +1 and +2; Year 11 non-participants starting at grade 4: 0 and +1
    # (C3 started at 6, the Year 10 pupil is in another year group).
    assert (impact.participant_change_grades, impact.comparison_change_grades, impact.impact_grades) == \
        (1.5, 0.5, 1.0)


def test_subject_residuals_compare_a_subject_with_the_pupils_other_subjects():
    tiny = review_school()
    tiny.pupil("S1").grades("S1", "2025/26 Autumn", {"MA4": "7", "EL4": "5", "HI4": "6"})
    con = tiny.build()
    residuals = dict(con.execute("select subject_code, residual_grades from mart_subject_residual").fetchall())
    assert residuals == {"MA4": 1.5, "EL4": -1.5, "HI4": 0.0}
    frame = con.execute("select * from mart_subject_residual").df()
    assert analysis.residuals_by(frame, ["subject_code"]).set_index("subject_code").loc["MA4"].pupils == 1


def test_an_attendance_pattern_shows_where_the_absences_fall():
    import pandas as pd

    from warehouse.analysis import attendance_pattern

    # Two weeks of a pupil who misses Monday mornings (one authorised, one not) and one Friday afternoon.
    days = pd.bdate_range("2025-09-08", "2025-09-19")
    rows = [{"session_date": day.date(), "session": session, "is_present": True, "is_authorised_absence": False,
             "is_unauthorised_absence": False} for day in days for session in ("AM", "PM")]
    frame = pd.DataFrame(rows)
    monday_am = (pd.to_datetime(frame["session_date"]).dt.day_of_week == 0) & (frame["session"] == "AM")
    frame.loc[monday_am, "is_present"] = False
    frame.loc[monday_am, "is_unauthorised_absence"] = [True, False]
    frame.loc[monday_am & (frame["is_unauthorised_absence"] == False), "is_authorised_absence"] = True  # noqa: E712
    friday_pm = (frame["session_date"] == pd.Timestamp("2025-09-19").date()) & (frame["session"] == "PM")
    frame.loc[friday_pm, ["is_present", "is_authorised_absence"]] = [False, True]

    pattern = attendance_pattern(frame)
    day = pattern.by_day.set_index(["weekday", "session"])
    assert day.loc[("Monday", "AM"), ["possible", "missed", "authorised", "unauthorised", "attendance_pct"]].tolist() \
        == [2, 2, 1, 1, 0.0]
    assert day.loc[("Friday", "PM"), ["possible", "missed", "attendance_pct"]].tolist() == [2, 1, 50.0]
    assert day.loc[("Tuesday", "AM"), "missed"] == 0
    assert list(pattern.by_day["weekday"].drop_duplicates()) == ["Monday", "Tuesday", "Wednesday", "Thursday",
                                                                 "Friday"]
    weeks = pattern.by_week.set_index("week")
    assert weeks["missed"].tolist() == [1, 2] and weeks["possible"].tolist() == [10, 10]
    assert [w.date().isoformat() for w in weeks.index] == ["2025-09-08", "2025-09-15"]
    assert weeks["attendance_pct"].tolist() == [90.0, 80.0]
