"""Ingestion runs while the dashboard reads: two processes, no waiting, no restart."""
import json
import os
import subprocess
import sys
import time

from tests import exports
from tests.exports import write_csv
from warehouse.ingest import ingest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_reader_keeps_answering_during_an_import_and_then_sees_the_new_data(store, exports_dir, tmp_path):
    ingest(exports.base_school(exports_dir), store=store)
    first_snapshot = store.current_snapshot().name
    # A big enough import that the reader asks many questions while it runs.
    new_upns = [exports.make_upn(i, establishment="3000") for i in range(1, 301)]
    pupils = exports.pupils(exports_dir, upns=new_upns, name="new_pupils.csv")
    marks = write_csv(exports_dir / "marks.csv", ["UPN", "Date", "Session", "Mark"],
                      [[upn, f"{day:02d}/09/2025", session, "/" if session == "AM" else "\\"]
                       for upn in new_upns for day in range(1, 29) for session in ("AM", "PM")])
    env = {**os.environ, "PYTHONPATH": ROOT}
    log = tmp_path / "reader.jsonl"
    reader = subprocess.Popen([sys.executable, "-m", "tests.live_reader", str(log), "120", "320"], cwd=ROOT, env=env)
    try:
        while not log.exists() or not log.read_text().strip():
            time.sleep(0.05)
        started = time.time()
        ingestion = subprocess.run(
            [sys.executable, "-m", "warehouse", "ingest", str(pupils), str(marks), "--quiet"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )
        finished = time.time()
        assert ingestion.returncode == 0, ingestion.stdout + ingestion.stderr
        reader.wait(timeout=60)
    finally:
        reader.kill()
    seen = [json.loads(line) for line in log.read_text().splitlines()]
    assert not [entry for entry in seen if "error" in entry]
    during = [entry for entry in seen if started <= entry["time"] <= finished]
    assert len(during) > 20, "the reader kept answering while the import ran"
    assert {entry["pupils"] for entry in during} <= {20, 320}
    assert seen[0]["pupils"] == 20 and seen[0]["snapshot"] == first_snapshot
    assert seen[-1]["pupils"] == 320 and seen[-1]["snapshot"] != first_snapshot
