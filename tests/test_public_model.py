"""The marts users query in meetings keep the columns the issue promised (names may grow, not change)."""
import pytest

from tests.tiny import Tiny
from warehouse import transform
from warehouse.config import load_settings
from warehouse.transform import DataTestFailed

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
    with pytest.raises(DataTestFailed, match="int_a8_estimate"):
        Tiny(**{"measures.p8_table_year": 2019}).build()


def test_a_model_that_became_a_view_replaces_the_table_an_older_warehouse_has():
    tiny = Tiny()
    con = tiny.build()
    con.execute("drop view int_a8_slot")
    con.execute("create table int_a8_slot as select 1 as x")  # as an earlier version built it
    transform.build(con, load_settings())
    assert con.execute("select count(*) from duckdb_views() where view_name = 'int_a8_slot'").fetchall() == [(1,)]
