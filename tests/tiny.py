"""A tiny warehouse built in memory from hand-written raw rows, for hand-computed measures.

Rows go straight into the raw tables (as ingestion would leave them: canonical
text), then the real transforms build every model. No files, no Great
Expectations: a build takes about a second.
"""
from __future__ import annotations

import dataclasses
from itertools import count

import duckdb
import pandas as pd

from warehouse import transform
from warehouse.config import MEASURE_DEFAULTS, load_settings
from warehouse.schema import ensure_schema, raw_columns, raw_table

SCHOOL = "S001"

# Enough of each kind for the staging models; tests give what matters to them.
DEFAULTS = {
    "pupils": {"legal_surname": "Pupil", "legal_forename": "Test", "gender": "F", "date_of_birth": "2010-01-01",
               "academic_year": "2025/26", "year_group": "11"},
    "subjects": {"grade_scale": "gcse_fine", "effort_scale": "effort_1_4", "a8_eligible": "Y"},
    "assessment_points": {"term": "autumn", "point_kind": "drop"},
    "assessments": {"grade_type": "working_at"},
    "targets": {"target_kind": "target", "source": "school"},
    "attendance_sessions": {"session": "AM"},
    "staff": {"surname": "Teacher"},
}

# KS4 subjects as the demo school has them: code -> (name, EBacc category).
KS4_SUBJECTS = {
    "MA4": ("Mathematics", "maths"), "EL4": ("English Language", "english_language"),
    "LT4": ("English Literature", "english_literature"), "SC4": ("Combined Science", "combined_science"),
    "BI4": ("Biology", "science"), "CH4": ("Chemistry", "science"), "PH4": ("Physics", "science"),
    "CS4": ("Computer Science", "science"), "HI4": ("History", "humanities"), "GE4": ("Geography", "humanities"),
    "FR4": ("French", "languages"), "AR4": ("Art", "none"), "MU4": ("Music", "none"), "RS4": ("RS", "none"),
}


class Tiny:
    def __init__(self, **settings):
        self.con = duckdb.connect()
        ensure_schema(self.con)
        self.rows: dict[str, list[dict]] = {}
        self._row_numbers = count(2)
        unknown = set(settings) - set(MEASURE_DEFAULTS)
        assert not unknown, unknown
        self.measures = {**MEASURE_DEFAULTS, **settings}
        self.scales: dict = {}

    def add(self, kind: str, **row) -> "Tiny":
        self.rows.setdefault(kind, []).append({"school_code": SCHOOL, **DEFAULTS.get(kind, {}), **row})
        return self

    def pupil(self, upn: str, **row) -> "Tiny":
        return self.add("pupils", upn=upn, **row)

    def ks4_subjects(self, *codes: str, **row) -> "Tiny":
        for code in codes or KS4_SUBJECTS:
            name, category = KS4_SUBJECTS[code]
            self.add("subjects", subject_code=code, subject_name=name, key_stage="4", ebacc_category=category, **row)
        return self

    def point(self, name: str, date: str, academic_year: str, term: str, **row) -> "Tiny":
        return self.add("assessment_points", assessment_point=name, date=date, academic_year=academic_year,
                        term=term, **row)

    def grades(self, upn: str, point: str, grades: dict[str, str], **row) -> "Tiny":
        for subject, grade in grades.items():
            self.add("assessments", upn=upn, subject_code=subject, assessment_point=point, grade=grade, **row)
        return self

    def build(self) -> duckdb.DuckDBPyConnection:
        for kind, rows in self.rows.items():
            columns = [c for c in raw_columns(kind) if not c.startswith("_")]
            frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
            frame["_batch_id"] = 1
            frame["_row_number"] = [next(self._row_numbers) for _ in range(len(frame))]
            frame["_file_hash"] = "tiny"
            self.con.register("tiny_rows", frame)
            names = ", ".join(f'"{c}"' for c in frame.columns)
            self.con.execute(f"insert into {raw_table(kind)} ({names}) select {names} from tiny_rows")
            self.con.unregister("tiny_rows")
        settings = dataclasses.replace(load_settings(), measures=self.measures, scales=self.scales)
        transform.build(self.con, settings)
        return self.con

    def one(self, sql: str, *params):
        rows = self.con.execute(sql, list(params)).fetchall()
        assert len(rows) == 1, rows
        return rows[0] if len(rows[0]) > 1 else rows[0][0]

    def run(self, name: str, **params) -> pd.DataFrame:
        """A named query on the built warehouse, as WarehouseReader.run does it."""
        from warehouse.data import query_parameters, query_sql

        used = query_parameters(name)
        cursor = self.con.cursor()   # a cursor per query: loaders run a page's queries side by side
        try:
            return cursor.execute(query_sql(name), {k: v for k, v in params.items() if k in used}).df()
        finally:
            cursor.close()

    def frame(self, sql: str, *params) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()
