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


Parts = Callable[[pd.DataFrame], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Summary:
    """How a group's rows become one figure.

    Most figures are scale x (sum of a part per row) / (sum of another): a mean
    (value / 1 per known row), a share (flag / 1 per known row), a rate
    (sessions present / possible). Those give `parts`, and compare_groups then
    sums each group once and takes "the rest" as the total minus the group,
    which keeps a live split of thousands of rows fast. A figure of another
    shape gives only `compute`.
    """
    label: str
    compute: Callable[[pd.DataFrame], float]
    parts: Parts | None = None
    scale: float = 1.0


def _from_parts(parts: Parts, scale: float) -> Callable[[pd.DataFrame], float]:
    def compute(rows: pd.DataFrame) -> float:
        numerator, denominator = parts(rows)
        total = denominator.sum()
        return scale * numerator.sum() / total if total else float("nan")
    return compute


def summed(label: str, parts: Parts, scale: float = 1.0) -> Summary:
    """A Summary that is scale x sum(numerator) / sum(denominator) over the rows' parts."""
    return Summary(label, _from_parts(parts, scale), parts, scale)


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def mean_of(column: str) -> Summary:
    """The mean of a column over the rows where it is known."""
    def parts(rows: pd.DataFrame):
        values = _numbers(rows[column])
        known = ~np.isnan(values)
        return np.where(known, values, 0.0), known.astype(float)
    return summed(f"mean {column}", parts)


def share_of(flag: str) -> Summary:
    """Percentage of rows where a boolean column is true, of the rows where it is known."""
    def parts(rows: pd.DataFrame):
        values = rows[flag]
        known = values.notna().to_numpy()
        return (values.where(known, False).astype(bool).to_numpy() & known).astype(float), known.astype(float)
    return summed(f"% {flag}", parts, 100.0)


def ratio_parts(numerator: str, denominator: str) -> Parts:
    """Both columns, on the rows where both are known."""
    def parts(rows: pd.DataFrame):
        top, bottom = _numbers(rows[numerator]), _numbers(rows[denominator])
        known = ~np.isnan(top) & ~np.isnan(bottom)
        return np.where(known, top, 0.0), np.where(known, bottom, 0.0)
    return parts


def rate_of(numerator: str, denominator: str) -> Summary:
    """100 x sum(numerator) / sum(denominator) over rows with both, e.g. attendance % over sessions."""
    return summed(f"% {numerator} of {denominator}", ratio_parts(numerator, denominator), 100.0)


COLUMNS = ["group_by", "group", "pupils", "value", "rest_pupils", "rest_value", "gap"]


def compare_groups(frame: pd.DataFrame, by: str, summary: Summary, pupil_key: str = "upn") -> pd.DataFrame:
    """Each group's figure beside the rest's, and the gap between them.

    The frame may have a row per pupil, or several (e.g. a row per pupil and
    subject, grouped by class or teacher): a group is its rows, the rest is the
    other rows. A list-valued column (custom_groups) puts a pupil's rows in each
    of its groups; the rest is then every row not in that group. Rows with no
    value for `by` are left out of the groups but stay in "the rest".
    """
    frame = frame.reset_index(drop=True)
    column = frame[by]
    listed = column.map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any()
    values = column.explode() if listed else column
    values = values.dropna()
    keys = pd.factorize(frame[pupil_key])[0]
    if summary.parts is not None:
        numerator, denominator = summary.parts(frame)
        total_numerator, total_denominator = numerator.sum(), denominator.sum()

    def figure(top: float, bottom: float) -> float:
        return summary.scale * top / bottom if bottom else float("nan")

    rows = []
    for group, positions in sorted(values.groupby(values, sort=True).indices.items(), key=lambda item: item[0]):
        members = np.unique(values.index.to_numpy()[positions])
        in_group = np.zeros(len(frame), dtype=bool)
        in_group[members] = True
        if summary.parts is not None:
            top, bottom = numerator[in_group].sum(), denominator[in_group].sum()
            value = figure(top, bottom)
            rest_value = figure(total_numerator - top, total_denominator - bottom)
        else:
            value = summary.compute(frame[in_group])
            rest_value = summary.compute(frame[~in_group]) if (~in_group).any() else float("nan")
        rows.append({
            "group_by": by, "group": group,
            "pupils": len(np.unique(keys[in_group])), "value": value,
            "rest_pupils": len(np.unique(keys[~in_group])), "rest_value": rest_value,
            "gap": value - rest_value,
        })
    result = pd.DataFrame(rows, columns=COLUMNS)
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


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class AttendancePattern:
    by_day: pd.DataFrame    # weekday x AM/PM: possible, missed (authorised, unauthorised), attendance %
    by_week: pd.DataFrame   # week starting (Monday): possible, missed, attendance %


def attendance_pattern(sessions: pd.DataFrame) -> AttendancePattern:
    """Where a pupil's absences fall: by day of the week and session, and week by week.

    `sessions`: one row per possible session (named query `pupil_sessions`).
    Present includes approved educational activity, as the DfE counts it.
    Counted with numpy: a pupil's year is a few hundred sessions, and pandas' grouping of them took ~15 ms,
    a third of the Pupil page's loading.
    """
    dates = sessions["session_date"].to_numpy(dtype="datetime64[D]")
    day = (dates.astype("int64") + 3) % 7   # Monday 0: 1 January 1970 was a Thursday
    session, session_names = pd.factorize(sessions["session"], sort=True)
    per_day = max(len(session_names), 1)   # sessions a day (AM, PM): day and session as one number
    flags = {"missed": ~sessions["is_present"].astype(bool).to_numpy(),
             "authorised": sessions["is_authorised_absence"].astype(bool).to_numpy(),
             "unauthorised": sessions["is_unauthorised_absence"].astype(bool).to_numpy()}

    def summarise(key: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        """The distinct keys, in order, and each one's counts."""
        keys, group = np.unique(key, return_inverse=True)
        counts = {"possible": np.bincount(group, minlength=len(keys))}
        counts |= {name: np.bincount(group, weights=flag, minlength=len(keys)).astype("int64")
                   for name, flag in flags.items()}
        summary = pd.DataFrame(counts)
        summary["attendance_pct"] = (100.0 * (summary["possible"] - summary["missed"]) / summary["possible"]).round(1)
        return keys, summary

    day_session, by_day = summarise(day * per_day + session)
    by_day.insert(0, "session", session_names.to_numpy(dtype=object)[day_session % per_day])
    by_day.insert(0, "weekday", pd.array([WEEKDAYS[d] for d in day_session // per_day], dtype="str"))
    weeks, by_week = summarise(dates - day.astype("timedelta64[D]"))
    by_week.insert(0, "week", weeks.astype("datetime64[us]"))
    return AttendancePattern(by_day, by_week)


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
    # Placed with numpy (pandas' pivot_table took ~11 ms of the Subjects page's loading).
    grade_of, grades = pd.factorize(counts["grade"], sort=True)
    highest = np.full(len(grades), -np.inf)
    np.fmax.at(highest, grade_of, counts["grade_order"].to_numpy(dtype="float64", na_value=np.nan))
    order = np.argsort(-highest, kind="stable")   # highest grade first
    bands = counts["prior_attainment_band"].fillna("no baseline").to_numpy(dtype=object)
    rows = [band for band in (*BAND_ORDER, "no baseline") if band in set(bands)]
    row_of = np.array([rows.index(band) if band in rows else -1 for band in bands])
    cells = np.zeros((len(rows), len(grades)), dtype="int64")
    shown = row_of >= 0
    np.add.at(cells, (row_of[shown], grade_of[shown]), counts["pupils"].to_numpy(dtype="int64")[shown])
    return pd.DataFrame(cells[:, order], index=pd.Index(rows, name="prior_attainment_band"),
                        columns=pd.Index(grades[order], name="grade"))
