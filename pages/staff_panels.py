"""What staff write, as the pages show it: targets with a reason, notes, review actions, curricular targets.

The rules (who may write what, for whom; what is kept; the audit) are in
warehouse/staff_records.py; these functions draw the lists and the forms. What
staff wrote is shown as plain text (st.text, table cells), never as Markdown:
a note cannot add a link, an image or formatting to the page.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from pages.common import MISSING
from warehouse import loaders, staff_records
from warehouse.access import may_write
from warehouse.config import load_settings
from warehouse.staff_records import ACTION_STATUSES, NOTE_KINDS, Writer, WriteRefused
from warehouse.staff_store import StaffStore
from warehouse.view import Scope


def _writer() -> Writer:
    return Writer.of(st.session_state["viewer"].account)


def _store() -> StaffStore:
    return StaffStore.for_settings(load_settings())


SAVED = "staff_saved_message"


def _saved(message: str) -> None:
    """Say what was saved, on the rerun that shows it: a toast sent just before st.rerun() can be
    cleared by the new run before the browser draws it."""
    st.session_state[SAVED] = message
    st.rerun()


def show_saved_message() -> None:
    """The router calls this on every run: the toast for what the last run saved, once."""
    message = st.session_state.pop(SAVED, None)
    if message:
        st.toast(message, icon=":material/check:")


def _when(stamp: str) -> str:
    """A stored UTC time as an English school reads it."""
    return pd.Timestamp(stamp).tz_convert("Europe/London").strftime("%d/%m/%Y %H:%M") if stamp else ""


# --- Targets (Pupil page) -----------------------------------------------------------------------

def pupil_targets(run, scope: Scope, school: str, upn: str, history: pd.DataFrame, progress: pd.DataFrame) -> None:
    """The pupil's targets and estimates, with those set here since the measures were last worked out, and
    a form to set one (roles that may). `progress`: the pupil's grades at every drop (PupilRecord.progress)."""
    # The subjects they take this year (their latest year group's), with the target in force at the latest drop.
    latest = progress[progress["year_group"] == progress["year_group"].max()] if not progress.empty else progress
    subjects_now = latest.sort_values("point_sequence").drop_duplicates("subject_code", keep="last")
    included = loaders.staff_targets_included(run)
    pending = staff_records.targets_since(_store(), scope, school, upn, after_id=included)
    if not pending.empty:
        names = dict(zip(subjects_now["subject_code"], subjects_now["subject_name"]))
        # Newest first: the newest in each subject is now its current target, and what was current is not.
        rows = pending.assign(subject_name=pending["subject_code"].map(names).fillna(pending["subject_code"]),
                              target_kind="target", target_source="tracker",
                              is_current=~pending["subject_code"].duplicated(),
                              set_on=pd.to_datetime(pending["set_on"]).dt.date)
        replaced = history["target_kind"].eq("target") & history["subject_name"].isin(rows["subject_name"])
        history = pd.concat([rows[list(history.columns)], history.assign(is_current=history["is_current"] & ~replaced)],
                            ignore_index=True)
        st.info("Just set: the progress figures and checks take the new target in within a minute or so "
                "(the measures are being worked out again).", icon=":material/autorenew:")
    st.caption("Every target and estimate on record: who set each, when and why. Targets set here are "
               "marked 'tracker'; a target applies to the drops from the date it was set.")
    st.dataframe(history, hide_index=True, width="stretch", placeholder=MISSING, column_config={
        "subject_name": "Subject", "target_kind": "Kind", "grade": "Grade", "target_source": "Source",
        "set_by": "Set by", "set_on": st.column_config.DateColumn("Set on", format="DD/MM/YYYY"),
        "reason": st.column_config.TextColumn("Why", width="large"), "is_current": "Current"})
    if may_write(_writer().role, "targets") and not subjects_now.empty:
        _target_form(run, scope, school, upn, subjects_now)


