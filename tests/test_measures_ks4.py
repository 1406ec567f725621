"""KS4 headline measures on hand-computed pupils (DfE Attainment 8 slot rules, Progress 8, Basics, EBacc)."""
import pandas as pd
import pytest

from tests.tiny import Tiny

POINT = "2025/26 Summer"
SELECT = "select * from mart_ks4_pupil where upn = ? and basis = 'working_at'"


def ks4(**settings) -> Tiny:
    tiny = Tiny(**settings).ks4_subjects()
    tiny.add("subjects", subject_code="PE4", subject_name="BTEC Sport", key_stage="4", ebacc_category="none",
             grade_scale="btec")
    tiny.add("subjects", subject_code="SCD", subject_name="Combined Science (double grade)", key_stage="4",
             ebacc_category="combined_science", grade_scale="gcse_double")
    return tiny.point(POINT, "2026-07-03", "2025/26", "summer")


def row(con, upn):
    frame = con.execute(SELECT, [upn]).df()
    assert len(frame) == 1, frame
    return frame.iloc[0]


@pytest.fixture(scope="module")
def built():
    tiny = ks4()
    # Both Englishes (English double weighted), combined science in two EBacc slots,
    # a BTEC in open, fine grades counting as whole grades ("5-" is a 5).
    tiny.pupil("A1", ks2_reading="100", ks2_maths="101")
    tiny.grades("A1", POINT, {"MA4": "5-", "EL4": "6", "LT4": "4+", "SC4": "5", "HI4": "7", "FR4": "3",
                              "AR4": "6", "MU4": "2", "RS4": "4", "PE4": "M"})
    # English language only: single weighted; nothing else but maths.
    tiny.pupil("B2", ks2_reading="100", ks2_maths="101")
    tiny.grades("B2", POINT, {"MA4": "4", "EL4": "6"})
    # English literature only: it fills the English slot, and counts for Basics.
    tiny.pupil("C3", ks2_reading="110", ks2_maths="110")
    tiny.grades("C3", POINT, {"MA4": "5", "LT4": "5", "BI4": "6", "CH4": "7", "PH4": "8", "CS4": "4"})
    # A double-award grade: each of its two slots scores the mean of its grades.
    tiny.pupil("D4", ks2_reading="100", ks2_maths="101")
    tiny.grades("D4", POINT, {"MA4": "4", "SCD": "6-5"})
    return tiny.build()


def test_attainment8_fills_the_slots_by_the_dfe_rules(built):
    pupil = row(built, "A1")
    # maths 2 x 5; English 2 x 6 (both taken); EBacc: history 7, combined science 5 + 5;
    # open: art 6, BTEC merit 5.5, then literature 4 (or RS 4); French 3 and music 2 are left out.
    assert (pupil.a8_maths, pupil.a8_english, pupil.a8_ebacc, pupil.a8_open) == (10, 12, 17, 15.5)
    assert pupil.attainment8 == 54.5
    assert pupil.english_double_weighted
    assert (pupil.ebacc_slots_filled, pupil.open_slots_filled) == (3, 3)


def test_a_single_english_is_single_weighted_and_empty_slots_score_zero(built):
    pupil = row(built, "B2")
    assert (pupil.a8_maths, pupil.a8_english, pupil.a8_ebacc, pupil.a8_open) == (8, 6, 0, 0)
    assert pupil.attainment8 == 14
    assert not pupil.english_double_weighted


def test_english_literature_alone_fills_the_english_slot_and_counts_for_basics(built):
    pupil = row(built, "C3")
    # Four sciences: the best three (8, 7, 6) fill EBacc, computer science 4 goes to open.
    assert (pupil.a8_maths, pupil.a8_english, pupil.a8_ebacc, pupil.a8_open) == (10, 5, 21, 4)
    assert pupil.basics_4 and pupil.basics_5


def test_combined_science_double_award_fills_two_slots_at_its_mean(built):
    pupil = row(built, "D4")
    assert pupil.a8_ebacc == 11  # 5.5 + 5.5
    assert pupil.attainment8 == 19


def test_basics_count_either_english_and_whole_grades(built):
    a1, b2 = row(built, "A1"), row(built, "B2")
    assert a1.basics_4 and a1.basics_5  # English 6, maths "5-" (a grade 5)
    assert b2.basics_4 and not b2.basics_5  # maths 4
    assert a1.five_plus_4_inc_em  # maths, both Englishes, science (two), history, art, RS, BTEC
    assert not b2.five_plus_4_inc_em  # two qualifications only


def test_ebacc_entry_and_average_point_score(built):
    a1, c3 = row(built, "A1"), row(built, "C3")
    assert a1.ebacc_entered
    # (English 6 + maths 5 + science 5 + 5 + history 7 + French 3) / 6
    assert a1.ebacc_aps == pytest.approx(31 / 6, abs=0.005)
    assert not c3.ebacc_entered  # no humanity, no language, no English language
    # English counts only when both are taken: (0 + maths 5 + best two of three sciences 8 + 7) / 6
    assert c3.ebacc_aps == pytest.approx(20 / 6, abs=0.005)


