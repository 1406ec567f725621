"""What an import is checked against: the pupils, subjects, staff and drops the
warehouse already knows (plus those loaded earlier in the same run), the grade
scales and the DfE attendance codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from warehouse.config import load_settings
from warehouse.formats import normalise_header
from warehouse.scales import REFERENCE_DIR, all_scales

# The DfE's new register codes apply from this day (School Attendance (Pupil
# Registration) (England) Regulations 2024).
NEW_CODES_FROM = date(2024, 8, 19)
_NEW_CODES_FROM_ISO = NEW_CODES_FROM.isoformat()


@dataclass
class Scale:
    code: str
    kind: str  # attainment | effort
    labels: dict[str, str]  # upper-cased label -> label as on the scale


def load_scales(config: dict | None = None) -> dict[str, Scale]:
    """The scales in force: built in plus tracker.toml's [scales.<code>] (config, else the file's)."""
    rows = all_scales(load_settings().scales if config is None else config)
    scales: dict[str, Scale] = {}
    for code, kind, label, aliases in rows[["scale_code", "kind", "label", "aliases"]].itertuples(index=False):
        scale = scales.setdefault(code, Scale(code, kind, {}))
        scale.labels[label.upper()] = label
        for alias in filter(None, aliases.split(";")):
            scale.labels.setdefault(alias.upper(), label)
    return scales


def load_attendance_codes() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "attendance_codes.csv", dtype=str, keep_default_na=False)


def code_set_for(iso_date: str) -> str:
    """'before' or 'from': which DfE code set was in force on an ISO date."""
    return "from" if iso_date >= _NEW_CODES_FROM_ISO else "before"


@dataclass
class Subject:
    code: str
    name: str
    grade_scale: str
    effort_scale: str | None


@dataclass
class Lookups:
    scales: dict[str, Scale]
    dated_marks: set[str]  # "before|MARK", "from|MARK"
    pupils: set[str] = field(default_factory=set)   # school|upn
    staff: set[str] = field(default_factory=set)    # school|staff
    points: set[str] = field(default_factory=set)   # school|assessment point
    subjects: dict[str, Subject] = field(default_factory=dict)  # school|code -> Subject

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> "Lookups":
        codes = load_attendance_codes()
        dated = {f"before|{c}" for c in codes.loc[codes.before_aug_2024 == "Y", "code"]}
        dated |= {f"from|{c}" for c in codes.loc[codes.from_aug_2024 == "Y", "code"]}
        lookups = cls(scales=load_scales(), dated_marks=dated)
        lookups.add_rows("pupils", con.sql("select distinct school_code, upn from raw_pupils").df())
        lookups.add_rows("staff", con.sql("select distinct school_code, staff_code from raw_staff").df())
        lookups.add_rows("assessment_points",
                         con.sql("select distinct school_code, assessment_point from raw_assessment_points").df())
        # The latest row of each subject describes it (a corrected file replaces earlier ones).
        subjects = con.sql(
            "select school_code, subject_code, subject_name, grade_scale, effort_scale from raw_subjects "
            "order by _batch_id, _row_number"
        ).df()
        lookups.add_rows("subjects", subjects)
        return lookups

    def add_rows(self, kind: str, frame: pd.DataFrame) -> None:
        """Remember the keys of rows just loaded, for the files after them in a run."""
        if frame.empty:
            return
        if kind == "pupils":
            self.pupils.update(frame.school_code + "|" + frame.upn)
        elif kind == "staff":
            self.staff.update(frame.school_code + "|" + frame.staff_code)
        elif kind == "assessment_points":
            self.points.update(frame.school_code + "|" + frame.assessment_point)
        elif kind == "subjects":
            effort = frame["effort_scale"] if "effort_scale" in frame else pd.Series([None] * len(frame))
            for school, code, name, scale, effort_scale in zip(
                frame.school_code, frame.subject_code, frame.subject_name, frame.grade_scale, effort
            ):
                self.subjects[f"{school}|{code}"] = Subject(code, name, scale, None if pd.isna(effort_scale) else effort_scale)

    def subject_labels(self, school: str) -> dict[str, str]:
        """Normalised subject code or name -> subject code, for one school."""
        labels: dict[str, str] = {}
        for key, subject in self.subjects.items():
            if key.startswith(f"{school}|"):
                labels[normalise_header(subject.name)] = subject.code
                labels[normalise_header(subject.code)] = subject.code
        return labels

    def valid_subject_grades(self) -> list[str]:
        return self._valid_labels(lambda subject: [subject.grade_scale])

    def valid_subject_efforts(self) -> list[str]:
        effort_scales = [code for code, scale in self.scales.items() if scale.kind == "effort"]
        return self._valid_labels(lambda s: [s.effort_scale] if s.effort_scale else effort_scales)

    def _valid_labels(self, scales_of) -> list[str]:
        valid = []
        for key, subject in self.subjects.items():
            for scale_code in scales_of(subject):
                scale = self.scales.get(scale_code)
                if scale:
                    valid.extend(f"{key}|{label}" for label in scale.labels.values())
        return valid

    def canonical_label(self, school: str, subject_code: str, label: str, which: str = "grade") -> str:
        """'6+' for '6+', 'D*' for 'd*': a grade as spelt on its subject's scale."""
        subject = self.subjects.get(f"{school}|{subject_code}")
        if subject is None:
            return label
        codes = [subject.grade_scale] if which == "grade" else (
            [subject.effort_scale] if subject.effort_scale else
            [c for c, s in self.scales.items() if s.kind == "effort"])
        for code in codes:
            scale = self.scales.get(code)
            if scale and label.upper() in scale.labels:
                return scale.labels[label.upper()]
        return label
