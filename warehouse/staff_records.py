"""What staff write about pupils: targets, notes, review-meeting actions and curricular targets.

All of it lives in the staff store (warehouse/staff_store.py), never in a
warehouse snapshot, so no import, rebuild or snapshot clean-up can lose it,
and it can be written while an import runs (the import holds the warehouse's
lock, not the staff store's). Targets also reach the measures: every build
reads them (`targets_for_build`) and folds them into fct_target beside the
imported ones, so a rebuild or a re-import keeps them; a target set since the
current snapshot was built is shown from here at once
(`targets_since`), and a background rebuild (`python -m warehouse rebuild
--if-behind`) brings the measures up to date.

Plain functions, no Streamlit. Each write checks the role (warehouse/access.py
WRITES) and the scope (the pupil, subject or class must be the writer's) and
records who, when and old -> new in the audit log in the same transaction.
Reads take the viewer's Scope, so a note can only be read where its pupil can.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from warehouse import staff_store
from warehouse.access import may_write
from warehouse.config import PROJECT_ROOT
from warehouse.staff_store import StaffStore, iso, utc_now
from warehouse.view import Scope

NOTE_KINDS = ("Mentor comment", "Learning conversation", "Pastoral", "Note")
ACTION_STATUSES = {"open": "Open", "done": "Done", "not_done": "Not done", "dropped": "Dropped"}
CURRICULAR_TARGET_KINDS = {"pupil": "A pupil", "class": "A class", "group": "A group"}
# Long enough for a paragraph, short enough that a paste of a document is refused, not stored.
MAX_TEXT = {"reason": 500, "note": 4000, "action": 500, "owner": 100, "impact": 2000, "curricular_target": 500}
# How far back a target may be dated: the current academic year and the one before it.
BACKDATE_LIMIT = timedelta(days=730)
# Curricular targets run "over a term or a few weeks" (2008 guide): up to a school year.
CURRICULAR_TARGET_MAX_DAYS = 366


class WriteRefused(ValueError):
    """This person may not write this, or what they wrote cannot be kept; the message says which."""


@dataclass(frozen=True)
class Writer:
    """Who is writing: from the signed-in account."""
    username: str
    display_name: str
    role: str
    classes: tuple[str, ...] = ()

    @classmethod
    def of(cls, account) -> "Writer":
        return cls(account.username, account.display_name, account.role, tuple(account.classes))


# --- Checks ------------------------------------------------------------------------------------

def _allowed(writer: Writer, what: str) -> None:
    if not may_write(writer.role, what):
        raise WriteRefused(f"Your role cannot set {what.replace('_', ' ')}.")


def pupil_in_scope(scope: Scope, school: str, upn: str) -> bool:
    return ((scope.schools is None or school in scope.schools)
            and (scope.upns is None or upn in scope.upns))


def subject_in_scope(scope: Scope, school: str, subject: str) -> bool:
    return (scope.schools is None or school in scope.schools) and (scope.subjects is None or subject in scope.subjects)


def _pupil(scope: Scope, school: str, upn: str) -> None:
    if not pupil_in_scope(scope, school, upn):
        raise WriteRefused("That pupil is not one of yours.")


def _subject(scope: Scope, school: str, subject: str) -> None:
    if not subject_in_scope(scope, school, subject):
        raise WriteRefused("That subject is not one of yours.")


def _text(value: str | None, what: str, *, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise WriteRefused(f"Write the {what.replace('_', ' ')}: it cannot be empty.")
        return None
    limit = MAX_TEXT[what]
    if len(text) > limit:
        raise WriteRefused(f"The {what.replace('_', ' ')} is {len(text):,} characters long: keep it to {limit:,}.")
    # Control characters (other than line breaks and tabs) have no place in a note, and can hide text.
    return "".join(c for c in text if c in "\n\t" or c.isprintable())


def _day(value: date | str, what: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise WriteRefused(f"The {what} is not a date.") from error


def _scope_json(values: tuple[str, ...] | None) -> str | None:
    """A scope list as SQLite reads it (json_each); None means every value."""
    return None if values is None else json.dumps(list(values))


SCOPE_FILTER = """(:schools is null or school_code in (select value from json_each(:schools)))
              and (:upns is null or upn in (select value from json_each(:upns)))"""


def _scope_params(scope: Scope) -> dict:
    return {"schools": _scope_json(scope.schools), "upns": _scope_json(scope.upns)}


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


# --- Targets -----------------------------------------------------------------------------------

TARGET_COLUMNS = ["id", "school_code", "upn", "subject_code", "grade", "set_on", "reason", "set_by", "actor",
                  "recorded_at"]
ALL_TARGETS_SQL = ("select id, school_code, upn, subject_code, grade, set_on, reason, set_by, actor, recorded_at "
                   "from staff_target order by id")


def set_target(store: StaffStore, writer: Writer, scope: Scope, *, school: str, upn: str, subject: str,
               grade: str, reason: str, set_on: date | str, grades: list[str], current: str | None = None,
               today: date | None = None) -> int:
    """Set (or change) a pupil's end-of-key-stage target in a subject. Returns the new target's id.

    `grades` are the subject's scale (from the warehouse); `current` the target in force now, for the audit
    log's old -> new. The target applies from `set_on` (today, or back to the start of last year): drops
    dated before it keep the target they had, as with an imported change.
    """
    _allowed(writer, "targets")
    _pupil(scope, school, upn)
    _subject(scope, school, subject)
    if grade not in grades:
        raise WriteRefused(f"{grade!r} is not a grade of this subject's scale.")
    why = _text(reason, "reason")
    today = today or date.today()
    applies = _day(set_on, "date it applies from")
    if applies > today:
        raise WriteRefused("A target cannot apply from a date still to come: set it on the day.")
    if applies < today - BACKDATE_LIMIT:
        raise WriteRefused("A target can apply from at most two years back.")
    now = utc_now()
    with store.transaction() as con:
        target_id = int(con.execute(
            "insert into staff_target (school_code, upn, subject_code, grade, set_on, reason, set_by, actor, "
            "recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (school, upn, subject, grade, applies.isoformat(), why, writer.display_name, writer.username,
             iso(now))).lastrowid)
        staff_store.record(con, writer.username, "target.set", f"{school}/{upn}/{subject}",
                           None if current is None else {"grade": current},
                           {"grade": grade, "applies_from": applies.isoformat(), "reason": why, "id": target_id},
                           at=now)
    return target_id


def targets_since(store: StaffStore, scope: Scope, school: str, upn: str, after_id: int) -> pd.DataFrame:
    """A pupil's targets set in the tracker after the build that made the current snapshot (id > after_id)."""
    sql = f"""select {", ".join(TARGET_COLUMNS)} from staff_target
              where school_code = :school and upn = :upn and id > :after and {SCOPE_FILTER}
                and (:subjects is null or subject_code in (select value from json_each(:subjects)))
              order by id desc"""
    with store.reading() as con:
        rows = con.execute(sql, {"school": school, "upn": upn, "after": int(after_id), **_scope_params(scope),
                                 "subjects": _scope_json(scope.subjects)}).fetchall()
    return _frame(rows, TARGET_COLUMNS)


