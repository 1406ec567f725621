"""The shared sidebar filters, kept in the URL so that a link reproduces the view.

The router (app.py) renders them on every page; pages read `current_view()`.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.view import URL_KEYS, ViewFilters

ALL = "All"
NONE = "None"
YES_NO = {ALL: None, "Yes": True, "No": False}
SEN = {ALL: None, "No SEN (N)": "N", "SEN support (K)": "K", "EHC plan (E)": "E"}
GENDERS = {ALL: None, "Female": "F", "Male": "M", "Other (X)": "X"}
BANDS = {ALL: None, "Low (KS2 < 100)": "low", "Middle (100 to < 110)": "middle", "High (110+)": "high"}


FILTER_WIDGETS = ("f_school", "f_point", "f_compare", "f_year", "f_subject", "f_disadvantaged", "f_sen", "f_gender",
                  "f_band", "f_group")


def current_view() -> ViewFilters:
    return st.session_state.get("view", ViewFilters())


def render_sidebar_filters(options: pd.DataFrame | None) -> ViewFilters:
    """Sidebar widgets, started from the URL, and the URL kept in step with them."""
    if options is None or options.empty:
        st.session_state["view"] = ViewFilters()
        return st.session_state["view"]
    from_url = ViewFilters.from_url(st.query_params.to_dict())
    in_url = {k: v for k, v in st.query_params.to_dict().items() if k in URL_KEYS.values()}
    if in_url and st.session_state.get("view_url", in_url) != in_url:
        # A link within the app (or the browser's back button) brought another view: it wins over the widgets.
        # (A URL without filters is a move in the page menu: the widgets keep the view.)
        for key in FILTER_WIDGETS:
            st.session_state.pop(key, None)
    sidebar = st.sidebar
    sidebar.header("View")

    schools = list(dict.fromkeys(options["school_code"]))
    school = _select(sidebar, "School", schools, from_url.school, "f_school", hidden=len(schools) == 1)
    at_school = options[options["school_code"] == school]
    at_school = at_school.sort_values("point_sequence")
    points = list(at_school["assessment_point"])
    with_grades = [p for p, years in zip(points, at_school["year_groups"]) if _listed(years)]
    point = _select(sidebar, "Assessment point", points, from_url.assessment_point, "f_point",
                    default=(with_grades or points)[-1], help="The data drop the figures are for.")
    earlier = [NONE] + [p for p in points if p != point]
    compare = _select(sidebar, "Compare with", earlier, from_url.compare_point, "f_compare", default=NONE,
                      help="Another drop to compare with (movement between drops).")
    row = at_school[at_school["assessment_point"] == point].iloc[0]
    years = [ALL] + [f"Year {y}" for y in _listed(row["year_groups"])]
    year = _select(sidebar, "Year group", years, _label(from_url.year_group, "Year {}"), "f_year", default=ALL,
                   help="Pupils in this year group at the chosen drop; trends follow the same pupils.")
    names = {item["code"]: item["name"] for item in _listed(row["subjects"])}
    st.session_state["subject_names"] = names
    subject = _select(sidebar, "Subject", [ALL, *names], from_url.subject_code, "f_subject", default=ALL,
                      format_func=lambda code: names.get(code, code))

    with sidebar.expander("Pupil groups", expanded=any(
            v is not None for v in (from_url.disadvantaged, from_url.sen_status, from_url.gender,
                                    from_url.prior_attainment_band, from_url.custom_group))):
        disadvantaged = _choice(st, "Disadvantaged", YES_NO, from_url.disadvantaged, "f_disadvantaged")
        sen = _choice(st, "SEN", SEN, from_url.sen_status, "f_sen")
        gender = _choice(st, "Gender", GENDERS, from_url.gender, "f_gender")
        band = _choice(st, "Prior attainment", BANDS, from_url.prior_attainment_band, "f_band",
                       help="KS2 average (or the linked alternative baseline where KS2 is missing).")
        groups = [ALL] + _listed(row["custom_groups"])
        group = _select(st, "School group", groups, from_url.custom_group, "f_group", default=ALL)

    view = ViewFilters(
        school=school, assessment_point=point, compare_point=None if compare == NONE else compare,
        year_group=None if year == ALL else int(year.split()[-1]),
        subject_code=None if subject == ALL else subject,
        disadvantaged=disadvantaged, sen_status=sen, gender=gender, prior_attainment_band=band,
        custom_group=None if group == ALL else group,
    )
    st.session_state["view"] = view
    wanted = view.to_url()
    st.session_state["view_url"] = wanted
    current = {k: v for k, v in st.query_params.to_dict().items() if k in URL_KEYS.values()}
    if current != wanted:
        others = {k: v for k, v in st.query_params.to_dict().items() if k not in URL_KEYS.values()}
        st.query_params.from_dict({**others, **wanted})
    return view


def describe(view: ViewFilters) -> str:
    """The view in words, for a page's caption: 'Year 11 · disadvantaged · at 2025/26 Summer'."""
    parts = [f"Year {view.year_group}" if view.year_group else "All year groups"]
    if view.subject_code:
        parts.append(st.session_state.get("subject_names", {}).get(view.subject_code, view.subject_code))
    for value, words in ((view.disadvantaged, {True: "disadvantaged", False: "not disadvantaged"}),
                         (view.sen_status, {v: k for k, v in SEN.items() if v}),
                         (view.gender, {v: k.lower() for k, v in GENDERS.items() if v}),
                         (view.prior_attainment_band, {v: f"{v} prior attainment" for v in BANDS.values() if v}),
                         (view.custom_group, None)):
        if value is not None:
            parts.append(words[value] if words else value)
    return " · ".join(parts) + f" · at {view.assessment_point}"


def _listed(value) -> list:
    """A list column's value as a list (a drop with no grades yet has none)."""
    return [] if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else list(value)


def _label(value, pattern: str):
    return None if value is None else pattern.format(value)


def _select(where, label, choices, wanted, key, default=None, hidden=False, help=None, format_func=str):
    if key not in st.session_state or st.session_state[key] not in choices:
        st.session_state[key] = wanted if wanted in choices else (default if default in choices else choices[0])
    if hidden:
        return st.session_state[key]
    return where.selectbox(label, choices, key=key, help=help, format_func=format_func)


def _choice(where, label, mapping: dict, wanted, key, help=None):
    labels = list(mapping)
    wanted_label = next((k for k, v in mapping.items() if v == wanted and v is not None), ALL)
    return mapping[_select(where, label, labels, wanted_label, key, default=ALL, help=help)]
