"""What the pages share: the warehouse reader and the empty state."""
from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from warehouse.config import load_settings
from warehouse.data import EmptyWarehouse, WarehouseReader
from warehouse.store import Store
from warehouse.view import Scope


# Set on the script thread while app.py's navigation runs a page: a page run without it is not the router's.
_ROUTED = threading.local()


def run_routed(navigation) -> None:
    """app.py runs the chosen page through this, so that the page can tell it was routed."""
    _ROUTED.active = True
    try:
        navigation.run()
    finally:
        _ROUTED.active = False


def use_the_router() -> None:
    """Every page calls this first, so that a page is never run without app.py.

    Streamlit keeps a legacy mode for apps with a `pages/` folder: until the
    router (app.py) has run once in the process, a first visit to /overview
    runs pages/overview.py on its own, without the router's sign-in, filters
    or layout (and AppTest starts every run in that mode). The router's
    st.navigation ends the mode; a page run outside the router ends it too,
    and reruns so that the router takes the request. This is decided per run,
    not by the mode's flag: several first visits at once to a fresh server
    all start in the mode, and each must rerun, not only the one that ends it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not getattr(_ROUTED, "active", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def import_charts_beside() -> None:
    """Start importing Altair (~0.7 s) in a thread of its own, once per server process, so that the
    first page after the sign-in does not wait for it while the sign-in itself is shown at once."""
    import sys
    import threading
    from importlib import import_module

    if "altair" not in sys.modules and not any(t.name == "import-altair" for t in threading.enumerate()):
        threading.Thread(target=import_module, args=("altair",), name="import-altair", daemon=True).start()


@st.cache_resource(max_entries=4)
def _reader(data_dir: str) -> WarehouseReader:
    # One read-only connection holder per warehouse and server process (a
    # resource, not data): it follows the pointer to each newly published snapshot.
    settings = load_settings()
    assert str(settings.data_dir) == data_dir
    return WarehouseReader(Store(settings), remember_mib=settings.answer_memory_mib)


def run_query(name: str, **params) -> pd.DataFrame | None:
    """A named query's result, or None (after showing how to import) when the warehouse is empty."""
    try:
        return _reader(str(load_settings().data_dir)).run_remembered(name, **params)
    except EmptyWarehouse:
        show_empty_warehouse()
        return None


def show_empty_warehouse() -> None:
    st.info(
        "The warehouse is empty. Load the demo school with `python -m warehouse demo`, "
        "or import your MIS exports with `python -m warehouse ingest <files or folder>` "
        "(see docs/import-formats.md)."
    )


def warehouse_run():
    """The reader's run(name, **params) for loaders (answers remembered until the next snapshot), or None
    (after showing how to import) when empty."""
    run = quiet_run()
    if run is None:
        show_empty_warehouse()
    return run


def remembered(loader, run, *args):
    """loader(run, *args), remembered until the next snapshot by the loader and its arguments (the
    viewer's scope and view among them): a return to a view skips the loader's pandas work too."""
    reader = _reader(str(load_settings().data_dir))
    return reader.remembered(("loader", loader.__module__, loader.__qualname__, args), lambda: loader(run, *args))


def quiet_run():
    """For the sidebar: as warehouse_run, but says nothing when the warehouse is empty."""
    reader = _reader(str(load_settings().data_dir))
    try:
        reader.cursor().close()
    except EmptyWarehouse:
        return None
    return reader.run_remembered


def current_scope() -> Scope:
    """What the signed-in viewer may see: their role's scope, resolved against the warehouse
    (warehouse/access.py; remembered until the next snapshot). Nothing when nobody is signed in."""
    from warehouse.access import scope_for

    viewer = st.session_state.get("viewer")
    if viewer is None:
        return Scope.nothing()

    def remembered(name: str, **params) -> pd.DataFrame:   # asked only for roles narrowed to some pupils
        run = quiet_run()
        return run(name, **params) if run else pd.DataFrame({"upn": [], "subject_code": []})

    return scope_for(viewer.account, remembered)


def pupil_links(view, upns) -> list[str]:
    """The Pupil page for each pupil, keeping the view (relative links: they work behind any host name).
    The view's part of the link is made once: a table of pupils has hundreds."""
    from urllib.parse import quote_plus, urlencode

    kept = urlencode(view.to_url())
    return [f"/pupil?{kept}{'&' if kept else ''}upn={quote_plus(str(upn))}" for upn in upns]


# How a table shows a missing figure (a grade not entered, a gap with no target, a rate with no pupils),
# rather than Streamlit's "None". A table where missing means "not yet" (a programme or target with no end)
# shows a blank instead.
MISSING = "–"
RECORD_COLUMN = st.column_config.LinkColumn("Record", display_text="Open", help="The pupil's record (Pupil page).")


def with_record_links(frame: pd.DataFrame, view) -> pd.DataFrame:
    """The table with an "Open" link to each pupil's record beside their name (column `open`)."""
    if frame.empty:
        return frame
    linked = frame.copy()
    linked.insert(list(linked.columns).index("pupil_name") + 1, "open",
                  pupil_links(view, linked["upn"]))
    return linked


def viewer_has_page(path: str) -> bool:
    """Whether the signed-in viewer's role has this page (warehouse/access.py): links lead only there."""
    from warehouse.access import pages_for

    viewer = st.session_state.get("viewer")
    return viewer is not None and path in pages_for(viewer.role)


