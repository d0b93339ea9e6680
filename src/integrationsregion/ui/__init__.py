"""The thin Streamlit layer: cached data, shared widgets and page furniture."""
