"""Local accounts, the staff store and the audit log: outcomes of sign-ins, changes and hostile input."""
import io
import re
import sqlite3
import threading
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher, profiles

from warehouse import staff_store
from warehouse.__main__ import _os_user, main as cli
from warehouse.accounts import (MAX_FAILED_ATTEMPTS, AccountError, Accounts, describe_scope,
                                hash_parameters)
from warehouse.config import load_settings
from warehouse.staff_store import SCHEMA_VERSION, StaffStore

# Tests hash with the cheapest Argon2id parameters: the same code path, a fraction of a millisecond a hash.
CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
PASSWORD = "correct horse battery"
ADMIN = "test:admin"


class Clock:
    """A clock the test moves: a 15-minute lockout is tested without waiting 15 minutes."""

    def __init__(self):
        self.now = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class CountingHasher(PasswordHasher):
    """Counts the password checks: each sign-in attempt must cost exactly one."""

    checks = 0

    def verify(self, hash, password):
        type(self).checks += 1
        return super().verify(hash, password)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def staff(data_dir) -> StaffStore:
    return StaffStore.for_settings(load_settings())


@pytest.fixture
def accounts(staff, clock) -> Accounts:
    return Accounts(staff, hasher=CHEAP, clock=clock)


def add_teacher(accounts, username="jsmith", password=PASSWORD, **options):
    return accounts.add(username, "Jo Smith", "teacher", password, actor=ADMIN, classes=("11X/Ma4",), **options)


def raw(staff, sql, *params):
    with staff.reading() as con:
        return [tuple(row) for row in con.execute(sql, params).fetchall()]


# --- passwords ---------------------------------------------------------------------------------

def test_the_stored_hash_is_argon2id_with_the_documented_cost_and_never_the_password(staff, clock):
    accounts = Accounts(staff, clock=clock)  # the real parameters, as the app and the CLI use them
    add_teacher(accounts)
    [(stored,)] = raw(staff, "select password_hash from account")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    assert hash_parameters(stored) == {"type": "ID", "time_cost": 3, "memory_cost_kib": 65536,
                                       "parallelism": 4, "hash_len": 32, "salt_len": 16}
    files = [p for p in staff.path.parent.iterdir()]
    assert all(PASSWORD.encode() not in p.read_bytes() for p in files), files
    assert accounts.verify("jsmith", PASSWORD).username == "jsmith"


def test_the_same_password_twice_gives_two_different_hashes(accounts, staff):
    add_teacher(accounts, "one")
    add_teacher(accounts, "two")
    first, second = (h for (h,) in raw(staff, "select password_hash from account order by username"))
    assert first != second  # salted: equal passwords cannot be spotted in the store


def test_sign_in_with_the_right_password_only(accounts):
    add_teacher(accounts)
    account = accounts.verify("jsmith", PASSWORD)
    assert (account.username, account.role, account.role_label, account.classes) == (
        "jsmith", "teacher", "Teacher", ("11X/Ma4",))
    assert accounts.verify(" JSmith ", PASSWORD).username == "jsmith"  # usernames are not case-sensitive
    assert accounts.verify("jsmith", PASSWORD.upper()) is None          # passwords are
    assert accounts.verify("jsmith", PASSWORD + " ") is None
    assert accounts.sign_in("jsmith", "nope").reason == "wrong password"


def test_an_unknown_username_costs_one_hash_and_gets_the_same_answer(staff, clock):
    accounts = Accounts(staff, hasher=CountingHasher.from_parameters(profiles.CHEAPEST), clock=clock)
    add_teacher(accounts)
    for username, password in (("nobody", PASSWORD), ("jsmith", "wrong password!"), ("jsmith", PASSWORD),
                               ("x' or '1'='1", PASSWORD)):
        CountingHasher.checks = 0
        accounts.sign_in(username, password)
        assert CountingHasher.checks == 1, username
    assert accounts.verify("nobody", PASSWORD) is None
    assert accounts.sign_in("nobody", PASSWORD).reason == "unknown username"


