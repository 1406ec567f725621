"""Benchmark: every named loader the pages call, at trust scale, against a naive pandas baseline in the same run.

    python bench/loaders.py --data-dir /tmp/trust             # an existing warehouse (e.g. a 20-school trust)
    python bench/loaders.py --data-dir DIR --requests 50 --seed 6
    python bench/loaders.py --data-dir DIR --only overview,trust

The loaders (warehouse/loaders.py, and explore.load_rows) are called as the
pages call them: through WarehouseReader.run (the app's reader: a read-only
connection to the current snapshot, a cursor per query, the pointer checked
before each query), with a page's queries side by side (loaders.together).
Nothing is remembered between calls, as in the app, except where the app
itself remembers (the sidebar's choices, `filter_options`, through
run_remembered: timed both ways, and marked).

The requests are a realistic mix, drawn with a fixed seed: random schools,
drops with grades, year groups (or all), subjects, subgroup filters
(disadvantaged, SEN, gender, prior-attainment band, school group) with the
values the sidebar offers (warehouse/queries/filter_options.sql,
pages/filters.py), a compare drop now and then, pupils for the pupil loaders,
as a senior leader (the whole school: Scope(schools=(school,))) or a head of
year (warehouse/access.scope_for: the pupils of one year group). Trust-wide:
loaders.trust(run, Scope.everything(), drop, year group) and
loaders.trust_points, and the sidebar's choices for a trust-wide viewer.

The naive baseline is what a team would otherwise build: the marts the
loaders read (mart_progress, mart_pupil, mart_attendance_pupil,
mart_ks4_pupil, …, fct_attendance_session) read into pandas once at start
(time and memory reported), then each request answered by filtering and
grouping those frames in pandas. It runs the loader's own code with `run`
replaced by pandas versions of the named queries, one after another (no
threads), so it computes the same figures; every request's answer is checked
against the loader's. For each loader, its requests are timed first, then the
baseline's on the same requests, so both see the machine in the same minute.
(Not request by request in turn: each loader call then followed a pandas scan
of gigabytes, and paid for the caches it had emptied, which the app never does;
`--interleave` times them that way, for comparison.)

Budgets (issue 6, a 2-core machine): p95 <= 50 ms for a school-scoped loader,
<= 500 ms for a trust-wide one, and at least 10x the naive baseline (here:
naive p95 / loader p95). Results go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from warehouse.schema import quote  # noqa: E402

SCHOOL_BUDGET_MS, TRUST_BUDGET_MS, RATIO_BUDGET = 50.0, 500.0, 10.0
WHOLE_GRADE_SCALES = ("gcse_fine", "gcse_abc", "nc_levels")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mib() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def machine() -> str:
    import duckdb

    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration):
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{platform.machine()} ({cpu}), {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, pandas {pd.__version__}")


# --- the naive baseline: the marts in pandas, a pandas version of each named query ---------------------

NAIVE_TABLES = ("mart_progress", "mart_pupil", "mart_attendance_pupil", "mart_ks4_pupil", "mart_review_list",
                "mart_target_check", "mart_intervention_impact", "mart_trust_progress",
                "mart_trust_attendance", "mart_ks4_school", "fct_target", "fct_intervention",
                "fct_attendance_session", "fct_attendance_summary", "dim_subject",
                "dim_assessment_point", "int_grade_scale", "int_a8_estimate")


def _scoped(frame: pd.DataFrame, p: dict, school_column: str = "school_code", upn_column: str | None = "upn",
            subject_column: str | None = None) -> np.ndarray:
    """The rows within the scope (lists; None = all)."""
    mask = np.ones(len(frame), dtype=bool)
    if p.get("scope_schools") is not None:
        mask = mask & frame[school_column].isin(p["scope_schools"]).to_numpy()
    if upn_column and p.get("scope_upns") is not None:
        mask = mask & frame[upn_column].isin(p["scope_upns"]).to_numpy()
    if subject_column and p.get("scope_subjects") is not None:
        mask = mask & frame[subject_column].isin(p["scope_subjects"]).to_numpy()
    return mask


def _pct(top, bottom, digits=1):
    return round(100.0 * top / bottom, digits) if bottom else np.nan


class Naive:
    """The marts read into pandas once; `run(name, **params)` answers a named query by filtering them."""

    def __init__(self, con):
        started, before = time.perf_counter(), rss_mib()
        # The names are NAIVE_TABLES, fixed above (an identifier cannot be a bound parameter).
        self.t = {name: con.execute("select * from " + quote(name)).df() for name in NAIVE_TABLES}
        self.load_seconds = time.perf_counter() - started
        self.rss_added = rss_mib() - before
        self.frame_mib = sum(f.memory_usage(deep=True).sum() for f in self.t.values()) / 2**20
        self.rows = sum(len(f) for f in self.t.values())
        pupils = self.t["mart_pupil"]
        pupils["_year_start"] = pupils["year_group_academic_year"].str[:4].astype(int)   # academic_year_start()
        # The marts' numbers for the pages' orders by name (mart_pupil.name_order, dim_subject.name_order).
        self.subject_names = self.t["dim_subject"][["school_code", "subject_code", "subject_name", "name_order"]
                                                   ].rename(columns={"name_order": "subject_order"})

    def run(self, name: str, **params) -> pd.DataFrame:
        return getattr(self, name)(params)

    # The view's pupils (macro view_pupils): scope, school, year group at the drop, subgroup filters.
    def view_pupils(self, p: dict) -> pd.DataFrame:
        f = self.t["mart_pupil"]
        mask = _scoped(f, p)
        if p.get("school") is not None:
            mask = mask & (f["school_code"] == p["school"]).to_numpy()
        if p.get("year_group") is not None:
            points = self.t["dim_assessment_point"]
            starts = points[points["assessment_point"] == p["assessment_point"]].set_index("school_code")
            start = f["school_code"].map(starts["academic_year_start"])
            mask = mask & ((f["year_group"] - (f["_year_start"] - start)) == p["year_group"]).to_numpy()
        for key, column in (("disadvantaged", "disadvantaged"), ("sen_status", "sen_status"),
                            ("gender", "gender"), ("prior_attainment_band", "prior_attainment_band")):
            if p.get(key) is not None:
                mask = mask & (f[column] == p[key]).fillna(False).to_numpy(dtype=bool)
        if p.get("custom_group") is not None:
            group = p["custom_group"]
            mask = mask & f["custom_groups"].map(lambda groups: groups is not None and group in list(groups)).to_numpy()
        return f[mask]

    def _progress(self, p: dict, at_point: bool = True) -> pd.DataFrame:
        """mart_progress at the school (and drop), of the view's pupils, in the viewer's subjects."""
        m = self.t["mart_progress"]
        mask = (m["school_code"] == p["school"]).to_numpy()
        if at_point:
            mask = mask & (m["assessment_point"] == p["assessment_point"]).to_numpy()
        if p.get("scope_subjects") is not None:
            mask = mask & m["subject_code"].isin(p["scope_subjects"]).to_numpy()
        rows = m[mask]
        return rows[rows["upn"].isin(self.view_pupils(p)["upn"])]

    def _point(self, p: dict) -> pd.Series:
        d = self.t["dim_assessment_point"]
        return d[(d["school_code"] == p["school"]) & (d["assessment_point"] == p["assessment_point"])].iloc[0]

    # Overview
    def overview_progress(self, p):
        rows = self._progress(p, at_point=False)
        if p.get("subject_code") is not None:
            rows = rows[rows["subject_code"] == p["subject_code"]]
        rows = rows.assign(on=rows["status"].isin(["ahead", "on_track"]), wb=rows["status"] == "well_below")
        g = rows.groupby(["assessment_point", "academic_year", "point_sequence"])
        out = g.agg(pupils=("upn", "nunique"), graded_with_target=("status", "count"),
                    on_track_or_ahead=("on", "sum"), well=("wb", "sum"), mean_gap_grades=("gap_grades", "mean"))
        out["pct_on_track"] = [_pct(a, b) for a, b in zip(out["on_track_or_ahead"], out["graded_with_target"])]
        out["pct_well_below"] = [_pct(a, b) for a, b in zip(out["well"], out["graded_with_target"])]
        out["mean_gap_grades"] = out["mean_gap_grades"].round(2)
        return out.drop(columns="well").reset_index().sort_values("point_sequence")

    def overview_by_subject(self, p):
        rows = self._progress(p)
        rows = rows.assign(on=rows["status"].isin(["ahead", "on_track"]),
                           below=rows["status"].isin(["below", "well_below"]))
        out = rows.groupby("subject_code").agg(graded_with_target=("status", "count"), on=("on", "sum"),
                                               below=("below", "sum"), mean_gap_grades=("gap_grades", "mean"))
        out = out[out["graded_with_target"] > 0].reset_index()
        out["pct_on_track"] = [_pct(a, b) for a, b in zip(out["on"], out["graded_with_target"])]
        out["pct_below"] = [_pct(a, b) for a, b in zip(out["below"], out["graded_with_target"])]
        out["mean_gap_grades"] = out["mean_gap_grades"].round(2)
        names = rows.drop_duplicates("subject_code")[["subject_code", "subject_name"]]
        out = out.merge(names, on="subject_code")
        return out.drop(columns=["on", "below"]).sort_values(["pct_on_track", "subject_name"])

    def overview_ks4(self, p):
        k = self.t["mart_ks4_pupil"]
        year = p["year_group"] if p.get("year_group") is not None else 11
        rows = k[(k["school_code"] == p["school"]) & (k["assessment_point"] == p["assessment_point"])
                 & (k["year_group"] == year)]
        rows = rows[rows["upn"].isin(self.view_pupils(p)["upn"])]
        sd = self.t["int_a8_estimate"]["p8_pupil_sd"].iloc[0]
        out = []
        for basis, b in rows.groupby("basis"):
            n, p8 = len(b), b["p8_estimate_exact"].dropna()
            out.append({"basis": basis, "pupils": n, "avg_attainment8": round(b["attainment8"].mean(), 1),
                        "p8_pupils": len(p8), "p8_estimate": round(p8.mean(), 2) if len(p8) else np.nan,
                        "p8_ci_lower": round(p8.mean() - 1.96 * sd / np.sqrt(len(p8)), 2) if len(p8) else np.nan,
                        "p8_ci_upper": round(p8.mean() + 1.96 * sd / np.sqrt(len(p8)), 2) if len(p8) else np.nan,
                        "pct_basics_4": _pct(b["basics_4"].sum(), n), "pct_basics_5": _pct(b["basics_5"].sum(), n),
                        "pct_five_plus_4_inc_em": _pct(b["five_plus_4_inc_em"].sum(), n),
                        "pct_ebacc_entered": _pct(b["ebacc_entered"].sum(), n)})
        order = {"working_at": 1, "predicted": 2, "target": 3, "mock": 4}
        return pd.DataFrame(sorted(out, key=lambda r: order.get(r["basis"], 5)))

    def _attendance_year(self, p) -> pd.DataFrame:
        a = self.t["mart_attendance_pupil"]
        return a[(a["school_code"] == p["school"]) & (a["academic_year"] == self._point(p)["academic_year"])]

    def overview_attendance(self, p):
        rows = self._attendance_year(p)
        rows = rows[rows["upn"].isin(self.view_pupils(p)["upn"])]
        n = len(rows)
        return pd.DataFrame([{"pupils": n, "attendance_pct": _pct(rows["present_sessions"].sum(),
                                                                   rows["possible_sessions"].sum()),
                              "pct_persistent_absent": _pct(rows["persistent_absent"].sum(), n),
                              "pct_severe_absent": _pct(rows["severe_absent"].sum(), n)}])

    # A whole year group's Overview: the naive way counts it from the rows, as for any other view.
    def overview_progress_whole_cohort(self, p):
        return self.overview_progress(p)

    def overview_by_subject_whole_cohort(self, p):
        return self.overview_by_subject(p)

    def overview_ks4_whole_cohort(self, p):
        return self.overview_ks4(p)

    def overview_attendance_whole_cohort(self, p):
        return self.overview_attendance(p)

    # Year review
    def _with_pupil(self, rows: pd.DataFrame,
                    columns=("pupil_name", "surname", "forename", "tutor_group", "name_order")):
        pupils = self.t["mart_pupil"][["school_code", "upn", *columns]]
        return rows.merge(pupils, on=["school_code", "upn"])

    def status_grid(self, p):
        rows = self._with_pupil(self._progress(p)).rename(columns={"name_order": "pupil_order"})
        return rows.sort_values(["pupil_order", "subject_order"])[
            ["upn", "pupil_name", "tutor_group", "subject_name", "status", "pupil_order", "subject_order"]]

    def review_pupils(self, p):
        return pd.DataFrame([{"pupils": self._progress(p)["upn"].nunique()}])

    def review_lists(self, p):
        r = self.t["mart_review_list"]
        rows = r[(r["school_code"] == p["school"]) & (r["assessment_point"] == p["assessment_point"])]
        rows = self._with_pupil(rows[rows["upn"].isin(self.view_pupils(p)["upn"])])
        return rows.sort_values(["list", "rule", "surname", "forename"])[
            ["list", "rule", "pupil_name", "upn", "tutor_group", "year_group", "reason"]]

    def movers(self, p):
        m = self.t["mart_progress"]
        at = m[(m["school_code"] == p["school"]) & m["working_at_points"].notna()]
        before = at[at["assessment_point"] == p["compare_point"]][["upn", "subject_code", "working_at_points",
                                                                   "grade_scale", "school_code"]]
        after = at[at["assessment_point"] == p["assessment_point"]][["upn", "subject_code", "working_at_points"]]
        widths = self.t["int_grade_scale"][["scale_code", "grade_width"]].drop_duplicates()
        c = after.merge(before, on=["upn", "subject_code"], suffixes=("", "_before"))
        c = c.merge(widths, left_on="grade_scale", right_on="scale_code")
        c = c[c["upn"].isin(self.view_pupils(p)["upn"])]
        if p.get("scope_subjects") is not None:
            c = c[c["subject_code"].isin(p["scope_subjects"])]
        c = c.assign(change=(c["working_at_points"] - c["working_at_points_before"]) / c["grade_width"])
        out = c.groupby(["school_code", "upn"]).agg(subjects=("change", "size"),
                                                     subjects_up=("change", lambda x: int((x > 0).sum())),
                                                     subjects_same=("change", lambda x: int((x == 0).sum())),
                                                     subjects_down=("change", lambda x: int((x < 0).sum())),
                                                     mean_change_grades=("change", "mean")).reset_index()
        out["mean_change_grades"] = out["mean_change_grades"].round(2)
        out = self._with_pupil(out, ("pupil_name", "tutor_group"))
        return out.sort_values(["mean_change_grades", "pupil_name"], ascending=[False, True]).drop(
            columns="school_code")

    # Pupil page
    def pupil_search(self, p):
        return self.view_pupils(p).sort_values("name_order")[
            ["upn", "pupil_name", "surname", "forename", "tutor_group"]]

    def _one_pupil(self, table: str, p: dict, subject_column: str | None = None) -> pd.DataFrame:
        f = self.t[table]
        mask = (f["school_code"] == p["school"]).to_numpy() & (f["upn"] == p["upn"]).to_numpy()
        mask = mask & _scoped(f, p, subject_column=subject_column)
        return f[mask]

    def pupil_profile(self, p):
        return self._one_pupil("mart_pupil", p).drop(columns="_year_start")

    def pupil_progress(self, p):
        rows = self._one_pupil("mart_progress", p, "subject_code").rename(columns={"teacher_name": "teacher"})
        rows["progress_target_points"] = rows["progress_target_points"].round(2)
        return rows.sort_values(["subject_name", "point_sequence"])

    def pupil_attendance(self, p):
        return self._one_pupil("mart_attendance_pupil", p).sort_values("academic_year")

    def pupil_targets(self, p):
        rows = self._one_pupil("fct_target", p, "subject_code").merge(self.subject_names,
                                                                      on=["school_code", "subject_code"])
        return rows.sort_values(["subject_name", "target_kind", "set_on"], ascending=[True, True, False])

    def pupil_interventions(self, p):
        rows = self._one_pupil("fct_intervention", p).merge(self.subject_names, how="left",
                                                            on=["school_code", "subject_code"])
        return rows.sort_values("start_date")

    def pupil_sessions(self, p):
        rows = self._one_pupil("fct_attendance_session", p)
        dates = pd.to_datetime(rows["session_date"])
        rows = rows[rows["is_possible"].to_numpy()
                    & (dates >= pd.Timestamp(p["from_date"])).to_numpy()
                    & (dates <= pd.Timestamp(p["to_date"])).to_numpy()]
        return rows.sort_values(["session_date", "session"])

    def point_dates(self, p):
        point = self._point(p)
        return pd.DataFrame([{"point_date": point["point_date"],
                              "year_start": pd.Timestamp(int(point["academic_year_start"]), 9, 1)}])

    # Subjects page
    def subject_rows(self, p):
        rows = self._progress(p)
        rows = rows[rows["working_at_points"].notna()]
        if p.get("subject_code") is not None:
            rows = rows[rows["subject_code"] == p["subject_code"]]
        rows = self._with_pupil(rows, ("pupil_name", "surname", "forename", "tutor_group", "gender", "disadvantaged",
                                       "sen_status", "eal", "prior_attainment_band", "custom_groups", "name_order"))
        rows["teacher"] = rows["teacher_name"].fillna(rows["teacher_code"])
        status = rows["status"]
        rows["on_track"] = status.isin(["ahead", "on_track"]).astype(object).where(status.notna(), None)
        rows["below_target"] = status.isin(["below", "well_below"]).astype(object).where(status.notna(), None)
        rows["progress_target_points"] = rows["progress_target_points"].round(2)
        return rows.sort_values(["name_order", "subject_order"])

    def transition_matrix(self, p):
        """From mart_progress's working-at grades (the loader reads int_ks_grade, an intermediate table)."""
        rows = self._progress(p)
        rows = rows[(rows["subject_code"] == p["subject_code"]) & rows["working_at"].notna()]
        rows = self._with_pupil(rows, ("prior_attainment_band",))
        whole = rows["grade_scale"].isin(WHOLE_GRADE_SCALES)
        digits = rows["working_at"].str.extract(r"^(\d+)", expand=False)
        widths = self.t["int_grade_scale"][["scale_code", "grade_width"]].drop_duplicates()
        rows = rows.merge(widths, how="left", left_on="grade_scale", right_on="scale_code")
        whole, digits = whole.to_numpy(), digits.to_numpy()
        rows["grade"] = np.where(whole & pd.notna(digits), digits, rows["working_at"])
        rows["grade_order"] = np.where(whole & pd.notna(digits), pd.to_numeric(digits, errors="coerce"),
                                       rows["working_at_points"] / rows["grade_width"])
        return (rows.groupby(["prior_attainment_band", "grade"], dropna=False)
                .agg(grade_order=("grade_order", "max"), pupils=("upn", "size")).reset_index())

    # Groups and gaps
    def group_pupils(self, p):
        pupils = self.view_pupils(p).sort_values("name_order")
        progress = self.t["mart_progress"]
        m = progress[(progress["school_code"] == p["school"]) & (progress["assessment_point"] == p["assessment_point"])]
        if p.get("subject_code") is not None:
            m = m[m["subject_code"] == p["subject_code"]]
        if p.get("scope_subjects") is not None:
            m = m[m["subject_code"].isin(p["scope_subjects"])]
        m = m.assign(on=m["status"].isin(["ahead", "on_track"]), below=m["status"].isin(["below", "well_below"]))
        g = m.groupby("upn").agg(graded_subjects=("status", "count"), on_track_subjects=("on", "sum"),
                                 below_subjects=("below", "sum"), gaps=("gap_grades", "count"),
                                 sum_gap_grades=("gap_grades", "sum")).reset_index()
        a = self._attendance_year(p)[["upn", "possible_sessions", "present_sessions", "attendance_pct",
                                      "persistent_absent"]]
        k = self._ks4_at(p)
        k = k[["upn", "attainment8", "p8_estimate_exact", "basics_4", "basics_5", "ebacc_entered", "best_english",
               "best_maths"]]
        out = pupils.merge(g, how="left", on="upn").merge(a, how="left", on="upn").merge(k, how="left", on="upn")
        for column in ("graded_subjects", "on_track_subjects", "below_subjects", "gaps"):
            out[column] = out[column].fillna(0).astype(int)
        out["has_ks4"] = out["upn"].isin(k["upn"])
        out["sen"] = out["sen_status"].isin(["K", "E"])
        return out

    def programme_pupils(self, p):
        """The school's pupils in a programme in the drop's academic year."""
        i = self.t["fct_intervention"]
        start = pd.Timestamp(int(self._point(p)["academic_year_start"]), 9, 1)
        ends = pd.to_datetime(i["end_date"])
        i = i[(i["school_code"] == p["school"]) & (pd.to_datetime(i["start_date"]) < start + pd.DateOffset(years=1))
              & (ends.isna() | (ends >= start))]
        if p.get("scope_upns") is not None:
            i = i[i["upn"].isin(p["scope_upns"])]
        return i[["upn"]].drop_duplicates()

    # Attendance page
    def _sessions(self, p: dict) -> pd.DataFrame:
        """The school's register sessions between the dates, of the view's pupils."""
        f = self.t["fct_attendance_session"]
        dates = f["session_date"]
        rows = f[(f["school_code"] == p["school"]).to_numpy() & (dates >= pd.Timestamp(p["from_date"])).to_numpy()
                 & (dates <= pd.Timestamp(p["to_date"])).to_numpy()]
        return rows[rows["upn"].isin(self.view_pupils(p)["upn"])]

    def attendance_between(self, p):
        counts = ["possible_sessions", "present_sessions", "authorised_absence_sessions",
                  "unauthorised_absence_sessions"]
        sessions = self._sessions(p)
        marks = sessions.groupby("upn").agg(possible_sessions=("is_possible", "sum"),
                                            present_sessions=("is_present", "sum"),
                                            authorised_absence_sessions=("is_authorised_absence", "sum"),
                                            unauthorised_absence_sessions=("is_unauthorised_absence", "sum"))
        f = self.t["fct_attendance_summary"]
        s = f[(f["school_code"] == p["school"]) & (f["from_date"] >= pd.Timestamp(p["from_date"]))
              & (f["to_date"] <= pd.Timestamp(p["to_date"]))]
        s = s[s["upn"].isin(self.view_pupils(p)["upn"])]
        if not s.empty:
            # Not where register marks fall in the summary's period (any marks of the pupil's), nor where
            # another summary in the range contains it.
            every = self.t["fct_attendance_session"]
            theirs = every[(every["school_code"] == p["school"]) & every["upn"].isin(s["upn"])][["upn", "session_date"]]
            covered = s[["upn", "from_date", "to_date"]].merge(theirs, on="upn")
            covered = covered[(covered["session_date"] >= covered["from_date"])
                              & (covered["session_date"] <= covered["to_date"])]
            key = ["upn", "from_date", "to_date"]
            s = s[~s.set_index(key).index.isin(covered.set_index(key).index)]
            wider = s[key].merge(s[key], on="upn", suffixes=("", "_w"))
            wider = wider[(wider["from_date_w"] <= wider["from_date"]) & (wider["to_date_w"] >= wider["to_date"])
                          & ((wider["from_date_w"] != wider["from_date"]) | (wider["to_date_w"] != wider["to_date"]))]
            s = s[~s.set_index(key).index.isin(wider.set_index(key).index)]
        summaries = s.groupby("upn")[counts].sum()
        counted = pd.concat([marks, summaries]).groupby(level=0).sum().astype("int64").reset_index()
        counted.insert(0, "school_code", p["school"])
        absence = counted["authorised_absence_sessions"] + counted["unauthorised_absence_sessions"]
        counted["absence_sessions"] = absence
        possible = counted["possible_sessions"]
        counted["attendance_pct"] = (100.0 * counted["present_sessions"] / possible.where(possible > 0)).round(1)
        counted["persistent_absent"] = (possible > 0) & (10 * absence >= possible)
        counted["severe_absent"] = (possible > 0) & (2 * absence >= possible)
        return counted.merge(self._groups(p), how="left", on="upn").sort_values("upn")

    def attendance_by_month(self, p):
        rows = self._sessions(p)
        rows = rows.assign(month=rows["session_date"].dt.to_period("M").dt.to_timestamp())
        out = rows.groupby("month").agg(pupils=("upn", "nunique"), possible_sessions=("is_possible", "sum"),
                                        present_sessions=("is_present", "sum")).reset_index()
        out["attendance_pct"] = [_pct(a, b) for a, b in zip(out["present_sessions"], out["possible_sessions"])]
        return out.sort_values("month")

    def _groups(self, p):
        """The view's pupils' groups and mean gap to target at the drop, as the Attendance page's rows have."""
        pupils = self.view_pupils(p)[["upn", "pupil_name", "tutor_group", "gender", "disadvantaged", "sen_status",
                                      "eal", "prior_attainment_band", "custom_groups"]]
        m = self.t["mart_progress"]
        m = m[(m["school_code"] == p["school"]) & (m["assessment_point"] == p["assessment_point"])]
        gaps = m.groupby("upn")["gap_grades"].mean().round(2).rename("mean_gap_grades").reset_index()
        return pupils.merge(gaps, how="left", on="upn")

    # Explore (pupil rows; its pupil x subject rows are subject_rows)
    def _ks4_at(self, p):
        """mart_ks4_pupil at the request's school, drop and basis, for its year group (Year 11 by default)."""
        k = self.t["mart_ks4_pupil"]
        year = p["year_group"] if p.get("year_group") is not None else 11
        return k[(k["school_code"] == p["school"]) & (k["assessment_point"] == p["assessment_point"])
                 & (k["basis"] == p["basis"]) & (k["year_group"] == year)]

    def explore_pupil_rows(self, p):
        point = self._point(p)
        chosen = self.view_pupils(p)
        chosen = chosen[chosen["school_code"] == p["school"]].copy()
        chosen["year_group"] = chosen["year_group"] - (chosen["_year_start"] - int(point["academic_year_start"]))
        a = self._attendance_year(p)[["upn", "possible_sessions", "present_sessions", "attendance_pct",
                                      "persistent_absent"]]
        k = self._ks4_at(p)
        k = k[["upn", "attainment8", "p8_estimate", "p8_estimate_exact", "basics_4", "basics_5", "ebacc_entered"]]
        m = self.t["mart_progress"]
        graded = m[(m["school_code"] == p["school"]) & (m["assessment_point"] == p["assessment_point"])
                   & m["working_at_points"].notna()]
        if p.get("scope_subjects") is not None:
            graded = graded[graded["subject_code"].isin(p["scope_subjects"])]
        out = chosen.merge(a, how="left", on="upn").merge(k, how="left", on="upn")
        out = out[out["upn"].isin(a["upn"]) | out["upn"].isin(k["upn"]) | out["upn"].isin(graded["upn"])]
        return out.sort_values("name_order").drop(columns="_year_start")

    # Targets and interventions
    def target_checks(self, p):
        t = self.t["mart_target_check"]
        rows = t[(t["school_code"] == p["school"]).to_numpy() & _scoped(t, p, upn_column=None,
                                                                        subject_column="subject_code")]
        if p.get("subject_code") is not None:
            rows = rows[rows["subject_code"] == p["subject_code"]]
        rows = rows[rows["upn"].isin(self.view_pupils(p)["upn"])]
        rows = self._with_pupil(rows).merge(self.subject_names, on=["school_code", "subject_code"])
        if p.get("flagged_only"):
            rows = rows[rows["flags"] != ""]
        rows = rows.assign(_flagged=rows["flags"] == "")
        return rows.sort_values(["_flagged", "name_order", "subject_order"]).drop(columns="_flagged")

    def target_check_counts(self, p):
        rows = self.target_checks({**p, "flagged_only": False})
        return pd.DataFrame([{"targets": len(rows), "flagged": int((rows["flags"] != "").sum()),
                              "below_prediction": int(rows["target_below_prediction"].sum()),
                              "already_attained": int(rows["target_already_attained"].sum()),
                              "not_challenging": int(rows["target_not_challenging"].sum())}])

    def intervention_impact(self, p):
        i = self.t["mart_intervention_impact"]
        rows = i[(i["school_code"] == p["school"]).to_numpy() & _scoped(i, p, upn_column=None)]
        if p.get("subject_code") is not None:
            rows = rows[(rows["subject_code"] == p["subject_code"]) | rows["subject_code"].isna()]
        rows = rows.merge(self.subject_names, how="left", on=["school_code", "subject_code"])
        rows["subject_name"] = rows["subject_name"].fillna("All subjects")
        return rows.sort_values(["start_date", "programme"], ascending=[False, True])

    def intervention_participants(self, p):
        i = self.t["fct_intervention"]
        rows = i[(i["school_code"] == p["school"]).to_numpy() & (i["programme"] == p["programme"]).to_numpy()
                 & _scoped(i, p)]
        return self._with_pupil(rows).sort_values(["surname", "forename"])

    # Trust overview (the trust marts, as the loaders read them)
    def trust_school_points(self, p):
        if p.get("scope_upns") is not None or p.get("scope_subjects") is not None:
            return pd.DataFrame(columns=["school_code", "assessment_point", "point_date"])
        t = self.t["mart_trust_progress"]
        t = t[_scoped(t, p, upn_column=None)]
        out = t.groupby(["school_code", "assessment_point"]).agg(point_date=("point_date", "min")).reset_index()
        return out.sort_values(["point_date", "assessment_point", "school_code"])

    def trust_schools(self, p):
        d = self.t["dim_assessment_point"]
        points = d[(d["assessment_point"] == p["assessment_point"]).to_numpy() & _scoped(d, p, upn_column=None)]
        if p.get("scope_upns") is not None or p.get("scope_subjects") is not None:
            points = points.iloc[0:0]
        points = points[["school_code", "assessment_point", "academic_year"]]
        year = p.get("year_group")
        t = self.t["mart_trust_progress"].merge(points, on=["school_code", "assessment_point", "academic_year"])
        if year is not None:
            t = t[t["year_group"] == year]
        rows = []
        for school, s in t.groupby("school_code"):
            dis, rest = s[s["disadvantaged"] == True], s[s["disadvantaged"] == False]  # noqa: E712
            graded = s["graded_with_target"].sum()
            gap = (_pct(dis["on_track_or_ahead"].sum(), dis["graded_with_target"].sum(), 9)
                   - _pct(rest["on_track_or_ahead"].sum(), rest["graded_with_target"].sum(), 9))
            rows.append({"school_code": school, "pupils": int(s["pupils"].sum()), "graded_with_target": graded,
                         "on_track_or_ahead": s["on_track_or_ahead"].sum(),
                         "pct_on_track": _pct(s["on_track_or_ahead"].sum(), graded),
                         "pct_well_below": _pct(s["well_below"].sum(), graded),
                         "disadvantaged_gap_pts": round(gap, 1) if pd.notna(gap) else np.nan})
        progress = pd.DataFrame(rows, columns=["school_code", "pupils", "graded_with_target", "on_track_or_ahead",
                                               "pct_on_track", "pct_well_below", "disadvantaged_gap_pts"])
        a = self.t["mart_trust_attendance"].merge(points[["school_code", "academic_year"]],
                                                  on=["school_code", "academic_year"])
        if year is not None:
            a = a[a["year_group"] == year]
        a = a.groupby("school_code").agg(present=("present_sessions", "sum"), possible=("possible_sessions", "sum"),
                                         pa=("persistent_absent_pupils", "sum"), n=("pupils", "sum")).reset_index()
        a["attendance_pct"] = [_pct(float(x), float(y)) for x, y in zip(a["present"], a["possible"])]
        a["pct_persistent_absent"] = [_pct(x, y) for x, y in zip(a["pa"], a["n"])]
        k = self.t["mart_ks4_school"].merge(points[["school_code", "assessment_point"]],
                                            on=["school_code", "assessment_point"])
        k = k[(k["basis"] == "working_at") & (k["year_group"] == 11)] if (year or 11) == 11 else k.iloc[0:0]
        out = (points[["school_code"]].merge(progress, how="left", on="school_code")
               .merge(a[["school_code", "attendance_pct", "pct_persistent_absent"]], how="left", on="school_code")
               .merge(k[["school_code", "avg_attainment8", "p8_estimate", "pct_basics_4"]], how="left",
                      on="school_code"))
        out["pupils"] = out["pupils"].fillna(0).astype(int)
        return out.sort_values("school_code").assign(assessment_point=p["assessment_point"], year_group=year)

    def trust_schools_all_years(self, p):
        return self.trust_schools({**p, "year_group": None}).drop(columns=["year_group"])

    def trust_trend(self, p):
        d = self.t["dim_assessment_point"]
        named = d[d["assessment_point"] == p["assessment_point"]]
        if named.empty or p.get("scope_upns") is not None or p.get("scope_subjects") is not None:
            return pd.DataFrame(columns=["school_code", "assessment_point", "point_date", "pupils", "pct_on_track",
                                         "chosen_point", "year_group"])
        last = named["academic_year"].str[:4].astype(int).max()
        t = self.t["mart_trust_progress"]
        t = t[_scoped(t, p, upn_column=None)]
        start = t["academic_year"].str[:4].astype(int)
        t = t[(start >= last - 1) & (start <= last) & (pd.to_datetime(t["point_date"])
                                                     <= pd.to_datetime(named["point_date"]).max())]
        if p.get("year_group") is not None:
            t = t[t["year_group"] == p["year_group"]]
        out = t.groupby(["school_code", "assessment_point"]).agg(
            point_date=("point_date", "min"), pupils=("pupils", "sum"), on=("on_track_or_ahead", "sum"),
            graded=("graded_with_target", "sum")).reset_index()
        out = out[out["graded"] > 0]
        out["pct_on_track"] = [_pct(a, b) for a, b in zip(out["on"], out["graded"])]
        return (out.drop(columns=["on", "graded"]).sort_values(["point_date", "school_code"])
                .assign(chosen_point=p["assessment_point"], year_group=p.get("year_group")))

    def trust_trend_all_years(self, p):
        return self.trust_trend({**p, "year_group": None}).drop(columns=["year_group"])


