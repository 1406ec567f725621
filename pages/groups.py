"""Groups and gaps: a measure for every subgroup against the rest of the cohort, and who is in overlapping sets."""
import altair as alt
import pandas as pd
import streamlit as st

from pages.charts import highlight
from pages.common import MISSING, current_scope, downloads, drill_down, pupil_links, use_the_router, warehouse_run
from pages.filters import current_view, describe
from warehouse import groups, loaders

BASES = {"working_at": "Working-at grades", "predicted": "Predicted grades", "target": "Targets"}
# Okabe-Ito colours: told apart with any colour vision.
SET_COLOURS = ["#0072B2", "#E69F00", "#009E73"]
PUPIL_COLUMNS = {
    "pupil_name": "Pupil", "open": st.column_config.LinkColumn("Record", display_text="Open"),
    "tutor_group": "Tutor group",
    "graded_subjects": st.column_config.NumberColumn("Graded subjects", help="With a progress target at the drop."),
    "on_track_subjects": "On track or ahead", "below_subjects": "Below",
    "mean_gap_grades": st.column_config.NumberColumn("Mean gap", format="%+.2f",
                                                     help="Mean gap to the progress target, in grades."),
    "attendance_pct": st.column_config.NumberColumn("Attendance %", format="%.1f"),
    "attainment8": st.column_config.NumberColumn("A8", format="%.1f"),
    "p8_estimate_exact": st.column_config.NumberColumn("P8 (estimate)", format="%+.2f"),
}


def pupil_table(pupils: pd.DataFrame, view, name: str) -> None:
    """The pupils behind a figure, each a link to their record; downloadable."""
    shown = pupils.assign(open=pupil_links(view, pupils["upn"]),
                          mean_gap_grades=pupils["sum_gap_grades"] / pupils["gaps"].where(pupils["gaps"] > 0))
    shown = shown[[c for c in PUPIL_COLUMNS if c in shown.columns]]
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=MISSING, column_config=PUPIL_COLUMNS)
    downloads(shown.drop(columns="open"), name)


def figure(value, unit: str) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.1f}%" if unit == "%" else f"{value:+.2f}" if unit == "grades" else f"{value:.2f}"


def gap_chart(gaps: pd.DataFrame, measure: groups.Measure) -> alt.Chart:
    pick = alt.selection_point(name="pick", fields=["pick"])
    data = gaps.drop(columns=["group", "group_by"]).assign(
        pick=gaps["label"], sign=gaps["gap"].map(lambda g: "above" if g >= 0 else "below"))
    return (alt.Chart(data)
            .mark_bar()
            .encode(y=alt.Y("pick:N", title=None, sort=list(gaps["label"]),
                            axis=alt.Axis(labelOverlap=False, labelLimit=220)),
                    x=alt.X("gap:Q", title=f"Gap to the rest ({measure.unit})"),
                    color=alt.Color("sign:N", title="Against the rest", legend=alt.Legend(orient="bottom"),
                                    scale=alt.Scale(domain=["above", "below"], range=["#0072B2", "#E69F00"])),
                    opacity=highlight(pick),
                    tooltip=[alt.Tooltip("split:N", title="Split"), alt.Tooltip("label:N", title="Group"),
                             alt.Tooltip("pupils:Q", title="Pupils"),
                             alt.Tooltip("value:Q", title=measure.label, format=".2f"),
                             alt.Tooltip("rest_value:Q", title="The rest", format=".2f"),
                             alt.Tooltip("gap:Q", title="Gap", format="+.2f")])
            .add_params(pick)
            .properties(height=max(160, 26 * len(gaps))))


# Where circles and region counts go: equal circles of radius 1 (a schematic, not to scale).
CIRCLES = {2: [(-0.55, 0.0), (0.55, 0.0)], 3: [(-0.55, 0.35), (0.55, 0.35), (0.0, -0.6)]}
SET_LABELS = {2: [(-0.9, 1.2), (0.9, 1.2)], 3: [(-1.2, 1.5), (1.2, 1.5), (0.0, -1.8)]}
REGION_PLACES = {
    2: {(True, False): (-1.0, 0.0), (False, True): (1.0, 0.0), (True, True): (0.0, 0.0)},
    3: {(True, False, False): (-1.05, 0.6), (False, True, False): (1.05, 0.6), (False, False, True): (0.0, -1.15),
        (True, True, False): (0.0, 0.85), (True, False, True): (-0.65, -0.45), (False, True, True): (0.65, -0.45),
        (True, True, True): (0.0, 0.05)},
}
UNIT_PX = 100


