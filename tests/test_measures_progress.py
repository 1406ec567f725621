"""Progress targets, status, movement, target checks and predictions on hand-computed pupils."""
import pytest

from tests.tiny import Tiny
from warehouse import analysis
from warehouse.data import query_sql

# Six drops of KS4 for a pupil in Year 11 in 2025/26, plus the year before.
POINTS = [
    ("2023/24 Autumn", "2023-12-08", "2023/24", "autumn"), ("2023/24 Spring", "2024-03-22", "2023/24", "spring"),
    ("2023/24 Summer", "2024-07-05", "2023/24", "summer"),
    ("2024/25 Autumn", "2024-12-06", "2024/25", "autumn"), ("2024/25 Spring", "2025-03-28", "2024/25", "spring"),
    ("2024/25 Summer", "2025-07-04", "2024/25", "summer"),
    ("2025/26 Autumn", "2025-12-05", "2025/26", "autumn"), ("2025/26 Spring", "2026-03-20", "2025/26", "spring"),
    ("2025/26 Summer", "2026-07-03", "2025/26", "summer"),
]
RESULTS_2025 = "2024/25 GCSE results"


def school(**settings) -> Tiny:
    tiny = Tiny(**settings).ks4_subjects("MA4", "EL4")
    tiny.add("subjects", subject_code="EN3", subject_name="English", key_stage="3", grade_scale="nc_levels",
             a8_eligible="N")
    for point in POINTS:
        tiny.point(*point)
    tiny.point(RESULTS_2025, "2025-08-21", "2024/25", "summer", point_kind="exam")
    return tiny


def progress(con, upn, subject):
    return {row[0]: row[1:] for row in con.execute(
        "select assessment_point, target, progress_target_points, working_at_points, gap_grades, status, "
        "movement, progress_method, current_target from mart_progress where upn = ? and subject_code = ? "
        "order by point_sequence", [upn, subject]).fetchall()}


@pytest.fixture(scope="module")
def straight():
    tiny = school()
    tiny.pupil("P1", year_group="11")
    tiny.grades("P1", "2024/25 Autumn", {"MA4": "4", "EL4": "4"})
    tiny.grades("P1", "2024/25 Spring", {"EL4": "5"})
    tiny.grades("P1", "2024/25 Summer", {"MA4": "5"})
    tiny.grades("P1", "2025/26 Autumn", {"MA4": "5", "EL4": "7"})
    tiny.grades("P1", "2025/26 Spring", {"MA4": "5+", "EL4": "6"})
    tiny.add("targets", upn="P1", subject_code="MA4", grade="7", set_on="2024-09-10", set_by="JSM")
    # English: target 6, raised to 8 in the middle of Year 10.
    tiny.add("targets", upn="P1", subject_code="EL4", grade="6", set_on="2024-09-10", set_by="JSM")
    tiny.add("targets", upn="P1", subject_code="EL4", grade="8", set_on="2025-01-10", set_by="HOD",
             reason="Raised after autumn progress")
    return tiny.build()


def test_straight_line_from_the_first_grade_to_the_target(straight):
    rows = progress(straight, "P1", "MA4")
    # Baseline 4 at term 1 of 6, target 7: +3 grades over 5 terms.
    assert rows["2024/25 Autumn"][1:5] == (4.0, 4.0, 0.0, "on_track")
    assert rows["2024/25 Summer"][1] == pytest.approx(4 + 3 * 2 / 5)  # 5.2
    assert rows["2024/25 Summer"][3:5] == (-0.2, "on_track")
    assert rows["2025/26 Spring"][1] == pytest.approx(4 + 3 * 4 / 5)  # 6.4
    assert rows["2025/26 Spring"][3:5] == (-1.07, "well_below")  # 5.33 - 6.4
    assert {r[6] for r in rows.values()} == {"straight"}