@contextmanager
def one_after_another():
    """The naive baseline runs a page's queries in turn (a pandas team has no cursors to run side by side)."""
    from warehouse import loaders

    side_by_side = loaders.together
    loaders.together = lambda *calls: [call() for call in calls]
    try:
        yield
    finally:
        loaders.together = side_by_side


# --- checks: the naive answer is the loader's --------------------------------------------------------------

class Disagree(AssertionError):
    pass


def same(ours: pd.DataFrame, theirs: pd.DataFrame, keys: list[str], columns: list[str], what: str,
         tolerance: float = 0.1001) -> None:
    """The same rows (by keys) with the same values (numbers within `tolerance`: DuckDB rounds half away
    from zero, pandas to even)."""
    if len(ours) != len(theirs):
        raise Disagree(f"{what}: {len(ours)} rows, naive {len(theirs)}")
    if ours.empty:
        return
    merged = ours[keys + columns].merge(theirs[keys + columns], on=keys, how="outer", suffixes=("", "_naive"),
                                        indicator=True)
    if (merged["_merge"] != "both").any():
        raise Disagree(f"{what}: rows differ, e.g. {merged[merged['_merge'] != 'both'].head(2).to_dict('records')}")
    for column in columns:
        a, b = merged[column], merged[column + "_naive"]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(a):
            a, b = a.astype(float).to_numpy(), b.astype(float).to_numpy()
            bad = ~((np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tolerance))
        else:
            bad = ~((a.isna() & b.isna()) | (a.astype(str) == b.astype(str))).to_numpy()
        if bad.any():
            row = merged[bad].iloc[0]
            raise Disagree(f"{what}.{column}: {row[column]!r} vs naive {row[column + '_naive']!r} "
                           f"at {dict(row[keys])}")


