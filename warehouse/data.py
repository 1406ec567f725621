"""The dashboard's one way into the warehouse: read-only, named queries.

Pages call `run_query("name", param=value)`; the SQL lives in
warehouse/queries/<name>.sql with named parameters ($param), always bound,
never formatted in. The reader opens the current snapshot read-only and,
before each query, checks the pointer file, so a finished import is seen on
the next query without a restart while the import itself never waits for us.
No Streamlit and no Great Expectations here.
"""
from __future__ import annotations

import dataclasses
import re
import sys
import threading
import warnings
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse.store import Store

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


class EmptyWarehouse(Exception):
    """Nothing has been imported yet."""


# DuckDB's own pandas conversion (.df()) takes several times as long as going through Arrow on thousands of rows
# of text (a school's 10,000 targets: 9 ms against 0.5), and is quicker on a few rows (by 0.3-0.5 ms). So a
# query asked in a shape (the named query, and which of its parameters are set) whose last answer had thousands
# of rows is read through Arrow, into the frame .df() would make (frame_of; tests/test_demo_load.py compares the
# two for every named query), and any other by .df(). By shape, not by name alone: a whole school's rows
# (no year group, no subgroup) follow a year group's few hundred, and read by .df() cost 8 ms more. A shape not
# seen yet is read as the query's other shapes last were: through Arrow if any of them had thousands of rows.
MANY_ROWS = 1000
_MANY_ROWS_LAST: dict[tuple[str, frozenset], bool] = {}   # by shape: whether its last answer had MANY_ROWS
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)   # pandas' "str", as .df() makes text
_NO_VALUES = np.empty(0, dtype=object)
_NO_VALUES.flags.writeable = False   # one empty list, shared by every row without one


def frame_of(table: pa.Table) -> pd.DataFrame:
    """A query's Arrow rows as the data frame DuckDB's .df() makes of them: a date as a timestamp, a decimal
    as a float, an integer or true/false column as pandas' nullable type where it has a missing value, text
    with none at all (or no rows) as object, and a list as an array (pd.NA where missing). Column by column
    into one frame: Arrow's own to_pandas, then changing the columns it makes otherwise, took twice as long
    (a school's pupils for Groups and gaps: 1.2 ms against 0.5)."""
    columns = {position: _column_of(field.type, column)
               for position, (field, column) in enumerate(zip(table.schema, table.columns))}
    frame = pd.DataFrame(columns, copy=False)
    frame.columns = table.column_names
    return frame


def _column_of(kind: pa.DataType, column: pa.ChunkedArray):
    if pa.types.is_string(kind):
        return _TEXT.__from_arrow__(column) if column.null_count < len(column) else np.full(len(column), None)
    if kind in _NULLABLE:
        return _NULLABLE[kind].__from_arrow__(column) if column.null_count else column.to_numpy()
    if pa.types.is_floating(kind):
        return column.to_numpy()
    if pa.types.is_date(kind):
        return column.cast(pa.timestamp("us")).to_numpy()
    if pa.types.is_decimal(kind):
        return column.cast(pa.float64()).to_numpy()
    if pa.types.is_list(kind):
        return _lists_of(column)
    return column.to_pandas().array


def _lists_of(column: pa.ChunkedArray) -> np.ndarray:
    """Each row's list as an array of its values, as .df() makes it. Most rows' lists are empty (a pupil
    in no school group): they share one empty array, and only the others are taken (Arrow's to_pandas makes
    an array for every row: 1 ms for a school's 10,000 subject rows, against 0.5)."""
    column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    offsets = column.offsets.to_numpy()
    values = column.values.to_numpy(zero_copy_only=False)
    lists = np.empty(len(column), dtype=object)
    lists.fill(_NO_VALUES)
    for row in np.flatnonzero(np.diff(offsets)):
        lists[row] = values[offsets[row]:offsets[row + 1]]
    if column.null_count:
        lists[column.is_null().to_numpy(zero_copy_only=False)] = pd.NA
    return lists


