"""Explore: a question builder over the marts (measure, split, second split, chart), and the pupils behind each figure.

The question is kept in the URL (measure, split, split2, chart, basis, show)
beside the sidebar's view, so a link reproduces it. No free SQL: the measures
and splits are a fixed catalogue (warehouse/explore.py) over named queries.
"""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from pages.charts import highlight
from pages.common import MISSING, current_scope, downloads, pupil_links, use_the_router, warehouse_run
from pages.filters import current_view, describe
from warehouse import explore
from warehouse.explore import KS4_BASES, MEASURES, PUPIL, SPLITS, SUBJECT, Question
from warehouse.loaders import STATUS_LABELS

NO_SPLIT = "none"
NO_GROUP = "Choose a group"
CHARTS = {"bar": "Bar chart", "table": "Table"}
# Okabe-Ito: told apart with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
QUESTION_KEYS = ("measure", "split", "split2", "chart", "basis", "show")

PUPIL_COLUMNS = {
    "pupil_name": "Pupil", "open": st.column_config.LinkColumn("Record", display_text="Open",
                                                               help="The pupil's record on the Pupil page."),
    "tutor_group": "Tutor group", "year_group": "Year",
    "subject_name": "Subject", "class_code": "Class", "teacher": "Teacher", "working_at": "Working at",
    "target": "Target", "progress_target_points": st.column_config.NumberColumn(
        "Progress target", format="%.2f", help="Where the pupil should be by now, in points."),
    "gap_grades": st.column_config.NumberColumn("Gap (grades)", format="%+.2f",
                                                help="Working at minus progress target: above zero is ahead."),
    "status": "Status",
    "residual_grades": st.column_config.NumberColumn(
        "Residual (grades)", format="%+.2f", help="This subject's grade minus the pupil's mean in their others."),
    "possible_sessions": st.column_config.NumberColumn("Possible sessions", help="In the drop's academic year."),
    "present_sessions": st.column_config.NumberColumn("Present", help="Including approved educational activity."),
    "attendance_pct": st.column_config.NumberColumn("Attendance %", format="%.1f"),
    "persistent_absent": st.column_config.TextColumn("Persistently absent", help="Missed 10% or more."),
    "attainment8": st.column_config.NumberColumn("Attainment 8", format="%.1f"),
    "p8_estimate": st.column_config.NumberColumn("P8 (estimate)", format="%+.2f"),
    "basics_4": "Basics 4+", "basics_5": "Basics 5+", "ebacc_entered": "EBacc entered",
    "gender": "Gender", "disadvantaged": "Disadvantaged", "sen_status": "SEN", "eal": "EAL",
    "prior_attainment_band": "Prior attainment", "custom_groups": "School groups",
}
SUBJECT_SHOWS = ("subject_name", "class_code", "teacher", "working_at", "target", "progress_target_points",
                 "gap_grades", "status", "residual_grades")
FLAGS = ("persistent_absent", "basics_4", "basics_5", "ebacc_entered")  # the splits' flags are in words already
GROUP_SHOWS = ("gender", "disadvantaged", "sen_status", "eal", "prior_attainment_band", "custom_groups")


def choose(where, label: str, options: list, wanted, key: str, **kwargs):
    """A selectbox started from the URL's value (or the first option), kept in session state."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = wanted if wanted in options else options[0]
    return where.selectbox(label, options, key=key, **kwargs)


def keep_in_url(values: dict[str, str | None]) -> None:
    for key in QUESTION_KEYS:
        value = values.get(key)
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Yes/No for flags (a table would show ticks), lists as text, statuses as on the other pages."""
    frame = frame.copy()
    for column in frame.columns:
        if column in FLAGS:
            frame[column] = frame[column].map(lambda v: "" if pd.isna(v) else ("Yes" if v else "No"))
    if "custom_groups" in frame.columns:
        frame["custom_groups"] = frame["custom_groups"].map(
            lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray)) else "")
    if "status" in frame.columns:
        frame["status"] = frame["status"].map(STATUS_LABELS)
    return frame