def check_overview(ours, theirs):
    same(ours.progress_by_point, theirs.progress_by_point, ["assessment_point"],
         ["pupils", "graded_with_target", "pct_on_track", "pct_well_below", "mean_gap_grades"], "progress_by_point")
    same(ours.by_subject, theirs.by_subject, ["subject_code"], ["graded_with_target", "pct_on_track", "pct_below"],
         "by_subject")
    same(ours.ks4, theirs.ks4, ["basis"], ["pupils", "avg_attainment8", "p8_estimate", "pct_basics_4"], "ks4")
    same(ours.attendance, theirs.attendance, ["pupils"], ["attendance_pct", "pct_persistent_absent"], "attendance")


def check_year_review(ours, theirs):
    same(ours.lists, theirs.lists, ["list", "rule", "upn"], ["reason"], "lists")
    if ours.pupils != theirs.pupils:
        raise Disagree(f"year_review.pupils: {ours.pupils}, naive {theirs.pupils}")


def check_grid(ours, theirs):
    def cells(grid):
        return grid.melt(id_vars=["upn"], var_name="column", value_name="value").drop_duplicates()

    same(cells(ours), cells(theirs), ["upn", "column"], ["value"], "grid")


def check_movers(ours, theirs):
    same(ours, theirs, ["upn"], ["subjects", "subjects_up", "subjects_down", "mean_change_grades"], "movers",
         tolerance=0.0101)


