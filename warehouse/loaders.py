"""Named loaders: what each page asks the warehouse for, always within the viewer's scope.

`run` is WarehouseReader.run (or anything with its signature that may be called
from several threads at once: a page's queries run side by side). No Streamlit here.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import pandas as pd

from warehouse.view import Scope, ViewFilters, loader_params

Run = Callable[..., pd.DataFrame]

# A page's queries run side by side: each on its own cursor, and DuckDB lets go of
# Python while it works, so four small queries take about half as long as in turn.
_QUERIES = ThreadPoolExecutor(max_workers=6, thread_name_prefix="warehouse-query")


def together(*calls: Callable[[], pd.DataFrame]) -> list[pd.DataFrame]:
    """The results of several calls (e.g. partial(run, "query", **params)), run at the same time, in order."""
    return list(_QUERIES.map(lambda call: call(), calls))


def filter_options(run: Run, scope: Scope) -> pd.DataFrame:
    """Schools, drops, and the year groups, subjects and custom groups seen at each."""
    return run("filter_options", **scope.params())


@dataclass
class Overview:
    progress_by_point: pd.DataFrame   # one row per drop: the trend, and the chosen drop's headline
    by_subject: pd.DataFrame
    ks4: pd.DataFrame                 # one row per basis
    attendance: pd.DataFrame          # one row

    def at_point(self, assessment_point: str) -> pd.Series | None:
        rows = self.progress_by_point[self.progress_by_point["assessment_point"] == assessment_point]
        return None if rows.empty else rows.iloc[0]


def overview(run: Run, scope: Scope, view: ViewFilters) -> Overview:
    """A whole year group or the whole school, or a standard subgroup of it, seen by a viewer of the whole
    school, is summed from marts of counts (the `_whole_cohort` queries: a few hundred rows; KS4's only with no
    subgroup); a school's own group, or a viewer of some pupils or subjects, is counted from the pupils' rows."""
    params = loader_params(scope, view)
    summed = whole_cohort(scope, view)
    plain = summed and all(value is None for value in subgroups(view))
    return Overview(*together(*(partial(run, name + ("_whole_cohort" if use else ""), **params) for name, use in (
        ("overview_progress", summed), ("overview_by_subject", summed), ("overview_ks4", plain),
        ("overview_attendance", summed)))))


def subgroups(view: ViewFilters) -> tuple:
    """The standard subgroups the view chose (None: any)."""
    return view.disadvantaged, view.sen_status, view.gender, view.prior_attainment_band


def whole_cohort(scope: Scope, view: ViewFilters) -> bool:
    """Whether the view's pupils are a whole year group (or the whole school), or a standard subgroup of it,
    not a school's own group, and the viewer sees every pupil and subject of the school: then its figures
    may come from counts made per year group and subgroup."""
    return scope.upns is None and scope.subjects is None and view.custom_group is None


STATUS_LABELS = {"ahead": "▲ ahead", "on_track": "● on track", "below": "▼ below", "well_below": "▼▼ well below"}


@dataclass
class YearReview:
    lists: pd.DataFrame    # concern and commendation lists with reasons
    pupils: int            # pupils with grades at the drop


def status_grid(subjects: pd.DataFrame) -> pd.DataFrame:
    """A row per pupil (by name), a column per subject (by name) with the status in words ("" where the
    pupil does not take it). Each cell is placed by position, its row and column numbered from the pupil's
    and the subject's place in the grid's order: pandas' pivot_table (sorting and grouping text) took
    12-50 ms on a year group, about as long as the queries, and dropped pupils with no tutor group."""
    if subjects.empty:
        return subjects
    _, first_row, rows = np.unique(subjects["pupil_order"].to_numpy(), return_index=True, return_inverse=True)
    _, first_column, columns = np.unique(subjects["subject_order"].to_numpy(), return_index=True,
                                         return_inverse=True)
    # Each status in words, looked up once per status (a row at a time took 1.5 ms of a school's 3.4).
    codes, statuses = pd.factorize(subjects["status"])   # code -1: no status
    labels = np.array([STATUS_LABELS.get(status, "–") for status in statuses] + ["–"], dtype=object)[codes]
    cells = np.full((len(first_row), len(first_column)), "", dtype=object)
    # A pupil's first row for a subject wins (numpy does not promise which of repeated positions does).
    first = np.unique(rows * len(first_column) + columns, return_index=True)[1]
    cells[rows[first], columns[first]] = labels[first]
    names = subjects["subject_name"].to_numpy(dtype=object)[first_column]
    return pd.concat([subjects.iloc[first_row][["pupil_name", "upn", "tutor_group"]].reset_index(drop=True),
                      pd.DataFrame(cells, columns=names, dtype=object)], axis=1)


def year_review(run: Run, scope: Scope, view: ViewFilters) -> YearReview:
    """What the Year review always shows: the lists and how many pupils have grades. Its grid and its movers
    are asked for only when their tab is open (year_review_grid, movers): a school's grid is some 10,000 cells."""
    params = loader_params(scope, view)
    lists, pupils = together(partial(run, "review_lists", **params), partial(run, "review_pupils", **params))
    return YearReview(lists=lists, pupils=int(pupils["pupils"].iloc[0]))


