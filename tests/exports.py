"""Small MIS exports built from code, for the tests (no real people)."""
from __future__ import annotations

import csv
from pathlib import Path

from stdnum.gb import upn as upn_rules


def make_upn(serial: int, la: str = "801", establishment: str = "2000", year: str = "15") -> str:
    body = f"{la}{establishment}{year}{serial:03d}"
    return upn_rules.calc_check_digit(body) + body


def wrong_check_letter(upn: str) -> str:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    return next(letter for letter in letters if letter != upn[0]) + upn[1:]


UPNS = [make_upn(i) for i in range(1, 21)]


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def subjects(folder: Path) -> Path:
    return write_csv(folder / "subjects.csv",
                     ["Subject Code", "Subject Name", "Key Stage", "Grade Scale", "Effort Scale", "EBacc Category"],
                     [["MA", "Mathematics", 4, "gcse_fine", "effort_1_4", "maths"],
                      ["EN", "English Language", 4, "gcse_fine", "effort_1_4", "english_language"],
                      ["HI3", "History", 3, "nc_levels", "", "none"]])


def pupils(folder: Path, upns: list[str] = UPNS, name: str = "pupils.csv", **kwargs) -> Path:
    rows = [[upn, f"Testsurname{i}", f"Forename{i}", "F" if i % 2 else "M", f"{(i % 28) + 1:02d}/03/2010",
             11 if i < 10 else 10, "11A" if i < 10 else "10B", "Yes" if i % 3 == 0 else "No", "N",
             100 + i % 10, 95 + i % 15]
            for i, upn in enumerate(upns)]
    return write_csv(folder / name, ["UPN", "Legal Surname", "Legal Forename", "Gender", "DOB", "Year",
                                     "Reg Group", "PP", "SEN Status", "KS2 Reading", "KS2 Maths"], rows, **kwargs)


def staff(folder: Path) -> Path:
    return write_csv(folder / "staff.csv", ["Staff Code", "Title", "Forename", "Surname"],
                     [["ABC", "Ms", "Alex", "Teacher"], ["DEF", "Mr", "Dev", "Tutor"]])


def points(folder: Path) -> Path:
    return write_csv(folder / "points.csv", ["Assessment Point", "Academic Year", "Term", "Date"],
                     [["2025/26 Autumn", "2025/26", "Autumn", "05/12/2025"],
                      ["2025/26 Spring", "2025/26", "Spring", "27/03/2026"]])


def assessments(folder: Path, rows: list[list[object]] | None = None, name: str = "assessments.csv") -> Path:
    if rows is None:
        rows = [[upn, subject, "2025/26 Autumn", "working_at", grade, 2]
                for upn in UPNS for subject, grade in (("MA", "5+"), ("EN", "4"))]
    return write_csv(folder / name, ["UPN", "Subject", "Assessment Point", "Grade Type", "Grade", "Effort"], rows)


def base_school(folder: Path) -> list[Path]:
    """The dimension files every fact file refers to."""
    folder.mkdir(parents=True, exist_ok=True)
    return [subjects(folder), staff(folder), pupils(folder), points(folder)]


def query(store, sql: str, params: list | None = None) -> list[tuple]:
    """Rows from the store's current snapshot (opened read-only, then closed)."""
    import duckdb

    con = duckdb.connect(str(store.current_snapshot()), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
