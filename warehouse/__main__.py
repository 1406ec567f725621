"""Command line: python -m warehouse ingest | status | demo | rebuild | users.

Exit codes: 0 everything loaded; 1 a file was rejected or the run failed
(nothing of that file, or of the run, was loaded); 2 some rows were
quarantined (the rest loaded; see `status` or the Data quality page).
`users`: 0 done; 2 bad input, with a one-line message saying what.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from warehouse.config import SettingError, load_settings
from warehouse.formats import GRADE_TYPES, KINDS
from warehouse.scales import ScaleConfigError
from warehouse.transform import DataTestFailed
from warehouse.store import Store, WarehouseBusy

EXIT_OK, EXIT_FAILED, EXIT_QUARANTINED = 0, 1, 2
EXIT_BAD_INPUT = 2
# A background rebuild waits this long for a running import (a trust's takes minutes).
BACKGROUND_WAIT_SECONDS = 3600
# An import's CPU priority below the dashboard's (0 is the default, 19 the lowest).
IMPORT_NICENESS = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m warehouse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="validate and load MIS export files or folders")
    ingest.add_argument("paths", nargs="+", type=Path, help="files (.csv, .xlsx) or folders of them")
    ingest.add_argument("--kind", choices=sorted(KINDS), help="the kind of export (default: from the headings)")
    ingest.add_argument("--school", help="school code for files without a school column")
    ingest.add_argument("--academic-year", help="academic year (e.g. 2025/26) for files without one")
    ingest.add_argument("--assessment-point", help="the drop a marksheet or assessments file is for")
    ingest.add_argument("--grade-type", choices=GRADE_TYPES, help="the grade type of a marksheet")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")

    status = commands.add_parser("status", help="what the warehouse holds: batches, counts, quarantine")
    status.add_argument("--json", action="store_true", help="print as JSON, for scripts")

    demo = commands.add_parser("demo", help="write the demo school's exports and load them")
    demo.add_argument("--schools", type=int, default=1, help="a trust of N schools (for benchmarks)")
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--out", type=Path, help="where to write the exports (default: <data dir>/demo_exports)")
    demo.add_argument("--force", action="store_true", help="load even if the warehouse already has data")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")

    rebuild = commands.add_parser("rebuild", help="recompute the measures with the settings now in tracker.toml")
    rebuild.add_argument("--if-behind", action="store_true",
                         help="only if targets were set in the tracker since the warehouse was built; waits "
                              "for a running import (how the app brings the measures up to date)")

    _add_users_parser(commands)

    args = parser.parse_args(argv)
    try:
        if args.command == "users":
            return _users(args)
        if args.command == "ingest":
            return _ingest(args)
        if args.command == "status":
            return _status(args)
        if args.command == "rebuild":
            return _rebuild(args.if_behind)
        return _demo(args)
    except (WarehouseBusy, SettingError, ScaleConfigError, DataTestFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED


def _rebuild(if_behind: bool = False) -> int:
    """A new snapshot with every model rebuilt: how a changed setting or scale, or a target set in
    the tracker, takes effect."""
    from warehouse import staff_records, transform

    store = Store.default()
    if store.current_snapshot() is None:
        print("The warehouse is empty: nothing to rebuild.", file=sys.stderr)
        return EXIT_FAILED
    with store.writer(wait_seconds=BACKGROUND_WAIT_SECONDS if if_behind else 0) as writer:
        # Looked at under the lock: of several rebuilds queued behind an import, the first does the work.
        if if_behind and not staff_records.build_is_behind(writer.con, store.settings):
            print("The measures already include every target set in the tracker.")
            return EXIT_OK
        transform.build(writer.con, store.settings)
        writer.changed = True
    print(f"Measures rebuilt with the settings in force. Warehouse snapshot: {writer.published.name}")
    return EXIT_OK


def _ingest(args) -> int:
    from warehouse.ingest import IngestOptions, expand_paths, ingest  # imports Great Expectations: only here

    options = IngestOptions(kind=args.kind, school=args.school, academic_year=args.academic_year,
                            assessment_point=args.assessment_point, grade_type=args.grade_type)
    files = expand_paths(args.paths)
    if not files:
        print("error: no export files (.csv, .xlsx) found in " + ", ".join(map(str, args.paths)), file=sys.stderr)
        return EXIT_FAILED
    report = _run_with_progress(ingest, files, options, None, quiet=args.quiet or args.json)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        _print_report(report)
    return _exit_code(report)


def _run_with_progress(ingest, files, options, per_file_options, quiet: bool):
    from tqdm import tqdm

    with tqdm(total=len(files), unit="file", disable=quiet, file=sys.stderr) as bar:
        def advance(result):
            bar.set_postfix_str(f"{result.path.name}: {result.status}", refresh=False)
            bar.update(1)
        return ingest(files, options, per_file_options=per_file_options, on_file=advance)


def _print_report(report) -> None:
    for result in report.files:
        mark = {"loaded": "ok", "unchanged": "--", "rejected": "REJECTED"}[result.status]
        print(f"[{mark}] {result.message}")
        for issue in result.issues:
            value = "" if issue["value"] is None else f" {issue['value']!r}"
            print(f"       row {issue['row']}, column {issue['column']}:{value} {issue['reason']}")
        if result.rows_quarantined > len(result.issues):
            print(f"       … see `python -m warehouse status` or the Data quality page for all of them")
    loaded = sum(f.rows_loaded for f in report.files)
    print(f"{loaded} rows loaded, {report.rows_quarantined} quarantined, {len(report.rejected)} file(s) rejected."
          + (f" Warehouse snapshot: {report.snapshot.name}" if report.snapshot else " Warehouse unchanged."))


def _exit_code(report) -> int:
    if report.rejected:
        return EXIT_FAILED
    return EXIT_QUARANTINED if report.rows_quarantined else EXIT_OK


def _status(args) -> int:
    from warehouse.data import EmptyWarehouse, WarehouseReader

    reader = WarehouseReader(Store(load_settings()))
    try:
        batches = reader.run("batches")
        summary = reader.run("school_summary")
        quarantine = reader.run("quarantine", batch_id=None)
    except EmptyWarehouse as empty:
        if args.json:
            print(json.dumps({"snapshot": None, "batches": [], "schools": [], "quarantine": []}))
        else:
            print(str(empty))
        return EXIT_OK
    snapshot = reader.snapshot()
    if args.json:
        print(json.dumps({
            "snapshot": str(snapshot),
            "schools": summary.to_dict("records"),
            "batches": batches.drop(columns=["file_hash"]).to_dict("records"),
            "quarantine": quarantine.drop(columns=["record"]).to_dict("records"),
        }, indent=2, default=str))
        return EXIT_OK
    print(f"Warehouse: {snapshot}")
    print(summary.to_string(index=False))
    print(f"\n{len(batches)} batch(es), newest first:")
    print(batches[["batch_id", "file_name", "kind", "status", "rows_read", "rows_loaded",
                   "rows_quarantined"]].head(30).to_string(index=False))
    print(f"\n{len(quarantine)} quarantined value(s):")
    if len(quarantine):
        print(quarantine[["batch_id", "file_name", "row_number", "column_name", "value", "reason"]]
              .head(30).to_string(index=False))
    return EXIT_OK


def _demo(args) -> int:
    from warehouse.demo import generate
    from warehouse.ingest import IngestOptions, ingest

    store = Store(load_settings())
    if store.current_snapshot() is not None and not args.force:
        print(f"The warehouse in {store.data_dir} already has data; the demo was not loaded again "
              "(use --force to load it anyway).")
        return EXIT_OK
    out = args.out or store.data_dir / "demo_exports"
    print(f"Writing the demo exports of {args.schools} school(s) to {out} …", file=sys.stderr)
    files = generate(out, schools=args.schools, seed=args.seed)
    per_file = {
        f.path: IngestOptions(kind=f.kind, school=f.school_code, academic_year=f.academic_year,
                              assessment_point=f.assessment_point, grade_type=f.grade_type, demo=True)
        for f in files
    }
    report = _run_with_progress(ingest, [f.path for f in files], IngestOptions(demo=True), per_file,
                                quiet=args.quiet)
    _print_report(report)
    if report.rejected:
        return EXIT_FAILED
    if report.rows_quarantined:
        print("The quarantined rows are the demo's deliberate mistakes (a mistyped UPN, a grade off the scale, …): "
              "see them on the dashboard's Data quality page.")
    return EXIT_OK


def _add_users_parser(commands) -> None:
    from warehouse.accounts import ROLES

    users = commands.add_parser("users", help="local accounts: add, role, scope, disable, enable, reset, list",
                                description="Local accounts, kept in <data dir>/staff/staff.sqlite. Every change "
                                            "is written to the audit log as made by cli:<your OS user>.")
    actions = users.add_subparsers(dest="users_command", required=True)
    roles = ", ".join(ROLES)

    def scope_flags(command) -> None:
        command.add_argument("--school", action="append", dest="schools", metavar="CODE",
                             help="a school the account sees (repeat for more; default: all the trust's schools)")
        command.add_argument("--subject", action="append", dest="subjects", default=[], metavar="CODE",
                             help="a subject code (a subject leader's subjects)")
        command.add_argument("--year", action="append", dest="year_groups", default=[], metavar="N",
                             help="a year group (a head of year's years)")
        command.add_argument("--tutor-group", action="append", dest="tutor_groups", default=[], metavar="G",
                             help="a tutor group (a tutor's)")
        command.add_argument("--class", action="append", dest="classes", default=[], metavar="C",
                             help="a class code, e.g. 11X/Ma4 (a teacher's classes)")

    add = actions.add_parser("add", help="a new account (the password is asked for, never given as an argument)")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name colleagues know the person by")
    add.add_argument("--role", required=True, help=f"one of: {roles}")
    scope_flags(add)
    password = add.add_mutually_exclusive_group()
    password.add_argument("--password-stdin", action="store_true",
                          help="read the password from the first line of standard input (for scripts)")
    password.add_argument("--one-time-password", action="store_true",
                          help="make a one-time password and print it, to hand to the person")
    add.add_argument("--keep-password", action="store_true",
                     help="the person chose this password themselves: do not ask for a new one at first sign-in")

    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("username")
    role.add_argument("role", help=f"one of: {roles}")

    scope = actions.add_parser("scope", help="replace an account's scope (flags not given are emptied)")
    scope.add_argument("username")
    scope_flags(scope)

    for name, text in (("disable", "stop an account signing in (its history stays)"),
                       ("enable", "let a disabled or locked-out account sign in again"),
                       ("reset", "replace the password with a one-time password, printed once")):
        actions.add_parser(name, help=text).add_argument("username")
    actions.add_parser("list", help="every account: username, name, role, scope, disabled (never a password hash)")


def _users(args) -> int:
    import sqlite3

    from warehouse.accounts import (AccountError, Accounts, check_role, check_scope, check_username, describe_scope,
                                    one_time_password, scope_gap)
    from warehouse.staff_store import StaffStoreError

    accounts = Accounts.default()
    actor = f"cli:{_os_user()}"
    command = args.users_command
    try:
        if command == "list":
            print(_accounts_table(accounts.list(), accounts.clock()))
            return EXIT_OK
        if command == "add":
            if args.one_time_password and args.keep_password:
                raise AccountError("--keep-password is for a password the person chose, not a one-time one")
            # Everything else first: nobody should type a password only to hear the username was wrong.
            check_role(args.role)
            check_scope(**_scope_args(args))
            if accounts.get(check_username(args.username)) is not None:
                raise AccountError(f"there is already an account named {check_username(args.username)!r}")
            password = one_time_password() if args.one_time_password else _read_password(args)
            account = accounts.add(args.username, args.name, args.role, password, actor=actor,
                                   must_change_password=not args.keep_password, **_scope_args(args))
            print(f"Added {account.username}: {account.display_name}, {account.role_label}, "
                  f"{describe_scope(account)}.")
            if args.one_time_password:
                print(f"One-time password: {password} (to be changed at the first sign-in)")
        elif command == "role":
            account = accounts.set_role(args.username, args.role, actor=actor)
            print(f"{account.username} is now: {account.role_label}.")
        elif command == "scope":
            account = accounts.set_scope(args.username, actor=actor, **_scope_args(args))
            print(f"{account.username} now sees: {describe_scope(account)}.")
        elif command == "disable":
            account = accounts.disable(args.username, actor=actor)
            print(f"{account.username} can no longer sign in.")
        elif command == "enable":
            account = accounts.enable(args.username, actor=actor)
            print(f"{account.username} can sign in again.")
        else:
            one_time = accounts.reset_password(args.username, actor=actor)
            account = accounts.get(args.username)
            print(f"One-time password for {account.username}: {one_time}")
            print("Give it to them in person or by phone; they choose their own at the first sign-in.")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (sqlite3.Error, StaffStoreError, OSError) as error:
        print(f"error: the staff store {accounts.store.path}: {error}", file=sys.stderr)
        return EXIT_FAILED
    if command in ("add", "role", "scope") and (gap := scope_gap(account)):
        print(f"note: {gap}", file=sys.stderr)
    return EXIT_OK


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment or the password database (e.g. a container)
        import os
        return f"uid {os.getuid()}"


def _read_password(args) -> str:
    """From standard input's first line (scripts), or asked twice without echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    from warehouse.accounts import AccountError

    first = getpass.getpass(f"Password for {args.username} (at least 12 characters): ")
    if getpass.getpass("The same again: ") != first:
        raise AccountError("the two passwords differ; nothing was changed")
    return first


def _scope_args(args) -> dict:
    return {"schools": args.schools, "subjects": args.subjects, "year_groups": args.year_groups,
            "tutor_groups": args.tutor_groups, "classes": args.classes}


def _accounts_table(accounts, now) -> str:
    from warehouse.accounts import describe_scope

    if not accounts:
        return "No accounts yet: add one with `python -m warehouse users add USERNAME --name ... --role ...`."
    header = ("username", "name", "role", "scope", "disabled")
    rows = [(a.username, a.display_name, a.role, describe_scope(a),
             "yes" if a.disabled else ("locked" if a.is_locked(now) else "no")) for a in accounts]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header, *rows]]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def behind_the_dashboard(argv: list[str]) -> None:
    """An import or rebuild run as a command gives way to the dashboard when they share a server: it takes
    longer while people are at work (it has the cores to itself otherwise), and their pages stay quick.
    (As a command only: main() is also called in-process, by the tests.)"""
    if argv and argv[0] in ("ingest", "rebuild", "demo"):
        os.nice(IMPORT_NICENESS)


if __name__ == "__main__":
    behind_the_dashboard(sys.argv[1:])
    sys.exit(main())