def latest_target_id(store: StaffStore) -> int:
    with store.reading() as con:
        return int(con.execute("select coalesce(max(id), 0) from staff_target").fetchone()[0])


def targets_for_build(data_dir: Path) -> pd.DataFrame:
    """Every target set in the tracker, for a build to fold into fct_target (all text but the id).

    A warehouse without a staff store has none; the build does not create one.
    """
    store = StaffStore(staff_store.store_path_in(data_dir))
    if not store.path.exists():
        return pd.DataFrame({column: pd.Series(dtype="int64" if column == "id" else "string")
                             for column in TARGET_COLUMNS})
    with store.reading() as con:
        rows = con.execute(ALL_TARGETS_SQL).fetchall()
    frame = _frame(rows, TARGET_COLUMNS)
    return frame.astype({column: "int64" if column == "id" else "string" for column in TARGET_COLUMNS})


def build_is_behind(con, settings) -> bool:
    """Whether a target has been set in the tracker since this warehouse (a DuckDB connection) was built."""
    store = StaffStore(staff_store.store_path_in(settings.data_dir))
    if not store.path.exists():
        return False
    # fetchall, not fetchone: DuckDB refuses other work on a connection with a result left unread.
    built = con.execute("select count(*) from duckdb_tables() where table_name = 'staff_targets'").fetchall()[0][0]
    included = con.execute("select coalesce(max(id), 0) from staff_targets").fetchall()[0][0] if built else 0
    return latest_target_id(store) > included


