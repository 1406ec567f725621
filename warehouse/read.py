"""Reading MIS export files: encodings, delimiters, XLSX, header rows, aliases.

Everything that can go wrong with the *file as a whole* raises FileRejected
with a message for the data manager naming the file and what to fix. Rows
are checked later (validate.py); here every value stays text.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse.formats import KINDS, canonical_column, normalise_header

SUPPORTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
# Rows above the header that MIS reports add (titles, "Printed on ..."): we
# look this far down for the header row.
HEADER_SEARCH_ROWS = 15


class FileRejected(Exception):
    """The file as a whole cannot be loaded; the message says why and what to do."""


@dataclass
class ExportTable:
    """One export read into text columns, with the spreadsheet row of each row."""
    path: Path
    file_hash: str
    headers: list[str]  # as in the file
    frame: pd.DataFrame  # one text column per header, named as in the file
    row_numbers: np.ndarray  # spreadsheet row number of each frame row (the header row is 1 if first)
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)
    # Positions (in frame) of rows with more cells than there are headings.
    ragged_rows: list[int] = field(default_factory=list)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_export(path: Path) -> ExportTable:
    """Read a CSV or XLSX export: find its encoding, delimiter and header row."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise FileRejected(f"{name}: file not found at {path}.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRejected(
            f"{name}: not a CSV or Excel (.xlsx) file. Export from the MIS as CSV or XLSX and import that."
        )
    digest = file_hash(path)
    if path.stat().st_size == 0:
        raise FileRejected(f"{name}: the file is empty. Export it again from the MIS.")
    if suffix == ".xlsx":
        grid, encoding, delimiter = _read_xlsx_grid(path), "xlsx", ""
    else:
        text, encoding = _decode(path)
        delimiter = _sniff_delimiter(text, name)
        fast = _read_csv_fast(path, digest, text, encoding, delimiter)  # pandas re-reads the bytes
        if fast is not None:
            return fast
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return _table_from_grid(path, digest, grid, encoding, delimiter)


