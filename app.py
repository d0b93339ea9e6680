"""Integrationsregion Ruhr – entry point.

`streamlit run app.py` finds the `st.App` below (Streamlit parses this file) and serves the dashboard
plus the live routes (`/live`, `/live/events`, …) on one port. When Streamlit runs this file as the
page script, `__name__` is `"__main__"` and only the navigation runs.
"""

import streamlit as st

if __name__ == "__main__":
    st.set_page_config(
        page_title="Integrationsregion Ruhr",
        page_icon="🧭",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    pages = {
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
            st.Page("pages/live.py", title="Live (Präsentation)", icon="📡", url_path="live-konsole"),
            st.Page("pages/methodik.py", title="Daten & Methodik", icon="📚", url_path="methodik"),
        ],
    }
    st.navigation(pages).run()
else:
    from integrationsregion.live.routes import live_lifespan, live_routes

    app = st.App("app.py", routes=live_routes(), lifespan=live_lifespan)