def _target_form(run, scope: Scope, school: str, upn: str, subjects_now: pd.DataFrame) -> None:
    grades = loaders.subject_grades(run, scope, school)
    subjects = subjects_now[subjects_now["subject_code"].isin(grades["subject_code"])].drop_duplicates("subject_code")
    if subjects.empty:
        return
    names = dict(zip(subjects["subject_code"], subjects["subject_name"]))
    current = dict(zip(subjects["subject_code"], subjects["current_target"]))
    with st.expander("Set or change a target", icon=":material/flag:"):
        # Outside the form: the grades offered follow the subject chosen.
        subject = st.selectbox("Subject", list(names), format_func=names.get, key="target_subject")
        scale = grades.loc[grades["subject_code"] == subject, "grade"].tolist()
        with st.form("set_target", clear_on_submit=True, border=False):
            now = current.get(subject)
            left, right = st.columns(2)
            grade = left.selectbox(f"New target (now {now if isinstance(now, str) else 'none'})", scale,
                                   index=scale.index(now) if now in scale else None, placeholder="Choose a grade")
            today = dt.date.today()
            applies = right.date_input("Applies from", value=today, min_value=today - staff_records.BACKDATE_LIMIT,
                                       max_value=today, format="DD/MM/YYYY",
                                       help="Drops dated before this keep the target they had.")
            reason = st.text_area("Why", max_chars=staff_records.MAX_TEXT["reason"], height=80,
                                  placeholder="e.g. Agreed at the Year 11 review: consistently ahead since Year 10")
            if st.form_submit_button("Set the target", type="primary"):
                try:
                    staff_records.set_target(_store(), _writer(), scope, school=school, upn=upn, subject=subject,
                                             grade=grade or "", reason=reason, set_on=applies, grades=scale,
                                             current=now if isinstance(now, str) else None)
                except WriteRefused as refusal:
                    st.error(str(refusal))
                    return
                staff_records.start_background_rebuild(load_settings())
                _saved(f"Target in {names[subject]} set to {grade}.")


# --- Notes and actions (Pupil page) -------------------------------------------------------------

def pupil_notes_and_actions(run, scope: Scope, school: str, upn: str, point: str | None,
                            classes: tuple[str, ...], groups: tuple[str, ...]) -> None:
    store, writer = _store(), _writer()
    notes_column, actions_column = st.columns(2, gap="large")
    with notes_column:
        st.subheader("Notes")
        notes = staff_records.notes(store, scope, school, upn)
        if notes.empty:
            st.caption("No notes yet.")
        for note in notes.itertuples():
            with st.container(border=True):
                st.caption(f"{note.kind} · {note.author_name} · {_when(note.written_at)}")
                st.text(note.body)
                if note.author == writer.username or writer.role == "data_manager":
                    if st.button("Withdraw", key=f"withdraw-note-{note.id}", type="tertiary",
                                 help="Hide this note (the audit log keeps what it said)."):
                        staff_records.withdraw_note(store, writer, scope, note.id)
                        _saved("Note withdrawn.")
        if may_write(writer.role, "notes"):
            with st.form("add_note", clear_on_submit=True):
                kind = st.selectbox("Kind", NOTE_KINDS)
                body = st.text_area("Note", max_chars=staff_records.MAX_TEXT["note"], height=100,
                                    placeholder="A mentor comment, a learning conversation, something to pass on")
                if st.form_submit_button("Add the note"):
                    try:
                        staff_records.add_note(store, writer, scope, school=school, upn=upn, kind=kind, body=body)
                    except WriteRefused as refusal:
                        st.error(str(refusal))
                    else:
                        _saved("Note added.")
    with actions_column:
        st.subheader("Review actions")
        actions = staff_records.actions(store, scope, school, upns=[upn])
        _actions_table(actions, key="pupil_actions")
        if may_write(writer.role, "actions"):
            _action_form(store, writer, scope, school, {upn: None}, point, key="pupil_add_action")
        targets = staff_records.curricular_targets(store, scope, school, upn=upn, classes=classes, groups=groups,
                                                   on=dt.date.today())
        st.subheader("Curricular targets now")
        if targets.empty:
            st.caption("None in force. Subject leaders and teachers set them on the Subjects page.")
        else:
            _curricular_table(targets)