# Threads a query runs on. A dashboard query reads one school's few row groups: split over threads, it spends
# longer handing work between them than reading (at 60 schools a school's pupil list took 30 ms on two threads,
# 22 on one). The app runs a page's queries side by side and serves several people at once, so the machine's
# cores are used all the same. A setting of the process's database, not of one connection.
QUERY_THREADS = 1


@dataclasses.dataclass(frozen=True)
class Lookup:
    """A named query over a small table that the reader answers from memory. Asked with every parameter null
    (null means any, as in every named query), it reads the whole table; the reader reads it so once per
    snapshot, keeps the rows by `keys`, and gives each ask the rows whose columns equal the values asked,
    within the viewer's lists (`scope`), in the query's order. Each field maps a parameter to its column."""
    keys: dict[str, str]                       # the column equals the value (always asked, so looked up)
    scope: dict[str, str] = dataclasses.field(default_factory=dict)    # the column is in the viewer's list
    or_missing: tuple[str, str] | None = None  # (parameter, column): equals the value, or is missing
    none_for: tuple[str, ...] = ()             # a viewer with any of these lists (some pupils...) gets no rows

    def parameters(self) -> set[str]:
        return {*self.keys, *self.scope, *(self.or_missing[:1] if self.or_missing else ()), *self.none_for}


# A DuckDB query costs 1.4-9 ms however few rows it reads (a cursor, parsing, planning, the frame), several
# times what these small tables take to filter. Kept in memory (at 60 schools 540-20,400 rows, about 1 MiB at most,
# read at the first ask after each snapshot: 5-55 ms), each is looked up in 0.02-1 ms (_LookupTable).
# tests/test_trust.py checks each against its query, scopes included.
_TRUST = dict(scope={"scope_schools": "school_code"}, none_for=("scope_upns", "scope_subjects"))
LOOKUPS = {
    "point_dates": Lookup(keys={"school": "school_code", "assessment_point": "assessment_point"}),
    "intervention_impact": Lookup(keys={"school": "school_code"}, scope={"scope_schools": "school_code"},
                                  or_missing=("subject_code", "subject_code")),
    "intervention_participants": Lookup(keys={"school": "school_code", "programme": "programme"},
                                        scope={"scope_schools": "school_code", "scope_upns": "upn"}),
    "pupil_interventions": Lookup(keys={"school": "school_code", "upn": "upn"},
                                  scope={"scope_schools": "school_code", "scope_upns": "upn"}),
    "programme_pupils": Lookup(keys={"school": "school_code", "assessment_point": "assessment_point"},
                               scope={"scope_schools": "school_code", "scope_upns": "upn"}),
    # The Trust overview's figures (every drop and year group of every school, summed from counts), for
    # whole-school viewers only.
    "trust_schools": Lookup(keys={"assessment_point": "assessment_point", "year_group": "year_group"}, **_TRUST),
    "trust_schools_all_years": Lookup(keys={"assessment_point": "assessment_point"}, **_TRUST),
    "trust_trend": Lookup(keys={"assessment_point": "chosen_point", "year_group": "year_group"}, **_TRUST),
    "trust_trend_all_years": Lookup(keys={"assessment_point": "chosen_point"}, **_TRUST),
    "trust_school_points": Lookup(keys={}, **_TRUST),   # no key: every school's drops, within the viewer's schools
}


