"""What staff write: targets, notes, review actions and curricular targets, each within the writer's role
and scope, audited, and kept across imports and rebuilds (warehouse/staff_records.py)."""
import fcntl
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tests import exports
from tests.exports import UPNS, query, write_csv
from warehouse import staff_records, staff_store
from warehouse.__main__ import main as cli
from warehouse.config import load_settings
from warehouse.ingest import ingest
from warehouse.staff_records import Writer, WriteRefused
from warehouse.staff_store import StaffStore
from warehouse.view import Scope

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = "S001"
TODAY = date(2026, 1, 10)
GCSE = ["9", "8", "7", "6+", "6", "6-", "5", "4"]

senior = Writer("sl", "Ms Senior", "senior_leader")
maths_lead = Writer("ml", "Mr Maths", "subject_leader")
tutor = Writer("tu", "Mrs Tutor", "tutor")
teacher = Writer("te", "Dr Teacher", "teacher", classes=("11X/Ma1",))
everyone = Scope.everything()
maths_only = Scope(schools=(SCHOOL,), subjects=("MA",))
first_two = Scope(schools=(SCHOOL,), upns=tuple(UPNS[:2]))


@pytest.fixture
def staff(data_dir) -> StaffStore:
    return StaffStore.for_settings(load_settings())


def target(staff, writer=senior, scope=everyone, **changes):
    values = dict(school=SCHOOL, upn=UPNS[0], subject="MA", grade="7", reason="Strong start to Year 11",
                  set_on=date(2026, 1, 5), grades=GCSE, current="6", today=TODAY)
    values.update(changes)
    return staff_records.set_target(staff, writer, scope, **values)


@pytest.mark.parametrize("writer, scope, changes, refusal", [
    (tutor, first_two, {}, "Your role cannot set targets"),
    (teacher, everyone, {}, "Your role cannot set targets"),
    (maths_lead, maths_only, {"subject": "EN"}, "That subject is not one of yours"),
    (senior, first_two, {"upn": UPNS[5]}, "That pupil is not one of yours"),
    (senior, everyone, {"grade": "10"}, "not a grade of this subject's scale"),
    (senior, everyone, {"grade": "7'; drop table staff_target; --"}, "not a grade of this subject's scale"),
    (senior, everyone, {"reason": "   "}, "cannot be empty"),
    (senior, everyone, {"reason": "x" * 501}, "keep it to 500"),
    (senior, everyone, {"set_on": date(2026, 1, 11)}, "date still to come"),
    (senior, everyone, {"set_on": date(2023, 1, 1)}, "at most two years back"),
    (senior, everyone, {"set_on": "05/01/2026"}, "not a date"),
])
def test_a_target_is_refused_outside_the_role_the_scope_or_the_scale(staff, writer, scope, changes, refusal):
    with pytest.raises(WriteRefused, match=refusal):
        target(staff, writer, scope, **changes)
    assert staff_records.latest_target_id(staff) == 0
    assert staff_store.read(staff, action="target.set") == []


def test_a_target_is_kept_with_its_reason_and_audited_old_to_new(staff):
    target_id = target(staff, maths_lead, maths_only)
    (entry,) = staff_store.read(staff, action="target.set")
    assert (entry.actor, entry.subject, entry.old) == ("ml", f"{SCHOOL}/{UPNS[0]}/MA", {"grade": "6"})
    assert entry.new == {"grade": "7", "applies_from": "2026-01-05", "reason": "Strong start to Year 11",
                         "id": target_id}
    pending = staff_records.targets_since(staff, maths_only, SCHOOL, UPNS[0], after_id=0)
    assert pending[["grade", "set_on", "set_by", "reason"]].values.tolist() == [
        ["7", "2026-01-05", "Mr Maths", "Strong start to Year 11"]]
    # Included in a build: no longer pending. Another scope does not see it.
    assert staff_records.targets_since(staff, maths_only, SCHOOL, UPNS[0], after_id=target_id).empty
    assert staff_records.targets_since(staff, Scope(subjects=("EN",)), SCHOOL, UPNS[0], after_id=0).empty
    with pytest.raises(Exception, match="changed by setting a new one"):
        with staff.transaction() as con:
            con.execute("update staff_target set grade = '9'")


