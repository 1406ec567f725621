"""Each rejection and quarantine rule, with the message the data manager sees."""
import json

import pytest

from tests import exports
from tests.exports import UPNS, query, write_csv
from warehouse import suites
from warehouse.formats import KINDS
from warehouse.ingest import IngestOptions, ingest


def load(store, folder, *files, **options):
    return ingest(exports.base_school(folder) + list(files), IngestOptions(**options), store=store)


def result_for(report, name):
    return next(f for f in report.files if f.path.name == name)


def quarantined(store, file_name):
    return query(store, "select row_number, column_name, value, reason from quarantine where file_name = ? "
                        "order by row_number, column_name", [file_name])


def test_suites_on_disk_are_up_to_date():
    for kind in KINDS.values():
        on_disk = json.loads(suites.suite_path(kind.name).read_text(encoding="utf-8"))
        assert on_disk == suites.build_suite(kind), f"run `python -m warehouse.suites` ({kind.name} is stale)"


@pytest.mark.parametrize("bad_row, column, reason", [
    ([exports.wrong_check_letter(UPNS[0]), "MA", "2025/26 Autumn", "working_at", "5", 1],
     "upn", "UPN check letter is wrong (mistyped UPN?)"),
    ([UPNS[0], "MA", "2025/26 Autumn", "working_at", "10", 1], "grade", "grade is not on the subject's grade scale"),
    ([UPNS[0], "MA", "2025/26 Autumn", "working_at", "5", 7], "effort", "effort is not on the subject's effort scale"),
    ([exports.make_upn(999), "MA", "2025/26 Autumn", "working_at", "5", 1],
     "upn", "unknown pupil: UPN not in the pupils file"),
    ([UPNS[0], "ZZ", "2025/26 Autumn", "working_at", "5", 1], "subject_code",
     "unknown subject: not in the subjects file"),
    ([UPNS[0], "MA", "2024/25 Summer", "working_at", "5", 1], "assessment_point",
     "unknown assessment point: not in the assessment points file"),
    ([UPNS[0], "MA", "2025/26 Autumn", "guess", "5", 1], "grade_type",
     "expected one of: working_at, predicted, mock, final"),
])
def test_a_bad_assessment_row_is_quarantined_with_its_reason(store, exports_dir, bad_row, column, reason):
    good = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS[1:]]
    path = exports.assessments(exports_dir, rows=good[:10] + [bad_row] + good[10:])
    report = load(store, exports_dir, path)
    result = result_for(report, "assessments.csv")
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == ("loaded", 20, 19, 1)
    rows = quarantined(store, "assessments.csv")
    assert rows == [(12, column, str(bad_row[["upn", "subject_code", "assessment_point", "grade_type", "grade",
                                              "effort"].index(column)]), reason)]
    # the quarantined row is kept whole, as in the file
    record = json.loads(query(store, "select record from quarantine")[0][0])
    assert record["UPN"] == bad_row[0]


