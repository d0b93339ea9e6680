"""A "Link kopieren" affordance: the full URL of the current view, ready to send to a colleague."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from integrationsregion.ui.query import VIEW_PARAMS


def current_path() -> str:
    """The url path of the running page ("" for the default page)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = ctx.pages_manager.get_pages().get(ctx.pages_manager.current_page_script_hash) or {}
    return str(info.get("url_pathname", "") or "")


def view_url() -> str:
    """The URL of this view: page plus the view parameters only (never tokens or other parameters)."""
    params = {k: st.query_params[k] for k in VIEW_PARAMS if k in st.query_params}
    query = urlencode(params, safe=",")
    base = st.context.url
    if not base:  # no browser (tests, bare runs): a path relative to the app root
        path = current_path()
        base = f"/{path}" if path else "/"
    return f"{base}?{query}" if query else base


def share_link() -> None:
    """A popover with the URL of the current view in a copyable code block."""
    url = view_url()
    with st.popover("Link kopieren", icon=":material/link:"):
        st.caption("Dieser Link öffnet genau diese Ansicht (Seite, Indikator, Jahr, Gebiet, Vergleich):")
        st.code(url, language=None, wrap_lines=True)
        st.caption("Zum Kopieren auf das Symbol rechts im Feld klicken.")
