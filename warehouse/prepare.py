"""The work on files that writes nothing: read, recognise, map, validate.

prepare_files() turns each file into a Prepared: its canonical rows, the
problems found in them, and the verdict (load, or reject whole with a
message). It touches no database, so ingest.py can run it in worker processes
for big imports; loading what it prepared is ingest.py's job.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from warehouse import suites
from warehouse.formats import HEADER_SPELLINGS, KINDS, Kind, normalise_header
from warehouse.lookups import Lookups
from warehouse.normalise import normalise_column
from warehouse.read import ExportTable, FileRejected, detect_kind, map_headers, read_export
from warehouse.validate import Issue, distinct_combinations, validate


@dataclass(frozen=True)
class IngestOptions:
    """What the user says about files that do not say it themselves."""
    kind: str | None = None
    school: str | None = None
    academic_year: str | None = None
    assessment_point: str | None = None
    grade_type: str | None = None
    # Loaded by `python -m warehouse demo`: made-up pupils (recorded with the batch; the demo's
    # sign-in without a password is offered only while every batch is one of these).
    demo: bool = False

    def filled(self, default_school: str, current_academic_year: str) -> "IngestOptions":
        return IngestOptions(
            kind=self.kind,
            school=(self.school or default_school).strip().upper(),
            academic_year=self.academic_year or current_academic_year,
            assessment_point=self.assessment_point,
            grade_type=self.grade_type,
            demo=self.demo,
        )


@dataclass
class Prepared:
    """A file read and checked, ready to load (or to record as rejected)."""
    path: Path
    options: IngestOptions
    started: datetime
    file_hash: str = ""
    load_key: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    kind: str | None = None
    layout: str = "long"
    frame: pd.DataFrame | None = None        # canonical rows, all of them
    row_numbers: np.ndarray | None = None    # the file row of each frame row
    source_columns: list[str] | None = None  # the marksheet column of each frame row
    issues: list[Issue] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)  # one summary per expectation
    records: dict[int, str] = field(default_factory=dict)  # bad rows as in the file, JSON
    rejection: str | None = None             # why the whole file is rejected
    unchanged: bool = False                  # loaded before with the same options
    table: ExportTable | None = None         # the file as read, until the verdict

    @property
    def rows_read(self) -> int:
        return 0 if self.frame is None else len(self.frame)

    @property
    def bad_rows(self) -> list[int]:
        return sorted({issue.index for issue in self.issues})

    def column_of(self, issue: Issue) -> str:
        """The column to show: a marksheet's subject heading for a cell's grade."""
        if self.source_columns and issue.column in ("grade", "subject_code"):
            return self.source_columns[issue.index]
        return issue.column

    def describe(self, limit: int = 10) -> list[dict]:
        return [{"row": int(self.row_numbers[i.index]), "column": self.column_of(i), "value": i.value,
                 "reason": i.reason} for i in self.issues[:limit]]


def load_key(file_hash: str, options: IngestOptions) -> str:
    """A file and the options it was loaded with: the same pair twice changes nothing."""
    text = json.dumps({"hash": file_hash, **asdict(options)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def prepare_files(jobs: list[tuple[Path, IngestOptions]], lookups: Lookups, loaded_keys: set[str],
                  max_bad_row_share: float) -> list[Prepared]:
    """Read, recognise, map and validate files; decide for each whether it loads.

    Files of the same kind are validated together, in one Great Expectations
    pass (its fixed cost is per pass, and a trust sends hundreds of files),
    and each file then gets its own problems, results and verdict.
    """
    prepared = [_read_and_map(path, options, lookups, loaded_keys) for path, options in jobs]
    ready = [p for p in prepared if p.frame is not None]
    for kind in dict.fromkeys(p.kind for p in ready):
        _validate_together([p for p in ready if p.kind == kind], kind, lookups)
    for p in ready:
        _decide(p, max_bad_row_share)
    return prepared


def _read_and_map(path: Path, options: IngestOptions, lookups: Lookups, loaded_keys: set[str]) -> Prepared:
    prepared = Prepared(path=path, options=options, started=datetime.now())
    try:
        table = read_export(path)
    except FileRejected as rejection:
        prepared.rejection = str(rejection)
        return prepared
    prepared.file_hash, prepared.encoding, prepared.delimiter = table.file_hash, table.encoding, table.delimiter
    prepared.load_key = load_key(table.file_hash, options)
    if prepared.load_key in loaded_keys:
        prepared.unchanged = True
        return prepared
    try:
        kind_name, wide = _kind_of(table, options, lookups)
        prepared.kind, prepared.layout = kind_name, "wide marksheet" if wide else "long"
        frame, row_numbers, source_columns = (
            _canonical_wide(table, options, lookups) if wide else _canonical_long(table, KINDS[kind_name], options)
        )
        _canonicalise_codes(frame, lookups)
    except FileRejected as rejection:
        prepared.rejection = str(rejection)
        return prepared
    prepared.frame, prepared.row_numbers, prepared.source_columns = frame, row_numbers, source_columns
    prepared.table = table
    if not wide:
        prepared.issues = [Issue(i, "", None, "row has more cells than there are headings") for i in table.ragged_rows]
    return prepared


def _validate_together(members: list[Prepared], kind: str, lookups: Lookups) -> None:
    """One validation pass over several files' rows; each file gets back its own issues and results."""
    offsets = np.cumsum([0] + [len(m.frame) for m in members])
    combined = pd.concat([m.frame for m in members], ignore_index=True)
    combined[suites.FILE] = np.repeat(np.arange(len(members)), np.diff(offsets))
    validation = validate(combined, kind, lookups)
    owner = np.searchsorted(offsets, [issue.index for issue in validation.issues], side="right") - 1
    for position, member in enumerate(members):
        mine = [Issue(i.index - int(offsets[position]), i.column, i.value, i.reason, i.check)
                for i, o in zip(validation.issues, owner) if o == position]
        member.issues = sorted(member.issues + mine, key=lambda issue: (issue.index, issue.column))
        counts = np.bincount([i.check for i in mine if i.check >= 0], minlength=len(validation.results))
        member.results = [{**r, "unexpected_count": int(n), "success": not n}
                          for r, n in zip(validation.results, counts)]