def test_notes_are_read_only_within_the_scope_and_withdrawn_only_by_their_author(staff):
    note_id = staff_records.add_note(staff, tutor, first_two, school=SCHOOL, upn=UPNS[1], kind="Mentor comment",
                                     body="Settling well after the move.\x07\nTalked about revision.")
    assert staff_records.notes(staff, first_two, SCHOOL, UPNS[1])["body"].tolist() == [
        "Settling well after the move.\nTalked about revision."]
    assert staff_records.notes(staff, Scope(upns=(UPNS[0],)), SCHOOL, UPNS[1]).empty
    assert staff_records.notes(staff, Scope(schools=("S002",)), SCHOOL, UPNS[1]).empty
    with pytest.raises(WriteRefused, match="not one of yours"):
        staff_records.add_note(staff, tutor, first_two, school=SCHOOL, upn=UPNS[7], kind="Note", body="Hello")
    with pytest.raises(WriteRefused, match="one of"):
        staff_records.add_note(staff, tutor, first_two, school=SCHOOL, upn=UPNS[1], kind="Gossip", body="Hello")
    with pytest.raises(WriteRefused, match="keep it to 4,000"):
        staff_records.add_note(staff, tutor, first_two, school=SCHOOL, upn=UPNS[1], kind="Note", body="x" * 4001)
    with pytest.raises(WriteRefused, match="Only the note's author"):
        staff_records.withdraw_note(staff, senior, everyone, note_id)
    staff_records.withdraw_note(staff, tutor, first_two, note_id)
    assert staff_records.notes(staff, everyone, SCHOOL, UPNS[1]).empty
    assert [e.action for e in staff_store.read(staff, action="note.")] == ["note.withdraw", "note.add"]


def test_a_review_action_is_agreed_then_followed_up_with_its_impact(staff):
    action_id = staff_records.add_action(staff, tutor, first_two, school=SCHOOL, upn=UPNS[0],
                                         action="Homework club twice a week", owner="Mrs Tutor",
                                         due_on=date(2026, 2, 13), agreed_at_review="2025/26 Autumn", today=TODAY)
    with pytest.raises(WriteRefused, match="due date has passed"):
        staff_records.add_action(staff, tutor, first_two, school=SCHOOL, upn=UPNS[0], action="Late",
                                 owner="Me", due_on=date(2026, 1, 1), today=TODAY)
    with pytest.raises(WriteRefused, match="no such action"):
        staff_records.follow_up_action(staff, tutor, Scope(upns=(UPNS[5],)), action_id, status="done", impact="x")
    staff_records.follow_up_action(staff, tutor, first_two, action_id, status="done",
                                   impact="Homework in on time since February; maths up a grade.")
    (row,) = staff_records.actions(staff, first_two, SCHOOL).to_dict("records")
    assert (row["status"], row["impact"], row["updated_by"]) == (
        "done", "Homework in on time since February; maths up a grade.", "tu")
    assert staff_records.actions(staff, first_two, SCHOOL, open_only=True).empty
    assert staff_records.actions(staff, Scope(upns=(UPNS[3],)), SCHOOL).empty
    follow_up = staff_store.read(staff, action="action.follow_up")[0]
    assert (follow_up.old["status"], follow_up.new["status"]) == ("open", "done")


def test_curricular_targets_reach_a_pupil_through_their_class_and_group(staff):
    classes = {"11X/Ma1": "MA", "11Y/Ma2": "MA", "11X/En1": "EN"}
    common = dict(school=SCHOOL, subject="MA", starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 13),
                  class_subjects=classes)
    staff_records.add_curricular_target(staff, teacher, maths_only, applies_to="class", code="11X/Ma1",
                                        body="Show every step of working in algebra.", **common)
    staff_records.add_curricular_target(staff, maths_lead, maths_only, applies_to="group", code="Maths boost",
                                        body="Fluency in times tables.", **common)
    staff_records.add_curricular_target(staff, maths_lead, maths_only, applies_to="pupil", code=UPNS[3],
                                        body="Check answers by estimating.", **common)
    for writer, changes, refusal in [
            (teacher, {"applies_to": "class", "code": "11Y/Ma2"}, "not one of your classes"),
            (maths_lead, {"applies_to": "class", "code": "11X/En1"}, "not a class in this subject"),
            (teacher, {"applies_to": "group", "code": "Maths boost"}, "for their classes and their pupils"),
            (tutor, {"applies_to": "class", "code": "11X/Ma1"}, "Your role cannot set curricular targets"),
            (maths_lead, {"applies_to": "pupil", "code": UPNS[0], "subject": "EN"}, "not one of yours"),
            (maths_lead, {"applies_to": "class", "code": "11X/Ma1", "ends_on": date(2027, 3, 1)}, "at most a school year")]:
        with pytest.raises(WriteRefused, match=refusal):
            staff_records.add_curricular_target(staff, writer, maths_only,
                                                **{**common, "body": "x", **changes})
    mine = staff_records.curricular_targets(staff, maths_only, SCHOOL, upn=UPNS[0], classes=("11X/Ma1",),
                                            groups=("Maths boost",), on=date(2026, 1, 20))
    assert mine["body"].tolist() == ["Fluency in times tables.", "Show every step of working in algebra."]
    assert staff_records.curricular_targets(staff, maths_only, SCHOOL, subject="MA", on=date(2026, 3, 1)).empty
    assert staff_records.curricular_targets(staff, Scope(subjects=("EN",)), SCHOOL).empty
    # A pupil's own target is seen only where the pupil is.
    assert len(staff_records.curricular_targets(staff, Scope(subjects=("MA",), upns=(UPNS[0],)), SCHOOL)) == 2


