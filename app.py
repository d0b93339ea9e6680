"""Integrationsregion Ruhr – entry point: page config and navigation."""

import streamlit as st

st.set_page_config(
    page_title="Integrationsregion Ruhr",
    page_icon="🧭",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = {
    "Konferenz": [
        st.Page("pages/start.py", title="Start / Konferenz", icon="🏠", default=True),
    ],
    "Themen": [
        st.Page("pages/bildung.py", title="Bildung", icon="🎓", url_path="bildung"),
        st.Page("pages/arbeitsmarkt.py", title="Arbeitsmarkt", icon="💼", url_path="arbeitsmarkt"),
        st.Page("pages/geduldete.py", title="Geduldete & Kosten", icon="🏛️", url_path="geduldete"),
    ],
    "Vergleichen": [
        st.Page("pages/steckbrief.py", title="Steckbrief", icon="📋", url_path="steckbrief"),
        st.Page("pages/vergleich.py", title="Vergleich", icon="⚖️", url_path="vergleich"),
    ],
    "Mehr": [
        st.Page("pages/live.py", title="Live", icon="📡", url_path="live-konsole"),
        st.Page("pages/methodik.py", title="Daten & Methodik", icon="📚", url_path="methodik"),
    ],
}

st.navigation(PAGES).run()
