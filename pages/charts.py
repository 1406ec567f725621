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
