"""Benchmark: many people using the real app at once, optionally while an import arrives.

    python bench/crowd.py --data-dir DIR                       # 10 people: 1 in Chromium, 9 on the wire
    python bench/crowd.py --data-dir DIR --users 10 --import   # and an import of one school mid-way
    python bench/crowd.py --data-dir DIR --browsers 10         # everyone in a Chromium of their own
    python bench/crowd.py --data-dir DIR --no-remember         # the server keeps no answers (every view new)

One app server on an existing warehouse (e.g. `python -m warehouse demo --schools 60`). Each person is
a thread with a session of their own, as separate laptops would have; two are trust-wide senior leaders
(every school), the rest the senior leaders of one school each, spread over the trust. Each signs in,
then walks a review meeting's journey again and again: Overview, Subjects, Year review, Pupil,
Attendance (moving between pages with the page menu), changing the sidebar's year group on each page,
with a pause of 1-3 s ("thinking") between actions.

Two kinds of person, so that the people's own drawing does not take the cores the server needs (ten
Chromiums drawing on this 2-core machine measure mostly themselves):
- the first --browsers (default 1) use a headless Chromium, timed in the page as in
  bench/interactions.py: from the press (on the new year group, or on the page's name in the menu) to
  the page redrawn (the rerun finished, no element left stale). End to end, with the browser's drawing,
  on a machine it shares with the server;
- the others speak Streamlit's own websocket protocol to the same server (bench/stream_client.py): the
  same session, widget state and messages as a browser's, timed from the message sent to the session
  idle again (the rerun's last element received). The server's work and the wire, without any drawing.
  Each of their year-group changes is checked: the server wrote the new year into the link and drew
  something else, so a client whose change did not reach the app cannot report a fast time.

Prints the p50/p95 of filter changes and of page switches, overall and by kind of person, and (with
--import) before, during and after the import, and the server's peak memory (its process's high-water
mark, VmHWM). Budgets (issue 6, 2-core machine, 60 schools): filter change p95 <= 3 s with 10 people,
server memory <= 2 GB. Results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.interactions import STALE, WATCH, choose_year, percentile, remember_no_answers, timed_press  # noqa: E402
from bench.stream_client import StreamClient, StreamError  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, running_server, sign_in  # noqa: E402
from warehouse.accounts import AccountError, Accounts  # noqa: E402
from warehouse.staff_store import FILE_NAME, StaffStore  # noqa: E402

JOURNEY = ["Overview", "Subjects", "Year review", "Pupil", "Attendance"]
TRUST_WIDE_USERS = 2


@dataclass
class Timing:
    kind: str         # "filter" or "page"
    client: str       # who measured it: "browser" (Chromium, drawing included) or "stream" (the wire only)
    at: float         # when it was pressed (time.time())
    seconds: float    # press to page redrawn (browser), or message sent to the run's last element (stream)


@dataclass
class Crowd:
    timings: list[Timing] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def add(self, timing: Timing) -> None:
        with self.lock:
            self.timings.append(timing)


def accounts_for(data_dir: Path, users: int) -> list[tuple[str, str]]:
    """A senior leader's account per person: the first TRUST_WIDE_USERS see every school, the others one
    school each, spread over the trust. Fresh passwords each run."""
    import duckdb

    from warehouse.config import load_settings
    from warehouse.data import query_sql
    from warehouse.store import Store

    snapshot = Store(load_settings()).current_snapshot()
    with duckdb.connect(str(snapshot), read_only=True) as con:
        schools = [row[0] for row in con.execute("select school_code from dim_school order by 1").fetchall()]
        if con.execute(query_sql("demo_warehouse")).fetchone()[0]:
            sys.exit(f"{data_dir} holds only the demo's data, whose sign-in takes no account (everyone would be "
                     "the demo's senior leader): import a file into it first (e.g. with --import on a first run)")
    accounts = Accounts(StaffStore(data_dir / "staff" / FILE_NAME))
    made = []
    for i in range(users):
        username = f"crowd{i + 1}@tracker.local"
        scope = None if i < TRUST_WIDE_USERS else [schools[(i * 7) % len(schools)]]
        try:
            accounts.add(username, f"Crowd {i + 1}", "senior_leader", "a throwaway benchmark password",
                         actor="bench", schools=scope, must_change_password=False)
        except AccountError:   # there from an earlier run
            accounts.enable(username, actor="bench")
            accounts.set_scope(username, actor="bench", schools=scope)
        password = accounts.reset_password(username, actor="bench")
        accounts.change_password(username, password, password + "-crowd", source="bench")
        made.append((username, password + "-crowd"))
    return made


def journey(crowd: Crowd, client: str, seed: int, changes_per_page: int, open_page, change_year) -> None:
    """The review meeting's pages in turn, changing the year group on each, until the crowd stops."""
    rng = random.Random(seed)
    year = 11
    while not crowd.stop.is_set():
        for name in JOURNEY:
            if crowd.stop.is_set():
                break
            time.sleep(rng.uniform(1, 3))
            crowd.add(Timing("page", client, time.time(), open_page(name)))
            for _ in range(changes_per_page):
                time.sleep(rng.uniform(1, 3))
                year = 21 - year   # 10 <-> 11
                crowd.add(Timing("filter", client, time.time(), change_year(year)))