def test_a_disabled_account_cannot_sign_in_until_enabled(accounts):
    add_teacher(accounts)
    assert accounts.disable("jsmith", actor=ADMIN).disabled
    assert accounts.verify("jsmith", PASSWORD) is None
    assert accounts.sign_in("jsmith", PASSWORD).reason == "disabled"
    assert not accounts.enable("jsmith", actor=ADMIN).disabled
    assert accounts.verify("jsmith", PASSWORD).username == "jsmith"


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen_minutes(accounts, staff, clock):
    add_teacher(accounts)
    other_server = Accounts(staff, hasher=CHEAP, clock=clock)  # the lock is in the store, not in memory
    for attempt in range(MAX_FAILED_ATTEMPTS - 1):
        assert accounts.sign_in("jsmith", f"guess number {attempt}").reason == "wrong password"
        clock.advance(minutes=2)
    assert other_server.sign_in("jsmith", "guess number 5").reason == "wrong password"  # the fifth, 8 minutes in
    assert accounts.sign_in("jsmith", PASSWORD).reason == "locked"           # even the right password
    assert other_server.sign_in("jsmith", PASSWORD).reason == "locked"
    assert accounts.get("jsmith").is_locked(clock())
    clock.advance(minutes=14, seconds=59)
    assert accounts.verify("jsmith", PASSWORD) is None
    clock.advance(seconds=1)
    assert accounts.verify("jsmith", PASSWORD).username == "jsmith"


def test_failures_spread_over_more_than_fifteen_minutes_or_broken_by_a_success_do_not_lock(accounts, clock):
    add_teacher(accounts)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        accounts.sign_in("jsmith", "a wrong guess")
    clock.advance(minutes=15)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        accounts.sign_in("jsmith", "a wrong guess")
    assert accounts.verify("jsmith", PASSWORD) is not None   # a new window: 4 failures, not 8
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        accounts.sign_in("jsmith", "a wrong guess")
    assert accounts.verify("jsmith", PASSWORD) is not None   # the success before cleared the count


def test_failures_on_several_servers_at_once_are_all_counted(accounts, staff, clock):
    add_teacher(accounts)
    servers = [Accounts(staff, hasher=CHEAP, clock=clock) for _ in range(MAX_FAILED_ATTEMPTS)]
    start = threading.Barrier(len(servers))
    errors = []

    def guess(server):
        try:
            start.wait()
            server.sign_in("jsmith", "a wrong guess")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=guess, args=(s,)) for s in servers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert accounts.sign_in("jsmith", PASSWORD).reason == "locked"
    assert len(staff_store.read(staff, action="sign_in_refused")) == MAX_FAILED_ATTEMPTS + 1


@pytest.mark.parametrize("meanwhile, reason", [
    (lambda accounts: accounts.disable("jsmith", actor=ADMIN), "disabled"),
    (lambda accounts: accounts.reset_password("jsmith", actor=ADMIN), "password changed meanwhile"),
])
def test_a_change_made_while_the_password_is_being_checked_wins(accounts, staff, clock, meanwhile, reason):
    add_teacher(accounts)

    class SlowServer(PasswordHasher):
        def verify(self, hash, password):
            matched = super().verify(hash, password)
            meanwhile(accounts)  # the data manager, on another server, between the check and the sign-in
            return matched

    server = Accounts(staff, hasher=SlowServer.from_parameters(profiles.CHEAPEST), clock=clock)
    assert server.sign_in("jsmith", PASSWORD).reason == reason
    assert staff_store.read(staff, action="sign_in") == []


def test_reset_gives_a_one_time_password_that_works_and_the_old_one_fails(accounts, clock):
    add_teacher(accounts, must_change_password=False)
    for _ in range(MAX_FAILED_ATTEMPTS):
        accounts.sign_in("jsmith", "a wrong guess")
    first = accounts.reset_password("jsmith", actor=ADMIN)
    one_time = accounts.reset_password("jsmith", actor=ADMIN)
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", one_time) and one_time != first
    assert accounts.verify("jsmith", PASSWORD) is None
    assert accounts.verify("jsmith", first) is None
    account = accounts.verify("jsmith", one_time)                # the reset lifted the lock too
    assert account is not None and account.must_change_password
    changed = accounts.change_password("jsmith", one_time, "my own new passphrase")
    assert not changed.must_change_password
    assert accounts.verify("jsmith", one_time) is None
    assert accounts.verify("jsmith", "my own new passphrase").username == "jsmith"