def test_a_target_changed_mid_year_moves_only_the_later_progress_targets(straight):
    rows = progress(straight, "P1", "EL4")
    assert rows["2024/25 Autumn"][0] == "6" and rows["2024/25 Autumn"][1] == 4.0
    assert rows["2024/25 Spring"][0] == "8"
    assert rows["2024/25 Spring"][1] == pytest.approx(4 + 4 * 1 / 5)  # 4.8
    assert rows["2024/25 Spring"][3:5] == (0.2, "on_track")
    assert rows["2025/26 Autumn"][1] == pytest.approx(4 + 4 * 3 / 5)  # 6.4
    assert rows["2025/26 Autumn"][3:5] == (0.6, "ahead")
    assert {r[7] for r in rows.values()} == {"8"}  # the current target on every row


def test_movement_between_points(straight):
    assert [r[5] for r in progress(straight, "P1", "MA4").values()] == [None, "up", "same", "up"]
    assert [r[5] for r in progress(straight, "P1", "EL4").values()] == [None, "up", "up", "down"]


def test_ks3_sub_levels_two_a_year():
    tiny = school()
    tiny.pupil("K1", year_group="8")  # Year 7 in 2024/25
    tiny.grades("K1", "2024/25 Autumn", {"EN3": "4c"}).grades("K1", "2024/25 Summer", {"EN3": "4b"})
    tiny.grades("K1", "2025/26 Autumn", {"EN3": "4b"}).grades("K1", "2025/26 Summer", {"EN3": "4a"})
    rows = progress(tiny.build(), "K1", "EN3")
    # 4c = 25 points; a sub-level is 2 points, a level 6; +2 sub-levels a year = 4 points a year.
    assert rows["2024/25 Summer"][1] == pytest.approx(25 + 4 * 2 / 3, abs=1e-3)
    assert rows["2024/25 Summer"][3:5] == (-0.11, "on_track")
    assert rows["2025/26 Autumn"][1] == pytest.approx(29)  # one year on: 4a
    assert rows["2025/26 Autumn"][3:5] == (-0.33, "on_track")
    assert rows["2025/26 Summer"][3:5] == (-0.44, "below")  # 29 against 31.67
    assert {r[6] for r in rows.values()} == {"sublevels"}


def learned_school(min_pupils: int) -> Tiny:
    tiny = school(**{"progress.ks4_method": "learned", "progress.learned_min_pupils": min_pupils})
    # Two past pupils (Year 11 in 2024/25): 4 at the start, 8 in the exam, most progress late.
    for upn in ("H1", "H2"):
        tiny.pupil(upn, year_group="11", academic_year="2024/25", leaving_date="2025-07-18")
        for point, grade in zip([p[0] for p in POINTS[:6]], ["4", "4", "5", "6", "7", "7"]):
            tiny.grades(upn, point, {"MA4": grade})
        tiny.grades(upn, RESULTS_2025, {"MA4": "8"}, grade_type="final")
    tiny.pupil("P1", year_group="11")
    tiny.grades("P1", "2024/25 Autumn", {"MA4": "4"}).grades("P1", "2024/25 Spring", {"MA4": "4"})
    tiny.grades("P1", "2024/25 Summer", {"MA4": "5-"})
    tiny.add("targets", upn="P1", subject_code="MA4", grade="8", set_on="2024-09-10")
    return tiny


def test_a_learned_trajectory_follows_past_pupils():
    rows = progress(learned_school(min_pupils=2).build(), "P1", "MA4")
    # Past pupils had made 0 of their 4 grades by term 2 and 1 of 4 by term 3.
    assert rows["2024/25 Spring"][1] == pytest.approx(4.0)
    assert rows["2024/25 Summer"][1] == pytest.approx(4 + 4 * 1 / 4)
    assert rows["2024/25 Summer"][3:5] == (-0.33, "on_track")
    assert {r[6] for r in rows.values()} == {"learned"}


def test_a_learned_trajectory_without_enough_history_is_a_straight_line():
    rows = progress(learned_school(min_pupils=3).build(), "P1", "MA4")
    assert rows["2024/25 Summer"][1] == pytest.approx(4 + 4 * 2 / 5)
    assert {r[6] for r in rows.values()} == {"straight"}