def browser_person(url: str, login: tuple[str, str], crowd: Crowd, seed: int, changes_per_page: int) -> None:
    from playwright.sync_api import sync_playwright

    def open_page(name: str) -> float:
        return timed_press(page, page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click,
                           timeout_ms=120_000)[0]

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/overview?year=11", timeout=180_000)
            page.get_by_label("Username").wait_for(timeout=180_000)   # ten browsers starting on two cores
            sign_in(page, *login)
            page.get_by_test_id("stSelectbox").filter(has_text="Year group").wait_for(timeout=120_000)
            page.wait_for_function(f"() => {STALE} === 0", polling="raf", timeout=120_000)
            page.evaluate(WATCH)
            journey(crowd, "browser", seed, changes_per_page, open_page, lambda year: choose_year(page, year)[0])
            browser.close()
    except Exception as error:   # noqa: BLE001 (reported with the results: a person who gave up)
        crowd.errors.append(f"{login[0]} (browser): {type(error).__name__}: {str(error).splitlines()[0]}")


def stream_person(url: str, login: tuple[str, str], crowd: Crowd, seed: int, changes_per_page: int) -> None:
    def change_year(year: int) -> float:
        before = client.drawn
        seconds = client.choose("Year group", f"Year {year}")
        # The change reached the app: its view (which the server writes into the link) has the new year,
        # and the page drawn is not the one before.
        if f"year={year}" not in client.query_string.split("&") or client.drawn == before:
            raise StreamError(f"Year {year} chosen but not shown (link: {client.query_string})")
        return seconds

    client = None
    try:
        client = StreamClient(url, "/overview?year=11", timeout=120)
        client.sign_in(*login)
        journey(crowd, "stream", seed, changes_per_page, client.open_page, change_year)
    except Exception as error:   # noqa: BLE001 (reported with the results: a person who gave up)
        crowd.errors.append(f"{login[0]} (stream): {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        if client is not None:
            client.close()


def peak_memory_mib(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_import(data_dir: Path, work: Path) -> subprocess.Popen:
    """One school's assessments for this year exported again (the same grades, in another order, so that
    it is a new file to the tracker and replaces the school's year), imported as a data manager would."""
    exports = sorted((data_dir / "demo_exports").glob("S*/assessments_2025-26.csv"))
    if not exports:
        sys.exit(f"{data_dir}/demo_exports has no school's assessments_2025-26.csv to import again")
    source = exports[len(exports) // 2]
    again = work / source.parent.name / source.name
    again.parent.mkdir(parents=True, exist_ok=True)
    header, *rows = source.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [row if row.endswith("\n") else row + "\n" for row in rows]
    random.Random(time.time_ns()).shuffle(rows)
    again.write_text(header + "".join(rows), encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "warehouse", "ingest", str(again), "--school",
                             source.parent.name], cwd=ROOT, env={**os.environ, "TRACKER_DATA_DIR": str(data_dir)},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def summary(label: str, timings: list[Timing]) -> str:
    """One line of p50/p95 per kind of change, then one per kind of person where both took part."""
    def line(label: str, timings: list[Timing]) -> str:
        parts = []
        for kind, words in (("filter", "filter change"), ("page", "page switch")):
            values = [t.seconds for t in timings if t.kind == kind]
            if values:
                parts.append(f"{words}: p50 {statistics.median(values):.2f} s, "
                             f"p95 {percentile(values, 0.95):.2f} s, max {max(values):.2f} s ({len(values)})")
        return f"{label:28s} " + ("; ".join(parts) or "no timings")

    clients = sorted({t.client for t in timings})
    lines = [line(label, timings)]
    if len(clients) > 1:
        lines += [line(f"  {client} people", [t for t in timings if t.client == client]) for client in clients]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="an existing warehouse")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--browsers", type=int, default=1,
                        help="how many of them use a Chromium (default 1); the others speak the websocket protocol")
    parser.add_argument("--minutes", type=float, default=4, help="how long the crowd works (default 4)")
    parser.add_argument("--changes", type=int, default=2, help="year-group changes on each page (default 2)")
    parser.add_argument("--import", dest="with_import", action="store_true",
                        help="import one school's assessments again once everyone is at work")
    parser.add_argument("--no-remember", action="store_true",
                        help="the server keeps no answers between reruns (answer_memory_mib = 0)")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    os.environ["TRACKER_DATA_DIR"] = str(data_dir)
    logins = accounts_for(data_dir, args.users)
    crowd = Crowd()
    with tempfile.TemporaryDirectory() as work:
        if args.no_remember:
            remember_no_answers(Path(work))
        browsers = min(args.browsers, args.users)
        print(f"load average {os.getloadavg()[0]:.1f} at the start; {args.users} people ({browsers} in Chromium, "
              f"{args.users - browsers} on the websocket), {args.minutes:g} minutes"
              + (", no answers remembered" if args.no_remember else ""))
        with running_server(data_dir) as (url, server):
            people = [threading.Thread(target=browser_person if i < browsers else stream_person,
                                       args=(url, login, crowd, i, args.changes), daemon=True)
                      for i, login in enumerate(logins)]
            for thread in people:
                thread.start()
                time.sleep(3)   # people arrive a few seconds apart
            started = time.time()
            importing, import_window = None, None
            while time.time() - started < args.minutes * 60:
                time.sleep(1)
                if args.with_import and importing is None and time.time() - started > args.minutes * 60 / 4:
                    importing, import_window = start_import(data_dir, Path(work)), [time.time(), None]
                if importing is not None and import_window[1] is None and importing.poll() is not None:
                    import_window[1] = time.time()
                    print(f"import: {import_window[1] - import_window[0]:.0f} s, exit code {importing.returncode}; "
                          + (importing.stdout.read().strip().splitlines() or [""])[-1])
            crowd.stop.set()
            for thread in people:
                thread.join(timeout=180)
            if importing is not None and import_window[1] is None:
                importing.wait()
                import_window[1] = time.time()
                print(f"import: {import_window[1] - import_window[0]:.0f} s (finished after the crowd stopped)")
            memory = peak_memory_mib(server.pid)
    print(summary("everyone, throughout", crowd.timings))
    if import_window:
        begin, end = import_window
        print(summary("before the import", [t for t in crowd.timings if t.at < begin]))
        print(summary("while it ran", [t for t in crowd.timings if begin <= t.at <= end]))
        print(summary("after it published", [t for t in crowd.timings if t.at > end]))
    print(f"server peak memory (VmHWM): {memory:,.0f} MiB")
    for error in crowd.errors:
        print(f"gave up: {error}")


if __name__ == "__main__":
    main()