def test_the_password_policy_refuses_with_a_clear_message(accounts):
    with pytest.raises(AccountError, match="at least 12 characters \\(this one has 5\\)"):
        add_teacher(accounts, password="short")
    with pytest.raises(AccountError, match="must not be the username"):
        add_teacher(accounts, "longusername1", password="LongUsername1")
    with pytest.raises(AccountError, match="at most 1024 characters"):
        add_teacher(accounts, password="x" * 1025)
    assert accounts.list() == []  # nothing half-made
    add_teacher(accounts)
    with pytest.raises(AccountError, match="must be different"):
        accounts.change_password("jsmith", PASSWORD, PASSWORD)
    with pytest.raises(AccountError, match="at least 12"):
        accounts.change_password("jsmith", PASSWORD, "tiny")
    with pytest.raises(AccountError, match="current password is not right"):
        accounts.change_password("jsmith", "not my password", "a new passphrase")
    assert accounts.verify("jsmith", PASSWORD) is not None
    [refusal] = staff_store.read(accounts.store, action="sign_in_refused")
    assert refusal.new == {"reason": "wrong password", "during": "password change", "failures_in_window": 1}


def test_a_hash_made_with_older_parameters_is_upgraded_at_sign_in(accounts, staff, clock):
    add_teacher(accounts)
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    server = Accounts(staff, hasher=stronger, clock=clock)
    assert server.verify("jsmith", PASSWORD) is not None
    [(stored,)] = raw(staff, "select password_hash from account")
    assert hash_parameters(stored)["memory_cost_kib"] == 1024
    assert staff_store.read(staff, action="sign_in")[0].new == {"rehashed": True}
    assert server.verify("jsmith", PASSWORD) is not None
    assert staff_store.read(staff, action="sign_in")[0].new == {}  # upgraded once


# --- hostile input -------------------------------------------------------------------------------

HOSTILE_USERNAMES = {
    "sql quote": "x' or '1'='1",
    "sql comment": "admin'--",
    "sql statement": "x; drop table account; --",
    "path": "../../etc/passwd",
    "windows path": "..\\..\\windows\\system32",
    "nul": "jsmith\x00",
    "markup": "<script>alert(1)</script>",
    "oversized": "a" * 10_000,
    "empty": "",
    "only spaces": "   ",
    "not text": 12345,
}


@pytest.mark.parametrize("label", HOSTILE_USERNAMES)
def test_hostile_usernames_are_refused_and_harmless(accounts, staff, label):
    hostile = HOSTILE_USERNAMES[label]
    add_teacher(accounts)
    with pytest.raises(AccountError, match="not a username|at most 64 characters|a username is needed|must be text"):
        add_teacher(accounts, hostile)
    assert accounts.verify(hostile, PASSWORD) is None
    assert accounts.get(hostile) is None
    with pytest.raises(AccountError):
        accounts.set_role(hostile, "senior_leader", actor=ADMIN)
    assert [a.username for a in accounts.list()] == ["jsmith"]
    assert accounts.verify("jsmith", PASSWORD) is not None  # the table is as it was
    [refusal] = staff_store.read(staff, action="sign_in_refused")
    assert len(refusal.subject) < 40 and refusal.subject.startswith("<not a username")
    assert {p.name for p in staff.path.parent.iterdir()} <= {"staff.sqlite", "staff.sqlite-wal", "staff.sqlite-shm"}