def _actions_table(actions: pd.DataFrame, key: str, names: dict | None = None) -> None:
    if actions.empty:
        st.caption("No actions agreed yet.")
        return
    shown = actions.assign(status=actions["status"].map(ACTION_STATUSES),
                           due_on=pd.to_datetime(actions["due_on"]).dt.date)
    columns = ["action", "owner", "due_on", "status", "impact", "agreed_at_review"]
    if names is not None:
        shown = shown.assign(pupil=shown["upn"].map(names).fillna(shown["upn"]))
        columns = ["pupil"] + columns
    st.dataframe(shown[columns], hide_index=True, width="stretch", placeholder=MISSING, key=key, column_config={
        "pupil": "Pupil", "action": st.column_config.TextColumn("Action", width="medium"), "owner": "Who",
        "due_on": st.column_config.DateColumn("Due", format="DD/MM/YYYY"), "status": "Status",
        "impact": st.column_config.TextColumn("Impact", width="medium"), "agreed_at_review": "Agreed at"})


def _action_form(store, writer, scope, school: str, pupils: dict, point: str | None, key: str) -> None:
    """Agree an action for one of `pupils` (UPN -> label; one pupil: no choice shown)."""
    with st.form(key, clear_on_submit=True):
        if len(pupils) > 1:
            upn = st.selectbox("Pupil", list(pupils), format_func=pupils.get, index=None,
                               placeholder="Type a name")
        else:
            upn = next(iter(pupils))
        action = st.text_input("Action", max_chars=staff_records.MAX_TEXT["action"],
                               placeholder="e.g. Homework club twice a week; call home")
        left, right = st.columns(2)
        owner = left.text_input("Who", max_chars=staff_records.MAX_TEXT["owner"], value=writer.display_name)
        due = right.date_input("Due", value=dt.date.today() + dt.timedelta(days=28), min_value=dt.date.today(),
                               format="DD/MM/YYYY")
        if st.form_submit_button("Agree the action"):
            try:
                if upn is None:
                    raise WriteRefused("Choose the pupil.")
                staff_records.add_action(store, writer, scope, school=school, upn=upn, action=action, owner=owner,
                                         due_on=due, agreed_at_review=point)
            except WriteRefused as refusal:
                st.error(str(refusal))
            else:
                _saved("Action agreed.")


# --- Review actions (Year review page) -----------------------------------------------------------

def review_actions(scope: Scope, school: str, pupils: pd.DataFrame, point: str | None) -> None:
    """The actions agreed for the view's pupils: follow up the open ones, and agree new ones.

    `pupils` has upn and pupil_name. The 2008 guide: each review evaluates the impact of the previous round.
    """
    store, writer = _store(), _writer()
    names = dict(zip(pupils["upn"], pupils["pupil_name"]))
    actions = staff_records.actions(store, scope, school, upns=list(names))
    open_actions = actions[actions["status"] == "open"]
    st.caption("Actions agreed at earlier reviews, soonest due first. Follow each up: was it done, and what "
               "difference did it make? Then agree this round's.")
    if open_actions.empty:
        st.success("No open actions for these pupils.")
    elif may_write(writer.role, "actions"):
        shown = open_actions.assign(pupil=open_actions["upn"].map(names),
                                    due_on=pd.to_datetime(open_actions["due_on"]).dt.date,
                                    status=open_actions["status"].map(ACTION_STATUSES))
        edited = st.data_editor(
            shown[["id", "pupil", "action", "owner", "due_on", "status", "impact"]], hide_index=True,
            width="stretch", key="review_follow_up", disabled=["id", "pupil", "action", "owner", "due_on"],
            column_config={
                "id": None, "pupil": "Pupil", "action": "Action", "owner": "Who",
                "due_on": st.column_config.DateColumn("Due", format="DD/MM/YYYY"),
                "status": st.column_config.SelectboxColumn("Status", options=list(ACTION_STATUSES.values()),
                                                           required=True),
                "impact": st.column_config.TextColumn("Impact", max_chars=staff_records.MAX_TEXT["impact"],
                                                      width="large")})
        if st.button("Save the follow-up", type="primary"):
            statuses = {label: code for code, label in ACTION_STATUSES.items()}
            changed = 0
            try:
                for row in edited.itertuples():
                    before = open_actions[open_actions["id"] == row.id].iloc[0]
                    impact = row.impact if isinstance(row.impact, str) else None
                    if statuses[row.status] != before["status"] or impact != before["impact"]:
                        staff_records.follow_up_action(store, writer, scope, int(row.id),
                                                       status=statuses[row.status], impact=impact)
                        changed += 1
            except WriteRefused as refusal:
                st.error(str(refusal))
            else:
                _saved(f"{changed} action{'s' if changed != 1 else ''} followed up.")
    else:
        _actions_table(open_actions, key="review_open", names=names)
    done = actions[actions["status"] != "open"]
    if not done.empty:
        with st.expander(f"Followed up ({len(done)})"):
            _actions_table(done, key="review_done", names=names)
    if may_write(writer.role, "actions"):
        st.markdown("**Agree an action**")
        labels = dict(zip(pupils["upn"], pupils["pupil_name"] + " · " + pupils["upn"]))
        _action_form(store, writer, scope, school, labels, point, key="review_add_action")