def test_progress8_estimate_against_the_dfe_table(built):
    pupil = row(built, "A1")
    # KS2 average (100 + 101) / 2 = 100.5: group 15 of the 2024 provisional table
    # (A8 37.27; English 8.39, maths 7.31, EBacc 10.39, open 11.17).
    assert (pupil.ks2_group, pupil.p8_table, pupil.a8_estimate) == (15, "2024 provisional", 37.27)
    assert pupil.p8_estimate == pytest.approx((54.5 - 37.27) / 10, abs=0.005)
    assert pupil.p8_english == pytest.approx((12 - 8.39) / 2, abs=0.005)
    assert pupil.p8_maths == pytest.approx((10 - 7.31) / 2, abs=0.005)
    assert pupil.p8_ebacc == pytest.approx((17 - 10.39) / 3, abs=0.005)
    assert pupil.p8_open == pytest.approx((15.5 - 11.17) / 3, abs=0.005)
    assert pupil.baseline_source == "ks2"


def test_school_progress8_has_the_dfe_confidence_interval(built):
    school = built.execute("select * from mart_ks4_school where basis = 'working_at'").df().iloc[0]
    # C3's KS2 average of 110 is in group 24 (109.5 to 110, A8 estimate 57.6).
    p8 = [(54.5 - 37.27) / 10, (14 - 37.27) / 10, (40 - 57.6) / 10, (19 - 37.27) / 10]
    mean = sum(p8) / 4
    half_width = 1.96 * 1.41628 / 2  # national pupil SD (2024 provisional) / sqrt(4)
    assert school.pupils == 4 and school.p8_pupils == 4
    assert school.p8_estimate == pytest.approx(mean, abs=0.005)
    assert school.p8_ci_lower == pytest.approx(mean - half_width, abs=0.01)
    assert school.p8_ci_upper == pytest.approx(mean + half_width, abs=0.01)
    assert school.pct_basics_4 == 75.0 and school.pct_basics_5 == 50.0  # D4 has no English
    assert school.pct_ebacc_entered == 25.0


def test_the_p8_table_is_a_setting():
    tiny = ks4(**{"measures.p8_table_year": 2023, "measures.p8_table_version": "revised"})
    tiny.pupil("A1", ks2_reading="100", ks2_maths="101").grades("A1", POINT, {"MA4": "5"})
    con = tiny.build()
    pupil = row(con, "A1")
    estimate = con.execute("select a8_estimate from int_a8_estimate where ks2_group = 15").fetchall()[0][0]
    assert pupil.p8_table == "2023 revised" and pupil.a8_estimate == estimate


def test_a_pupil_without_ks2_gets_an_estimate_from_the_linked_alternative_baseline():
    tiny = ks4(**{"measures.baseline_link_min_pupils": 3})
    # KS2 averages 100, 110, 105 (mean 105, SD 5); CAT 90, 110, 100 (mean 100, SD 10).
    for upn, reading, cat in (("K1", "100", "90"), ("K2", "110", "110"), ("K3", "105", "100")):
        tiny.pupil(upn, ks2_reading=reading, ks2_maths=reading, alternative_baseline=cat)
    tiny.pupil("N1", alternative_baseline="120")  # no KS2: 105 + (120 - 100) x 5 / 10 = 115
    tiny.pupil("Z9")  # neither: no baseline at all
    tiny.grades("N1", POINT, {"MA4": "7", "EL4": "7"})
    con = tiny.build()
    baseline = tiny.one("select baseline_source, baseline_ks2, baseline_band, ks2_group from int_pupil_baseline "
                        "where upn = 'N1'")
    assert baseline == ("alternative", 115.0, "high", 29)  # group 29 is 114.5 to 115
    assert tiny.one("select baseline_source, baseline_ks2, ks2_group from int_pupil_baseline where upn = 'Z9'") \
        == (None, None, None)
    pupil = row(con, "N1")
    assert pupil.baseline_source == "alternative"
    assert pupil.p8_estimate == pytest.approx((21 - 70.6) / 10, abs=0.005)


def test_without_enough_pupils_to_link_there_is_no_baseline():
    tiny = ks4()  # needs 30 pupils with both by default
    tiny.pupil("K1", ks2_reading="100", ks2_maths="100", alternative_baseline="95")
    tiny.pupil("N1", alternative_baseline="120").grades("N1", POINT, {"MA4": "7"})
    con = tiny.build()
    pupil = row(con, "N1")
    assert pupil.baseline_source is None and pd.isna(pupil.ks2_group)
    assert pupil.attainment8 == 14 and pd.isna(pupil.p8_estimate)


