"""Ingestion: files in, validated rows into raw, quarantine for the rest, rebuild.

Each file is prepared (prepare.py: read, recognised, mapped to the canonical
columns and validated with Great Expectations), then loaded here: its good
rows into the raw table with their batch id, file hash and row number, its bad
ones into quarantine with the reason, and a batch record either way. A file
whose structure is wrong, or with too many bad rows, is rejected whole. All
files of one run, and the rebuild of the derived tables, land in one new
snapshot or not at all (store.py).

Dimensions (subjects, staff, pupils, drops) are loaded before the facts that
name them. For a big run (PARALLEL_MIN_BYTES), files are prepared in two
spawned worker processes while this one loads: a script that calls ingest()
on that much data must guard its entry point with `if __name__ == "__main__":`,
as any user of multiprocessing must.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse import transform
from warehouse.formats import LOAD_ORDER
from warehouse.lookups import Lookups
from warehouse.prepare import IngestOptions, Prepared, prepare_files
from warehouse.read import SUPPORTED_SUFFIXES, FileRejected, detect_kind, read_headers
from warehouse.schema import quote, raw_columns, raw_table
from warehouse.store import Store

# Worker processes pay ~3 s to start (they import Great Expectations): worth it
# only for a run of this many bytes.
PARALLEL_MIN_BYTES = 100 * 2**20
# Kinds every other kind refers to: loaded, kind by kind, before the rest.
DIMENSIONS = ("subjects", "staff", "pupils", "assessment_points")
# Files validated in one pass in a worker: bounds its memory (about 1M rows), and
# lets loading start soon after preparing does.
CHUNK_BYTES = 40 * 2**20

__all__ = ["IngestOptions", "IngestReport", "FileResult", "ingest", "expand_paths"]


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
    rebuild_seconds: float | None = None  # rebuilding the derived tables (measures included)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def to_dict(self) -> dict:
        return {
            "snapshot": str(self.snapshot) if self.snapshot else None,
            "files": [{**asdict(f), "path": str(f.path)} for f in self.files],
        }


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
    settings = store.settings
    chosen = {path: (per_file_options or {}).get(path, options) for path in expand_paths(paths)}
    filled = {path: o.filled(settings.default_school, settings.current_academic_year) for path, o in chosen.items()}
    ranks = {path: _load_rank(path, filled[path]) for path in filled}
    ranked = sorted(filled, key=ranks.get)
    results: list[FileResult] = []
    rebuild_seconds = None
    run_id = uuid.uuid4().hex[:12]
    total_bytes = sum(path.stat().st_size for path in ranked if path.exists())
    with store.writer() as writer, _Preparer(parallel=total_bytes >= PARALLEL_MIN_BYTES) as preparer:
        con = writer.con
        lookups = Lookups.from_warehouse(con)
        loaded_keys = {row[0] for row in con.execute("select load_key from batches where status = 'loaded'").fetchall()}
        if preparer.parallel:
            # The workers have the cores while files load; the rebuild gets them back.
            con.execute("set threads = 1")
        for jobs, in_workers in _stages(ranked, ranks, filled):
            for prepared in preparer.prepare_all(jobs, lookups, loaded_keys, settings.max_bad_row_share,
                                                 in_workers):
                result = _load(con, prepared, lookups, loaded_keys, store, run_id)
                results.append(result)
                writer.changed |= result.status != "unchanged"
                if on_file:
                    on_file(result)
        if writer.changed:
            con.execute("reset threads")
            rebuild_started = time.perf_counter()
            transform.build(con, settings)
            rebuild_seconds = time.perf_counter() - rebuild_started
            if fail_before_publish:
                raise RuntimeError("failure injected before publishing (test)")
    return IngestReport(results, writer.published, rebuild_seconds)


def _stages(ranked: list[Path], ranks: dict[Path, int], options: dict[Path, IngestOptions]):
    """(files, whether workers may prepare them): the dimensions, then the facts.

    Dimensions refer to nothing, and facts refer to dimensions but not to each
    other, so within each stage every file can be prepared while earlier ones
    are being loaded. The dimensions are small: they are prepared here while
    the workers start.
    """
    is_dimension = {path: LOAD_ORDER[ranks[path]] in DIMENSIONS for path in ranked}
    for wanted in (True, False):
        stage = [(path, options[path]) for path in ranked if is_dimension[path] == wanted]
        if stage:
            yield stage, not wanted


class _Preparer:
    """Prepares files in order: here, or in worker processes when the run is big."""

    def __init__(self, parallel: bool):
        self._pool: ProcessPoolExecutor | None = None
        workers = min(2, os.cpu_count() or 1)
        self.parallel = parallel and workers >= 2
        if self.parallel:
            # Started now, so that the workers import Great Expectations while
            # the dimensions load. spawn, not fork: we hold a DuckDB connection.
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            self._workers = workers
            for _ in range(workers):
                self._pool.submit(_warm_up)

    def __enter__(self) -> "_Preparer":
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def prepare_all(self, jobs, lookups, loaded_keys, max_share, in_workers: bool) -> Iterator[Prepared]:
        size = sum(path.stat().st_size for path, _ in jobs if path.exists())
        if not in_workers or self._pool is None or len(jobs) < 2 or size < CHUNK_BYTES / 4:
            yield from prepare_files(jobs, lookups, loaded_keys, max_share)
            return
        chunks = _chunks(jobs, size, self._workers)
        count = len(chunks)
        for prepared in self._pool.map(prepare_files, chunks, [lookups] * count, [loaded_keys] * count,
                                       [max_share] * count):
            yield from prepared


def _warm_up() -> None:
    import warehouse.validate  # noqa: F401  (Great Expectations takes seconds to import)


def _chunks(jobs: list, size: int, workers: int) -> list[list]:
    """Consecutive runs of files, a multiple of `workers` of them, each at most CHUNK_BYTES or so.

    Consecutive, so that files are loaded in the order given (a later file's
    rows replace an earlier one's); bounded, so that memory stays bounded.
    """
    count = max(2 * workers, -(-size // CHUNK_BYTES))  # at least two each: loading overlaps preparing
    count = min(len(jobs), -(-count // workers) * workers)
    target = size / count
    chunks, current, filled = [], [], 0
    for path, options in jobs:
        current.append((path, options))
        filled += path.stat().st_size if path.exists() else 0
        if filled >= target * (len(chunks) + 1) and len(chunks) < count - 1:
            chunks.append(current)
            current = []
    return chunks + ([current] if current else [])


def _load_rank(path: Path, options: IngestOptions) -> int:
    """Dimensions before the facts that refer to them, whatever order files come in."""
    kind = options.kind
    if kind is None:
        try:
            kind = detect_kind(read_headers(path), set(), path.name)[0]
        except (FileRejected, OSError, UnicodeError):  # rejected in its turn, with its message
            kind = None
    return LOAD_ORDER.index(kind) if kind in LOAD_ORDER else LOAD_ORDER.index("assessments")


def _load(con, prepared: Prepared, lookups: Lookups, loaded_keys: set[str], store: Store, run_id: str) -> FileResult:
    """Write what prepare() decided: rows to raw and quarantine, and the batch record."""
    name = prepared.path.name
    result = FileResult(path=prepared.path, status="rejected", kind=prepared.kind, layout=prepared.layout,
                        rows_read=prepared.rows_read, issues=prepared.describe() if prepared.frame is not None else [])
    if prepared.unchanged or prepared.load_key in loaded_keys:
        result.status, result.rows_read, result.issues = "unchanged", 0, []
        result.message = f"{name}: already loaded (same file, same options): nothing to do."
        return result
    if prepared.rejection:
        result.message = prepared.rejection
        batch_id = _record_batch(con, result, prepared, run_id)
        _record_results(con, batch_id, prepared.results)
        return result

    bad = prepared.bad_rows
    good = prepared.frame.drop(index=bad) if bad else prepared.frame
    batch_id = _next_batch_id(con)
    _insert_raw(con, prepared, good, batch_id)
    _insert_quarantine(con, prepared, batch_id)
    result.status, result.rows_loaded, result.rows_quarantined = "loaded", len(good), len(bad)
    result.message = (
        f"{name}: {prepared.kind}{' (wide marksheet)' if prepared.source_columns else ''}: "
        f"{len(good)} of {prepared.rows_read} rows loaded" + (f", {len(bad)} quarantined" if bad else "")
    )
    _record_batch(con, result, prepared, run_id, batch_id)
    _record_results(con, batch_id, prepared.results)
    _archive(store, prepared)
    loaded_keys.add(prepared.load_key)
    lookups.add_rows(prepared.kind, good)
    return result


def _next_batch_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(batch_id), 0) + 1 from batches").fetchall()[0][0]


def _insert_raw(con, prepared: Prepared, good, batch_id: int) -> None:
    positions = good.index.to_numpy()
    lineage = {
        "_batch_id": pa.array(np.full(len(good), batch_id, dtype=np.int32)),
        "_row_number": pa.array(prepared.row_numbers[positions].astype(np.int32)),
        "_file_hash": pa.DictionaryArray.from_arrays(np.zeros(len(good), dtype=np.int32), [prepared.file_hash]),
    }
    if prepared.source_columns is not None:
        lineage["_source_column"] = pa.array(np.asarray(prepared.source_columns, dtype=object)[positions])
    table = pa.Table.from_pandas(good, preserve_index=False)
    for name, values in lineage.items():
        table = table.append_column(name, values)
    columns = [c for c in raw_columns(prepared.kind) if c in table.column_names]
    con.register("incoming", table)
    column_list = ", ".join(quote(c) for c in columns)
    con.execute("insert into " + quote(raw_table(prepared.kind)) + " (" + column_list + ") select "
                + column_list + " from incoming")
    con.unregister("incoming")


def _insert_quarantine(con, prepared: Prepared, batch_id: int) -> None:
    rows = [(batch_id, prepared.path.name, int(prepared.row_numbers[issue.index]), prepared.column_of(issue),
             issue.value, issue.reason, prepared.records[issue.index]) for issue in prepared.issues]
    _insert_rows(con, "quarantine", ["batch_id", "file_name", "row_number", "column_name", "value", "reason",
                                     "record"], rows)


def _insert_rows(con, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Many small rows in one statement (DuckDB's executemany runs one statement a row)."""
    if not rows:
        return
    frame = pd.DataFrame(rows, columns=columns)
    con.register("new_rows", frame)
    column_list = ", ".join(quote(c) for c in columns)
    con.execute("insert into " + quote(table) + " (" + column_list + ") select " + column_list + " from new_rows")
    con.unregister("new_rows")


def _record_batch(con, result: FileResult, prepared: Prepared, run_id: str, batch_id: int | None = None) -> int:
    batch_id = batch_id or _next_batch_id(con)
    con.execute(
        "insert into batches values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, run_id, result.path.name, str(result.path), prepared.file_hash, prepared.load_key,
         prepared.kind, prepared.layout, prepared.encoding, prepared.delimiter, json.dumps(asdict(prepared.options)),
         result.status, result.rows_read, result.rows_loaded, result.rows_quarantined, result.message,
         prepared.started, datetime.now()],
    )
    result.batch_id = batch_id
    return batch_id


def _record_results(con, batch_id: int, results: list[dict]) -> None:
    _insert_rows(con, "validation_results",
                 ["batch_id", "expectation", "column_name", "reason", "success", "unexpected_count"],
                 [(batch_id, r["expectation"], r["column"], r["reason"], r["success"], r["unexpected_count"])
                  for r in results])


def _archive(store: Store, prepared: Prepared) -> None:
    """Keep the file exactly as received, by its hash (raw to the byte)."""
    store.imports_dir.mkdir(parents=True, exist_ok=True)
    target = store.imports_dir / f"{prepared.file_hash}{prepared.path.suffix.lower()}"
    if not target.exists():
        shutil.copyfile(prepared.path, target)
