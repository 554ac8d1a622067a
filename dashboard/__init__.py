"""The Streamlit dashboard: pages, widgets, figure builders. It calls `sim`; `sim` never calls it."""
