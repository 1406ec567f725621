"""Demo data: realistic, deterministic MIS exports for invented schools.

``generate(out_dir, schools=1, seed=2026)`` writes, for each school, the files a
data manager would export from the MIS (pupils, subjects, staff, class lists,
three years of termly assessments, targets, attendance, interventions) and
returns them in load order, ready for the ingester. The same seed always gives
byte-identical files, so the demo, the tests and the benchmarks are repeatable.

The data is made to tell true stories the dashboard can find:

* prior attainment (KS2, or a CAT mean where KS2 was cancelled) predicts GCSE
  results; disadvantaged pupils make less progress from the same starting point;
  pupils who miss more school do worse; interventions really help;
* grades drift upwards over time (+2 NC sub-levels a year at KS3, working-at
  grades closing on the final grade at KS4);
* the usual mess of real exports: a Windows-1252 semicolon file with MIS
  headers, a wide marksheet, an XLSX file, a BOM, a class with no grades at the
  latest drop and a handful of bad rows (see ``DELIBERATE_PROBLEMS``).

Files per school (out_dir/<school_code>/), in load order:

    subjects.csv                         subjects             UTF-8
    staff.xlsx                           staff                XLSX (openpyxl)
    pupils.csv                           pupils               Windows-1252, ';', CRLF, MIS headers
    assessment_points.csv                assessment_points    UTF-8
    teaching_groups.csv                  teaching_groups      UTF-8, all three years
    assessments_2023-24.csv              assessments          UTF-8, SIMS-style headers
    assessments_2024-25.csv              assessments          UTF-8
    assessments_2025-26.csv              assessments          UTF-8 (without the KS3 summer drop)
    assessments_2025-26_summer_ks3.csv   assessments (wide)   UTF-8, a column per KS3 subject name
    targets.csv                          targets              UTF-8 with BOM, ISO dates
    attendance_sessions_2025-26.csv      attendance_sessions  UTF-8, ~420k rows
    attendance_summary.csv               attendance_summary   UTF-8, 2023/24 and 2024/25
    interventions.csv                    interventions        UTF-8

No real people: names are random pairs from lists of common forenames and
surnames, and UPNs are well-formed numbers allocated here.
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum.gb import upn as upn_rules

# --------------------------------------------------------------------------
# Public interface
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoFile:
    path: Path
    school_code: str
    kind: str | None = None  # None: the ingester detects the kind from headers
    assessment_point: str | None = None  # for wide marksheets
    grade_type: str | None = None  # for wide marksheets
    academic_year: str | None = None  # for files whose rows have no academic_year column


@dataclass(frozen=True)
class DeliberateProblem:
    """A fault planted on purpose, at the same place in every school's files (and for any seed).

    Rows count as a spreadsheet shows them: the header is row 1, so the first data
    row is row 2 and `pandas.read_csv(...).iloc[row - 2]` is the row.
    """

    problem: str  # invalid_upn | grade_not_on_scale | unknown_subject | duplicate_row |
    #               unknown_mark | retired_mark | impossible_date | missing_grades
    file: str  # file name inside the school's folder (out_dir/<school_code>/)
    row: int | None  # row as a spreadsheet shows it: header = row 1, first data row = row 2
    column: str | None  # canonical column (wide marksheet: the subject header); None = whole row
    value: str | None  # the cell as written; None when it differs between schools
    description: str
    # For a problem spanning several rows (row is None): the rows whose cells hold these values.
    where: tuple[tuple[str, str], ...] = ()


ASSESSMENTS_FILES = {
    "2023/24": "assessments_2023-24.csv",
    "2024/25": "assessments_2024-25.csv",
    "2025/26": "assessments_2025-26.csv",
}
WIDE_MARKSHEET_FILE = "assessments_2025-26_summer_ks3.csv"
REGISTER_FILE = "attendance_sessions_2025-26.csv"
INTERVENTIONS_FILE = "interventions.csv"

DELIBERATE_PROBLEMS: tuple[DeliberateProblem, ...] = (
    DeliberateProblem(
        "invalid_upn", ASSESSMENTS_FILES["2025/26"], 101, "upn", None,
        "UPN with a wrong check letter: a typo of a real pupil's UPN."),
    DeliberateProblem(
        "grade_not_on_scale", ASSESSMENTS_FILES["2025/26"], 2002, "grade", "10",
        "Grade 10 on a GCSE subject (gcse_fine scale goes up to 9+)."),
    DeliberateProblem(
        "unknown_subject", ASSESSMENTS_FILES["2025/26"], 3003, "subject_code", "PS3",
        "Subject code PS3 (PSHE) is not in the subjects file."),
    DeliberateProblem(
        "grade_not_on_scale", ASSESSMENTS_FILES["2024/25"], 1234, "grade", "4x",
        "Grade 4x on a KS3 subject (nc_levels has 4a, 4b, 4c)."),
    DeliberateProblem(
        "duplicate_row", ASSESSMENTS_FILES["2023/24"], 502, None, None,
        "Exact duplicate of row 501."),
    DeliberateProblem(
        "unknown_mark", REGISTER_FILE, 12346, "mark", "?",
        "Register mark ? is not a DfE attendance code."),
    DeliberateProblem(
        "unknown_mark", REGISTER_FILE, 234568, "mark", "?",
        "Register mark ? is not a DfE attendance code."),
    DeliberateProblem(
        "retired_mark", REGISTER_FILE, 45679, "mark", "H",
        "Code H (authorised holiday) was withdrawn on 19 August 2024; this mark is in 2025/26."),
    DeliberateProblem(
        "retired_mark", REGISTER_FILE, 345679, "mark", "H",
        "Code H (authorised holiday) was withdrawn on 19 August 2024; this mark is in 2025/26."),
    DeliberateProblem(
        "impossible_date", INTERVENTIONS_FILE, 4, "end_date", "31/02/2026",
        "End date 31 February 2026 does not exist."),
    DeliberateProblem(
        "missing_grades", WIDE_MARKSHEET_FILE, None, "History", "",
        "Class 9C/Hi has no History grades at 2025/26 Summer: the teacher did not enter them.",
        where=(("Reg Group", "9C"),)),
)

_PLACES = (
    "Northfield", "Ashby Vale", "Brookmere", "Kingsmead", "Hollins Park", "Westgate",
    "Fernhill", "Longmoor", "Riverside", "Oakwood", "Castleford Heath", "Millbrook",
    "St Aidan's", "Harrowden", "Elmstead", "Thornbury Fields", "Marlcliff", "Greenhow",
    "Wrenfield", "Sandal Cross", "Beechcroft", "Stonebridge", "Linley", "Holmewood",
    "Calder Rise",
)
_SCHOOL_TYPES = ("Academy", "High School", "School", "Community College")

# S001 Northfield Academy, S002 Ashby Vale High School, ...: 100 distinct invented names
# (a school beyond those is called "School <n>").
SCHOOL_NAMES: dict[str, str] = {
    f"S{i + 1:03d}": f"{_PLACES[place]} {_SCHOOL_TYPES[(place + round_) % len(_SCHOOL_TYPES)]}"
    for i in range(len(_PLACES) * len(_SCHOOL_TYPES))
    for round_, place in [divmod(i, len(_PLACES))]
}
assert len(set(SCHOOL_NAMES.values())) == len(SCHOOL_NAMES)


def generate(out_dir: Path, schools: int = 1, seed: int = 2026) -> list[DemoFile]:
    """Write the exports of `schools` schools under out_dir/<school_code>/ and return them in load order."""
    if not 1 <= schools <= 999:
        raise ValueError("schools must be between 1 and 999")
    out_dir = Path(out_dir)
    files: list[DemoFile] = []
    for index in range(1, schools + 1):
        files += _generate_school(out_dir, index, seed)
    # Dependency order across the whole run (all subjects first, ...); stable, so
    # within a kind the schools and the per-year files keep their order.
    return sorted(files, key=lambda f: _LOAD_ORDER.index(f.kind))


_LOAD_ORDER = (
    "subjects", "staff", "pupils", "assessment_points", "teaching_groups",
    "assessments", "targets", "attendance_sessions", "attendance_summary", "interventions",
)

# --------------------------------------------------------------------------
# Timeline
# --------------------------------------------------------------------------

YEARS = ("2023/24", "2024/25", "2025/26")
YEAR_STARTS = (2023, 2024, 2025)
CURRENT_YEAR = "2025/26"
AS_OF = date(2026, 7, 17)
YEAR_FIRST_DAY = {2023: date(2023, 9, 4), 2024: date(2024, 9, 3), 2025: date(2025, 9, 3)}
YEAR_LAST_DAY = {2023: date(2024, 7, 19), 2024: date(2025, 7, 18), 2025: date(2026, 7, 17)}
SESSIONS_PER_YEAR = 380  # 190 school days, AM and PM

# Each cohort is named by the academic year (its start) in which it is in Y11.
# 2023 and 2024 left in July 2024 and July 2025; 2025 is this year's Y11; 2029 is Y7.
COHORTS = tuple(range(2023, 2030))
# Year 6 in 2019/20 and 2020/21: the KS2 tests were cancelled.
NO_KS2_COHORTS = (2024, 2025)
LEAVER_COHORTS = (2023, 2024)
TUTOR_LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class AssessmentPoint:
    name: str
    year_start: int
    term: str
    date: date
    kind: str  # drop | exam
    # How far through the school year the grades describe (for the growth model).
    year_fraction: float

    @property
    def academic_year(self) -> str:
        return _academic_year(self.year_start)


def _academic_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _assessment_points() -> tuple[AssessmentPoint, ...]:
    drop_dates = {
        2023: (date(2023, 12, 8), date(2024, 3, 22), date(2024, 7, 5)),
        2024: (date(2024, 12, 6), date(2025, 3, 28), date(2025, 7, 4)),
        2025: (date(2025, 12, 5), date(2026, 3, 20), date(2026, 7, 3)),
    }
    results_days = {2023: date(2024, 8, 22), 2024: date(2025, 8, 21)}  # none yet for 2025/26
    points = []
    for start in YEAR_STARTS:
        for term, when, fraction in zip(("autumn", "spring", "summer"), drop_dates[start], (0.3, 0.6, 0.85)):
            points.append(AssessmentPoint(f"{_academic_year(start)} {term.title()}", start, term, when,
                                          "drop", fraction))
        if start in results_days:
            points.append(AssessmentPoint(f"{_academic_year(start)} GCSE results", start, "summer",
                                          results_days[start], "exam", 1.0))
    return tuple(points)


ASSESSMENT_POINTS = _assessment_points()
_POINT_BY_NAME = {p.name: p for p in ASSESSMENT_POINTS}


def _school_days_2025_26() -> np.ndarray:
    """School days (Mon-Fri in term, minus half terms, bank holiday and INSET days)."""
    terms = ((date(2025, 9, 3), date(2025, 12, 19)), (date(2026, 1, 5), date(2026, 3, 27)),
             (date(2026, 4, 13), date(2026, 7, 17)))
    closed = set()
    for start, end in ((date(2025, 10, 27), date(2025, 10, 31)), (date(2026, 2, 16), date(2026, 2, 20)),
                       (date(2026, 5, 25), date(2026, 5, 29))):
        closed |= {start + timedelta(days=i) for i in range((end - start).days + 1)}
    closed |= {date(2026, 1, 5), date(2026, 6, 1),  # INSET days
               date(2026, 5, 4)}  # early May bank holiday
    days = [start + timedelta(days=i)
            for start, end in terms for i in range((end - start).days + 1)]
    days = [d for d in days if d.weekday() < 5 and d not in closed]
    return np.array(days, dtype="datetime64[D]")


SCHOOL_DAYS = _school_days_2025_26()
assert len(SCHOOL_DAYS) * 2 == SESSIONS_PER_YEAR

# --------------------------------------------------------------------------
# Subjects
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    key_stage: str
    qualification: str
    ebacc_category: str
    a8_eligible: str
    grade_scale: str
    domain: str  # what the pupil is good at: ties KS3 to KS4 grades in the same area
    class_abbr: str  # as in class codes: 10X/Ma1
    department: str  # who teaches it
    grouping: str  # setted (by attainment, in two half-year bands) | tutor (tutor groups) | option


def _ks3(code, name, domain, abbr, department, grouping="tutor") -> Subject:
    return Subject(code, name, "3", "", "", "N", "nc_levels", domain, abbr, department, grouping)


def _gcse(code, name, ebacc, domain, abbr, department, grouping="option") -> Subject:
    return Subject(code, name, "4", "GCSE", ebacc, "Y", "gcse_fine", domain, abbr, department, grouping)


SUBJECTS: tuple[Subject, ...] = (
    _ks3("EN3", "English", "english", "En", "english", "setted"),
    _ks3("MA3", "Mathematics", "maths", "Ma", "maths", "setted"),
    _ks3("SC3", "Science", "science", "Sc", "science", "setted"),
    _ks3("HI3", "History", "history", "Hi", "humanities"),
    _ks3("GE3", "Geography", "geography", "Ge", "humanities"),
    _ks3("FR3", "French", "languages", "Fr", "languages"),
    _ks3("AR3", "Art", "art", "Ar", "art"),
    _ks3("CO3", "Computing", "computing", "Co", "computing"),
    _ks3("RE3", "Religious Education", "re", "Re", "re"),
    _gcse("EL4", "GCSE English Language", "english_language", "english", "El", "english", "setted"),
    _gcse("LT4", "GCSE English Literature", "english_literature", "english", "Lt", "english", "setted"),
    _gcse("MA4", "GCSE Mathematics", "maths", "maths", "Ma", "maths", "setted"),
    _gcse("SC4", "GCSE Combined Science", "combined_science", "science", "Sc", "science", "setted"),
    _gcse("BI4", "GCSE Biology", "science", "science", "Bi", "science"),
    _gcse("CH4", "GCSE Chemistry", "science", "science", "Ch", "science"),
    _gcse("PH4", "GCSE Physics", "science", "science", "Ph", "science"),
    _gcse("HI4", "GCSE History", "humanities", "history", "Hi", "humanities"),
    _gcse("GE4", "GCSE Geography", "humanities", "geography", "Ge", "humanities"),
    _gcse("FR4", "GCSE French", "languages", "languages", "Fr", "languages"),
    _gcse("SP4", "GCSE Spanish", "languages", "languages", "Sp", "languages"),
    _gcse("CS4", "GCSE Computer Science", "science", "computing", "Cs", "computing"),
    _gcse("AR4", "GCSE Art and Design", "none", "art", "Ar", "art"),
    _gcse("RS4", "GCSE Religious Studies", "none", "re", "Rs", "re"),
    _gcse("DT4", "GCSE Design and Technology", "none", "dt", "Dt", "dt"),
    _gcse("MU4", "GCSE Music", "none", "music", "Mu", "music"),
    _gcse("FT4", "GCSE Food Preparation and Nutrition", "none", "dt", "Ft", "dt"),
    _gcse("BS4", "GCSE Business", "none", "business", "Bs", "business"),
    Subject("PE4", "BTEC Tech Award in Sport", "4", "BTEC Tech Award", "none", "Y", "btec",
            "sport", "Pe", "pe", "option"),
)
SUBJECT_INDEX = {s.code: i for i, s in enumerate(SUBJECTS)}
KS3_SUBJECTS = [i for i, s in enumerate(SUBJECTS) if s.key_stage == "3"]
KS4_SUBJECTS = [i for i, s in enumerate(SUBJECTS) if s.key_stage == "4"]
DOMAINS = tuple(dict.fromkeys(s.domain for s in SUBJECTS))
EFFORT_SCALE = "effort_1_4"

# --------------------------------------------------------------------------
# Grade scales (labels as in reference/grade_scales.csv)
# --------------------------------------------------------------------------


def _gcse_fine_labels() -> np.ndarray:
    """Label for each number of thirds of a grade (0 .. 28): U, U, 1-, 1, 1+, 2-, ..., 9+."""
    labels = ["U", "U"]
    for thirds in range(2, 29):
        whole = (thirds + 1) // 3
        labels.append(f"{whole}{ {-1: '-', 0: '', 1: '+'}[thirds - 3 * whole] }".replace(" ", ""))
    return np.array(labels, dtype=object)


_FINE_LABELS = _gcse_fine_labels()
_WHOLE_LABELS = np.array(["U"] + [str(g) for g in range(1, 10)], dtype=object)
_NC_LABELS = np.array([f"{1 + n // 3}{'cba'[n % 3]}" for n in range(24)], dtype=object)  # 1c (7 points) .. 8a (53)
_BTEC_POINTS = np.array([0, 1.25, 1.5, 2, 3, 4, 5.5, 7, 8.5])
_BTEC_LABELS = np.array(["U", "L1P", "L1M", "L1D", "L1D*", "P", "M", "D", "D*"], dtype=object)


def gcse_fine_label(points: np.ndarray) -> np.ndarray:
    return _FINE_LABELS[np.clip(np.rint(np.asarray(points) * 3), 0, 28).astype(int)]


def gcse_whole_label(points: np.ndarray) -> np.ndarray:
    return _WHOLE_LABELS[np.clip(np.rint(np.asarray(points)), 0, 9).astype(int)]


def nc_label(points: np.ndarray) -> np.ndarray:
    """NC sub-levels are 2 points apart, from 1c = 7 to 8a = 53; below 5 points is W."""
    points = np.asarray(points, dtype=float)
    steps = np.clip(np.rint((points - 7) / 2), 0, 23).astype(int)
    return np.where(points < 5, "W", _NC_LABELS[steps]).astype(object)


def btec_label(points: np.ndarray) -> np.ndarray:
    nearest = np.abs(np.asarray(points, dtype=float)[:, None] - _BTEC_POINTS[None, :]).argmin(axis=1)
    return _BTEC_LABELS[nearest]


def _btec_step(labels: np.ndarray, steps: np.ndarray) -> np.ndarray:
    position = pd.Index(_BTEC_LABELS).get_indexer(labels)
    return _BTEC_LABELS[np.clip(position + steps, 0, len(_BTEC_LABELS) - 1)]


# --------------------------------------------------------------------------
# Names (invented people: random pairs of common names)
# --------------------------------------------------------------------------

GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily",
    "Evie", "Isabella", "Sophie", "Jessica", "Freya", "Charlotte", "Daisy", "Ruby", "Florence",
    "Matilda", "Phoebe", "Erin", "Holly", "Maisie", "Scarlett", "Harriet", "Imogen", "Layla", "Aisha",
    "Amira", "Fatima", "Zainab", "Maryam", "Hana", "Priya", "Anaya", "Leah", "Niamh", "Siân", "Zoë",
    "Renée", "Chloé", "Megan", "Caitlin", "Eleanor", "Alice", "Lucy", "Hannah", "Abigail", "Ellie",
    "Jasmine", "Maya", "Nadia", "Zara", "Esmé", "Iris", "Rosie", "Keira", "Aoife", "Gabriela", "Oliwia",
    "Amara", "Chioma", "Ayesha", "Safa", "Chloe", "Zoe", "Bethany", "Lola",
)
BOYS = (
    "Oliver", "Harry", "George", "Noah", "Jack", "Jacob", "Leo", "Oscar", "Charlie", "Muhammad", "Alfie",
    "Thomas", "Joshua", "William", "James", "Henry", "Freddie", "Archie", "Ethan", "Isaac", "Alexander",
    "Joseph", "Samuel", "Daniel", "Logan", "Edward", "Lucas", "Max", "Mohammed", "Benjamin", "Mason",
    "Harrison", "Theo", "Jake", "Sebastian", "Finley", "Arthur", "Adam", "Dylan", "Riley", "Zachary",
    "Teddy", "Rory", "Tyler", "Reuben", "Kai", "Luca", "Ibrahim", "Yusuf", "Ayaan", "Hamza", "Omar",
    "Arjun", "Rohan", "Kacper", "Jakub", "Seán", "Ciarán", "Rhys", "Tomás", "Kwame", "Tobi", "Emmanuel",
    "David", "Liam", "Callum", "Connor", "Kieran", "Owen", "Evan", "Dáire", "José",
)
UNISEX = ("Alex", "Sam", "Charlie", "Jordan", "Riley", "Morgan", "Jamie", "Robin", "Frankie", "Ash")
NICKNAMES = {
    "Alexander": "Alex", "Oliver": "Ollie", "William": "Will", "Joshua": "Josh", "Samuel": "Sam",
    "Benjamin": "Ben", "Edward": "Ed", "Thomas": "Tom", "Daniel": "Dan", "Zachary": "Zac",
    "Isabella": "Bella", "Charlotte": "Lottie", "Florence": "Flo", "Eleanor": "Ellie", "Abigail": "Abbie",
    "Gabriela": "Gabi", "Matilda": "Tilly", "Harriet": "Hattie", "Muhammad": "Mo", "Frederick": "Fred",
}
SURNAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
    "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
    "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward",
    "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott",
    "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly",
    "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox",
    "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hussain", "Ahmed", "Campbell",
    "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell",
    "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "O'Brien", "O'Connor",
    "O'Neill", "D'Souza", "McCarthy", "Nowak", "Kowalski", "Okafor", "Adeyemi", "Mensah", "Nguyen",
    "Chen", "Wong", "Kaur", "Sharma", "Iqbal", "Rahman", "Uddin", "Müller", "Núñez", "Lefèvre", "Özdemir",
    "Santos", "Ferreira", "Popescu", "Costa", "Brennan", "Doyle",
)
STAFF_WOMEN = ("Sarah", "Claire", "Emma", "Rachel", "Helen", "Laura", "Joanne", "Nicola", "Rebecca", "Katie",
               "Hannah", "Gemma", "Amy", "Lucy", "Victoria", "Priya", "Fiona", "Siobhan", "Naomi", "Ruth")
STAFF_MEN = ("David", "Paul", "Mark", "Andrew", "James", "Richard", "Daniel", "Christopher", "Matthew",
             "Simon", "Stephen", "Gareth", "Imran", "Tom", "Ben", "Rob", "Kwame", "Neil", "Adrian", "Owen")

# DfE ethnicity codes with rough national secondary shares.
ETHNICITIES = {
    "WBRI": 0.625, "WIRI": 0.005, "WIRT": 0.002, "WROM": 0.004, "WOTH": 0.065, "MWBC": 0.016,
    "MWBA": 0.009, "MWAS": 0.013, "MOTH": 0.021, "AIND": 0.035, "APKN": 0.045, "ABAN": 0.016,
    "AOTH": 0.019, "BCRB": 0.011, "BAFR": 0.042, "BOTH": 0.006, "CHNE": 0.006, "OOTH": 0.02,
    "REFU": 0.012, "NOBT": 0.008,
}
# Chance of English being an additional language, relative between groups (scaled to ~17% overall).
EAL_PROPENSITY = {"WBRI": 0.01, "WIRI": 0.02, "WIRT": 0.05, "WROM": 0.6, "WOTH": 0.75, "AIND": 0.55,
                  "APKN": 0.6, "ABAN": 0.7, "AOTH": 0.7, "BAFR": 0.5, "BCRB": 0.02, "BOTH": 0.4,
                  "CHNE": 0.6, "OOTH": 0.7, "MWBC": 0.03, "MWBA": 0.1, "MWAS": 0.15, "MOTH": 0.2,
                  "REFU": 0.15, "NOBT": 0.15}
# The pupils file is written in Windows-1252, as SIMS does: every name must fit it.
for _name in GIRLS + BOYS + UNISEX + SURNAMES + tuple(NICKNAMES.values()):
    _name.encode("cp1252")

LA_CODES = (330, 331, 332, 333, 334, 335, 336, 340, 341, 342, 343, 344, 350, 351, 352, 353, 354, 355,
            356, 357, 358, 359, 370, 371, 372, 373, 380, 381, 382, 383, 384)

# --------------------------------------------------------------------------
# One school
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    index: int
    code: str
    name: str
    la_code: int
    establishment: int
    # Differences between schools of a trust; the single demo school (S001) is "national".
    disadvantaged_rate: float
    value_added: float  # in standard deviations of attainment
    absence_shift: float  # on the logit of the absence rate

    @property
    def domain(self) -> str:
        return re.sub(r"[^a-z]", "", _ascii(self.name).lower()) + ".example.org"


def _school(index: int, seed: int) -> School:
    code = f"S{index:03d}"
    rng = np.random.default_rng([seed, index, 0])
    first = index == 1
    return School(
        index=index, code=code, name=SCHOOL_NAMES.get(code, f"School {index}"),
        la_code=LA_CODES[(index - 1) % len(LA_CODES)],
        establishment=4000 + (index * 37) % 1000,  # 37 is coprime with 1000: distinct for 1000 schools
        disadvantaged_rate=0.25 if first else float(np.clip(0.25 + rng.normal(0, 0.07), 0.08, 0.5)),
        value_added=0.0 if first else float(rng.normal(0, 0.12)),
        absence_shift=0.0 if first else float(rng.normal(0, 0.2)),
    )


class _Streams:
    """Independent random streams per part, so changing one part leaves the others alone."""

    def __init__(self, seed: int, index: int):
        self.seed, self.index = seed, index

    def __call__(self, part: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, self.index, zlib.crc32(part.encode())])


def _generate_school(out_dir: Path, index: int, seed: int) -> list[DemoFile]:
    school = _school(index, seed)
    streams = _Streams(seed, index)
    folder = out_dir / school.code
    folder.mkdir(parents=True, exist_ok=True)

    pupils = _make_pupils(streams("pupils"), school)
    staff = _make_staff(streams("staff"), school)
    courses = _choose_ks4_courses(streams("courses"), pupils)
    enrolments = _enrol(streams("classes"), pupils, courses, staff)
    summaries = _attendance_summaries(streams("summaries"), pupils)
    targets = _targets(streams("targets"), pupils, courses, staff)
    assessments = _assessment_rows(streams("assessments"), pupils, enrolments)
    # Grade once as the school saw it when choosing who needs help, then again with the
    # programmes' effects (grades before a programme starts come out the same).
    _grade(assessments, pupils, interventions=None)
    interventions = _choose_interventions(streams("interventions"), pupils, assessments, targets,
                                          summaries, staff)
    _grade(assessments, pupils, interventions)
    register = _register(streams("register"), pupils, enrolments, interventions)

    def file(name: str, kind: str, **options) -> DemoFile:
        return DemoFile(folder / name, school.code, kind, **options)

    files = [
        _write_subjects(file("subjects.csv", "subjects")),
        _write_staff(file("staff.xlsx", "staff"), staff),
        _write_pupils(file("pupils.csv", "pupils"), pupils),
        _write_assessment_points(file("assessment_points.csv", "assessment_points")),
        _write_teaching_groups(file("teaching_groups.csv", "teaching_groups"), pupils, enrolments),
    ]
    for year, name in ASSESSMENTS_FILES.items():
        files.append(_write_assessments(file(name, "assessments", academic_year=year),
                                        pupils, assessments, streams("problems")))
    files += [
        _write_wide_marksheet(file(WIDE_MARKSHEET_FILE, "assessments", assessment_point="2025/26 Summer",
                                   grade_type="working_at", academic_year=CURRENT_YEAR),
                              pupils, assessments),
        _write_targets(file("targets.csv", "targets"), pupils, targets),
        _write_register(file(REGISTER_FILE, "attendance_sessions", academic_year=CURRENT_YEAR),
                        pupils, register),
        _write_attendance_summary(file("attendance_summary.csv", "attendance_summary"), pupils, summaries),
        _write_interventions(file(INTERVENTIONS_FILE, "interventions"), pupils, interventions),
    ]
    return files


# --------------------------------------------------------------------------
# Pupils: identity, characteristics and the hidden model behind their grades
# --------------------------------------------------------------------------


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def _top_share(score: np.ndarray, share: float) -> np.ndarray:
    """The `share` of pupils with the highest score (exact prevalence, realistic overlap)."""
    count = int(round(share * len(score)))
    chosen = np.zeros(len(score), dtype=bool)
    chosen[np.argsort(-score, kind="stable")[:count]] = True
    return chosen


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _make_pupils(rng: np.random.Generator, school: School) -> pd.DataFrame:
    sizes = 220 + rng.integers(-8, 9, size=len(COHORTS))
    cohort = np.repeat(COHORTS, sizes)
    n = len(cohort)
    p = pd.DataFrame({"cohort": cohort})

    # Hidden traits: ability at KS2 (a), conscientiousness (drives effort, progress, attendance).
    a = rng.standard_normal(n)
    grit = rng.standard_normal(n)
    p["ability"], p["grit"] = a, grit

    # Identity.
    gender = rng.choice(np.array(["F", "M", "X"]), size=n, p=[0.497, 0.498, 0.005])
    p["gender"] = gender
    forename = np.where(gender == "F", np.array(GIRLS, dtype=object)[rng.integers(len(GIRLS), size=n)],
                        np.array(BOYS, dtype=object)[rng.integers(len(BOYS), size=n)])
    forename = np.where(gender == "X", np.array(UNISEX, dtype=object)[rng.integers(len(UNISEX), size=n)],
                        forename)
    surname = np.array(SURNAMES, dtype=object)[rng.integers(len(SURNAMES), size=n)]
    double = rng.random(n) < 0.03  # a few double-barrelled surnames
    second = np.array(SURNAMES, dtype=object)[rng.integers(len(SURNAMES), size=n)]
    surname = np.where(double & (second != surname), surname + "-" + second, surname)
    p["forename"], p["surname"] = forename, surname
    nickname = pd.Series(forename).map(NICKNAMES)
    p["preferred_forename"] = np.where(nickname.notna() & (rng.random(n) < 0.35), nickname, "")

    y7_start = cohort - 4
    born_from = pd.to_datetime([f"{c - 16}-09-01" for c in cohort])
    p["dob"] = born_from + pd.to_timedelta(rng.integers(0, 365, size=n), unit="D")

    # A few pupils join after Y7: in any later year up to Y11 or the current year.
    last_possible = np.minimum(cohort, 2025)
    late = (rng.random(n) < 0.04) & (y7_start < last_possible)
    later_years = y7_start + 1 + (rng.random(n) * (last_possible - y7_start)).astype(int)
    join_start = np.where(late, np.minimum(later_years, last_possible), y7_start)
    p["join_start"] = join_start
    # Late joiners arrive on a school day in the first weeks of the autumn term.
    admission = [date(y, 9, 1) if y == first else _weekday_on_or_after(date(y, 9, 8) + timedelta(days=int(k)))
                 for y, first, k in zip(join_start, y7_start, rng.integers(0, 50, size=n))]
    admission = pd.to_datetime(admission)
    p["admission_date"] = admission
    p["leaving_date"] = pd.to_datetime([YEAR_LAST_DAY[c] if c in LEAVER_COHORTS else None for c in cohort])

    # Tutor groups: eight forms per year, a pupil keeps the letter from Y7 to Y11.
    letters = np.empty(n, dtype=object)
    for c in COHORTS:
        members = np.nonzero(cohort == c)[0]
        letters[members] = np.array(list(TUTOR_LETTERS), dtype=object)[rng.permutation(len(members)) % 8]
    p["tutor_letter"] = letters

    # Characteristics at about national rates, linked to attainment as they are nationally.
    disadvantaged = _top_share(-0.6 * a + rng.standard_normal(n), school.disadvantaged_rate)
    looked_after = disadvantaged & _top_share(rng.random(n) * disadvantaged, 0.005)
    fsm = disadvantaged & (rng.random(n) < 0.88) | looked_after & (rng.random(n) < 0.3)
    service_child = ~disadvantaged & (rng.random(n) < 0.01)
    pupil_premium = (disadvantaged & (rng.random(n) > 0.015)) | service_child
    male = gender == "M"
    sen_score = -0.7 * a + 0.35 * male + rng.standard_normal(n)
    ehcp = _top_share(sen_score, 0.03)
    sen_support = ~ehcp & _top_share(np.where(ehcp, -np.inf, sen_score), 0.13)
    ethnicity = rng.choice(np.array(list(ETHNICITIES)), size=n,
                           p=np.array(list(ETHNICITIES.values())) / sum(ETHNICITIES.values()))
    eal_propensity = pd.Series(ethnicity).map(EAL_PROPENSITY).to_numpy()
    eal = _top_share(eal_propensity * rng.random(n) ** 0.5 + 0.001 * rng.random(n), 0.17)
    eal &= eal_propensity > 0.01 - 1e-9
    p["disadvantaged"], p["fsm"], p["pupil_premium"] = disadvantaged, fsm, pupil_premium
    p["looked_after"], p["eal"], p["ethnicity"] = looked_after, eal, ethnicity
    p["sen"] = np.where(ehcp, "E", np.where(sen_support, "K", "N"))

    # Prior attainment. KS2 tests were cancelled in 2020 and 2021; some pupils have no KS2
    # anyway (absent, or schooled abroad: most of those joined late).
    no_ks2 = np.isin(cohort, NO_KS2_COHORTS) | (rng.random(n) < 0.015) | (late & (rng.random(n) < 0.3))
    ks2_reading = np.clip(np.rint(104 + 6.5 * (0.85 * a + 0.53 * rng.standard_normal(n))), 80, 120)
    ks2_maths = np.clip(np.rint(104 + 6.5 * (0.85 * a + 0.53 * rng.standard_normal(n))), 80, 120)
    p["ks2_reading"] = np.where(no_ks2, np.nan, ks2_reading)
    p["ks2_maths"] = np.where(no_ks2, np.nan, ks2_maths)
    p["cat_mean"] = np.clip(np.round(100 + 12 * (0.85 * a + 0.53 * rng.standard_normal(n)), 1), 60, 141)
    # What the school can see of ability: its estimate from KS2, else from the CAT.
    ks2_average = (p["ks2_reading"] + p["ks2_maths"]).to_numpy() / 2
    p["baseline_estimate"] = np.where(no_ks2, 0.85 * (p["cat_mean"] - 100) / 12,
                                      0.985 * (ks2_average - 104) / 6.5)
    more_able = np.zeros(n, dtype=bool)
    for c in COHORTS:
        members = np.nonzero(cohort == c)[0]
        more_able[members] = _top_share(p["baseline_estimate"].to_numpy()[members], 0.10)
    p["more_able"] = more_able

    groups = np.empty(n, dtype=object)
    groups[:] = ""
    for name, chosen in (("Sports Academy", rng.random(n) < 0.04 + 0.04 * male),
                         ("Choir", rng.random(n) < 0.04),
                         ("Young Carers", rng.random(n) < 0.015),
                         ("Service Child", service_child)):
        groups = np.where(chosen, np.where(groups == "", name, groups + ";" + name), groups)
    p["custom_groups"] = groups

    # Attendance: a pupil's usual absence rate (logit), worse for disadvantaged and SEN
    # pupils, better for able and conscientious ones; a small chronic group drives
    # severe absence. Calibrated to ~92% attendance, ~20% persistently absent, ~2% severe.
    risk = _standardise(0.5 * disadvantaged + 0.3 * (p["sen"] != "N") - 0.3 * a - 0.25 * grit
                        + 0.85 * rng.standard_normal(n))
    absence_logit = -3.1 + 1.15 * risk + school.absence_shift
    chronic = _top_share(risk + 0.5 * rng.standard_normal(n), 0.03)
    absence_logit = np.where(chronic, 0.2 + rng.standard_normal(n), absence_logit)
    p["absence_logit"] = absence_logit
    for start in YEAR_STARTS:  # this year's rate wobbles around the usual one
        p[f"absence_logit_{start}"] = absence_logit + 0.3 * rng.standard_normal(n)
    p["unauthorised_share"] = np.clip(0.2 + 0.2 * disadvantaged + 0.25 * chronic + 0.1 * rng.standard_normal(n),
                                      0.05, 0.9)
    p["lateness"] = np.clip(0.02 + 0.02 * disadvantaged - 0.01 * grit + 0.01 * rng.standard_normal(n), 0.002, 0.12)

    # Progress over secondary school, in standard deviations of attainment by the end of
    # Y11 (1 SD = 1.75 GCSE grades): effort helps; disadvantaged pupils and those who miss
    # school fall behind pupils with the same prior attainment.
    usual_absence = _logistic(absence_logit)
    p["progress"] = (0.2 * grit + 0.28 * rng.standard_normal(n) - 0.25 * disadvantaged
                     - 0.12 * (p["sen"] != "N") - 2.5 * (np.minimum(usual_absence, 0.4) - 0.07) + school.value_added)
    for domain in DOMAINS:  # strengths and weaknesses by area
        p[f"strength_{domain}"] = 0.35 * rng.standard_normal(n)
    for subject in SUBJECTS:
        p[f"strength_{subject.code}"] = 0.2 * rng.standard_normal(n)

    # UPNs: check letter + LA + establishment + allocation year (reception) + serial.
    upn = np.empty(n, dtype=object)
    for c in COHORTS:
        members = np.nonzero(cohort == c)[0]
        serials = rng.permutation(len(members)) + 1 + rng.integers(0, 200)
        allocated = (c - 11) % 100
        for member, serial in zip(members, serials):
            body = f"{school.la_code:03d}{school.establishment:04d}{allocated:02d}{serial:03d}"
            upn[member] = upn_rules.calc_check_digit(body) + body
    p["upn"] = upn
    return p


def _year_group(pupils: pd.DataFrame, year_start: int) -> np.ndarray:
    return 11 - (pupils["cohort"].to_numpy() - year_start)


def _on_roll(pupils: pd.DataFrame, year_start: int) -> np.ndarray:
    year_group = _year_group(pupils, year_start)
    return (year_group >= 7) & (year_group <= 11) & (pupils["join_start"].to_numpy() <= year_start)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------

DEPARTMENT_SIZES = {
    "english": 7, "maths": 7, "science": 8, "humanities": 6, "languages": 4, "art": 2, "computing": 3,
    "re": 2, "pe": 3, "dt": 3, "music": 1, "business": 2, "leadership": 3, "send": 1, "pastoral": 1,
}


def _make_staff(rng: np.random.Generator, school: School) -> pd.DataFrame:
    rows, codes = [], set()
    for department, size in DEPARTMENT_SIZES.items():
        for _ in range(size):
            woman = rng.random() < 0.62
            forename = str(rng.choice(STAFF_WOMEN if woman else STAFF_MEN))
            surname = str(rng.choice(SURNAMES))
            title = str(rng.choice(["Ms", "Mrs", "Miss", "Dr"], p=[0.45, 0.35, 0.15, 0.05]) if woman
                        else rng.choice(["Mr", "Dr"], p=[0.93, 0.07]))
            letters = re.sub(r"[^A-Z]", "", _ascii(surname).upper())
            candidates = [forename[0] + letters[:2]] + [forename[0] + letters[0] + x for x in letters[2:]] + \
                         [forename[0] + letters[0] + x for x in "ABCDEFGHJKLMNPRSTVWXYZ"]
            code = next(c for c in candidates if c not in codes)
            codes.add(code)
            email = f"{_ascii(forename[0]).lower()}.{re.sub(r'[^a-z-]', '', _ascii(surname).lower())}@{school.domain}"
            rows.append((code, title, forename, surname, email, department))
    return pd.DataFrame(rows, columns=["staff_code", "title", "forename", "surname", "email", "department"])


def _teams(staff: pd.DataFrame) -> dict[str, list[str]]:
    """Staff codes by department; the first of each is its head."""
    return {department: group["staff_code"].tolist() for department, group in staff.groupby("department", sort=False)}


# --------------------------------------------------------------------------
# KS4 courses and class lists
# --------------------------------------------------------------------------


def _choose_ks4_courses(rng: np.random.Generator, pupils: pd.DataFrame) -> np.ndarray:
    """Boolean matrix pupils x SUBJECTS: the GCSE/BTEC courses each pupil takes in Y10-Y11."""
    n = len(pupils)
    takes = np.zeros((n, len(SUBJECTS)), dtype=bool)
    ks4 = pupils["cohort"].to_numpy() <= 2026  # cohorts with a KS4 year in the data
    a = pupils["ability"].to_numpy()
    sen_e = (pupils["sen"] == "E").to_numpy()
    col = SUBJECT_INDEX

    takes[:, col["EL4"]] = ks4
    takes[:, col["LT4"]] = ks4 & (rng.random(n) > 0.03 + 0.15 * sen_e)  # a few take Language only
    takes[:, col["MA4"]] = ks4
    science_score = a + pupils["strength_science"].to_numpy() + 0.4 * rng.standard_normal(n)
    triple = np.zeros(n, dtype=bool)
    for cohort in COHORTS:
        members = np.nonzero(pupils["cohort"].to_numpy() == cohort)[0]
        triple[members] = _top_share(science_score[members], 1 / 3)
    for code in ("BI4", "CH4", "PH4"):
        takes[:, col[code]] = ks4 & triple
    takes[:, col["SC4"]] = ks4 & ~triple

    choice = rng.random(n)
    history_first = rng.random(n) < 0.5
    one_humanity = (choice >= 0.08) & (choice < 0.85)
    both = choice >= 0.85
    takes[:, col["HI4"]] = ks4 & (both | one_humanity & history_first)
    takes[:, col["GE4"]] = ks4 & (both | one_humanity & ~history_first)
    language = rng.random(n) < _logistic(-0.55 + 0.9 * a)
    french = rng.random(n) < 0.6
    takes[:, col["FR4"]] = ks4 & language & french
    takes[:, col["SP4"]] = ks4 & language & ~french

    # Options fill the timetable to ~9 subjects (8 for some, 10 for the most able).
    wanted = np.where(a > 1.3, 10, np.where((a < -1) & (rng.random(n) < 0.5), 8, 9))
    free = np.clip(wanted - takes.sum(axis=1), 1, 5)
    male = (pupils["gender"] == "M").to_numpy()
    option_weights = {  # popularity, and who tends to choose what
        "AR4": np.full(n, 1.0), "RS4": np.full(n, 1.0), "CS4": np.clip(0.5 + 0.4 * a, 0.1, None),
        "PE4": 0.5 + 0.6 * male, "DT4": np.full(n, 0.6), "MU4": np.full(n, 0.25),
        "FT4": np.full(n, 0.6), "BS4": np.full(n, 0.8),
    }
    options = list(option_weights)
    weights = np.column_stack(list(option_weights.values()))
    # Weighted choice of `free` options without replacement (Gumbel top-k).
    keys = np.log(weights) + rng.gumbel(size=weights.shape)
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = rank < free[:, None]
    for j, code in enumerate(options):
        takes[:, col[code]] = ks4 & chosen[:, j]
    return takes


def _enrol(rng: np.random.Generator, pupils: pd.DataFrame, courses: np.ndarray,
           staff: pd.DataFrame) -> pd.DataFrame:
    """One row per pupil x subject x academic year on roll, with class code and teacher."""
    frames = []
    for start in YEAR_STARTS:
        year_group = _year_group(pupils, start)
        on_roll = _on_roll(pupils, start)
        ks3 = on_roll & (year_group <= 9)
        ks4 = on_roll & (year_group >= 10)
        takes = np.zeros_like(courses)
        takes[:, KS3_SUBJECTS] = ks3[:, None]
        takes[:, KS4_SUBJECTS] = ks4[:, None] & courses[:, KS4_SUBJECTS]
        pupil, subject = np.nonzero(takes)
        frames.append(pd.DataFrame({"pupil": pupil, "subject": subject, "year_start": start,
                                    "year_group": year_group[pupil]}))
    enrolments = pd.concat(frames, ignore_index=True)
    enrolments["class_code"] = _class_codes(rng, pupils, enrolments)
    enrolments["teacher"] = _teachers(rng, enrolments, staff)
    return enrolments


def _class_codes(rng: np.random.Generator, pupils: pd.DataFrame, enrolments: pd.DataFrame) -> np.ndarray:
    codes = np.empty(len(enrolments), dtype=object)
    letter = pupils["tutor_letter"].to_numpy()
    ability = pupils["ability"].to_numpy()
    progress = pupils["progress"].to_numpy()
    # A pupil-level key that is the same every year, so option classes keep their members.
    option_key = rng.random((len(pupils), len(SUBJECTS)))
    for (start, year_group, subject_index), rows in enrolments.groupby(
            ["year_start", "year_group", "subject"], sort=True).indices.items():
        subject = SUBJECTS[subject_index]
        members = enrolments["pupil"].to_numpy()[rows]
        if subject.grouping == "tutor":
            codes[rows] = [f"{year_group}{x}/{subject.class_abbr}" for x in letter[members]]
        elif subject.grouping == "setted":
            # Sets by current attainment, within two half-year bands (X: forms A-D, Y: E-H).
            band = np.where(np.isin(letter[members], list("ABCD")), "X", "Y")
            standing = (ability[members] + pupils[f"strength_{subject.domain}"].to_numpy()[members]
                        + (year_group - 7) / 5 * progress[members] + 0.3 * rng.standard_normal(len(members)))
            for band_name in ("X", "Y"):
                in_band = np.nonzero(band == band_name)[0]
                sets = max(1, int(np.ceil(len(in_band) / 30)))
                order = in_band[np.argsort(-standing[in_band], kind="stable")]
                for number, chunk in enumerate(np.array_split(order, sets), start=1):
                    codes[rows[chunk]] = f"{year_group}{band_name}/{subject.class_abbr}{number}"
        else:
            classes = max(1, int(np.ceil(len(members) / 30)))
            order = np.argsort(option_key[members, subject_index], kind="stable")
            for number, chunk in enumerate(np.array_split(order, classes), start=1):
                codes[rows[chunk]] = f"{year_group}/{subject.class_abbr}{number}"
    return codes


def _teachers(rng: np.random.Generator, enrolments: pd.DataFrame, staff: pd.DataFrame) -> np.ndarray:
    """Share each department's classes out among its teachers, year by year."""
    classes = enrolments[["year_start", "class_code", "subject"]].drop_duplicates().sort_values(
        ["year_start", "subject", "class_code"])
    classes["department"] = [SUBJECTS[s].department for s in classes["subject"]]
    teams, teacher = _teams(staff), {}
    for (start, department), group in classes.groupby(["year_start", "department"], sort=True):
        team = teams[department]
        offset = int(rng.integers(len(team)))
        for i, class_code in enumerate(group["class_code"]):
            teacher[(start, class_code)] = team[(i + offset) % len(team)]
    return np.array([teacher[key] for key in zip(enrolments["year_start"], enrolments["class_code"])],
                    dtype=object)


