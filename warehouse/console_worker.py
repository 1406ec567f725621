"""The SQL console's sandbox: one untrusted query, in a process of its own, over the viewer's rows only.

Run as `python -m warehouse.console_worker` by warehouse/console.py, which
writes one request as JSON on stdin (sql, snapshot, scope, limits) and reads
the answer on stdout: a JSON line, then the rows as an Arrow IPC stream.

DuckDB's security guide says SQL is code: a query can read and write files,
attach databases, load extensions and change settings. So the console does
not trust string checks. Its query runs here, in a throwaway process that:

1. refuses, by DuckDB's own parser, anything but one SELECT (or EXPLAIN),
   with a message naming what it refused;
2. opens an in-memory database with external access disabled from the start
   (no files, no network, no extensions, no temporary files), one thread and a
   memory limit;
3. puts in it only the viewer's rows of the tables the query names, as
   read-only views of Arrow tables, read through a second, read-only
   connection to the snapshot that is closed before the query runs (the
   sandbox never has the warehouse file attached, so no SQL can reach the rows
   outside the scope: they are not there; and nothing can change them);
4. locks the configuration, so no SET or PRAGMA can undo the above;
5. runs the query with a timer that interrupts it, and fetches at most
   max_rows + 1 rows (the one more says "there were more").

Operating-system limits back this up: no file may be written (RLIMIT_FSIZE),
CPU seconds and address space are capped, and the process runs at a lower
priority than the dashboard. The parent kills the process if it outlives its
time, so a runaway query never holds anyone else's session.

Only the standard library, duckdb and pyarrow here: the process starts on
every query, and must start fast.
"""
from __future__ import annotations

import io
import json
import os
import re
import resource
import sys
import threading
import time

import duckdb

from warehouse.schema import quote

# The tables a console query may name: the marts, and these dimensions, which describe schools,
# subjects and assessment points, never a pupil (so a scope narrowed to some pupils still shows them).
REFERENCE_TABLES = ("dim_school", "dim_subject", "dim_assessment_point")
MART_PREFIX = "mart_"
# A scope restricts on these columns (warehouse/view.py Scope: None means unrestricted).
SCOPE_COLUMNS = {"schools": "school_code", "upns": "upn", "subjects": "subject_code"}
BATCH_ROWS = 1024
# Schemas that hold only the sandbox's own catalogue (information_schema, pg_catalog): harmless to read.
SANDBOX_SCHEMAS = ({"main"}, {"memory", "main"})

# Why each refused kind of statement is refused, by its first word (what the viewer typed) or, failing
# that, by DuckDB's statement type (e.g. WITH … DELETE is a DELETE).
READ_ONLY = "the console is read-only (to name an intermediate result, use WITH name AS (SELECT …))"
NO_FILES = "it cannot read or write files (download a result with the CSV or Excel button instead)"
REASONS = {
    "ATTACH": "it reads only the tables listed", "DETACH": "it reads only the tables listed",
    "USE": "it reads only the tables listed",
    "COPY": NO_FILES, "EXPORT": NO_FILES, "IMPORT": NO_FILES,
    "INSTALL": "it cannot add extensions", "LOAD": "it cannot add extensions", "FORCE": "it cannot add extensions",
    "PRAGMA": "its settings are fixed", "SET": "its settings are fixed", "RESET": "its settings are fixed",
    "CALL": "write SELECT * FROM the_function(…) instead",
    "CREATE": READ_ONLY, "INSERT": READ_ONLY, "UPDATE": READ_ONLY, "DELETE": READ_ONLY, "DROP": READ_ONLY,
    "ALTER": READ_ONLY, "TRUNCATE": READ_ONLY, "MERGE": READ_ONLY, "VACUUM": READ_ONLY, "CHECKPOINT": READ_ONLY,
    "COMMENT": READ_ONLY, "TRANSACTION": READ_ONLY, "BEGIN": READ_ONLY, "COMMIT": READ_ONLY, "ROLLBACK": READ_ONLY,
}
PIVOT_REFUSED = ("this statement would run several (PIVOT without its values does): in the console, list the "
                 "values, e.g. PIVOT mart_pupil ON gender IN ('F', 'M') USING count(*)")
