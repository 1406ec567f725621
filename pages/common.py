"""What the pages share: the warehouse reader and the empty state."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.config import load_settings
from warehouse.data import EmptyWarehouse, WarehouseReader
from warehouse.store import Store


@st.cache_resource(max_entries=4)
def _reader(data_dir: str) -> WarehouseReader:
    # One read-only connection holder per warehouse and server process (a
    # resource, not data): it follows the pointer to each newly published snapshot.
    settings = load_settings()
    assert str(settings.data_dir) == data_dir
    return WarehouseReader(Store(settings))


def run_query(name: str, **params) -> pd.DataFrame | None:
    """A named query's result, or None (after showing how to import) when the warehouse is empty."""
    try:
        return _reader(str(load_settings().data_dir)).run(name, **params)
    except EmptyWarehouse:
        st.info(
            "The warehouse is empty. Load the demo school with `python -m warehouse demo`, "
            "or import your MIS exports with `python -m warehouse ingest <files or folder>` "
            "(see docs/import-formats.md)."
        )
        return None


def show_table(frame: pd.DataFrame, empty_message: str, column_config: dict) -> None:
    """A table, or a reassuring line saying why it has no rows."""
    if frame.empty:
        st.success(empty_message)
    else:
        st.dataframe(frame, hide_index=True, width="stretch", column_config=column_config)