# --- Curricular targets (Subjects page) -----------------------------------------------------------

def _curricular_table(targets: pd.DataFrame) -> None:
    shown = targets.assign(applies=targets["applies_to"].map({"pupil": "Pupil", "class": "Class", "group": "Group"})
                           + " " + targets["applies_to_code"],
                           starts_on=pd.to_datetime(targets["starts_on"]).dt.date,
                           ends_on=pd.to_datetime(targets["ends_on"]).dt.date)
    st.dataframe(shown[["subject_code", "applies", "body", "starts_on", "ends_on", "set_by_name"]], hide_index=True,
                 width="stretch", placeholder=MISSING, column_config={
                     "subject_code": "Subject", "applies": "For",
                     "body": st.column_config.TextColumn("Target", width="large"),
                     "starts_on": st.column_config.DateColumn("From", format="DD/MM/YYYY"),
                     "ends_on": st.column_config.DateColumn("To", format="DD/MM/YYYY"), "set_by_name": "Set by"})


def subject_curricular_targets(run, scope: Scope, school: str, subject: str, groups: list[str],
                               pupils: dict[str, str]) -> None:
    """The subject's curricular targets in force, and a form to set one for a class, a group or a pupil."""
    store, writer = _store(), _writer()
    targets = staff_records.curricular_targets(store, scope, school, subject=subject, on=dt.date.today())
    if targets.empty:
        st.caption("No curricular targets in force in this subject.")
    else:
        _curricular_table(targets)
    if not may_write(writer.role, "curricular_targets"):
        return
    classes = loaders.subject_classes(run, scope, school)
    mine = [code for code, in_subject in classes.items() if in_subject == subject
            and (writer.role != "teacher" or code in writer.classes)]
    kinds = ["class", "pupil"] + ([] if writer.role == "teacher" else ["group"])
    with st.expander("Set a curricular target", icon=":material/edit_note:"):
        applies_to = st.segmented_control("For", kinds, default="class", key="curricular_kind",
                                          format_func=staff_records.CURRICULAR_TARGET_KINDS.get)
        with st.form("curricular_target", clear_on_submit=True, border=False):
            if applies_to == "pupil":
                code = st.selectbox("Pupil", list(pupils), format_func=pupils.get, index=None,
                                    placeholder="Type a name")
            elif applies_to == "group":
                code = st.selectbox("Group", groups, index=None, placeholder="A school group")
            else:
                code = st.selectbox("Class", mine, index=None, placeholder="A class in this subject")
            body = st.text_input("Target", max_chars=staff_records.MAX_TEXT["curricular_target"],
                                 placeholder="e.g. Use evidence from two sources in every answer")
            left, right = st.columns(2)
            today = dt.date.today()
            starts = left.date_input("From", value=today, format="DD/MM/YYYY")
            ends = right.date_input("To", value=today + dt.timedelta(weeks=6), format="DD/MM/YYYY")
            if st.form_submit_button("Set the curricular target"):
                try:
                    staff_records.add_curricular_target(
                        store, writer, scope, school=school, subject=subject, applies_to=applies_to or "",
                        code=code or "", body=body, starts_on=starts, ends_on=ends, class_subjects=classes)
                except WriteRefused as refusal:
                    st.error(str(refusal))
                else:
                    _saved("Curricular target set.")
