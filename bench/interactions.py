"""Benchmark: how long the real app takes to answer a filter change, page by page, in Chromium.

    python bench/interactions.py                       # the demo school (loaded into a temporary warehouse)
    python bench/interactions.py --data-dir DIR        # an existing warehouse, e.g. a 20-school trust
    python bench/interactions.py --changes 10 --pages Pupil,Attendance
    python bench/interactions.py --no-remember         # the server keeps no answers: every view is a new one

For each page, opens a shared link (Year 11), then changes the sidebar's year
group back and forth and times each change, in the page itself (so the
driver's own work is not counted), from the press on the new year group to:

- the page redrawn: the rerun has finished and no element is left stale
  (Streamlit marks a page's elements stale while its script reruns), and
- the last table or chart drawn: the last change to the page before it stays
  still for half a second (data grids and Vega charts finish drawing a
  little after their element arrives; here the browser shares the server's
  two cores, which a school's laptops would not).

The server remembers the answers it gave until the next snapshot (tracker.toml's answer_memory_mib), so
after the first two changes a page's year groups are answered from memory, as a return to a view is;
--no-remember switches that off, so that every change asks the warehouse again.

Also times a cold start: a fresh server to the sign-in page, and the sign-in to the Overview's first figures
(each tab signs in first, as a colleague opening a shared link does; a senior leader sees every pupil).
Prints p50 and p95 per page. Budgets (2-core machine): p95 <= 500 ms on the demo school,
<= 1.5 s on the trust; cold start <= 5 s. Results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, enter_the_demo, running_app, sign_in  # noqa: E402
from warehouse.accounts import Accounts, AccountError  # noqa: E402
from warehouse.staff_store import FILE_NAME, StaffStore  # noqa: E402

BENCH_USER = "bench@tracker.local"

# Pages whose caption names the view's year group, with the rest of their link.
PAGES = {"Overview": "overview?", "Subjects": "subjects?subject=MA4&", "Groups and gaps": "groups?",
         "Year review": "year_review?", "Pupil": "pupil?", "Attendance": "attendance?", "Targets": "targets?",
         "Interventions": "interventions?", "Explore": "explore?"}
STALE = "document.querySelectorAll('[data-stale=\"true\"]').length"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# In each tab: when the rerun has finished with every element redrawn (Streamlit marks a page's elements
# stale while its script reruns, and says on the app element whether the script is running), and the time
# of the last change to the page (tables and charts finish drawing a little after their element arrives).
WATCH = """() => { window.__changed = performance.now(); window.__drawn = null; window.__ran = false;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver((records) => {
    const now = performance.now(); window.__changed = now;
    if (window.__pressed === null || window.__drawn !== null) return;
    const running = app.getAttribute('data-test-script-state') === 'running';
    const stale = document.querySelectorAll('[data-stale="true"]').length > 0;
    // A rerun answered from memory can start and finish between two calls of this observer: the
    // script state's change is then only in the records.
    const ran = records.some((r) => r.type === 'attributes' && r.attributeName === 'data-test-script-state');
    if (running || stale || ran) { window.__ran = true; }
    if (window.__ran && !running && !stale) { window.__drawn = now; } })
    .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); }"""
QUIET_MS = 500


def choose_year(page, year: int) -> tuple[float, float]:
    """Pick a year group in the sidebar. Seconds from the press on the new year group to the page
    redrawn (the rerun finished, no element stale), and to its last change before QUIET_MS of stillness.

    Both are taken in the page (performance.now()), so the driver's own work
    (Playwright's checks before it clicks) is not counted.
    """
    box = page.get_by_test_id("stSelectbox").filter(has_text="Year group")
    box.click()
    option = page.get_by_role("option", name=f"Year {year}", exact=True)
    option.wait_for(timeout=10_000)
    try:
        timings = timed_press(page, option.click)
        chosen = box.locator("input").input_value()
        assert chosen == f"Year {year}", chosen
        return timings
    except NoRedraw:
        if box.locator("input").input_value() != f"Year {year}":
            # The list was redrawn as the click landed and nothing was chosen: choose again (not timed).
            print(f"  (the click on Year {year} chose nothing: again)", file=sys.stderr)
            page.keyboard.press("Escape")
            return choose_year(page, year)
        raise


class NoRedraw(Exception):
    """The page did not finish a rerun after a press."""


def timed_press(page, press, timeout_ms: int = 20_000) -> tuple[float, float]:
    """Seconds from the press `press()` makes to the page redrawn, and to its last change before QUIET_MS
    of stillness, measured in the page (WATCH must be installed in it)."""
    page.evaluate("() => { window.__pressed = null; window.__drawn = null; window.__ran = false; "
                  "document.addEventListener("
                  "'pointerdown', () => { window.__pressed = performance.now(); }, {capture: true, once: true}); }")
    press()
    # Redrawn as seen (the script ran and no element is stale); or, where the browser drew a quick rerun's
    # start and end in one go (no state change to see), the page's last change once it has been still
    # for QUIET_MS, not running and with nothing stale, 1.5 s after the press.
    seen = f"window.__drawn !== null && performance.now() - window.__changed > {QUIET_MS}"
    unseen = (f"window.__pressed !== null && window.__changed > window.__pressed && {STALE} === 0 "
              f"&& performance.now() - window.__pressed > 1500 && performance.now() - window.__changed > {QUIET_MS} "
              "&& document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state') "
              "!== 'running'")
    try:
        page.wait_for_function(f"() => ({seen}) || ({unseen})", polling=50, timeout=timeout_ms)
    except Exception as error:   # Playwright's TimeoutError
        state = page.evaluate(f"() => ({{pressed: window.__pressed, ran: window.__ran, drawn: window.__drawn, "
                              f"stale: {STALE}, script: document.querySelector('[data-testid=\"stApp\"]')"
                              f".getAttribute('data-test-script-state')}})")
        raise NoRedraw(f"no redraw within {timeout_ms} ms: {state}") from error
    drawn, settled = page.evaluate("() => [(window.__drawn ?? window.__changed) - window.__pressed, "
                                   "window.__changed - window.__pressed]")
    return drawn / 1000, settled / 1000


def bench_account(data_dir: Path) -> tuple[str, str]:
    """A senior leader's account for the benchmark (every pupil, every analysis page), with a new password."""
    accounts = Accounts(StaffStore(data_dir / "staff" / FILE_NAME))
    try:
        accounts.add(BENCH_USER, "Benchmark", "senior_leader", "a throwaway benchmark password", actor="bench",
                     must_change_password=False)
    except AccountError:   # there from an earlier run
        accounts.enable(BENCH_USER, actor="bench")
    password = accounts.reset_password(BENCH_USER, actor="bench")
    new = password + "-bench"
    accounts.change_password(BENCH_USER, password, new, source="bench")
    return BENCH_USER, new


def enter(page, login: tuple[str, str]) -> None:
    """Sign in on this tab (each tab is a session of its own): the demo's way where it is offered."""
    page.get_by_test_id("stTextInput").or_(page.get_by_role("button", name="Open the demo")).first.wait_for(
        timeout=60_000)
    if page.get_by_role("button", name="Open the demo").count():
        enter_the_demo(page, "Senior leader")
    else:
        sign_in(page, *login)


def remember_no_answers(folder: Path) -> None:
    """The app servers this process starts keep no answers (a copy of tracker.toml with
    answer_memory_mib = 0, named by TRACKER_CONFIG)."""
    config = folder / "tracker.toml"
    settings = (ROOT / "tracker.toml").read_text(encoding="utf-8")
    assert "answer_memory_mib = 256" in settings
    config.write_text(settings.replace("answer_memory_mib = 256", "answer_memory_mib = 0"), encoding="utf-8")
    os.environ["TRACKER_CONFIG"] = str(config)


def measure(data_dir: Path, changes: int, only: list[str] | None = None) -> None:
    login = bench_account(data_dir)
    with browser_page(1400, 1000) as page:   # the browser is already open, as a user's is
        started = time.perf_counter()
        with running_app(data_dir) as url:
            page.goto(url + "/?year=11")
            page.get_by_role("button").first.wait_for(timeout=60_000)
            cold = time.perf_counter() - started   # to the sign-in; then the sign-in to the first figures
            enter(page, login)
            signed_in = time.perf_counter()
            page.get_by_test_id("stMetricValue").first.wait_for(timeout=60_000)
            print(f"cold start (server start to the sign-in page): {cold:.2f} s; "
                  f"sign-in to the Overview's first figures: {time.perf_counter() - signed_in:.2f} s")
            pages(page, url, changes, only, login)


def pages(page, url: str, changes: int, only: list[str] | None, login: tuple[str, str]) -> None:
    """Each page in a fresh tab, as a colleague opening a shared link; then its filter changes."""
    for name, link in PAGES.items():
        if only and name not in only:
            continue
        tab = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(f"{url}/{link}year=11")
        enter(tab, login)
        tab.get_by_test_id("stSelectbox").filter(has_text="Year group").wait_for(timeout=60_000)
        tab.wait_for_function(f"() => {STALE} === 0", polling="raf", timeout=60_000)
        tab.wait_for_timeout(1000)
        tab.evaluate(WATCH)
        timings = [choose_year(tab, 10 if i % 2 == 0 else 11) for i in range(changes)]
        tab.close()
        drawn, settled = ([t[i] * 1000 for t in timings] for i in (0, 1))
        print(f"{name:15s} filter change to page redrawn: p50 {statistics.median(drawn):4.0f} ms, "
              f"p95 {percentile(drawn, 0.95):4.0f} ms, max {max(drawn):4.0f} ms; to the last table or chart "
              f"drawn: p50 {statistics.median(settled):4.0f} ms, p95 {percentile(settled, 0.95):4.0f} ms "
              f"({changes} changes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an existing warehouse (default: load the demo school)")
    parser.add_argument("--changes", type=int, default=40,
                        help="filter changes per page (default 40: a p95 of 20 is little more than the second worst)")
    parser.add_argument("--pages", help="only these pages, by title, comma-separated (e.g. Pupil,Attendance)")
    parser.add_argument("--no-remember", action="store_true",
                        help="the server keeps no answers between reruns (answer_memory_mib = 0)")
    args = parser.parse_args()
    only = [name.strip() for name in args.pages.split(",")] if args.pages else None
    with tempfile.TemporaryDirectory() as temporary:
        if args.no_remember:
            remember_no_answers(Path(temporary))
            print("no answers remembered: every change asks the warehouse")
        if args.data_dir:
            measure(args.data_dir, args.changes, only)
            return
        data_dir = Path(temporary) / "warehouse"
        subprocess.run([sys.executable, "-m", "warehouse", "demo", "--quiet"], cwd=ROOT, check=True,
                       env={**os.environ, "TRACKER_DATA_DIR": str(data_dir)}, stdout=subprocess.DEVNULL)
        measure(data_dir, args.changes, only)


if __name__ == "__main__":
    main()
