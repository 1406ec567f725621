"""Grade scales as data: the built-in scales plus any a school adds or edits in tracker.toml.

A scale is an ordered list of labels (rank 1 is the highest) with points, so that
words compute: "6-" < "6" < "6+", "4c" < "4b" < "4a", "M" < "D".

- `points` orders and measures grades within a scale (progress, gaps, averages).
- `a8_points` is what the grade is worth in Attainment 8, by the DfE's tables:
  whole GCSE grades (a "6-" working-at grade counts as a 6), legacy A*-G letters
  and Level 1/2 technical awards by the DfE's published point scores
  (see warehouse/reference/README.md for the sources). Blank where a scale
  does not count in Attainment 8 (NC levels, percentages).
- `grade_width` is the points in one whole grade (for gaps "in grades"), and
  `sublevel_width` the points in one sub-level or fine grade.
- `aliases` are other spellings accepted on import and stored as the label,
  separated by ";" (e.g. "6=" for "6" on the + / = / - convention, and "6−" with
  a minus sign as word processors type it).

In tracker.toml, [scales.<code>] adds a scale, or replaces the built-in one of
that code whole:

    [scales.science_ks3]
    name = "KS3 science steps"
    kind = "attainment"          # or "effort"
    grade_width = 3              # points per whole grade
    sublevel_width = 1           # points per step
    grades = [                   # highest first
        { label = "Secure+", points = 9 },
        { label = "Secure", points = 8, aliases = ["Sec"] },
        ...
    ]
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
COLUMNS = ["scale_code", "scale_name", "kind", "rank", "label", "points", "a8_points",
           "grade_width", "sublevel_width", "aliases"]
KINDS = ("attainment", "effort")


class ScaleConfigError(ValueError):
    """A scale in tracker.toml is not usable; the message says which and why."""


def builtin_scales() -> pd.DataFrame:
    labels = pd.read_csv(REFERENCE_DIR / "grade_scales.csv", dtype=str, keep_default_na=False)
    widths = pd.read_csv(REFERENCE_DIR / "grade_scale_widths.csv", dtype=str, keep_default_na=False)
    return labels.merge(widths, on="scale_code", how="left")[COLUMNS]


def configured_scales(config: dict) -> pd.DataFrame:
    """Rows for the [scales.<code>] tables of tracker.toml."""
    rows = []
    for code, spec in config.items():
        where = f"tracker.toml [scales.{code}]"
        grades = spec.get("grades")
        if not isinstance(grades, list) or not grades:
            raise ScaleConfigError(f"{where}: needs grades = [{{ label = ..., points = ... }}, ...], highest first")
        kind = spec.get("kind", "attainment")
        if kind not in KINDS:
            raise ScaleConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        seen = set()
        previous = None
        for rank, grade in enumerate(grades, start=1):
            try:
                label, points = str(grade["label"]), float(grade["points"])
            except (KeyError, TypeError, ValueError):
                raise ScaleConfigError(f"{where}: grade {rank} needs a label and numeric points") from None
            if label.upper() in seen:
                raise ScaleConfigError(f"{where}: label {label!r} appears twice")
            if previous is not None and points > previous:
                raise ScaleConfigError(f"{where}: grades must be listed highest first ({label!r} is above the one before)")
            seen.add(label.upper())
            previous = points
            a8 = grade.get("a8_points")
            aliases = grade.get("aliases", [])
            if isinstance(aliases, str) or not all(isinstance(a, str) for a in aliases):
                raise ScaleConfigError(f"{where}: aliases of {label!r} must be a list of strings")
            rows.append({
                "scale_code": code, "scale_name": str(spec.get("name", code)), "kind": kind,
                "rank": str(rank), "label": label, "points": f"{points:g}",
                "a8_points": "" if a8 is None else f"{float(a8):g}",
                "grade_width": f"{float(spec.get('grade_width', 1)):g}",
                "sublevel_width": f"{float(spec.get('sublevel_width', spec.get('grade_width', 1))):g}",
                "aliases": ";".join(aliases),
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def all_scales(config: dict | None = None) -> pd.DataFrame:
    """Every scale in force: built in, with the configured ones added or replacing."""
    builtin = builtin_scales()
    extra = configured_scales(config or {})
    if extra.empty:
        return builtin
    kept = builtin[~builtin["scale_code"].isin(set(extra["scale_code"]))]
    return pd.concat([kept, extra], ignore_index=True)