ALLOWED_STATEMENTS = ("SELECT", "EXPLAIN")
FILES_REFUSED = "reading or writing files is not allowed in the console: it reads only the tables listed"
SETTINGS_REFUSED = "changing settings is not allowed in the console: they are fixed"
CHANGES_REFUSED = f"changing data is not allowed in the console: {READ_ONLY}"
# What DuckDB says when a query tries to change one of the sandbox's (read-only) views.
CHANGE_ERRORS = ("Can only delete from base table", "Can only update base table", "is not an table")
# The alias DuckDB's get_table_names(qualified=True) adds after a table's name.
ALIAS = re.compile(r'\s+AS\s+(?:"(?:[^"]|"")*"|[^\s"]+)$')
# What DuckDB says of a table named in a schema or database the sandbox does not have.
MISSING_SCHEMA = re.compile(r'Table with name "?([^"\s]+)"? does not exist because (?:schema|catalog) ')
# EXPLAIN and its options, before the statement it explains.
EXPLAIN_PREFIX = re.compile(r"^\s*explain\s+(?:analy[sz]e\s+|\([^)]*\)\s*)?", re.IGNORECASE)


class Refused(Exception):
    """The console will not run this query (the message says why)."""


class Failed(Exception):
    """The query ran and failed: a mistake in it, or a limit reached (the message says which)."""

    def __init__(self, message: str, status: str = "error"):
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------------------------------------
# What a scope lets into the sandbox (plain functions: warehouse/console.py lists the same tables).

def console_tables(columns: dict[str, list[str]]) -> list[str]:
    """Of a snapshot's tables (name -> columns), those a console query may ever name."""
    return sorted(t for t in columns if t.startswith(MART_PREFIX) or t in REFERENCE_TABLES)


def scope_filters(table: str, table_columns: list[str], scope: dict) -> list[tuple[str, list]] | None:
    """The (column, allowed values) filters that keep a table to the scope, or None if the table is left out.

    A mart lacking a column the scope restricts on is left out: its rows are not divided that way (e.g.
    a whole-school summary for a viewer of one year group), so they could show what the scope excludes.
    The reference tables describe no pupil: they are filtered on the columns they have.
    """
    filters = []
    for key, column in SCOPE_COLUMNS.items():
        allowed = scope.get(key)
        if allowed is None:
            continue
        if column in table_columns:
            filters.append((column, list(allowed)))
        elif table not in REFERENCE_TABLES:
            return None
    return filters


def tables_in_scope(columns: dict[str, list[str]], scope: dict) -> dict[str, list[tuple[str, list]]]:
    """The console tables this scope may read, each with its filters."""
    kept = {}
    for table in console_tables(columns):
        filters = scope_filters(table, columns[table], scope)
        if filters is not None:
            kept[table] = filters
    return kept


def snapshot_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Each base table of the snapshot's main schema, with its columns in order."""
    rows = con.execute("select table_name, column_name from information_schema.columns "
                       "where table_schema = 'main' and table_name in (select table_name from "
                       "information_schema.tables where table_type = 'BASE TABLE' and table_schema = 'main') "
                       "order by table_name, ordinal_position").fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


# ---------------------------------------------------------------------------------------------------
# The query.