def check_pupils(ours, theirs):
    same(ours, theirs, ["upn"], ["pupil_name"], "pupils")
    if list(ours["upn"]) != list(theirs["upn"]):
        raise Disagree("pupils: another order")


def check_pupil_record(ours, theirs):
    if (ours.profile is None) != (theirs.profile is None):
        raise Disagree("profile: one is missing")
    if ours.profile is None:
        return
    same(ours.progress, theirs.progress, ["subject_code", "assessment_point"],
         ["working_at", "status", "gap_grades", "teacher"], "progress", tolerance=0.0001)
    same(ours.attendance, theirs.attendance, ["academic_year"], ["attendance_pct"], "attendance")
    same(ours.interventions, theirs.interventions, ["programme", "start_date"], ["lead"], "interventions")


def check_pupil_targets(ours, theirs):
    same(ours.reset_index(), theirs.reset_index(drop=True).reset_index(), ["index"],
         ["subject_name", "grade", "set_on"], "targets")


def check_absence_pattern(ours, theirs):
    same(ours.by_week, theirs.by_week, ["week"], ["possible", "missed"], "pattern by week", tolerance=0)
    same(ours.by_day, theirs.by_day, ["weekday", "session"], ["possible", "missed"], "pattern by day", tolerance=0)


def check_subject_view(ours, theirs):
    same(ours.pupils, theirs.pupils, ["upn"], ["working_at", "status", "teacher", "residual_grades", "on_track"],
         "pupils", tolerance=0.0001)
    same(ours.by_class, theirs.by_class, ["class_code", "teacher"], ["pupils", "pct_on_track", "mean_gap_grades"],
         "by_class", tolerance=1e-6)
    same(ours.transition.reset_index().melt(id_vars="prior_attainment_band"),
         theirs.transition.reset_index().melt(id_vars="prior_attainment_band"),
         ["prior_attainment_band", "grade"], ["value"], "transition", tolerance=0)