def test_rows_with_the_same_key_but_different_values_are_all_quarantined(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    rows.append([UPNS[3], "MA", "2025/26 Autumn", "working_at", "6", 1])
    report = load(store, exports_dir, exports.assessments(exports_dir, rows=rows))
    result = result_for(report, "assessments.csv")
    assert (result.rows_loaded, result.rows_quarantined) == (19, 2)
    reason = "duplicate: another row has the same school_code, upn, subject_code, assessment_point, grade_type"
    key = f"S001 | {UPNS[3]} | MA | 2025/26 Autumn | working_at"
    assert quarantined(store, "assessments.csv") == [
        (5, "school_code, upn, subject_code, assessment_point, grade_type", key, reason),
        (22, "school_code, upn, subject_code, assessment_point, grade_type", key, reason),
    ]


def test_an_exact_duplicate_row_loads_once(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in UPNS]
    rows.insert(6, list(rows[5]))
    report = load(store, exports_dir, exports.assessments(exports_dir, rows=rows))
    result = result_for(report, "assessments.csv")
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (21, 20, 1)
    assert [(r[0], r[3]) for r in quarantined(store, "assessments.csv")] == [
        (8, "exact duplicate of an earlier row (the first copy was loaded)")]
    assert query(store, "select _row_number from raw_assessments where upn = ?", [UPNS[5]]) == [(7,)]


def test_impossible_date_is_quarantined(store, exports_dir):
    path = write_csv(exports_dir / "interventions.csv", ["Programme", "UPN", "Start Date", "End Date"],
                     [["Maths boost", upn, "01/02/2026", "31/03/2026"] for upn in UPNS[:9]]
                     + [["Maths boost", UPNS[9], "31/02/2026", ""]])
    load(store, exports_dir, path)
    assert quarantined(store, "interventions.csv") == [
        (11, "start_date", "31/02/2026", "not a real date (use dd/mm/yyyy)")]


def test_attendance_codes_are_checked_against_the_set_in_force_on_the_date(store, exports_dir):
    rows = [[UPNS[0], f"{day:02d}/09/2025", "AM", "/"] for day in range(1, 11)]
    rows += [
        [UPNS[1], "16/08/2024", "AM", "H"],   # H: valid before 19 August 2024
        [UPNS[1], "02/09/2025", "AM", "H"],   # ... withdrawn from it
        [UPNS[1], "02/09/2025", "PM", "C1"],  # C1: new in 2024
        [UPNS[1], "10/06/2024", "PM", "C1"],  # ... not yet in force
        [UPNS[1], "03/09/2025", "AM", "?"],   # never a code
    ]
    rows += [[UPNS[2], f"{day:02d}/10/2025", "PM", "I"] for day in range(1, 21)]
    path = write_csv(exports_dir / "marks.csv", ["UPN", "Date", "Session", "Mark"], rows)
    report = load(store, exports_dir, path)
    assert result_for(report, "marks.csv").rows_quarantined == 3
    assert [(r[0], r[2]) for r in quarantined(store, "marks.csv")] == [(13, "H"), (15, "C1"), (16, "?")]
    assert {r[3] for r in quarantined(store, "marks.csv")} == {"not a DfE attendance code in force on this date"}


def test_pupil_rows_check_upn_values_and_ranges(store, exports_dir):
    folder = exports_dir
    good = exports.pupils(folder, name="good.csv")
    rows = [[exports.make_upn(100 + i), f"S{i}", f"F{i}", "F", "01/01/2011", 10, "10A", "N", "N", 100, 100]
            for i in range(20)]
    rows[2][0] = "12345"            # not a UPN at all
    rows[5][3] = "Q"               # gender
    rows[7][9] = "130"             # KS2 out of range
    rows[9][8] = "Statemented?"    # SEN status
    path = write_csv(folder / "more_pupils.csv", ["UPN", "Surname", "Forename", "Gender", "DOB", "Year", "Reg Group",
                                                  "PP", "SEN Status", "KS2 Reading", "KS2 Maths"], rows)
    report = ingest([good, path], store=store)
    assert result_for(report, "more_pupils.csv").rows_quarantined == 4
    found = {(r[0], r[1]): r[3] for r in quarantined(store, "more_pupils.csv")}
    assert found[(4, "upn")].startswith("not a UPN")
    assert found[(7, "gender")] == "expected one of: M, F, X"
    assert found[(9, "ks2_reading")] == "out of range: expected 79 to 120"
    assert found[(11, "sen_status")] == "expected one of: N, K, E"


def test_a_file_with_too_many_bad_rows_is_rejected_whole(store, exports_dir):
    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "A*", 1] for upn in UPNS]  # legacy letters on a 9-1 scale
    report = load(store, exports_dir, exports.assessments(exports_dir, rows=rows))
    result = result_for(report, "assessments.csv")
    assert result.status == "rejected" and result.rows_read == 20 and result.rows_loaded == 0
    assert "20 of 20 rows failed validation (100%), more than the 25% allowed, so nothing was loaded" in result.message
    assert "grade is not on the subject's grade scale" in result.message
    assert query(store, "select count(*) from raw_assessments") == [(0,)]
    assert query(store, "select count(*) from quarantine") == [(0,)]


def test_missing_required_columns_reject_the_file_with_what_to_fix(store, exports_dir):
    path = write_csv(exports_dir / "pupils_no_dob.csv", ["UPN", "Legal Surname", "Legal Forename", "Gender", "Year"],
                     [[UPNS[0], "A", "B", "F", 7]])
    report = ingest([path], IngestOptions(kind="pupils"), store=store)
    result = report.files[0]
    assert result.status == "rejected"
    assert result.message.startswith("pupils_no_dob.csv: looks like a pupils export but has no column for "
                                     "date_of_birth (accepted headings: date of birth, dob, d o b, birth date)")


@pytest.mark.parametrize("name, content, expected", [
    ("empty.csv", b"", "empty.csv: the file is empty. Export it again from the MIS."),
    ("headings_only.csv", b"UPN,Legal Surname\n", "headings_only.csv: the file has headings but no rows of data."),
    ("report.pdf", b"%PDF-1.4", "report.pdf: not a CSV or Excel (.xlsx) file."),
    ("binary.csv", b"\x00\x01\x02PK\x00", "binary.csv: this is not a text CSV (it holds binary data)."),
    ("mystery.csv", b"Colour,Size\nred,4\n", "mystery.csv: could not tell what kind of export this is from its "
                                              "headings (Colour, Size)."),
    ("damaged.xlsx", b"not a zip", "damaged.xlsx: could not open it as an Excel workbook"),
])
def test_structural_failures_reject_the_file_and_load_nothing(store, exports_dir, name, content, expected):
    path = exports_dir / name
    path.write_bytes(content)
    report = ingest(exports.base_school(exports_dir / "base") + [path], store=store)
    result = result_for(report, name)
    assert result.status == "rejected"
    assert result.message.startswith(expected)
    assert query(store, "select status, message from batches where file_name = ?", [name]) == [
        ("rejected", result.message)]


def test_a_marksheet_without_its_drop_is_rejected_with_the_option_to_give(store, exports_dir):
    path = write_csv(exports_dir / "marksheet.csv", ["UPN", "Surname", "Mathematics", "English Language"],
                     [[UPNS[0], "A", "5", "6"]])
    report = load(store, exports_dir, path)
    assert result_for(report, "marksheet.csv").message.startswith(
        "marksheet.csv: this is a wide marksheet (a column per subject: Mathematics, English Language); "
        "give its drop and grade type with --assessment-point and --grade-type.")
