"""Row validation with Great Expectations, one suite per export kind.

Runs the JSON suites in expectations/ with an ephemeral context on pandas
DataFrames, and turns every unexpected value into an Issue (row, column, value,
reason) for the quarantine. Value checks run once per distinct value (or
distinct combination, for derived keys such as school|subject|grade) and their
verdicts are mapped back to the rows; the key check runs on every row.
Importing Great Expectations costs seconds, so only ingestion imports this
module; the dashboard never does.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial
from stdnum.gb import upn as upn_rules

from warehouse import suites
from warehouse.formats import KINDS
from warehouse.lookups import Lookups, code_set_for

logging.getLogger("great_expectations").setLevel(logging.ERROR)

# The key columns behind each kind's "duplicate" reason (see suites._key_expectation).
KEY_BY_DUPLICATE_REASON = {suites.duplicate_reason(kind): list(kind.natural_key) + [suites.FILE]
                           for kind in KINDS.values()}


UPN_SHAPE = re.compile(suites.UPN_PATTERN)


class ColumnValuesValidUpn(ColumnMapMetricProvider):
    """True where a UPN's check letter is right (DfE algorithm, via python-stdnum).

    A value not shaped like a UPN at all passes here: the pattern expectation
    reports it, once, with a clearer reason.
    """
    condition_metric_name = "column_values.valid_upn"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return well_formed_upn_is_valid(column)


def well_formed_upn_is_valid(column: pd.Series) -> pd.Series:
    """Check-letter validity of each value, computed once per distinct UPN (files repeat them)."""
    verdicts = {value: _well_formed_upn_is_valid(str(value)) for value in column.unique()}
    return column.map(verdicts).astype(bool)


@lru_cache(maxsize=1_000_000)
def _well_formed_upn_is_valid(value: str) -> bool:
    # Every file of a school names the same pupils: each UPN is checked once.
    return not UPN_SHAPE.match(value) or upn_rules.is_valid(value)


class ExpectColumnValuesToBeValidUpn(ColumnMapExpectation):
    """Expect every value to be a UPN with a correct check letter."""
    map_metric = "column_values.valid_upn"
    success_keys = ("mostly",)


@dataclass(frozen=True)
class Issue:
    index: int        # position in the validated frame
    column: str       # canonical column the data manager should look at
    value: str | None
    reason: str
    check: int = -1   # which of Validation.results found it (-1: found outside the suite)


@dataclass
class Validation:
    issues: list[Issue]
    results: list[dict]  # one summary per expectation, for the batch's report

    @property
    def bad_indices(self) -> set[int]:
        return {issue.index for issue in self.issues}


def _key_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """'H801…|MA|2025/26 Autumn': a row's key as the quarantine shows it."""
    text = frame[columns[0]].astype("string")
    for column in columns[1:]:
        text = text + " | " + frame[column].astype("string")
    return text


@lru_cache(maxsize=1)
def _batch_definition():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    asset = context.data_sources.add_pandas("exports").add_dataframe_asset("export")
    return asset.add_batch_definition_whole_dataframe("whole file")


@lru_cache(maxsize=None)
def load_suite(kind: str) -> dict:
    return json.loads(suites.suite_path(kind).read_text(encoding="utf-8"))


def _columns_of(expectation: dict) -> list[str]:
    kwargs = expectation["kwargs"]
    return list(kwargs.get("column_list", [])) + ([kwargs["column"]] if "column" in kwargs else [])