def check_attendance(ours, theirs):
    same(ours.pupils, theirs.pupils, ["upn"], ["possible_sessions", "present_sessions", "persistent_absent",
                                               "mean_gap_grades"], "pupils", tolerance=0.0101)
    same(ours.pupils, theirs.pupils, ["upn"], ["attendance_pct"], "pupils")   # to 1 place: a tie rounds apart
    same(ours.by_month, theirs.by_month, ["month"], ["pupils", "possible_sessions", "attendance_pct"], "by_month")


def check_explore_pupils(ours, theirs):
    same(ours, theirs, ["upn"], ["year_group", "attendance_pct", "attainment8", "basics_4"], "rows", tolerance=1e-6)


def check_explore_subjects(ours, theirs):
    same(ours, theirs, ["upn", "subject_code"], ["working_at", "status", "teacher", "residual_grades"], "rows",
         tolerance=1e-6)


def check_group_pupils(ours, theirs):
    same(ours, theirs, ["upn"], ["graded_subjects", "on_track_subjects", "below_subjects", "sum_gap_grades",
                                 "attendance_pct", "attainment8", "has_ks4", "in_programme"], "group_pupils",
         tolerance=1e-6)


def check_target_checks(ours, theirs):
    same(ours.targets, theirs.targets, ["upn", "subject_name"], ["target", "flags"], "target_checks")
    same(ours.counts.to_frame().T, theirs.counts.to_frame().T, ["targets"],
         ["flagged", "below_prediction", "already_attained", "not_challenging"], "target_check_counts")


