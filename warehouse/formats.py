"""The import formats: for each kind of MIS export, its canonical columns.

This module is the single description of what a file of each kind holds. The
reader maps headers onto these names (through ``HEADER_ALIASES``), the
normaliser converts values by ``Column.type``, the Great Expectations suites in
``expectations/`` check them, the raw tables are created from them, and
``docs/import-formats.md`` describes them (a test keeps the two in step).
No Streamlit, no Great Expectations here: the dashboard may import it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

YES_NO = ("Y", "N")
GENDERS = ("M", "F", "X")
SEN_STATUSES = ("N", "K", "E")
TERMS = ("autumn", "spring", "summer")
GRADE_TYPES = ("working_at", "predicted", "mock", "final")
POINT_KINDS = ("drop", "mock", "exam")
TARGET_KINDS = ("target", "estimate")
SESSIONS = ("AM", "PM")
KEY_STAGES = ("3", "4", "5")
EBACC_CATEGORIES = (
    "english_language", "english_literature", "maths", "science",
    "combined_science", "humanities", "languages", "none",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text | code | upn | date | yes_no | int | number | grade | effort | academic_year | enum
    required: bool = False
    description: str = ""
    values: tuple[str, ...] = ()  # accepted values, for type "enum"
    minimum: float | None = None
    maximum: float | None = None
    # Filled from an ingest option (e.g. --school) when the file has no such column.
    from_option: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    # Kinds whose rows must already be known (pupils, subjects, ...) for this one.
    depends_on: tuple[str, ...] = ()
    example: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required and not c.from_option]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


SCHOOL = Column(
    "school_code", "code", True,
    "The school the row belongs to (DfE URN, or a short code). Optional in the file: "
    "when absent, the `--school` ingest option or the configured default school is used.",
    from_option=True,
)
UPN = Column("upn", "upn", True,
             "Unique Pupil Number, 13 characters, the first a DfE check letter (e.g. `H801200001001`).")
SUBJECT = Column("subject_code", "code", True,
                 "Subject code as in the subjects file (its name is accepted too).")
ACADEMIC_YEAR = Column("academic_year", "academic_year", True,
                       "Academic year as `2025/26` (also `2025-26`, `2025-2026`).", from_option=True)

KINDS: dict[str, Kind] = {}


def _kind(kind: Kind) -> None:
    KINDS[kind.name] = kind


_kind(Kind(
    "pupils", "Pupils",
    "One row per pupil: identity, year and tutor group, characteristics and prior attainment.",
    (
        SCHOOL, UPN,
        Column("legal_surname", "text", True, "Legal surname."),
        Column("legal_forename", "text", True, "Legal forename."),
        Column("preferred_surname", "text", description="Preferred surname, if different."),
        Column("preferred_forename", "text", description="Preferred forename, if different."),
        Column("gender", "enum", True, "M, F or X.", values=GENDERS),
        Column("date_of_birth", "date", True, "Date of birth."),
        Column("year_group", "int", True, "National Curriculum year (7-13) in the academic year of the export.",
               minimum=7, maximum=13),
        Column("academic_year", "academic_year", True,
               "The academic year the year group refers to; defaults to the `--academic-year` "
               "ingest option or the configured current year.", from_option=True),
        Column("tutor_group", "text", description="Registration (tutor) group, e.g. `10B`."),
        Column("admission_date", "date", description="Date of admission."),
        Column("leaving_date", "date", description="Date of leaving, for pupils no longer on roll."),
        Column("disadvantaged", "yes_no", description="Disadvantaged (DfE definition): Y/N."),
        Column("pupil_premium", "yes_no", description="Pupil premium: Y/N."),
        Column("fsm", "yes_no", description="Eligible for free school meals: Y/N."),
        Column("sen_status", "enum", description="SEN provision: N (none), K (SEN support), E (EHC plan).",
               values=SEN_STATUSES),
        Column("eal", "yes_no", description="English as an additional language: Y/N."),
        Column("ethnicity", "code", description="DfE ethnicity code, e.g. `WBRI`."),
        Column("looked_after", "yes_no", description="Looked after (in care): Y/N."),
        Column("more_able", "yes_no", description="On the school's more able register: Y/N."),
        Column("ks2_reading", "int", description="KS2 reading scaled score, 80-120; 79 for a result of N "
               "(took the test, not awarded a scaled score: the DfE counts it as 79); blank when not taken.",
               minimum=79, maximum=120),
        Column("ks2_maths", "int", description="KS2 maths scaled score, 80-120; 79 for a result of N "
               "(took the test, not awarded a scaled score: the DfE counts it as 79); blank when not taken.",
               minimum=79, maximum=120),
        Column("alternative_baseline", "number",
               description="Alternative baseline where KS2 is missing, e.g. CAT mean standard age score (60-141).",
               minimum=0, maximum=200),
        Column("custom_groups", "text", description="School-defined groups, separated by `;`."),
    ),
    natural_key=("school_code", "upn"),
    example="pupils.csv",
))

_kind(Kind(
    "subjects", "Subjects",
    "One row per subject or course, with the grade scale its assessments use.",
    (
        SCHOOL,
        Column("subject_code", "code", True, "Short code, e.g. `MA`."),
        Column("subject_name", "text", True, "Name, e.g. `Mathematics`."),
        Column("key_stage", "enum", True, "Key stage: 3, 4 or 5.", values=KEY_STAGES),
        Column("qualification", "text", description="Qualification, e.g. `GCSE`, `BTEC Tech Award`."),
        Column("ebacc_category", "enum", description="EBacc pillar for Attainment 8.", values=EBACC_CATEGORIES),
        Column("a8_eligible", "yes_no", description="Counts in Attainment 8: Y/N."),
        Column("grade_scale", "scale", True, "Grade scale code (see the scales table), e.g. `gcse_fine`."),
        Column("effort_scale", "scale", description="Effort scale code, e.g. `effort_1_4`."),
    ),
    natural_key=("school_code", "subject_code"),
    example="subjects.csv",
))

_kind(Kind(
    "staff", "Staff",
    "One row per member of staff who teaches or sets targets.",
    (
        SCHOOL,
        Column("staff_code", "code", True, "Staff code, e.g. `JSM`."),
        Column("title", "text", description="Title, e.g. `Ms`."),
        Column("forename", "text", description="Forename."),
        Column("surname", "text", True, "Surname."),
        Column("email", "text", description="Work email address."),
    ),
    natural_key=("school_code", "staff_code"),
    example="staff.csv",
))

_kind(Kind(
    "teaching_groups", "Teaching groups (class lists)",
    "One row per pupil in a class: the class, its subject and teacher, and the pupil.",
    (
        SCHOOL, ACADEMIC_YEAR,
        Column("class_code", "text", True, "Class code, e.g. `10A/Ma1`."),
        SUBJECT,
        Column("teacher_code", "code", description="Staff code of the class teacher."),
        UPN,
    ),
    natural_key=("school_code", "academic_year", "class_code", "upn"),
    depends_on=("pupils", "subjects", "staff"),
    example="teaching_groups.csv",
))

_kind(Kind(
    "assessment_points", "Assessment points (data drops)",
    "One row per data drop: when it was, and what kind.",
    (
        SCHOOL,
        Column("assessment_point", "text", True, "Name of the drop, unique in the school, e.g. `2025/26 Autumn`."),
        Column("academic_year", "academic_year", True, "Academic year, e.g. `2025/26`."),
        Column("term", "enum", True, "autumn, spring or summer.", values=TERMS),
        Column("date", "date", True, "Date the drop closed."),
        Column("point_kind", "enum", description="drop (teacher assessment), mock or exam. Default drop.",
               values=POINT_KINDS),
    ),
    natural_key=("school_code", "assessment_point"),
    example="assessment_points.csv",
))

_kind(Kind(
    "assessments", "Assessments (long form)",
    "One row per pupil x subject x assessment point x grade type.",
    (
        SCHOOL, UPN, SUBJECT,
        Column("assessment_point", "text", True,
               "Name of the drop, as in the assessment points file (or the `--assessment-point` option).",
               from_option=True),
        Column("grade_type", "enum", True,
               "working_at, predicted, mock or final (or the `--grade-type` option).",
               values=GRADE_TYPES, from_option=True),
        Column("grade", "grade", description="Grade label on the subject's scale; blank when not yet entered."),
        Column("effort", "effort", description="Effort on the subject's effort scale."),
    ),
    natural_key=("school_code", "upn", "subject_code", "assessment_point", "grade_type"),
    depends_on=("pupils", "subjects", "assessment_points"),
    example="assessments.csv",
    notes=("A **wide marksheet** is also accepted: a row per pupil with a `UPN` column and "
           "one column per subject (headed with the subject code or name). Give the drop and "
           "grade type with `--assessment-point` and `--grade-type`. Each grade cell becomes "
           "one assessment row; blank cells are grades not yet entered.",),
))

_kind(Kind(
    "targets", "Targets and estimates",
    "One row per target or estimate set: the history is kept, the latest counts.",
    (
        SCHOOL, UPN, SUBJECT,
        Column("target_kind", "enum", True, "target (agreed) or estimate (e.g. FFT50).", values=TARGET_KINDS),
        Column("grade", "grade", True, "Grade on the subject's scale."),
        Column("source", "text", description="Who or what produced it, e.g. `FFT50`, `school`."),
        Column("set_by", "text", description="Staff code or name of who set it."),
        Column("set_on", "date", True, "Date it was set."),
        Column("reason", "text", description="Why it was set or changed."),
    ),
    natural_key=("school_code", "upn", "subject_code", "target_kind", "source", "set_on"),
    depends_on=("pupils", "subjects"),
    example="targets.csv",
))

_kind(Kind(
    "attendance_sessions", "Attendance register marks",
    "One row per pupil x date x session, with the DfE register code.",
    (
        SCHOOL, UPN,
        Column("date", "date", True, "Date of the session."),
        Column("session", "enum", True, "AM or PM.", values=SESSIONS),
        Column("mark", "mark", True,
               "DfE attendance code valid on that date: the set in force before 19 August 2024 "
               "or the one from that date (see the codes table)."),
    ),
    natural_key=("school_code", "upn", "date", "session"),
    depends_on=("pupils",),
    example="attendance_sessions.csv",
))

_kind(Kind(
    "attendance_summary", "Attendance summaries",
    "One row per pupil x period, as MIS attendance summary reports give it.",
    (
        SCHOOL, UPN,
        Column("from_date", "date", True, "First day of the period."),
        Column("to_date", "date", True, "Last day of the period."),
        Column("possible_sessions", "int", True, "Possible sessions.", minimum=0, maximum=1000),
        Column("present_sessions", "int", True, "Sessions attended (present, late, or approved "
               "educational activity).", minimum=0, maximum=1000),
        Column("authorised_absence", "int", True, "Sessions of authorised absence.", minimum=0, maximum=1000),
        Column("unauthorised_absence", "int", True, "Sessions of unauthorised absence.",
               minimum=0, maximum=1000),
    ),
    natural_key=("school_code", "upn", "from_date", "to_date"),
    depends_on=("pupils",),
    example="attendance_summary.csv",
))

_kind(Kind(
    "interventions", "Interventions",
    "One row per pupil taking part in an intervention programme.",
    (
        SCHOOL,
        Column("programme", "text", True, "Name of the programme, e.g. `Year 11 maths boost`."),
        UPN,
        Column("subject_code", "code", description="Subject the programme targets, if any."),
        Column("start_date", "date", True, "First day of the pupil's participation."),
        Column("end_date", "date", description="Last day (blank while it runs)."),
        Column("lead", "text", description="Who runs it."),
    ),
    natural_key=("school_code", "programme", "upn", "start_date"),
    depends_on=("pupils",),
    example="interventions.csv",
))

# Order in which kinds are loaded within one run, so that lookups (known pupils,
# subjects, drops) see the rows of files given in the same run.
LOAD_ORDER = (
    "subjects", "staff", "pupils", "assessment_points", "teaching_groups",
    "assessments", "targets", "attendance_sessions", "attendance_summary", "interventions",
)
assert set(LOAD_ORDER) == set(KINDS)


def normalise_header(header: object) -> str:
    """`Legal Surname ` -> `legal_surname`; `D.O.B.` -> `d_o_b`."""
    text = str(header).strip().lower().replace("\ufeff", "")
    return re.sub(r"[^0-9a-z*]+", "_", text).strip("_")


# Canonical column -> the header spellings seen in SIMS, Arbor and Bromcom
# exports, normalised with normalise_header.
HEADER_SPELLINGS = {
    "school_code": ["school", "urn", "school_urn", "dfe_number", "laestab", "establishment"],
    "upn": ["upn", "unique_pupil_number", "pupil_upn", "student_upn"],
    "legal_surname": ["legal_surname", "surname", "last_name", "family_name", "student_surname"],
    "legal_forename": ["legal_forename", "forename", "first_name", "given_name", "legal_first_name",
                       "student_forename"],
    "preferred_surname": ["preferred_surname", "chosen_surname"],
    "preferred_forename": ["preferred_forename", "preferred_name", "chosen_name", "known_as"],
    "gender": ["gender", "sex"],
    "date_of_birth": ["date_of_birth", "dob", "d_o_b", "birth_date", "birthdate"],
    "year_group": ["year_group", "year", "nc_year", "national_curriculum_year", "curriculum_year", "yr"],
    "academic_year": ["academic_year", "acad_year", "school_year"],
    "tutor_group": ["tutor_group", "reg_group", "registration_group", "form", "form_group", "tutor"],
    "admission_date": ["admission_date", "date_of_admission", "start_date_at_school", "entry_date"],
    "leaving_date": ["leaving_date", "date_of_leaving", "leave_date"],
    "disadvantaged": ["disadvantaged", "disadvantaged_pupil", "disadv"],
    "pupil_premium": ["pupil_premium", "pp", "pupil_premium_indicator", "pp_eligible"],
    "fsm": ["fsm", "fsm_eligible", "free_school_meals", "fsm_eligibility"],
    "sen_status": ["sen_status", "sen", "sen_provision", "send", "send_status", "sen_stage"],
    "eal": ["eal", "english_additional_language", "english_as_an_additional_language"],
    "ethnicity": ["ethnicity", "ethnic_code", "ethnicity_code", "ethnic_group"],
    "looked_after": ["looked_after", "in_care", "cla", "lac", "child_looked_after"],
    "more_able": ["more_able", "gifted_and_talented", "g_t", "high_prior_attainer", "ma"],
    "ks2_reading": ["ks2_reading", "ks2_reading_scaled_score", "ks2_read", "ks2_reading_ss", "ks2_rd"],
    "ks2_maths": ["ks2_maths", "ks2_maths_scaled_score", "ks2_math", "ks2_maths_ss", "ks2_ma"],
    "alternative_baseline": ["alternative_baseline", "cat_mean", "cat_mean_sas", "cat4_mean", "mean_sas"],
    "custom_groups": ["custom_groups", "groups", "user_defined_groups"],
    "subject_code": ["subject_code", "subject", "course_code", "subj"],
    "subject_name": ["subject_name", "course_name", "course_title", "subject_title"],
    "key_stage": ["key_stage", "ks", "keystage"],
    "qualification": ["qualification", "qual", "qualification_type"],
    "ebacc_category": ["ebacc_category", "ebacc", "ebacc_pillar"],
    "a8_eligible": ["a8_eligible", "attainment_8", "counts_in_a8", "a8"],
    "grade_scale": ["grade_scale", "scale", "grade_set", "gradeset", "aspect_grade_set"],
    "effort_scale": ["effort_scale", "effort_grade_set"],
    "staff_code": ["staff_code", "initials", "staff_id"],
    "title": ["title"],
    "surname": ["staff_surname"],
    "forename": ["staff_forename"],
    "email": ["email", "email_address", "work_email"],
    "class_code": ["class_code", "class", "teaching_group", "group", "class_name", "set"],
    "teacher_code": ["teacher", "teacher_code", "class_teacher", "main_teacher"],
    "assessment_point": ["assessment_point", "data_drop", "drop", "result_set", "resultset",
                         "assessment", "assessment_name"],
    "term": ["term"],
    "date": ["date", "session_date", "mark_date", "drop_date"],
    "point_kind": ["point_kind", "drop_kind", "assessment_kind"],
    "grade_type": ["grade_type", "grade_kind", "aspect", "result_type"],
    "grade": ["grade", "result", "mark_grade", "value", "working_at_grade"],
    "effort": ["effort", "effort_grade", "attitude_to_learning", "atl"],
    "target_kind": ["target_kind", "target_type", "estimate_type"],
    "source": ["source", "target_source", "estimate_source"],
    "set_by": ["set_by", "entered_by", "author"],
    "set_on": ["set_on", "date_set", "set_date"],
    "reason": ["reason", "comment", "rationale"],
    "session": ["session", "am_pm", "am_or_pm"],
    "mark": ["mark", "attendance_mark", "code", "attendance_code", "register_mark"],
    "from_date": ["from_date", "from", "start_date_of_period", "period_start"],
    "to_date": ["to_date", "to", "end_date_of_period", "period_end"],
    "possible_sessions": ["possible_sessions", "possible", "possible_marks", "sessions_possible"],
    "present_sessions": ["present_sessions", "present", "attended", "present_marks", "attendances"],
    "authorised_absence": ["authorised_absence", "authorised_absences", "authorised", "auth_abs"],
    "unauthorised_absence": ["unauthorised_absence", "unauthorised_absences", "unauthorised",
                             "unauth_abs"],
    "programme": ["programme", "program", "intervention", "intervention_name"],
    "start_date": ["start_date", "started", "intervention_start"],
    "end_date": ["end_date", "ended", "intervention_end"],
    "lead": ["lead", "led_by", "staff_lead"],
}

HEADER_ALIASES: dict[str, str] = {}
for _canonical, _spellings in HEADER_SPELLINGS.items():
    for _spelling in _spellings:
        assert _spelling not in HEADER_ALIASES, f"alias {_spelling} listed twice"
        HEADER_ALIASES[_spelling] = _canonical

# Within a kind, a few canonical names share a spelling with another kind's
# column; these per-kind overrides win over HEADER_ALIASES.
KIND_ALIASES: dict[str, dict[str, str]] = {
    "staff": {"surname": "surname", "forename": "forename", "first_name": "forename",
              "last_name": "surname", "code": "staff_code"},
    "subjects": {"name": "subject_name", "subject": "subject_name", "code": "subject_code"},
    "assessment_points": {"name": "assessment_point", "kind": "point_kind"},
    "interventions": {"subject": "subject_code"},
}


def canonical_column(header: object, kind: str | None = None) -> str:
    """The canonical column a header stands for (or its normalised text)."""
    key = normalise_header(header)
    if kind and key in KIND_ALIASES.get(kind, {}):
        return KIND_ALIASES[kind][key]
    if kind and key in (c.name for c in KINDS[kind].columns):
        return key
    return HEADER_ALIASES.get(key, key)
