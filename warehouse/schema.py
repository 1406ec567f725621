"""The tables ingestion writes: raw tables (one per export kind), batches,
quarantine and validation results. Derived tables are built by transforms/.
"""
from __future__ import annotations

import duckdb

from warehouse.formats import KINDS

# Lineage columns on every raw row.
LINEAGE = {"_batch_id": "INTEGER", "_row_number": "INTEGER", "_file_hash": "VARCHAR"}
# Raw assessments also remember the marksheet column a grade came from.
EXTRA_RAW_COLUMNS = {"assessments": {"_source_column": "VARCHAR"}}

BOOKKEEPING_DDL = (
    """
    create table if not exists batches (
        batch_id integer primary key,
        run_id varchar not null,
        file_name varchar not null,
        file_path varchar,
        file_hash varchar not null,
        load_key varchar not null,
        kind varchar,
        layout varchar,            -- long | wide marksheet
        encoding varchar,
        delimiter varchar,
        options varchar,           -- JSON of the ingest options that applied
        status varchar not null,   -- loaded | rejected
        rows_read integer not null,
        rows_loaded integer not null,
        rows_quarantined integer not null,
        message varchar,
        started_at timestamp not null,
        finished_at timestamp not null
    )
    """,
    """
    create table if not exists quarantine (
        batch_id integer not null,
        file_name varchar not null,
        row_number integer not null,
        column_name varchar,
        value varchar,
        reason varchar not null,
        record varchar              -- the whole row as in the file, JSON
    )
    """,
    """
    create table if not exists validation_results (
        batch_id integer not null,
        expectation varchar not null,
        column_name varchar,
        reason varchar,
        success boolean not null,
        unexpected_count integer not null
    )
    """,
)


def quote(identifier: str) -> str:
    """A SQL identifier, quoted. Identifiers come from formats.py, never from input."""
    return '"' + identifier.replace('"', '""') + '"'


def raw_table(kind: str) -> str:
    return f"raw_{kind}"


def raw_columns(kind: str) -> dict[str, str]:
    columns = {name: "VARCHAR" for name in KINDS[kind].column_names}
    columns.update(EXTRA_RAW_COLUMNS.get(kind, {}))
    columns.update(LINEAGE)
    return columns


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create what is missing; add columns that formats.py gained since the file was made."""
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    for kind in KINDS:
        table = raw_table(kind)
        columns = raw_columns(kind)
        existing = {
            row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_name = ?", [table]
            ).fetchall()
        }
        if not existing:
            body = ", ".join(f"{quote(name)} {sql_type}" for name, sql_type in columns.items())
            con.execute("create table " + quote(table) + " (" + body + ")")
            continue
        for name, sql_type in columns.items():
            if name not in existing:
                con.execute("alter table " + quote(table) + " add column " + quote(name) + " " + sql_type)