def test_target_basis_uses_the_targets_in_force_at_the_point():
    tiny = ks4()
    tiny.point("2025/26 Spring", "2026-03-20", "2025/26", "spring")
    tiny.pupil("A1", ks2_reading="100", ks2_maths="101")
    tiny.grades("A1", "2025/26 Spring", {"MA4": "4", "EL4": "4"}).grades("A1", POINT, {"MA4": "5", "EL4": "5"})
    tiny.add("targets", upn="A1", subject_code="MA4", grade="5", set_on="2025-09-20")
    tiny.add("targets", upn="A1", subject_code="MA4", grade="6", set_on="2026-04-10", reason="Raised")
    tiny.add("targets", upn="A1", subject_code="EL4", grade="6", set_on="2025-09-20")
    con = tiny.build()
    by_point = dict(con.execute("select assessment_point, attainment8 from mart_ks4_pupil "
                                "where basis = 'target' order by point_sequence").fetchall())
    assert by_point == {"2025/26 Spring": 2 * 5 + 6, POINT: 2 * 6 + 6}


def test_ebacc_science_needs_combined_science_or_three_single_sciences():
    tiny = ks4()
    core = {"MA4": "5", "EL4": "5", "LT4": "5", "HI4": "5", "FR4": "5"}
    tiny.pupil("T2").grades("T2", POINT, {**core, "BI4": "6", "CH4": "6"})
    tiny.pupil("T3").grades("T3", POINT, {**core, "BI4": "6", "CH4": "6", "CS4": "6"})
    con = tiny.build()
    assert not row(con, "T2").ebacc_entered and row(con, "T3").ebacc_entered


def test_two_of_the_same_english_are_not_double_weighted_and_a_second_maths_goes_to_open():
    tiny = ks4()
    tiny.add("subjects", subject_code="EL9", subject_name="iGCSE English Language", key_stage="4",
             ebacc_category="english_language")
    tiny.add("subjects", subject_code="FM4", subject_name="Further Maths", key_stage="4", ebacc_category="maths")
    tiny.pupil("E1").grades("E1", POINT, {"MA4": "5", "EL4": "5", "EL9": "6", "FM4": "7"})
    pupil = row(tiny.build(), "E1")
    # English 6 single weighted; maths slot 2 x 7; open: GCSE maths 5 and the other English 5.
    assert (pupil.a8_english, pupil.a8_maths, pupil.a8_open) == (6, 14, 10)
    assert not pupil.english_double_weighted


def test_final_results_count_early_entries_and_every_year_11_pupil():
    tiny = ks4()
    tiny.point("2024/25 GCSE results", "2025-08-21", "2024/25", "summer", point_kind="exam")
    tiny.point("2025/26 Spring", "2026-03-20", "2025/26", "spring")
    tiny.point("2025/26 GCSE results", "2026-08-20", "2025/26", "summer", point_kind="exam")
    tiny.pupil("F1").pupil("F2")
    # F1 sat French in Year 10 (7), and French again in Year 11 (8): the first entry counts.
    tiny.grades("F1", "2024/25 GCSE results", {"FR4": "7"}, grade_type="final")
    tiny.grades("F1", "2025/26 GCSE results", {"MA4": "5", "EL4": "6", "FR4": "8"}, grade_type="final")
    # F2 was in Year 11 with grades all year, but has no results.
    tiny.grades("F2", "2025/26 Spring", {"MA4": "3"}).grades("F1", "2025/26 Spring", {"MA4": "5"})
    con = tiny.build()
    finals = {r[0]: r[1:] for r in con.execute(
        "select upn, attainment8, a8_ebacc from mart_ks4_pupil "
        "where basis = 'final' and assessment_point = '2025/26 GCSE results'").fetchall()}
    assert finals["F1"] == (10 + 6 + 7, 7)
    assert finals["F2"] == (0, 0)
    school = con.execute("select pupils, avg_attainment8 from mart_ks4_school "
                         "where basis = 'final' and assessment_point = '2025/26 GCSE results'").fetchall()
    assert school == [(2, 11.5)]


def test_school_progress8_averages_unrounded_pupil_scores():
    tiny = ks4()
    # KS2 100.5 (group 15, A8 estimate 37.27); A8 45, 45, 46: pupil P8 0.773, 0.773, 0.873.
    for upn in ("G1", "G2", "G3"):
        tiny.pupil(upn, ks2_reading="100", ks2_maths="101")
        tiny.grades(upn, POINT, {"MA4": "9", "EL4": "9", "LT4": "1", "HI4": "8"})
    tiny.grades("G3", POINT, {"MU4": "1"})
    con = tiny.build()
    assert [round(x, 2) for (x,) in con.execute(
        "select attainment8 from mart_ks4_pupil order by upn").fetchall()] == [45, 45, 46]
    school = con.execute("select p8_estimate from mart_ks4_school").fetchall()[0][0]
    assert school == round(((45 - 37.27) * 2 + (46 - 37.27)) / 30, 2) == 0.81
