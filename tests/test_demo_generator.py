"""The demo generator: deterministic, well-formed MIS exports that tell true stories.

The demo trust (2 schools) is generated once for the module; the tests read the
files back as the ingester would and check outcomes, not implementation.
"""
from __future__ import annotations

import functools
import hashlib
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from stdnum.gb import upn as upn_rules

from warehouse.demo import DELIBERATE_PROBLEMS, SCHOOL_NAMES, DemoFile, generate
from warehouse.formats import KINDS, LOAD_ORDER, canonical_column

REFERENCE = Path(__file__).resolve().parents[1] / "warehouse" / "reference"
SEED = 2026
SCHOOLS = ("S001", "S002")
PRESENT_MARKS = {"/", "\\", "L", "B", "V", "P", "K", "W"}  # present or approved educational activity
NEW_REGISTER_RULES = date(2024, 8, 19)


# --------------------------------------------------------------------------
# Fixtures and readers
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trust(tmp_path_factory) -> tuple[Path, list[DemoFile]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, schools=len(SCHOOLS), seed=SEED)


@pytest.fixture(scope="module")
def files(trust) -> list[DemoFile]:
    return trust[1]


def _file(files: list[DemoFile], school: str, name: str) -> DemoFile:
    return next(f for f in files if f.school_code == school and f.path.name == name)


def _is_wide(file: DemoFile) -> bool:
    return file.assessment_point is not None


@functools.lru_cache(maxsize=None)
def _raw(path: Path) -> pd.DataFrame:
    """The file as text cells, headers as written (encoding and delimiter as each file needs)."""
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if path.name == "pupils.csv":
        return pd.read_csv(path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _table(file: DemoFile) -> pd.DataFrame:
    """The file with canonical column names (not for the wide marksheet)."""
    frame = _raw(file.path)
    return frame.rename(columns={h: canonical_column(h, file.kind) for h in frame.columns})


def _table_of(files, school: str, name: str) -> pd.DataFrame:
    return _table(_file(files, school, name))


def _long_assessments(files, school: str) -> pd.DataFrame:
    long_files = [f for f in files if f.school_code == school and f.kind == "assessments" and not _is_wide(f)]
    return pd.concat([_table(f) for f in long_files], ignore_index=True)


@functools.lru_cache(maxsize=None)
def _scales() -> dict[str, dict[str, float]]:
    rows = pd.read_csv(REFERENCE / "grade_scales.csv", dtype=str, keep_default_na=False)
    return {code: dict(zip(group["label"], group["points"].astype(float)))
            for code, group in rows.groupby("scale_code")}


@functools.lru_cache(maxsize=None)
def _attendance_codes() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "attendance_codes.csv", dtype=str, keep_default_na=False).set_index("code")


def _subject_scales(files, school: str) -> dict[str, str]:
    subjects = _table_of(files, school, "subjects.csv")
    return dict(zip(subjects["subject_code"], subjects["grade_scale"]))


def _with_points(files, school: str, rows: pd.DataFrame) -> pd.DataFrame:
    scale_of = _subject_scales(files, school)
    points = [_scales().get(scale_of.get(s, ""), {}).get(g, np.nan) for s, g in zip(rows["subject_code"], rows["grade"])]
    return rows.assign(points=points)


def _pupils(files, school: str) -> pd.DataFrame:
    pupils = _table_of(files, school, "pupils.csv").set_index("upn")
    reading = pd.to_numeric(pupils["ks2_reading"])
    maths = pd.to_numeric(pupils["ks2_maths"])
    return pupils.assign(ks2_average=(reading + maths) / 2)


def _planted_rows(file_name: str) -> set[int]:
    """Data positions (0-based) of the bad rows planted in a file."""
    return {p.row - 2 for p in DELIBERATE_PROBLEMS if p.file == file_name and p.row is not None}


def _register_attendance(files, school: str) -> pd.Series:
    register = _table_of(files, school, "attendance_sessions_2025-26.csv")
    return register["mark"].isin(PRESENT_MARKS).groupby(register["upn"]).mean()


# --------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------


