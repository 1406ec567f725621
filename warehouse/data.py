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
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import duckdb
import pandas as pd

from warehouse.store import Store

QUERIES_DIR = Path(__file__).resolve().parent / "queries"


class EmptyWarehouse(Exception):
    """Nothing has been imported yet."""


@lru_cache(maxsize=None)
def query_sql(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != QUERIES_DIR:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8")


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
        self._con: duckdb.DuckDBPyConnection | None = None
        # Answers kept for run_remembered, newest last, and what they hold (bytes) against the limit.
        self._remembered: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()
        self._remembered_bytes = 0
        self._remember_bytes = int(remember_mib * 2**20)

    def snapshot(self) -> Path | None:
        """The snapshot queries read now (switching to a newer one if published)."""
        current = self.store.current_snapshot()
        with self._lock:
            if current != self._snapshot:
                old = self._con
                self._con = duckdb.connect(str(current), read_only=True) if current else None
                self._snapshot = current
                self._remembered.clear()
                self._remembered_bytes = 0
                if old is not None:
                    old.close()
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
        sql = query_sql(name)
        cursor = self.cursor()
        try:
            return cursor.execute(sql, {k: v for k, v in params.items() if k in query_parameters(name)}).df()
        finally:
            cursor.close()

    def run_remembered(self, name: str, **params) -> pd.DataFrame:
        """As run, remembered until the next snapshot: a snapshot never changes, so a remembered answer
        cannot go stale. The app asks this way, so that a return to a view (the year group changed back,
        a colleague in the same school on the same view) is answered from memory. The key is every
        parameter the query uses, the viewer's scope among them, so one viewer's answer is only ever
        given for the same scope. The least recently asked answers go first beyond `remember_mib`."""
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

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._snapshot = None, None


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
