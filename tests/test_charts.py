"""Charts are built the quick way (pages/charts.py): no page takes Altair's slow paths."""
import altair as alt
import altair.utils.schemapi as schemapi
import pandas as pd
import pytest

from pages.charts import highlight
from tests.pages import open_page

# The pages that draw charts as they open (with the tab that draws the Venn diagram).
PAGES = ["overview", "subjects", "groups", "groups?tab=Overlaps", "pupil", "attendance", "explore", "warehouse"]


def test_highlight_is_what_alt_condition_gives():
    pick = alt.selection_point(name="pick", fields=["pick"])
    frame = pd.DataFrame({"pick": ["a"]})
    slow = alt.Chart(frame).mark_bar().encode(opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)))
    quick = alt.Chart(frame).mark_bar().encode(opacity=highlight(pick, others=0.35))
    assert quick.to_dict()["encoding"] == slow.to_dict()["encoding"] == {
        "opacity": {"condition": {"param": "pick", "value": 1.0}, "value": 0.35}}


@pytest.mark.parametrize("page", PAGES)
def test_no_page_builds_a_channel_from_a_shorthand(demo_env, monkeypatch, page):
    """A shorthand channel ("a:Q", alt.value, alt.condition) costs 3-13 ms on every rerun: Altair
    rebuilds a lookup of its schema classes each time. Pages write channels as objects instead."""
    slow_paths = []
    real_init = schemapi._FromDict.__init__

    def noting(self, *args, **kwargs):
        slow_paths.append(page)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(schemapi._FromDict, "__init__", noting)
    name, _, tab = page.partition("?tab=")
    at = open_page(f"pages/{name}.py", year="11", subject="MA4", **({"tab": tab} if tab else {}))
    assert not at.exception and at.get("vega_lite_chart")
    assert slow_paths == []
