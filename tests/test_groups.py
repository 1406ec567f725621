"""Groups and gaps: subgroup gaps and Venn regions, by hand and on the demo school against the marts."""
import pandas as pd

from tests.exports import query
from tests.pages import open_page
from warehouse import groups


def pupil(upn, **values) -> dict:
    row = {"upn": upn, "pupil_name": upn, "tutor_group": "11A", "gender": "F", "disadvantaged": False,
           "sen_status": "N", "sen": False, "eal": False, "looked_after": False, "more_able": False,
           "prior_attainment_band": "middle", "custom_groups": [], "graded_subjects": 0, "on_track_subjects": 0,
           "below_subjects": 0, "below_target_any": False, "gaps": 0, "sum_gap_grades": None,
           "possible_sessions": None, "present_sessions": None, "persistent_absent": None, "has_ks4": False,
           "english_4": None, "maths_4": None, "ebacc_entered": None, "in_programme": False}
    return {**row, **values}


def test_a_groups_on_track_share_is_of_its_graded_subjects_against_the_rests():
    pupils = pd.DataFrame([
        pupil("A", disadvantaged=True, graded_subjects=4, on_track_subjects=2, custom_groups=["Choir"]),
        pupil("B", disadvantaged=True, graded_subjects=2, on_track_subjects=1),
        pupil("C", graded_subjects=3, on_track_subjects=3, custom_groups=["Choir", "Sports"]),
        pupil("D", graded_subjects=1, on_track_subjects=0),
        pupil("E", disadvantaged=True),   # no graded subjects: not counted at all
    ])
    gaps = groups.gaps_by_group(pupils, groups.MEASURES["on_track"]).set_index("label")
    # Disadvantaged: 3 of 6 subjects = 50%; the rest: 3 of 4 = 75%. "Not disadvantaged" mirrors it: not listed.
    assert gaps.loc["Disadvantaged", ["pupils", "value", "rest_value", "gap"]].tolist() == [2, 50.0, 75.0, -25.0]
    assert "Not disadvantaged" not in gaps.index
    # A list column: Choir is A and C (5 of 7 subjects), the rest B and D (1 of 3).
    assert gaps.loc["Choir", "value"] == 100 * 5 / 7 and gaps.loc["Choir", "rest_value"] == 100 / 3
    assert list(groups.members(pupils, "custom_groups", "Choir")["upn"]) == ["A", "C"]


def test_the_mean_gap_is_over_every_graded_subject_not_a_mean_of_pupils_means():
    pupils = pd.DataFrame([pupil("A", gender="M", gaps=3, sum_gap_grades=-3.0),
                           pupil("B", gender="M", gaps=1, sum_gap_grades=1.0),
                           pupil("C", gaps=2, sum_gap_grades=1.0)])
    gaps = groups.gaps_by_group(pupils, groups.MEASURES["gap"]).set_index("label")
    assert gaps.loc["Male", "value"] == -0.5   # (-3 + 1) / 4 subjects; the mean of the two pupils' means is 0
    assert gaps.loc["Female", "value"] == 0.5 and gaps.loc["Female", "gap"] == 1.0


def test_venn_regions_name_who_is_in_each_overlap_and_leave_out_the_unknown():
    pupils = pd.DataFrame([
        pupil("A", english_4=True, maths_4=True, ebacc_entered=True),
        pupil("B", english_4=True, maths_4=True, ebacc_entered=False),
        pupil("C", english_4=True, maths_4=False, ebacc_entered=False),
        pupil("D", english_4=False, maths_4=False, ebacc_entered=False),
        pupil("E"),                                      # no KS4 grades: not known, left out
        pupil("F", english_4=False, maths_4=True, ebacc_entered=True, custom_groups=["Choir"]),
    ])
    options = groups.set_options(pupils)
    venn = groups.venn(pupils, ["English 4+", "Maths 4+", "EBacc entered"], options)
    counts = dict(zip(venn.regions["region"], venn.regions["pupils"]))
    assert counts == {"All three": 1, "English 4+ and Maths 4+, not EBacc entered": 1,
                      "English 4+ and EBacc entered, not Maths 4+": 0,
                      "English 4+, not Maths 4+ or EBacc entered": 1,
                      "Maths 4+ and EBacc entered, not English 4+": 1,
                      "Maths 4+, not English 4+ or EBacc entered": 0,
                      "EBacc entered, not English 4+ or Maths 4+": 0, "None of them": 1}
    assert venn.left_out == 1
    # School groups are sets too.
    two = groups.venn(pupils, ["In school group: Choir", "Disadvantaged"], options)
    assert dict(zip(two.pupils["upn"], two.pupils["region"]))["F"] == "In school group: Choir, not Disadvantaged"


YEAR_11 = ("select upn from mart_pupil where year_group_academic_year = '2025/26' and year_group = 11")


def test_the_page_shows_the_marts_gaps_and_venn_regions_with_the_pupils_behind_them(demo_env):
    at = open_page("pages/groups.py", year="11")
    assert not at.exception
    gaps = at.dataframe[0].value.set_index("label")
    disadvantaged, rest = query(demo_env, f"""
        select 100.0 * count(*) filter (where m.status in ('ahead', 'on_track') and p.disadvantaged)
                     / count(m.status) filter (where p.disadvantaged),
               100.0 * count(*) filter (where m.status in ('ahead', 'on_track') and not p.disadvantaged)
                     / count(m.status) filter (where not p.disadvantaged)
        from mart_progress m join mart_pupil p using (school_code, upn)
        where m.assessment_point = '2025/26 Summer' and m.upn in ({YEAR_11})""")[0]
    assert round(gaps.loc["Disadvantaged", "value"], 6) == round(disadvantaged, 6)
    assert round(gaps.loc["Disadvantaged", "gap"], 6) == round(disadvantaged - rest, 6)

    # The Venn of English 4+, maths 4+ and EBacc entry on working-at grades, and the pupils in its centre.
    venn = open_page("pages/groups.py", year="11", tab="Overlaps")
    regions = dict(zip(venn.dataframe[0].value["region"], venn.dataframe[0].value["pupils"]))
    centre = {upn for upn, in query(demo_env, f"""
        select upn from mart_ks4_pupil where basis = 'working_at' and assessment_point = '2025/26 Summer'
          and year_group = 11 and best_english >= 4 and best_maths >= 4 and ebacc_entered""")}
    assert regions["All three"] == len(centre) > 0
    venn.selectbox(key="groups_region").set_value("All three").run()
    names = set(venn.dataframe[1].value["pupil_name"])
    expected = {name for name, in query(demo_env, "select pupil_name from mart_pupil where upn in "
                                                  f"({', '.join(repr(u) for u in centre)})")}
    assert names == expected

    # Another measure and another group: the pupils behind a bar.
    at.selectbox(key="groups_measure").set_value("attendance").run()
    assert len(at.dataframe) == 1   # the pupils behind a bar are drawn when asked for
    at.session_state["groups_members_open"] = True
    at.run()
    at.selectbox(key="groups_members").set_value("SEN support").run()
    listed = set(at.dataframe[1].value["pupil_name"])
    sen = {name for name, in query(demo_env, f"""
        select p.pupil_name from mart_pupil p join mart_attendance_pupil a using (school_code, upn)
        where p.sen_status = 'K' and a.academic_year = '2025/26' and a.possible_sessions > 0
          and p.upn in ({YEAR_11})""")}
    assert listed == sen
