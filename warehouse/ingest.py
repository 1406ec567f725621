"""Ingestion: files in, validated rows into raw, quarantine for the rest, rebuild.

For each file: read it (read.py), work out its kind, map its headers and
values to the canonical columns (formats.py, normalise.py), validate every row
with Great Expectations (validate.py), then load the good rows into the raw
table with their batch id, file hash and row number, and the bad ones into
quarantine with the reason. A file whose structure is wrong, or with too many
bad rows, is rejected whole. All files of one run, and the rebuild of the
derived tables, land in one new snapshot or not at all (store.py).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from warehouse import transform
from warehouse.formats import KINDS, LOAD_ORDER, Kind, normalise_header
from warehouse.lookups import Lookups
from warehouse.normalise import normalise_column
from warehouse.read import (SUPPORTED_SUFFIXES, ExportTable, FileRejected, detect_kind, map_headers,
                            read_export, read_headers)
from warehouse.schema import quote, raw_columns, raw_table
from warehouse.store import Store
from warehouse.validate import Issue, validate


@dataclass(frozen=True)
class IngestOptions:
    """What the user says about files that do not say it themselves."""
    kind: str | None = None
    school: str | None = None
    academic_year: str | None = None
    assessment_point: str | None = None
    grade_type: str | None = None

    def filled(self, store: Store) -> "IngestOptions":
        return IngestOptions(
            kind=self.kind,
            school=(self.school or store.settings.default_school).strip().upper(),
            academic_year=self.academic_year or store.settings.current_academic_year,
            assessment_point=self.assessment_point,
            grade_type=self.grade_type,
        )


@dataclass
class FileResult:
    path: Path
    status: str  # loaded | rejected | unchanged
    kind: str | None = None
    layout: str = "long"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    batch_id: int | None = None
    issues: list[dict] = field(default_factory=list)  # the first few, for the console

    @property
    def accounted(self) -> bool:
        rejected = self.rows_read if self.status == "rejected" else 0
        return self.rows_loaded + self.rows_quarantined + rejected == self.rows_read


@dataclass
class IngestReport:
    files: list[FileResult]
    snapshot: Path | None

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def everything_loaded(self) -> bool:
        return not self.rejected and self.rows_quarantined == 0

    def to_dict(self) -> dict:
        return {
            "snapshot": str(self.snapshot) if self.snapshot else None,
            "files": [
                {**asdict(f), "path": str(f.path)} for f in self.files
            ],
        }


ProgressCallback = Callable[[str, int], None]  # (file name, rows done)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the export files inside folders (sorted, recursively)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            files.append(path)
    return files


def ingest(
    paths: list[Path],
    options: IngestOptions = IngestOptions(),
    store: Store | None = None,
    per_file_options: dict[Path, IngestOptions] | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    fail_before_publish: bool = False,
) -> IngestReport:
    """Load files into a new warehouse snapshot; publish it only if all went well.

    per_file_options overrides options for given files (the demo uses it).
    fail_before_publish raises after loading and rebuilding, for tests of atomicity.
    """
    store = store or Store.default()
    files = expand_paths(paths)
    results: list[FileResult] = []
    run_id = uuid.uuid4().hex[:12]
    with store.writer() as writer:
        con = writer.con
        lookups = Lookups.from_warehouse(con)
        loaded_keys = {row[0] for row in con.execute("select load_key from batches where status = 'loaded'").fetchall()}
        planned = sorted(files, key=lambda p: _load_rank(p, (per_file_options or {}).get(p, options)))
        for path in planned:
            file_options = (per_file_options or {}).get(path, options).filled(store)
            result = _ingest_file(con, path, file_options, lookups, loaded_keys, store, run_id)
            results.append(result)
            if result.status != "unchanged":
                writer.changed = True
            if on_file:
                on_file(result)
        if writer.changed:
            transform.build(con)
            if fail_before_publish:
                raise RuntimeError("failure injected before publishing (test)")
    return IngestReport(results, writer.published)


def _load_rank(path: Path, options: IngestOptions) -> int:
    """Dimensions before the facts that refer to them, whatever order files come in."""
    kind = options.kind
    if kind is None:
        try:
            kind = _peek_kind(path)
        except Exception:  # an unreadable file is rejected in its turn, with its message
            kind = None
    return LOAD_ORDER.index(kind) if kind in LOAD_ORDER else LOAD_ORDER.index("assessments")


def _peek_kind(path: Path) -> str | None:
    try:
        return detect_kind(read_headers(path), set(), path.name)[0]
    except FileRejected:
        return None


def _load_key(file_hash: str, options: IngestOptions) -> str:
    """A file and the options it was loaded with: the same pair twice changes nothing."""
    text = json.dumps({"hash": file_hash, **asdict(options)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _ingest_file(con, path, options, lookups, loaded_keys, store, run_id) -> FileResult:
    started = datetime.now()
    result = FileResult(path=path, status="rejected")
    try:
        table = read_export(path)
    except FileRejected as rejection:
        result.message = str(rejection)
        _record_batch(con, result, None, options, run_id, started, "", "")
        return result
    load_key = _load_key(table.file_hash, options)
    if load_key in loaded_keys:
        result.status = "unchanged"
        result.message = f"{path.name}: already loaded (same file, same options): nothing to do."
        return result
    try:
        kind_name, wide = _kind_of(table, options, lookups)
        result.kind, result.layout = kind_name, "wide marksheet" if wide else "long"
        frame, row_numbers, source_columns = (
            _canonical_wide(table, options, lookups) if wide else _canonical_long(table, KINDS[kind_name], options)
        )
        _canonicalise_codes(frame, lookups)
    except FileRejected as rejection:
        result.message = str(rejection)
        _record_batch(con, result, table, options, run_id, started, load_key, "")
        return result

    result.rows_read = len(frame)
    validation = validate(frame, kind_name, lookups)
    issues = list(validation.issues)
    issues += [Issue(i, "", None, "row has more cells than there are headings") for i in table.ragged_rows
               if not wide]
    bad = sorted({issue.index for issue in issues})
    share = len(bad) / len(frame)
    if share > store.settings.max_bad_row_share:
        result.message = (
            f"{path.name}: {len(bad)} of {len(frame)} rows failed validation ({share:.0%}), more than the "
            f"{store.settings.max_bad_row_share:.0%} allowed, so nothing was loaded: is it the right file, "
            f"exported with the right settings? Most common problem: {_most_common_reason(issues)}."
        )
        result.issues = _describe(issues[:10], row_numbers, source_columns)
        batch_id = _record_batch(con, result, table, options, run_id, started, load_key, kind_name)
        _record_results(con, batch_id, validation.results)
        return result

    good = frame.drop(index=bad)
    batch_id = _next_batch_id(con)
    _insert_raw(con, kind_name, good, [row_numbers[i] for i in good.index], table.file_hash, batch_id,
                [source_columns[i] for i in good.index] if source_columns else None)
    _insert_quarantine(con, batch_id, path.name, table, issues, row_numbers, source_columns)
    result.status = "loaded"
    result.rows_loaded, result.rows_quarantined = len(good), len(bad)
    result.issues = _describe(issues[:10], row_numbers, source_columns)
    result.message = (
        f"{path.name}: {kind_name}{' (wide marksheet)' if wide else ''}: {len(good)} of {len(frame)} rows loaded"
        + (f", {len(bad)} quarantined" if bad else "")
    )
    _record_batch(con, result, table, options, run_id, started, load_key, kind_name, batch_id)
    _record_results(con, batch_id, validation.results)
    _archive(store, path, table.file_hash)
    loaded_keys.add(load_key)
    lookups.add_rows(kind_name, good)
    result.batch_id = batch_id
    return result


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
    return frame[kind.column_names].reset_index(drop=True), list(table.row_numbers), None


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
    from warehouse.formats import _ALIASES  # the accepted spellings, to say what would do
    hints = "; ".join(
        f"{name} (accepted headings: {', '.join(s.replace('_', ' ') for s in _ALIASES.get(name, [name])[:4])})"
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
    pieces, rows, sources = [], [], []
    for header in subject_headers:
        pieces.append(pd.DataFrame({
            "upn": upn.values, "subject_code": labels[normalise_header(header)], "grade": table.frame[header].values,
        }))
        rows.extend(table.row_numbers)
        sources.extend([header] * len(upn))
    frame = pd.concat(pieces, ignore_index=True).astype("string")
    frame["school_code"] = options.school
    frame["assessment_point"] = options.assessment_point
    frame["grade_type"] = options.grade_type
    frame["effort"] = pd.NA
    kind = KINDS["assessments"]
    for column in kind.columns:
        frame[column.name] = normalise_column(frame[column.name].astype("string"), column)
    return frame[kind.column_names], rows, sources


def _canonicalise_codes(frame: pd.DataFrame, lookups: Lookups) -> None:
    """Subject names to codes, and grades and efforts as spelt on their scales."""
    if "subject_code" in frame:
        labels_by_school = {school: lookups.subject_labels(school) for school in frame.school_code.dropna().unique()}
        keys = frame.school_code + "|" + frame.subject_code
        mapping = {}
        for key in keys.dropna().unique():
            school, value = key.split("|", 1)
            mapping[key] = labels_by_school.get(school, {}).get(normalise_header(value), value.strip().upper())
        frame["subject_code"] = keys.map(mapping, na_action="ignore").fillna(frame["subject_code"]).astype("string")
    for column, which in (("grade", "grade"), ("effort", "effort")):
        if column in frame and "subject_code" in frame:
            keys = frame.school_code + "|" + frame.subject_code + "|" + frame[column]
            mapping = {}
            for key in keys.dropna().unique():
                school, subject, value = key.split("|", 2)
                mapping[key] = lookups.canonical_label(school, subject, value, which)
            frame[column] = keys.map(mapping, na_action="ignore").fillna(frame[column]).astype("string")


def _next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(batch_id), 0) + 1 from batches").fetchall()[0][0]


def _insert_raw(con, kind_name, good, row_numbers, file_hash, batch_id, source_columns) -> None:
    frame = good.copy()
    frame["_batch_id"] = batch_id
    frame["_row_number"] = row_numbers
    frame["_file_hash"] = file_hash
    if source_columns is not None:
        frame["_source_column"] = source_columns
    columns = [c for c in raw_columns(kind_name) if c in frame]
    con.register("incoming", frame[columns])
    column_list = ", ".join(quote(c) for c in columns)
    con.execute("insert into " + quote(raw_table(kind_name)) + " (" + column_list + ") select "
                + column_list + " from incoming")
    con.unregister("incoming")


def _insert_quarantine(con, batch_id, file_name, table, issues, row_numbers, source_columns) -> None:
    if not issues:
        return
    records: dict[int, str] = {}
    position_of_row = {row: position for position, row in enumerate(table.row_numbers)}
    rows = []
    for issue in issues:
        if issue.index not in records:
            records[issue.index] = _record_json(table, position_of_row[row_numbers[issue.index]])
        column = source_columns[issue.index] if source_columns and issue.column in ("grade", "subject_code") \
            else issue.column
        rows.append((batch_id, file_name, row_numbers[issue.index], column, issue.value, issue.reason,
                     records[issue.index]))
    con.executemany("insert into quarantine values (?, ?, ?, ?, ?, ?, ?)", rows)


def _record_json(table: ExportTable, position: int) -> str:
    """The whole row as it was in the file, for the data manager to see in quarantine."""
    row = table.frame.iloc[position]
    return json.dumps({h: (None if pd.isna(v) else str(v)) for h, v in row.items()}, ensure_ascii=False)


def _record_batch(con, result, table, options, run_id, started, load_key, kind, batch_id=None) -> int:
    batch_id = batch_id or _next_batch_id(con)
    con.execute(
        "insert into batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, run_id, result.path.name, str(result.path), table.file_hash if table else "",
         load_key or "", kind or result.kind, result.layout, table.encoding if table else None,
         table.delimiter if table else None, json.dumps(asdict(options)), result.status,
         result.rows_read, result.rows_loaded, result.rows_quarantined, result.message, started, datetime.now()],
    )
    result.batch_id = batch_id
    return batch_id


def _record_results(con, batch_id, results: list[dict]) -> None:
    if results:
        con.executemany(
            "insert into validation_results values (?, ?, ?, ?, ?, ?)",
            [(batch_id, r["expectation"], r["column"], r["reason"], r["success"], r["unexpected_count"])
             for r in results],
        )


def _archive(store: Store, path: Path, file_hash: str) -> None:
    """Keep the file exactly as received, by its hash (raw to the byte)."""
    store.imports_dir.mkdir(parents=True, exist_ok=True)
    target = store.imports_dir / f"{file_hash}{path.suffix.lower()}"
    if not target.exists():
        shutil.copyfile(path, target)


def _describe(issues: list[Issue], row_numbers, source_columns) -> list[dict]:
    return [
        {"row": row_numbers[i.index],
         "column": source_columns[i.index] if source_columns and i.column in ("grade", "subject_code") else i.column,
         "value": i.value, "reason": i.reason}
        for i in issues
    ]


def _most_common_reason(issues: list[Issue]) -> str:
    counts: dict[str, int] = {}
    for issue in issues:
        label = f"{issue.column}: {issue.reason}"
        counts[label] = counts.get(label, 0) + 1
    label, count = max(counts.items(), key=lambda item: item[1])
    return f"{label} ({count} rows)"