def bar_chart(figures: pd.DataFrame, question: Question):
    measure, split, split2 = question.measure, question.split, question.split2
    data = figures.assign(label=[explore.group_label(g, g2) for g, g2 in zip(figures["group"], figures["group2"])],
                          shown=figures["value"].map(measure.format),
                          rest_shown=figures["rest_value"].map(measure.format),
                          gap_shown=figures["gap"].map(lambda g: "–" if pd.isna(g) else f"{g:+.{measure.decimals}f}"),
                          group2=figures["group2"].fillna("") if split2 else "")
    if split2:   # the second split's groups side by side within each first-split group
        data = data.assign(_1=data["group"].map(list(dict.fromkeys(data["group"])).index)).sort_values(
            "_1", kind="stable").drop(columns="_1")
    fields = ["group", "group2"] if split2 else ["group"]
    pick = alt.selection_point(name="pick", fields=fields, on="click")
    title = split.label + (f" · {split2.label.lower()}" if split2 else "")
    encoding = {"y": alt.Y("label:N", sort=list(data["label"]), title=title, axis=alt.Axis(labelLimit=260))}
    tooltip = [alt.Tooltip("group:N", title=split.label)]
    if split2:
        tooltip.append(alt.Tooltip("group2:N", title=split2.label))
    tooltip += [alt.Tooltip("shown:N", title=measure.label), alt.Tooltip("pupils:Q", title="Pupils")]
    if measure.has_gap:
        tooltip += [alt.Tooltip("rest_shown:N", title="The rest"), alt.Tooltip("gap_shown:N", title="Gap to the rest")]
    if split2:
        order2 = list(dict.fromkeys(figures["group2"]))
        colour = alt.Color("group2:N", sort=order2, title=split2.label,
                           scale=alt.Scale(domain=order2, range=(PALETTE * 4)[:len(order2)]),
                           legend=alt.Legend(orient="top"))
    else:
        colour = alt.ColorValue(PALETTE[0])
    base = alt.Chart(data)
    bars = (base.mark_bar().encode(
        x=alt.X("value:Q", title=f"{measure.label}" + ("  (black tick: the rest)" if measure.has_gap else "")),
        color=colour, opacity=highlight(pick, others=0.35), tooltip=tooltip, **encoding)
        .add_params(pick))
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x=alt.X("value:Q"), text=alt.Text("shown:N"), **encoding)
    layers = [bars, labels]
    if measure.has_gap:
        layers.append(base.mark_tick(color="black", thickness=2, size=18)
                      .encode(x=alt.X("rest_value:Q"), tooltip=tooltip, **encoding))
    # fit-x: the width follows the page, the height is the bars' (not the legend's and axes' too).
    return alt.layer(*layers).properties(height=max(60, 26 * len(data)),
                                         autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def figures_table(figures: pd.DataFrame, question: Question) -> tuple[pd.DataFrame, dict]:
    measure, split, split2 = question.measure, question.split, question.split2
    columns = ["group"] + (["group2"] if split2 else []) + ["pupils", "value"]
    if measure.has_gap:
        columns += ["rest_pupils", "rest_value", "gap"]
    rest = f"the rest of the {split2.label.lower()} group" if split2 else "the rest of the view's pupils"
    number = f"%+.{measure.decimals}f" if measure.signed else f"%.{measure.decimals}f"
    config = {
        "group": split.label, "group2": split2.label if split2 else None,
        "pupils": st.column_config.NumberColumn("Pupils", help="Pupils counted in the figure."),
        "value": st.column_config.NumberColumn(measure.label, format=number, help=measure.help),
        "rest_pupils": st.column_config.NumberColumn("Rest: pupils", help=f"Pupils in {rest}."),
        "rest_value": st.column_config.NumberColumn("Rest", format=number, help=f"The same figure for {rest}."),
        "gap": st.column_config.NumberColumn("Gap to the rest", format=f"%+.{measure.decimals}f",
                                             help=f"The group's figure minus {rest}'s."),
    }
    return figures[columns], config


use_the_router()
st.title("Explore")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption("Ask a question no page anticipated: what to measure, and how to split the pupils of the view "
               "chosen in the sidebar. Click a bar or a row for the pupils behind it. The link keeps the question.")
    asked = Question.from_url(st.query_params.to_dict())

    top = st.columns([3, 2, 2, 2])
    measure = MEASURES[choose(top[0], "Measure", list(MEASURES), asked.measure.key, "explore_measure",
                              format_func=lambda k: MEASURES[k].label, help="What each figure is.")]
    allowed = {s.key: s for s in explore.splits_for(measure)}
    split = allowed[choose(top[1], "Split by", list(allowed), asked.split.key, "explore_split",
                           format_func=lambda k: allowed[k].label,
                           help="One figure per group." + ("" if measure.level != PUPIL else
                                                           " Subject, class and teacher need a subject measure."))]
    seconds = [NO_SPLIT] + [k for k in allowed if k != split.key]
    second = choose(top[2], "Then by", seconds, asked.split2.key if asked.split2 else NO_SPLIT, "explore_split2",
                    format_func=lambda k: "Nothing" if k == NO_SPLIT else allowed[k].label,
                    help="A second split: each group is shown for each of these (the colours), and compared with "
                         "the rest of the same group.")
    split2 = None if second == NO_SPLIT else allowed[second]
    chart = choose(top[3], "Show as", list(CHARTS), asked.chart, "explore_chart_kind", format_func=CHARTS.get)
    basis = asked.basis
    if measure.ks4:
        basis = choose(st.columns(4)[0], "KS4 grades counted", list(KS4_BASES), asked.basis, "explore_basis",
                       format_func=KS4_BASES.get, help="Attainment 8, P8 and the thresholds from these grades.")
    question = Question(measure, split, split2, chart, basis)
    url = question.to_url()

    level = question.level(view.subject_code is not None)
    rows = explore.in_words(explore.load_rows(run, current_scope(), view, level, basis))
    figures = explore.answer(rows, question)

    title = f"{measure.label} by {split.label.lower()}" + (f" and {split2.label.lower()}" if split2 else "")
    st.subheader(title, help=measure.help)
    notes = [describe(view)]
    if level == PUPIL and view.subject_code:
        notes.append("the sidebar's subject applies to subject measures only")
    if measure.ks4:
        notes.append(KS4_BASES[basis].lower() + ("" if view.year_group else " · Year 11 (choose a year group for Year 10)"))
    if level == PUPIL and measure.key in ("attendance", "persistent_absence"):
        notes.append("attendance in the drop's academic year")
    st.caption(" · ".join(notes))
    if figures.empty:
        st.info("No figures for these pupils: nothing to count at this drop"
                + (" on these grades (KS4 figures are for Years 10 and 11)." if measure.ks4 else ".")
                + " Choose another drop, year group or measure, or widen the filters.")
        keep_in_url({**url, "show": None})
        st.stop()

    counted = explore.counted(rows, measure)
    headline = st.columns(4)
    headline[0].metric(f"{measure.label}: all", measure.format(explore.overall(rows, measure)), help=measure.help)
    headline[1].metric("Pupils counted", f"{counted['upn'].nunique():,}",
                       help="Pupils of the view with this figure (e.g. a grade with a progress target).")
    if level == SUBJECT:
        headline[2].metric("Subject grades counted", f"{len(counted):,}", help="One per pupil and subject.")
    if measure.one_scale and counted["grade_scale"].nunique() > 1 and SPLITS["subject"] not in (split, split2):
        st.warning("These grades are on different scales (e.g. GCSE grades and KS3 levels), whose points do not "
                   "compare: choose a subject in the sidebar, or split by subject.")

    # The figures, and the group whose pupils to list (a bar, a row, or the selectbox).
    groups = list(zip(figures["group"], figures["group2"]))
    labels = [explore.group_label(g, g2) for g, g2 in groups]
    picked = None
    if chart == "bar":
        event = st.altair_chart(bar_chart(figures, question), width="stretch", on_select="rerun",
                                key=f"explore_bars_{measure.key}_{split.key}_{second}")
        chosen = (event.get("selection", {}) or {}).get("pick") or []
        if chosen:
            picked = explore.group_label(chosen[0].get("group"), chosen[0].get("group2") if split2 else None)
        shown, config = figures_table(figures, question)
        with st.expander("The figures as a table"):
            st.dataframe(shown, hide_index=True, width="stretch", placeholder=MISSING, column_config=config)
            downloads(shown, "explore-figures", group_sizes=("pupils", "rest_pupils"), group_labels=("group", "group2"))
    else:
        shown, config = figures_table(figures, question)
        event = st.dataframe(shown, hide_index=True, width="stretch", placeholder=MISSING, column_config=config,
                             on_select="rerun", selection_mode="single-row",
                             key=f"explore_rows_{measure.key}_{split.key}_{second}")
        selected = event.selection.rows if event else []
        if selected:
            picked = labels[selected[0]]
        downloads(shown, "explore-figures", group_sizes=("pupils", "rest_pupils"), group_labels=("group", "group2"))
    if measure.has_gap:
        st.caption("Gap to the rest: the group's figure minus that of " + (
            f"the rest of its {split2.label.lower()} group" if split2 else "the rest of the view's pupils")
                   + ". Small groups vary a lot: look at the pupils before drawing a conclusion.")

    st.subheader("The pupils behind a figure")
    options = [NO_GROUP] + labels
    if picked in labels and picked != st.session_state.get("explore_last_pick"):
        st.session_state["explore_show"] = picked
    st.session_state["explore_last_pick"] = picked
    show = choose(st, "Show the pupils in …", options, st.query_params.get("show"), "explore_show",
                  help="Or click a bar of the chart (a row of the table).")
    keep_in_url({**url, "show": None if show == NO_GROUP else show})
    if show == NO_GROUP:
        st.caption("Choose a group, or click its " + ("bar" if chart == "bar" else "row")
                   + ", to list its pupils with links to their records.")
    else:
        group, group2 = groups[labels.index(show)]
        behind = explore.rows_behind(rows, question, group, group2 if split2 else None)
        behind = behind.assign(open=pupil_links(view, behind["upn"]))
        details = SUBJECT_SHOWS if level == SUBJECT else (measure.shows or GROUP_SHOWS)
        columns = ["pupil_name", "open", "tutor_group", "year_group", *details]
        listed = in_words(behind[columns])
        what = "subject grades" if level == SUBJECT else "pupils"
        st.caption(f"{show}: {behind['upn'].nunique():,} pupils" + (
            f", {len(behind):,} subject grades" if level == SUBJECT else "")
                   + f", the {what} the figure {measure.format(figures.iloc[labels.index(show)]['value'])} counts.")
        st.dataframe(listed, hide_index=True, width="stretch", placeholder=MISSING,
                     column_config={c: PUPIL_COLUMNS.get(c) for c in columns})
        downloads(listed.drop(columns="open"), "explore-pupils")