def start_background_rebuild(settings) -> None:
    """Bring the measures up to date with the targets just set, without anyone waiting for it.

    A separate process (`python -m warehouse rebuild --if-behind`): it queues behind a running import,
    and does nothing if another rebuild has already taken the new targets in. Its output goes to
    <data_dir>/rebuild.log, for the data manager.
    """
    log = open(Path(settings.data_dir) / "rebuild.log", "ab")
    try:
        subprocess.Popen([sys.executable, "-m", "warehouse", "rebuild", "--if-behind"], cwd=PROJECT_ROOT,
                         env={**os.environ, "TRACKER_DATA_DIR": str(settings.data_dir)},
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    finally:
        log.close()


# --- Notes -------------------------------------------------------------------------------------

NOTE_COLUMNS = ["id", "kind", "body", "author", "author_name", "written_at"]


def add_note(store: StaffStore, writer: Writer, scope: Scope, *, school: str, upn: str, kind: str,
             body: str) -> int:
    _allowed(writer, "notes")
    _pupil(scope, school, upn)
    if kind not in NOTE_KINDS:
        raise WriteRefused(f"A note is one of: {', '.join(NOTE_KINDS)}.")
    text = _text(body, "note")
    now = utc_now()
    with store.transaction() as con:
        note_id = int(con.execute(
            "insert into pupil_note (school_code, upn, kind, body, author, author_name, written_at) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            (school, upn, kind, text, writer.username, writer.display_name, iso(now))).lastrowid)
        staff_store.record(con, writer.username, "note.add", f"{school}/{upn}", None,
                           {"id": note_id, "kind": kind, "note": text}, at=now)
    return note_id


def withdraw_note(store: StaffStore, writer: Writer, scope: Scope, note_id: int) -> None:
    """Take back a note (its author, or the data manager): hidden from then on, kept in the audit log."""
    now = utc_now()
    with store.transaction() as con:
        note = con.execute("select * from pupil_note where id = ? and withdrawn_at is null",
                           (int(note_id),)).fetchone()
        if note is None or not pupil_in_scope(scope, note["school_code"], note["upn"]):
            raise WriteRefused("There is no such note.")
        if writer.username != note["author"] and writer.role != "data_manager":
            raise WriteRefused("Only the note's author or the data manager can withdraw it.")
        con.execute("update pupil_note set withdrawn_at = ?, withdrawn_by = ? where id = ?",
                    (iso(now), writer.username, int(note_id)))
        staff_store.record(con, writer.username, "note.withdraw", f"{note['school_code']}/{note['upn']}",
                           {"id": note["id"], "kind": note["kind"], "note": note["body"]}, None, at=now)


def notes(store: StaffStore, scope: Scope, school: str, upn: str) -> pd.DataFrame:
    """A pupil's notes, newest first (none if the pupil is outside the scope)."""
    sql = f"""select {", ".join(NOTE_COLUMNS)} from pupil_note
              where school_code = :school and upn = :upn and withdrawn_at is null and {SCOPE_FILTER}
              order by id desc"""
    with store.reading() as con:
        rows = con.execute(sql, {"school": school, "upn": upn, **_scope_params(scope)}).fetchall()
    return _frame(rows, NOTE_COLUMNS)


# --- Review actions ----------------------------------------------------------------------------

ACTION_COLUMNS = ["id", "school_code", "upn", "action", "owner", "due_on", "agreed_at_review", "status", "impact",
                  "created_by", "created_at", "updated_by", "updated_at"]


def add_action(store: StaffStore, writer: Writer, scope: Scope, *, school: str, upn: str, action: str,
               owner: str, due_on: date | str, agreed_at_review: str | None = None,
               today: date | None = None) -> int:
    """An action agreed in a review meeting for one pupil: what, who does it, by when."""
    _allowed(writer, "actions")
    _pupil(scope, school, upn)
    what = _text(action, "action")
    who = _text(owner, "owner")
    due = _day(due_on, "due date")
    if due < (today or date.today()) - timedelta(days=1):
        raise WriteRefused("The due date has passed: choose a date from today on.")
    now = utc_now()
    with store.transaction() as con:
        action_id = int(con.execute(
            "insert into review_action (school_code, upn, action, owner, due_on, agreed_at_review, status, "
            "created_by, created_at) values (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            (school, upn, what, who, due.isoformat(), agreed_at_review, writer.username, iso(now))).lastrowid)
        staff_store.record(con, writer.username, "action.add", f"{school}/{upn}", None,
                           {"id": action_id, "action": what, "owner": who, "due_on": due.isoformat(),
                            "agreed_at_review": agreed_at_review}, at=now)
    return action_id


def follow_up_action(store: StaffStore, writer: Writer, scope: Scope, action_id: int, *, status: str,
                     impact: str | None) -> None:
    """The follow-up at the next review: whether it was done, and the impact it had."""
    _allowed(writer, "actions")
    if status not in ACTION_STATUSES:
        raise WriteRefused(f"An action's status is one of: {', '.join(ACTION_STATUSES.values())}.")
    evaluation = _text(impact, "impact", required=False)
    now = utc_now()
    with store.transaction() as con:
        row = con.execute("select * from review_action where id = ?", (int(action_id),)).fetchone()
        if row is None or not pupil_in_scope(scope, row["school_code"], row["upn"]):
            raise WriteRefused("There is no such action.")
        if (row["status"], row["impact"]) == (status, evaluation):
            return
        con.execute("update review_action set status = ?, impact = ?, updated_by = ?, updated_at = ? where id = ?",
                    (status, evaluation, writer.username, iso(now), int(action_id)))
        staff_store.record(con, writer.username, "action.follow_up", f"{row['school_code']}/{row['upn']}",
                           {"id": row["id"], "status": row["status"], "impact": row["impact"]},
                           {"id": row["id"], "status": status, "impact": evaluation}, at=now)


def actions(store: StaffStore, scope: Scope, school: str, *, upns: list[str] | None = None,
            open_only: bool = False) -> pd.DataFrame:
    """Review actions of a school's pupils in the scope (and in `upns`, if given), due soonest first."""
    sql = f"""select {", ".join(ACTION_COLUMNS)} from review_action
              where school_code = :school and {SCOPE_FILTER}
                and (:only is null or upn in (select value from json_each(:only)))
                and (:open_only = 0 or status = 'open')
              order by status <> 'open', due_on, id"""
    with store.reading() as con:
        rows = con.execute(sql, {"school": school, **_scope_params(scope),
                                 "only": None if upns is None else json.dumps(list(upns)),
                                 "open_only": int(open_only)}).fetchall()
    return _frame(rows, ACTION_COLUMNS)


# --- Curricular targets ------------------------------------------------------------------------

CURRICULAR_COLUMNS = ["id", "school_code", "subject_code", "applies_to", "applies_to_code", "body", "starts_on",
                      "ends_on", "set_by", "set_by_name", "set_at"]


def add_curricular_target(store: StaffStore, writer: Writer, scope: Scope, *, school: str, subject: str,
                          applies_to: str, code: str, body: str, starts_on: date | str, ends_on: date | str,
                          class_subjects: dict[str, str] | None = None) -> int:
    """A short target ("use evidence from two sources in each answer") for a pupil, class or group in a subject.

    `class_subjects` maps the school's class codes to their subjects (from the warehouse), to check a class
    target's class is in that subject and, for a teacher, that it is one of theirs.
    """
    _allowed(writer, "curricular_targets")
    _subject(scope, school, subject)
    if applies_to not in CURRICULAR_TARGET_KINDS:
        raise WriteRefused("A curricular target is for a pupil, a class or a group.")
    code = (code or "").strip()
    if not code:
        raise WriteRefused("Choose who the target is for.")
    if applies_to == "pupil":
        _pupil(scope, school, code)
    elif applies_to == "class":
        if (class_subjects or {}).get(code) != subject:
            raise WriteRefused(f"{code} is not a class in this subject.")
        if writer.role == "teacher" and code not in writer.classes:
            raise WriteRefused(f"{code} is not one of your classes.")
    elif writer.role == "teacher":
        raise WriteRefused("A teacher sets curricular targets for their classes and their pupils.")
    text = _text(body, "curricular_target")
    starts, ends = _day(starts_on, "start date"), _day(ends_on, "end date")
    if ends < starts:
        raise WriteRefused("The target ends before it starts.")
    if (ends - starts).days > CURRICULAR_TARGET_MAX_DAYS:
        raise WriteRefused("A curricular target runs for a term or a few weeks: at most a school year.")
    now = utc_now()
    with store.transaction() as con:
        target_id = int(con.execute(
            "insert into curricular_target (school_code, subject_code, applies_to, applies_to_code, body, "
            "starts_on, ends_on, set_by, set_by_name, set_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (school, subject, applies_to, code, text, starts.isoformat(), ends.isoformat(), writer.username,
             writer.display_name, iso(now))).lastrowid)
        staff_store.record(con, writer.username, "curricular_target.add", f"{school}/{subject}/{applies_to}:{code}",
                           None, {"id": target_id, "target": text, "from": starts.isoformat(),
                                  "to": ends.isoformat()}, at=now)
    return target_id


def withdraw_curricular_target(store: StaffStore, writer: Writer, scope: Scope, target_id: int) -> None:
    _allowed(writer, "curricular_targets")
    now = utc_now()
    with store.transaction() as con:
        row = con.execute("select * from curricular_target where id = ? and withdrawn_at is null",
                          (int(target_id),)).fetchone()
        if row is None or not _curricular_in_scope(scope, row):
            raise WriteRefused("There is no such curricular target.")
        if writer.role == "teacher" and row["set_by"] != writer.username:
            raise WriteRefused("A teacher can withdraw only the curricular targets they set.")
        con.execute("update curricular_target set withdrawn_at = ?, withdrawn_by = ? where id = ?",
                    (iso(now), writer.username, int(target_id)))
        staff_store.record(con, writer.username, "curricular_target.withdraw",
                           f"{row['school_code']}/{row['subject_code']}/{row['applies_to']}:{row['applies_to_code']}",
                           {"id": row["id"], "target": row["body"]}, None, at=now)


def _curricular_in_scope(scope: Scope, row) -> bool:
    if not subject_in_scope(scope, row["school_code"], row["subject_code"]):
        return False
    return row["applies_to"] != "pupil" or pupil_in_scope(scope, row["school_code"], row["applies_to_code"])


def curricular_targets(store: StaffStore, scope: Scope, school: str, *, subject: str | None = None,
                       upn: str | None = None, classes: tuple[str, ...] = (), groups: tuple[str, ...] = (),
                       on: date | None = None) -> pd.DataFrame:
    """Curricular targets in force on `on` (default: any time), in the scope's subjects.

    With `upn`: those for that pupil, their `classes` and their `groups`. Without: all of the subject's.
    """
    sql = f"""select {", ".join(CURRICULAR_COLUMNS)} from curricular_target
              where school_code = :school and withdrawn_at is null
                and (:schools is null or school_code in (select value from json_each(:schools)))
                and (:subjects is null or subject_code in (select value from json_each(:subjects)))
                and (:subject is null or subject_code = :subject)
                and (:on is null or (starts_on <= :on and ends_on >= :on))
              order by subject_code, starts_on desc, id desc"""
    params = {"school": school, "schools": _scope_json(scope.schools), "subjects": _scope_json(scope.subjects),
              "subject": subject, "on": None if on is None else on.isoformat()}
    with store.reading() as con:
        rows = [row for row in con.execute(sql, params).fetchall() if _curricular_in_scope(scope, row)]
    frame = _frame(rows, CURRICULAR_COLUMNS)
    if upn is not None:
        mine = (((frame["applies_to"] == "pupil") & (frame["applies_to_code"] == upn))
                | ((frame["applies_to"] == "class") & frame["applies_to_code"].isin(list(classes)))
                | ((frame["applies_to"] == "group") & frame["applies_to_code"].isin(list(groups))))
        frame = frame[mine].reset_index(drop=True)
    return frame
