"""Local accounts: who may sign in, with which role, seeing which pupils. No Streamlit here.

Passwords are kept only as Argon2id hashes (argon2-cffi, RFC 9106's
low-memory profile), in the staff store (warehouse/staff_store.py), which
outlives every import and rebuild. Every sign-in attempt and every change to
an account is written to the audit log, in the same transaction as the change.

What a sign-in does not give away:
- which usernames exist: an unknown username costs the same one hash as a
  known one, and fails with the same answer;
- the password: it is never stored, logged or audited, only its hash;
- a way to guess on and on: 5 failures within 15 minutes lock the account
  for 15 minutes, recorded in the store, so the lock holds on every app
  server at once and across restarts.

The role's scope (which schools, subjects, year groups, tutor groups or
classes an account sees) is kept here; enforcing it belongs to the data layer.
"""
from __future__ import annotations

import json
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from argon2 import PasswordHasher, extract_parameters, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from warehouse import staff_store
from warehouse.staff_store import StaffStore, iso, parse_iso, utc_now


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    narrowed_by: str | None  # the scope field that says what this role sees (None: all of its schools)


ROLES: dict[str, Role] = {role.name: role for role in (
    Role("data_manager", "Data manager", None),          # everything, and the imports
    Role("senior_leader", "Senior leader", None),        # every pupil
    Role("subject_leader", "Subject leader", "subjects"),
    Role("head_of_year", "Head of year", "year_groups"),
    Role("tutor", "Tutor", "tutor_groups"),
    Role("teacher", "Teacher", "classes"),
)}
SCOPE_FIELDS = ("schools", "subjects", "year_groups", "tutor_groups", "classes")

# The policy. Length is what makes a password strong; rules about character
# classes mostly make people write them down (NCSC and NIST SP 800-63B agree).
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024          # far beyond any real password; refuses megabytes posted at the form
MAX_FAILED_ATTEMPTS = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

# Lower case letters, digits and . _ - @ (so an email address will do), starting
# and ending with a letter or digit: nothing that means anything to SQL, a shell
# or a file system, and one spelling per person (usernames are taken in lower case).
USERNAME_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9._@-]{0,62}[a-z0-9])?")
MAX_USERNAME_LENGTH = 64
MAX_DISPLAY_NAME_LENGTH = 100
MAX_SCOPE_VALUE_LENGTH = 40          # "11X/Ma4", "S001", "MA4": codes, not essays
MAX_SCOPE_VALUES = 200               # per field: a big trust's schools, a head of faculty's classes
YEAR_GROUPS = range(0, 15)           # Reception (0) to Year 14

# One-time passwords: 16 characters from an alphabet with no look-alikes (no 0/o, 1/l/i),
# in groups of four to read out over the phone: about 79 bits.
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


# What _change may set (the names of the account table's columns, written here, not taken from input).
CHANGEABLE_COLUMNS = frozenset({"role", "scope", "disabled", "password_hash", "must_change_password",
                                "password_changed_on", "locked_until", "failed_attempts", "first_failed_at"})


class AccountError(ValueError):
    """Input an account cannot take, or an account that is not there; the message says which."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    schools: tuple[str, ...] | None      # None: all the trust's schools
    subjects: tuple[str, ...]
    year_groups: tuple[int, ...]
    tutor_groups: tuple[str, ...]
    classes: tuple[str, ...]
    disabled: bool
    must_change_password: bool           # after a reset, or an account made with a password someone else chose
    created_on: str                      # UTC, ISO 8601
    password_changed_on: str
    locked_until: str | None = None      # a lock from failed sign-ins; in the past means none

    @property
    def role_label(self) -> str:
        return ROLES[self.role].label

    def scope(self) -> dict:
        return {name: (list(value) if value is not None else None)
                for name in SCOPE_FIELDS for value in [getattr(self, name)]}

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and parse_iso(self.locked_until) > now


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the account, or why not (for the audit log and the
    data manager; a sign-in form should not tell a stranger more than 'not signed in')."""
    account: Account | None
    reason: str | None = None


