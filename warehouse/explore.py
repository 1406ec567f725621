"""Explore: questions no page anticipated, asked from a fixed catalogue (no free SQL).

A question is a measure, a split (optionally a second one) and the view's
pupils: "on track % by teacher for disadvantaged boys", "attendance by tutor
group in Year 9", "Attainment 8 by prior-attainment band and gender". The
catalogue maps each choice to a fixed column of a frame loaded by the named
queries `subject_rows` (one row per pupil x subject at the drop) and
`explore_pupil_rows` (one row per pupil); pandas does the grouping with
`warehouse.analysis` (compare_groups and its summaries), so every figure is
summarised by the same rules as the other pages. No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from warehouse.analysis import Summary, compare_groups, mean_of, rate_of, share_of
from warehouse.view import Scope, ViewFilters, loader_params

Run = Callable[..., pd.DataFrame]

SUBJECT = "subject"   # a row per pupil x subject at the drop
PUPIL = "pupil"       # a row per pupil
EITHER = "either"     # pupils counted on whichever rows the split needs

KS4_BASES = {"working_at": "Working-at grades", "predicted": "Predicted grades", "target": "Targets",
             "mock": "Mock results"}


def _pupils() -> Summary:
    return Summary("pupils", lambda rows: float(rows["upn"].nunique()))


@dataclass(frozen=True)
class Measure:
    key: str                        # its value in the URL
    label: str                      # as the page names it
    level: str                      # SUBJECT, PUPIL or EITHER
    summary: Summary
    needs: tuple[str, ...]          # columns a row must have to count in the figure
    unit: str                       # "%", "grades", "points", "pupils"
    help: str                       # what the figure means, in words
    decimals: int = 1
    signed: bool = False            # show a + on positive figures (gaps, residuals, P8)
    ks4: bool = False               # from mart_ks4_pupil: has a basis
    has_gap: bool = True            # a gap to the rest means something (not for counts)
    one_scale: bool = False         # points compare within one grade scale only
    shows: tuple[str, ...] = ()     # pupil-level columns the drill-down lists

    def format(self, value: float) -> str:
        if value is None or pd.isna(value):
            return "–"
        text = f"{value:+,.{self.decimals}f}" if self.signed else f"{value:,.{self.decimals}f}"
        return text + ("%" if self.unit == "%" else "")


ATTENDANCE_SHOWS = ("possible_sessions", "present_sessions", "attendance_pct", "persistent_absent")
KS4_SHOWS = ("attainment8", "p8_estimate", "basics_4", "basics_5", "ebacc_entered")

MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("on_track", "On track %", SUBJECT, share_of("on_track"), ("on_track",), "%",
            "Subject grades on track or ahead of the progress target, as a share of the grades with a progress "
            "target (a pupil counts once per subject)."),
    Measure("below_target", "Below target %", SUBJECT, share_of("below_target"), ("below_target",), "%",
            "Subject grades below or well below the progress target, as a share of the grades with one."),
    Measure("gap", "Mean gap to progress target (grades)", SUBJECT, mean_of("gap_grades"), ("gap_grades",),
            "grades", "Working-at grade minus where the pupil should be by now on the way to their target, in "
            "grades of the subject's scale, averaged over pupils' subjects: above zero is ahead.",
            decimals=2, signed=True),
    Measure("working_at", "Mean working-at points", SUBJECT, mean_of("working_at_points"), ("working_at_points",),
            "points", "The mean of the working-at grades' points (6- is 5.67 on GCSE fine grades). Points compare "
            "grades within one scale: choose a subject, or split by subject.", decimals=2, one_scale=True),
    Measure("residual", "Mean residual (grades)", SUBJECT, mean_of("residual_grades"), ("residual_grades",),
            "grades", "A pupil's grade in a subject minus their mean grade in their other subjects, averaged: above "
            "zero, these pupils do better here than in their other subjects.", decimals=2, signed=True),
    Measure("attendance", "Attendance %", PUPIL, rate_of("present_sessions", "possible_sessions"),
            ("present_sessions", "possible_sessions"), "%",
            "Sessions attended as a share of possible sessions in the drop's academic year, over all the pupils "
            "together (weighted by sessions, as the DfE counts it; not a mean of pupils' percentages).",
            shows=ATTENDANCE_SHOWS),
    Measure("persistent_absence", "Persistent absence %", PUPIL, share_of("persistent_absent"),
            ("persistent_absent",), "%",
            "Pupils who missed 10% or more of their possible sessions in the drop's academic year (DfE).",
            shows=ATTENDANCE_SHOWS),
    Measure("attainment8", "Attainment 8 (mean)", PUPIL, mean_of("attainment8"), ("attainment8",), "points",
            "Mean Attainment 8 (0 to 90) on the chosen grades, Year 11 unless a year group is chosen.", ks4=True,
            shows=KS4_SHOWS),
    Measure("p8", "Progress 8 estimate (mean)", PUPIL, mean_of("p8_estimate_exact"), ("p8_estimate_exact",),
            "points", "Mean estimated Progress 8: Attainment 8 against the DfE estimate for each pupil's KS2 "
            "group, ÷ 10. An estimate: the DfE's figure uses the national results of the same year.", decimals=2,
            signed=True, ks4=True, shows=KS4_SHOWS),
    Measure("basics_4", "Basics 4+ %", PUPIL, share_of("basics_4"), ("basics_4",), "%",
            "Pupils with grade 4 or above in English and maths.", ks4=True, shows=KS4_SHOWS),
    Measure("basics_5", "Basics 5+ %", PUPIL, share_of("basics_5"), ("basics_5",), "%",
            "Pupils with grade 5 or above in English and maths.", ks4=True, shows=KS4_SHOWS),
    Measure("ebacc_entry", "EBacc entry %", PUPIL, share_of("ebacc_entered"), ("ebacc_entered",), "%",
            "Pupils entered for every EBacc pillar: English, maths, science, a humanity and a language.", ks4=True,
            shows=KS4_SHOWS),
    Measure("pupils", "Pupils", EITHER, _pupils(), (), "pupils",
            "How many pupils: with a grade at the drop (by subject, class or teacher: in it), or with "
            "attendance that year.", decimals=0, has_gap=False),
)}
DEFAULT_MEASURE = "on_track"


@dataclass(frozen=True)
class Split:
    key: str                         # its value in the URL
    label: str
    column: str
    level: str                       # PUPIL: any frame has it; SUBJECT: pupil-subject rows only
    words: dict = field(default_factory=dict)   # values in words
    order: tuple = ()                # groups in this order (words); others alphabetically after
    by_figure: bool = False          # no natural order: the highest figure first


YES_NO = {True: "Yes", False: "No"}
SPLITS: dict[str, Split] = {s.key: s for s in (
    Split("gender", "Gender", "gender", PUPIL, {"F": "Female", "M": "Male", "X": "Other (X)"},
          ("Female", "Male", "Other (X)")),
    Split("disadvantaged", "Disadvantaged", "disadvantaged", PUPIL, YES_NO, ("Yes", "No")),
    Split("sen", "SEN", "sen_status", PUPIL, {"N": "No SEN", "K": "SEN support", "E": "EHC plan"},
          ("No SEN", "SEN support", "EHC plan")),
    Split("eal", "EAL", "eal", PUPIL, YES_NO, ("Yes", "No")),
    Split("band", "Prior attainment", "prior_attainment_band", PUPIL,
          {"low": "Low", "middle": "Middle", "high": "High", None: "No baseline"},
          ("Low", "Middle", "High", "No baseline")),
    Split("tutor_group", "Tutor group", "tutor_group", PUPIL),
    Split("year_group", "Year group", "year_group", PUPIL),
    Split("school_group", "School group", "custom_groups", PUPIL),
    Split("subject", "Subject", "subject_name", SUBJECT, by_figure=True),
    Split("class", "Class", "class_code", SUBJECT),
    Split("teacher", "Teacher", "teacher", SUBJECT, by_figure=True),
)}
DEFAULT_SPLIT = "gender"


def splits_for(measure: Measure) -> list[Split]:
    """The splits a measure can be cut by: subject, class and teacher only for pupil-subject rows."""
    return [s for s in SPLITS.values() if s.level == PUPIL or measure.level in (SUBJECT, EITHER)]


@dataclass(frozen=True)
class Question:
    measure: Measure
    split: Split
    split2: Split | None = None
    chart: str = "bar"              # "bar" or "table"
    basis: str = "working_at"       # KS4 grades counted

    def level(self, subject_chosen: bool = False) -> str:
        """Which rows answer it: a pupil count by class needs pupil-subject rows."""
        if self.measure.level != EITHER:
            return self.measure.level
        needs_subjects = subject_chosen or any(s is not None and s.level == SUBJECT
                                               for s in (self.split, self.split2))
        return SUBJECT if needs_subjects else PUPIL

    def to_url(self) -> dict[str, str]:
        values = {"measure": self.measure.key, "split": self.split.key, "chart": self.chart}
        if self.split2 is not None:
            values["split2"] = self.split2.key
        if self.measure.ks4:
            values["basis"] = self.basis
        return values

    @classmethod
    def from_url(cls, query: dict) -> "Question":
        """The question in a link; values that are unknown, or do not fit the measure, fall back to defaults."""
        def one(key):
            value = query.get(key)
            return value[-1] if isinstance(value, list) and value else value

        measure = MEASURES.get(one("measure"), MEASURES[DEFAULT_MEASURE])
        allowed = {s.key: s for s in splits_for(measure)}
        split = allowed.get(one("split"), allowed[DEFAULT_SPLIT])
        split2 = allowed.get(one("split2"))
        if split2 == split:
            split2 = None
        chart = one("chart") if one("chart") in ("bar", "table") else "bar"
        basis = one("basis") if one("basis") in KS4_BASES else "working_at"
        return cls(measure, split, split2, chart, basis)


def load_rows(run: Run, scope: Scope, view: ViewFilters, level: str, basis: str = "working_at") -> pd.DataFrame:
    """The view's rows at its drop: pupil x subject (SUBJECT) or pupil (PUPIL), with their groups."""
    if level == SUBJECT:
        return run("subject_rows", **loader_params(scope, view))
    return run("explore_pupil_rows", **loader_params(scope, view, basis=basis))


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The splits' columns as the page shows their groups (Yes/No, Female, Low...); lists stay lists."""
    frame = frame.copy()
    for split in SPLITS.values():
        if split.column not in frame.columns:
            continue
        if split.key == "year_group":
            frame[split.column] = frame[split.column].map(lambda y: None if pd.isna(y) else f"Year {int(y)}")
        elif split.words:
            frame[split.column] = frame[split.column].map(lambda v, words=split.words: _in_words(v, words))
    return frame


