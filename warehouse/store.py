"""Where the warehouse lives, and how a load becomes visible all at once.

DuckDB allows one writing process or many reading ones per file, and a reader
blocks a writer. So the dashboard never reads the file being written: the
warehouse is a series of immutable snapshot files, and a pointer file names
the current one.

An ingest (one writer at a time, by a lock file) copies the current snapshot
to a private file, loads and rebuilds there, and only when everything has
succeeded renames it into place and swaps the pointer with an atomic rename.
A failure anywhere leaves the pointer, and so the warehouse, as it was.
Readers look at the pointer before each query and move to the new snapshot
on their own; older snapshots are removed (a reader still holding one keeps
reading it: the file disappears from the folder, not from under the reader).
"""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb

from warehouse.config import Settings, load_settings
from warehouse.schema import ensure_schema

POINTER = "CURRENT"
# Rows per row group in the tables a snapshot writer makes (DuckDB's default is 122,880). The marts are
# stored in school order and a school has some 1,500 pupils: in groups this size, a school's query reads its
# own few groups (its zone maps skip the rest) where it read a whole trust's group of 122,880 rows. Measured
# at 60 schools, a school's heavier loaders answer some 15% sooner (docs/benchmarks.md, fourth round).
ROW_GROUP_ROWS = 8192
SNAPSHOT_PATTERN = re.compile(r"^wh-(\d{6})\.duckdb$")


class WarehouseBusy(Exception):
    """Another ingest holds the writer's lock."""


@dataclass
class Store:
    settings: Settings

    @classmethod
    def default(cls) -> "Store":
        return cls(load_settings())

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def imports_dir(self) -> Path:
        """Every imported file, kept by its hash: raw as received, to the byte."""
        return self.data_dir / "imports"

    def pointer_state(self) -> tuple | None:
        """Which pointer file is in place (None: none): it changes at every publish, which replaces the file.
        A stat, a tenth of reading the pointer, which readers would otherwise do before every query."""
        try:
            state = os.stat(self.data_dir / POINTER)
        except FileNotFoundError:
            return None
        return state.st_ino, state.st_mtime_ns, state.st_ctime_ns, state.st_size

    def current_snapshot(self) -> Path | None:
        try:
            name = (self.data_dir / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.snapshots_dir / name
        return path if name and path.exists() else None

    def _next_snapshot_name(self) -> str:
        numbers = [int(m.group(1)) for p in self.snapshots_dir.glob("wh-*.duckdb")
                   if (m := SNAPSHOT_PATTERN.match(p.name))]
        return f"wh-{max(numbers, default=0) + 1:06d}.duckdb"

    @contextmanager
    def writer(self, wait_seconds: float = 0) -> Iterator["SnapshotWriter"]:
        """A private copy of the warehouse to change; published only if the block succeeds.

        With wait_seconds, wait that long for a running import to finish (a background rebuild
        queues behind it); otherwise a busy warehouse is refused at once.
        """
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / "ingest.lock", "w") as lock:
            _lock(lock, wait_seconds)
            final = self.snapshots_dir / self._next_snapshot_name()
            building = final.with_name(final.name + ".building")
            building.unlink(missing_ok=True)
            current = self.current_snapshot()
            if current is not None:
                shutil.copyfile(current, building)
            con = open_to_write(building)
            # Nobody reads this file until it is published: checkpoint once, at the end,
            # rather than every few megabytes of a big load.
            con.execute("set checkpoint_threshold = '64GB'")
            writer = SnapshotWriter(con, building)
            try:
                ensure_schema(con)
                yield writer
                if writer.changed:
                    con.execute("checkpoint")
                con.close()
            except BaseException:
                con.close()
                building.unlink(missing_ok=True)
                raise
            if not writer.changed:
                building.unlink(missing_ok=True)
                return
            os.replace(building, final)
            self._point_to(final)
            writer.published = final
            self._remove_old_snapshots()

    def _point_to(self, snapshot: Path) -> None:
        pointer = self.data_dir / POINTER
        temporary = pointer.with_name(POINTER + ".new")
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(snapshot.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, pointer)

    def _remove_old_snapshots(self) -> None:
        snapshots = sorted(p for p in self.snapshots_dir.glob("wh-*.duckdb") if SNAPSHOT_PATTERN.match(p.name))
        for old in snapshots[: -self.settings.keep_snapshots]:
            old.unlink(missing_ok=True)


def open_to_write(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection whose default database is the file at `path`, writing row groups of ROW_GROUP_ROWS (an
    option of attaching, not kept in the file: it applies to what this connection writes)."""
    con = duckdb.connect()
    con.execute("attach ? as warehouse (row_group_size ?)", [str(path), ROW_GROUP_ROWS])
    con.execute("use warehouse")
    return con


def _lock(lock, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError as error:
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    "another import is running on this warehouse; try again when it has finished"
                ) from error
            time.sleep(0.5)


@dataclass
class SnapshotWriter:
    con: duckdb.DuckDBPyConnection
    path: Path
    changed: bool = False
    published: Path | None = None