def _targets_file(folder: Path, grade: str, set_on: str) -> Path:
    return write_csv(folder / f"targets-{set_on.replace('/', '')}.csv",
                     ["UPN", "Subject", "Target Type", "Grade", "Source", "Date Set", "Reason"],
                     [[UPNS[0], "MA", "target", grade, "school", set_on, "From the MIS"]])


def _current_target(store) -> list[tuple]:
    return query(store, "select grade, target_source, set_by, reason from fct_target where upn = ? and "
                        "subject_code = 'MA' and is_current", [UPNS[0]])


def test_a_tracker_target_survives_a_rebuild_and_a_re_import_until_the_mis_sets_a_newer_one(store, staff,
                                                                                         exports_dir, capsys):
    files = exports.base_school(exports_dir)
    ingest(files + [_targets_file(exports_dir, "6", "15/09/2025")], store=store)
    target(staff, maths_lead, maths_only)
    assert _current_target(store) == [("6", "school", None, "From the MIS")]
    assert cli(["rebuild", "--if-behind"]) == 0
    assert _current_target(store) == [("7", "tracker", "Mr Maths", "Strong start to Year 11")]
    snapshot = store.current_snapshot()
    assert cli(["rebuild", "--if-behind"]) == 0 and "already include" in capsys.readouterr().out
    assert store.current_snapshot() == snapshot  # nothing new to take in: no new snapshot

    ingest(files + [_targets_file(exports_dir, "6", "15/09/2025")], store=store)   # the same export again
    assert _current_target(store) == [("7", "tracker", "Mr Maths", "Strong start to Year 11")]
    assert cli(["rebuild"]) == 0
    assert _current_target(store) == [("7", "tracker", "Mr Maths", "Strong start to Year 11")]
    # The MIS later sets a newer target: it is current, and the tracker's stays in the history.
    ingest([_targets_file(exports_dir, "8", "01/02/2026")], store=store)
    assert _current_target(store) == [("8", "school", None, "From the MIS")]
    assert query(store, "select grade, target_source from fct_target where upn = ? order by set_on", [UPNS[0]]) == [
        ("6", "school"), ("7", "tracker"), ("8", "school")]


def _lock_is_held(store) -> bool:
    with open(store.data_dir / "ingest.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_staff_write_while_an_import_runs_and_the_measures_catch_up_after_it(store, staff, exports_dir):
    ingest(exports.base_school(exports_dir), store=store)
    new_upns = [exports.make_upn(i, establishment="3000") for i in range(1, 301)]
    pupils = exports.pupils(exports_dir, upns=new_upns, name="new_pupils.csv")
    marks = write_csv(exports_dir / "marks.csv", ["UPN", "Date", "Session", "Mark"],
                      [[upn, f"{day:02d}/09/2025", session, "/"] for upn in new_upns for day in range(1, 29)
                       for session in ("AM", "PM")])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    importing = subprocess.Popen([sys.executable, "-m", "warehouse", "ingest", str(pupils), str(marks), "--quiet"],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _lock_is_held(store):
            assert importing.poll() is None and time.monotonic() < deadline, "the import never took its lock"
            time.sleep(0.02)
        started = time.monotonic()
        target(staff, senior, everyone)
        staff_records.add_note(staff, senior, everyone, school=SCHOOL, upn=UPNS[0], kind="Note", body="During it")
        staff_records.add_action(staff, senior, everyone, school=SCHOOL, upn=UPNS[0], action="Meet parents",
                                 owner="Head of year", due_on=date(2026, 2, 1), today=TODAY)
        assert time.monotonic() - started < 5, "staff writes do not wait for an import"
        assert _lock_is_held(store), "the writes above were made while the import ran"
        rebuild = subprocess.Popen([sys.executable, "-m", "warehouse", "rebuild", "--if-behind"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert importing.wait(timeout=300) == 0, importing.stdout.read()
        assert rebuild.wait(timeout=300) == 0, rebuild.stdout.read()
    finally:
        importing.kill()
    assert query(store, "select count(*) from dim_pupil")[0][0] == 320   # the import landed
    assert _current_target(store) == [("7", "tracker", "Ms Senior", "Strong start to Year 11")]   # and so did the target
    assert staff_records.notes(staff, everyone, SCHOOL, UPNS[0])["body"].tolist() == ["During it"]
    assert len(staff_records.actions(staff, everyone, SCHOOL)) == 1