@dataclass(frozen=True)
class _Checked:
    account: Account | None
    reason: str | None
    rehashed: bool


def _refusal(row: sqlite3.Row | None, now: datetime, password_ok: bool) -> str | None:
    """Why an account may not sign in now, whatever the password; None if it may try."""
    if row is None:
        return "unknown username"
    if row["disabled"]:
        return "disabled"
    if row["locked_until"] and parse_iso(row["locked_until"]) > now:
        return "locked"
    if not password_ok:
        return "wrong password"
    return None


def default_hasher() -> PasswordHasher:
    """Argon2id with RFC 9106's second recommended profile: 64 MiB, 3 passes, 4 lanes.

    Named here rather than left to the library's defaults, so that raising it is a
    decision: hashes made with older parameters are upgraded at their next sign-in.
    """
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


class Accounts:
    """The accounts in one staff store. Cheap to make; safe to use from several threads and processes."""

    def __init__(self, store: StaffStore | None = None, *, hasher: PasswordHasher | None = None,
                 clock: Callable[[], datetime] = utc_now):
        self.store = store or StaffStore.for_settings()
        self.hasher = hasher or default_hasher()
        self.clock = clock  # injected by tests: a lockout is tested without waiting 15 minutes
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    # --- reading ------------------------------------------------------------------------------

    def get(self, username: str) -> Account | None:
        name = _known_form(username)
        if name is None:
            return None
        with self.store.reading() as con:
            row = con.execute("select * from account where username = ?", (name,)).fetchone()
        return _account(row) if row else None

    def list(self) -> list[Account]:
        with self.store.reading() as con:
            return [_account(row) for row in con.execute("select * from account order by username")]

    # --- signing in -----------------------------------------------------------------------------

    def verify(self, username: str, password: str, *, source: str | None = None) -> Account | None:
        """The account if the password is right and the account may sign in now; else None."""
        return self.sign_in(username, password, source=source).account

    def sign_in(self, username: str, password: str, *, source: str | None = None) -> SignIn:
        """verify() with the reason for a refusal. `source` (e.g. the app server or client) goes to the audit log."""
        checked = self._authenticate(username, password, during="sign in", source=source)
        if checked.account is None:
            return SignIn(None, checked.reason)
        with self.store.transaction() as con:
            staff_store.record(con, checked.account.username, "sign_in", checked.account.username, None,
                               _detail(source, rehashed=checked.rehashed), at=self.clock())
        return SignIn(checked.account)

    def _authenticate(self, username, password, *, during: str, source: str | None) -> "_Checked":
        """Check a password with every rule that protects it; refusals are counted and audited here.

        Success is audited by the caller, which knows what it was for.
        """
        dummy = self._dummy_hash()  # made before looking, so the first unknown name costs no more than a known one
        now = self.clock()
        name = _known_form(username)
        row = None
        if name is not None:
            with self.store.reading() as con:
                row = con.execute("select * from account where username = ?", (name,)).fetchone()
        password_ok = isinstance(password, str) and len(password) <= MAX_PASSWORD_LENGTH
        reason = _refusal(row, now, password_ok)
        if reason is not None:
            # The hash every attempt costs, on a hash that matches nothing.
            self._matches(dummy, password if password_ok else "")
            return self._refuse(username, row, reason, during, source)
        if not self._matches(row["password_hash"], password):
            return self._refuse(username, row, "wrong password", during, source)
        return self._accept(username, row, password, during, source)

    def _accept(self, username, row: sqlite3.Row, password: str, during: str, source: str | None) -> "_Checked":
        """The password matched: clear the failure count, and upgrade a hash made with older
        parameters (the only moment the password is at hand), unless the account changed meanwhile."""
        new_hash = self.hasher.hash(password) if self.hasher.check_needs_rehash(row["password_hash"]) else None
        now = self.clock()
        with self.store.transaction() as con:
            current = con.execute("select * from account where username = ?", (row["username"],)).fetchone()
            # Disabled, locked or reset by someone else while the hash was being checked: the newer state wins.
            reason = _refusal(current, now, True)
            if reason is None and current["password_hash"] != row["password_hash"]:
                reason = "password changed meanwhile"
            if reason is None:
                con.execute("update account set failed_attempts = 0, first_failed_at = null, locked_until = null,"
                            " password_hash = ? where username = ?", (new_hash or row["password_hash"], row["username"]))
                account = _account(con.execute("select * from account where username = ?",
                                               (row["username"],)).fetchone())
        if reason is not None:
            return self._refuse(username, current, reason, during, source)
        return _Checked(account, None, new_hash is not None)

    def _refuse(self, username, row, reason: str, during: str, source: str | None) -> "_Checked":
        now = self.clock()
        with self.store.transaction() as con:
            detail = _detail(source, reason=reason)
            if during != "sign in":
                detail["during"] = during
            if reason == "wrong password":
                detail.update(self._count_failure(con, row["username"], now))
            staff_store.record(con, "anonymous", "sign_in_refused", _audit_name(username), None, detail, at=now)
        return _Checked(None, reason, False)

    def _count_failure(self, con: sqlite3.Connection, username: str, now: datetime) -> dict:
        """One more failure in the window; the fifth locks the account. Read and written under the
        write lock, so failures on several app servers at once are all counted."""
        row = con.execute("select failed_attempts, first_failed_at from account where username = ?",
                          (username,)).fetchone()
        if row is None:
            return {}
        attempts, first = row["failed_attempts"], row["first_failed_at"]
        if first is None or now - parse_iso(first) >= FAILURE_WINDOW:
            attempts, first = 0, iso(now)
        attempts += 1
        locked_until = None
        if attempts >= MAX_FAILED_ATTEMPTS:
            locked_until = iso(now + LOCKOUT)
            attempts, first = 0, None  # the lock takes over; after it, a fresh start
        con.execute("update account set failed_attempts = ?, first_failed_at = ?, locked_until = ? where username = ?",
                    (attempts, first, locked_until, username))
        return {"failures_in_window": attempts} if locked_until is None else {"locked_until": locked_until}

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _dummy_hash(self) -> str:
        with self._dummy_lock:
            if self._dummy is None:
                self._dummy = self.hasher.hash(secrets.token_urlsafe(24))
            return self._dummy

    # --- changing accounts (every change audited, old -> new) --------------------------------------

    def add(self, username: str, display_name: str, role: str, password: str, *, actor: str,
            schools: Iterable[str] | None = None, subjects: Iterable[str] = (), year_groups: Iterable[int] = (),
            tutor_groups: Iterable[str] = (), classes: Iterable[str] = (),
            must_change_password: bool = True) -> Account:
        """A new account. must_change_password (the default): someone other than its owner chose the password."""
        name = check_username(username)
        display_name = _check_display_name(display_name)
        role = check_role(role)
        scope = check_scope(schools=schools, subjects=subjects, year_groups=year_groups,
                            tutor_groups=tutor_groups, classes=classes)
        check_password(password, name)
        actor = _check_actor(actor)
        password_hash = self.hasher.hash(password)
        now = iso(self.clock())
        with self.store.transaction() as con:
            try:
                con.execute(
                    "insert into account (username, display_name, role, scope, password_hash, must_change_password,"
                    " created_on, password_changed_on) values (?, ?, ?, ?, ?, ?, ?, ?)",
                    (name, display_name, role, json.dumps(scope), password_hash, int(must_change_password), now, now))
            except sqlite3.IntegrityError:
                raise AccountError(f"there is already an account named {name!r}") from None
            account = _account(con.execute("select * from account where username = ?", (name,)).fetchone())
            staff_store.record(con, actor, "account.add", name, None, _public(account), at=self.clock())
        return account

    def set_role(self, username: str, role: str, *, actor: str) -> Account:
        return self._change(username, "account.role", {"role": check_role(role)}, actor)

    def set_scope(self, username: str, *, actor: str, schools: Iterable[str] | None = None,
                  subjects: Iterable[str] = (), year_groups: Iterable[int] = (), tutor_groups: Iterable[str] = (),
                  classes: Iterable[str] = ()) -> Account:
        """Replace the account's whole scope (what is not given is emptied; schools=None is all schools)."""
        scope = check_scope(schools=schools, subjects=subjects, year_groups=year_groups,
                            tutor_groups=tutor_groups, classes=classes)
        return self._change(username, "account.scope", {"scope": scope}, actor)

    def disable(self, username: str, *, actor: str) -> Account:
        return self._change(username, "account.disable", {"disabled": True}, actor)

    def enable(self, username: str, *, actor: str) -> Account:
        """Allow sign-in again; also lifts a lock from failed attempts (the data manager knows who asked)."""
        return self._change(username, "account.enable",
                            {"disabled": False, "locked_until": None, "failed_attempts": 0, "first_failed_at": None},
                            actor)

    def reset_password(self, username: str, *, actor: str) -> str:
        """A new one-time password, returned once and stored only as a hash; the old one stops working,
        and the owner must choose their own at the next sign-in. Also lifts a lock."""
        one_time = one_time_password()
        self._change(username, "account.reset_password",
                     {"password_hash": self.hasher.hash(one_time), "must_change_password": True,
                      "password_changed_on": iso(self.clock()), "locked_until": None, "failed_attempts": 0,
                      "first_failed_at": None}, actor)
        return one_time

    def change_password(self, username: str, current_password: str, new_password: str,
                        *, source: str | None = None) -> Account:
        """The owner's own change: the current password is checked like a sign-in (and counts towards the lock)."""
        name = check_username(username)
        check_password(new_password, name)
        if new_password == current_password:
            raise AccountError("the new password must be different from the current one")
        checked = self._authenticate(name, current_password, during="password change", source=source)
        if checked.account is None:
            raise AccountError("the current password is not right, or the account cannot sign in now")
        return self._change(name, "account.change_password",
                            {"password_hash": self.hasher.hash(new_password), "must_change_password": False,
                             "password_changed_on": iso(self.clock())}, actor=name)

    def _change(self, username: str, action: str, values: dict, actor: str) -> Account:
        """Set columns of one account and audit what changed. `values` keys are column names
        written in this module (never user input); the password hash is never audited."""
        name = check_username(username)
        actor = _check_actor(actor)
        with self.store.transaction() as con:
            row = con.execute("select * from account where username = ?", (name,)).fetchone()
            if row is None:
                raise AccountError(f"there is no account named {name!r}")
            stored = {column: (json.loads(row[column]) if column == "scope" else row[column]) for column in values}
            wanted = {column: (int(value) if isinstance(value, bool) else value) for column, value in values.items()}
            if stored == wanted:
                return _account(row)  # nothing to change, nothing to audit
            # Column names cannot be bound: they come from CHANGEABLE_COLUMNS only, never from input.
            if not set(values) <= CHANGEABLE_COLUMNS:
                raise ValueError(f"not a column _change may set: {sorted(set(values) - CHANGEABLE_COLUMNS)}")
            assignments = ", ".join(f"{column} = ?" for column in values)
            con.execute("update account set " + assignments + " where username = ?",
                        [json.dumps(v) if c == "scope" else v for c, v in wanted.items()] + [name])
            changed = [c for c in values if stored[c] != wanted[c] and c != "password_hash"]
            staff_store.record(con, actor, action, name,
                               {c: _readable(c, stored[c]) for c in changed},
                               {c: _readable(c, wanted[c]) for c in changed}, at=self.clock())
            return _account(con.execute("select * from account where username = ?", (name,)).fetchone())

    @classmethod
    def default(cls) -> "Accounts":
        return cls(StaffStore.for_settings())


