"""The dashboard's one way into the warehouse: read-only, named queries.

Pages call `run_query("name", param=value)`; the SQL lives in
warehouse/queries/<name>.sql with named parameters ($param), always bound,
never formatted in. The reader opens the current snapshot read-only and,
before each query, checks the pointer file, so a finished import is seen on
the next query without a restart while the import itself never waits for us.
No Streamlit and no Great Expectations here.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

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

    def __init__(self, store: Store | None = None):
        self.store = store or Store.default()
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._remembered: dict[tuple, pd.DataFrame] = {}

    def snapshot(self) -> Path | None:
        """The snapshot queries read now (switching to a newer one if published)."""
        current = self.store.current_snapshot()
        with self._lock:
            if current != self._snapshot:
                old = self._con
                self._con = duckdb.connect(str(current), read_only=True) if current else None
                self._snapshot = current
                self._remembered.clear()
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
        """As run, remembered until the next snapshot: for small answers every page asks for (the
        sidebar's choices). A snapshot never changes, so a remembered answer cannot go stale."""
        self.snapshot()
        used = {k: v for k, v in params.items() if k in query_parameters(name)}
        key = (name, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in used.items())))
        with self._lock:
            if key in self._remembered:
                return self._remembered[key].copy()
        result = self.run(name, **params)
        with self._lock:
            if len(self._remembered) >= 256:
                self._remembered.clear()
            self._remembered[key] = result
        return result.copy()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con, self._snapshot = None, None
