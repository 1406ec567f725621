"""A dashboard stand-in for the two-process test: reads in a loop, records what it saw.

    python -m tests.live_reader OUT_FILE SECONDS EXPECTED_PUPILS
Every few milliseconds it asks the warehouse how many pupils are on roll and
appends one JSON line (time, pupils, snapshot, error) to OUT_FILE; it stops once
it has seen EXPECTED_PUPILS or after SECONDS.
"""
import json
import sys
import time

from warehouse.data import WarehouseReader


def main(out_file: str, seconds: float, expected: int) -> None:
    reader = WarehouseReader()
    deadline = time.time() + seconds
    with open(out_file, "a", encoding="utf-8") as out:
        while time.time() < deadline:
            entry = {"time": time.time()}
            try:
                summary = reader.run("school_summary")
                entry["pupils"] = int(summary.pupils_on_roll.sum())
                entry["snapshot"] = reader.snapshot().name
            except Exception as error:  # recorded, so the test can fail on it
                entry["error"] = repr(error)
            out.write(json.dumps(entry) + "\n")
            out.flush()
            if entry.get("pupils") == expected:
                break
            time.sleep(0.01)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
