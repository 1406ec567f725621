"""Bringing MIS spellings of values to one canonical text form, column by column.

"Yes"/"True"/"1" -> "Y", "Male" -> "M", "SEN Support" -> "K", 05/09/2025 ->
2025-09-05, "2025-2026" -> "2025/26". A value that cannot be understood is left
exactly as it was, so that validation reports it with the text the data
manager will recognise. All vectorised over unique values: files can be large.
"""
from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from warehouse.formats import Column

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d")

YES = {"Y", "YES", "TRUE", "T", "1"}
NO = {"N", "NO", "FALSE", "F", "0"}

# Per-column synonyms for enumerated values, keyed by the value upper-cased.
ENUM_SYNONYMS: dict[str, dict[str, str]] = {
    "gender": {"MALE": "M", "BOY": "M", "FEMALE": "F", "GIRL": "F", "OTHER": "X", "NOT KNOWN": "X"},
    "sen_status": {"NONE": "N", "NO SEN": "N", "NO": "N", "SEN SUPPORT": "K", "SUPPORT": "K",
                   "EHC PLAN": "E", "EHCP": "E", "EHC": "E", "STATEMENT": "E", "S": "E"},
    "session": {"A": "AM", "MORNING": "AM", "P": "PM", "AFTERNOON": "PM"},
    "grade_type": {"WORKING AT": "working_at", "WORKING-AT": "working_at", "WORKING_AT": "working_at",
                   "WAG": "working_at", "CURRENT": "working_at", "PREDICTED": "predicted",
                   "PREDICTION": "predicted", "FORECAST": "predicted", "MOCK": "mock", "MOCKS": "mock",
                   "FINAL": "final", "RESULT": "final", "RESULTS": "final", "EXAM": "final"},
    "term": {"AUTUMN": "autumn", "AUT": "autumn", "AUTUMN 1": "autumn", "AUTUMN 2": "autumn",
             "SPRING": "spring", "SPR": "spring", "SPRING 1": "spring", "SPRING 2": "spring",
             "SUMMER": "summer", "SUM": "summer", "SUMMER 1": "summer", "SUMMER 2": "summer"},
    "target_kind": {"TARGET": "target", "ESTIMATE": "estimate", "FFT": "estimate", "PREDICTION": "estimate"},
}


def normalise_column(values: pd.Series, column: Column) -> pd.Series:
    """The canonical text of each value of one column (unknown spellings unchanged)."""
    converter = _CONVERTERS.get(column.type)
    if converter is None:
        return values
    if column.type == "enum":
        return _map_unique(values, lambda v: _enum(v, column))
    return _map_unique(values, converter)


def _map_unique(values: pd.Series, convert) -> pd.Series:
    codes, uniques = pd.factorize(values)  # blanks get code -1
    # A cell of spaces is a blank cell.
    converted = [convert(value) if value.strip() else pd.NA for value in uniques]
    mapped = pd.array(converted, dtype="string").take(codes, allow_fill=True)
    return pd.Series(mapped, index=values.index)


def _upper(value: str) -> str:
    return value.strip().upper()


def _upn(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def _yes_no(value: str) -> str:
    key = value.strip().upper()
    if key in YES:
        return "Y"
    if key in NO:
        return "N"
    return value


def parse_date(value: str) -> datetime | None:
    text = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _date(value: str) -> str:
    parsed = parse_date(value)
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return value
    return parsed.strftime("%Y-%m-%d")


def _integer(value: str) -> str:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() else value


def _number(value: str) -> str:
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        return value
    return f"{number:g}"


def _academic_year(value: str) -> str:
    match = re.fullmatch(r"\s*(\d{4})\s*[/\-]\s*(\d{2}|\d{4})\s*", value)
    if not match:
        return value
    start, end = int(match.group(1)), int(match.group(2)[-2:])
    if (start + 1) % 100 != end:
        return value
    return f"{start}/{end:02d}"


def _enum(value: str, column: Column) -> str:
    text = value.strip()
    key = text.upper()
    for allowed in column.values:
        if key == allowed.upper():
            return allowed
    return ENUM_SYNONYMS.get(column.name, {}).get(key, value)


def _strip(value: str) -> str:
    return value.strip()


_CONVERTERS = {
    "text": _strip,
    "code": _upper,
    "upn": _upn,
    "date": _date,
    "yes_no": _yes_no,
    "int": _integer,
    "number": _number,
    "academic_year": _academic_year,
    "enum": _enum,
    "scale": lambda v: v.strip().lower(),
    "grade": _strip,   # matched to the subject's scale in validate.py
    "effort": _strip,
    "mark": _upper,
}
