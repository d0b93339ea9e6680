"""Integrationsregion Ruhr – entry point.

`streamlit run app.py` finds the `st.App` below (Streamlit parses this file) and serves the dashboard
plus the live routes (`/live`, `/live/events`, …) on one port. When Streamlit runs this file as the
page script, `__name__` is `"__main__"` and only the navigation runs.
"""

import streamlit as st

if __name__ == "__main__":
    from integrationsregion.ui import admission

    st.set_page_config(
        page_title="Integrationsregion Ruhr",
        page_icon=":material/diversity_3:",
        layout="wide",
        initial_sidebar_state="auto",
    )
    pages = {
        "Konferenz": [
            st.Page("pages/start.py", title="Start / Konferenz", icon=":material/home:", default=True),
        ],
        "Themen": [
            st.Page("pages/bildung.py", title="Bildung", icon=":material/school:", url_path="bildung"),
            st.Page(
                "pages/arbeitsmarkt.py", title="Arbeitsmarkt", icon=":material/work:", url_path="arbeitsmarkt"
            ),
            st.Page(
                "pages/geduldete.py",
                title="Geduldete & Kosten",
                icon=":material/account_balance:",
                url_path="geduldete",
            ),
        ],
        "Vergleichen": [
            st.Page(
                "pages/steckbrief.py", title="Steckbrief", icon=":material/assignment:", url_path="steckbrief"
            ),
            st.Page(
                "pages/vergleich.py",
                title="Vergleich",
                icon=":material/compare_arrows:",
                url_path="vergleich",
            ),
        ],
        "Mehr": [
            st.Page(
                "pages/live.py",
                title="Live (Präsentation)",
                icon=":material/podcasts:",
                url_path="live-konsole",
            ),
            st.Page(
                "pages/methodik.py",
                title="Daten & Methodik",
                icon=":material/menu_book:",
                url_path="methodik",
            ),
        ],
    }
    with admission.run_slot():
        st.navigation(pages).run()
else:
    from streamlit.runtime.pages_manager import PagesManager

    from integrationsregion.live.routes import live_lifespan, live_routes

    # The pages live in `pages/`, which Streamlit would otherwise treat as a legacy (v1) page folder
    # until the first run of st.navigation: a first visit straight to e.g. /arbeitsmarkt then ran the
    # page without the navigation. This app always navigates with st.navigation.
    PagesManager.uses_pages_directory = False

    # Streamlit mounts its own routes below `server.baseUrlPath`, not user routes: mount the live routes there.
    app = st.App(
        "app.py",
        routes=live_routes(st.get_option("server.baseUrlPath") or ""),
        lifespan=live_lifespan,
    )
