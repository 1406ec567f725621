"""Loading: row accounting, re-imports, corrections, atomicity, formats and layouts."""
import pandas as pd
import pytest

from tests import exports
from tests.exports import UPNS, query, write_csv
from warehouse import transform
from warehouse.ingest import IngestOptions, ingest


def test_every_row_read_is_loaded_or_quarantined(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    rows[3][4] = "11"
    rows[8][0] = exports.wrong_check_letter(UPNS[8])
    report = ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir, rows=rows)], store=store)
    assert all(f.accounted for f in report.files)
    assert query(store, "select count(*) from batches where rows_loaded + rows_quarantined <> rows_read "
                        "and status = 'loaded'") == [(0,)]
    assert query(store, "select rows_read, rows_loaded, rows_quarantined from batches "
                        "where file_name = 'assessments.csv'") == [(20, 18, 2)]
    assert query(store, "select count(*) from raw_assessments") == [(18,)]
    assert query(store, "select count(distinct row_number) from quarantine") == [(2,)]


def test_raw_rows_carry_batch_file_hash_and_row_number(store, exports_dir):
    files = exports.base_school(exports_dir)
    ingest(files, store=store)
    batch_id, file_hash = query(store, "select batch_id, file_hash from batches where file_name = 'pupils.csv'")[0]
    rows = query(store, "select _batch_id, _file_hash, _row_number, upn from raw_pupils order by _row_number")
    assert rows[0] == (batch_id, file_hash, 2, UPNS[0])
    assert rows[-1][2] == 21
    assert (store.imports_dir / f"{file_hash}.csv").read_bytes() == files[2].read_bytes()


def test_reimporting_the_same_files_changes_nothing(store, exports_dir):
    files = exports.base_school(exports_dir) + [exports.assessments(exports_dir)]
    first = ingest(files, store=store)
    snapshot = store.current_snapshot()
    before = query(store, "select (select count(*) from batches), (select count(*) from raw_assessments), "
                          "(select count(*) from fct_assessment)")
    second = ingest(files, store=store)
    assert [f.status for f in second.files] == ["unchanged"] * len(files)
    assert second.snapshot is None and store.current_snapshot() == snapshot
    assert query(store, "select (select count(*) from batches), (select count(*) from raw_assessments), "
                        "(select count(*) from fct_assessment)") == before
    assert first.snapshot == snapshot


def test_a_corrected_file_replaces_the_rows_it_covers_and_raw_keeps_the_old(store, exports_dir):
    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir)], store=store)
    corrected = [[UPNS[0], "MA", "2025/26 Autumn", "working_at", "7-", 1],
                 [UPNS[1], "MA", "2025/26 Autumn", "working_at", "3", 1]]
    ingest([exports.assessments(exports_dir, rows=corrected, name="corrections.csv")], store=store)
    current = dict(query(store, "select upn, grade from fct_assessment where subject_code = 'MA' "
                                "and assessment_point = '2025/26 Autumn'"))
    assert current[UPNS[0]] == "7-" and current[UPNS[1]] == "3" and current[UPNS[2]] == "5+"
    assert query(store, "select count(*) from fct_assessment") == [(40,)]
    assert query(store, "select grade from raw_assessments where upn = ? and subject_code = 'MA' order by _batch_id",
                 [UPNS[0]]) == [("5+",), ("7-",)]
    points = query(store, "select grade_points from fct_assessment where upn = ? and subject_code = 'MA'", [UPNS[0]])
    assert points == [(6.67,)]


