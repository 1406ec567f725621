"""Benchmark: ingestion of the demo school and of a trust, validation included.

    python bench/ingest.py                 # demo school end to end, and a 20-school trust
    python bench/ingest.py --schools 5     # a smaller trust
    python bench/ingest.py --skip-trust

Prints, for each: seconds, rows read, rows per second and the ingest process's
peak memory. Each ingest runs in a child process of its own, on a fresh
warehouse, so that its peak memory is its own. Results go in docs/benchmarks.md.
Budgets (2-core machine): demo school <= 30 s end to end; trust >= 300k rows/s.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def child_ingest(manifest: Path) -> None:
    """In the child: load the files the manifest lists, print the report's totals as JSON."""
    from warehouse.ingest import IngestOptions, ingest

    entries = json.loads(manifest.read_text())
    per_file = {Path(e["path"]): IngestOptions(kind=e["kind"], school=e["school_code"],
                                               academic_year=e["academic_year"],
                                               assessment_point=e["assessment_point"], grade_type=e["grade_type"])
                for e in entries}
    started = time.perf_counter()
    report = ingest(list(per_file), per_file_options=per_file)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "seconds": seconds,
        "rows_read": sum(f.rows_read for f in report.files),
        "rows_loaded": sum(f.rows_loaded for f in report.files),
        "rows_quarantined": report.rows_quarantined,
        "files": len(report.files),
        "rejected": len(report.rejected),
        "peak_mib": peak_mib(),
        "rebuild_seconds": report.rebuild_seconds,
    }))


def child_demo() -> None:
    """In the child: the newcomer's command, then its own peak memory."""
    from warehouse.__main__ import main as cli

    code = cli(["demo", "--quiet"])
    print(json.dumps({"exit": code, "peak_mib": peak_mib()}))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(args: list[str], data_dir: Path) -> tuple[dict | None, float]:
    """Run a child; return its last JSON line (if any) and wall seconds."""
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    try:
        return json.loads(done.stdout), seconds  # a command that prints only JSON
    except json.JSONDecodeError:
        last = [line for line in done.stdout.splitlines() if line.startswith("{")]  # a report, then JSON
        return (json.loads(last[-1]) if last else None), seconds


def bench_demo(workdir: Path) -> dict:
    """`python -m warehouse demo` as a newcomer runs it: generate and load, end to end."""
    data = workdir / "demo"
    result, seconds = run_child([str(Path(__file__)), "--demo-child"], data)
    assert result["exit"] == 0, "the demo did not load"
    peak = result["peak_mib"]
    status, _ = run_child(["-m", "warehouse", "status", "--json"], data)
    rows = sum(b["rows_read"] for b in status["batches"])
    return {"case": "demo school, `python -m warehouse demo` (generate + validate + load + build)",
            "seconds": seconds, "rows_read": rows, "rows_per_second": rows / seconds, "peak_mib": peak}


def bench_trust(workdir: Path, schools: int) -> dict:
    from warehouse.demo import generate

    exports = workdir / f"trust{schools}_exports"
    started = time.perf_counter()
    files = generate(exports, schools=schools)
    generated = time.perf_counter() - started
    manifest = workdir / "manifest.json"
    manifest.write_text(json.dumps([{**asdict(f), "path": str(f.path)} for f in files]))
    result, _ = run_child([str(Path(__file__)), "--child", str(manifest)], workdir / f"trust{schools}")
    peak = result["peak_mib"]
    return {"case": f"trust of {schools} schools, ingest of generated exports (validate + load + build)",
            "seconds": result["seconds"], "rows_read": result["rows_read"],
            "rows_per_second": result["rows_read"] / result["seconds"], "peak_mib": peak,
            "generation_seconds": generated, "quarantined": result["rows_quarantined"],
            "rebuild_seconds": result["rebuild_seconds"],
            "rejected_files": result["rejected"]}


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-trust", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--demo-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.demo_child:
        child_demo()
        return
    if args.child:
        child_ingest(args.child)
        return
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as temporary:
        workdir = Path(temporary)
        results = []
        if not args.skip_demo:
            results.append(bench_demo(workdir))
        if not args.skip_trust:
            results.append(bench_trust(workdir, args.schools))
    for r in results:
        print(f"{r['case']}: {r['seconds']:.1f} s, {r['rows_read']:,} rows read, "
              f"{r['rows_per_second']:,.0f} rows/s, peak memory {r['peak_mib']:,.0f} MiB"
              + (f" (generation {r['generation_seconds']:.1f} s, not counted)" if "generation_seconds" in r else "")
              + (f"; of which rebuilding the derived tables and measures {r['rebuild_seconds']:.1f} s: "
                 f"{r['rows_read'] / (r['seconds'] - r['rebuild_seconds']):,.0f} rows/s without it"
                 if r.get("rebuild_seconds") else ""))


if __name__ == "__main__":
    main()