def test_hostile_passwords_roles_names_and_scopes_are_refused(accounts, staff):
    add_teacher(accounts)
    assert accounts.verify("jsmith", "x" * 10_000) is None
    assert accounts.verify("jsmith", None) is None
    assert accounts.verify("jsmith", "' or '1'='1") is None
    refusals = [
        (lambda: accounts.set_role("jsmith", "teacher'; drop table account; --", actor=ADMIN), "is not a role"),
        (lambda: accounts.set_role("jsmith", "x" * 10_000, actor=ADMIN), "that is not a role"),
        (lambda: accounts.add("jdoe", "J" * 10_000, "teacher", PASSWORD, actor=ADMIN), "display name has at most"),
        (lambda: accounts.add("jdoe", "Jo\x1b[31m Doe", "teacher", PASSWORD, actor=ADMIN), "control characters"),
        (lambda: accounts.set_scope("jsmith", classes=["x" * 41], actor=ADMIN), "at most 40 characters"),
        (lambda: accounts.set_scope("jsmith", classes=[f"C{i}" for i in range(201)], actor=ADMIN), "at most 200"),
        (lambda: accounts.set_scope("jsmith", classes="11X/Ma4", actor=ADMIN), "as a list"),
        (lambda: accounts.set_scope("jsmith", year_groups=["Y10"], actor=ADMIN), "'Y10' is not a year group"),
        (lambda: accounts.set_scope("jsmith", year_groups=["10; drop table account"], actor=ADMIN), "not a year group"),
        (lambda: accounts.set_scope("jsmith", year_groups=[99], actor=ADMIN), "99 is not a year group"),
        (lambda: accounts.set_scope("jsmith", subjects=["MA\n"], tutor_groups=["10B\x00"], actor=ADMIN),
         "control character"),
    ]
    for action, message in refusals:
        with pytest.raises(AccountError, match=re.escape(message)):
            action()
    # SQL in a scope value is only text: kept as typed, matching no class but its own.
    quoted = accounts.set_scope("jsmith", classes=["11X' or 1=1 --"], actor=ADMIN)
    assert quoted.classes == ("11X' or 1=1 --",)
    assert [a.username for a in accounts.list()] == ["jsmith"]


# --- the store --------------------------------------------------------------------------------------

def test_the_staff_store_is_outside_the_snapshots_and_survives_rebuilds(store, accounts, staff):
    add_teacher(accounts)
    assert staff.path == store.data_dir / "staff" / "staff.sqlite"
    assert not staff.path.is_relative_to(store.snapshots_dir)
    for _ in range(store.settings.keep_snapshots + 2):  # enough publishes to clear out the oldest snapshots
        with store.writer() as writer:
            writer.con.execute("create or replace table rebuild_marker as select 1 as done")
            writer.changed = True
    snapshots = sorted(p.name for p in store.snapshots_dir.iterdir())
    assert len(snapshots) == store.settings.keep_snapshots and "wh-000001.duckdb" not in snapshots
    assert accounts.verify("jsmith", PASSWORD).classes == ("11X/Ma4",)
    assert [e.action for e in staff_store.read(staff, subject="jsmith")] == ["sign_in", "account.add"]


def test_the_store_is_wal_with_foreign_keys_a_busy_timeout_and_a_schema_version(staff):
    con = staff.connect()
    try:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
        assert con.execute("pragma foreign_keys").fetchone()[0] == 1
        assert con.execute("pragma busy_timeout").fetchone()[0] >= 5000
        assert con.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION == 2
    finally:
        con.close()
    assert staff.path.stat().st_mode & 0o777 == 0o600  # hashes, and later notes on pupils: the service's only


def test_a_store_from_a_newer_tracker_is_refused(tmp_path):
    path = tmp_path / "staff.sqlite"
    con = sqlite3.connect(path)
    con.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(staff_store.StaffStoreError, match="newer than this tracker"):
        StaffStore(path).connect()


def test_concurrent_writers_all_land(staff):
    def write(worker):
        for i in range(25):
            staff_store.record(staff, f"worker{worker}", "test.write", str(i), None, {"i": i})

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(staff_store.read(staff, action="test.write")) == 100


