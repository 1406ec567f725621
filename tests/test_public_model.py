"""The marts users query in meetings keep the columns the issue promised (names may grow, not change)."""
from tests.tiny import Tiny

PROMISED = {
    "mart_progress": ["upn", "subject_code", "assessment_point", "working_at", "working_at_points", "target",
                      "target_points", "progress_target_points", "status", "gap_grades"],
    "mart_ks4_pupil": ["upn", "assessment_point", "basis", "attainment8", "a8_english", "a8_maths", "a8_ebacc",
                       "a8_open", "p8_estimate", "basics_4", "basics_5", "ebacc_entered", "ebacc_aps"],
    "mart_attendance_pupil": ["upn", "academic_year", "possible_sessions", "present_sessions",
                              "authorised_absence_sessions", "unauthorised_absence_sessions", "attendance_pct",
                              "persistent_absent", "severe_absent"],
}


def test_the_public_marts_have_their_promised_columns():
    con = Tiny().build()
    for mart, columns in PROMISED.items():
        present = {row[0] for row in con.execute(f"describe {mart}").fetchall()}
        assert set(columns) <= present, (mart, set(columns) - present)


def test_a_p8_table_that_does_not_exist_stops_the_build():
    import pytest

    from warehouse.transform import DataTestFailed

    with pytest.raises(DataTestFailed, match="int_a8_estimate"):
        Tiny(**{"measures.p8_table_year": 2019}).build()
