"""Data loaded once per server process."""

from __future__ import annotations

import streamlit as st

from integrationsregion.conference import Conference
from integrationsregion.figures.charts import SeriesBreak, load_breaks
from integrationsregion.store import Store


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The snapshot, loaded once and shared by all sessions (read-only)."""
    return Store.load()


@st.cache_resource(show_spinner=False)
def conference() -> Conference:
    return Conference.load()


@st.cache_resource(show_spinner=False)
def breaks() -> list[SeriesBreak]:
    """The series breaks (`data/breaks.toml`), read once."""
    return load_breaks()
