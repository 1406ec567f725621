"""What staff write, kept apart from the warehouse: accounts, the audit log, targets, notes, actions.

The warehouse is a series of snapshot files that every import and rebuild
replaces (warehouse/store.py), so nothing a person typed may live in one. It
lives here instead, in one SQLite file, `<data_dir>/staff/staff.sqlite`, beside
the snapshots and never inside them: no import, rebuild or snapshot clean-up
touches it.

Several app servers and the command line may write at once. SQLite in WAL mode
lets readers go on while one writer writes; a busy timeout makes a second
writer wait its turn instead of failing; every read-then-write runs in a
`BEGIN IMMEDIATE` transaction, which takes the write lock up front, so two
writers never both read an old value and then collide on the upgrade.

The schema is versioned with `PRAGMA user_version`: MIGRATIONS[n] takes the
file from version n to n + 1. Later issues append to MIGRATIONS; they never
edit an entry that has shipped.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from warehouse.config import Settings, load_settings

FILE_NAME = "staff.sqlite"
BUSY_TIMEOUT_SECONDS = 15.0

MIGRATIONS: list[str] = [
    # 0 -> 1: accounts and the audit log (issue 5).
    """
    create table if not exists account (
        username text primary key,
        display_name text not null,
        role text not null,
        scope text not null,                      -- JSON: schools (null = all), subjects, year_groups, ...
        password_hash text not null,              -- Argon2id, PHC string; never the password
        must_change_password integer not null default 0,
        disabled integer not null default 0,
        created_on text not null,                 -- UTC, ISO 8601
        password_changed_on text not null,
        failed_attempts integer not null default 0,   -- failures since first_failed_at
        first_failed_at text,                     -- start of the current failure window
        locked_until text                         -- refused until then, whatever the password
    );

    create table if not exists audit (
        id integer primary key autoincrement,
        at text not null,                         -- UTC, ISO 8601
        actor text not null,                      -- a username, 'anonymous', or 'cli:<OS user>'
        action text not null,                     -- e.g. sign_in, sign_in_refused, account.role
        subject text,                             -- what it was done to, e.g. a username
        old text,                                 -- JSON, or null
        new text                                  -- JSON, or null
    );
    create index if not exists audit_by_time on audit (at);
    create index if not exists audit_by_actor on audit (actor, at);
    create index if not exists audit_by_action on audit (action, at);

    -- The audit log is a record, not a working table: the app may add to it, never rewrite it.
    create trigger if not exists audit_is_append_only_update before update on audit
    begin select raise(abort, 'the audit log is append-only'); end;
    create trigger if not exists audit_is_append_only_delete before delete on audit
    begin select raise(abort, 'the audit log is append-only'); end;
    """,
    # 1 -> 2: what staff write about pupils (issue 5): targets, notes, review actions, curricular targets.
    """
    -- Targets set in the tracker. A change is a new row (the history is the record), so no updates.
    create table if not exists staff_target (
        id integer primary key autoincrement,     -- the build notes the highest id it included
        school_code text not null,
        upn text not null,
        subject_code text not null,
        grade text not null,                      -- a grade of the subject's scale
        set_on text not null,                     -- the date it applies from (ISO), as targets imported
        reason text not null,
        set_by text not null,                     -- display name, shown beside the target
        actor text not null,                      -- username
        recorded_at text not null                 -- UTC, ISO 8601
    );
    create index if not exists staff_target_by_pupil on staff_target (school_code, upn);
    create trigger if not exists staff_target_is_append_only_update before update on staff_target
    begin select raise(abort, 'a target is changed by setting a new one'); end;
    create trigger if not exists staff_target_is_append_only_delete before delete on staff_target
    begin select raise(abort, 'a target is changed by setting a new one'); end;

    -- Notes on a pupil: mentor comments, learning conversations. Withdrawn, never deleted.
    create table if not exists pupil_note (
        id integer primary key autoincrement,
        school_code text not null,
        upn text not null,
        kind text not null,
        body text not null,
        author text not null,                     -- username
        author_name text not null,
        written_at text not null,
        withdrawn_at text,
        withdrawn_by text
    );
    create index if not exists pupil_note_by_pupil on pupil_note (school_code, upn);

    -- Actions agreed at a review meeting, and their follow-up at the next.
    create table if not exists review_action (
        id integer primary key autoincrement,
        school_code text not null,
        upn text not null,
        action text not null,
        owner text not null,                      -- who does it: a name, as agreed in the meeting
        due_on text not null,                     -- ISO date
        agreed_at_review text,                    -- the drop (assessment point) under review, if any
        status text not null check (status in ('open', 'done', 'not_done', 'dropped')),
        impact text,                              -- the follow-up: what difference it made
        created_by text not null,
        created_at text not null,
        updated_by text,
        updated_at text
    );
    create index if not exists review_action_by_pupil on review_action (school_code, upn);

    -- Short curricular targets for a pupil, a class or a group, in a subject, over a few weeks or a term.
    create table if not exists curricular_target (
        id integer primary key autoincrement,
        school_code text not null,
        subject_code text not null,
        applies_to text not null check (applies_to in ('pupil', 'class', 'group')),
        applies_to_code text not null,            -- a UPN, a class code or a custom group's name
        body text not null,
        starts_on text not null,
        ends_on text not null,
        set_by text not null,
        set_by_name text not null,
        set_at text not null,
        withdrawn_at text,
        withdrawn_by text
    );
    create index if not exists curricular_target_by_subject on curricular_target (school_code, subject_code);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StaffStoreError(Exception):
    """The staff store cannot be used (e.g. written by a newer version of the tracker)."""