def test_tolerance_is_a_setting():
    tiny = school(**{"progress.on_track_tolerance_grades": 0.1})
    tiny.pupil("P1", year_group="11")
    tiny.grades("P1", "2024/25 Autumn", {"MA4": "4"}).grades("P1", "2024/25 Summer", {"MA4": "5"})
    tiny.add("targets", upn="P1", subject_code="MA4", grade="7", set_on="2024-09-10")
    assert progress(tiny.build(), "P1", "MA4")["2024/25 Summer"][3:5] == (-0.2, "below")


def test_target_checks_flag_the_2008_guide_anomalies():
    tiny = school()
    tiny.pupil("T1", year_group="11")
    tiny.grades("T1", "2025/26 Autumn", {"MA4": "5", "EL4": "5"})
    tiny.grades("T1", "2025/26 Spring", {"MA4": "6", "EL4": "5"})
    tiny.grades("T1", "2025/26 Summer", {"MA4": "7-", "EL4": "5+"})
    tiny.add("targets", upn="T1", subject_code="MA4", grade="6", set_on="2025-09-10", set_by="JSM",
             reason="Agreed at review")
    tiny.add("targets", upn="T1", subject_code="MA4", target_kind="estimate", source="FFT50", grade="7",
             set_on="2025-09-01")
    tiny.add("targets", upn="T1", subject_code="EL4", grade="7", set_on="2025-09-10")
    tiny.add("targets", upn="T1", subject_code="EL4", target_kind="estimate", source="FFT50", grade="6",
             set_on="2025-09-01")
    con = tiny.build()
    checks = {r[0]: r[1:] for r in con.execute(
        "select subject_code, target_below_prediction, target_already_attained, target_not_challenging, flags, "
        "set_by, reason from mart_target_check where upn = 'T1'").fetchall()}
    maths, english = checks["MA4"], checks["EL4"]
    assert maths[:3] == (True, True, True)
    assert maths[3] == ("below the imported FFT50 prediction (7); already reached 7-; "
                        "ahead of the progress target at the latest points: consider raising it")
    assert maths[4:] == ("JSM", "Agreed at review")
    assert english[:3] == (False, False, False) and english[3] == ""


def test_predictions_name_their_method():
    tiny = school(**{"progress.learned_min_pupils": 2, "measures.baseline_link_min_pupils": 2})
    # Past results fall exactly on final = (KS2 - 80) / 4.
    for upn, ks2, final in (("H1", "100", "5"), ("H2", "108", "7"), ("H3", "96", "4")):
        tiny.pupil(upn, year_group="11", academic_year="2024/25", leaving_date="2025-07-18",
                   ks2_reading=ks2, ks2_maths=ks2)
        tiny.grades(upn, RESULTS_2025, {"MA4": final}, grade_type="final")
    tiny.pupil("P1", year_group="10", ks2_reading="104", ks2_maths="104")
    tiny.grades("P1", "2025/26 Autumn", {"MA4": "5"})
    tiny.add("targets", upn="P1", subject_code="MA4", target_kind="estimate", source="FFT50", grade="6+",
             set_on="2025-09-01")
    con = tiny.build()
    predictions = {r[0]: r[1:] for r in con.execute(
        "select method, source, predicted_grade, predicted_points from mart_prediction where upn = 'P1'").fetchall()}
    assert predictions["school_history"][1:] == ("6", 6.0)
    assert predictions["school_history"][0] == "school results, 3 past pupils"
    assert predictions["imported"] == ("FFT50", "6+", 6.33)
    # KS2 104 is group 18 (103.5 to 104) of the 2024 table: maths element 8.52 / 2.
    assert predictions["dfe_a8"] == ("DfE A8 estimates 2024 provisional, KS2 group 18", "4+", 4.26)
    # Predictions never become targets.
    assert tiny.one("select count(*) from mart_progress where target is not null") == 0