def _in_words(value, words: dict):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return words.get(None)
    return words.get(value, value)


def _order(split: Split, groups) -> list:
    def key(group):
        if group in split.order:
            return (0, split.order.index(group), "")
        if split.key == "year_group":
            return (1, int(str(group).split()[-1]), "")
        return (2, 0, str(group))
    return sorted(dict.fromkeys(groups), key=key)


def counted(frame: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The rows the figure counts: those with every column the measure needs."""
    rows = frame.dropna(subset=list(measure.needs)) if measure.needs else frame
    return rows.reset_index(drop=True)


def answer(frame: pd.DataFrame, question: Question) -> pd.DataFrame:
    """One row per group (and second-split group): pupils, the figure, the rest's figure and the gap.

    The frame is in words (`in_words`). With one split the rest is the other
    rows of the view; with a second split, each group is compared with the
    rest of its second-split group (Year 9 boys against Year 9 girls).
    Columns: group, group2 (None without a second split), pupils, value,
    rest_pupils, rest_value, gap (empty for counts).
    """
    measure, split, split2 = question.measure, question.split, question.split2
    rows = counted(frame, measure)
    columns = ["group", "group2", "pupils", "value", "rest_pupils", "rest_value", "gap"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    if split2 is None:
        parts = [compare_groups(rows, split.column, measure.summary).assign(group2=None)]
        order2 = [None]
    else:
        exploded = _exploded(rows, split2.column)
        parts = []
        for group2, members in exploded.groupby(split2.column, sort=False):
            within = rows.loc[members.index.unique()]
            parts.append(compare_groups(within, split.column, measure.summary).assign(group2=group2))
        order2 = _order(split2, exploded[split2.column])
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    if not measure.has_gap:
        result["gap"] = np.nan
    if split.by_figure and split2 is None and measure.has_gap:
        return result.sort_values(["value", "group"], ascending=[False, True])[columns].reset_index(drop=True)
    order1 = _order(split, result["group"])
    result = result.assign(_1=result["group"].map(order1.index), _2=result["group2"].map(order2.index))
    return result.sort_values(["_2", "_1"])[columns].reset_index(drop=True)


def overall(frame: pd.DataFrame, measure: Measure) -> float:
    """The figure for every row of the view."""
    rows = counted(frame, measure)
    return measure.summary.compute(rows) if len(rows) else float("nan")


def _exploded(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    listed = rows[column].map(lambda v: isinstance(v, (list, tuple, np.ndarray))).any()
    return (rows.explode(column) if listed else rows).dropna(subset=[column])


def _member(value, group) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return group in list(value)
    return value == group


def rows_behind(frame: pd.DataFrame, question: Question, group, group2=None) -> pd.DataFrame:
    """The rows a group's figure counts (pupils, or pupil-subject rows), for the drill-down."""
    rows = counted(frame, question.measure)
    keep = rows[question.split.column].map(lambda v: _member(v, group))
    if question.split2 is not None and group2 is not None:
        keep &= rows[question.split2.column].map(lambda v: _member(v, group2))
    return rows[keep].reset_index(drop=True)


def group_label(group, group2=None) -> str:
    return str(group) if group2 is None or (not isinstance(group2, str) and pd.isna(group2)) \
        else f"{group} · {group2}"
