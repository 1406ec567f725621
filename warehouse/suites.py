"""Writes the Great Expectations suites in expectations/ from the import formats.

The JSON files are what validation runs, and what a data manager or developer
reads to see every check with the message it gives. They are generated from
warehouse/formats.py so that a column added there is checked too;
tests/test_validation.py fails when a suite on disk is out of date.

    python -m warehouse.suites        # rewrite expectations/*.json
"""
from __future__ import annotations

import json
from pathlib import Path

from warehouse.formats import KINDS, Column, Kind

SUITES_DIR = Path(__file__).resolve().parent.parent / "expectations"

UPN_PATTERN = r"^[A-Z][0-9]{11}[0-9A-Z]$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
INT_PATTERN = r"^-?\d+$"
NUMBER_PATTERN = r"^-?\d+(?:\.\d+)?$"
ACADEMIC_YEAR_PATTERN = r"^\d{4}/\d{2}$"

# Helper columns computed by validate.py so that checks which depend on other
# columns or on the warehouse can be stated as plain value-set expectations.
PUPIL_KEY = "__pupil_key"        # school|upn
SUBJECT_KEY = "__subject_key"    # school|subject
POINT_KEY = "__point_key"        # school|assessment point
TEACHER_KEY = "__teacher_key"    # school|staff code
SUBJECT_GRADE = "__subject_grade"    # school|subject|grade
SUBJECT_EFFORT = "__subject_effort"  # school|subject|effort
DATED_MARK = "__dated_mark"      # code set in force on the date|mark
FILE = "__file"                  # which file a row came from, when several are validated together


def _expect(kind: str, reason: str, reported_column: str, **kwargs) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"column": reported_column, "reason": reason}}


def _column_expectations(column: Column) -> list[dict]:
    name = column.name
    out = []
    if column.required:
        out.append(_expect("expect_column_values_to_not_be_null", f"{name} is required but blank", name,
                           column=name))
    if column.type == "upn":
        out.append(_expect("expect_column_values_to_match_regex",
                           "not a UPN: 13 characters, a letter then 11 digits then a digit or letter",
                           name, column=name, regex=UPN_PATTERN))
        out.append(_expect("expect_column_values_to_be_valid_upn",
                           "UPN check letter is wrong (mistyped UPN?)", name, column=name))
    elif column.type == "date":
        out.append(_expect("expect_column_values_to_match_regex",
                           "not a real date (use dd/mm/yyyy)", name, column=name, regex=DATE_PATTERN))
    elif column.type == "yes_no":
        out.append(_expect("expect_column_values_to_be_in_set", "expected Y or N", name,
                           column=name, value_set=["Y", "N"]))
    elif column.type in ("int", "number"):
        pattern, what = (INT_PATTERN, "a whole number") if column.type == "int" else (NUMBER_PATTERN, "a number")
        out.append(_expect("expect_column_values_to_match_regex", f"expected {what}", name,
                           column=name, regex=pattern))
        if column.minimum is not None or column.maximum is not None:
            out.append(_expect("expect_column_values_to_be_between",
                               f"out of range: expected {column.minimum:g} to {column.maximum:g}", name,
                               column=f"__num_{name}", min_value=column.minimum, max_value=column.maximum))
    elif column.type == "academic_year":
        out.append(_expect("expect_column_values_to_match_regex", "not an academic year like 2025/26",
                           name, column=name, regex=ACADEMIC_YEAR_PATTERN))
    elif column.type == "enum":
        out.append(_expect("expect_column_values_to_be_in_set",
                           f"expected one of: {', '.join(column.values)}", name,
                           column=name, value_set=list(column.values)))
    elif column.type == "scale":
        out.append(_not_among("unknown grade scale (see the scales table)", name, name, "unknown_scales"))
    return out


def _not_among(reason: str, reported: str, column: str, parameter: str) -> dict:
    """A value is wrong when it is among those the warehouse does not know.

    The set is computed for each file (the values it holds that are not known),
    so it is empty or tiny, which keeps validation of big files fast.
    """
    return _expect("expect_column_values_to_not_be_in_set", reason, reported,
                   column=column, value_set={"$PARAMETER": parameter})


def _relation_expectations(kind: Kind) -> list[dict]:
    names = set(kind.column_names)
    out = []
    if "upn" in names and kind.name != "pupils":
        out.append(_not_among("unknown pupil: UPN not in the pupils file", "upn", PUPIL_KEY, "unknown_pupils"))
    if "subject_code" in names and kind.name != "subjects":
        out.append(_not_among("unknown subject: not in the subjects file", "subject_code", SUBJECT_KEY,
                              "unknown_subjects"))
    if kind.name in ("assessments",):
        out.append(_not_among("unknown assessment point: not in the assessment points file", "assessment_point",
                              POINT_KEY, "unknown_points"))
    if "teacher_code" in names:
        out.append(_not_among("unknown teacher: not in the staff file", "teacher_code", TEACHER_KEY,
                              "unknown_staff"))
    if "grade" in names:
        out.append(_not_among("grade is not on the subject's grade scale", "grade", SUBJECT_GRADE,
                              "grades_off_scale"))
    if "effort" in names:
        out.append(_not_among("effort is not on the subject's effort scale", "effort", SUBJECT_EFFORT,
                              "efforts_off_scale"))
    if "mark" in names:
        out.append(_not_among("not a DfE attendance code in force on this date", "mark", DATED_MARK,
                              "marks_not_in_force"))
    return out


def duplicate_reason(kind: Kind) -> str:
    return f"duplicate: another row has the same {', '.join(kind.natural_key)}"


def _key_expectation(kind: Kind) -> dict:
    key = list(kind.natural_key)
    # Unique within a file: across files, a later file's row replaces an earlier one.
    return _expect("expect_compound_columns_to_be_unique", duplicate_reason(kind), ", ".join(key),
                   column_list=key + [FILE])


def build_suite(kind: Kind) -> dict:
    expectations = [e for column in kind.columns for e in _column_expectations(column)]
    expectations += _relation_expectations(kind)
    expectations.append(_key_expectation(kind))
    return {
        "name": kind.name,
        "meta": {"description": f"Row checks for {kind.title} exports; generated by warehouse/suites.py."},
        "expectations": expectations,
    }


def suite_path(kind: str) -> Path:
    return SUITES_DIR / f"{kind}.json"


def write_suites() -> list[Path]:
    written = []
    for kind in KINDS.values():
        path = suite_path(kind.name)
        path.write_text(json.dumps(build_suite(kind), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_suites():
        print(f"wrote {written_path}")
