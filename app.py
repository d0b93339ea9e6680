"""Integrationsregion Ruhr – entry point.

`streamlit run app.py` finds the `st.App` below (Streamlit parses this file) and serves the dashboard
plus the live routes (`/live`, `/live/events`, …) on one port. When Streamlit runs this file as the
page script, `__name__` is `"__main__"` and only the navigation runs.
"""

from pathlib import Path

import streamlit as st

if __name__ == "__main__":
    from integrationsregion import navigation
    from integrationsregion.ui import admission, data, shell

    st.set_page_config(
        page_title="Integrationsregion Ruhr",
        page_icon=str(Path(__file__).parent / "static" / "favicon.png"),  # local: no request to a font CDN
        layout="wide",
        initial_sidebar_state="auto",
    )
    shell.install()
    pages: dict[str, list[st.Page]] = {}
    for entry in navigation.pages():
        pages.setdefault(entry.section, []).append(
            st.Page(
                entry.script,
                title=entry.title,
                icon=entry.icon,
                url_path=entry.url_path or None,
                default=entry.default,
            )
        )
    with admission.run_slot():
        page = st.navigation(pages)
        problem = data.snapshot_problem()  # a damaged snapshot: one German message on every page
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            page.run()
else:
    from streamlit.runtime.pages_manager import PagesManager

    from integrationsregion.live.lifespan import live_lifespan
    from integrationsregion.live.routes import live_routes

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