def check_impact(ours, theirs):
    same(ours, theirs, ["programme", "start_date"], ["participants", "impact_grades"], "impact", tolerance=1e-9)


def check_participants(ours, theirs):
    same(ours, theirs, ["upn", "start_date"], ["pupil_name"], "participants")


def check_dates(ours, theirs):
    if [pd.Timestamp(x) for x in ours] != [pd.Timestamp(x) for x in theirs]:
        raise Disagree(f"dates {ours} vs naive {theirs}")


def check_trust(ours, theirs):
    same(ours.schools, theirs.schools, ["school_code"],
         ["pupils", "pct_on_track", "pct_well_below", "disadvantaged_gap_pts", "attendance_pct",
          "pct_persistent_absent", "avg_attainment8"], "schools")
    same(ours.trend, theirs.trend, ["school_code", "assessment_point"], ["pupils", "pct_on_track"], "trend")


def check_trust_points(ours, theirs):
    if ours != theirs:
        raise Disagree(f"trust_points: {ours} vs naive {theirs}")


# --- the requests ----------------------------------------------------------------------------------------

def _listed(value) -> list:
    return [] if value is None or (isinstance(value, float) and pd.isna(value)) else list(value)


@dataclass
class Case:
    name: str
    kind: str                          # "school" or "trust"
    make: Callable                     # () -> a request (a dict), drawn from the mix
    call: Callable                     # (run, request) -> the loader's answer, as a page asks for it
    naive: bool = False                # the baseline answers it too: `call` with the pandas run
    check: Callable | None = None      # (answer, naive answer) -> raises Disagree
    note: str = ""
    prime: bool = False                # asked once, untimed, before each timed ask (an answer the app remembers)
    loader_ms: list = field(default_factory=list)
    naive_ms: list = field(default_factory=list)
    checked: int = 0
    disagreed: list = field(default_factory=list)


class Mix:
    """Views as the sidebar gives them, drawn with a fixed seed."""

    def __init__(self, run, con, rng: random.Random):
        from warehouse import loaders
        from warehouse.view import Scope

        self.rng = rng
        options = loaders.filter_options(run, Scope.everything())
        self.options = options
        self.schools = sorted(options["school_code"].unique())
        self.points = {}   # school -> [(point, years, subjects, groups)] of drops with grades
        for row in options.itertuples():
            years = [int(y) for y in _listed(row.year_groups)]
            if years:
                self.points.setdefault(row.school_code, []).append(
                    (row.assessment_point, years, [s["code"] for s in _listed(row.subjects)],
                     _listed(row.custom_groups)))
        self.schools = [s for s in self.schools if s in self.points]
        pupils = con.execute("select school_code, upn, year_group, on_roll from mart_pupil").df()
        self.pupils = {school: list(rows["upn"]) for school, rows in pupils.groupby("school_code")}
        self.on_roll_years = {school: sorted(rows.loc[rows["on_roll"], "year_group"].unique().tolist())
                              for school, rows in pupils.groupby("school_code")}
        programmes = con.execute("select distinct school_code, programme from fct_intervention").df()
        self.programmes = {school: sorted(rows["programme"]) for school, rows in programmes.groupby("school_code")}
        self.trust_point_names = loaders.trust_points(run, Scope.everything())
        self._run = run
        self._scopes = {}
        self._dates = {}

    def scope(self, school: str):
        """A senior leader (the whole school) three times in four, else a head of year (one year group's pupils)."""
        from warehouse.access import scope_for
        from warehouse.view import Scope

        if self.rng.random() < 0.75 or not self.on_roll_years.get(school):
            return Scope(schools=(school,)), None
        year = self.rng.choice(self.on_roll_years[school])
        if (school, year) not in self._scopes:   # the app remembers a viewer's scope per snapshot
            account = SimpleNamespace(role="head_of_year", schools=(school,), subjects=(), year_groups=(year,),
                                      tutor_groups=(), classes=())
            self._scopes[school, year] = scope_for(account, self._run)
        return self._scopes[school, year], year

    def view(self, subject: bool = False, compare: bool = False, subject_share: float = 0.2,
             compare_share: float = 0.3):
        from warehouse.view import ViewFilters

        rng = self.rng
        school = rng.choice(self.schools)
        scope, own_year = self.scope(school)
        drops = self.points[school]
        point, years, subjects, groups = rng.choice(drops)
        if own_year is not None and rng.random() < 0.5:
            year = own_year
        else:
            year = rng.choice(years) if rng.random() < 0.75 else None
        earlier = [d[0] for d in drops if d[0] != point]
        maybe = lambda share, values: rng.choice(values) if values and rng.random() < share else None  # noqa: E731
        view = ViewFilters(
            school=school, assessment_point=point,
            compare_point=maybe(compare_share, earlier) if compare else None, year_group=year,
            subject_code=rng.choice(subjects) if subject else maybe(subject_share, subjects),
            disadvantaged=maybe(0.2, [True, False]), sen_status=maybe(0.15, ["N", "K", "E"]),
            gender=maybe(0.15, ["F", "M"]), prior_attainment_band=maybe(0.15, ["low", "middle", "high"]),
            custom_group=maybe(0.1, groups))
        return {"scope": scope, "view": view}

    def dates(self, view):
        from warehouse import loaders

        key = (view.school, view.assessment_point)
        if key not in self._dates:
            self._dates[key] = loaders.academic_year_dates(self._run, view)
        return self._dates[key]

    def pupil(self):
        request = self.view()
        scope, view = request["scope"], request["view"]
        upns = list(scope.upns) if scope.upns is not None else self.pupils[view.school]
        return {**request, "upn": self.rng.choice(upns), "dates": self.dates(view)}

    def school(self):
        school = self.rng.choice(self.schools)
        scope, _ = self.scope(school)
        return {"scope": scope, "school": school}

    def programme(self):
        school = self.rng.choice([s for s in self.schools if self.programmes.get(s)])
        scope, _ = self.scope(school)
        return {"scope": scope, "school": school, "programme": self.rng.choice(self.programmes[school])}

    def trust(self):
        return {"point": self.rng.choice(self.trust_point_names),
                "year": self.rng.choice([None, None, 7, 8, 9, 10, 11])}