def one_time_password() -> str:
    """16 characters from ONE_TIME_ALPHABET by `secrets`, e.g. 'k7mq-x2rd-9fth-pw3c'."""
    return "-".join("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4))


def describe_scope(account: Account) -> str:
    """The scope in words, e.g. 'all schools; year groups 10, 11'."""
    parts = ["all schools" if account.schools is None else
             ("no school" if not account.schools else "schools " + ", ".join(account.schools))]
    for field, words in (("subjects", "subjects"), ("year_groups", "year groups"),
                         ("tutor_groups", "tutor groups"), ("classes", "classes")):
        values = getattr(account, field)
        if values:
            parts.append(f"{words} " + ", ".join(map(str, values)))
    return "; ".join(parts)


def scope_gap(account: Account) -> str | None:
    """A warning when the role is narrowed by a field the account leaves empty (it would see no pupils)."""
    field = ROLES[account.role].narrowed_by
    if field and not getattr(account, field):
        return (f"a {account.role_label.lower()} with no {field.replace('_', ' ')} sees no pupils; "
                f"give them with `python -m warehouse users scope {account.username} ...`")
    return None


# --- validation: every refusal says what to do instead ------------------------------------------

def check_username(username) -> str:
    """The username as stored (lower case), or AccountError."""
    if not isinstance(username, str):
        raise AccountError("a username must be text")
    name = username.strip().lower()
    if not name:
        raise AccountError("a username is needed")
    if len(name) > MAX_USERNAME_LENGTH:
        raise AccountError(f"a username has at most {MAX_USERNAME_LENGTH} characters (this one has {len(name)})")
    if not USERNAME_PATTERN.fullmatch(name):
        raise AccountError(f"{name!r} is not a username: use letters, digits and . _ - @, "
                           "starting and ending with a letter or digit")
    return name


def _known_form(username) -> str | None:
    try:
        return check_username(username)
    except AccountError:
        return None


def check_role(role) -> str:
    if not isinstance(role, str) or role not in ROLES:
        shown = repr(role) if isinstance(role, str) and len(role) <= 40 else "that"
        raise AccountError(f"{shown} is not a role: use one of {', '.join(ROLES)}")
    return role


def check_password(password, username: str) -> None:
    """The policy: at least 12 characters, at most 1,024, and not the username."""
    if not isinstance(password, str):
        raise AccountError("a password must be text")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters "
                           f"(this one has {len(password)}); a few words together make a good one")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == username.strip().lower():
        raise AccountError("a password must not be the username")


