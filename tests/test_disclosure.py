"""Exports: small groups' figures hidden by default, and every download in the audit log."""
import pandas as pd

from warehouse import staff_store
from warehouse.disclosure import hide_small_groups


def test_a_row_with_a_small_group_or_a_small_rest_loses_its_figures_but_keeps_its_name():
    table = pd.DataFrame({"group": ["Boys", "Girls", "Other"], "pupils": [40, 38, 2],
                          "value": [51.0, 55.5, 100.0], "rest_pupils": [40, 42, 78], "rest_value": [55.5, 51.0, 53.1],
                          "gap": [-4.5, 4.5, 46.9]})
    hidden, count = hide_small_groups(table, ("pupils", "rest_pupils"), 6, labels=("group",))
    assert count == 1
    assert list(hidden["group"]) == ["Boys", "Girls", "Other"]
    other = hidden.iloc[2]
    assert other[["pupils", "value", "rest_pupils", "rest_value", "gap"]].isna().all()
    assert other["note"] == "fewer than 6 pupils: figures hidden"
    assert hidden.iloc[0]["value"] == 51.0 and pd.isna(hidden.iloc[0]["note"])
    # A rest of fewer than 6 (a group of nearly everyone) gives away the rest: hidden too.
    _, count = hide_small_groups(table.assign(rest_pupils=[40, 3, 78]), ("pupils", "rest_pupils"), 6, ("group",))
    assert count == 2
    # Nothing small: the table as it was.
    same, count = hide_small_groups(table.iloc[:2], ("pupils",), 6)
    assert count == 0 and same.equals(table.iloc[:2])


def test_the_groups_export_hides_small_groups_by_default_and_is_audited(demo):
    from tests.browser import browser_page, enter_the_demo, require_chromium, running_app

    require_chromium()
    store = staff_store.StaffStore(demo.data_dir / "staff" / staff_store.FILE_NAME)
    with running_app(demo.data_dir) as url, browser_page(1400, 1000) as page:
        page.goto(url + "/groups?year=11")
        enter_the_demo(page, "Senior leader")
        page.get_by_role("heading", name="On track % by group").wait_for(timeout=60_000)
        assert page.get_by_role("switch", name="Hide groups under 6").is_checked()
        with page.expect_download() as download:
            page.locator(".st-key-csv-groups-and-gaps button").click()
        exported = pd.read_csv(download.value.path())
    small = exported["note"].notna()
    assert small.any() and (~small).any()   # the demo has groups of fewer than 6 (Looked after, Other gender)
    assert exported.loc[small, ["pupils", "value", "gap"]].isna().all().all()
    assert exported.loc[~small, "pupils"].min() >= 6 and exported.loc[~small, "value"].notna().all()
    entry = staff_store.read(store, action="export")[0]
    assert (entry.actor, entry.subject) == ("demo-senior-leader", "groups-and-gaps.csv")
    assert entry.new["small_groups_hidden"] == int(small.sum())
