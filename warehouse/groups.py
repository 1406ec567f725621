"""Groups and gaps: any measure by every subgroup against the rest, and overlapping sets of pupils.

Plain functions over the pupil-level frame of the named query `group_pupils`
(one row per pupil of the view). No Streamlit.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pandas as pd

from warehouse.analysis import (Summary, compare_groups, mean_of, members_of, rate_of, ratio_parts, share_of,
                                summed)


def ratio_of(numerator: str, denominator: str, label: str) -> Summary:
    """sum(numerator) / sum(denominator): e.g. the mean gap over every graded subject of the group's pupils."""
    return summed(label, ratio_parts(numerator, denominator))


@dataclass(frozen=True)
class Measure:
    label: str
    summary: Summary
    unit: str            # "%" or "grades" or "points"
    help: str
    needs: str           # a pupil counts if this column has a value (pupils without one are left out) ...
    needs_some: bool = False   # ... and, for a count such as graded subjects, a value above zero


# What the page can split. Each is computed as the Overview computes it, so figures agree.
MEASURES = {
    "on_track": Measure("On track %", rate_of("on_track_subjects", "graded_subjects"), "%",
                        "Subjects on track or ahead of the progress target, of graded subjects with one.",
                        "graded_subjects", True),
    "gap": Measure("Mean gap to progress target", ratio_of("sum_gap_grades", "gaps", "mean gap"), "grades",
                   "Working-at minus progress target in grades, over every graded subject.", "gaps", True),
    "attendance": Measure("Attendance %", rate_of("present_sessions", "possible_sessions"), "%",
                          "Sessions present of possible sessions this academic year (DfE).", "possible_sessions", True),
    "persistent_absence": Measure("Persistently absent %", share_of("persistent_absent"), "%",
                                  "Pupils missing 10% or more of possible sessions this academic year.",
                                  "persistent_absent"),
    "attainment8": Measure("Attainment 8", mean_of("attainment8"), "points",
                           "Mean Attainment 8 of Year 11 (or the chosen KS4 year) on the chosen basis.",
                           "attainment8"),
    "p8": Measure("Progress 8 (estimate)", mean_of("p8_estimate_exact"), "points",
                  "Mean estimated Progress 8 against the DfE's A8 estimates (pupils with a baseline).",
                  "p8_estimate_exact"),
    "basics_4": Measure("Basics 4+ %", share_of("basics_4"), "%", "Grade 4+ in maths and either English.",
                        "basics_4"),
    "ebacc_entered": Measure("EBacc entered %", share_of("ebacc_entered"), "%",
                             "Entered for English, maths, science, a humanity and a language.", "ebacc_entered"),
}

# The subgroups (DESIGN.md §3) as columns of `group_pupils`, in the order the page lists them.
SPLITS = {"Disadvantaged": "disadvantaged", "SEN": "sen_status", "Gender": "gender", "EAL": "eal",
          "Looked after": "looked_after", "More able": "more_able", "Prior attainment": "prior_attainment_band",
          "School groups": "custom_groups"}

GROUP_WORDS = {
    "disadvantaged": {True: "Disadvantaged", False: "Not disadvantaged"},
    "sen_status": {"N": "No SEN", "K": "SEN support", "E": "EHC plan"},
    "gender": {"F": "Female", "M": "Male", "X": "Other"},
    "eal": {True: "EAL", False: "Not EAL"},
    "looked_after": {True: "Looked after", False: "Not looked after"},
    "more_able": {True: "More able", False: "Not more able"},
    "prior_attainment_band": {"low": "Low prior attainment", "middle": "Middle prior attainment",
                              "high": "High prior attainment"},
}


