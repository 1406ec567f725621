"""Signing in: who the viewer is, for how long, and the demo's sign-in without a password.

The signed-in viewer lives in this browser session's state only (`st.session_state`),
set here and nowhere else: no URL or widget can set it. It expires after a spell
of idleness and after a working day at most. Where it came from is audited
(warehouse/accounts.py records every sign-in attempt).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import streamlit as st

from pages.common import quiet_run, use_the_router
from warehouse.accounts import MIN_PASSWORD_LENGTH, ROLES, Account, AccountError, Accounts

VIEWER = "viewer"
MUST_CHANGE = "must_change_password"   # the username, between the sign-in and a new password
IDLE_SECONDS = 60 * 60          # signed out after an hour without a click
LONGEST_SECONDS = 12 * 60 * 60   # and after twelve hours whatever happens


@dataclass(frozen=True)
class Viewer:
    account: Account
    signed_in_at: float
    last_seen: float
    demo: bool = False            # a role picked on the demo school, without a password

    @property
    def role(self) -> str:
        return self.account.role


def signed_in() -> Viewer | None:
    """The viewer of this session, or None; an expired session is ended here (with a message)."""
    viewer = st.session_state.get(VIEWER)
    if not isinstance(viewer, Viewer):
        return _from_identity_provider()
    now = time.time()
    if now - viewer.last_seen > IDLE_SECONDS or now - viewer.signed_in_at > LONGEST_SECONDS:
        sign_out("Your session has ended: sign in again.")
        return None
    viewer = replace(viewer, last_seen=now)
    st.session_state[VIEWER] = viewer
    return viewer


def sign_out(message: str | None = None) -> None:
    viewer = st.session_state.get(VIEWER)
    st.session_state.clear()
    if message:
        st.session_state["sign_in_message"] = message
    if identity_provider_configured() and viewer is not None and st.user.is_logged_in:
        st.logout()   # ends the identity provider's cookie too, or the next rerun would sign in again


def render_sign_out() -> None:
    """The navigation's last entry: ends the session, and back to the sign-in."""
    sign_out("Signed out.")
    st.rerun()


def identity_provider_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section: the school's identity provider (OIDC)."""
    from streamlit.auth_util import get_secrets_auth_section

    try:
        return bool(get_secrets_auth_section())
    except Exception:   # no secrets file at all
        return False


def account_for_identity(email: str | None, accounts: Accounts) -> Account | None:
    """The account whose username is the identity provider's e-mail address (in lower case), if it may
    sign in. The provider proves who someone is; the account says what they may see."""
    if not email:
        return None
    try:
        account = accounts.get(email.strip().lower())
    except AccountError:
        return None
    return account if account is not None and not account.disabled else None


def _from_identity_provider() -> Viewer | None:
    if not identity_provider_configured() or not st.user.is_logged_in:
        return None
    from warehouse import staff_store

    accounts = Accounts.default()
    account = account_for_identity(st.user.get("email"), accounts)
    staff_store.record(accounts.store, account.username if account else "anonymous",
                       "sign_in" if account else "sign_in_refused", str(st.user.get("email")),
                       None, {"source": "identity provider"} | ({} if account else {"reason": "no account"}))
    if account is None:
        st.session_state["sign_in_message"] = (
            f"{st.user.get('email')} has no account in the tracker: ask your data manager for one.")
        st.logout()
        return None
    now = time.time()
    viewer = Viewer(account, signed_in_at=now, last_seen=now)
    st.session_state[VIEWER] = viewer
    return viewer


def demo_available() -> bool:
    """The demo's sign-in without a password: only when every batch in the warehouse came from
    `python -m warehouse demo`. A warehouse with a single real import never offers it."""
    run = quiet_run()
    if run is None:
        return False
    return bool(run("demo_warehouse")["all_demo"].iloc[0])