def venn_chart(venn: groups.Venn, labels: list[str]) -> alt.LayerChart:
    n = len(labels)
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-2.2, 2.2]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-2.0, 1.8]))
    circles = pd.DataFrame([{"x": cx, "y": cy, "set": label} for (cx, cy), label in zip(CIRCLES[n], labels)])
    names = pd.DataFrame([{"x": lx, "y": ly, "set": label} for (lx, ly), label in zip(SET_LABELS[n], labels)])
    inside = venn.regions[venn.regions["sets"] > 0]
    places = [REGION_PLACES[n][tuple(bool(row[label]) for label in labels)] for _, row in inside.iterrows()]
    regions = inside.assign(x=[p[0] for p in places], y=[p[1] for p in places], pick=inside["region"])
    pick = alt.selection_point(name="pick", fields=["pick"])
    colour = alt.Color("set:N", scale=alt.Scale(domain=labels, range=SET_COLOURS[:n]), legend=None)
    return alt.layer(
        alt.Chart(circles).mark_circle(size=3.1416 * UNIT_PX ** 2, opacity=0.25).encode(x=x, y=y, color=colour),
        alt.Chart(circles).mark_circle(size=3.1416 * UNIT_PX ** 2, filled=False, strokeWidth=2).encode(
            x=x, y=y, color=colour),
        alt.Chart(names).mark_text(fontSize=14, fontWeight="bold").encode(
            x=x, y=y, text=alt.Text("set:N"), color=colour),
        alt.Chart(regions).mark_circle(size=1800, opacity=0.01).encode(
            x=x, y=y, tooltip=[alt.Tooltip("region:N", title="Region"), alt.Tooltip("pupils:Q", title="Pupils")]
        ).add_params(pick),
        alt.Chart(regions).mark_text(fontSize=18, fontWeight="bold").encode(
            x=x, y=y, text=alt.Text("pupils:Q"),
            tooltip=[alt.Tooltip("region:N", title="Region"), alt.Tooltip("pupils:Q", title="Pupils")]),
    ).properties(width=int(4.4 * UNIT_PX), height=int(3.8 * UNIT_PX))


