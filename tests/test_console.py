"""The SQL console: hostile queries refused with a clear message, runaway queries stopped without holding
anyone else up, and no row outside the viewer's scope, for every role (docs/security.md lists the same inputs)."""
from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest

from tests.pages import account, open_page
from warehouse import console, staff_store
from warehouse.access import pages_for, scope_for
from warehouse.config import load_settings
from warehouse.console import ConsoleLimits, available_tables, run_console_query
from warehouse.console_worker import REFERENCE_TABLES
from warehouse.data import WarehouseReader
from warehouse.store import Store
from warehouse.view import Scope

QUICK = ConsoleLimits(time_seconds=4)
SCHOOL_ONE = Scope(schools=("S001",))
# Two schools: U-pupils at S001, V-pupils at S002; each pupil has maths and English rows.
PUPILS = {"U1": "S001", "U2": "S001", "U3": "S001", "V1": "S002", "V2": "S002"}


@pytest.fixture(scope="module")
def two_schools(tmp_path_factory):
    """A published snapshot of hand-made marts over two schools, and the settings that point at it."""
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path_factory.mktemp("console") / "warehouse")
    with Store(settings).writer() as writer:
        con = writer.con
        con.execute("create table mart_pupil (school_code varchar, upn varchar, pupil_name varchar, year_group int)")
        con.execute("create table mart_progress (school_code varchar, upn varchar, subject_code varchar, points int)")
        con.execute("create table mart_school_summary (school_code varchar, pupils int)")
        con.execute("create table mart_assessment_completeness (school_code varchar, subject_code varchar, "
                    "missing int)")
        con.execute("create table dim_subject (school_code varchar, subject_code varchar, subject_name varchar)")
        con.execute("create table dim_school (school_code varchar)")
        con.execute("create table dim_pupil (school_code varchar, upn varchar, home_address varchar)")
        for upn, school in PUPILS.items():
            con.execute("insert into mart_pupil values (?, ?, ?, ?)", [school, upn, f"Pupil {upn}", 11])
            con.execute("insert into dim_pupil values (?, ?, '1 Secret Street')", [school, upn])
            for subject in ("MA", "EN"):
                con.execute("insert into mart_progress values (?, ?, ?, 5)", [school, upn, subject])
        for school in ("S001", "S002"):
            con.execute("insert into mart_school_summary values (?, 3)", [school])
            con.execute("insert into dim_school values (?)", [school])
            for subject, name in (("MA", "Mathematics"), ("EN", "English")):
                con.execute("insert into dim_subject values (?, ?, ?)", [school, subject, name])
                con.execute("insert into mart_assessment_completeness values (?, ?, 0)", [school, subject])
        writer.changed = True
    return settings


def ask(settings, sql: str, scope: Scope = SCHOOL_ONE, limits: ConsoleLimits = QUICK):
    return run_console_query(sql, scope, settings, actor="test-console", limits=limits)


# ---------------------------------------------------------------------------------------------------
# Hostile inputs: each one refused, with a message that names what was refused (docs/security.md's table).