def test_files_come_in_load_order_under_each_school(trust):
    out, files = trust
    kinds = [f.kind for f in files]
    assert kinds == sorted(kinds, key=LOAD_ORDER.index)
    for school in SCHOOLS:
        mine = [f for f in files if f.school_code == school]
        assert {f.kind for f in mine} == set(LOAD_ORDER)
        assert len(mine) == 13
        assert all(f.path.parent == out / school and f.path.exists() for f in mine)
    assert SCHOOL_NAMES["S001"] and SCHOOL_NAMES["S001"] != SCHOOL_NAMES["S002"]


def test_same_seed_gives_identical_files_and_another_seed_differs(trust, tmp_path):
    _, files = trust

    def hashes(paths):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    first = hashes(f.path for f in files if f.school_code == "S001")
    again = hashes(f.path for f in generate(tmp_path / "again", schools=1, seed=SEED))
    other = hashes(f.path for f in generate(tmp_path / "other", schools=1, seed=SEED + 1))
    assert again == first
    differing = {name for name in first if other[name] != first[name]}
    # Only the fixed reference lists (subjects, drops) stay the same.
    assert differing == set(first) - {"subjects.csv", "assessment_points.csv"}


def test_every_header_maps_to_a_column_of_its_kind(files):
    for file in files:
        headers = list(_raw(file.path).columns)
        canonical = [canonical_column(h, file.kind) for h in headers]
        if _is_wide(file):
            assert "upn" in canonical and file.grade_type == "working_at"
            subject_names = set(_table_of(files, file.school_code, "subjects.csv")["subject_name"])
            assert set(headers[4:]) <= subject_names, file.path.name
            continue
        columns = KINDS[file.kind].column_names
        assert [h for h, c in zip(headers, canonical) if c not in columns] == [], file.path.name
        assert set(KINDS[file.kind].required) <= set(canonical), file.path.name
        assert "school_code" not in canonical  # the ingester is given the school