use_the_router()
st.title("Groups and gaps")
run = warehouse_run()
view = current_view()
if run is not None and view.school is not None:
    st.caption(describe(view) + ". Each group is compared with the rest of these pupils; a gap is the group's "
               "figure minus the rest's.")
    basis = st.selectbox("KS4 figures from", list(BASES), format_func=BASES.get, key="groups_basis",
                         help="For Attainment 8, Progress 8, Basics, EBacc and the English and maths sets: "
                              "Year 11 pupils (or Year 10 if chosen in the sidebar).")
    pupils = loaders.group_pupils(run, current_scope(), view, basis)
    if pupils.empty:
        st.info("No pupils in this view. Widen the filters in the sidebar.")
        st.stop()

    def gaps_tab():
        measure_key = st.selectbox("Measure", list(groups.MEASURES), format_func=lambda k: groups.MEASURES[k].label,
                                   key="groups_measure", help="Computed as on the Overview (docs/measures.md).")
        measure = groups.MEASURES[measure_key]
        st.subheader(f"{measure.label} by group")
        counted = groups.counted(pupils, measure)
        st.caption(f"{measure.help} {len(counted):,} of the view's {len(pupils):,} pupils have a figure: "
                   f"{figure(measure.summary.compute(counted), measure.unit)} over all of them. "
                   "Small groups vary a lot from drop to drop: read their gaps with care.")
        gaps = groups.gaps_by_group(pupils, measure)
        if gaps.empty:
            st.info(f"No pupil in this view has a figure for {measure.label.lower()}. "
                    "KS4 measures need Year 11 (or Year 10) pupils with KS4 grades.")
            return
        chart_side, table_side = st.columns([1, 1])
        with chart_side:
            event = st.altair_chart(gap_chart(gaps, measure), width="stretch", on_select="rerun",
                                    key="groups_gap_chart")
        with table_side:
            table = gaps[["split", "label", "pupils", "value", "rest_value", "gap"]]
            number = "%.1f" if measure.unit == "%" else "%+.2f" if measure.unit == "grades" else "%.2f"
            st.dataframe(table, hide_index=True, width="stretch", placeholder=MISSING,
                         height=min(560, 36 + 35 * len(table)),
                         column_config={
                             "split": "Split", "label": "Group", "pupils": "Pupils",
                             "value": st.column_config.NumberColumn(measure.label, format=number),
                             "rest_value": st.column_config.NumberColumn("The rest", format=number,
                                                                         help="Every other pupil of the view."),
                             "gap": st.column_config.NumberColumn("Gap", format="%+.2f",
                                                                  help="The group's figure minus the rest's.")})
            downloads(table, "groups-and-gaps", group_sizes=("pupils",), group_labels=("split", "label"))
        picked = (event.selection.get("pick") or [{}])[0].get("pick")
        if picked is not None and picked != st.session_state.get("groups_bar_clicked"):
            st.session_state["groups_members_open"] = True   # a click on a bar opens its pupils
        st.session_state["groups_bar_clicked"] = picked
        # Drawn only when open (on_change="rerun"): a filter change stays quick.
        in_a_group = st.expander("Show the pupils in a group", key="groups_members_open", on_change="rerun")
        if in_a_group.open:
            with in_a_group:
                chosen = drill_down("Group", list(gaps["label"]), "groups_members", event, help="Or click a bar.")
                row = gaps[gaps["label"] == chosen].iloc[0]
                pupil_table(groups.members(counted, row["group_by"], row["group"]), view,
                            f"pupils-{str(chosen).lower().replace(' ', '-')}")

    def overlaps_tab():
        options = groups.set_options(pupils)
        has_ks4 = bool(pupils["has_ks4"].any())
        default = (["English 4+", "Maths 4+", "EBacc entered"] if has_ks4
                   else ["Disadvantaged", "SEN (support or EHC plan)", "Below target in any subject"])
        labels = st.multiselect("Two or three sets", list(options), default=default, max_selections=3,
                                key="groups_sets", help="English and maths sets use the KS4 figures chosen above.")
        if len(labels) < 2:
            st.info("Choose two or three sets to see who is in each overlap.")
            return
        venn = groups.venn(pupils, labels, options)
        if venn.pupils.empty:
            st.info("None of these sets is known for the pupils of this view (KS4 sets need Year 10 or 11).")
            return
        st.caption(f"{len(venn.pupils):,} pupils; the circles are not to scale. "
                   + (f"{venn.left_out:,} pupils of the view are left out: a set is not known for them "
                      "(no KS4 grades on this basis, or no attendance). " if venn.left_out else "")
                   + f"Outside every set: {int(venn.regions.loc[venn.regions.sets == 0, 'pupils'].iloc[0]):,}.")
        chart_side, table_side = st.columns([1, 1])
        with chart_side:
            event = st.altair_chart(venn_chart(venn, labels), on_select="rerun", key="groups_venn")
        with table_side:
            st.dataframe(venn.regions[["region", "pupils"]], hide_index=True, width="stretch", placeholder=MISSING,
                         column_config={"region": "Region", "pupils": "Pupils"})
        region = drill_down("Show the pupils in", list(venn.regions["region"]), "groups_region", event,
                            help="Or click a number in the diagram.")
        pupil_table(venn.pupils[venn.pupils["region"] == region], view, "pupils-in-region")

    # Only the open tab is drawn; the URL keeps it (?tab=Overlaps).
    tabs = st.tabs(["Gaps to the rest", "Overlaps"], key="tab", bind="query-params")
    for tab, draw in zip(tabs, (gaps_tab, overlaps_tab)):
        if tab.open:
            with tab:
                draw()