OUTSIDE_FILE = "/tmp/console-test-written.csv"
HOSTILE = {
    "read a file": ("select * from read_csv('/etc/passwd')", "files"),
    "read a file as text": ("select * from read_text('/etc/passwd')", "files"),
    "read a file as bytes": ("select * from read_blob('/etc/passwd')", "files"),
    "a file as a table": ("select * from '/etc/passwd'", "files"),
    "list files": ("select * from glob('/*')", "files"),
    "read a URL": ("select * from read_parquet('https://example.com/pupils.parquet')", "files"),
    "write a file": (f"copy (select * from mart_pupil) to '{OUTSIDE_FILE}'", "COPY"),
    "read a file into a table": ("copy mart_pupil from '/etc/passwd'", "COPY"),
    "export the database": ("export database '/tmp/console-test-export'", "EXPORT"),
    "attach the warehouse": ("attach 'data/snapshots/wh-000001.duckdb' as snap (read_only)", "ATTACH"),
    "attach in memory": ("attach ':memory:' as elsewhere", "ATTACH"),
    "detach": ("detach memory", "DETACH"),
    "install an extension": ("install httpfs", "INSTALL"),
    "load an extension": ("load httpfs", "LOAD"),
    "load a file as an extension": ("load '/tmp/evil.duckdb_extension'", "LOAD"),
    "pragma": ("pragma enable_external_access=true", "PRAGMA"),
    "set": ("set enable_external_access = true", "SET"),
    "reset": ("reset lock_configuration", "RESET"),
    "use another database": ("use snap", "USE"),
    "call": ("call pragma_database_size()", "CALL"),
    "create a table": ("create table copied as select * from mart_pupil", "CREATE"),
    "create a secret": ("create secret (type s3, key_id 'x', secret 'y')", "CREATE"),
    "insert": ("insert into mart_pupil values ('S001', 'X1', 'Extra', 7)", "INSERT"),
    "update": ("update mart_pupil set pupil_name = 'changed'", "UPDATE"),
    "delete": ("delete from mart_pupil", "DELETE"),
    "drop": ("drop table mart_pupil", "DROP"),
    "alter": ("alter table mart_pupil rename to gone", "ALTER"),
    "a change inside a WITH": ("with gone as (delete from mart_pupil returning *) select * from gone", "changing data"),
    "a change inside a WITH, updating": ("with changed as (update mart_pupil set pupil_name = 'x' returning *) "
                                         "select * from changed", "changing data"),
    "a change under EXPLAIN ANALYZE": ("explain analyze delete from mart_pupil", "DELETE"),
    "a file written under EXPLAIN ANALYZE": (f"explain analyze copy mart_pupil to '{OUTSIDE_FILE}'", "COPY"),
    "two statements": ("select 1; drop table mart_pupil", "one query at a time"),
    "two statements hidden after a comment": ("select 1 /* ; */ ; delete from mart_pupil --", "one query at a time"),
    "a transaction": ("begin transaction", "BEGIN"),
    "the warehouse by another name": ("select * from snap.mart_pupil", "another database"),
    "the warehouse under an alias": ("select * from mart_pupil p join snap.mart_pupil s using (upn)",
                                     "another database"),
    "a system catalogue's database": ('select * from "system".main.duckdb_settings', "another database"),
    "a table outside the console": ("select * from dim_pupil", "no table dim_pupil"),
    "a table outside the scope": ("select * from mart_school_summary", "not available to you"),
    "oversized text": ("select 1 " + "-" * 10_001, "at most 10,000"),
    "empty text": ("  \n ", "no query"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_query_is_refused_with_a_clear_message(two_schools, name):
    sql, named = HOSTILE[name]
    # a head of year's scope (some pupils): whole-school tables are then out of reach
    result = ask(two_schools, sql, Scope(schools=("S001",), upns=("U1", "U2")))
    assert result.status in ("refused", "error") and result.frame is None, (name, result)
    assert named.lower() in result.message.lower(), (name, result.message)


def test_hostile_queries_changed_nothing_and_wrote_nothing(two_schools):
    for sql, _ in HOSTILE.values():
        if sql.split()[:1] in (["copy"], ["export"], ["drop"], ["delete"], ["update"], ["insert"], ["alter"],
                               ["with"], ["explain"]):
            ask(two_schools, sql)   # as a whole-school viewer, this time
    assert not Path(OUTSIDE_FILE).exists() and not Path("/tmp/console-test-export").exists()
    assert ask(two_schools, "select count(*) as pupils from mart_pupil").frame["pupils"][0] == 3


def test_a_file_function_hidden_in_a_subquery_is_refused_by_the_sandbox_not_only_the_parser(two_schools):
    sql = "select (select count(*) from read_csv(x)) from (select '/etc/' || 'passwd' as x)"
    result = ask(two_schools, sql)
    assert result.status in ("refused", "error") and result.frame is None
    assert "passwd" not in str(result.frame)


# ---------------------------------------------------------------------------------------------------
# Scope: the sandbox holds only the viewer's rows, so no query can return another's.

def test_a_senior_leader_of_one_school_sees_only_that_school(two_schools):
    for table in ("mart_pupil", "mart_progress", "mart_school_summary", "mart_assessment_completeness",
                  "dim_subject", "dim_school"):
        frame = ask(two_schools, f"select * from {table}").frame
        assert not frame.empty and set(frame["school_code"]) == {"S001"}, table
    # not through a join, a subquery or an aggregate either
    frame = ask(two_schools, "select count(*) as pupils, count(distinct school_code) as schools from mart_pupil "
                             "where upn in (select upn from mart_progress)").frame
    assert frame.to_dict("records") == [{"pupils": 3, "schools": 1}]


def test_a_viewer_of_some_pupils_sees_only_them_and_no_whole_school_table(two_schools):
    year = Scope(schools=("S001",), upns=("U1", "U2"))
    assert set(ask(two_schools, "select upn from mart_pupil", year).frame["upn"]) == {"U1", "U2"}
    assert set(ask(two_schools, "select upn from mart_progress", year).frame["upn"]) == {"U1", "U2"}
    assert ask(two_schools, "select * from mart_school_summary", year).status == "refused"
    assert ask(two_schools, "select * from mart_assessment_completeness", year).status == "refused"
    assert len(ask(two_schools, "select * from dim_subject", year).frame) == 2   # names of subjects: no pupil
    assert "mart_school_summary" not in available_tables(year, two_schools)


def test_a_viewer_of_some_subjects_sees_only_them(two_schools):
    maths = Scope(schools=("S001", "S002"), upns=tuple(PUPILS), subjects=("MA",))
    frame = ask(two_schools, "select distinct subject_code from mart_progress", maths).frame
    assert list(frame["subject_code"]) == ["MA"]
    # mart_pupil is not divided by subject: left out rather than guessed
    assert ask(two_schools, "select * from mart_pupil", maths).status == "refused"


def test_a_viewer_with_nothing_in_scope_sees_no_rows(two_schools):
    assert ask(two_schools, "select * from mart_progress", Scope.nothing()).frame.empty


def every_row_sql(tables: dict) -> str:
    """One query over every table the viewer may read: the school, pupil and subject of each row."""
    parts = []
    for table, columns in tables.items():
        names = {name for name, _ in columns}
        picked = [name if name in names else f"null::varchar as {name}" for name in ("school_code", "upn",
                                                                                     "subject_code")]
        parts.append(f"select distinct '{table}' as source, {', '.join(picked)} from {table}")
    return "\nunion all\n".join(parts)


@pytest.mark.parametrize("role", ["data_manager", "senior_leader", "head_of_year", "tutor", "teacher",
                                  "subject_leader"])
def test_every_role_sees_no_row_outside_its_scope_through_the_console(demo, role):
    from tests.test_access import accounts_of_each_role

    settings = demo.settings
    who = accounts_of_each_role(demo).get(role) or account(role)
    reader = WarehouseReader(demo)
    try:
        scope = scope_for(who, reader.run)
    finally:
        reader.close()
    tables = available_tables(scope, settings)
    assert "mart_pupil" in tables or scope.subjects is not None
    result = ask(settings, every_row_sql(tables), scope, ConsoleLimits(time_seconds=30, max_rows=1_000_000))
    assert result.ok, result.message
    rows = result.frame
    assert not rows.empty
    if scope.upns is not None:
        assert set(rows["upn"].dropna()) <= set(scope.upns), role
        # a row without a pupil comes only from a table that describes none (a subject, a school)
        assert set(rows.loc[rows["upn"].isna(), "source"]) <= set(REFERENCE_TABLES), role
    if scope.subjects is not None:
        assert set(rows["subject_code"].dropna()) <= set(scope.subjects), role
    if role in ("data_manager", "senior_leader"):   # the whole school: every pupil
        assert scope.upns is None
        assert rows.loc[rows["source"] == "mart_pupil", "upn"].nunique() == demo_pupils(demo) > 1000


def demo_pupils(store) -> int:
    from tests.exports import query

    return query(store, "select count(distinct upn) from mart_pupil")[0][0]


# ---------------------------------------------------------------------------------------------------
# Limits: time, memory, rows; none of them holds up anyone else.

def test_a_runaway_query_is_stopped_while_another_viewers_query_still_runs(two_schools):
    runaway = {}

    def run_forever():
        runaway["result"] = ask(two_schools, "with recursive r(n) as (select 1 union all select n + 1 from r) "
                                             "select count(*) from r")
        runaway["finished"] = time.monotonic()

    started = time.monotonic()
    thread = threading.Thread(target=run_forever)
    thread.start()
    time.sleep(0.5)
    other = ask(two_schools, "select count(*) as pupils from mart_pupil")
    other_finished = time.monotonic()
    thread.join(timeout=QUICK.time_seconds + console.KILL_GRACE_SECONDS + 5)
    assert other.ok and other.frame["pupils"][0] == 3
    assert other_finished < runaway["finished"]
    assert runaway["result"].status == "timeout"
    assert "stopped" in runaway["result"].message and "4 seconds" in runaway["result"].message
    assert runaway["finished"] - started < QUICK.time_seconds + console.KILL_GRACE_SECONDS


def test_a_cross_join_without_end_is_stopped(two_schools):
    result = ask(two_schools, "select count(*) from range(100000) a, range(1000000000) b")
    assert result.status == "timeout" and result.elapsed < QUICK.time_seconds + console.KILL_GRACE_SECONDS


def test_a_worker_that_outlives_its_time_is_killed(two_schools, monkeypatch):
    # The worker's own timer would stop the query after 6 s; the parent kills it first, at 2 s.
    monkeypatch.setattr(console, "KILL_GRACE_SECONDS", -4.0)
    started = time.monotonic()
    result = ask(two_schools, "select count(*) from range(100000) a, range(1000000000) b",
                 limits=ConsoleLimits(time_seconds=6))
    assert result.status == "timeout" and time.monotonic() - started < 4


def test_a_query_past_the_memory_limit_fails_clearly(two_schools):
    result = ask(two_schools, "select string_agg(x::varchar, ',') from range(100000000) t(x)",
                 limits=ConsoleLimits(time_seconds=10, memory_limit="64MB"))
    assert result.status in ("error", "timeout") and result.frame is None
    assert "memory" in result.message or "stopped" in result.message


def test_a_big_result_is_cut_to_the_row_limit(two_schools):
    result = ask(two_schools, "select * from range(1000000)", limits=ConsoleLimits(time_seconds=10, max_rows=250))
    assert result.ok and result.truncated and len(result.frame) == 250
    small = ask(two_schools, "select * from range(250)", limits=ConsoleLimits(time_seconds=10, max_rows=250))
    assert small.ok and not small.truncated and len(small.frame) == 250


def test_a_good_query_answers_with_its_rows(two_schools):
    result = ask(two_schools, "with progress as (select upn, sum(points) as points from mart_progress group by upn)\n"
                              "select p.upn, p.pupil_name, g.points, 1 as points from mart_pupil p "
                              "join progress g using (upn) order by p.upn;")
    assert result.ok and not result.truncated
    assert list(result.frame.columns) == ["upn", "pupil_name", "points", "points_2"]
    assert result.frame.to_dict("records")[0] == {"upn": "U1", "pupil_name": "Pupil U1", "points": 10, "points_2": 1}
    assert ask(two_schools, "explain select * from mart_pupil").ok
    # tables under aliases, a self join, a quoted name
    joined = ask(two_schools, 'select count(*) as pairs from mart_pupil as a join "mart_progress" b on a.upn = b.upn '
                              "join mart_progress c on c.upn = b.upn and c.subject_code = b.subject_code")
    assert joined.ok and joined.frame["pairs"][0] == 6


def test_a_mistake_in_a_query_is_shown_as_duckdb_says_it(two_schools):
    result = ask(two_schools, "selec * from mart_pupil")
    assert result.status == "error" and "syntax error" in result.message


def test_every_console_query_is_in_the_audit_log(two_schools):
    ask(two_schools, "select upn from mart_pupil -- audited")
    ask(two_schools, "drop table mart_pupil -- audited")
    entries = staff_store.read(staff_store.StaffStore.for_settings(two_schools), action="console.query",
                               actor="test-console", limit=1000)
    audited = {entry.new["sql"]: entry.new["rows"] for entry in entries if "-- audited" in entry.new["sql"]}
    assert audited["select upn from mart_pupil -- audited"] == 3
    assert audited["drop table mart_pupil -- audited"].startswith("refused: DROP is not allowed")


# ---------------------------------------------------------------------------------------------------
# The page.

def test_the_console_page_shows_a_senior_leader_the_tables_and_a_query_box(demo_env):
    at = open_page("pages/console.py", as_account=account("senior_leader"))
    assert not at.exception
    assert at.title[0].value == "SQL console"
    assert at.text_area[0].value.startswith("select year_group")
    listed = at.dataframe[0].value
    assert {"mart_pupil", "mart_progress", "dim_subject"} <= set(listed["table"])
    assert not any(name.startswith(("raw_", "stg_", "fct_")) for name in listed["table"])


def test_the_console_is_only_in_whole_school_roles_navigation(demo_env):
    assert [role for role in ("data_manager", "senior_leader", "subject_leader", "head_of_year", "tutor",
                              "teacher") if "console" in pages_for(role)] == ["data_manager", "senior_leader"]
    at = open_page(as_account=account("teacher", classes=["nothing"]))
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):   # not among the teacher's pages
        at.switch_page("pages/console.py")
