"""Two app servers on one warehouse while an import runs (docs/scaling.md): both keep serving the data
manager from the published snapshot, and both show the import's pupils once it is published."""
import os
import subprocess
import sys
import time

from tests import exports
from tests.browser import browser_page, require_chromium, running_app, sign_in
from tests.exports import write_csv
from warehouse.accounts import Accounts
from warehouse.ingest import ingest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "correct horse battery staple"


def _pupils_on_roll(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Pupils on roll").first
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_two_app_servers_serve_one_warehouse_while_an_import_runs(store, exports_dir):
    require_chromium()
    ingest(exports.base_school(exports_dir), store=store)
    Accounts.default().add("dm@school.example", "Data Manager", "data_manager", PASSWORD, actor="test",
                           must_change_password=False)
    new_upns = [exports.make_upn(i, establishment="3000") for i in range(1, 301)]
    pupils = exports.pupils(exports_dir, upns=new_upns, name="new_pupils.csv")
    marks = write_csv(exports_dir / "marks.csv", ["UPN", "Date", "Session", "Mark"],
                      [[upn, f"{day:02d}/09/2025", session, "/"] for upn in new_upns for day in range(1, 29)
                       for session in ("AM", "PM")])
    with running_app(store.data_dir) as first, running_app(store.data_dir) as second, browser_page() as one:
        two = one.context.browser.new_page(viewport={"width": 1400, "height": 1000})
        for page, url in ((one, first), (two, second)):
            page.set_default_timeout(30_000)
            page.goto(url + "/warehouse")
            sign_in(page, "dm@school.example", PASSWORD)
            page.get_by_role("heading", name="Warehouse").wait_for()
            assert _pupils_on_roll(page) == "20"
        importing = subprocess.Popen(
            [sys.executable, "-m", "warehouse", "ingest", str(pupils), str(marks), "--quiet"], cwd=ROOT,
            env={**os.environ, "PYTHONPATH": ROOT}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        answers_during = 0
        try:
            while importing.poll() is None:   # both servers keep answering, from the snapshot published before
                for page in (one, two):
                    page.keyboard.press("r")   # Streamlit's rerun key: the page asks the warehouse again
                    page.get_by_text("Pupils on roll").first.wait_for()
                    assert _pupils_on_roll(page) in ("20", "320")
                    answers_during += 1
                time.sleep(0.2)
            assert importing.returncode == 0, importing.stdout.read()
        finally:
            importing.kill()
        assert answers_during >= 2
        for page in (one, two):   # and both move to the new snapshot on their next run, with no restart
            deadline = time.monotonic() + 30
            while True:
                page.keyboard.press("r")
                time.sleep(0.5)
                if _pupils_on_roll(page) == "320":
                    break
                assert time.monotonic() < deadline, "a server never moved to the new snapshot"