def test_a_failure_mid_load_leaves_the_warehouse_as_it_was(store, exports_dir, monkeypatch):
    ingest(exports.base_school(exports_dir), store=store)
    snapshot = store.current_snapshot()
    counts = query(store, "select (select count(*) from batches), (select count(*) from raw_pupils)")

    def broken_build(con, settings=None):
        con.execute("create table half_built as select 1 as x")
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(transform, "build", broken_build)
    more = exports.pupils(exports_dir, upns=[exports.make_upn(500 + i) for i in range(5)], name="new_pupils.csv")
    with pytest.raises(RuntimeError, match="disk full"):
        ingest([more, exports.assessments(exports_dir)], store=store)
    assert store.current_snapshot() == snapshot
    assert query(store, "select (select count(*) from batches), (select count(*) from raw_pupils)") == counts
    assert query(store, "select count(*) from information_schema.tables where table_name = 'half_built'") == [(0,)]
    assert not list(store.snapshots_dir.glob("*.building"))


def test_a_failure_after_the_rebuild_publishes_nothing(store, exports_dir):
    ingest(exports.base_school(exports_dir), store=store)
    snapshot = store.current_snapshot()
    with pytest.raises(RuntimeError, match="injected"):
        ingest([exports.assessments(exports_dir)], store=store, fail_before_publish=True)
    assert store.current_snapshot() == snapshot
    assert query(store, "select count(*) from raw_assessments") == [(0,)]


def test_files_load_in_dependency_order_whatever_order_they_are_given(store, exports_dir):
    files = exports.base_school(exports_dir) + [exports.assessments(exports_dir)]
    report = ingest(list(reversed(files)), store=store)
    assert [f.kind for f in report.files] == ["subjects", "staff", "pupils", "assessment_points", "assessments"]
    assert all(f.status == "loaded" and f.rows_quarantined == 0 for f in report.files)


def test_mis_header_spellings_map_to_canonical_columns(store, exports_dir):
    ingest(exports.base_school(exports_dir), store=store)
    # UPN, Legal Surname, Year, Reg Group, PP ("Yes"), SEN Status, KS2 Reading, as tests/exports.py spells them
    assert query(store, "select legal_surname, year_group, tutor_group, pupil_premium, sen_status, ks2_reading "
                        "from stg_pupils where upn = ?", [UPNS[3]]) == [("Testsurname3", 11, "11A", True, "N", 103)]
    assert query(store, "select year_group, tutor_group, pupil_premium, ks2_average from dim_pupil where upn = ?",
                 [UPNS[3]]) == [(11, "11A", True, (103 + 98) / 2)]


@pytest.mark.parametrize("encoding, delimiter, bom", [
    ("utf-8", ",", False), ("utf-8", ";", True), ("cp1252", ";", False), ("cp1252", ",", False),
])
def test_csv_encodings_and_delimiters(store, exports_dir, encoding, delimiter, bom):
    names = ["Zoë", "Siân", "Seán", "Renée", "O'Brien"]
    rows = [[exports.make_upn(300 + i), name, "Test", "F", "01/09/2012", 9, "9X", "N", "N", 101, 99]
            for i, name in enumerate(names)]
    path = write_csv(exports_dir / "pupils.csv", ["UPN", "Legal Surname", "Legal Forename", "Gender", "DOB", "Year",
                                                  "Reg Group", "PP", "SEN Status", "KS2 Reading", "KS2 Maths"],
                     rows, encoding="utf-8-sig" if bom else encoding, delimiter=delimiter)
    report = ingest([path], store=store)
    assert report.files[0].rows_loaded == 5
    assert sorted(r[0] for r in query(store, "select legal_surname from stg_pupils")) == sorted(names)
    assert query(store, "select encoding from batches") == [("utf-8-sig" if bom else encoding,)]


def test_title_lines_above_the_header_and_blank_lines_are_handled(store, exports_dir):
    path = exports_dir / "staff.csv"
    path.write_text("Staff list,,\nPrinted 01/10/2025,,\n\nStaff Code,Forename,Surname\nABC,Alex,Teacher\n\n"
                    "DEF,Dev,Tutor\n", encoding="utf-8")
    report = ingest([path], store=store)
    assert report.files[0].rows_loaded == 2
    assert query(store, "select staff_code, _row_number from raw_staff order by 1") == [("ABC", 5), ("DEF", 7)]


