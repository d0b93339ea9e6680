"""Plotly figure builders: pure functions from tidy data to figures, no Streamlit."""