def test_pupils_file_is_a_windows_1252_semicolon_mis_export(files):
    data = _file(files, "S001", "pupils.csv").path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # accented names are single cp1252 bytes
    text = data.decode("cp1252")
    header = text.splitlines()[0]
    assert header.startswith("UPN;Legal Surname;Legal Forename;") and "\r\n" in text
    pupils = _raw(_file(files, "S001", "pupils.csv").path)
    names = set(pupils["Legal Forename"]) | set(pupils["Legal Surname"])
    assert {"Zoë", "Siân", "Seán", "Renée", "Chloé"} & names
    assert any("'" in name for name in names)
    assert pupils["DOB"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    assert set(pupils["PP"]) == {"Y", "N"} and set(pupils["Looked After"]) == {"Yes", "No"}
    assert pupils["Groups"].str.contains(";").any()  # quoted inside a semicolon file


def test_other_formats_xlsx_and_bom(files):
    staff = _table_of(files, "S001", "staff.xlsx")
    assert 45 <= len(staff) <= 60 and staff["staff_code"].is_unique
    assert _file(files, "S001", "targets.csv").path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not _file(files, "S001", "teaching_groups.csv").path.read_bytes().startswith(b"\xef\xbb\xbf")


# --------------------------------------------------------------------------
# Pupils
# --------------------------------------------------------------------------


def test_pupil_upns_are_valid_and_unique_across_schools(files):
    upns = pd.concat([_raw(_file(files, s, "pupils.csv").path)["UPN"] for s in SCHOOLS])
    assert all(upn_rules.is_valid(u) for u in upns)
    assert upns.is_unique
    establishments = {s: set(_raw(_file(files, s, "pupils.csv").path)["UPN"].str[4:8]) for s in SCHOOLS}
    assert all(len(e) == 1 for e in establishments.values())
    assert establishments["S001"] != establishments["S002"]


def test_roll_of_about_1100_and_two_leaver_cohorts(files):
    for school in SCHOOLS:
        pupils = _pupils(files, school)
        on_roll = pupils[pupils["academic_year"] == "2025/26"]
        assert 1000 <= len(on_roll) <= 1200
        assert set(on_roll["year_group"]) == {"7", "8", "9", "10", "11"}
        assert on_roll["year_group"].value_counts().between(200, 240).all()
        assert (on_roll["leaving_date"] == "").all()
        leavers = pupils[pupils["academic_year"] != "2025/26"]
        assert set(leavers["academic_year"]) == {"2023/24", "2024/25"}
        assert (leavers["year_group"] == "11").all() and (leavers["leaving_date"] != "").all()


def test_characteristics_at_national_rates(files):
    pupils = _pupils(files, "S001")
    on_roll = pupils[pupils["academic_year"] == "2025/26"]

    def share(column, value="Y"):
        return (on_roll[column] == value).mean()

    assert 0.2 <= share("disadvantaged") <= 0.3
    assert 0.17 <= share("fsm") <= 0.27
    assert (on_roll["pupil_premium"] == on_roll["disadvantaged"]).mean() > 0.95
    assert 0.1 <= share("sen_status", "K") <= 0.16 and 0.015 <= share("sen_status", "E") <= 0.045
    assert 0.12 <= share("eal") <= 0.22
    assert 0.07 <= share("more_able", "Yes") <= 0.13
    assert 0 < share("looked_after", "Yes") < 0.02
    assert 0.5 <= share("ethnicity", "WBRI") <= 0.8 and on_roll["ethnicity"].nunique() >= 10
    assert 0 < share("gender", "X") < 0.02 and abs(share("gender", "M") - share("gender", "F")) < 0.1
    assert (on_roll["custom_groups"] != "").mean() > 0.03


def test_ks2_missing_only_where_the_tests_were_cancelled(files):
    for school in SCHOOLS:
        pupils = _pupils(files, school)
        no_tests = ((pupils["year_group"] == "11")
                    & pupils["academic_year"].isin(["2024/25", "2025/26"]))
        assert no_tests.sum() > 400
        assert (pupils.loc[no_tests, ["ks2_reading", "ks2_maths"]] == "").all().all()
        assert (pupils["alternative_baseline"] != "").all()  # everyone has a CAT mean
        others = pupils[~no_tests]
        assert (others["ks2_reading"] != "").mean() > 0.93
        ks2 = pd.to_numeric(others["ks2_reading"]).dropna()
        assert ks2.between(80, 120).all() and 102 <= ks2.mean() <= 106 and 5 <= ks2.std() <= 8
        cat = pd.to_numeric(pupils["alternative_baseline"])
        assert 96 <= cat.mean() <= 104 and 9 <= cat.std() <= 15


# --------------------------------------------------------------------------
# Assessments, targets, classes
# --------------------------------------------------------------------------


def test_grades_and_efforts_are_on_their_scales_except_the_planted_ones(files):
    for school in SCHOOLS:
        scale_of = _subject_scales(files, school)
        for file in files:
            if file.school_code != school or file.kind != "assessments" or _is_wide(file):
                continue
            rows = _table(file)
            labels = [_scales().get(scale_of.get(s, ""), {}) for s in rows["subject_code"]]
            off_scale = {i for i, (g, scale) in enumerate(zip(rows["grade"], labels)) if g and g not in scale}
            assert off_scale == _planted_rows(file.path.name) - {p.row - 2 for p in DELIBERATE_PROBLEMS
                                                                  if p.problem in ("invalid_upn", "duplicate_row")
                                                                  and p.file == file.path.name}
            assert set(rows["effort"]) <= {"", "1", "2", "3", "4"}
        targets = _table_of(files, school, "targets.csv")
        assert all(g in _scales()[scale_of[s]] for s, g in zip(targets["subject_code"], targets["grade"]))


def test_long_files_leave_the_wide_marksheet_rows_to_it(files):
    wide_file = _file(files, "S001", "assessments_2025-26_summer_ks3.csv")
    assert (wide_file.assessment_point, wide_file.grade_type) == ("2025/26 Summer", "working_at")
    wide = _raw(wide_file.path)
    subjects = _table_of(files, "S001", "subjects.csv")
    ks3 = subjects[subjects["key_stage"] == "3"]
    assert list(wide.columns) == ["UPN", "Surname", "Forename", "Reg Group"] + ks3["subject_name"].tolist()
    assert set(wide["Reg Group"].str[:-1]) == {"7", "8", "9"}
    current = _table_of(files, "S001", "assessments_2025-26.csv")
    summer = current[current["assessment_point"] == "2025/26 Summer"]
    assert not summer["subject_code"].isin(ks3["subject_code"]).any()
    assert len(summer) > 1000  # KS4 rows of the summer drop stay in the long file


def test_assessment_timeline(files):
    points = _table_of(files, "S001", "assessment_points.csv")
    assert len(points) == 11
    exams = points[points["point_kind"] == "exam"]
    assert exams["assessment_point"].tolist() == ["2023/24 GCSE results", "2024/25 GCSE results"]
    rows = _long_assessments(files, "S001")
    assert set(rows["assessment_point"]) <= set(points["assessment_point"])
    assert set(rows.loc[rows["grade_type"] == "final", "assessment_point"]) == set(exams["assessment_point"])
    assert set(rows.loc[rows["grade_type"] == "mock", "assessment_point"]) == {
        "2023/24 Spring", "2024/25 Spring", "2025/26 Spring"}
    finals = rows[rows["grade_type"] == "final"]
    assert set(finals["grade"]) <= set(_scales()["gcse"]) | set(_scales()["btec"])  # whole grades
    assert (rows["effort"] != "").mean() > 0.5


def test_grades_rise_through_the_years(files):
    rows = _with_points(files, "S001", _long_assessments(files, "S001"))
    pupils = _pupils(files, "S001")
    current_year = pupils.loc[pupils["academic_year"] == "2025/26", "year_group"]
    # This year's Y9 was in Y7 in 2023/24: +2 sub-levels (4 points) a year in KS3.
    y9 = current_year.index[current_year == "9"]
    ks3 = rows[rows["upn"].isin(y9) & (rows["grade_type"] == "working_at")]
    by_point = ks3.groupby("assessment_point")["points"].mean()
    assert 6 <= by_point["2025/26 Spring"] - by_point["2023/24 Spring"] <= 10
    # KS4 working-at grades close on the final grade.
    leavers = pupils.index[(pupils["academic_year"] == "2024/25")]
    maths = rows[rows["upn"].isin(leavers) & (rows["subject_code"] == "MA4")]
    mean = maths.groupby(["assessment_point", "grade_type"])["points"].mean()
    assert mean[("2023/24 Autumn", "working_at")] < mean[("2024/25 Summer", "working_at")] \
        < mean[("2024/25 GCSE results", "final")] + 0.3


def test_targets_history_estimates_and_anomalies(files):
    targets = _with_points(files, "S001", _table_of(files, "S001", "targets.csv"))
    staff = set(_table_of(files, "S001", "staff.xlsx")["staff_code"])
    assert set(targets["target_kind"]) == {"target", "estimate"}
    assert set(targets.loc[targets["target_kind"] == "estimate", "source"]) == {"FFT50"}
    school = targets[targets["target_kind"] == "target"]
    assert set(school["source"]) == {"school"} and set(school["set_by"]) <= staff
    assert (school["reason"] != "").all()
    # About 5% changed: a second, later row with the reason.
    key = ["upn", "subject_code"]
    changed = school[school.duplicated(key, keep=False)].sort_values("set_on")
    share_changed = changed.drop_duplicates(key).shape[0] / school.drop_duplicates(key).shape[0]
    assert 0.03 <= share_changed <= 0.08
    assert changed["reason"].str.contains("Raised after spring progress").any()
    assert (pd.to_datetime(targets["set_on"]) <= pd.Timestamp("2026-07-17")).all()
    # KS4 targets set at the start of Y10; some below the FFT50 estimate.
    first = school.sort_values("set_on").drop_duplicates(key).set_index(key)
    estimate = targets[targets["target_kind"] == "estimate"].set_index(key)
    both = first.join(estimate[["points"]].rename(columns={"points": "estimate"}), how="inner")
    below = (both["points"] < both["estimate"]).mean()
    assert 0.01 <= below <= 0.1
    assert both["points"].mean() > both["estimate"].mean()  # targets are aspirational on the whole


def test_teaching_groups(files):
    groups = _table_of(files, "S001", "teaching_groups.csv")
    staff = set(_table_of(files, "S001", "staff.xlsx")["staff_code"])
    assert set(groups["academic_year"]) == {"2023/24", "2024/25", "2025/26"}
    assert set(groups["teacher_code"]) <= staff
    sizes = groups.groupby(["academic_year", "class_code"]).size()
    assert sizes.max() <= 32 and sizes.median() >= 24
    assert not groups.duplicated(["academic_year", "class_code", "upn"]).any()
    assert (groups.groupby(["academic_year", "class_code"])["subject_code"].nunique() == 1).all()
    assert "9C/Hi" in set(groups.loc[groups["academic_year"] == "2025/26", "class_code"])
    # Every long-form grade belongs to a pupil taught the subject that year.
    rows = _long_assessments(files, "S001")
    rows = rows[rows["upn"].map(upn_rules.is_valid)]
    year = rows["assessment_point"].str[:7]
    taught = set(zip(groups["academic_year"], groups["subject_code"], groups["upn"]))
    untaught = [key for key in zip(year, rows["subject_code"], rows["upn"]) if key not in taught]
    assert len(untaught) == 1 and untaught[0][1] == "PS3"  # the planted unknown subject


def test_ks4_pupils_take_about_nine_subjects(files):
    groups = _table_of(files, "S001", "teaching_groups.csv")
    ks4 = groups[(groups["academic_year"] == "2025/26") & groups["subject_code"].str.endswith("4")]
    per_pupil = ks4.groupby("upn")["subject_code"].agg(set)
    assert per_pupil.map(len).between(8, 10).all()
    assert per_pupil.map(lambda s: {"EL4", "MA4"} <= s).all()
    triple = per_pupil.map(lambda s: {"BI4", "CH4", "PH4"} <= s).mean()
    assert 0.28 <= triple <= 0.38
    assert per_pupil.map(lambda s: "SC4" in s or {"BI4", "CH4", "PH4"} <= s).all()
    assert 0.3 <= per_pupil.map(lambda s: bool(s & {"FR4", "SP4"})).mean() <= 0.5
    assert per_pupil.map(lambda s: bool(s & {"HI4", "GE4"})).mean() > 0.85


# --------------------------------------------------------------------------
# The relations the dashboard should find
# --------------------------------------------------------------------------


def _final_points(files, school: str) -> pd.DataFrame:
    rows = _with_points(files, school, _long_assessments(files, school))
    finals = rows[rows["grade_type"] == "final"].groupby("upn")["points"].mean().rename("final")
    return _pupils(files, school).join(finals, how="inner")


def test_ks2_predicts_gcse_results(files):
    for school in SCHOOLS:
        results = _final_points(files, school).dropna(subset=["ks2_average"])
        assert len(results) > 150
        assert results["ks2_average"].corr(results["final"]) > 0.5


def test_disadvantaged_pupils_do_less_well_from_the_same_start(files):
    results = _final_points(files, "S001").dropna(subset=["ks2_average"])
    disadvantaged = (results["disadvantaged"] == "Y").to_numpy(dtype=float)
    assert results["final"][disadvantaged == 1].mean() < results["final"][disadvantaged == 0].mean()
    design = np.column_stack([np.ones(len(results)), results["ks2_average"], disadvantaged])
    gap = np.linalg.lstsq(design, results["final"].to_numpy(), rcond=None)[0][2]
    assert -1.1 <= gap <= -0.4  # about half a grade to a grade per subject


def test_attendance_tracks_attainment(files):
    pupils = _pupils(files, "S001")
    rows = _with_points(files, "S001", _long_assessments(files, "S001"))
    # This year: register attendance against Y11's summer working-at grades.
    y11 = pupils.index[(pupils["academic_year"] == "2025/26") & (pupils["year_group"] == "11")]
    summer = rows[rows["upn"].isin(y11) & (rows["assessment_point"] == "2025/26 Summer")
                  & (rows["grade_type"] == "working_at")].groupby("upn")["points"].mean()
    both = pd.concat([_register_attendance(files, "S001"), summer], axis=1, join="inner")
    assert both.corr().iloc[0, 1] > 0.2
    # Last year: the summary report against the GCSE results.
    summary = _table_of(files, "S001", "attendance_summary.csv")
    last_year = summary[summary["from_date"].str.endswith("2024")].set_index("upn")
    attendance = last_year["present_sessions"].astype(int) / last_year["possible_sessions"].astype(int)
    results = _final_points(files, "S001")["final"]
    assert pd.concat([attendance, results], axis=1, join="inner").corr().iloc[0, 1] > 0.2


def test_maths_boost_participants_gain_more_than_comparable_pupils(files):
    rows = _with_points(files, "S001", _long_assessments(files, "S001"))
    interventions = _table_of(files, "S001", "interventions.csv")
    boosted = set(interventions.loc[interventions["programme"] == "Year 11 maths boost", "upn"])
    assert 20 <= len(boosted) <= 30
    maths = rows[rows["subject_code"] == "MA4"]
    working_at = maths[maths["grade_type"] == "working_at"].pivot_table(
        index="upn", columns="assessment_point", values="points")
    gain = (working_at["2025/26 Summer"] - working_at["2025/26 Autumn"]).rename("gain")
    predicted = maths[(maths["grade_type"] == "predicted") & (maths["assessment_point"] == "2025/26 Autumn")]
    predicted = predicted.set_index("upn")["points"].rename("predicted")
    targets = _with_points(files, "S001", _table_of(files, "S001", "targets.csv"))
    target = targets[(targets["subject_code"] == "MA4") & (targets["target_kind"] == "target")
                     & (targets["set_on"] < "2025-12-05")].sort_values("set_on").groupby("upn")["points"].last()
    pupils = pd.concat([gain, predicted, target.rename("target")], axis=1, join="inner")
    # Comparable: also predicted below target in the autumn, with similar predictions.
    below = pupils[pupils["predicted"] < pupils["target"]]
    took_part = below.index.isin(boosted)
    low, high = below.loc[took_part, "predicted"].min(), below.loc[took_part, "predicted"].max()
    comparable = below[~took_part & below["predicted"].between(low, high)]
    assert len(comparable) >= 20
    assert below.loc[took_part, "gain"].mean() - comparable["gain"].mean() > 0.3


def test_intervention_programmes(files):
    interventions = _table_of(files, "S001", "interventions.csv")
    programmes = interventions.groupby("programme")
    assert set(programmes.groups) == {"Year 11 maths boost", "Year 7 reading catch-up",
                                      "Year 11 English tutoring", "Attendance mentoring"}
    assert programmes.size().between(15, 35).all()
    assert (interventions["lead"] != "").all() and (interventions["start_date"] != "").all()
    pupils = _pupils(files, "S001")
    readers = pupils.loc[interventions.loc[interventions["programme"] == "Year 7 reading catch-up", "upn"]]
    assert (readers["year_group"] == "7").all() and pd.to_numeric(readers["ks2_reading"]).max() < 100


# --------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------


def test_attendance_summaries_add_up(files):
    for school in SCHOOLS:
        summary = _table_of(files, school, "attendance_summary.csv")
        numbers = summary[["possible_sessions", "present_sessions", "authorised_absence",
                           "unauthorised_absence"]].astype(int)
        assert (numbers["present_sessions"] + numbers["authorised_absence"] + numbers["unauthorised_absence"]
                == numbers["possible_sessions"]).all()
        assert (numbers >= 0).all().all() and numbers["possible_sessions"].max() == 380
        assert set(zip(summary["from_date"], summary["to_date"])) == {
            ("04/09/2023", "19/07/2024"), ("03/09/2024", "18/07/2025")}
        assert not summary.duplicated(["upn", "from_date"]).any()


def test_register_marks_are_valid_current_codes_except_the_planted_ones(files):
    codes = _attendance_codes()
    current = set(codes.index[codes["from_aug_2024"] == "Y"])
    for school in SCHOOLS:
        register = _table_of(files, school, "attendance_sessions_2025-26.csv")
        invalid = set(np.nonzero(~register["mark"].isin(current).to_numpy())[0])
        assert invalid == _planted_rows("attendance_sessions_2025-26.csv")
        days = pd.to_datetime(register["date"], format="%d/%m/%Y")
        assert days.min() == pd.Timestamp("2025-09-03") and days.max() == pd.Timestamp("2026-07-17")
        assert (days.dt.day_of_week < 5).all() and days.nunique() == 190
        assert not register.duplicated(["upn", "date", "session"]).any()
        assert set(register["session"]) == {"AM", "PM"}


def test_attendance_rates_are_realistic(files):
    attendance = _register_attendance(files, "S001")
    assert 0.9 <= attendance.mean() <= 0.94
    assert 0.15 <= (attendance <= 0.9).mean() <= 0.27  # persistent absence
    assert 0.005 <= (attendance <= 0.5).mean() <= 0.04  # severe absence
    pupils = _pupils(files, "S001").reindex(attendance.index)
    disadvantaged = pupils["disadvantaged"] == "Y"
    assert attendance[disadvantaged].mean() < attendance[~disadvantaged].mean() - 0.01


# --------------------------------------------------------------------------
# The deliberate problems
# --------------------------------------------------------------------------


def test_each_deliberate_problem_is_where_it_says(files):
    problem_kinds = {p.problem for p in DELIBERATE_PROBLEMS}
    assert problem_kinds == {"invalid_upn", "grade_not_on_scale", "unknown_subject", "duplicate_row",
                             "unknown_mark", "retired_mark", "impossible_date", "missing_grades"}
    assert 8 <= sum(p.row is not None for p in DELIBERATE_PROBLEMS) <= 12
    for school in SCHOOLS:
        for problem in DELIBERATE_PROBLEMS:
            file = _file(files, school, problem.file)
            if problem.problem == "missing_grades":
                _check_missing_grades(files, file, problem)
                continue
            table = _table(file)
            row = table.iloc[problem.row - 2]
            cell = row[problem.column] if problem.column else None
            if problem.value is not None:
                assert cell == problem.value, (school, problem)
            _check_problem(files, school, problem, table, row, cell)


def _check_problem(files, school, problem, table, row, cell):
    if problem.problem == "invalid_upn":
        assert not upn_rules.is_valid(cell)
        corrected = upn_rules.calc_check_digit(cell[1:]) + cell[1:]
        assert corrected in _pupils(files, school).index  # a typo of a real pupil's UPN
    elif problem.problem == "grade_not_on_scale":
        scale = _subject_scales(files, school)[row["subject_code"]]
        assert cell not in _scales()[scale]
    elif problem.problem == "unknown_subject":
        assert cell not in _subject_scales(files, school)
    elif problem.problem == "duplicate_row":
        assert row.equals(table.iloc[problem.row - 3])
        assert table.duplicated().sum() == 1
    elif problem.problem == "unknown_mark":
        assert cell not in _attendance_codes().index
    elif problem.problem == "retired_mark":
        assert _attendance_codes().loc[cell, "from_aug_2024"] == "N"
        assert pd.to_datetime(row["date"], format="%d/%m/%Y").date() >= NEW_REGISTER_RULES
    elif problem.problem == "impossible_date":
        assert re.fullmatch(r"\d\d/\d\d/\d{4}", cell)
        with pytest.raises(ValueError):
            pd.to_datetime(cell, format="%d/%m/%Y")
    else:
        raise AssertionError(f"no check for {problem.problem}")


def _check_missing_grades(files, file, problem):
    wide = _raw(file.path)
    selected = np.ones(len(wide), dtype=bool)
    for header, value in problem.where:
        selected &= (wide[header] == value).to_numpy()
    assert selected.sum() >= 20
    assert (wide.loc[selected, problem.column] == problem.value).all()
    assert (wide.loc[~selected, problem.column] != "").all()
    # The pupils are exactly the class 9C/Hi of 2025/26.
    groups = _table_of(files, file.school_code, "teaching_groups.csv")
    members = groups.loc[(groups["academic_year"] == "2025/26") & (groups["class_code"] == "9C/Hi"), "upn"]
    assert set(wide.loc[selected, "UPN"]) == set(members)
