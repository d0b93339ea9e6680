"""A "Link kopieren" button: the full URL of the current view, ready to send to a colleague."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from integrationsregion.ui import links
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
        base = links.url(current_path())
    return f"{base}?{query}" if query else base


COPY_BUTTON = """<!doctype html><html lang="de"><head><meta charset="utf-8"><style>
body { margin: 0; font-family: "Source Sans Pro", Arial, sans-serif; }
div { display: flex; align-items: center; gap: 8px; padding: 2px; }
button { font: inherit; font-size: 14px; padding: 6px 12px; border: 1px solid #c6ccd2; border-radius: 8px;
  background: #fff; color: #1b1f24; cursor: pointer; white-space: nowrap; }
button:focus-visible, input:focus-visible { outline: 2px solid #0b5a8c; outline-offset: 2px; }
span { font-size: 14px; color: #1a7f37; white-space: nowrap; }
span.hint { color: #4a5560; }
input { font-size: 13px; flex: 1; min-width: 0; padding: 5px; display: none; }
@media (max-width: 480px) { span.hint { display: none; } }
</style></head><body><div>
<button type="button" id="copy">Link kopieren</button>
<input id="url" readonly aria-label="Link zu dieser Ansicht"><span id="done" role="status"></span>
</div><script>
const url = __URL__;
const done = document.getElementById("done"), box = document.getElementById("url");
function copied() { box.style.display = "none"; done.className = ""; done.textContent = "Link kopiert"; }
function fallback() {
  box.value = url; box.style.display = "block"; box.focus(); box.select();
  let ok = false; try { ok = document.execCommand("copy"); } catch (e) {}
  if (ok) { copied(); return; }
  done.className = "hint"; done.textContent = "markiert – mit Strg+C kopieren";
}
document.getElementById("copy").addEventListener("click", () => {
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(url).then(copied, fallback);
  } else { fallback(); }
});
</script></body></html>"""


def share_link() -> None:
    """One "Link kopieren" button: it copies the URL of the current view; where the browser does not let
    it, the link appears beside it, selected for copying by hand."""
    url = view_url()
    literal = json.dumps(url).replace("<", "\\u003c").replace(">", "\\u003e")  # never ends the script
    st.iframe(COPY_BUTTON.replace("__URL__", literal), height=42)