def cases(mix: Mix, remembered_run) -> list[Case]:
    from warehouse import explore, loaders
    from warehouse.view import Scope

    def record(run, r):
        return loaders.pupil_record(run, r["scope"], r["view"].school, r["upn"])

    def with_subject():
        return mix.view(subject=True)

    def basis_view():
        return {**mix.view(), "basis": mix.rng.choice(["working_at", "working_at", "predicted", "target"])}

    def dated_view():   # the page asks for the dates first (academic_year_dates, timed on its own)
        request = mix.view()
        return {**request, "dates": mix.dates(request["view"])}

    def attendance(run, r):
        return loaders.attendance(run, r["scope"], r["view"], *r["dates"])

    return [
        Case("overview", "school", mix.view, lambda run, r: loaders.overview(run, r["scope"], r["view"]),
             naive=True, check=check_overview),
        Case("subject_view", "school", with_subject,
             lambda run, r: loaders.subject_view(run, r["scope"], r["view"]), naive=True, check=check_subject_view),
        Case("year_review", "school", mix.view,
             lambda run, r: loaders.year_review(run, r["scope"], r["view"]), naive=True, check=check_year_review,
             note="the lists and the count of pupils, as the Year review first asks"),
        Case("year_review_grid", "school", mix.view,
             lambda run, r: loaders.year_review_grid(run, r["scope"], r["view"]), naive=True, check=check_grid,
             note="every pupil's subjects, when the All subjects tab is open"),
        Case("movers", "school", lambda: mix.view(compare=True, compare_share=1.0),
             lambda run, r: loaders.movers(run, r["scope"], r["view"]), naive=True, check=check_movers,
             note="who moved since a compare drop, when the Movers tab is open"),
        Case("pupils_to_find", "school", mix.view,
             lambda run, r: loaders.pupils_to_find(run, r["scope"], r["view"]), naive=True, check=check_pupils),
        Case("pupil_record", "school", mix.pupil, record, naive=True, check=check_pupil_record,
             note="the profile, grades, attendance and programmes, as the Pupil page first asks"),
        Case("pupil_attendance_pattern", "school", mix.pupil,
             lambda run, r: loaders.pupil_attendance_pattern(run, r["scope"], r["view"].school, r["upn"],
                                                            *r["dates"]),
             naive=True, check=check_absence_pattern,
             note="where the year's absences fell, to the drop, when the Pupil page's Attendance tab is open"),
        Case("pupil_targets", "school", mix.pupil,
             lambda run, r: loaders.pupil_targets(run, r["scope"], r["view"].school, r["upn"]),
             naive=True, check=check_pupil_targets, note="every target, when the Pupil page's Targets tab is open"),
        Case("academic_year_dates", "school", mix.view,
             lambda run, r: loaders.academic_year_dates(run, r["view"]), naive=True, check=check_dates),
        Case("group_pupils", "school", basis_view,
             lambda run, r: loaders.group_pupils(run, r["scope"], r["view"], r["basis"]), naive=True,
             check=check_group_pupils),
        Case("attendance", "school", dated_view, attendance, naive=True, check=check_attendance,
             note="from 1 September to the drop, as the Attendance page asks"),
        Case("target_checks", "school", mix.view,
             lambda run, r: loaders.target_checks(run, r["scope"], r["view"]), naive=True, check=check_target_checks,
             note="the counts, and the flagged targets' rows, as the Targets page first asks"),
        Case("target_checks (every target)", "school", mix.view,
             lambda run, r: loaders.target_checks(run, r["scope"], r["view"], flagged_only=False), naive=True,
             check=check_target_checks, note="with the page's toggle off: every target's row"),
        Case("intervention_impact", "school", mix.view,
             lambda run, r: loaders.intervention_impact(run, r["scope"], r["view"]), naive=True, check=check_impact),
        Case("intervention_participants", "school", mix.programme,
             lambda run, r: loaders.intervention_participants(run, r["scope"], r["school"], r["programme"]),
             naive=True, check=check_participants),
        Case("explore.load_rows (pupils)", "school", basis_view,
             lambda run, r: explore.load_rows(run, r["scope"], r["view"], explore.PUPIL, r["basis"]), naive=True,
             check=check_explore_pupils),
        Case("explore.load_rows (subjects)", "school", mix.view,
             lambda run, r: explore.load_rows(run, r["scope"], r["view"], explore.SUBJECT), naive=True,
             check=check_explore_subjects),
        Case("subject_grades", "school", mix.school,
             lambda run, r: loaders.subject_grades(run, r["scope"], r["school"])),
        Case("subject_classes", "school", mix.school,
             lambda run, r: loaders.subject_classes(run, r["scope"], r["school"])),
        Case("staff_targets_included", "school", dict, lambda run, r: loaders.staff_targets_included(run)),
        Case("filter_options", "school", mix.school, lambda run, r: loaders.filter_options(run, r["scope"]),
             note="first ask per snapshot and scope; the app then remembers it"),
        Case("filter_options remembered", "school", mix.school,
             lambda run, r: loaders.filter_options(remembered_run, r["scope"]),
             note="as the sidebar asks on every rerun (run_remembered), after a first ask", prime=True),
        Case("trust", "trust", mix.trust, lambda run, r: loaders.trust(run, Scope.everything(), r["point"], r["year"]),
             naive=True, check=check_trust),
        Case("trust_points", "trust", dict, lambda run, r: loaders.trust_points(run, Scope.everything()),
             naive=True, check=check_trust_points),
        Case("filter_options (trust)", "trust", dict, lambda run, r: loaders.filter_options(run, Scope.everything()),
             note="first ask per snapshot; the app then remembers it"),
        Case("filter_options (trust) remembered", "trust", dict,
             lambda run, r: loaders.filter_options(remembered_run, Scope.everything()),
             note="as the sidebar asks on every rerun (run_remembered), after a first ask", prime=True),
    ]


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    answer = call()
    return (time.perf_counter() - started) * 1000, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", required=True, type=Path, help="an existing warehouse (TRACKER_DATA_DIR)")
    parser.add_argument("--requests", type=int, default=100,
                        help="timed requests per loader (default 100: the p95 is then the sixth slowest, not the "
                             "third of 40, which one pause of a shared machine moved by 10-25 ms)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per loader first (default 3)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--only", help="comma-separated loader names (as in the table)")
    parser.add_argument("--no-naive", action="store_true", help="the loaders only")
    parser.add_argument("--interleave", action="store_true",
                        help="time each request's loader and baseline in turn (default: a loader's requests, then "
                             "the baseline's)")
    args = parser.parse_args()
    os.environ["TRACKER_DATA_DIR"] = str(args.data_dir.resolve())

    import duckdb

    from warehouse.config import load_settings
    from warehouse.data import WarehouseReader
    from warehouse.store import Store

    reader = WarehouseReader(Store(load_settings()))
    snapshot = reader.snapshot()
    if snapshot is None:
        sys.exit(f"{args.data_dir}: the warehouse is empty")
    con = duckdb.connect(str(snapshot), read_only=True)
    missing = [t for t in ("mart_trust_progress", "mart_trust_attendance")
               if not con.execute("select count(*) from information_schema.tables where table_name = ?",
                                  [t]).fetchone()[0]]
    if missing:
        sys.exit(f"the snapshot has no {', '.join(missing)}: run "
                 f"`TRACKER_DATA_DIR={args.data_dir} python -m warehouse rebuild` first")
    schools, pupils, progress, sessions = con.execute(
        "select (select count(*) from dim_school), (select count(*) from mart_pupil), "
        "(select count(*) from mart_progress), (select count(*) from fct_attendance_session)").fetchone()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    print(f"warehouse: {snapshot} ({snapshot.stat().st_size / 2**20:,.0f} MiB): {schools} schools, "
          f"{pupils:,} pupils, {progress:,} mart_progress rows, {sessions:,} register sessions")
    print(f"app reader: WarehouseReader.run, a cursor per query, a page's queries side by side; "
          f"process memory before the baseline {rss_mib():,.0f} MiB")

    naive = None
    if not args.no_naive:
        naive = Naive(con)
        print(f"naive baseline: {len(NAIVE_TABLES)} tables ({naive.rows:,} rows) read into pandas in "
              f"{naive.load_seconds:.1f} s; frames {naive.frame_mib:,.0f} MiB (deep), "
              f"process memory +{naive.rss_added:,.0f} MiB")
        # The baseline's frames live as long as the run; Python's collector would otherwise walk their millions
        # of objects in pauses that fall on whichever call is timed, the loaders' too (the app holds no such data).
        gc.collect()
        gc.freeze()
        print(f"  ({gc.get_freeze_count():,} objects set aside from garbage collection)")
    con.close()

    rng = random.Random(args.seed)
    mix = Mix(reader.run, duckdb.connect(str(snapshot), read_only=True), rng)
    chosen = cases(mix, reader.run_remembered)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        chosen = [case for case in chosen if case.name in wanted]
    started = time.perf_counter()
    for case in chosen:
        requests = [case.make() for _ in range(args.warmup + args.requests)]

        def loader_call(request):
            if case.prime:
                case.call(reader.run, request)
            return timed(lambda: case.call(reader.run, request))

        def naive_call(request):
            with one_after_another():
                return timed(lambda: case.call(naive.run, request))

        with_naive = case.naive and naive is not None
        gc.collect()
        if args.interleave and with_naive:
            timings = [(loader_call(request), naive_call(request)) for request in requests]
        else:
            loaders_first = [loader_call(request) for request in requests]
            gc.collect()
            timings = list(zip(loaders_first, [naive_call(request) if with_naive else (None, None)
                                               for request in requests]))
        for i, ((loader_ms, ours), (naive_ms, theirs)) in enumerate(timings):
            if with_naive:
                try:
                    case.check(ours, theirs)
                except Exception as disagreement:   # noqa: BLE001 (a check that cannot compare is a disagreement)
                    case.disagreed.append(f"{type(disagreement).__name__}: {disagreement}")
                case.checked += 1
            if i >= args.warmup:
                case.loader_ms.append(loader_ms)
                if naive_ms is not None:
                    case.naive_ms.append(naive_ms)
        print(f"  {case.name}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    report(chosen, args, time.perf_counter() - started)
    gc.unfreeze()   # the baseline's objects are freed with the rest at exit


def report(chosen: list[Case], args, seconds: float) -> None:
    print(f"\n{args.requests} timed requests per loader after {args.warmup} untimed, seed {args.seed}; milliseconds; "
          f"ratio = naive / loader; budgets: p95 <= {SCHOOL_BUDGET_MS:.0f} ms school-scoped, "
          f"<= {TRUST_BUDGET_MS:.0f} ms trust-wide, and naive p95 / loader p95 >= {RATIO_BUDGET:.0f}x. "
          f"Cached: whether the app keeps the answer (nothing else is remembered between calls)\n")
    print("| loader | scope | cached | p50 | p95 | naive p50 | naive p95 | ratio p50 / p95 | p95 within | >= 10x | "
          "naive checked |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    met = {"time": 0, "ratio": 0, "both": 0, "with baseline": 0}
    for case in chosen:
        p50, p95 = statistics.median(case.loader_ms), percentile(case.loader_ms, 0.95)
        budget = SCHOOL_BUDGET_MS if case.kind == "school" else TRUST_BUDGET_MS
        within = p95 <= budget
        met["time"] += within
        if case.naive_ms:
            n50, n95 = statistics.median(case.naive_ms), percentile(case.naive_ms, 0.95)
            ratio = n95 / p95
            naive_cells = f"{n50:,.1f} | {n95:,.1f} | {n50 / p50:.1f}x / {ratio:.1f}x"
            tenfold = "yes" if ratio >= RATIO_BUDGET else "no"
            met["ratio"] += ratio >= RATIO_BUDGET
            met["both"] += within and ratio >= RATIO_BUDGET
            met["with baseline"] += 1
            checked = f"{case.checked - len(case.disagreed)}/{case.checked} agree"
        else:
            naive_cells, tenfold, checked = "– | – | –", "–", "not covered"
        scope = "school-scoped" if case.kind == "school" else "trust-wide"
        cached = "remembered per snapshot" if case.prime else "no"
        print(f"| {case.name} | {scope} | {cached} | {p50:,.1f} | {p95:,.1f} | {naive_cells} | "
              f"{'yes' if within else 'no'} | {tenfold} | {checked} |")
    print(f"\np95 within its budget: {met['time']} of {len(chosen)} loaders; >= {RATIO_BUDGET:.0f}x the naive p95: "
          f"{met['ratio']} of {met['with baseline']} with a baseline; both: {met['both']}")
    for case in chosen:
        if case.note:
            print(f"- {case.name}: {case.note}")
    for case in chosen:
        for disagreement in case.disagreed[:3]:
            print(f"- {case.name} disagrees with the naive answer: {disagreement}")
    load = os.getloadavg()[0]
    busy = f" (above {os.cpu_count()} cores: others were busy too)" if load > (os.cpu_count() or 1) else ""
    print(f"\n{sum(len(c.loader_ms) for c in chosen)} loader calls and {sum(len(c.naive_ms) for c in chosen)} naive "
          f"ones in {seconds:.0f} s (with checks and warm-up); load average {load:.1f} at the end{busy}")


if __name__ == "__main__":
    main()