def _decide(prepared: Prepared, max_bad_row_share: float) -> None:
    """Load the file, or reject it whole when too many of its rows are bad."""
    bad = prepared.bad_rows
    share = len(bad) / prepared.rows_read
    if share > max_bad_row_share:
        prepared.rejection = (
            f"{prepared.path.name}: {len(bad)} of {prepared.rows_read} rows failed validation ({share:.0%}), "
            f"more than the {max_bad_row_share:.0%} allowed, so nothing was loaded: is it the right file, "
            f"exported with the right settings? Most common problem: {_most_common_reason(prepared.issues)}."
        )
    elif bad:
        table = prepared.table
        # A marksheet's rows are its pupil rows repeated once per subject column.
        prepared.records = {i: _record_json(table, i % len(table.frame)) for i in bad}
    prepared.table = None  # the file's text is not needed any more (nor sent back from a worker)


def _kind_of(table: ExportTable, options: IngestOptions, lookups: Lookups) -> tuple[str, bool]:
    subject_labels = set(lookups.subject_labels(options.school))
    if options.kind:
        if options.kind not in KINDS:
            raise FileRejected(f"{table.path.name}: unknown kind {options.kind!r}; one of {', '.join(KINDS)}.")
        mapped = set(map_headers(table.headers, options.kind).values())
        wide = (options.kind == "assessments" and "subject_code" not in mapped
                and any(normalise_header(h) in subject_labels for h in table.headers))
        return options.kind, wide
    return detect_kind(table.headers, subject_labels, table.path.name)


def _canonical_long(table: ExportTable, kind: Kind, options: IngestOptions):
    mapping = map_headers(table.headers, kind.name)
    missing = [c for c in kind.required if c not in mapping.values()]
    if missing:
        raise FileRejected(_missing_columns_message(table, kind, missing))
    frame = pd.DataFrame(index=table.frame.index)
    for header, canonical in mapping.items():
        frame[canonical] = table.frame[header]
    _fill_from_options(frame, kind, options, table)
    for column in kind.columns:
        if column.name not in frame:
            frame[column.name] = pd.Series(pd.NA, index=frame.index, dtype="string")
        frame[column.name] = normalise_column(frame[column.name].astype("string"), column)
    return frame[kind.column_names].reset_index(drop=True), table.row_numbers, None


