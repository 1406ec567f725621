"""Benchmark: rebuilding the warehouse's models (staging, core, intermediate, marts) for the demo school.

    python bench/marts.py              # load the demo into a temporary warehouse, then time 5 rebuilds
    python bench/marts.py --runs 10

Each run rebuilds every derived model and runs the data tests on a copy of the
demo warehouse, as `python -m warehouse rebuild` and every import do. Prints
each run's seconds and the slowest models of the last run. Budget: <= 5 s for
all marts of the demo school. Results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = Path(temporary) / "warehouse"
        env = {**os.environ, "TRACKER_DATA_DIR": str(data_dir)}
        subprocess.run([sys.executable, "-m", "warehouse", "demo", "--quiet"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        os.environ["TRACKER_DATA_DIR"] = str(data_dir)
        import duckdb

        from warehouse import transform
        from warehouse.config import load_settings
        from warehouse.store import Store, open_to_write

        settings = load_settings()
        snapshot = Store(settings).current_snapshot()
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"duckdb {duckdb.__version__}; demo snapshot {snapshot.stat().st_size / 2**20:.0f} MiB")
        timings, model_times = [], {}
        for run in range(args.runs):
            copy = Path(temporary) / f"rebuild-{run}.duckdb"
            shutil.copyfile(snapshot, copy)
            con = open_to_write(copy)   # as an import writes, in its row groups
            started = time.perf_counter()
            model_times = transform.build(con, settings, timings=True)
            timings.append(time.perf_counter() - started)
            con.close()
            copy.unlink()
            print(f"run {run + 1}: {timings[-1]:.2f} s")
        print(f"median {statistics.median(timings):.2f} s, best {min(timings):.2f} s (budget 5 s)")
        print("slowest models (last run):")
        for name, seconds in sorted(model_times.items(), key=lambda item: -item[1])[:8]:
            print(f"  {name:32s} {seconds:.2f} s")


if __name__ == "__main__":
    main()