def check_scope(*, schools: Iterable[str] | None, subjects: Iterable[str] = (), year_groups: Iterable[int] = (),
                tutor_groups: Iterable[str] = (), classes: Iterable[str] = ()) -> dict:
    """The scope as stored: each field a list of distinct values in the order given (schools: None = all)."""
    return {
        "schools": None if schools is None else _codes(schools, "school"),
        "subjects": _codes(subjects, "subject"),
        "year_groups": _year_groups(year_groups),
        "tutor_groups": _codes(tutor_groups, "tutor group"),
        "classes": _codes(classes, "class"),
    }


def _values(values, what: str) -> list:
    plural = "classes" if what == "class" else what + "s"
    if isinstance(values, (str, bytes)):
        raise AccountError(f"give the {plural} as a list, not one string")
    if values is None:
        return []
    try:
        values = iter(values)
    except TypeError:
        raise AccountError(f"give the {plural} as a list") from None
    listed = []
    for value in values:
        listed.append(value)
        if len(listed) > MAX_SCOPE_VALUES:
            raise AccountError(f"at most {MAX_SCOPE_VALUES} {plural} in one account's scope")
    return listed


def _codes(values, what: str) -> list[str]:
    codes: list[str] = []
    for value in _values(values, what):
        code = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if not code:
            raise AccountError(f"a {what} must be a code such as {_EXAMPLES[what]}")
        if len(code) > MAX_SCOPE_VALUE_LENGTH:
            raise AccountError(f"a {what} code has at most {MAX_SCOPE_VALUE_LENGTH} characters "
                               f"(one given has {len(code)})")
        if not code.isprintable():
            raise AccountError(f"the {what} {code!r} holds a control character")
        if code not in codes:
            codes.append(code)
    return codes