def store_path(settings: Settings | None = None) -> Path:
    """Where the staff store of a warehouse lives: outside its snapshots folder."""
    return store_path_in((settings or load_settings()).data_dir)


def store_path_in(data_dir: Path) -> Path:
    return Path(data_dir) / "staff" / FILE_NAME


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """One fixed UTC format, so that times stored as text compare and sort as times."""
    if moment.tzinfo is None:
        raise ValueError("a time without a time zone: use UTC")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


_migrated: set[Path] = set()
_migrated_lock = threading.Lock()


def _use_wal(con: sqlite3.Connection) -> None:
    """Put the file in WAL mode, once: the mode is kept in the file. Asking again on every connection needs a
    lock that does not wait for the busy timeout, and fails ("database is locked") beside a writer. So does the
    first switch, when two connections find a new file at once: the one refused waits for the other's switch,
    up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while con.execute("pragma journal_mode").fetchone()[0].lower() != "wal":
        try:
            con.execute("pragma journal_mode = wal")
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


@dataclass(frozen=True)
class StaffStore:
    """The staff store's file. Cheap to make; each use opens a short-lived connection
    (a connection must not cross threads, and Streamlit runs each session in its own)."""

    path: Path

    @classmethod
    def for_settings(cls, settings: Settings | None = None) -> "StaffStore":
        return cls(store_path(settings))

    def connect(self) -> sqlite3.Connection:
        """A new connection with the schema up to date. The caller closes it.

        Autocommit (isolation_level=None): transactions are explicit, see transaction().
        """
        created = not self.path.exists()
        if created:
            # Password hashes and, later, notes about pupils: readable by the service's user only.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            if created:
                os.chmod(self.path, 0o600)
            con.row_factory = sqlite3.Row
            con.execute("pragma foreign_keys = on")
            _use_wal(con)
            self._migrate(con, created)
        except BaseException:
            con.close()
            raise
        return con

    def _migrate(self, con: sqlite3.Connection, created: bool) -> None:
        # Once per file and process: after that, connecting is just the pragmas.
        with _migrated_lock:
            if self.path in _migrated and not created:
                return
        version = con.execute("pragma user_version").fetchone()[0]
        if version < SCHEMA_VERSION:
            con.execute("begin immediate")  # another process may be migrating: wait, then look again
            try:
                found = con.execute("pragma user_version").fetchone()[0]
                for step in range(found, SCHEMA_VERSION):
                    for statement in _statements(MIGRATIONS[step]):
                        con.execute(statement)
                    # A pragma takes no bound parameters; the value is an int counted here, never input.
                    con.execute("pragma user_version = %d" % int(step + 1))
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
            version = max(found, SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise StaffStoreError(
                f"the staff store {self.path} has schema version {version}, newer than this tracker's "
                f"({SCHEMA_VERSION}): update the tracker before using it")
        with _migrated_lock:
            _migrated.add(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, holding the write lock from the start; committed if the block succeeds."""
        with closing(self.connect()) as con:
            con.execute("begin immediate")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads (WAL: a consistent view that never blocks a writer)."""
        with closing(self.connect()) as con:
            yield con


def _statements(script: str) -> list[str]:
    """A migration's statements one by one (executescript would commit the open transaction).

    sqlite3.complete_statement tells where a statement ends, triggers' inner `;` included.
    """
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not pending.strip():
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise StaffStoreError(f"an incomplete statement in a migration: {pending.strip()[:80]}")
    return statements


def connect(settings: Settings | None = None) -> sqlite3.Connection:
    """A connection to the staff store of the configured warehouse (schema up to date). The caller closes it."""
    return StaffStore.for_settings(settings).connect()


# --- The audit log --------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    subject: str | None
    old: Any
    new: Any


def record(target: StaffStore | sqlite3.Connection, actor: str, action: str, subject: str | None,
           old: Any = None, new: Any = None, *, at: datetime | None = None) -> int:
    """Write one audit row: who, when (UTC), what, and old -> new as JSON. Returns its id.

    Pass the connection of the transaction that makes the change, so that the
    change and its audit row are committed together or not at all.
    """
    row = (iso(at or utc_now()), actor, action, subject, _json(old), _json(new))
    if isinstance(target, StaffStore):
        with target.transaction() as con:
            return _insert(con, row)
    return _insert(target, row)


def _insert(con: sqlite3.Connection, row: tuple) -> int:
    cursor = con.execute("insert into audit (at, actor, action, subject, old, new) values (?, ?, ?, ?, ?, ?)", row)
    return int(cursor.lastrowid)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def read(store: StaffStore, *, actor: str | None = None, action: str | None = None,
         subject: str | None = None, since: datetime | str | None = None,
         limit: int = 1000) -> list[AuditEntry]:
    """Audit rows, newest first. `action` ending in "." matches every action it starts
    (e.g. "account." for all account changes); `since` is inclusive."""
    prefix = action[:-1] if action is not None and action.endswith(".") else None
    exact = action if prefix is None else None
    since_text = None if since is None else (iso(since) if isinstance(since, datetime)
                                             else iso(datetime.fromisoformat(since)))
    # One fixed statement: a filter left out is a null that matches every row.
    sql = """select * from audit
             where (:actor is null or actor = :actor)
               and (:exact is null or action = :exact)
               and (:prefix is null or substr(action, 1, length(:prefix) + 1) = :prefix || '.')
               and (:subject is null or subject = :subject)
               and (:since is null or at >= :since)
             order by id desc limit :limit"""
    with store.reading() as con:
        rows = con.execute(sql, {"actor": actor, "exact": exact, "prefix": prefix, "subject": subject,
                                 "since": since_text, "limit": max(0, int(limit))}).fetchall()
    return [AuditEntry(row["id"], row["at"], row["actor"], row["action"], row["subject"],
                       None if row["old"] is None else json.loads(row["old"]),
                       None if row["new"] is None else json.loads(row["new"])) for row in rows]
