"""The demo school, loaded as `python -m warehouse demo` loads it: counts, quarantine, marts, pages."""
import os

import pytest
from streamlit.testing.v1 import AppTest

from warehouse.__main__ import main as cli
from warehouse.config import load_settings
from warehouse.demo import DELIBERATE_PROBLEMS
from warehouse.store import Store
from tests.exports import query


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo") / "warehouse"
    before = os.environ.get("TRACKER_DATA_DIR")
    os.environ["TRACKER_DATA_DIR"] = str(data_dir)
    try:
        assert cli(["demo", "--quiet"]) == 0
        yield Store(load_settings())
    finally:
        os.environ["TRACKER_DATA_DIR"] = before or ""


@pytest.fixture
def demo_env(demo, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(demo.data_dir))
    return demo


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
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Pupils on roll"] == "1,088" and shown["Attendance sessions"] == "412,574"
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Rows quarantined"] == str(sum(1 for p in DELIBERATE_PROBLEMS if p.row))
    missing = at.dataframe[-1].value
    assert missing.iloc[0].class_code == "9C/Hi"