def year_review_grid(run: Run, scope: Scope, view: ViewFilters) -> pd.DataFrame:
    """Pupils x subjects with each status in words (status_grid)."""
    return status_grid(run("status_grid", **loader_params(scope, view)))


def movers(run: Run, scope: Scope, view: ViewFilters) -> pd.DataFrame:
    """Who moved between the compare drop and the drop (none without a compare drop)."""
    return run("movers", **loader_params(scope, view)) if view.compare_point else pd.DataFrame()


def pupils_to_find(run: Run, scope: Scope, view: ViewFilters) -> pd.DataFrame:
    """The pupils of the chosen view the viewer may open, by name."""
    return run("pupil_search", **loader_params(scope, view))


@dataclass
class PupilRecord:
    profile: pd.Series | None     # None: no such pupil in the viewer's scope
    progress: pd.DataFrame        # every subject at every drop
    attendance: pd.DataFrame      # each academic year's
    interventions: pd.DataFrame

    def at_point(self, assessment_point: str) -> pd.DataFrame:
        return self.progress[self.progress["assessment_point"] == assessment_point]


def pupil_record(run: Run, scope: Scope, school: str, upn: str) -> PupilRecord:
    """One pupil's record as the Pupil page first shows it: the profile, every grade, each year's attendance
    and the programmes. Their targets and where their absences fell are read when those tabs are opened
    (pupil_targets, pupil_attendance_pattern): of six queries, the two that only a tab shows.

    The queries run side by side: a pupil outside the scope has no profile, and then nothing else is shown.
    """
    params = {**scope.params(), "school": school, "upn": upn}
    profile, progress, attendance, programmes = together(*(partial(run, name, **params) for name in (
        "pupil_profile", "pupil_progress", "pupil_attendance", "pupil_interventions")))
    if profile.empty:
        empty = pd.DataFrame()
        return PupilRecord(None, empty, empty, empty)
    return PupilRecord(profile.iloc[0], progress, attendance, programmes.drop(columns=["school_code", "upn"]))


def pupil_targets(run: Run, scope: Scope, school: str, upn: str) -> pd.DataFrame:
    """One pupil's targets in the viewer's subjects: every kind, and every change, newest first."""
    return run("pupil_targets", **scope.params(), school=school, upn=upn)


def pupil_attendance_pattern(run: Run, scope: Scope, school: str, upn: str, from_date, to_date):
    """Where one pupil's absences fall between two dates: by day and session, and week by week."""
    from warehouse import analysis

    sessions = run("pupil_sessions", **scope.params(), school=school, upn=upn,
                   from_date=pd.Timestamp(from_date).date(), to_date=pd.Timestamp(to_date).date())
    return analysis.attendance_pattern(sessions)


@dataclass
class TargetChecks:
    counts: pd.Series        # targets, flagged, below_prediction, already_attained, not_challenging: of them all
    targets: pd.DataFrame    # the flagged targets (all of them, flagged first, when asked for)


def target_checks(run: Run, scope: Scope, view: ViewFilters, flagged_only: bool = True) -> TargetChecks:
    """The current targets of the view's pupils counted, with the rows of the flagged ones (a quarter of a
    school's ten thousand: the rest are read only when the page is asked to show every target)."""
    params = loader_params(scope, view, flagged_only=flagged_only)
    counts, targets = together(partial(run, "target_check_counts", **params), partial(run, "target_checks", **params))
    return TargetChecks(counts.iloc[0], targets)


def intervention_impact(run: Run, scope: Scope, view: ViewFilters) -> pd.DataFrame:
    return run("intervention_impact", **loader_params(scope, view))


def intervention_participants(run: Run, scope: Scope, school: str, programme: str) -> pd.DataFrame:
    return run("intervention_participants", **scope.params(), school=school, programme=programme).drop(
        columns=["school_code", "programme"])


@dataclass
class SubjectView:
    pupils: pd.DataFrame        # one row per pupil taking the subject, with grade, status, residual and groups
    by_class: pd.DataFrame      # class and teacher: pupils, on track %, mean gap, mean residual
    grades: pd.DataFrame        # grade distribution
    transition: pd.DataFrame    # prior-attainment band x whole grade