def test_a_ragged_row_is_quarantined(store, exports_dir):
    path = exports_dir / "staff.csv"
    lines = ["Staff Code,Forename,Surname"] + [f"S{i},Sam,Teacher{i}" for i in range(9)] + ["XYZ,Pat,Smith,extra,cells"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest([path], store=store)
    assert (report.files[0].rows_loaded, report.files[0].rows_quarantined) == (9, 1)
    assert query(store, "select row_number, reason from quarantine") == [
        (11, "row has more cells than there are headings")]


def test_xlsx_exports_load_with_dates_and_numbers(store, exports_dir):
    exports.base_school(exports_dir)
    frame = pd.DataFrame({
        "UPN": UPNS[:3], "Subject": ["MA"] * 3, "Target Type": ["target"] * 3, "Grade": [6, 7, 5],
        "Source": ["school"] * 3, "Date Set": pd.to_datetime(["2025-09-15"] * 3), "Reason": ["KS2 + challenge"] * 3,
    })
    path = exports_dir / "targets.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"A": ["Targets report"]}).to_excel(writer, sheet_name="Cover", index=False, header=False)
        frame.to_excel(writer, sheet_name="Targets", index=False)
    # the first sheet with data is a cover page: the export is the first sheet that names known columns
    report = ingest(exports.base_school(exports_dir) + [path], store=store)
    result = report.files[-1]
    assert (result.kind, result.status, result.rows_loaded) == ("targets", "loaded", 3), result.message
    assert query(store, "select upn, grade, set_on, grade_points from fct_target order by upn") == sorted(
        [(UPNS[i], g, pd.Timestamp("2025-09-15").date(), float(g)) for i, g in enumerate(["6", "7", "5"])])


def test_a_wide_marksheet_becomes_one_row_per_grade(store, exports_dir):
    rows = [[upn, f"Surname{i}", "10B", "5+" if i % 2 else "6", "" if i == 4 else "4-"] for i, upn in enumerate(UPNS)]
    rows[7][3] = "5x"
    path = write_csv(exports_dir / "marksheet.csv", ["UPN", "Surname", "Reg Group", "Mathematics", "English Language"],
                     rows)
    report = ingest(exports.base_school(exports_dir) + [path],
                    per_file_options={path: IngestOptions(assessment_point="2025/26 Spring", grade_type="working_at")},
                    store=store)
    result = report.files[-1]
    assert (result.kind, result.layout, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "assessments", "wide marksheet", 40, 39, 1)
    assert query(store, "select row_number, column_name, value from quarantine") == [(9, "Mathematics", "5x")]
    assert query(store, "select grade, grade_points, assessment_point, grade_type from fct_assessment "
                        "where upn = ? and subject_code = 'MA'", [UPNS[1]]) == [
        ("5+", 5.33, "2025/26 Spring", "working_at")]
    # a blank cell is a grade not yet entered: loaded, and counted as missing
    assert query(store, "select grade_entered from fct_assessment where upn = ? and subject_code = 'EN'",
                 [UPNS[4]]) == [(False,)]
    assert query(store, "select _source_column from raw_assessments where upn = ? order by 1", [UPNS[0]]) == [
        ("English Language",), ("Mathematics",)]


def test_a_corrected_register_replaces_the_marks_it_covers(store, exports_dir):
    marks = [[upn, f"{day:02d}/09/2025", session, "/" if session == "AM" else "\\"]
             for upn in UPNS[:5] for day in (1, 2) for session in ("AM", "PM")]
    first = write_csv(exports_dir / "marks.csv", ["UPN", "Date", "Session", "Mark"], marks)
    correction = write_csv(exports_dir / "marks_fixed.csv", ["UPN", "Date", "Session", "Mark"],
                           [[UPNS[0], "01/09/2025", "AM", "I"], [UPNS[0], "01/09/2025", "PM", "I"]])
    ingest(exports.base_school(exports_dir) + [first], store=store)
    ingest([correction], store=store)
    assert query(store, "select session, mark, mark_category from fct_attendance_session where upn = ? "
                        "and session_date = '2025-09-01' order by session", [UPNS[0]]) == [
        ("AM", "I", "authorised"), ("PM", "I", "authorised")]
    assert query(store, "select count(*) from fct_attendance_session") == [(20,)]
    assert query(store, "select count(*) from raw_attendance_sessions") == [(22,)]


def test_a_remembered_answer_lasts_until_the_next_snapshot(store, exports_dir):
    from warehouse.data import WarehouseReader
    from warehouse.view import Scope

    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir)], store=store)
    reader = WarehouseReader(store)
    def spring_subjects() -> list:
        options = reader.run_remembered("filter_options", **Scope.everything().params()).set_index("assessment_point")
        listed = options.loc["2025/26 Spring", "subjects"]
        return [] if listed is None or listed is pd.NA else [item["code"] for item in listed]

    first = reader.run_remembered("filter_options", **Scope.everything().params())
    assert spring_subjects() == []   # no grades at Spring yet
    first.loc[0, "assessment_point"] = "changed by a caller"   # callers get a copy
    assert reader.run_remembered("filter_options", **Scope.everything().params()).equals(
        reader.run("filter_options", **Scope.everything().params()))
    # An import of a later drop publishes a new snapshot: the sidebar's choices follow it.
    later = [[upn, "MA", "2025/26 Spring", "working_at", "6", 1] for upn in UPNS]
    ingest([exports.assessments(exports_dir, rows=later, name="spring.csv")], store=store)
    assert spring_subjects() == ["MA"]
    reader.close()