# --------------------------------------------------------------------------
# Targets and estimates
# --------------------------------------------------------------------------


def _friday_on_or_after(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _weekday_on_or_after(day: date) -> date:
    return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def _targets(rng: np.random.Generator, pupils: pd.DataFrame, courses: np.ndarray,
             staff: pd.DataFrame) -> pd.DataFrame:
    """Targets (school, agreed at the start of the key stage, some changed later) and FFT50 estimates."""
    baseline = pupils["baseline_estimate"].to_numpy()
    cohort = pupils["cohort"].to_numpy()
    no_ks2 = pupils["ks2_reading"].isna().to_numpy()
    admission = pupils["admission_date"].dt.date.to_numpy()
    frames = []

    # KS3: from the baseline, +2 sub-levels a year to the end of Y9, rounded up a little
    # (for the cohorts with a KS3 year in the data, if they joined by Y9).
    ks3_pupils = np.nonzero((cohort >= 2025) & (pupils["join_start"].to_numpy() <= cohort - 2))[0]
    pupil, subject = np.meshgrid(ks3_pupils, KS3_SUBJECTS, indexing="ij")
    pupil, subject = pupil.ravel(), subject.ravel()
    start_points = 25 + 5 * baseline[pupil]
    frames.append(pd.DataFrame({
        "pupil": pupil, "subject": subject, "target_kind": "target", "source": "school",
        "grade": nc_label(start_points + 12 + 2 + rng.normal(0, 0.6, len(pupil))),
        "key_stage_start": cohort[pupil] - 4,
        "reason": np.where(no_ks2[pupil], "CAT baseline + 2 sub-levels a year", "KS2 baseline + 2 sub-levels a year"),
    }))

    # KS4: an FFT50-style estimate from prior attainment alone, and a target a little above it.
    ks4_pupil, ks4_subject = np.nonzero(courses)
    btec = np.array([SUBJECTS[s].grade_scale == "btec" for s in ks4_subject])
    estimate_points = 4.7 + 1.7 * baseline[ks4_pupil] + 0.15 * rng.standard_normal(len(ks4_pupil))
    estimate = np.where(btec, btec_label(estimate_points + 0.4),
                        gcse_fine_label(np.clip(estimate_points, 0.7, 9.3)))
    target_points = np.clip(np.rint(estimate_points + 0.5), 1, 9)
    # A few targets end up below the estimate: the anomalies the product will flag.
    below = rng.random(len(ks4_pupil)) < 0.04
    target_points = np.where(below, np.clip(np.ceil(estimate_points) - 1 - (rng.random(len(below)) < 0.3), 1, 9),
                             target_points)
    fine = rng.random(len(ks4_pupil)) < 0.08
    target = np.where(fine, gcse_fine_label(target_points + rng.choice([-1 / 3, 1 / 3], len(below))),
                      gcse_whole_label(target_points))
    btec_target = _btec_step(btec_label(estimate_points + 0.4), np.where(below, -1, 1))
    target = np.where(btec, btec_target, target)
    ks4_start = cohort[ks4_pupil] - 1
    frames.append(pd.DataFrame({
        "pupil": ks4_pupil, "subject": ks4_subject, "target_kind": "estimate", "source": "FFT50",
        "grade": estimate, "key_stage_start": ks4_start, "reason": "FFT Aspire 50th percentile estimate",
    }))
    frames.append(pd.DataFrame({
        "pupil": ks4_pupil, "subject": ks4_subject, "target_kind": "target", "source": "school",
        "grade": target, "key_stage_start": ks4_start,
        "reason": np.where(below, rng.choice(["Agreed with pupil and parents", "Reduced timetable",
                                              "Set by department after Year 9 review"], len(below)),
                           "FFT20 estimate, rounded up"),
    }))
    targets = pd.concat(frames, ignore_index=True)

    # Set at the start of the key stage (estimates a fortnight earlier), or on admission.
    starts = targets["key_stage_start"].to_numpy()
    estimate_rows = targets["target_kind"].to_numpy() == "estimate"
    set_on = np.array([_friday_on_or_after(date(s, 9, 8 if e else 22)) for s, e in zip(starts, estimate_rows)])
    joined = admission[targets["pupil"].to_numpy()]
    set_on = np.where(joined > set_on, [_friday_on_or_after(d + timedelta(days=14)) for d in joined], set_on)
    targets["set_on"] = set_on
    teams = _teams(staff)
    head = np.array([teams[s.department][0] for s in SUBJECTS], dtype=object)
    deputy = np.array([teams[s.department][-1] for s in SUBJECTS], dtype=object)
    targets["set_by"] = np.where(estimate_rows, "", head[targets["subject"].to_numpy()])

    # About 5% of targets are changed after a spring data drop (a second row, later set_on).
    changeable = np.nonzero(~estimate_rows)[0]
    changed = changeable[rng.random(len(changeable)) < 0.08]  # ~5% once outside the window are dropped
    key_stage_years = np.array([3 if SUBJECTS[s].key_stage == "3" else 2 for s in targets["subject"].to_numpy()[changed]])
    years_in = starts[changed] + rng.integers(0, key_stage_years)
    keep = (years_in >= YEAR_STARTS[0]) & (years_in <= YEAR_STARTS[-1])
    changed, years_in = changed[keep], years_in[keep]
    raised = rng.random(len(changed)) < 0.8
    updates = targets.iloc[changed].copy()
    updates["grade"] = [_step_grade(grade, SUBJECTS[s], 1 if up else -1)
                        for grade, s, up in zip(updates["grade"], updates["subject"], raised)]
    updates["set_on"] = [_POINT_BY_NAME[f"{_academic_year(y)} Spring"].date + timedelta(days=24) for y in years_in]
    updates["reason"] = np.where(raised, "Raised after spring progress", "Lowered after review meeting with parents")
    updates["set_by"] = deputy[updates["subject"].to_numpy()]  # reviewed by the class's teacher
    updates = updates[[new > old for new, old in zip(updates["set_on"], targets["set_on"].to_numpy()[changed])]]
    return pd.concat([targets, updates], ignore_index=True)


def _step_grade(grade: str, subject: Subject, step: int) -> str:
    """The grade one step (a whole GCSE grade, a BTEC grade, two NC sub-levels) up or down."""
    if subject.grade_scale == "btec":
        return str(_btec_step(np.array([grade], dtype=object), np.array([step]))[0])
    if subject.grade_scale == "nc_levels":
        position = list(_NC_LABELS).index(grade) if grade in _NC_LABELS else 0
        return str(_NC_LABELS[int(np.clip(position + 2 * step, 0, 23))])
    whole = 0 if grade == "U" else int(grade.rstrip("+-"))
    return str(_WHOLE_LABELS[int(np.clip(whole + step, 1, 9))])


def _latest_targets(targets: pd.DataFrame, before: date) -> pd.DataFrame:
    rows = targets[(targets["target_kind"] == "target") & (targets["set_on"] < before)]
    return rows.sort_values("set_on", kind="stable").groupby(["pupil", "subject"]).tail(1)


# --------------------------------------------------------------------------
# Assessments
# --------------------------------------------------------------------------


def _assessment_rows(rng: np.random.Generator, pupils: pd.DataFrame, enrolments: pd.DataFrame) -> pd.DataFrame:
    """Every assessment due: drops x grade types for each enrolment, with the random parts fixed."""
    schedule = []
    for order, point in enumerate(ASSESSMENT_POINTS):
        for key_stage, is_y11 in (("3", False), ("4", False), ("4", True)):
            if point.kind == "exam":
                types = ("final",) if key_stage == "4" and is_y11 else ()
            elif key_stage == "3":
                types = ("working_at",)
            else:
                types = ("working_at", "predicted") + (("mock",) if is_y11 and point.term == "spring" else ())
            for grade_type in types:
                schedule.append((point.year_start, key_stage, is_y11, point.name, order, grade_type,
                                 point.year_fraction, pd.Timestamp(point.date)))
    schedule = pd.DataFrame(schedule, columns=["year_start", "key_stage", "is_y11", "assessment_point",
                                               "point_order", "grade_type", "year_fraction", "point_date"])
    rows = enrolments.assign(
        key_stage=[SUBJECTS[s].key_stage for s in enrolments["subject"]],
        is_y11=enrolments["year_group"].to_numpy() == 11,
    ).merge(schedule, on=["year_start", "key_stage", "is_y11"], how="inner")
    # Late joiners have no grades before they arrived.
    rows = rows[rows["point_date"].to_numpy() >= pupils["admission_date"].to_numpy()[rows["pupil"].to_numpy()]]
    rows = rows.sort_values(["point_order", "subject", "pupil", "grade_type"], kind="stable").reset_index(drop=True)
    # Years since the start of Y7 (the end of Y11 is 5).
    rows["t"] = rows["year_group"] - 7 + rows["year_fraction"]
    rows["noise"] = rng.standard_normal(len(rows))
    rows["effort_noise"] = rng.standard_normal(len(rows))
    rows["effort_missing"] = rng.random(len(rows)) < 0.03
    rows["boost"] = 0.0
    return rows


def _grade(rows: pd.DataFrame, pupils: pd.DataFrame, interventions: pd.DataFrame | None) -> None:
    """Turn each pupil's hidden ability and progress into grade labels (in place)."""
    pupil = rows["pupil"].to_numpy()
    subject = rows["subject"].to_numpy()
    t = rows["t"].to_numpy()
    rows["boost"] = _intervention_boost(rows, interventions)
    strength = np.zeros(len(rows))
    for s, info in enumerate(SUBJECTS):
        mine = subject == s
        strength[mine] = (pupils[f"strength_{info.domain}"].to_numpy()[pupil[mine]]
                          + pupils[f"strength_{info.code}"].to_numpy()[pupil[mine]])
    prior = pupils["ability"].to_numpy()[pupil] + strength
    progress = pupils["progress"].to_numpy()[pupil]
    boost = rows["boost"].to_numpy()
    teacher_bias = _teacher_bias(rows["teacher"].to_numpy())
    grade_type = rows["grade_type"].to_numpy()
    noise = rows["noise"].to_numpy()

    # KS3, NC points: +2 sub-levels (4 points) a year, progress showing through gradually.
    ks3_points = 25 + 5 * (prior + t / 5 * progress + boost) + 4 * t + 2.5 * teacher_bias + 1.3 * noise
    # KS4, GCSE points: the grade the pupil is on course for, and how far short they are now.
    on_course = 4.6 + 1.75 * (prior + progress + boost)
    # Few pupils leave with nothing: the bottom of the distribution is squeezed above U.
    on_course = np.where(on_course < 2, 2 - 0.6 * (2 - on_course), on_course)
    ks4_points = np.select(
        [grade_type == "working_at", grade_type == "predicted", grade_type == "mock"],
        [on_course - 0.9 * (5 - t) + 0.45 * teacher_bias + 0.4 * noise,
         on_course + 0.15 + (0.3 + 0.15 * (5 - t)) * noise,
         on_course - 0.4 + 0.6 * noise],
        on_course + 0.45 * noise)  # final
    ks4_points = np.maximum(ks4_points, 0)

    scale = np.array([SUBJECTS[s].grade_scale for s in subject])
    whole = np.isin(grade_type, ["mock", "final"])
    rows["grade"] = np.select(
        [scale == "nc_levels", scale == "btec", whole],
        [nc_label(ks3_points), btec_label(ks4_points + 0.4), gcse_whole_label(ks4_points)],
        gcse_fine_label(ks4_points))
    # Effort (1 excellent .. 4 poor) on teacher assessments, from the pupil's conscientiousness.
    effort_score = pupils["grit"].to_numpy()[pupil] + 0.8 * rows["effort_noise"].to_numpy()
    effort = np.select([effort_score > 0.8, effort_score > -0.9, effort_score > -2.0], ["1", "2", "3"], "4")
    rows["effort"] = np.where((grade_type == "working_at") & ~rows["effort_missing"].to_numpy(), effort, "")


def _teacher_bias(teachers: np.ndarray) -> np.ndarray:
    """Some teachers mark a little generously, some harshly (stable per teacher code)."""
    codes = pd.unique(teachers)
    bias = {code: np.random.default_rng(zlib.crc32(code.encode())).normal(0, 0.12) for code in codes}
    return pd.Series(teachers).map(bias).to_numpy()


# --------------------------------------------------------------------------
# Interventions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    name: str
    subject: str | None
    start: date
    end: date | None
    effect: float  # on attainment (standard deviations), or on the absence logit


MATHS_BOOST = Programme("Year 11 maths boost", "MA4", date(2026, 1, 12), date(2026, 3, 27), 0.4)
READING_CATCH_UP = Programme("Year 7 reading catch-up", "EN3", date(2025, 9, 22), date(2026, 2, 13), 0.4)
ENGLISH_TUTORING = Programme("Year 11 English tutoring", "EL4", date(2025, 1, 13), date(2025, 5, 16), 0.35)
ATTENDANCE_MENTORING = Programme("Attendance mentoring", None, date(2025, 10, 6), None, -0.8)


def _choose_interventions(rng, pupils, assessments, targets, summaries, staff) -> pd.DataFrame:
    """Who took part in each programme, chosen as a school would (and before any effect)."""
    frames = []
    teams = _teams(staff)
    lead = {
        MATHS_BOOST.name: teams["maths"][1],
        READING_CATCH_UP.name: teams["english"][2],
        ENGLISH_TUTORING.name: teams["english"][0],
        ATTENDANCE_MENTORING.name: teams["pastoral"][0],  # the attendance officer
    }

    def below_target(programme: Programme, drop: str, count: int) -> np.ndarray:
        """Y11 pupils predicted below target in the subject at the drop, near the 4/5 borderline."""
        subject = SUBJECT_INDEX[programme.subject]
        predicted = assessments[(assessments["assessment_point"] == drop) & (assessments["subject"] == subject)
                                & (assessments["grade_type"] == "predicted")]
        target = _latest_targets(targets, _POINT_BY_NAME[drop].date)
        target = target[target["subject"] == subject].set_index("pupil")["grade"]
        merged = predicted.assign(target=target.reindex(predicted["pupil"]).to_numpy()).dropna(subset=["target"])
        merged = merged[merged["target"] != "U"]
        gap = merged["target"].map(_gcse_points) - merged["grade"].map(_gcse_points)
        predicted_points = merged["grade"].map(_gcse_points)
        pool = merged[(gap > 0) & predicted_points.between(2.5, 5.4)]["pupil"].to_numpy()
        return np.sort(rng.choice(pool, size=min(count, len(pool)), replace=False))

    def add(programme: Programme, members: np.ndarray, ends: list | None = None) -> None:
        frames.append(pd.DataFrame({
            "programme": programme.name, "pupil": members, "subject": programme.subject or "",
            "start_date": programme.start, "end_date": ends if ends is not None else programme.end,
            "lead": lead[programme.name], "effect": programme.effect,
        }))

    add(MATHS_BOOST, below_target(MATHS_BOOST, "2025/26 Autumn", 30))
    add(ENGLISH_TUTORING, below_target(ENGLISH_TUTORING, "2024/25 Autumn", 25))

    y7 = np.nonzero(_on_roll(pupils, 2025) & (_year_group(pupils, 2025) == 7)
                    & pupils["ks2_reading"].notna().to_numpy())[0]
    reading = pupils["ks2_reading"].to_numpy()[y7] + 0.01 * rng.random(len(y7))
    add(READING_CATCH_UP, np.sort(y7[np.argsort(reading)[:28]]))

    # Persistent absentees last year (10-40% missed) who are still with us.
    last_year = summaries[summaries["year_start"] == 2024]
    missed = 1 - last_year["present"] / last_year["possible"]
    still_here = _on_roll(pupils, 2025)[last_year["pupil"].to_numpy()]
    pool = last_year["pupil"].to_numpy()[missed.between(0.10, 0.40).to_numpy() & still_here]
    mentored = np.sort(rng.choice(pool, size=min(24, len(pool)), replace=False))
    ends = [date(2026, 3, 27) if finished else None for finished in rng.random(len(mentored)) < 0.4]
    add(ATTENDANCE_MENTORING, mentored, ends)
    return pd.concat(frames, ignore_index=True)


def _gcse_points(label: str) -> float:
    if label == "U":
        return 0.0
    return int(label.rstrip("+-")) + (1 / 3 if label.endswith("+") else -1 / 3 if label.endswith("-") else 0)


def _intervention_boost(rows: pd.DataFrame, interventions: pd.DataFrame | None) -> np.ndarray:
    """Extra attainment from a programme, growing over it and kept afterwards."""
    boost = np.zeros(len(rows))
    if interventions is None:
        return boost
    point_date = rows["point_date"].to_numpy()
    for programme in (MATHS_BOOST, READING_CATCH_UP, ENGLISH_TUTORING):
        members = interventions.loc[interventions["programme"] == programme.name, "pupil"].to_numpy()
        start, end = np.datetime64(programme.start), np.datetime64(programme.end)
        done = np.clip((point_date - start) / (end - start), 0, 1)
        mine = (np.isin(rows["pupil"].to_numpy(), members)
                & (rows["subject"].to_numpy() == SUBJECT_INDEX[programme.subject]))
        boost += np.where(mine, programme.effect * done, 0)
    return boost


# --------------------------------------------------------------------------
# Attendance
# --------------------------------------------------------------------------


def _attendance_summaries(rng: np.random.Generator, pupils: pd.DataFrame) -> pd.DataFrame:
    """One row per pupil per past year (2023/24, 2024/25), as an MIS summary report gives it."""
    frames = []
    admission = pupils["admission_date"].to_numpy()
    for start in YEAR_STARTS[:-1]:
        members = np.nonzero(_on_roll(pupils, start))[0]
        first, last = np.datetime64(YEAR_FIRST_DAY[start]), np.datetime64(YEAR_LAST_DAY[start])
        joined = np.maximum(admission[members].astype("datetime64[D]"), first)
        share = np.clip((last - joined) / (last - first), 0, 1)
        possible = np.rint(SESSIONS_PER_YEAR * share).astype(int)
        rate = _logistic(pupils[f"absence_logit_{start}"].to_numpy()[members])
        absent = rng.binomial(possible, rate)
        unauthorised = rng.binomial(absent, pupils["unauthorised_share"].to_numpy()[members])
        frames.append(pd.DataFrame({
            "pupil": members, "year_start": start, "from_date": YEAR_FIRST_DAY[start],
            "to_date": YEAR_LAST_DAY[start], "possible": possible, "present": possible - absent,
            "authorised": absent - unauthorised, "unauthorised": unauthorised,
        }))
    return pd.concat(frames, ignore_index=True)


# Register marks used (all valid from 19 August 2024), by position in this array.
MARKS = np.array(["/", "\\", "L", "B", "V", "P", "I", "M", "C", "E", "C2", "O", "N", "G", "U"], dtype=object)
_MARK = {mark: i for i, mark in enumerate(MARKS)}


@dataclass(frozen=True)
class Register:
    members: np.ndarray  # pupil positions, in UPN order
    marks: np.ndarray  # members x school days x (AM, PM): index into MARKS
    admitted: np.ndarray  # members x school days: on roll that day


def _register(rng: np.random.Generator, pupils: pd.DataFrame, enrolments: pd.DataFrame,
              interventions: pd.DataFrame) -> Register:
    """Session marks for 2025/26: pupils x days x (AM, PM), built a day at a time over all pupils."""
    members = np.nonzero(_on_roll(pupils, 2025))[0]
    members = members[np.argsort(pupils["upn"].to_numpy()[members])]
    n, days = len(members), len(SCHOOL_DAYS)

    # Chance of being absent each day; mentoring cuts it from the programme's start.
    logit = pupils["absence_logit_2025"].to_numpy()[members]
    mentored = np.isin(members, interventions.loc[interventions["programme"] == ATTENDANCE_MENTORING.name,
                                                  "pupil"].to_numpy())
    mentoring_from = np.searchsorted(SCHOOL_DAYS, np.datetime64(ATTENDANCE_MENTORING.start))
    rate_before = _logistic(logit)
    rate_after = np.where(mentored, _logistic(logit + ATTENDANCE_MENTORING.effect), rate_before)
    unauthorised_share = pupils["unauthorised_share"].to_numpy()[members]

    # Absence comes in spells (a few days of illness), modelled as a two-state Markov chain
    # whose long-run share of absent days is the pupil's rate.
    def chain(rate):
        stay = np.clip(rate + 0.4, 0.55, 0.97)
        return rate * (1 - stay) / (1 - rate), stay

    start_before, stay_before = chain(rate_before)
    start_after, stay_after = chain(rate_after)
    draws = rng.random((4, days, n))
    reason_codes = np.array([_MARK["I"], _MARK["M"], _MARK["C"]])
    reason_cumulative = np.array([0.9, 0.96, 1.0])
    absent_reason = np.zeros((days, n), dtype=np.int8)  # 0 = present, else a mark index
    previous = draws[0, 0] < rate_before
    previous_reason = np.full(n, _MARK["I"], dtype=np.int8)
    recent = days - 10  # reasons for the last fortnight's absences are still being chased
    for d in range(days):
        starting, staying = (start_after, stay_after) if d >= mentoring_from else (start_before, stay_before)
        absent = draws[0, d] < np.where(previous, staying, starting)
        new_reason = np.where(draws[1, d] < unauthorised_share,
                              _MARK["N"] if d >= recent else _MARK["O"],
                              reason_codes[np.searchsorted(reason_cumulative, draws[2, d])])
        reason = np.where(previous & (draws[3, d] < 0.9), previous_reason, new_reason).astype(np.int8)
        absent_reason[d] = np.where(absent, reason, 0)
        previous, previous_reason = absent, reason

    am = np.where(absent_reason > 0, absent_reason, _MARK["/"]).T.copy()  # pupils x days
    pm = np.where(absent_reason > 0, absent_reason, _MARK["\\"]).T.copy()
    # Some absences are half days (appointments mostly): the other session is present.
    half = (absent_reason.T > 0) & (rng.random((n, days)) < np.where(absent_reason.T == _MARK["M"], 0.7, 0.12))
    morning_only = rng.random((n, days)) < 0.5
    pm = np.where(half & morning_only, _MARK["\\"], pm)
    am = np.where(half & ~morning_only, _MARK["/"], am)
    # Late: before registers closed (L, present) or after (U, unauthorised absence).
    late = (am == _MARK["/"]) & (rng.random((n, days)) < pupils["lateness"].to_numpy()[members, None])
    am = np.where(late, np.where(rng.random((n, days)) < 0.1, _MARK["U"], _MARK["L"]), am)
    marks = np.stack([am, pm], axis=2).astype(np.int8)
    _register_events(rng, marks, pupils, members, enrolments)

    admitted = SCHOOL_DAYS[None, :] >= pupils["admission_date"].to_numpy()[members].astype("datetime64[D]")[:, None]
    return Register(members, marks, admitted)


def _register_events(rng, marks, pupils, members, enrolments) -> None:
    """Things that happen to some pupils on some days: holidays, suspensions, trips, fixtures."""
    n, days = marks.shape[:2]
    weekday = (SCHOOL_DAYS.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    # Last school day before each break of more than a weekend.
    gaps = np.diff(SCHOOL_DAYS).astype(int)
    before_break = np.nonzero(gaps > 3)[0]

    def present() -> np.ndarray:
        return np.isin(marks, [_MARK["/"], _MARK["\\"], _MARK["L"]])

    for i in np.nonzero(rng.random(n) < 0.05)[0]:  # term-time holidays, not authorised (G)
        end = int(rng.choice(before_break))
        marks[i, max(0, end - int(rng.integers(2, 5))):end + 1, :] = _MARK["G"]
    grit = pupils["grit"].to_numpy()[members]
    for i in np.nonzero(rng.random(n) < 0.02 + 0.03 * (grit < -1))[0]:  # suspensions (E)
        for _ in range(int(rng.integers(1, 3))):
            first = int(rng.integers(days - 3))
            marks[i, first:first + int(rng.integers(1, 4)), :] = _MARK["E"]
    year_group = _year_group(pupils, 2025)[members]
    rate = _logistic(pupils["absence_logit_2025"].to_numpy()[members])
    for i in np.nonzero((rate > 0.45) & (year_group >= 9) & (rng.random(n) < 0.5))[0]:  # part-time timetable
        first = int(rng.integers(days // 2))
        marks[i, first:first + int(rng.integers(30, 80)), 1] = _MARK["C2"]
    attending = present()
    for i in np.nonzero((rate > 0.2) & (year_group >= 10) & (rng.random(n) < 0.08))[0]:  # alternative provision
        wednesdays = (weekday == 2) & attending[i].all(axis=1)
        marks[i, wednesdays, :] = _MARK["B"]
    # Trips: the Y8 museum visit, the Y10 geography fieldwork.
    trip_day = np.searchsorted(SCHOOL_DAYS, np.datetime64("2026-06-24"))
    attending = present()
    on_trip = (year_group == 8) & attending[:, trip_day].all(axis=1)
    marks[on_trip, trip_day, :] = _MARK["V"]
    fieldwork = np.searchsorted(SCHOOL_DAYS, np.datetime64("2026-06-10"))
    geographers = enrolments.loc[(enrolments["year_start"] == 2025) & (enrolments["subject"] == SUBJECT_INDEX["GE4"])
                                 & (enrolments["year_group"] == 10), "pupil"]
    on_fieldwork = np.isin(members, geographers) & attending[:, fieldwork].all(axis=1)
    marks[on_fieldwork, fieldwork, :] = _MARK["V"]
    # Sports Academy fixtures on some Wednesday afternoons (approved sporting activity).
    academy = pd.Series(pupils["custom_groups"].to_numpy()[members]).str.contains("Sports Academy").to_numpy()
    fixtures = np.nonzero(weekday == 2)[0][2::5]
    attending = present()
    for d in fixtures:
        playing = academy & attending[:, d, 1]
        marks[playing, d, 1] = _MARK["P"]


# --------------------------------------------------------------------------
# Writing the files
# --------------------------------------------------------------------------


def _dmy(values) -> list[str]:
    """Dates as an MIS writes them: dd/mm/yyyy ('' when missing)."""
    return ["" if pd.isna(v) else pd.Timestamp(v).strftime("%d/%m/%Y") for v in values]


def _write_csv(frame: pd.DataFrame, path: Path, encoding: str = "utf-8", sep: str = ",",
               line_end: str = "\n") -> None:
    frame.to_csv(path, index=False, sep=sep, encoding=encoding, lineterminator=line_end)


def _write_subjects(file: DemoFile) -> DemoFile:
    frame = pd.DataFrame({
        "Subject Code": [s.code for s in SUBJECTS],
        "Subject Name": [s.name for s in SUBJECTS],
        "Key Stage": [s.key_stage for s in SUBJECTS],
        "Qualification": [s.qualification for s in SUBJECTS],
        "EBacc Category": [s.ebacc_category for s in SUBJECTS],
        "A8 Eligible": [s.a8_eligible for s in SUBJECTS],
        "Grade Scale": [s.grade_scale for s in SUBJECTS],
        "Effort Scale": [EFFORT_SCALE for _ in SUBJECTS],
    })
    _write_csv(frame, file.path)
    return file


def _write_staff(file: DemoFile, staff: pd.DataFrame) -> DemoFile:
    """The one XLSX export (written with openpyxl through pandas)."""
    frame = staff.rename(columns={"staff_code": "Staff Code", "title": "Title", "forename": "Forename",
                                  "surname": "Surname", "email": "Email"}).drop(columns="department")
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="Staff", engine="openpyxl")
    file.path.write_bytes(_deterministic_xlsx(buffer.getvalue()))
    return file


def _deterministic_xlsx(data: bytes) -> bytes:
    """An XLSX with fixed timestamps (openpyxl stamps the save time), so reruns are byte-identical."""
    fixed = (2026, 7, 17, 0, 0, 0)
    stamp = "2026-07-17T00:00:00Z"
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=fixed)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def _write_pupils(file: DemoFile, pupils: pd.DataFrame) -> DemoFile:
    """SIMS-style: Windows-1252, semicolons, MIS headers, dd/mm/yyyy, Y/N and Yes/No."""
    on_roll = _on_roll(pupils, 2025)
    shown = on_roll | np.isin(pupils["cohort"].to_numpy(), LEAVER_COHORTS)
    year_start = np.where(on_roll, 2025, pupils["cohort"].to_numpy())
    year_group = 11 - (pupils["cohort"].to_numpy() - year_start)

    def y_n(flags):
        return np.where(flags, "Y", "N")

    def yes_no(flags):
        return np.where(flags, "Yes", "No")

    def score(values):
        return ["" if np.isnan(v) else str(int(v)) for v in values]

    frame = pd.DataFrame({
        "UPN": pupils["upn"],
        "Legal Surname": pupils["surname"],
        "Legal Forename": pupils["forename"],
        "Preferred Forename": pupils["preferred_forename"],
        "Gender": pupils["gender"],
        "DOB": _dmy(pupils["dob"]),
        "Year": year_group.astype(str),
        "Academic Year": [_academic_year(y) for y in year_start],
        "Reg Group": [f"{g}{x}" for g, x in zip(year_group, pupils["tutor_letter"])],
        "Admission Date": _dmy(pupils["admission_date"]),
        "Leaving Date": _dmy(pupils["leaving_date"]),
        "Disadvantaged": y_n(pupils["disadvantaged"]),
        "PP": y_n(pupils["pupil_premium"]),
        "FSM": y_n(pupils["fsm"]),
        "SEN Status": pupils["sen"],
        "EAL": y_n(pupils["eal"]),
        "Ethnicity": pupils["ethnicity"],
        "Looked After": yes_no(pupils["looked_after"]),
        "More Able": yes_no(pupils["more_able"]),
        "KS2 Reading": score(pupils["ks2_reading"]),
        "KS2 Maths": score(pupils["ks2_maths"]),
        "CAT Mean": [f"{v:.1f}" for v in pupils["cat_mean"]],
        "Groups": pupils["custom_groups"],
    })[shown]
    # On roll first, by year and form; then the leavers.
    frame = frame.assign(_leaver=~on_roll[shown], _year=year_group[shown]).sort_values(
        ["_leaver", "Academic Year", "_year", "Reg Group", "Legal Surname", "Legal Forename", "UPN"],
        kind="stable").drop(columns=["_leaver", "_year"])
    _write_csv(frame, file.path, encoding="cp1252", sep=";", line_end="\r\n")
    return file


def _write_assessment_points(file: DemoFile) -> DemoFile:
    frame = pd.DataFrame({
        "Assessment Point": [p.name for p in ASSESSMENT_POINTS],
        "Academic Year": [p.academic_year for p in ASSESSMENT_POINTS],
        "Term": [p.term for p in ASSESSMENT_POINTS],
        "Date": _dmy([p.date for p in ASSESSMENT_POINTS]),
        "Point Kind": [p.kind for p in ASSESSMENT_POINTS],
    })
    _write_csv(frame, file.path)
    return file


def _write_teaching_groups(file: DemoFile, pupils: pd.DataFrame, enrolments: pd.DataFrame) -> DemoFile:
    rows = enrolments.sort_values(["year_start", "class_code", "pupil"], kind="stable")
    frame = pd.DataFrame({
        "Academic Year": [_academic_year(y) for y in rows["year_start"]],
        "Class": rows["class_code"].to_numpy(),
        "Subject": [SUBJECTS[s].code for s in rows["subject"]],
        "Teacher": rows["teacher"].to_numpy(),
        "UPN": pupils["upn"].to_numpy()[rows["pupil"].to_numpy()],
    })
    frame = frame.sort_values(["Academic Year", "Class", "UPN"], kind="stable")
    _write_csv(frame, file.path)
    return file


def _is_wide_marksheet_row(rows: pd.DataFrame) -> np.ndarray:
    return ((rows["assessment_point"] == "2025/26 Summer") & (rows["key_stage"] == "3")).to_numpy()


def _write_assessments(file: DemoFile, pupils: pd.DataFrame, rows: pd.DataFrame,
                       rng: np.random.Generator) -> DemoFile:
    year = file.academic_year
    mine = rows[(rows["year_start"] == int(year[:4])).to_numpy() & ~_is_wide_marksheet_row(rows)]
    frame = pd.DataFrame({
        "upn": pupils["upn"].to_numpy()[mine["pupil"].to_numpy()],
        "subject_code": [SUBJECTS[s].code for s in mine["subject"]],
        "assessment_point": mine["assessment_point"].to_numpy(),
        "grade_type": mine["grade_type"].to_numpy(),
        "grade": mine["grade"].to_numpy(),
        "effort": mine["effort"].to_numpy(),
    })
    frame = _plant_assessment_problems(frame, file.path.name, rng)
    if year == "2023/24":  # this year came out of SIMS, with its own column names
        frame.columns = ["UPN", "Subject", "Result Set", "Aspect", "Result", "Effort"]
    _write_csv(frame, file.path)
    return file


def _problems_in(file_name: str) -> list[DeliberateProblem]:
    return [p for p in DELIBERATE_PROBLEMS if p.file == file_name and p.row is not None]


def _plant_cells(frame: pd.DataFrame, file_name: str, headers: dict[str, str]) -> None:
    """Overwrite the cells DELIBERATE_PROBLEMS lists for this file (any row will do)."""
    for problem in _problems_in(file_name):
        frame.iloc[problem.row - 2, frame.columns.get_loc(headers[problem.column])] = problem.value


def _plant_assessment_problems(frame: pd.DataFrame, file_name: str, rng: np.random.Generator) -> pd.DataFrame:
    """Put each planted problem at its fixed row, moving a suitable row there first."""
    frame = frame.reset_index(drop=True)
    scale = frame["subject_code"].map({s.code: s.grade_scale for s in SUBJECTS})
    for problem in _problems_in(file_name):
        at = problem.row - 2
        if problem.problem == "duplicate_row":
            frame = pd.concat([frame.iloc[:at], frame.iloc[[at - 1]], frame.iloc[at:]], ignore_index=True)
            scale = pd.concat([scale.iloc[:at], scale.iloc[[at - 1]], scale.iloc[at:]], ignore_index=True)
            continue
        if problem.problem == "grade_not_on_scale":
            wanted = "gcse_fine" if problem.value == "10" else "nc_levels"
            suitable = np.nonzero((scale.to_numpy() == wanted) & (frame["grade"].to_numpy() != "")
                                  & (np.arange(len(frame)) >= at))[0]
            source = int(suitable[0])
            order = np.arange(len(frame))
            order[[at, source]] = order[[source, at]]
            frame, scale = frame.iloc[order].reset_index(drop=True), scale.iloc[order].reset_index(drop=True)
            frame.loc[at, "grade"] = problem.value
        elif problem.problem == "invalid_upn":
            upn = frame.at[at, "upn"]
            wrong = [c for c in "ABCDEFGHJKLMNPQRTUVWXYZ" if c != upn[0]]
            frame.loc[at, "upn"] = str(rng.choice(wrong)) + upn[1:]
        elif problem.problem == "unknown_subject":
            frame.loc[at, "subject_code"] = problem.value
    return frame


def _write_wide_marksheet(file: DemoFile, pupils: pd.DataFrame, rows: pd.DataFrame) -> DemoFile:
    """The 2025/26 Summer KS3 working-at grades as one sheet: a row per pupil, a column per subject."""
    mine = rows[_is_wide_marksheet_row(rows) & (rows["grade_type"] == "working_at").to_numpy()]
    grades = mine.pivot(index="pupil", columns="subject", values="grade")
    classes = mine.pivot(index="pupil", columns="subject", values="class_code")
    missing_class = "9C/Hi"  # DELIBERATE_PROBLEMS: the teacher never entered the grades
    history = SUBJECT_INDEX["HI3"]
    grades.loc[classes[history] == missing_class, history] = ""
    index = grades.index.to_numpy()
    year_group = _year_group(pupils, 2025)[index]
    frame = pd.DataFrame({
        "UPN": pupils["upn"].to_numpy()[index],
        "Surname": pupils["surname"].to_numpy()[index],
        "Forename": pupils["forename"].to_numpy()[index],
        "Reg Group": [f"{g}{x}" for g, x in zip(year_group, pupils["tutor_letter"].to_numpy()[index])],
    })
    for s in KS3_SUBJECTS:
        frame[SUBJECTS[s].name] = grades[s].fillna("").to_numpy()
    frame = frame.sort_values(["Reg Group", "Surname", "Forename", "UPN"], kind="stable")
    _write_csv(frame, file.path)
    return file


def _write_targets(file: DemoFile, pupils: pd.DataFrame, targets: pd.DataFrame) -> DemoFile:
    """Exported from Excel as "CSV UTF-8": with a byte-order mark, ISO dates."""
    rows = targets.assign(upn=pupils["upn"].to_numpy()[targets["pupil"].to_numpy()]).sort_values(
        ["upn", "subject", "target_kind", "set_on"], kind="stable")
    frame = pd.DataFrame({
        "UPN": rows["upn"].to_numpy(),
        "Subject": [SUBJECTS[s].code for s in rows["subject"]],
        "Target Type": rows["target_kind"].to_numpy(),
        "Grade": rows["grade"].to_numpy(),
        "Source": rows["source"].to_numpy(),
        "Set By": rows["set_by"].to_numpy(),
        "Date Set": [d.isoformat() for d in rows["set_on"]],
        "Reason": rows["reason"].to_numpy(),
    })
    _write_csv(frame, file.path, encoding="utf-8-sig")
    return file


def _write_register(file: DemoFile, pupils: pd.DataFrame, register: Register) -> DemoFile:
    """~420k rows: built from arrays in one go (no loop over rows)."""
    pupil, day = np.nonzero(register.admitted)  # pupils in UPN order, then date
    upn = np.repeat(pupils["upn"].to_numpy()[register.members][pupil], 2)
    day_text = np.array([d.strftime("%d/%m/%Y") for d in SCHOOL_DAYS.astype(object)], dtype=object)
    frame = pd.DataFrame({
        "UPN": upn,
        "Date": np.repeat(day_text[day], 2),
        "Session": np.tile(np.array(["AM", "PM"], dtype=object), len(pupil)),
        "Mark": MARKS[register.marks[pupil, day, :].ravel()],
    })
    _plant_cells(frame, file.path.name, {"mark": "Mark"})
    _write_csv(frame, file.path)
    return file


def _write_attendance_summary(file: DemoFile, pupils: pd.DataFrame, summaries: pd.DataFrame) -> DemoFile:
    rows = summaries.assign(upn=pupils["upn"].to_numpy()[summaries["pupil"].to_numpy()]).sort_values(
        ["year_start", "upn"], kind="stable")
    frame = pd.DataFrame({
        "UPN": rows["upn"].to_numpy(),
        "From": _dmy(rows["from_date"]),
        "To": _dmy(rows["to_date"]),
        "Possible": rows["possible"].to_numpy(),
        "Present": rows["present"].to_numpy(),
        "Authorised Absences": rows["authorised"].to_numpy(),
        "Unauthorised Absences": rows["unauthorised"].to_numpy(),
    })
    _write_csv(frame, file.path)
    return file


def _write_interventions(file: DemoFile, pupils: pd.DataFrame, interventions: pd.DataFrame) -> DemoFile:
    rows = interventions.assign(upn=pupils["upn"].to_numpy()[interventions["pupil"].to_numpy()]).sort_values(
        ["programme", "upn"], kind="stable")
    frame = pd.DataFrame({
        "Programme": rows["programme"].to_numpy(),
        "UPN": rows["upn"].to_numpy(),
        "Subject": rows["subject"].to_numpy(),
        "Start Date": _dmy(rows["start_date"]),
        "End Date": _dmy(rows["end_date"]),
        "Lead": rows["lead"].to_numpy(),
    }).reset_index(drop=True)
    _plant_cells(frame, file.path.name, {"end_date": "End Date"})
    _write_csv(frame, file.path)
    return file
