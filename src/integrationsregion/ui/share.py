"""A "Link kopieren" button: the full URL of the current view, ready to send to a colleague.

The button's frame reads the address of the page around it when it is clicked (the pages keep their view in
the URL) and keeps only the view parameters (never tokens or other parameters). Its HTML is the same for
every view, so a click that changes the view does not reload the frame (it did, on every click, while the
URL was written into it).
"""

from __future__ import annotations

import json

import streamlit as st

from integrationsregion.ui.query import VIEW_PARAMS

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
const VIEW_PARAMS = __PARAMS__;
function viewUrl() {
  const here = new URL(window.parent.location.href), view = new URLSearchParams();
  for (const name of VIEW_PARAMS) if (here.searchParams.has(name)) view.set(name, here.searchParams.get(name));
  const query = view.toString().replace(/%2C/g, ",");
  return here.origin + here.pathname + (query ? "?" + query : "");
}
const done = document.getElementById("done"), box = document.getElementById("url");
function copied() { box.style.display = "none"; done.className = ""; done.textContent = "Link kopiert"; }
function fallback(url) {
  box.value = url; box.style.display = "block"; box.focus(); box.select();
  let ok = false; try { ok = document.execCommand("copy"); } catch (e) {}
  if (ok) { copied(); return; }
  done.className = "hint"; done.textContent = "markiert – mit Strg+C kopieren";
}
document.getElementById("copy").addEventListener("click", () => {
  const url = viewUrl();
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(url).then(copied, () => fallback(url));
  } else { fallback(url); }
});
</script></body></html>"""


def share_link() -> None:
    """One "Link kopieren" button: it copies the URL of the current view; where the browser does not let
    it, the link appears beside it, selected for copying by hand."""
    st.iframe(COPY_BUTTON.replace("__PARAMS__", json.dumps(list(VIEW_PARAMS))), height=42)