def demo_account(role: str, run) -> Account:
    """A made-up account of this role on the demo school, with a scope taken from its data."""
    scope = {"schools": None, "subjects": (), "year_groups": (), "tutor_groups": (), "classes": ()}
    examples = run("demo_scope_example")
    if role in ("head_of_year", "tutor", "teacher", "subject_leader") and not examples.empty:
        example = examples.iloc[0]   # (a school without classes gives none: the role then sees no pupils)
        scope.update({"head_of_year": {"year_groups": (int(example.year_group),)},
                      "tutor": {"tutor_groups": (example.tutor_group,)},
                      "teacher": {"classes": (example.class_code,)},
                      "subject_leader": {"subjects": (example.subject_code,)}}[role])
    return Account(username=f"demo-{role.replace('_', '-')}", display_name=f"Demo {ROLES[role].label.lower()}",
                   role=role, disabled=False, must_change_password=False, created_on="", password_changed_on="",
                   **scope)


def render_sign_in() -> None:
    """The page shown to a visitor who is not signed in."""
    use_the_router()
    if MUST_CHANGE in st.session_state:
        render_new_password()
        return
    st.title("Pupil progress tracker")
    if message := st.session_state.pop("sign_in_message", None):
        st.info(message)
    if demo_available():
        _demo_sign_in()
        return
    if identity_provider_configured():
        st.button("Sign in with your school account", type="primary", icon=":material/badge:", on_click=st.login)
        st.caption("Or with a tracker account:")
    with st.form("sign_in"):
        st.subheader("Sign in")
        username = st.text_input("Username", max_chars=64, key="sign_in_username")
        password = st.text_input("Password", type="password", max_chars=1024, key="sign_in_password")
        pressed = st.form_submit_button("Sign in", type="primary", key="sign_in_submit")
    if pressed:
        try:
            outcome = Accounts.default().sign_in(username, password, source="app")
        except AccountError:
            outcome = None
        if outcome is None or outcome.account is None:
            # The same answer whatever went wrong: a stranger learns nothing about which accounts exist.
            st.error("Not signed in: the username or password is not right, or the account cannot sign in now. "
                     "Your data manager can help.")
            return
        st.session_state.clear()
        if outcome.account.must_change_password:
            # Someone else chose this password (a new account, a reset): its owner chooses theirs first.
            st.session_state[MUST_CHANGE] = outcome.account.username
        else:
            now = time.time()
            st.session_state[VIEWER] = Viewer(outcome.account, signed_in_at=now, last_seen=now)
        st.rerun()


def render_new_password() -> None:
    """After a sign-in with a password someone else chose: the owner chooses their own."""
    username = st.session_state[MUST_CHANGE]
    st.title("Choose your password")
    st.caption(f"Signed in as {username}, with a password your data manager chose. Choose your own: "
               f"at least {MIN_PASSWORD_LENGTH} characters (a few words make a good one).")
    with st.form("new_password"):
        current = st.text_input("Password you were given", type="password", max_chars=1024,
                                key="new_password_current")
        new = st.text_input("New password", type="password", max_chars=1024, key="new_password_new")
        again = st.text_input("New password again", type="password", max_chars=1024, key="new_password_again")
        pressed = st.form_submit_button("Save and continue", type="primary", key="new_password_submit")
    if not pressed:
        return
    if new != again:
        st.error("The two new passwords are not the same.")
        return
    try:
        account = Accounts.default().change_password(username, current, new, source="app")
    except AccountError as refusal:
        st.error(f"Not changed: {refusal}.")
        return
    now = time.time()
    st.session_state.clear()
    st.session_state[VIEWER] = Viewer(account, signed_in_at=now, last_seen=now)
    st.rerun()


def _demo_sign_in() -> None:
    st.warning("**Demo school.** Every pupil here is made up. Pick a role to see the tracker as it would "
               "show to them; on a school's real data this choice is never offered, and everyone signs in.",
               icon=":material/science:")
    role = st.selectbox("See the tracker as", list(ROLES), format_func=lambda r: ROLES[r].label,
                        key="demo_role")
    if st.button("Open the demo", type="primary", key="demo_open"):
        now = time.time()
        account = demo_account(role, quiet_run())
        st.session_state.clear()
        st.session_state[VIEWER] = Viewer(account, signed_in_at=now, last_seen=now, demo=True)
        st.rerun()
