"""Settings, read once from tracker.toml (or $TRACKER_CONFIG) and the environment."""
from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The settings the measures read (transforms read them from the ref_settings
# table), with their defaults; tracker.toml's [progress], [measures] and
# [review] tables override them. docs/measures.md says what each one does.
MEASURE_DEFAULTS: dict[str, object] = {
    # How progress targets are set in each key stage: straight | sublevels | learned.
    "progress.ks3_method": "sublevels",
    "progress.ks4_method": "straight",
    "progress.ks5_method": "straight",
    "progress.sublevels_per_year": 2,
    # A learned trajectory needs at least this many past pupils in the subject
    # (else all the key stage's subjects together; else a straight line).
    "progress.learned_min_pupils": 30,
    # Within this many grades of the progress target is on track; this far below is well below.
    "progress.on_track_tolerance_grades": 0.34,
    "progress.well_below_grades": 1.0,
    # A target is "not challenging" when the pupil was ahead at this many latest points in a row.
    "progress.not_challenging_points": 2,
    # DfE A8 estimates used for the estimated Progress 8: exam year and version.
    "measures.p8_table_year": 2024,
    "measures.p8_table_version": "provisional",
    # The prediction targets are checked against: an imported estimate's source
    # (e.g. FFT50), or school_history (the school's own past cohorts).
    "measures.target_check_prediction": "FFT50",
    # An alternative baseline is linked to the KS2 scale only with this many pupils having both.
    "measures.baseline_link_min_pupils": 30,
    # Review lists (2005 guide, Table 3): thresholds.
    "review.poor_effort_subjects": 2,
    "review.below_target_subjects": 3,
    "review.uneven_range_grades": 3.0,
    "review.poor_attendance_pct": 90.0,
    "review.good_effort_subjects": 5,
    "review.ahead_subjects": 3,
}
PROGRESS_METHODS = ("straight", "sublevels", "learned")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    keep_snapshots: int
    default_school: str
    current_academic_year: str
    max_bad_row_share: float
    answer_memory_mib: float = 256   # [warehouse]: answers each app server keeps per snapshot (warehouse/data.py)
    small_group_size: int = 6   # [access]: exported group figures of fewer pupils are hidden (warehouse/disclosure.py)
    measures: dict = field(default_factory=lambda: dict(MEASURE_DEFAULTS))
    scales: dict = field(default_factory=dict)  # [scales.<code>] tables, see warehouse/scales.py


def load_settings() -> Settings:
    """Read the configuration file; the environment wins over the file.

    Read again only when the file, the environment or the working directory has
    changed: the app asks for the settings several times on every rerun, and
    reading them costs about 2 ms.
    """
    path = Path(os.environ.get("TRACKER_CONFIG", PROJECT_ROOT / "tracker.toml"))
    try:
        modified = path.stat().st_mtime_ns
    except OSError:
        modified = None
    return _read_settings(str(path), modified, os.environ.get("TRACKER_DATA_DIR"), os.getcwd())


@functools.lru_cache(maxsize=16)
def _read_settings(config: str, modified: int | None, data_dir_override: str | None, cwd: str) -> Settings:
    path = Path(config)
    raw = tomllib.loads(path.read_text(encoding="utf-8")) if modified is not None else {}
    warehouse = raw.get("warehouse", {})
    school = raw.get("school", {})
    ingest = raw.get("ingest", {})
    data_dir = Path(data_dir_override or warehouse.get("data_dir", "data"))
    if not data_dir.is_absolute():
        data_dir = (path.parent if data_dir_override is None else Path(cwd)) / data_dir
    return Settings(
        data_dir=data_dir.resolve(),
        keep_snapshots=max(1, int(warehouse.get("keep_snapshots", 3))),
        default_school=str(school.get("default_school", "S001")),
        current_academic_year=str(school.get("current_academic_year", "2025/26")),
        max_bad_row_share=float(ingest.get("max_bad_row_share", 0.25)),
        answer_memory_mib=max(0.0, float(warehouse.get("answer_memory_mib", 256))),
        small_group_size=max(1, int(raw.get("access", {}).get("small_group_size", 6))),
        measures=measure_settings(raw),
        scales=dict(raw.get("scales", {})),
    )


class SettingError(ValueError):
    """A setting in tracker.toml has a value the tracker cannot use."""


def measure_settings(raw: dict) -> dict:
    """MEASURE_DEFAULTS overridden by the file's [progress], [measures] and [review] tables."""
    values = dict(MEASURE_DEFAULTS)
    for section in ("progress", "measures", "review"):
        for key, value in raw.get(section, {}).items():
            name = f"{section}.{key}"
            if name not in MEASURE_DEFAULTS:
                raise SettingError(f"tracker.toml [{section}]: unknown setting {key!r}")
            default = MEASURE_DEFAULTS[name]
            try:
                values[name] = type(default)(value)
            except (TypeError, ValueError):
                raise SettingError(f"tracker.toml [{section}] {key} = {value!r}: "
                                   f"expected a {type(default).__name__}") from None
            if name.endswith("_method") and values[name] not in PROGRESS_METHODS:
                raise SettingError(f"tracker.toml [{section}] {key} = {value!r}: "
                                   f"use one of {', '.join(PROGRESS_METHODS)}")
    table = (str(values["measures.p8_table_year"]), values["measures.p8_table_version"])
    if table not in p8_tables():
        available = ", ".join(f"{year} {version}" for year, version in sorted(p8_tables()))
        raise SettingError(f"tracker.toml [measures]: no DfE A8 estimates for {table[0]} {table[1]}; "
                           f"the tables shipped are {available}")
    return values


def p8_tables() -> set[tuple[str, str]]:
    """(exam year, version) of each DfE A8 estimates table in warehouse/reference/dfe_ks4/."""
    import csv

    path = PROJECT_ROOT / "warehouse" / "reference" / "dfe_ks4" / "a8_estimates_by_ks2_group.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        return {(row["exam_year"], row["version"]) for row in csv.DictReader(handle)}