class _LookupTable:
    """A lookup's whole answer (in the query's order), where each key's rows lie in it, and its answer with no
    rows. Where a table has few keys (a school's drops or programmes), each key's answer is made once, for each
    value its `or_missing` column may be asked with, so an ask is a copy of one. Otherwise (a pupil's
    programmes: thousands of pupils, seconds to make them all) an ask takes its key's rows. Then, for some
    viewers, a filter of a few rows. An ask takes 0.02-1 ms."""

    FEW_KEYS = 1000   # making an answer takes some 0.1 ms and a few KiB: 0.1 s and a few MiB for 1,000 keys

    def __init__(self, lookup: Lookup, rows: pd.DataFrame):
        self.lookup = lookup
        self.key_columns = list(lookup.keys.values())
        self.rows = rows
        if not len(rows):
            grouped = {}
        elif self.key_columns:
            grouped = rows.groupby(self.key_columns, sort=False, dropna=False).indices
        else:   # no key: one answer, all the rows
            grouped = {(): np.arange(len(rows))}
        self.positions = {(key if isinstance(key, tuple) else (key,)): at for key, at in grouped.items()}
        # The columns whose type .df() makes otherwise for some of the rows (see _as_duckdb_makes).
        self.changeable = [position for position, (dtype, column) in enumerate(rows.items())
                           if isinstance(column.dtype, _MISSING_CHANGES_TYPE) and column.hasnans]
        self.empty = _as_duckdb_makes(rows.iloc[0:0].copy(), range(len(rows.columns)))
        self.answers = self._answers_by_key() if len(self.positions) <= self.FEW_KEYS else None

    def _made(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Some of the rows as the query's answer: numbered from 0, with the types .df() gives them."""
        return _as_duckdb_makes(rows.reset_index(drop=True), self.changeable) if len(rows) else self.empty

    def _answers_by_key(self) -> dict[tuple, dict]:
        """Each key's answers by the value its or_missing column is asked with: None (not asked), each value
        its rows have, and _ANY_OTHER (a value none of them has: the rows missing one). All taken in one go,
        then each a slice (a view): taking each would cost a third of a millisecond, hundreds of them at the
        first ask after each snapshot."""
        wanted: dict[tuple, np.ndarray] = {}   # (key, value): the answer's positions in self.rows
        for key, at in self.positions.items():
            wanted[key, None] = at
            if self.lookup.or_missing:
                values = self.rows[self.lookup.or_missing[1]].to_numpy()[at]
                wanted[key, _ANY_OTHER] = at[pd.isna(values)]
                for value in pd.unique(values[pd.notna(values)]):
                    wanted[key, value] = at[_equal_or_missing(values, value)]
        every = self.rows.take(np.concatenate(list(wanted.values()))) if wanted else self.rows
        answers: dict[tuple, dict] = {}
        start = 0
        for (key, value), at in wanted.items():
            answers.setdefault(key, {})[value] = self._made(every.iloc[start:start + len(at)])
            start += len(at)
        return answers

    def _key_rows(self, asked: tuple, params: dict) -> tuple[pd.DataFrame, bool]:
        """The rows of the key asked, within its or_missing value, and whether they are made already."""
        value = params.get(self.lookup.or_missing[0]) if self.lookup.or_missing else None
        if None in asked:   # "any" for a key: the slow way (the pages always ask with every key)
            keep = np.ones(len(self.rows), dtype=bool)
            for name, column in self.lookup.keys.items():
                if params.get(name) is not None:
                    keep &= (self.rows[column] == params[name]).to_numpy()
            rows = self.rows[keep]
        elif self.answers is not None:
            answers = self.answers.get(asked)
            if answers is None:
                return self.empty, True
            return answers.get(value, answers.get(_ANY_OTHER)), True
        else:
            rows = self.rows.take(self.positions.get(asked, []))
        if value is not None:
            rows = _some(rows, _equal_or_missing(rows[self.lookup.or_missing[1]].to_numpy(), value))
        return rows, False

    def answer(self, params: dict) -> pd.DataFrame:
        if any(params.get(name) is not None for name in self.lookup.none_for):
            return self.empty.copy(deep=False)
        asked = tuple(params.get(name) for name in self.lookup.keys)
        rows, made = self._key_rows(asked, params)
        for name, column in self.lookup.scope.items():
            allowed = params.get(name)
            if allowed is None or rows.empty:
                continue
            if None not in asked and column in self.key_columns:   # one value for every row of the key
                if asked[self.key_columns.index(column)] not in allowed:
                    return self.empty.copy(deep=False)
            else:   # a few rows against a list of hundreds: quicker in Python than by pandas' isin
                allowed = set(allowed)
                kept = _some(rows, np.fromiter((value in allowed for value in rows[column].to_numpy()), bool,
                                               len(rows)))
                made, rows = made and kept is rows, kept
        return (rows if made else self._made(rows)).copy(deep=False)


_ANY_OTHER = object()   # a lookup's or_missing value that none of a key's rows has


def _equal_or_missing(values: np.ndarray, value) -> np.ndarray:
    """Where an or_missing column holds the value asked, or nothing (as the query's `or col is null`)."""
    return (values == value) | pd.isna(values)


def _some(rows: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows kept: taking rows copies every column, so all or none are not taken."""
    return rows if keep.all() else rows.iloc[0:0] if not keep.any() else rows[keep]


_NULLABLE_TYPES = (pd.BooleanDtype, pd.core.arrays.integer.IntegerDtype)   # pandas' integer and true/false types
_MISSING_CHANGES_TYPE = (*_NULLABLE_TYPES, pd.StringDtype)


def _as_duckdb_makes(frame: pd.DataFrame, positions) -> pd.DataFrame:
    """Some rows of a frame as .df() makes the query's answer with just them, in the columns at `positions`:
    an integer or true/false column is pandas' nullable type only where a value is missing, and text with
    none at all (or no rows) is object."""
    for position in positions:
        column = frame.iloc[:, position]
        if isinstance(column.dtype, _NULLABLE_TYPES) and not column.hasnans:
            frame.isetitem(position, column.astype(column.dtype.numpy_dtype))
        elif isinstance(column.dtype, pd.StringDtype) and column.isna().all():
            frame.isetitem(position, pd.Series([None] * len(column), index=frame.index, dtype=object))
    return frame


@lru_cache(maxsize=None)
def query_sql(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != QUERIES_DIR:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def query_statement(name: str) -> duckdb.Statement:
    """A named query, parsed once. DuckDB parses a query's text again at each execution (1-3 ms for the longer
    ones, a tenth of a school's query); a parsed statement runs on any connection, as often as asked."""
    statement, = duckdb.extract_statements(query_sql(name))
    return statement


@lru_cache(maxsize=None)
def query_parameters(name: str) -> frozenset[str]:
    """The $parameters a named query uses."""
    return frozenset(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query_sql(name)))


class WarehouseReader:
    """A read-only connection to the current snapshot that follows the pointer."""

    def __init__(self, store: Store | None = None, remember_mib: float = 64):
        self.store = store or Store.default()
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._pointer: tuple | None = None   # the pointer file _snapshot was read from (Store.pointer_state)
        self._con: duckdb.DuckDBPyConnection | None = None
        # Answers kept for run_remembered, newest last, and what they hold (bytes) against the limit.
        self._remembered: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()
        self._remembered_bytes = 0
        self._remember_bytes = int(remember_mib * 2**20)
        self._lookups: dict[str, _LookupTable] = {}   # this snapshot's, read at their first ask

    def snapshot(self) -> Path | None:
        """The snapshot queries read now (switching to a newer one if published)."""
        pointer = self.store.pointer_state()
        if pointer is not None and pointer == self._pointer:   # the same pointer file as last time
            return self._snapshot
        current = self.store.current_snapshot()
        with self._lock:
            if current != self._snapshot:
                old = self._con
                self._con = duckdb.connect(str(current), read_only=True) if current else None
                if self._con is not None:
                    self._con.execute("set threads = ?", [QUERY_THREADS])
                self._snapshot = current
                self._remembered.clear()
                self._remembered_bytes = 0
                self._lookups = {}
                if old is not None:
                    old.close()
            # Last, so that a thread that finds the pointer unchanged finds the snapshot it names.
            self._pointer = pointer if current is not None else None
            return self._snapshot

    def cursor(self) -> duckdb.DuckDBPyConnection:
        self.snapshot()
        with self._lock:
            if self._con is None:
                raise EmptyWarehouse("the warehouse is empty: run `python -m warehouse demo` or import files")
            # A cursor per query: DuckDB connections are not shared across threads.
            return self._con.cursor()

    def run(self, name: str, **params) -> pd.DataFrame:
        """A named query's rows. Parameters it does not use are left out, so a
        loader can pass the whole scope and view to every query."""
        if name in LOOKUPS:
            return self._lookup_table(name).answer(params)
        return self._read(name, params)

    def _read(self, name: str, params: dict) -> pd.DataFrame:
        cursor = self.cursor()
        try:
            used = {k: v for k, v in params.items() if k in query_parameters(name)}
            result = cursor.execute(query_statement(name), used)
            shape = (name, frozenset(parameter for parameter, value in used.items() if value is not None))
            many = _MANY_ROWS_LAST.get(shape)
            if many is None:   # a few hundred shapes at most, looked through once per new one
                many = any(last for (asked, _), last in list(_MANY_ROWS_LAST.items()) if asked == name)
            frame = frame_of(result.to_arrow_table()) if many else result.df()
            _MANY_ROWS_LAST[shape] = len(frame) >= MANY_ROWS
            return frame
        finally:
            cursor.close()

    def run_remembered(self, name: str, **params) -> pd.DataFrame:
        """As run, remembered until the next snapshot: a snapshot never changes, so a remembered answer
        cannot go stale. The app asks this way, so that a return to a view (the year group changed back,
        a colleague in the same school on the same view) is answered from memory. The key is every
        parameter the query uses, the viewer's scope among them, so one viewer's answer is only ever
        given for the same scope. The least recently asked answers go first beyond `remember_mib`."""
        if name in LOOKUPS:   # in memory already
            return self.run(name, **params)
        used = {k: v for k, v in params.items() if k in query_parameters(name)}
        key = ("query", name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in used.items())))
        return self.remembered(key, lambda: self.run(name, **params))

    def remembered(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """compute(), remembered with run_remembered's answers under `key` (hashable; it must hold
        everything the answer depends on but the snapshot, the viewer's scope included). For a loader's
        result made from remembered answers (a page's tables, derived in pandas)."""
        snapshot = self.snapshot()
        key = (snapshot, *key)
        with self._lock:
            if key in self._remembered:
                self._remembered.move_to_end(key)
                return _shallow_copy(self._remembered[key][0])
        result = compute()
        size = _size(result)
        with self._lock:
            if size <= self._remember_bytes and snapshot == self._snapshot:
                if key in self._remembered:   # another thread made it meanwhile
                    self._remembered_bytes -= self._remembered.pop(key)[1]
                self._remembered[key] = (result, size)
                self._remembered_bytes += size
                while self._remembered_bytes > self._remember_bytes:
                    _, (_, dropped) = self._remembered.popitem(last=False)
                    self._remembered_bytes -= dropped
        return _shallow_copy(result)

    def _lookup_table(self, name: str) -> _LookupTable:
        snapshot = self.snapshot()
        with self._lock:
            table = self._lookups.get(name)
        if table is None:   # two threads may both read it at the first ask: the same rows either way
            table = _LookupTable(LOOKUPS[name], self._read(name, dict.fromkeys(query_parameters(name))))
            with self._lock:
                if snapshot == self._snapshot:
                    self._lookups[name] = table
        return table

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._snapshot, self._pointer = None, None, None


def _frames(value) -> dict[str, pd.DataFrame]:
    """The data frames a remembered value holds: itself, or a dataclass's frame fields."""
    if isinstance(value, pd.DataFrame):
        return {"": value}
    if dataclasses.is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)
                if isinstance(getattr(value, f.name), pd.DataFrame)}
    return {}


def _size(value) -> int:
    frames = _frames(value)
    if not frames:
        return sys.getsizeof(value)
    return sum(int(frame.memory_usage(index=True, deep=True).sum()) for frame in frames.values())


def _shallow_copy(value):
    """What a caller gets: shallow copies of the frames (copy-on-write, pandas 3, keeps a caller's changes
    off the remembered ones), in a new dataclass where the value is one."""
    frames = _frames(value)
    if "" in frames:
        return value.copy(deep=False)
    if frames:
        return dataclasses.replace(value, **{name: frame.copy(deep=False) for name, frame in frames.items()})
    return value