def counted(pupils: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The pupils the measure applies to: those with a value for it (e.g. KS4 measures: Year 11 only)."""
    values = pupils[measure.needs]
    keep = values.notna() & (values.fillna(0) > 0 if measure.needs_some else True)
    return pupils[keep]


def gaps_by_group(pupils: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """Every subgroup's figure beside the rest of the view's pupils, and the gap, one row per group."""
    pupils = counted(pupils, measure)
    frames = []
    for split, column in SPLITS.items():
        compared = compare_groups(pupils, column, measure.summary)
        # A yes/no split's "no" row mirrors its "yes" row against the rest: show the group itself only.
        compared = compared[compared["group"].map(lambda g: g is not False and str(g) != "False")]
        if compared.empty:
            continue
        words = GROUP_WORDS.get(column, {})
        if words and column != "gender":   # the words' order: low to high, none to EHC plan
            compared = compared.sort_values("group", key=lambda g: g.map(list(words).index))
        compared.insert(0, "split", split)
        compared["label"] = compared["group"].map(lambda g: words.get(g, str(g)))
        frames.append(compared)
    columns = ["split", "group_by", "group", "label", "pupils", "value", "rest_pupils", "rest_value", "gap"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def members(pupils: pd.DataFrame, column: str, group) -> pd.DataFrame:
    """The pupils in one group of a split."""
    return pupils[members_of(pupils, column, group)]


# Sets a Venn diagram can show: a yes/no column of `group_pupils` each. School groups are added per school.
SETS = {
    "English 4+": "english_4", "Maths 4+": "maths_4", "English 5+": "english_5", "Maths 5+": "maths_5",
    "Basics 4+": "basics_4", "EBacc entered": "ebacc_entered",
    "Disadvantaged": "disadvantaged", "SEN (support or EHC plan)": "sen", "EAL": "eal",
    "Below target in any subject": "below_target_any", "Persistently absent": "persistent_absent",
    "In an intervention this year": "in_programme",
}
KS4_SETS = {"english_4", "maths_4", "english_5", "maths_5", "basics_4", "ebacc_entered"}
GROUP_SET_PREFIX = "In school group: "


def set_options(pupils: pd.DataFrame) -> dict[str, str]:
    """SETS and one set per school group found among the pupils (label -> column or group name)."""
    groups = sorted({g for listed in pupils["custom_groups"] for g in (listed if listed is not None else [])})
    return {**SETS, **{GROUP_SET_PREFIX + g: GROUP_SET_PREFIX + g for g in groups}}


def set_membership(pupils: pd.DataFrame, label: str, options: dict[str, str]) -> pd.Series:
    """True / False per pupil, or missing where it is not known (no KS4 grades, no attendance)."""
    key = options[label]
    if key.startswith(GROUP_SET_PREFIX):
        name = key[len(GROUP_SET_PREFIX):]
        return pupils["custom_groups"].map(lambda listed: listed is not None and name in list(listed))
    return pupils[key].astype("boolean")


@dataclass
class Venn:
    regions: pd.DataFrame   # one row per combination of in / out of each set: pupils and a name in words
    pupils: pd.DataFrame    # the pupils counted, each with its region
    left_out: int           # pupils of the view not counted, because a set is not known for them


def venn(pupils: pd.DataFrame, labels: list[str], options: dict[str, str]) -> Venn:
    """Who is in each region of two or three overlapping sets (pupils where every set is known)."""
    assert 2 <= len(labels) <= 3, "a Venn diagram of two or three sets"
    flags = pd.DataFrame({label: set_membership(pupils, label, options) for label in labels}, index=pupils.index)
    known = flags.notna().all(axis=1)
    flags = flags[known].astype(bool)
    counted_pupils = pupils[known].copy()
    counted_pupils["region"] = [region_name(labels, tuple(row)) for row in flags.itertuples(index=False)]
    rows = []
    for inside in product((True, False), repeat=len(labels)):
        name = region_name(labels, inside)
        rows.append({"region": name, **dict(zip(labels, inside)), "sets": sum(inside),
                     "pupils": int((counted_pupils["region"] == name).sum())})
    regions = pd.DataFrame(rows)
    return Venn(regions, counted_pupils, int((~known).sum()))


def region_name(labels: list[str], inside: tuple[bool, ...]) -> str:
    """'English 4+ and Maths 4+, not EBacc entered'; 'None of them' outside every set."""
    ins = [label for label, flag in zip(labels, inside) if flag]
    outs = [label for label, flag in zip(labels, inside) if not flag]
    if not ins:
        return "None of them"
    name = " and ".join(ins) if len(ins) < 3 else "All three"
    if outs:
        name += ", not " + " or ".join(outs)
    return name