def subject_page_link(view, subject_code: str, label: str) -> None:
    """A link within the app to the Subjects page for one subject, keeping the rest of the view
    (for a viewer who has that page)."""
    if not viewer_has_page("subjects"):
        return
    st.page_link("pages/subjects.py", label=label, icon=":material/menu_book:",
                 query_params={**view.to_url(), "subject": subject_code})


def subject_link(view, subject_code: str) -> str:
    """The Subjects page for one subject, keeping the rest of the view."""
    from urllib.parse import urlencode

    return f"/subjects?{urlencode({**view.to_url(), 'subject': subject_code})}"


def open_a_pupil(pupils: pd.DataFrame, view, key: str) -> None:
    """A pupil chosen from a table's pupils, and a link to their record (a keyboard's way into it)."""
    if pupils.empty or not viewer_has_page("pupil"):
        return
    names = dict(zip(pupils["upn"], pupils["pupil_name"] + " · " + pupils["tutor_group"].fillna("")))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    upn = left.selectbox("Open a pupil's record", list(names), format_func=names.get, key=key)
    right.page_link("pages/pupil.py", label="Open record", icon=":material/person:",
                    query_params={**view.to_url(), "upn": upn})


def drill_down(label: str, options: list, key: str, chart_event=None, param: str = "pick",
               field: str = "pick", help: str | None = None):
    """A "show the pupils in ..." choice that follows the chart: clicking a bar or region picks it.

    The selectbox stays the control a keyboard (and a test) uses; a new click on
    the chart moves it, without undoing a later choice made in the box.
    """
    picked = None
    if chart_event is not None:
        chosen = chart_event.selection.get(param) or []
        picked = chosen[0].get(field) if chosen and isinstance(chosen[0], dict) else None
    if picked is not None and picked in options and st.session_state.get(f"{key}-pick") != picked:
        st.session_state[key] = picked
    st.session_state[f"{key}-pick"] = picked
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    return st.selectbox(label, options, key=key, help=help)


def with_group_labels(compared: pd.DataFrame) -> pd.DataFrame:
    """compare_groups' output with its groups in words: SEN and gender codes and prior-attainment bands as
    the Groups page says them, yes/no groups as Yes and No (a table would show them as ticks)."""
    from warehouse.groups import GROUP_WORDS

    def in_words(by, group):
        if by in ("gender", "sen_status", "prior_attainment_band"):
            return GROUP_WORDS[by].get(group, group)
        return {"True": "Yes", "False": "No"}.get(str(group), group)

    return compared.assign(group=[in_words(by, g) for by, g in zip(compared["group_by"], compared["group"])])


def show_table(frame: pd.DataFrame, empty_message: str, column_config: dict,
               download_as: str | None = None) -> None:
    """A table, or a reassuring line saying why it has no rows; with CSV and Excel downloads if named. A
    missing value shows as a dash, not Streamlit's "None"."""
    if frame.empty:
        st.success(empty_message)
        return
    st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config, placeholder=MISSING)
    if download_as:
        downloads(frame, download_as)


def downloads(frame: pd.DataFrame, name: str, *, group_sizes: tuple[str, ...] = (),
              group_labels: tuple[str, ...] = ()) -> None:
    """CSV and Excel copies of a table, as shown (columns as in the warehouse).

    The files are made when a button is clicked, not on every rerun: an Excel
    file of a few hundred rows costs about a tenth of a second to write. Each
    download is written to the audit log (who, which table, how many rows).
    For a table of groups, `group_sizes` names its pupil-count columns: the
    figures of small groups are left out of the files unless the viewer says
    otherwise (warehouse/disclosure.py); `group_labels` are the columns naming a group.
    """
    from warehouse.disclosure import hide_small_groups

    row = st.container(horizontal=True, vertical_alignment="center")
    exported, hidden = frame, 0
    if group_sizes:
        smallest = load_settings().small_group_size
        if row.toggle(f"Hide groups under {smallest}", value=True, key=f"hide-small-{name}",
                      help=f"In the files: the figures of groups of fewer than {smallest} pupils are left out, so "
                           "that a download cannot identify a pupil. Switch off only for a reason (the "
                           "download is audited either way)."):
            exported, hidden = hide_small_groups(frame, group_sizes, smallest, group_labels)
    detail = {"table": name, "rows": len(exported), "small_groups_hidden": hidden,
              "small_groups_shown": bool(group_sizes) and exported is frame}
    actor = current_actor()   # now: the file is made later, on the server, outside this session's script

    def audited(kind: str, make):
        def file_bytes() -> bytes:
            record_event("export", f"{name}.{kind}", detail, actor=actor)
            return make()
        return file_bytes

    row.download_button("CSV", audited("csv", lambda: exported.to_csv(index=False).encode("utf-8")),
                        file_name=f"{name}.csv", mime="text/csv", icon=":material/download:", key=f"csv-{name}")
    row.download_button("Excel", audited("xlsx", lambda: excel_bytes(exported)), file_name=f"{name}.xlsx",
                        icon=":material/download:",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx-{name}")


def current_actor() -> str:
    """The signed-in viewer's username, for the audit log."""
    viewer = st.session_state.get("viewer")
    return viewer.account.username if viewer is not None else "anonymous"


def record_event(action: str, subject: str, detail: dict | None = None, *, actor: str | None = None) -> None:
    """An audit row for something the viewer did (an export, a printed summary)."""
    from warehouse import staff_store

    staff_store.record(staff_store.StaffStore.for_settings(), actor or current_actor(), action, subject, None,
                       detail)


def excel_bytes(frame: pd.DataFrame) -> bytes:
    import io

    excel = io.BytesIO()
    frame.to_excel(excel, index=False, engine="openpyxl")
    return excel.getvalue()
