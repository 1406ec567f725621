"""Benchmark: the whole trust-scale measurement of issue 6, in one command.

    python bench/trust.py --data-dir /tmp/trust60                # generate 60 schools there if it is empty
    python bench/trust.py --data-dir DIR --schools 20 --minutes 3
    python bench/trust.py --data-dir DIR --skip crowd            # parts: loaders, chromium, crowd

On a warehouse of a trust (made with `python -m warehouse demo --schools N` if the directory holds none,
then one school's assessments imported again, so that it holds an import and people sign in with accounts),
runs in turn, each in a process of its own so that none sees another's memory:

1. bench/loaders.py: every named loader the pages call, p50/p95 over a mix of filters, against the naive
   pandas baseline in the same run, with the ratios;
2. bench/interactions.py: the real app in Chromium, filter change to updated view, page by page;
3. bench/crowd.py --import: ten people at once, an import arriving a quarter of the way in, the server's
   peak memory.

Each part prints its own figures as it goes; the budgets' lines are gathered again at the end. The budgets
(issue 6, a 2-core machine, 60 schools): loader p95 <= 50 ms school-scoped and <= 500 ms trust-wide, and
at least 10x the naive baseline; filter change p95 <= 1.5 s for one person and <= 3 s with ten; server
memory <= 2 GB. Results go in docs/benchmarks.md. Run it on a quiet machine: it takes about half an hour
(plus about 11 minutes and 11 GB of memory to generate 60 schools).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("loaders", "chromium", "crowd")
# The lines of each part's output that state a budget's figures, gathered at the end.
SUMMARY_LINES = {
    "loaders": ("| ", "p95 within its budget"),
    "chromium": ("cold start", "filter change to page redrawn"),
    "crowd": ("load average", "import:", "everyone", "before the import", "while it ran", "after it published",
              "server peak memory", "gave up", "browser", "stream"),
}


def run_part(name: str, command: list[str], env: dict) -> list[str]:
    """Run one part, showing its output as it comes; its lines, for the summary."""
    print(f"\n== {name}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    lines = []
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, bufsize=1) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
    print(f"== {name}: exit code {process.returncode} after {time.monotonic() - started:.0f} s", flush=True)
    if process.returncode != 0:
        lines.append(f"{name} FAILED: exit code {process.returncode}")
    return lines


def make_trust(data_dir: Path, schools: int, env: dict) -> None:
    """The generator's trust, then one real import, so that the crowd signs in with accounts of its own."""
    print(f"{data_dir} holds no warehouse: generating {schools} schools (about 11 minutes for 60)", flush=True)
    subprocess.run([sys.executable, "-m", "warehouse", "demo", "--quiet", "--schools", str(schools)],
                   cwd=ROOT, env=env, check=True)
    sys.path.insert(0, str(ROOT))
    from bench.crowd import start_import
    from warehouse.__main__ import EXIT_OK, EXIT_QUARANTINED

    with tempfile.TemporaryDirectory() as work:
        importing = start_import(data_dir, Path(work))
        output, _ = importing.communicate()
        print(output.strip().splitlines()[-1], flush=True)
        # The demo's exports keep its deliberate mistakes, quarantined again: that is a successful import.
        if importing.returncode not in (EXIT_OK, EXIT_QUARANTINED):
            sys.exit(f"the first import failed:\n{output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, required=True, help="a trust's warehouse, or an empty directory")
    parser.add_argument("--schools", type=int, default=60, help="schools to generate if the directory is empty")
    parser.add_argument("--minutes", type=float, default=5, help="how long the crowd works (default 5)")
    parser.add_argument("--skip", default="", help=f"parts to leave out, comma-separated ({', '.join(PARTS)})")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    if skip - set(PARTS):
        parser.error(f"unknown parts: {', '.join(sorted(skip - set(PARTS)))} (the parts are {', '.join(PARTS)})")
    env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir)}
    if not (data_dir / "CURRENT").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        make_trust(data_dir, args.schools, env)
    commands = {
        "loaders": [sys.executable, "bench/loaders.py", "--data-dir", str(data_dir)],
        "chromium": [sys.executable, "bench/interactions.py", "--data-dir", str(data_dir)],
        "crowd": [sys.executable, "bench/crowd.py", "--data-dir", str(data_dir), "--import",
                  "--minutes", f"{args.minutes:g}"],
    }
    outputs = {name: run_part(name, command, env) for name, command in commands.items() if name not in skip}
    print("\n== the budgets' figures, again")
    for name, lines in outputs.items():
        print(f"\n{name}:")
        for line in lines:
            if line.lstrip().startswith(SUMMARY_LINES[name]) or "FAILED" in line:
                print(line)
    if any("FAILED" in line for lines in outputs.values() for line in lines):
        sys.exit(1)


if __name__ == "__main__":
    main()
