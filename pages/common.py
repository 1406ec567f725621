"""What the pages share: the warehouse reader and the empty state."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from warehouse.data import EmptyWarehouse, WarehouseReader


@st.cache_resource
def _reader() -> WarehouseReader:
    # One read-only connection holder per server process (a resource, not data):
    # it follows the warehouse's pointer to each newly published snapshot.
    return WarehouseReader()


def run_query(name: str, **params) -> pd.DataFrame | None:
    """A named query's result, or None (after showing how to import) when the warehouse is empty."""
    try:
        return _reader().run(name, **params)
    except EmptyWarehouse:
        st.info(
            "The warehouse is empty. Load the demo school with `python -m warehouse demo`, "
            "or import your MIS exports with `python -m warehouse ingest <files or folder>` "
            "(see docs/import-formats.md)."
        )
        return None