_EXAMPLES = {"school": "S001", "subject": "MA", "tutor group": "10B", "class": "11X/Ma4"}


def _year_groups(values) -> list[int]:
    years: list[int] = []
    for value in _values(values, "year group"):
        try:
            year = int(value) if not isinstance(value, (bool, float)) and len(str(value)) <= 3 else None
        except (TypeError, ValueError):
            year = None
        if year is None or year not in YEAR_GROUPS:
            shown = repr(value) if len(str(value)) <= 20 else "a value"
            raise AccountError(f"{shown} is not a year group: use a number from "
                               f"{YEAR_GROUPS.start} (Reception) to {YEAR_GROUPS.stop - 1}")
        if year not in years:
            years.append(year)
    return years


def _check_display_name(display_name) -> str:
    if not isinstance(display_name, str) or not display_name.strip():
        raise AccountError("a display name is needed (the name colleagues know the person by)")
    name = " ".join(display_name.split())
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(f"a display name has at most {MAX_DISPLAY_NAME_LENGTH} characters")
    if not name.isprintable():
        raise AccountError("a display name must not hold control characters")
    return name


def _check_actor(actor) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise AccountError("who made the change (actor) is needed for the audit log")
    return actor.strip()


# --- rows and audit details ------------------------------------------------------------------

