"""Links inside the dashboard, prefixed with Streamlit's `server.baseUrlPath`.

Behind a proxy the app may live under e.g. `/integration/`; every link written into markdown, captions
or figures goes through here so it carries that prefix. (`st.page_link` and the navigation add it
themselves.)
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from integrationsregion import navigation


def base_path() -> str:
    """The configured base path as "/integration" (no trailing slash), or "" at the root."""
    raw = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{raw}" if raw else ""


def url(path: str, **params: str | int | None) -> str:
    """An app URL for `path` (below the root, e.g. "live" or "methodik") with query parameters."""
    query = urlencode({k: v for k, v in params.items() if v is not None}, safe=",")
    target = f"{base_path()}/{path.lstrip('/')}"
    return f"{target}?{query}" if query else target


def page_url(page_id: str, **params: str | int | None) -> str:
    """The URL of a page of the registry (`data/pages.toml`)."""
    return url(navigation.page(page_id).url_path, **params)


def methodik_link(indicator_id: str) -> str:
    """The indicator's entry on the Daten & Methodik page."""
    return page_url("methodik", indikator=indicator_id)
