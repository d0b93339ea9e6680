"""The Vergleich page's state: cached peers, charts and table (shared by all sessions) and the pickers'
callbacks that drop view parameters a new choice makes stale."""

from __future__ import annotations

import streamlit as st

from integrationsregion import peers
from integrationsregion.ui import data, query
from integrationsregion.views import vergleich as model


@st.cache_data(show_spinner=False)
def default_peers(ags: str) -> peers.PeerChoice:
    return peers.default_peers(data.store(), ags)


@st.cache_resource(max_entries=256, show_spinner=False)
def chart(indicator_id: str, breakdown: str, year: int, units: tuple[str, ...]) -> model.Chart:
    return model.chart(data.store(), indicator_id, breakdown, year, list(units))


@st.cache_data(max_entries=64, show_spinner=False)
def table(units: tuple[str, ...], years: tuple[tuple[str, str, int], ...]) -> model.Table:
    return model.table(data.store(), list(units), list(years))


def reset_peers() -> None:
    """A new unit gets its own default peers; from Kreis to Gemeinde (or back) also its own indicators."""
    regions = data.store().regions
    query.drop(vergleich="vg_vergleich")
    before = st.query_params.get("einheit")
    if before in regions and regions[before].level != regions[st.session_state["vg_einheit"]].level:
        query.drop(indikator="vg_indikator", aufschluesselung="vg_aufschluesselung", jahr="vg_jahr")


def main_changed() -> None:
    """A new first indicator starts from its own default breakdown and year."""
    now = st.session_state.get("vg_indikator") or []
    if not now or now[0] != (st.query_params.get("indikator") or "").split(",")[0]:
        query.drop(aufschluesselung="vg_aufschluesselung", jahr="vg_jahr")
