"""The SQL console for senior leaders and the data manager: one read-only query, sandboxed, audited.

Plain Python, no Streamlit (pages/console.py draws it). Each query runs in a
process of its own (warehouse/console_worker.py says how that process is
locked down) holding only the viewer's rows; this side sends the request,
waits at most the time limit plus a little, kills the process if it is still
running, and turns the answer into a table or a clear message. Every query,
refused or not, is written to the audit log.

The limits are constants here rather than tracker.toml settings: they guard
the server rather than describe the school, and a school has no reason to
raise them (warehouse/config.py's Settings has no [console] section).
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from warehouse import staff_store
from warehouse.config import PROJECT_ROOT, Settings
from warehouse.console_worker import snapshot_columns, tables_in_scope
from warehouse.store import Store
from warehouse.view import Scope

MAX_SQL_CHARS = 10_000
# How long past its own time limit a worker may take (starting Python, copying the rows, answering)
# before it is killed: its timer interrupts the query first, so a kill is only the backstop.
KILL_GRACE_SECONDS = 5.0
# Console queries running at once in one app server (each on one thread at low priority): a crowd of
# heavy queries waits its turn, or is told the console is busy, rather than slowing every page.
MAX_RUNNING_QUERIES = 2
_running = threading.BoundedSemaphore(MAX_RUNNING_QUERIES)
# The worker's environment: enough to start Python, nothing else of the server's (no secrets in it).
WORKER_ENVIRONMENT = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "TZ")


@dataclass(frozen=True)
class ConsoleLimits:
    time_seconds: float = 10.0
    memory_limit: str = "512MB"
    max_rows: int = 5_000
    # The worker's address space: DuckDB's memory limit, plus the interpreter, libraries and thread stacks.
    address_space_bytes: int = 3 * 1024 ** 3


@dataclass(frozen=True)
class ConsoleResult:
    """A query's answer: status "ok" with its rows, or "refused" / "error" / "timeout" with a message."""
    status: str
    frame: pd.DataFrame | None = None
    truncated: bool = False
    elapsed: float = 0.0
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run_console_query(sql: str, scope: Scope, settings: Settings, *, actor: str,
                      limits: ConsoleLimits = ConsoleLimits()) -> ConsoleResult:
    """Run one console query for this viewer and record it in the audit log (who, the SQL, what came of it)."""
    started = time.monotonic()
    result = _run(sql, scope, settings, limits)
    result = ConsoleResult(result.status, result.frame, result.truncated,
                           round(time.monotonic() - started, 3), result.message)
    outcome = result.frame.shape[0] if result.ok else f"{result.status}: {result.message}"
    staff_store.record(staff_store.StaffStore.for_settings(settings), actor, "console.query", None, None,
                       {"sql": sql[:MAX_SQL_CHARS] + (f" … ({len(sql):,} characters)" if len(sql) > MAX_SQL_CHARS
                                                       else ""),
                        "rows": outcome, "truncated": result.truncated})
    return result


def _run(sql: str, scope: Scope, settings: Settings, limits: ConsoleLimits) -> ConsoleResult:
    if len(sql) > MAX_SQL_CHARS:
        return ConsoleResult("refused", message=f"the query is {len(sql):,} characters long; the console takes "
                                                f"at most {MAX_SQL_CHARS:,}")
    if not sql.strip():
        return ConsoleResult("refused", message="there is no query to run")
    snapshot = Store(settings).current_snapshot()
    if snapshot is None:
        return ConsoleResult("error", message="the warehouse is empty: import data first")
    if not _running.acquire(timeout=limits.time_seconds):
        return ConsoleResult("refused", message="the console is busy with other queries: try again in a moment")
    try:
        return _ask_worker(_request(sql, scope, snapshot, limits), limits)
    finally:
        _running.release()


def _request(sql: str, scope: Scope, snapshot, limits: ConsoleLimits) -> dict:
    return {"sql": sql, "snapshot": str(snapshot),
            "scope": {"schools": _listed(scope.schools), "upns": _listed(scope.upns),
                      "subjects": _listed(scope.subjects)},
            "time_seconds": limits.time_seconds, "memory_limit": limits.memory_limit,
            "max_rows": limits.max_rows, "address_space_bytes": limits.address_space_bytes}


def _ask_worker(request: dict, limits: ConsoleLimits) -> ConsoleResult:
    environment = {name: os.environ[name] for name in WORKER_ENVIRONMENT if name in os.environ}
    try:
        done = subprocess.run([sys.executable, "-m", "warehouse.console_worker"], input=json.dumps(request).encode(),
                              capture_output=True, cwd=PROJECT_ROOT, env=environment,
                              timeout=limits.time_seconds + KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:   # subprocess.run has killed it
        return ConsoleResult("timeout", message=f"the query ran for more than {limits.time_seconds:g} seconds and "
                                                "was stopped: narrow it (a WHERE, fewer joins) or add a LIMIT")
    header_line, _, rows = done.stdout.partition(b"\n")
    try:
        header = json.loads(header_line)
    except ValueError:
        # No answer: the process died (an operating-system limit, e.g. CPU time or memory, ended it).
        return ConsoleResult("error", message="the query was stopped by the console's limits (time or memory): "
                                              "narrow it or add a LIMIT")
    if header["status"] != "ok":
        return ConsoleResult(header["status"], message=header["message"])
    return ConsoleResult("ok", frame=_frame(rows), truncated=header["truncated"], elapsed=header["elapsed"])


def _frame(arrow_ipc: bytes) -> pd.DataFrame:
    import pyarrow as pa

    frame = pa.ipc.open_stream(arrow_ipc).read_all().to_pandas()
    # A query may name two columns alike (select 1, 1); a table on a page needs them apart.
    seen: dict[str, int] = {}
    names = []
    for name in map(str, frame.columns):
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    frame.columns = names
    return frame


def available_tables(scope: Scope, settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """The tables this viewer's console queries may name, each with its (column, type) pairs; {} if empty."""
    snapshot = Store(settings).current_snapshot()
    if snapshot is None:
        return {}
    return _available_tables(str(snapshot), scope)


@functools.lru_cache(maxsize=32)
def _available_tables(snapshot: str, scope: Scope) -> dict[str, list[tuple[str, str]]]:
    # Only the catalogue is read here, never a row; a snapshot never changes, so the answer is kept.
    con = duckdb.connect(snapshot, read_only=True)
    try:
        allowed = tables_in_scope(snapshot_columns(con), _request("", scope, snapshot, ConsoleLimits())["scope"])
        rows = con.execute("select table_name, column_name, data_type from information_schema.columns "
                           "where table_schema = 'main' order by table_name, ordinal_position").fetchall()
    finally:
        con.close()
    tables: dict[str, list[tuple[str, str]]] = {table: [] for table in allowed}
    for table, column, data_type in rows:
        if table in tables:
            tables[table].append((column, data_type))
    return tables


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)