def test_writers_who_find_a_new_store_at_once_all_land(tmp_path):
    # The first to open a new file switches it to WAL; another switching at the same moment was refused at
    # once ("database is locked", about once in thirty new stores) and its write was lost.
    lost, landed = [], 0

    def write(store, worker):
        try:
            staff_store.record(store, f"worker{worker}", "test.write", "1", None, {"i": 1})
        except sqlite3.OperationalError as error:
            lost.append(error)

    for attempt in range(60):
        store = StaffStore(tmp_path / str(attempt) / "staff.sqlite")
        threads = [threading.Thread(target=write, args=(store, w)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        landed += len(staff_store.read(store, action="test.write"))
    assert lost == [] and landed == 60 * 6


# --- the audit log ----------------------------------------------------------------------------------

def test_sign_ins_and_account_changes_are_audited_old_to_new(accounts, staff, clock):
    add_teacher(accounts)
    clock.advance(minutes=1)
    accounts.verify("jsmith", PASSWORD, source="app-1")
    accounts.verify("jsmith", "a wrong guess")
    accounts.verify("nobody", "a wrong guess")
    accounts.set_role("jsmith", "head_of_year", actor=ADMIN)
    accounts.set_role("jsmith", "head_of_year", actor=ADMIN)  # no change: nothing to audit
    accounts.set_scope("jsmith", year_groups=[10, "11"], actor=ADMIN)
    accounts.disable("jsmith", actor=ADMIN)
    entries = staff_store.read(staff)
    assert [(e.actor, e.action, e.subject) for e in reversed(entries)] == [
        (ADMIN, "account.add", "jsmith"),
        ("jsmith", "sign_in", "jsmith"),
        ("anonymous", "sign_in_refused", "jsmith"),
        ("anonymous", "sign_in_refused", "nobody"),
        (ADMIN, "account.role", "jsmith"),
        (ADMIN, "account.scope", "jsmith"),
        (ADMIN, "account.disable", "jsmith"),
    ]
    by_action = {e.action: e for e in entries}
    assert by_action["account.role"].old == {"role": "teacher"}
    assert by_action["account.role"].new == {"role": "head_of_year"}
    assert by_action["account.scope"].old["scope"]["classes"] == ["11X/Ma4"]
    assert by_action["account.scope"].new["scope"] == {"schools": None, "subjects": [], "year_groups": [10, 11],
                                                       "tutor_groups": [], "classes": []}
    assert by_action["account.disable"].old == {"disabled": False}
    assert by_action["account.disable"].new == {"disabled": True}
    assert by_action["sign_in"].new == {"source": "app-1"}
    assert entries[4].new == {"reason": "wrong password", "failures_in_window": 1}
    assert entries[3].new == {"reason": "unknown username"}
    assert by_action["account.add"].old is None and by_action["account.add"].new["role"] == "teacher"
    assert re.fullmatch(r"2026-03-02T08:31:00\.000000Z", by_action["sign_in"].at)
    # Never a password or a hash in the log.
    everything = " ".join(map(str, raw(staff, "select * from audit")))
    assert PASSWORD not in everything and "a wrong guess" not in everything and "$argon2" not in everything
    # The filters a data manager's page will use.
    assert {e.action for e in staff_store.read(staff, action="account.")} == {
        "account.add", "account.role", "account.scope", "account.disable"}
    assert len(staff_store.read(staff, actor=ADMIN)) == 4
    assert [e.action for e in staff_store.read(staff, since=clock(), actor=ADMIN)] == [
        "account.disable", "account.scope", "account.role"]
    assert len(staff_store.read(staff, since="2026-03-02T08:30:30+00:00")) == 6


def test_the_audit_log_cannot_be_rewritten(accounts, staff):
    add_teacher(accounts)
    with staff.reading() as con:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("update audit set actor = 'someone else'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("delete from audit")
    assert [e.actor for e in staff_store.read(staff)] == [ADMIN]


# --- the command line -------------------------------------------------------------------------------

def run_cli(capsys, monkeypatch, *args, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli(["users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_users_command_end_to_end(data_dir, capsys, monkeypatch):
    staff = StaffStore.for_settings(load_settings())
    accounts = Accounts(staff)
    code, out, err = run_cli(capsys, monkeypatch, "add", "JSmith", "--name", "Jo  Smith", "--role", "head_of_year",
                             "--year", "10", "--year", "11", "--password-stdin", stdin=PASSWORD + "\n")
    assert (code, err) == (0, "")
    assert out == "Added jsmith: Jo Smith, Head of year, all schools; year groups 10, 11.\n"
    account = accounts.verify("jsmith", PASSWORD)
    assert account.year_groups == (10, 11) and account.must_change_password

    code, out, err = run_cli(capsys, monkeypatch, "role", "jsmith", "subject_leader")
    assert code == 0 and out == "jsmith is now: Subject leader.\n"
    assert "subject leader with no subjects sees no pupils" in err

    code, out, err = run_cli(capsys, monkeypatch, "scope", "jsmith", "--school", "S001", "--subject", "MA")
    assert (code, out, err) == (0, "jsmith now sees: schools S001; subjects MA.\n", "")

    code, out, _ = run_cli(capsys, monkeypatch, "add", "head", "--name", "Pat Head", "--role", "senior_leader",
                           "--one-time-password")
    one_time = re.search(r"One-time password: (\S+)", out).group(1)
    assert code == 0 and accounts.verify("head", one_time).must_change_password

    code, out, _ = run_cli(capsys, monkeypatch, "list")
    lines = out.splitlines()
    assert code == 0 and re.split(r"\s{2,}", lines[0]) == ["username", "name", "role", "scope", "disabled"]
    assert re.split(r"\s{2,}", lines[2]) == ["head", "Pat Head", "senior_leader", "all schools", "no"]
    assert re.split(r"\s{2,}", lines[3]) == ["jsmith", "Jo Smith", "subject_leader", "schools S001; subjects MA", "no"]
    assert "argon2" not in out

    assert run_cli(capsys, monkeypatch, "disable", "jsmith")[:2] == (0, "jsmith can no longer sign in.\n")
    assert accounts.verify("jsmith", PASSWORD) is None
    assert re.split(r"\s{2,}", run_cli(capsys, monkeypatch, "list")[1].splitlines()[3])[-1] == "yes"
    assert run_cli(capsys, monkeypatch, "enable", "jsmith")[:2] == (0, "jsmith can sign in again.\n")
    assert accounts.verify("jsmith", PASSWORD) is not None

    code, out, _ = run_cli(capsys, monkeypatch, "reset", "jsmith")
    one_time = re.search(r"One-time password for jsmith: (\S+)", out).group(1)
    assert code == 0 and accounts.verify("jsmith", one_time) is not None
    assert accounts.verify("jsmith", PASSWORD) is None

    actor = f"cli:{_os_user()}"
    changes = staff_store.read(staff, actor=actor)
    assert [e.action for e in reversed(changes)] == [
        "account.add", "account.role", "account.scope", "account.add", "account.disable", "account.enable",
        "account.reset_password"]
    role = next(e for e in changes if e.action == "account.role")
    assert (role.old, role.new) == ({"role": "head_of_year"}, {"role": "subject_leader"})


@pytest.mark.parametrize("args, stdin, message", [
    (["role", "jsmith", "headteacher"], "", "error: 'headteacher' is not a role: use one of data_manager,"),
    (["disable", "nobody"], "", "error: there is no account named 'nobody'"),
    (["reset", "../../etc/passwd"], "", "error: '../../etc/passwd' is not a username"),
    (["add", "jsmith", "--name", "Jo", "--role", "teacher", "--password-stdin"], PASSWORD + "\n",
     "error: there is already an account named 'jsmith'"),
    (["add", "jdoe", "--name", "Jo", "--role", "teacher", "--password-stdin"], "short\n",
     "error: a password needs at least 12 characters (this one has 5)"),
    (["add", "jdoe", "--name", "Jo", "--role", "teacher", "--password-stdin"], "",
     "error: a password needs at least 12 characters (this one has 0)"),
    (["scope", "jsmith", "--year", "Y10"], "", "error: 'Y10' is not a year group"),
    (["add", "x' or '1'='1", "--name", "X", "--role", "teacher", "--password-stdin"], PASSWORD + "\n",
     "error: \"x' or '1'='1\" is not a username"),
])
def test_users_command_refuses_bad_input_with_exit_2_and_one_line(data_dir, capsys, monkeypatch, args, stdin, message):
    Accounts(StaffStore.for_settings(load_settings()), hasher=CHEAP).add(
        "jsmith", "Jo Smith", "teacher", PASSWORD, actor=ADMIN)
    code, out, err = run_cli(capsys, monkeypatch, *args, stdin=stdin)
    assert code == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_describe_scope_reads_as_words(accounts):
    account = accounts.add("hoy", "Sam Year", "head_of_year", PASSWORD, actor=ADMIN,
                           schools=["S001", "S002"], year_groups=[10, 11])
    assert describe_scope(account) == "schools S001, S002; year groups 10, 11"