def _account(row: sqlite3.Row) -> Account:
    scope = json.loads(row["scope"])
    return Account(
        username=row["username"], display_name=row["display_name"], role=row["role"],
        schools=None if scope.get("schools") is None else tuple(scope["schools"]),
        subjects=tuple(scope.get("subjects", ())), year_groups=tuple(scope.get("year_groups", ())),
        tutor_groups=tuple(scope.get("tutor_groups", ())), classes=tuple(scope.get("classes", ())),
        disabled=bool(row["disabled"]), must_change_password=bool(row["must_change_password"]),
        created_on=row["created_on"], password_changed_on=row["password_changed_on"],
        locked_until=row["locked_until"])


def _public(account: Account) -> dict:
    """An account as the audit log shows it: never a hash."""
    return {"display_name": account.display_name, "role": account.role, "scope": account.scope(),
            "disabled": account.disabled, "must_change_password": account.must_change_password}


def _readable(column: str, value):
    return bool(value) if column in ("disabled", "must_change_password") else value


def _detail(source: str | None, **values) -> dict:
    detail = {k: v for k, v in values.items() if v}
    if source:
        detail["source"] = str(source)[:200]
    return detail


def _audit_name(username) -> str:
    """Who a sign-in was for, as the audit log keeps it. A string that is no username
    (a password typed into the wrong box, a probe, 10,000 characters) is not kept, only its length."""
    name = _known_form(username)
    if name is not None:
        return name
    return f"<not a username: {len(username) if isinstance(username, str) else type(username).__name__}" + (
        " characters>" if isinstance(username, str) else ">")


def hash_parameters(password_hash: str) -> dict:
    """The Argon2 variant and cost a stored hash was made with (for docs and tests; never the hash itself)."""
    parameters = extract_parameters(password_hash)
    return {"type": parameters.type.name, "time_cost": parameters.time_cost,
            "memory_cost_kib": parameters.memory_cost, "parallelism": parameters.parallelism,
            "hash_len": parameters.hash_len, "salt_len": parameters.salt_len}