def _read_csv_fast(path: Path, digest: str, text: str, encoding: str, delimiter: str) -> ExportTable | None:
    """pandas' C parser for well-formed files (most of them, and the big ones).

    Returns None for a file it cannot parse cleanly (ragged rows, quoted line
    breaks), which then takes the slower path that accounts for every row.
    """
    head = list(csv.reader(io.StringIO("\n".join(_first_lines(text))), delimiter=delimiter))
    header_index = _find_header_row(head)
    if header_index is None:
        return None
    try:
        # From the file's bytes, not the decoded text: pandas' C parser is faster on bytes.
        frame = pd.read_csv(
            path, encoding=encoding, sep=delimiter, skiprows=header_index, header=0, dtype="string",
            keep_default_na=False, na_values=[""], skip_blank_lines=False, engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    if frame.shape[0] + header_index + 1 != _count_lines(text):
        return None  # a quoted field spans lines: row numbers would drift
    headers = [str(h).strip().lstrip("\ufeff") for h in frame.columns]
    if any(h.startswith("Unnamed:") for h in headers):
        return None
    frame.columns = headers
    # Values keep their spaces here: normalisation trims each distinct value once.
    row_numbers = np.arange(header_index + 2, header_index + 2 + len(frame))
    keep = frame.notna().any(axis=1).to_numpy()
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    if frame.empty:
        raise FileRejected(f"{path.name}: the file has headings but no rows of data.")
    notes = [f"skipped {header_index} line(s) above the header row"] if header_index else []
    return ExportTable(path, digest, headers, frame, row_numbers[keep], encoding, delimiter, notes)


def _first_lines(text: str, count: int = HEADER_SEARCH_ROWS) -> list[str]:
    return text[: 1 << 16].splitlines()[:count]


def _count_lines(text: str) -> int:
    """Lines as the CSV parser counts them (\n, \r\n, or \r alone)."""
    breaks = text.count("\n") or text.count("\r")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def read_headers(path: Path) -> list[str]:
    """Just the headings: the first lines of a CSV (an XLSX is read whole)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return read_export(path).headers
    text, encoding = _decode(path, limit=256 * 1024)
    lines = text.splitlines()[:HEADER_SEARCH_ROWS + 5]
    delimiter = _sniff_delimiter("\n".join(lines), path.name)
    grid = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    index = _find_header_row(grid)
    return [] if index is None else [h.strip().lstrip("\ufeff") for h in grid[index]]


def _decode(path: Path, limit: int | None = None) -> tuple[str, str]:
    if limit is None:
        data = path.read_bytes()
    else:
        with open(path, "rb") as handle:
            data = handle.read(limit)
        data = data[: data.rfind(b"\n") + 1] or data  # whole lines only: no split character
    if b"\x00" in data[:4096]:
        raise FileRejected(
            f"{path.name}: this is not a text CSV (it holds binary data). "
            "If it is a spreadsheet, save it as .xlsx or CSV and import that."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Windows saves "CSV" in Windows-1252.
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str, name: str) -> str:
    head = [line for line in _first_lines(text) if line.strip()]
    if not head:
        raise FileRejected(f"{name}: the file has no rows. Export it again from the MIS.")
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in head]
        score = max(counts)
        if score > best_score:
            best, best_score = delimiter, score
    if best_score < 2:
        raise FileRejected(
            f"{name}: found only one column. Save the export as CSV with commas or semicolons between columns."
        )
    return best


def _read_xlsx_grid(path: Path) -> list[list[str]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileRejected(f"{path.name}: could not open it as an Excel workbook ({error}).") from error
    grids = [
        [[_cell_text(value) for value in row] for row in frame.itertuples(index=False)]
        for frame in sheets.values() if not frame.dropna(how="all").empty
    ]
    if not grids:
        raise FileRejected(f"{path.name}: the workbook has no data.")
    # The export is the first sheet with recognisable headings (workbooks often
    # open with a cover or notes sheet); failing that, the first with data.
    return next((grid for grid in grids if _has_known_headings(grid)), grids[0])


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp) or hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table_from_grid(path: Path, digest: str, grid: list[list[str]], encoding: str, delimiter: str) -> ExportTable:
    name = path.name
    header_index = _find_header_row(grid)
    if header_index is None:
        raise FileRejected(f"{name}: the file has no header row. Export it again with column headings.")
    headers = [h.strip().lstrip("\ufeff") for h in grid[header_index]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    body, row_numbers, ragged = [], [], []
    for offset, row in enumerate(grid[header_index + 1:], start=header_index + 2):
        cells = [c.strip() for c in row[:width]] + [""] * (width - len(row))
        extra = [c for c in row[width:] if c.strip()]
        if any(cells) or extra:  # a blank line is not a row
            if extra:
                ragged.append(len(body))
            body.append(cells)
            row_numbers.append(offset)
    if not body:
        raise FileRejected(f"{name}: the file has headings but no rows of data.")
    unique_headers = _dedupe(headers)
    frame = pd.DataFrame(body, columns=unique_headers, dtype="string").replace("", pd.NA)
    notes = []
    if header_index:
        notes.append(f"skipped {header_index} line(s) above the header row")
    return ExportTable(path, digest, unique_headers, frame, np.asarray(row_numbers), encoding, delimiter, notes,
                       ragged)


def _has_known_headings(grid: list[list[str]]) -> bool:
    index = _find_header_row(grid)
    return index is not None and _known_count(grid[index]) >= 2


def _known_count(row: list[str]) -> int:
    return sum(1 for cell in row if str(cell).strip() and canonical_column(cell) in _ALL_CANONICAL)


def _find_header_row(grid: list[list[str]]) -> int | None:
    """The first row naming at least two known columns; else the first non-blank row."""
    first_non_blank = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cells = [c for c in row if str(c).strip()]
        if not cells:
            continue
        if first_non_blank is None:
            first_non_blank = index
        if _known_count(cells) >= 2:
            return index
    return first_non_blank


_ALL_CANONICAL = {c.name for kind in KINDS.values() for c in kind.columns}


def _dedupe(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for index, header in enumerate(headers):
        header = header or f"column {index + 1}"
        if header in seen:
            seen[header] += 1
            header = f"{header} ({seen[header]})"
        else:
            seen[header] = 1
        result.append(header)
    return result


def map_headers(headers: list[str], kind: str) -> dict[str, str]:
    """File header -> canonical column for the columns this kind knows; the first wins."""
    known = set(KINDS[kind].column_names)
    mapping: dict[str, str] = {}
    for header in headers:
        canonical = canonical_column(header, kind)
        if canonical in known and canonical not in mapping.values():
            mapping[header] = canonical
    return mapping


def detect_kind(headers: list[str], subject_labels: set[str], name: str) -> tuple[str, bool]:
    """Which kind of export the headers describe, and whether it is a wide marksheet.

    A kind fits when all its required columns are present; among those that
    fit, the one that explains most of the headers wins. A file with a UPN
    column and columns named after known subjects is a wide marksheet.
    """
    candidates = []
    for kind in KINDS.values():
        mapped = set(map_headers(headers, kind.name).values())
        if set(kind.required) <= mapped:
            candidates.append((len(mapped), len(kind.required), kind.name))
    if candidates:
        return max(candidates)[2], False
    subject_columns = [h for h in headers if normalise_header(h) in subject_labels]
    if "upn" in {canonical_column(h) for h in headers} and subject_columns:
        return "assessments", True
    raise FileRejected(
        f"{name}: could not tell what kind of export this is from its headings "
        f"({', '.join(headers[:12])}{'…' if len(headers) > 12 else ''}). "
        "Check the headings against docs/import-formats.md, or give the kind with --kind."
    )