def distinct_combinations(frame: pd.DataFrame, columns: list[str], build) -> tuple[np.ndarray, list]:
    """For each row, the number of its distinct combination of `columns`; and build(*values) for each.

    Files repeat the same few combinations (a school's pupils, a subject's
    grades) over many rows: each is worked out once, with no per-row strings.
    """
    key = np.zeros(len(frame), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        key = key * (len(uniques) + 1) + codes
    _, first_rows, inverse = np.unique(key, return_index=True, return_inverse=True)
    values = [frame[c].to_numpy(dtype=object, na_value=None)[first_rows] for c in columns]
    return inverse.reshape(-1), [build(*combination) for combination in zip(*values)]


def helper_columns(frame: pd.DataFrame, kind: str, lookups: Lookups) -> dict[str, tuple[list[str], object]]:
    """The derived values the suites check (see warehouse/suites.py): name -> (columns, build)."""
    def key_of(*parts):
        return None if any(part is None for part in parts) else "|".join(parts)

    def pupil_key(school, upn):
        # A mistyped UPN is reported as such, not also as an unknown pupil.
        ok = upn is not None and UPN_SHAPE.match(upn) and _well_formed_upn_is_valid(upn)
        return key_of(school, upn) if ok else None

    def on_known_subject(school, subject, label):
        # A grade cannot be judged on the scale of a subject we do not know:
        # the unknown subject is the problem to report.
        return key_of(school, subject, label) if f"{school}|{subject}" in lookups.subjects else None

    def dated_mark(day, mark):
        iso = day is not None and ISO_DATE.fullmatch(day)
        return key_of(code_set_for(day), mark) if iso else None

    def number(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None

    present = set(frame.columns)
    wanted = {
        suites.PUPIL_KEY: (["school_code", "upn"], pupil_key),
        suites.SUBJECT_KEY: (["school_code", "subject_code"], key_of),
        suites.SUBJECT_GRADE: (["school_code", "subject_code", "grade"], on_known_subject),
        suites.SUBJECT_EFFORT: (["school_code", "subject_code", "effort"], on_known_subject),
        suites.POINT_KEY: (["school_code", "assessment_point"], key_of),
        suites.TEACHER_KEY: (["school_code", "teacher_code"], key_of),
        suites.DATED_MARK: (["date", "mark"], dated_mark),
    }
    for column in KINDS[kind].columns:
        if column.type in ("int", "number"):
            wanted[f"__num_{column.name}"] = ([column.name], number)
    return {name: spec for name, spec in wanted.items() if set(spec[0]) <= present}


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def validate(frame: pd.DataFrame, kind: str, lookups: Lookups) -> Validation:
    """Check every row of a canonical frame against the kind's suite."""
    checked = frame.reset_index(drop=True)
    if suites.FILE not in checked:
        checked = checked.assign(**{suites.FILE: 0})  # one file; several validated together carry their position
    helpers = helper_columns(checked, kind, lookups)
    available = set(checked.columns) | set(helpers)
    expectations = [e for e in load_suite(kind)["expectations"] if all(c in available for c in _columns_of(e))]
    # A value check gives the same verdict wherever a value occurs, so it runs
    # once per distinct value (a register repeats each UPN hundreds of times);
    # the key check needs every row.
    per_value = [e for e in expectations if "column" in e["kwargs"]]
    per_row = [e for e in expectations if "column_list" in e["kwargs"]]
    codes, uniques = {}, {}
    for column in dict.fromkeys(e["kwargs"]["column"] for e in per_value):
        if column in helpers:
            columns, build = helpers[column]
            codes[column], values = distinct_combinations(checked, columns, build)
            uniques[column] = pd.Series(values, dtype="Float64" if column.startswith("__num_") else "string")
        else:
            codes[column], uniques[column] = pd.factorize(checked[column], use_na_sentinel=False)
    parameters = _parameters(uniques, lookups)
    issues: list[Issue] = []
    results: list[dict] = []
    if per_value:
        length = max(len(values) for values in uniques.values())
        # Each column's distinct values, cycled to one length (repeats do not change a verdict).
        distinct = pd.DataFrame({c: pd.Series(v).take(np.arange(length) % len(v)).reset_index(drop=True)
                                 for c, v in uniques.items()})
        for config, failing in _run(distinct, per_value, parameters, kind):
            column = config.kwargs["column"]
            size = len(uniques[column])
            rows = np.flatnonzero(np.isin(codes[column], sorted({i % size for i in failing})))
            _collect(checked, config, rows, results, issues)
    if per_row:
        key_columns = list(dict.fromkeys(c for e in per_row for c in e["kwargs"]["column_list"]))
        # Keys compared as integer codes of their values: the same verdict, far cheaper than strings.
        keys = pd.DataFrame({c: codes[c] if c in codes else pd.factorize(checked[c], use_na_sentinel=False)[0]
                             for c in key_columns})
        for config, failing in _run(keys, per_row, parameters, kind):
            _collect(checked, config, failing, results, issues)
    issues = _settle_exact_duplicates(checked[KINDS[kind].column_names + [suites.FILE]], issues)
    issues.sort(key=lambda issue: (issue.index, issue.column))
    return Validation(issues, results)
def _parameters(uniques: dict[str, pd.Series], lookups: Lookups) -> dict[str, list[str]]:
    """Each suite parameter: the values this file holds that the warehouse does not know."""
    known = {
        "unknown_pupils": ([suites.PUPIL_KEY], lookups.pupils),
        "unknown_subjects": ([suites.SUBJECT_KEY], lookups.subjects.keys()),
        "unknown_points": ([suites.POINT_KEY], lookups.points),
        "unknown_staff": ([suites.TEACHER_KEY], lookups.staff),
        "grades_off_scale": ([suites.SUBJECT_GRADE], set(lookups.valid_subject_grades())),
        "efforts_off_scale": ([suites.SUBJECT_EFFORT], set(lookups.valid_subject_efforts())),
        "marks_not_in_force": ([suites.DATED_MARK], lookups.dated_marks),
        "unknown_scales": (["grade_scale", "effort_scale"], lookups.scales.keys()),
    }
    parameters = {}
    for name, (columns, values) in known.items():
        present = {v for c in columns if c in uniques for v in pd.Series(uniques[c]).dropna()}
        parameters[name] = sorted(present - set(values))
    return parameters


def _run(frame: pd.DataFrame, expectations: list[dict], parameters: dict, kind: str):
    """Great Expectations on a frame: (expectation, unexpected row positions) for each expectation."""
    suite = gx.ExpectationSuite(name=kind, expectations=expectations)
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    outcome = batch.validate(suite, result_format={"result_format": "COMPLETE", "partial_unexpected_count": 0},
                             expectation_parameters=parameters)
    for result in outcome.results:
        config = result.expectation_config
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise RuntimeError(f"expectation {config.type} on {config.kwargs} failed to run: "
                               f"{result.exception_info.get('exception_message')}")
        yield config, result.result.get("unexpected_index_list") or []


def _collect(checked: pd.DataFrame, config, rows, results: list[dict], issues: list[Issue]) -> None:
    """One expectation's outcome on the file's rows: a result summary, and an issue per bad row."""
    meta = config.meta or {}
    column, reason = meta.get("column", ""), meta.get("reason", config.type)
    results.append({"expectation": config.type, "column": column, "reason": reason,
                    "success": len(rows) == 0, "unexpected_count": len(rows)})
    if not len(rows):
        return
    bad = checked.iloc[np.asarray(rows)]
    key_columns = config.kwargs.get("column_list")
    values = (_key_text(bad, [c for c in key_columns if c != suites.FILE]) if key_columns
              else bad.get(column))
    for position, row in enumerate(rows):
        value = None if values is None or pd.isna(values.iat[position]) else str(values.iat[position])
        issues.append(Issue(int(row), column, value, reason, len(results) - 1))


def _settle_exact_duplicates(frame: pd.DataFrame, issues: list[Issue]) -> list[Issue]:
    """Rows repeated to the letter are one row sent twice: load the first copy.

    Rows that share a key but differ are a conflict only the data manager can
    settle, so all of them stay in quarantine.
    """
    duplicate_reason = next((i.reason for i in issues if i.reason in KEY_BY_DUPLICATE_REASON), None)
    if duplicate_reason is None:
        return issues
    flagged = frame.iloc[sorted({i.index for i in issues if i.reason == duplicate_reason})]
    first_copies, later_copies = set(), set()
    for _, group in flagged.groupby(KEY_BY_DUPLICATE_REASON[duplicate_reason], dropna=False, sort=False):
        if len(group.drop_duplicates()) == 1:
            first_copies.add(group.index[0])
            later_copies.update(group.index[1:])
    settled = []
    for issue in issues:
        if issue.reason != duplicate_reason:
            settled.append(issue)
        elif issue.index in later_copies:
            settled.append(Issue(issue.index, issue.column, issue.value,
                                 "exact duplicate of an earlier row (the first copy was loaded)", issue.check))
        elif issue.index not in first_copies:
            settled.append(issue)
    return settled


