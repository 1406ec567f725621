"""Settings, read once from tracker.toml (or $TRACKER_CONFIG) and the environment."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    keep_snapshots: int
    default_school: str
    current_academic_year: str
    max_bad_row_share: float


def load_settings() -> Settings:
    """Read the configuration file; the environment wins over the file."""
    path = Path(os.environ.get("TRACKER_CONFIG", PROJECT_ROOT / "tracker.toml"))
    raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    warehouse = raw.get("warehouse", {})
    school = raw.get("school", {})
    ingest = raw.get("ingest", {})
    data_dir = Path(os.environ.get("TRACKER_DATA_DIR") or warehouse.get("data_dir", "data"))
    if not data_dir.is_absolute():
        data_dir = (path.parent if "TRACKER_DATA_DIR" not in os.environ else Path.cwd()) / data_dir
    return Settings(
        data_dir=data_dir.resolve(),
        keep_snapshots=max(1, int(warehouse.get("keep_snapshots", 3))),
        default_school=str(school.get("default_school", "S001")),
        current_academic_year=str(school.get("current_academic_year", "2025/26")),
        max_bad_row_share=float(ingest.get("max_bad_row_share", 0.25)),
    )