def test_movement_and_transition_functions(straight):
    run = lambda name, **params: straight.execute(query_sql(name), params).df()  # noqa: E731
    moved = analysis.movement_between(run, "S001", "2024/25 Autumn", "2025/26 Spring").set_index("subject_code")
    assert moved.loc["MA4"][["from_grade", "to_grade", "change_grades", "movement"]].tolist() == \
        ["4", "5+", 1.33, "up"]
    summary = analysis.movement_summary(moved.reset_index(), ["upn"]).iloc[0]
    assert (summary.up, summary.same, summary.down) == (2, 0, 0)


def test_transition_matrix_counts_pupils_by_band_and_whole_grade():
    tiny = school()
    for upn, ks2, grade in (("L1", "95", "4-"), ("L2", "96", "4+"), ("M1", "105", "6"), ("H1", "112", "7")):
        tiny.pupil(upn, year_group="11", ks2_reading=ks2, ks2_maths=ks2)
        tiny.grades(upn, "2025/26 Summer", {"MA4": grade})
    con = tiny.build()
    run = lambda name, **params: con.execute(query_sql(name), params).df()  # noqa: E731
    matrix = analysis.transition_matrix(run, "S001", "2025/26 Summer", "MA4")
    assert list(matrix.index) == ["low", "middle", "high"]
    assert list(matrix.columns) == ["7", "6", "4"]
    assert matrix.loc["low", "4"] == 2 and matrix.loc["middle", "6"] == 1 and matrix.loc["high", "7"] == 1


def test_the_baseline_is_the_first_drop_even_with_two_in_a_term():
    tiny = school()
    tiny.point("2024/25 Autumn 2", "2024-12-20", "2024/25", "autumn")  # a second autumn drop
    tiny.pupil("P1", year_group="11")
    tiny.grades("P1", "2024/25 Autumn", {"MA4": "3"}).grades("P1", "2024/25 Autumn 2", {"MA4": "5"})
    tiny.add("targets", upn="P1", subject_code="MA4", grade="6", set_on="2024-09-10")
    rows = progress(tiny.build(), "P1", "MA4")
    assert rows["2024/25 Autumn"][1:5] == (3.0, 3.0, 0.0, "on_track")
    assert rows["2024/25 Autumn 2"][4] == "ahead"  # 5 against a baseline of 3 in the same term


def test_a_target_equal_to_the_predicted_grade_is_not_below_it_and_a_raised_target_starts_afresh():
    tiny = school(**{"measures.target_check_prediction": "school_history", "progress.learned_min_pupils": 2,
                     "measures.baseline_link_min_pupils": 2})
    # Past results on final = (KS2 - 80) / 4: a KS2 of 100.5 predicts 5.13, shown as "5".
    for upn, ks2, final in (("H1", "100", "5"), ("H2", "108", "7"), ("H3", "96", "4")):
        tiny.pupil(upn, year_group="11", academic_year="2024/25", leaving_date="2025-07-18",
                   ks2_reading=ks2, ks2_maths=ks2)
        tiny.grades(upn, RESULTS_2025, {"MA4": final}, grade_type="final")
    tiny.pupil("T1", year_group="11", ks2_reading="100", ks2_maths="101")
    tiny.grades("T1", "2024/25 Summer", {"MA4": "4", "EL4": "4"})
    tiny.grades("T1", "2025/26 Autumn", {"MA4": "5", "EL4": "5"})
    tiny.grades("T1", "2025/26 Spring", {"MA4": "6", "EL4": "6"})
    tiny.add("targets", upn="T1", subject_code="MA4", grade="5", set_on="2025-09-10")
    tiny.add("targets", upn="T1", subject_code="EL4", grade="5", set_on="2025-09-10")
    tiny.add("targets", upn="T1", subject_code="EL4", grade="8", set_on="2026-04-01", reason="Raised")
    con = tiny.build()
    checks = {r[0]: r[1:] for r in con.execute(
        "select subject_code, predicted_grade, target_below_prediction, target_not_challenging "
        "from mart_target_check where upn = 'T1'").fetchall()}
    assert checks["MA4"][:2] == ("5", False)
    # Maths: ahead at Autumn and Spring against target 5; English's target was raised after both.
    assert checks["MA4"][2] and not checks["EL4"][2]