def check_statement(sandbox: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one SELECT (or EXPLAIN) the text holds, by DuckDB's parser; anything else is Refused."""
    try:
        statements = sandbox.extract_statements(sql)
    except duckdb.Error as error:
        raise Failed(first_lines(error)) from None
    except ValueError:   # a statement type the Python API does not name (e.g. UPDATE EXTENSIONS)
        raise Refused("only a single SELECT query can run in the console") from None
    if not statements:
        raise Refused("there is no query to run")
    kinds = [statement.type.name for statement in statements]
    if len(statements) > 1:
        raise Refused(f"run one query at a time: this text holds {len(statements)} statements "
                      f"({', '.join(kinds)})")
    kind = kinds[0]
    if kind == "MULTI":
        raise Refused(PIVOT_REFUSED)
    if kind == "EXPLAIN":   # EXPLAIN ANALYZE runs what it explains: that must be a SELECT too
        explained = EXPLAIN_PREFIX.sub("", statements[0].query, count=1)
        if explained != statements[0].query:
            check_statement(sandbox, explained)
        return kind
    if kind not in ALLOWED_STATEMENTS:
        typed = re.match(r"\w*", statements[0].query.lstrip()).group().upper()
        word = typed if typed in REASONS else kind
        raise Refused(f"{word} is not allowed in the console: "
                      + REASONS.get(word, "only a single SELECT query can run there"))
    return kind


def referenced_tables(sandbox: duckdb.DuckDBPyConnection, sql: str) -> set[tuple[str, ...]] | None:
    """The tables the query names, as (catalog, schema, table) parts, by DuckDB's own binder; None if it
    cannot tell (then every table the scope allows is copied: knowing the names saves work and gives
    clearer messages, but the sandbox, not this list, is what keeps other rows out).

    Asked of the sandbox before any data is in it: the binder opens files for table functions such as
    read_csv, and here external access is already off.
    """
    try:
        names = sandbox.get_table_names(sql, qualified=True)
    except duckdb.PermissionException:
        raise Refused(FILES_REFUSED) from None
    except duckdb.InvalidInputException as error:
        if "single statement" in str(error):
            raise Refused(PIVOT_REFUSED) from None
        return None
    except duckdb.ParserException as error:
        raise Failed(first_lines(error)) from None
    except duckdb.Error:   # e.g. DuckDB 2.0 fails on some WITH … JOIN … USING queries that run well
        return None
    # Each name is e.g. mart_pupil, snap.mart_pupil, "/etc/passwd", or mart_pupil AS p (with its alias).
    return {tuple(quoted or plain for quoted, plain in re.findall(r'"((?:[^"]|"")*)"|([^.]+)', ALIAS.sub("", name)))
            for name in names}


def tables_to_copy(parts_named: set[tuple[str, ...]] | None, allowed: dict,
                   every_console_table: list[str]) -> list[str]:
    """Which allowed tables the query names; a name the console cannot offer is Refused or Failed, clearly."""
    if parts_named is None:
        return sorted(allowed)
    wanted = []
    listed = ", ".join(sorted(allowed)) or "none"
    for parts in sorted(parts_named):
        table, schema = parts[-1], set(parts[:-1])
        if any(ch in table for ch in "/\\:") or re.search(r"\.(csv|tsv|txt|json|parquet|xlsx?|db|duckdb)$",
                                                           table, re.IGNORECASE):
            raise Refused(FILES_REFUSED)
        if schema and schema not in SANDBOX_SCHEMAS:
            raise Refused(other_database(".".join(parts), listed))
        if table in allowed:
            wanted.append(table)
        elif table in every_console_table:
            raise Refused(f"{table} is not available to you: its rows are not divided by pupil, school and "
                          "subject the way your access is, so they could show data outside it")
        else:
            raise Failed(f"there is no table {table} in the console; the tables are: {listed}")
    return wanted


def other_database(name: str, listed: str) -> str:
    return f"{name} names another database or schema: the console reads only its own tables ({listed})"


def open_sandbox(memory_limit: str) -> duckdb.DuckDBPyConnection:
    """An empty in-memory database that can reach nothing outside itself, from its first moment."""
    return duckdb.connect(":memory:", config={
        "enable_external_access": False,      # no files, URLs, ATTACH, COPY, INSTALL or LOAD
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "python_enable_replacements": False,  # no Python variable of this process is a table to SQL
        "temp_directory": "",                 # nothing spills to disk; a query past the memory limit fails
        "memory_limit": memory_limit,
        "threads": 1,                         # one core per console query: the dashboard keeps the rest
    })


def copy_scoped_rows(sandbox: duckdb.DuckDBPyConnection, snapshot: duckdb.DuckDBPyConnection,
                     tables: list[str], allowed: dict) -> dict:
    """Each named table's in-scope rows, from the snapshot into the sandbox (values bound, never formatted in).

    Each arrives as an Arrow table, shown to SQL as a view of that name: Arrow data cannot be changed,
    and DuckDB refuses to change a view, so even a change the parser lets through (DuckDB 2 runs
    `WITH d AS (DELETE … RETURNING *) SELECT …` as a SELECT) has nothing it can change.
    Returns the Arrow tables, which must live as long as the views.
    """
    held = {}
    for table in tables:
        filters = allowed[table]
        # Identifiers cannot be bound: the table is one of the snapshot's own marts or REFERENCE_TABLES
        # (checked against its catalogue before this), the columns are SCOPE_COLUMNS' fixed names; both
        # quoted. The scope's values are bound.
        where = " and ".join("list_contains($" + str(i) + ", " + quote(column) + ")"
                             for i, (column, _) in enumerate(filters, 1))
        params = {str(i): values for i, (_, values) in enumerate(filters, 1)}
        held[table] = snapshot.sql("select * from " + quote(table) + (" where " + where if where else ""),
                                   params=params or None).to_arrow_table()
        sandbox.register(table, held[table])
    return held


def fetch_limited(sandbox: duckdb.DuckDBPyConnection, sql: str, max_rows: int):
    """At most max_rows rows, as an Arrow table, and whether there were more (streamed, not all computed)."""
    import pyarrow as pa

    reader = sandbox.sql(sql).to_arrow_reader(BATCH_ROWS)
    batches, count = [], 0
    try:
        for batch in reader:
            batches.append(batch)
            count += batch.num_rows
            if count > max_rows:
                break
    finally:
        reader.close()
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table.slice(0, max_rows), count > max_rows


def answer(request: dict) -> tuple[dict, bytes]:
    """The reply's header and the rows (Arrow IPC bytes) for one request."""
    import pyarrow as pa

    started = time.monotonic()
    sql, limit_seconds = request["sql"], float(request["time_seconds"])
    sandbox = open_sandbox(request["memory_limit"])
    # The timer starts now, so copying the rows counts too; the parent's kill is the backstop.
    timer = threading.Timer(limit_seconds, sandbox.interrupt)
    timer.daemon = True
    timer.start()
    try:
        kind = check_statement(sandbox, sql)
        named = referenced_tables(sandbox, sql)
        snapshot = duckdb.connect(request["snapshot"], read_only=True, config={"threads": 1})
        try:
            columns = snapshot_columns(snapshot)
            allowed = tables_in_scope(columns, request["scope"])
            held = copy_scoped_rows(sandbox, snapshot, tables_to_copy(named, allowed, console_tables(columns)),
                                    allowed)
        finally:
            snapshot.close()
        sandbox.execute("set lock_configuration = true")
        try:
            table, truncated = fetch_limited(sandbox, sql, int(request["max_rows"]))
        except duckdb.InterruptException:
            raise Failed(f"the query ran for more than {limit_seconds:g} seconds and was stopped: narrow it "
                         "(a WHERE, fewer joins) or add a LIMIT", status="timeout") from None
        except duckdb.OutOfMemoryException:
            raise Failed(f"the query needed more memory than the console allows ({request['memory_limit']}): "
                         "narrow it or add a LIMIT") from None
        except duckdb.PermissionException:
            raise Refused(FILES_REFUSED) from None
        except duckdb.Error as error:
            if "configuration has been locked" in str(error):
                raise Refused(SETTINGS_REFUSED) from None
            if any(sign in str(error) for sign in CHANGE_ERRORS):
                raise Refused(CHANGES_REFUSED) from None
            elsewhere = MISSING_SCHEMA.search(str(error))
            if isinstance(error, duckdb.CatalogException) and elsewhere:   # when the names were not known before
                raise Refused(other_database(elsewhere.group(1), ", ".join(sorted(allowed)) or "none")) from None
            raise Failed(first_lines(error)) from None
    finally:
        timer.cancel()
        sandbox.close()
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as stream:
        stream.write_table(table)
    header = {"status": "ok", "kind": kind, "rows": table.num_rows, "truncated": truncated,
              "elapsed": round(time.monotonic() - started, 3)}
    return header, sink.getvalue()


def first_lines(error: Exception, most: int = 6) -> str:
    """DuckDB's message without its Python-side prefix noise, kept short."""
    return "\n".join(str(error).strip().splitlines()[:most])


def limit_resources(request: dict) -> None:
    """Operating-system backstops, beyond DuckDB's own limits."""
    seconds = int(float(request["time_seconds"])) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))   # a busy loop past its time is killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))                 # no file can be written, whatever happens
    # DuckDB's memory limit covers its buffers, not every allocation; the address space is capped too (with
    # room for the interpreter, the libraries and the threads' reserved stacks, which count here).
    cap = int(request["address_space_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    os.nice(10)   # behind the dashboard's own work, on a small server


def main() -> int:
    # The protocol owns stdout; anything else that prints (a library's warning) goes to stderr.
    reply = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        request = json.loads(sys.stdin.buffer.read())
        limit_resources(request)
        header, rows = answer(request)
    except Refused as refusal:
        header, rows = {"status": "refused", "message": str(refusal)}, b""
    except Failed as failure:
        header, rows = {"status": failure.status, "message": str(failure)}, b""
    except MemoryError:
        header, rows = {"status": "error", "message": "the query needed more memory than the console allows: "
                                                      "narrow it or add a LIMIT"}, b""
    except Exception as error:   # a clear line to the parent rather than a traceback it cannot show
        header, rows = {"status": "error", "message": f"the query could not run ({type(error).__name__}: "
                                                      f"{first_lines(error, 2)})"}, b""
    reply.write(json.dumps(header).encode("utf-8") + b"\n" + rows)
    reply.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
