"""Altair, quickly: the schema check in the tests, not on every rerun; channels written as objects.

Altair checks a chart against the whole Vega-Lite JSON schema each time it
turns it into a spec, which Streamlit does on every rerun: 5-45 ms a chart,
up to ~80 ms on a page with several charts, for charts whose shape is fixed
in our code. The test suite keeps the check (TRACKER_CHECK_CHARTS=1, set in
tests/conftest.py), so every page's charts are checked on every CI run; the
app itself skips it.

Channels are written as objects (alt.X("a:Q"), alt.Tooltip("a:N"), alt.ColorValue(...)),
never as shorthand strings, lists of strings, alt.value() or alt.condition():
Altair turns those into objects through a lookup it rebuilds on every call,
3-13 ms each; an object costs a twentieth of a millisecond.
"""
from __future__ import annotations

import functools
import os

import altair as alt
import pandas as pd


def skip_schema_check_outside_tests() -> None:
    """Make Altair's to_dict() default to validate=False in this process, unless tests asked for checks."""
    if os.environ.get("TRACKER_CHECK_CHARTS") == "1":
        return
    for chart_class in (alt.TopLevelMixin, alt.Chart):
        to_dict = chart_class.__dict__["to_dict"]
        if getattr(to_dict, "skips_schema_check", False):
            continue
        chart_class.to_dict = _unchecked(to_dict)


def _unchecked(to_dict):
    @functools.wraps(to_dict)
    def to_dict_unchecked(self, validate: bool = False, **kwargs):
        return to_dict(self, validate=validate, **kwargs)

    to_dict_unchecked.skips_schema_check = True
    return to_dict_unchecked


def highlight(pick: alt.Parameter, picked: float = 1.0, others: float = 0.5) -> alt.OpacityValue:
    """Opacity for a chart with a selection: the picked marks full, the others faded.
    (What alt.condition(pick, alt.value(picked), alt.value(others)) gives, without its ~13 ms.)"""
    return alt.OpacityValue(others, condition={"param": pick.name, "value": picked})


TRAJECTORY_SERIES = ["Working at", "Progress target"]


def trajectories(history: pd.DataFrame) -> alt.Chart:
    """A pupil's working-at grade at each drop against the progress target, a row per subject, in one view.

    Small multiples without a chart each: the subjects are bands of one y axis and each line sits in its
    subject's band (yOffset on one points scale shared by every subject, so they compare honestly). A
    facet of nine panels, each with its own axes and grid, cost the browser about twice as much to redraw
    on every change of pupil (docs/benchmarks.md, third round).
    """
    lines = history.rename(columns={"working_at_points": "Working at", "progress_target_points": "Progress target"})
    drops = history["assessment_point"].nunique()
    return (alt.Chart(lines)
            .transform_fold(TRAJECTORY_SERIES, as_=["series", "points"])
            .mark_line(point=True)
            .encode(x=alt.X("assessment_point:N", title=None, sort=alt.SortField("point_sequence"),
                            axis=alt.Axis(orient="top", labelAngle=0 if drops <= 6 else -40, labelOverlap=False)),
                    y=alt.Y("subject_name:N", title=None, scale=alt.Scale(paddingInner=0.15),
                            axis=alt.Axis(tickBand="extent", grid=True, labelLimit=240)),
                    yOffset=alt.YOffset("points:Q", scale=alt.Scale(zero=False, padding=6)),
                    detail=alt.Detail("subject_name:N"),
                    color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top"),
                                    scale=alt.Scale(domain=TRAJECTORY_SERIES, range=["#0072B2", "#E69F00"])),
                    strokeDash=alt.StrokeDash("series:N", legend=None,
                                              scale=alt.Scale(domain=TRAJECTORY_SERIES, range=[[1, 0], [4, 4]])),
                    tooltip=[alt.Tooltip("subject_name:N", title="Subject"),
                             alt.Tooltip("assessment_point:N", title="Drop"),
                             alt.Tooltip("series:N", title="Line"),
                             alt.Tooltip("points:Q", title="Points", format=".2f"),
                             alt.Tooltip("working_at:N", title="Working at"),
                             alt.Tooltip("target:N", title="Target"), alt.Tooltip("status:N", title="Status")])
            .properties(height=alt.Step(72)))
