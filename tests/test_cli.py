"""The command line: exit codes, messages, status as JSON."""
import json
import subprocess
import sys
from pathlib import Path

from tests import exports

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env_dir: Path):
    import os
    env = {**os.environ, "TRACKER_DATA_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "warehouse", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_ingest_exit_codes_and_status_json(tmp_path, exports_dir):
    data = tmp_path / "wh"
    files = exports.base_school(exports_dir)
    empty = run("status", "--json", env_dir=data)
    assert empty.returncode == 0 and json.loads(empty.stdout)["snapshot"] is None

    loaded = run("ingest", *files, "--quiet", env_dir=data)
    assert loaded.returncode == 0, loaded.stderr
    assert "[ok] pupils.csv: pupils: 20 of 20 rows loaded" in loaded.stdout

    rows = [[upn, "MA", "2025/26 Autumn", "working_at", "5", 1] for upn in exports.UPNS]
    rows[0][4] = "99"
    partly = run("ingest", exports.assessments(exports_dir, rows=rows), "--quiet", env_dir=data)
    assert partly.returncode == 2
    assert "row 2, column grade: '99' grade is not on the subject's grade scale" in partly.stdout

    again = run("ingest", *files, "--quiet", env_dir=data)
    assert again.returncode == 0 and "Warehouse unchanged." in again.stdout

    bad = exports_dir / "notes.txt"
    bad.write_text("just some notes\n")
    rejected = run("ingest", bad, "--quiet", env_dir=data)
    assert rejected.returncode == 1
    assert "[REJECTED] notes.txt: found only one column" in rejected.stdout

    status = json.loads(run("status", "--json", env_dir=data).stdout)
    assert status["schools"][0]["pupils_on_roll"] == 20
    assert [b["status"] for b in status["batches"]][:2] == ["rejected", "loaded"]
    assert status["quarantine"] == [{"batch_id": 5, "file_name": "assessments.csv", "row_number": 2,
                                     "column_name": "grade", "value": "99",
                                     "reason": "grade is not on the subject's grade scale"}]


def test_ingest_of_an_empty_folder_says_so(tmp_path):
    result = run("ingest", tmp_path, env_dir=tmp_path / "wh")
    assert result.returncode == 1 and "no export files" in result.stderr


def test_an_import_run_as_a_command_gives_way_to_the_dashboard():
    # In a process of its own: lowering a priority cannot be undone, and pytest's own must stay as it is.
    def niceness_after(command: str) -> int:
        script = ("import os; from warehouse.__main__ import behind_the_dashboard; "
                  f"before = os.nice(0); behind_the_dashboard([{command!r}]); print(os.nice(0) - before)")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent.parent)
        return int(done.stdout)

    assert niceness_after("ingest") == niceness_after("rebuild") == 10
    assert niceness_after("status") == niceness_after("users") == 0