def class_summary(pupils: pd.DataFrame) -> pd.DataFrame:
    """Per class and teacher (in order of class, a class with no code last): pupils, on track %, mean gap
    and mean residual in grades, each mean over the pupils who have one. Counted with numpy: pandas'
    grouping took 17 ms (up to 80)."""
    class_of, classes = pd.factorize(pupils["class_code"], sort=True, use_na_sentinel=False)
    teacher_of, teachers = pd.factorize(pupils["teacher"], sort=True, use_na_sentinel=False)
    keys, group = np.unique(class_of * len(teachers) + teacher_of, return_inverse=True)
    pupil_of, upns = pd.factorize(pupils["upn"])
    pupil_groups = np.unique(group * len(upns) + pupil_of) // len(upns)

    def mean(values: pd.Series) -> np.ndarray:
        values = values.to_numpy(dtype="float64", na_value=np.nan)
        known = ~np.isnan(values)
        total = np.bincount(group, weights=np.where(known, values, 0), minlength=len(keys))
        count = np.bincount(group, weights=known, minlength=len(keys))
        return np.divide(total, count, out=np.full(len(keys), np.nan), where=count > 0)

    return pd.DataFrame({
        "class_code": classes[keys // len(teachers)], "teacher": teachers[keys % len(teachers)],
        "pupils": np.bincount(pupil_groups, minlength=len(keys)),
        "pct_on_track": 100 * mean(pupils["on_track"].astype("float")),
        "mean_gap_grades": mean(pupils["gap_grades"]), "mean_residual_grades": mean(pupils["residual_grades"])})


def subject_view(run: Run, scope: Scope, view: ViewFilters) -> SubjectView:
    from warehouse import analysis

    params = loader_params(scope, view)
    pupils, transition = together(partial(run, "subject_rows", **params),
                                  partial(analysis.transition_matrix, run, **params))
    by_class = class_summary(pupils) if not pupils.empty else pd.DataFrame()
    grades = (pupils.groupby(["working_at", "working_at_points"]).size().rename("pupils").reset_index()
              .sort_values("working_at_points", ascending=False)) if not pupils.empty else pd.DataFrame()
    return SubjectView(pupils, by_class, grades, transition)


@dataclass
class AttendanceView:
    pupils: pd.DataFrame     # per pupil over the dates, with their groups and mean gap to target at the drop
    by_month: pd.DataFrame


def attendance(run: Run, scope: Scope, view: ViewFilters, from_date, to_date) -> AttendanceView:
    from warehouse import analysis

    params = loader_params(scope, view)
    dates = {"from_date": pd.Timestamp(from_date).date(), "to_date": pd.Timestamp(to_date).date()}
    pupils, by_month = together(partial(analysis.attendance_between, run, **params, **dates),
                                partial(run, "attendance_by_month", **params, **dates))
    return AttendanceView(pupils, by_month)


def academic_year_dates(run: Run, view: ViewFilters) -> tuple:
    """1 September of the chosen drop's academic year, and the drop's date."""
    point = run("point_dates", school=view.school, assessment_point=view.assessment_point)
    at = point.columns.get_loc   # by position: a column taken as a Series first took twice as long (20 us)
    return point.iat[0, at("year_start")], point.iat[0, at("point_date")]


def group_pupils(run: Run, scope: Scope, view: ViewFilters, basis: str = "working_at") -> pd.DataFrame:
    """The view's pupils, one row each, with their groups, progress, attendance, KS4 figures on `basis`
    and whether they are in a programme that year: what the Groups and gaps page splits and intersects
    (warehouse/groups.py)."""
    params = loader_params(scope, view, basis=basis)
    pupils = run("group_pupils", **params)
    return pupils.assign(in_programme=pupils["upn"].isin(run("programme_pupils", **params)["upn"]))


def staff_targets_included(run: Run) -> int:
    """The newest target set in the tracker that the current snapshot's measures include (0: none)."""
    return int(run("staff_targets_included")["through_id"].iloc[0])


def subject_grades(run: Run, scope: Scope, school: str) -> pd.DataFrame:
    """Each subject's grades, highest first: what a target in it may be."""
    return run("subject_grades", **scope.params(), school=school)


def subject_classes(run: Run, scope: Scope, school: str) -> dict[str, str]:
    """This year's classes and their subjects, within the viewer's subjects."""
    classes = run("subject_classes", **scope.params(), school=school)
    return dict(zip(classes["class_code"], classes["subject_code"]))


def trust_points(run: Run, scope: Scope) -> list[str]:
    """The drops the viewer's schools have grades at, by name, latest first: each dated by the earliest of its
    schools' (none for a viewer of some pupils or subjects)."""
    drops = run("trust_school_points", **scope.params())   # oldest first, then by name
    return drops["assessment_point"].unique().tolist()[::-1]   # each name where first met: at its earliest


@dataclass
class TrustView:
    schools: pd.DataFrame   # one row per school at the drop
    trend: pd.DataFrame     # on track per school at each drop of this year and last

    def on_track_pct(self) -> float | None:
        """The trust's own figure: all its graded subjects together (not the mean of the schools')."""
        graded = self.schools["graded_with_target"].sum()
        return None if not graded else round(100.0 * self.schools["on_track_or_ahead"].sum() / graded, 1)


def trust(run: Run, scope: Scope, assessment_point: str, year_group: int | None) -> TrustView:
    """The trust's schools compared at a drop and across drops, for a year group or all of them (whole-school
    viewers; others get no rows). Answered from memory (the reader's LOOKUPS), so asked in turn."""
    params = {**scope.params(), "assessment_point": assessment_point, "year_group": year_group}
    if year_group is None:
        schools, trend = run("trust_schools_all_years", **params), run("trust_trend_all_years", **params)
    else:
        schools = run("trust_schools", **params).drop(columns=["year_group"])
        trend = run("trust_trend", **params).drop(columns=["year_group"])
    return TrustView(schools.drop(columns=["assessment_point"]), trend.drop(columns=["chosen_point"]))
