"""Data loaded once per server process.

A snapshot that cannot be loaded is not cached (Streamlit does not cache exceptions): every run tries
again, so restoring `data/` heals the running app without a restart.
"""

from __future__ import annotations

import streamlit as st

from integrationsregion.breaks import SeriesBreak, load_breaks
from integrationsregion.conference import Conference
from integrationsregion.fluag_rules import RuleBook, load_rule_book
from integrationsregion.loading import SnapshotLoadError
from integrationsregion.store import Store


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The snapshot, loaded once and shared by all sessions (read-only)."""
    return Store.load()


@st.cache_resource(show_spinner=False)
def conference() -> Conference:
    """The conference content, loaded once."""
    return Conference.load()


@st.cache_resource(show_spinner=False)
def breaks() -> list[SeriesBreak]:
    """The series breaks of the snapshot, loaded once."""
    return load_breaks()


@st.cache_resource(show_spinner=False)
def rule_book() -> RuleBook:
    """The FlüAG rule book, loaded once."""
    return load_rule_book()


def snapshot_problem() -> str | None:
    """The German message when the snapshot cannot be used (shown instead of every page), else None."""
    try:
        store(), conference(), breaks(), rule_book()
    except SnapshotLoadError as err:
        return str(err)
    return None