def _fill_from_options(frame: pd.DataFrame, kind: Kind, options: IngestOptions, table: ExportTable) -> None:
    values = {"school_code": options.school, "academic_year": options.academic_year,
              "assessment_point": options.assessment_point, "grade_type": options.grade_type}
    for column in kind.columns:
        if not column.from_option:
            continue
        given = values.get(column.name)
        if column.name in frame:
            if given:  # blanks in the column take the option's value
                frame[column.name] = frame[column.name].fillna(given)
            continue
        if given is None:
            option = "--" + column.name.replace("_", "-")
            raise FileRejected(f"{table.path.name}: no {column.name} column: add one, or give it with {option}.")
        frame[column.name] = pd.Series(given, index=frame.index, dtype="string")


def _missing_columns_message(table: ExportTable, kind: Kind, missing: list[str]) -> str:
    hints = "; ".join(
        f"{name} (accepted headings: {', '.join(s.replace('_', ' ') for s in HEADER_SPELLINGS.get(name, [name])[:4])})"
        for name in missing
    )
    return (f"{table.path.name}: looks like a {kind.title.lower()} export but has no column for {hints}. "
            f"Its headings are: {', '.join(table.headers[:15])}.")


def _canonical_wide(table: ExportTable, options: IngestOptions, lookups: Lookups):
    """A marksheet (a row per pupil, a column per subject) -> one row per grade cell."""
    name = table.path.name
    labels = lookups.subject_labels(options.school)
    upn_headers = [h for h in table.headers if map_headers([h], "assessments").get(h) == "upn"]
    subject_headers = [h for h in table.headers if normalise_header(h) in labels]
    if not upn_headers:
        raise FileRejected(f"{name}: a marksheet needs a UPN column.")
    for needed in ("assessment_point", "grade_type"):
        if getattr(options, needed) is None:
            raise FileRejected(
                f"{name}: this is a wide marksheet (a column per subject: {', '.join(subject_headers[:6])}); "
                f"give its drop and grade type with --assessment-point and --grade-type."
            )
    upn = table.frame[upn_headers[0]]
    pieces, sources = [], []
    for header in subject_headers:
        pieces.append(pd.DataFrame({
            "upn": upn.values, "subject_code": labels[normalise_header(header)], "grade": table.frame[header].values,
        }))
        sources.extend([header] * len(upn))
    frame = pd.concat(pieces, ignore_index=True).astype("string")
    frame["school_code"] = options.school
    frame["assessment_point"] = options.assessment_point
    frame["grade_type"] = options.grade_type
    frame["effort"] = pd.NA
    kind = KINDS["assessments"]
    for column in kind.columns:
        frame[column.name] = normalise_column(frame[column.name].astype("string"), column)
    rows = np.tile(table.row_numbers, len(subject_headers))  # each pupil row, once per subject column
    return frame[kind.column_names], rows, sources


def _canonicalise_codes(frame: pd.DataFrame, lookups: Lookups) -> None:
    """Subject names to codes, and grades and efforts as spelt on their scales.

    Worked out once per distinct (school, subject, value), not per row.
    """
    if "subject_code" not in frame:
        return
    labels = {}

    def subject_code(school, value):
        if value is None:
            return None
        if school not in labels:
            labels[school] = lookups.subject_labels(school)
        return labels[school].get(normalise_header(value), value.strip().upper())

    _replace(frame, "subject_code", ["school_code", "subject_code"], subject_code)
    for column, which in (("grade", "grade"), ("effort", "effort")):
        if column in frame:
            _replace(frame, column, ["school_code", "subject_code", column],
                     lambda school, subject, value, which=which: None if value is None else
                     lookups.canonical_label(school, subject, value, which))


def _replace(frame: pd.DataFrame, column: str, columns: list[str], build) -> None:
    rows, values = distinct_combinations(frame, columns, build)
    frame[column] = pd.Series(values, dtype="string").take(rows).reset_index(drop=True).set_axis(frame.index)


def _record_json(table: ExportTable, position: int) -> str:
    """The whole row as it was in the file, for the data manager to see in quarantine."""
    row = table.frame.iloc[position]
    return json.dumps({h: (None if pd.isna(v) else str(v)) for h, v in row.items()}, ensure_ascii=False)


def _most_common_reason(issues: list[Issue]) -> str:
    counts: dict[str, int] = {}
    for issue in issues:
        label = f"{issue.column}: {issue.reason}"
        counts[label] = counts.get(label, 0) + 1
    label, count = max(counts.items(), key=lambda item: item[1])
    return f"{label} ({count} rows)"