def test_remembered_answers_are_kept_per_scope_and_within_their_memory(store, exports_dir):
    from warehouse.data import WarehouseReader
    from warehouse.view import Scope, ViewFilters

    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir)], store=store)
    reader = WarehouseReader(store, remember_mib=4096 / 2**20)   # room for about two small answers
    view = ViewFilters(school="S001", assessment_point="2025/26 Autumn").params()

    def pupils(upns=None) -> list[str]:
        scope = Scope.everything() if upns is None else Scope(schools=("S001",), upns=tuple(upns))
        return list(reader.run_remembered("pupil_search", **scope.params(), **view)["upn"])

    everyone = pupils()
    assert len(everyone) == len(UPNS)
    # The scope is part of what an answer is remembered by: a narrower viewer never gets a wider answer.
    assert pupils(UPNS[:2]) == sorted(UPNS[:2], key=everyone.index)
    assert pupils() == everyone
    assert 0 < reader._remembered_bytes <= 4096
    for n in range(3, 12):    # more answers than fit: the least recently asked go first
        pupils(UPNS[:n])
    assert reader._remembered_bytes <= 4096 and len(reader._remembered) < 9
    nothing_kept = WarehouseReader(store, remember_mib=0)
    assert list(nothing_kept.run_remembered("pupil_search", **Scope.everything().params(), **view)["upn"]) == everyone
    assert not nothing_kept._remembered
    reader.close()
    nothing_kept.close()


def test_a_loaders_result_is_remembered_and_callers_get_their_own_copy(store, exports_dir):
    from warehouse import loaders
    from warehouse.data import WarehouseReader
    from warehouse.view import Scope, ViewFilters

    ingest(exports.base_school(exports_dir) + [exports.assessments(exports_dir)], store=store)
    reader = WarehouseReader(store)
    made = []

    def overview():
        made.append(1)
        return loaders.overview(reader.run, Scope.everything(), ViewFilters(school="S001",
                                                                           assessment_point="2025/26 Autumn"))

    first = reader.remembered(("loader", "overview", "S001"), overview)
    first.progress_by_point["pupils"] = -1
    again = reader.remembered(("loader", "overview", "S001"), overview)
    assert len(made) == 1 and again.at_point("2025/26 Autumn").pupils == len(UPNS)
    assert -1 not in set(again.progress_by_point["pupils"])
    reader.close()
