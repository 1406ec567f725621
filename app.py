"""The dashboard's entry point: the router and what every page shares.

Pages render; they get their data from warehouse.data's named queries.
"""
import streamlit as st

st.set_page_config(page_title="Pupil progress tracker", page_icon=":material/monitoring:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/warehouse.py", title="Warehouse", icon=":material/school:", default=True, url_path="warehouse"),
        st.Page("pages/data_quality.py", title="Data quality", icon=":material/fact_check:", url_path="data-quality"),
    ]
)
navigation.run()
