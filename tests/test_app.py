"""The dashboard renders, on an empty warehouse and on a loaded one, and shows the warehouse's figures."""
import pytest

from tests import exports
from tests.exports import UPNS, query
from tests.pages import open_page
from warehouse.ingest import ingest

PAGES = ["pages/overview.py", "pages/subjects.py", "pages/groups.py", "pages/year_review.py", "pages/pupil.py",
         "pages/attendance.py", "pages/targets.py", "pages/interventions.py", "pages/explore.py", "pages/warehouse.py",
         "pages/data_quality.py"]


def app(page: str | None = None):
    return open_page(page)


def shows_missing_values_plainly(at) -> bool:
    """Every table sets how a missing value shows (a dash, or a blank where it means "not yet"), so none
    shows Streamlit's "None"."""
    return all(table.proto.HasField("placeholder") for table in at.dataframe)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_on_an_empty_warehouse_says_how_to_import(data_dir, page):
    at = app(page)
    assert not at.exception
    assert "python -m warehouse demo" in at.info[0].value


@pytest.fixture
def loaded(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    rows[2][4] = "5x"
    rows += [[upn, "EN", "2025/26 Autumn", "working_at", "" if i < 4 else "6", 1] for i, upn in enumerate(UPNS)]
    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir, rows=rows)], store=store)
    return store


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_warehouse_page_shows_the_marts_figures(loaded):
    at = app("pages/warehouse.py")
    assert not at.exception
    assert metrics(at) == {
        "Pupils on roll": "20", "Former pupils": "0", "Subjects": "3", "Assessment points": "2",
        "Grades entered": "35", "Attendance sessions": "0",
    }
    assert query(loaded, "select count(*) from fct_assessment where grade_entered") == [(35,)]
    by_year = at.dataframe[0].value
    assert dict(zip(by_year.year_group, by_year.pupils)) == {10: 10, 11: 10}
    assert shows_missing_values_plainly(at)
    assert len(at.get("vega_lite_chart")) == 1


def test_data_quality_page_shows_batches_quarantine_and_report(loaded):
    at = app("pages/data_quality.py")
    assert not at.exception
    assert metrics(at) == {"Batches loaded": "5", "Files rejected": "0", "Rows loaded": "66",
                           "Rows quarantined": "1"}
    assert query(loaded, "select sum(rows_loaded) from batches") == [(3 + 2 + 20 + 2 + 39,)]
    quarantined = at.dataframe[1].value
    assert list(quarantined.row_number) == [4] and list(quarantined.value) == ["5x"]
    assert at.selectbox[0].value.endswith("assessments.csv (loaded)")  # the batch with a problem first
    report = at.dataframe[2].value
    assert shows_missing_values_plainly(at)
    failed = report[report.success == "✗ failed"]
    assert list(failed.reason) == ["grade is not on the subject's grade scale"]
    assert list(failed.unexpected_count) == [1]


@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("pages/warehouse.py", "pages/data_quality.py")])
def test_each_page_renders_on_a_small_school_with_a_drop_not_yet_graded(loaded, page):
    # Grades at Autumn only; the Spring drop is in the points file but has none yet.
    at = app(page)
    assert not at.exception
    assert shows_missing_values_plainly(at)
    assert at.sidebar.selectbox(key="f_point").value == "2025/26 Autumn"   # the latest drop with grades
    at.sidebar.selectbox(key="f_point").set_value("2025/26 Spring").run()
    assert not at.exception
