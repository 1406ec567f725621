"""Measures that take a question asked live: groups, movement, date ranges, transitions.

Plain functions over DataFrames and named queries (no Streamlit), for the
dashboard and for anyone scripting the warehouse. `run` is anything with the
signature of WarehouseReader.run: run(query_name, **params) -> DataFrame.

Group comparisons take a pupil-level frame (one row per pupil, e.g. a mart
joined to mart_pupil) and a summary: the mean of a column, the share of pupils
with a flag, or a rate of two summed columns (attendance is sessions-weighted,
as the DfE computes it, not a mean of pupils' percentages).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

Run = Callable[..., pd.DataFrame]

# The standard subgroups (DESIGN.md §3) as columns of mart_pupil.
STANDARD_GROUPS = ("gender", "disadvantaged", "pupil_premium", "fsm", "sen_status", "eal", "ethnicity",
                   "looked_after", "more_able", "prior_attainment_band", "year_group", "tutor_group")
BAND_ORDER = ("low", "middle", "high")


@dataclass(frozen=True)
class Summary:
    """How a group's rows become one figure."""
    label: str
    compute: Callable[[pd.DataFrame], float]


def mean_of(column: str) -> Summary:
    return Summary(f"mean {column}", lambda rows: rows[column].mean())


def share_of(flag: str) -> Summary:
    """Percentage of rows where a boolean column is true, of the rows where it is known."""
    def compute(rows: pd.DataFrame) -> float:
        known = rows[flag].dropna()
        return 100.0 * known.astype(bool).mean() if len(known) else float("nan")
    return Summary(f"% {flag}", compute)


def rate_of(numerator: str, denominator: str) -> Summary:
    """100 x sum(numerator) / sum(denominator) over rows with both, e.g. attendance % over sessions."""
    def compute(rows: pd.DataFrame) -> float:
        known = rows[[numerator, denominator]].dropna()
        total = known[denominator].sum()
        return 100.0 * known[numerator].sum() / total if total else float("nan")
    return Summary(f"% {numerator} of {denominator}", compute)


def compare_groups(frame: pd.DataFrame, by: str, summary: Summary, pupil_key: str = "upn") -> pd.DataFrame:
    """Each group's figure beside the rest's, and the gap between them.

    The frame may have a row per pupil, or several (e.g. a row per pupil and
    subject, grouped by class or teacher): a group is its rows, the rest is the
    other rows. A list-valued column (custom_groups) puts a pupil's rows in each
    of its groups; the rest is then every row not in that group. Rows with no
    value for `by` are left out of the groups but stay in "the rest".
    """
    frame = frame.reset_index(drop=True)
    listed = frame[by].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any()
    exploded = frame.explode(by) if listed else frame
    rows = []
    for group, members in exploded.dropna(subset=[by]).groupby(by, sort=True):
        in_group = frame.index.isin(members.index.unique())
        rest = frame[~in_group]
        value = summary.compute(frame[in_group])
        rest_value = summary.compute(rest) if len(rest) else float("nan")
        rows.append({
            "group_by": by, "group": group,
            "pupils": int(frame.loc[in_group, pupil_key].nunique()), "value": value,
            "rest_pupils": int(rest[pupil_key].nunique()), "rest_value": rest_value,
            "gap": value - rest_value,
        })
    result = pd.DataFrame(rows, columns=["group_by", "group", "pupils", "value", "rest_pupils", "rest_value", "gap"])
    result.attrs["measure"] = summary.label
    return result


def members_of(frame: pd.DataFrame, by: str, group) -> pd.Series:
    """Which rows are in one group of compare_groups' split (a list column: rows whose list holds it)."""
    values = frame[by]
    if values.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any():
        return values.map(lambda v: isinstance(v, (list, tuple, np.ndarray)) and group in list(v))
    return values.astype(object) == group


def residuals_by(residuals: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Mean subject residual (mart_subject_residual) by subject, class, teacher or any columns."""
    grouped = residuals.groupby(by, dropna=False)
    return (grouped.agg(pupils=("upn", "nunique"), mean_residual_grades=("residual_grades", "mean"))
            .reset_index().sort_values("mean_residual_grades"))


def movement_between(run: Run, school: str, from_point: str, to_point: str) -> pd.DataFrame:
    """Per pupil and subject: grade at each point and whether it went up, stayed or went down."""
    return run("movement", school=school, from_point=from_point, to_point=to_point)


def movement_summary(movement: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts of up / same / down, and the mean change in grades, per group."""
    counts = (movement.groupby(by + ["movement"]).size().unstack(fill_value=0)
              .reindex(columns=["up", "same", "down"], fill_value=0))
    counts["mean_change_grades"] = movement.groupby(by)["change_grades"].mean()
    return counts.reset_index()


VIEW_PARAMETERS = ("scope_schools", "scope_upns", "assessment_point", "year_group", "disadvantaged", "sen_status",
                   "gender", "prior_attainment_band", "custom_group")


def attendance_between(run: Run, school: str, from_date, to_date, **view) -> pd.DataFrame:
    """Per pupil attendance between two dates (inclusive), by the DfE definitions.

    `view` narrows the pupils (warehouse.view.loader_params); without it, all the school's pupils.
    """
    return run("attendance_between", **{**dict.fromkeys(VIEW_PARAMETERS), **view, "school": school,
                                          "from_date": pd.Timestamp(from_date).date(),
                                          "to_date": pd.Timestamp(to_date).date()})


ATTENDANCE = rate_of("present_sessions", "possible_sessions")
PERSISTENT_ABSENCE = share_of("persistent_absent")
SEVERE_ABSENCE = share_of("severe_absent")


def transition_matrix(run: Run, school: str, assessment_point: str, subject_code: str,
                      grade_type: str = "working_at", **view) -> pd.DataFrame:
    """Pupils by prior-attainment band (rows, low to high) and grade (columns, highest first).

    `view` narrows the pupils: the scope and filters of warehouse.view (loader_params);
    without it, all the school's pupils.
    """
    counts = run("transition_matrix", **{**dict.fromkeys(VIEW_PARAMETERS), **view, "school": school,
                                          "assessment_point": assessment_point, "subject_code": subject_code,
                                          "grade_type": grade_type})
    if counts.empty:
        return pd.DataFrame(index=pd.Index([], name="prior_attainment_band"))
    order = counts.groupby("grade")["grade_order"].max().sort_values(ascending=False).index
    counts["prior_attainment_band"] = counts["prior_attainment_band"].fillna("no baseline")
    matrix = counts.pivot_table(index="prior_attainment_band", columns="grade", values="pupils",
                                aggfunc="sum", fill_value=0)
    rows = [band for band in (*BAND_ORDER, "no baseline") if band in matrix.index]
    return matrix.reindex(index=rows, columns=list(order), fill_value=0)
