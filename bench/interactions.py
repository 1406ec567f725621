"""Benchmark: how long the real app takes to answer a filter change, page by page, in Chromium.

    python bench/interactions.py                       # the demo school (loaded into a temporary warehouse)
    python bench/interactions.py --data-dir DIR        # an existing warehouse, e.g. a 20-school trust
    python bench/interactions.py --changes 20

For each page, opens a shared link (Year 11), then changes the sidebar's year
group back and forth and times each change from the click on the new year
group to the whole page updated: the rerun has begun (Streamlit marks the
page's elements stale) and no stale element is left (every element redrawn
or removed). Also times a cold start: a fresh server to the Overview's first
figures. Prints p50 and
p95 per page. Budgets (2-core machine): p95 <= 500 ms on the demo school,
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

from tests.browser import browser_page, running_app  # noqa: E402

# Pages whose caption names the view's year group, with the rest of their link.
PAGES = {"Overview": "?", "Subjects": "subjects?subject=MA4&", "Groups and gaps": "groups?",
         "Year review": "year_review?", "Pupil": "pupil?", "Attendance": "attendance?", "Targets": "targets?",
         "Interventions": "interventions?", "Explore": "explore?"}
STALE = "document.querySelectorAll('[data-stale=\"true\"]').length"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def choose_year(page, year: int) -> float:
    """Pick a year group in the sidebar; seconds until the page's caption shows it."""
    page.get_by_test_id("stSelectbox").filter(has_text="Year group").click()
    option = page.get_by_role("option", name=f"Year {year}", exact=True)
    option.wait_for(timeout=10_000)
    started = time.perf_counter()
    option.click()
    page.wait_for_function(f"() => {STALE} > 0", polling="raf", timeout=30_000)
    page.wait_for_function(f"() => {STALE} === 0", polling="raf", timeout=30_000)
    elapsed = time.perf_counter() - started
    chosen = page.get_by_test_id("stSelectbox").filter(has_text="Year group").locator("input").input_value()
    assert chosen == f"Year {year}", chosen
    return elapsed


def measure(data_dir: Path, changes: int) -> None:
    started = time.perf_counter()
    with running_app(data_dir) as url, browser_page(1400, 1000) as page:
        page.goto(url + "/?year=11")
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=60_000)
        print(f"cold start (server start to the Overview's first figures): {time.perf_counter() - started:.2f} s")
        for name, link in PAGES.items():
            # Each page in a fresh tab, as a colleague opening a shared link.
            tab = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(f"{url}/{link}year=11")
            tab.get_by_test_id("stSelectbox").filter(has_text="Year group").wait_for(timeout=60_000)
            tab.wait_for_function(f"() => {STALE} === 0", polling="raf", timeout=60_000)
            tab.wait_for_timeout(1000)
            timings = [choose_year(tab, 10 if i % 2 == 0 else 11) for i in range(changes)]
            tab.close()
            print(f"{name:15s} filter change: p50 {statistics.median(timings) * 1000:.0f} ms, "
                  f"p95 {percentile(timings, 0.95) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
                  f"({changes} changes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an existing warehouse (default: load the demo school)")
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    if args.data_dir:
        measure(args.data_dir, args.changes)
        return
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = Path(temporary) / "warehouse"
        subprocess.run([sys.executable, "-m", "warehouse", "demo", "--quiet"], cwd=ROOT, check=True,
                       env={**os.environ, "TRACKER_DATA_DIR": str(data_dir)}, stdout=subprocess.DEVNULL)
        measure(data_dir, args.changes)


if __name__ == "__main__":
    main()
