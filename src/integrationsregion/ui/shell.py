"""The app shell in German and accessible: Streamlit's own English strings and shell-wide CSS fixes.

Streamlit 1.67 has no locale setting. Its menu ("Print", "Record screen") is hidden with the documented
`client.toolbarMode = "minimal"` (`.streamlit/config.toml`); the remaining strings that no option reaches (the
"Page not found" dialog, "No results", "Select N matches" in pickers, status and toolbar labels) are replaced
in the browser by a small script (`st.html(..., unsafe_allow_javascript=True)`, documented), which also marks
the document as German (`<html lang="de">`) for screen readers. CSS fixes contrast where Streamlit's grey text
misses WCAG AA on the app's backgrounds.

A select box shows its choice in an `<input>`, which cannot wrap: long indicator titles were cut on phones. The
script copies each select box's chosen value to its frame (`data-ir-value`); CSS shows it there wrapped (as generated
content with empty alternative text, so screen readers read only the input) and hides the input's own text except
while the option list is open, when the input takes over for searching. Option lists short enough not to be virtualised
wrap their options too.

The browser history gets one entry per click, not one per URL parameter the run changes (see the script), so
"Zurück" returns to the previous view.
"""

from __future__ import annotations

import json

import streamlit as st

TEXTS = {
    "Page not found": "Seite nicht gefunden",
    "No results": "Keine Treffer",
    "Select all": "Alle auswählen",
    "Running...": "Wird berechnet …",
    "Stop": "Anhalten",
    "Connecting": "Verbindung wird aufgebaut",
    "Close": "Schließen",
    "Print": "Drucken",
    "Record screen": "Bildschirm aufnehmen",
    "Download as CSV": "Als CSV herunterladen",
    "Search": "Suchen",
    "Fullscreen": "Vollbild",
    "Close fullscreen": "Vollbild schließen",
    "Show/hide columns": "Spalten ein-/ausblenden",
    "Clear selection": "Auswahl aufheben",
    "Clear all": "Alle entfernen",
    "Open": "Öffnen",
    "App pages": "Seiten des Dashboards",
    "Selected values": "Ausgewählte Werte",
    "Show password": "Passwort anzeigen",
    "Hide password": "Passwort verbergen",
    "Skip to main content": "Zum Hauptinhalt springen",
}
"""Exact English texts (whole text node or aria-label/title) and their German."""

PATTERNS = [
    (
        r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. "
        r"Running the app's main page\.$",
        "Die Seite „/$1“ gibt es in diesem Dashboard nicht. Gezeigt wird die Startseite.",
    ),
    (
        r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
        "Diese Seite gibt es in diesem Dashboard nicht. Gezeigt wird die Startseite.",
    ),
    (r"^Select (\d+) matches$", "$1 Treffer auswählen"),
    (r"^You can only select up to (\d+) options?\. Remove an option first\.$", "Höchstens $1 auswählbar."),
]
"""English texts with a variable part (JavaScript regular expressions and replacements)."""

ROLES = [
    # the page navigation is a <ul> holding section <div>s: list semantics that do not hold (axe "list",
    # "listitem"); the links inside the <nav> are what a screen reader needs
    ("[data-testid='stSidebarNavItems']", "role", "none"),
    ("[data-testid='stSidebarNavItems'] li", "role", "none"),
    # code blocks scroll sideways on phones: keyboard users must be able to focus them to scroll
    ("pre", "tabindex", "0"),
    # static tables (st.table) scroll sideways on phones too
    (".stTable > div", "tabindex", "0"),
    # a heading's anchor link sits in the app's markdown, which the translation skips
    ("[data-testid='stHeaderActionElements'] a", "aria-label", "Link zu dieser Überschrift"),
]
"""Attributes that repair or translate Streamlit's own markup (selector, attribute, value)."""

SCRIPT = """
<script>
(() => {
  if (window.__irShell) return;
  window.__irShell = true;
  const texts = __TEXTS__;
  const patterns = (__PATTERNS__).map(([p, r]) => [new RegExp(p), r]);
  const german = text => {
    const trimmed = text.trim();
    if (!trimmed) return null;
    if (Object.hasOwn(texts, trimmed)) return text.replace(trimmed, texts[trimmed]);
    for (const [pattern, replacement] of patterns) {
      if (pattern.test(trimmed)) return text.replace(trimmed, trimmed.replace(pattern, replacement));
    }
    return null;
  };
  const ATTRS = ['aria-label', 'title', 'placeholder'];
  const fixOne = n => {
    if (n.nodeType === Node.TEXT_NODE) {
      const de = german(n.nodeValue);
      if (de !== null) n.nodeValue = de;
    } else if (n.nodeType === Node.ELEMENT_NODE) {
      for (const attr of ATTRS) {
        const value = n.getAttribute(attr);
        const de = value && german(value);
        if (de) n.setAttribute(attr, de);
      }
    }
  };
  // Charts (SVG) and the app's own markdown hold no Streamlit strings: skip them, they are most of the nodes
  const skip = n => n.nodeType === Node.ELEMENT_NODE && (n instanceof SVGElement
    || n.matches(".js-plotly-plot, [data-testid='stMarkdownContainer'], [data-testid='stDataFrame'] canvas"));
  const filter = {acceptNode: n => skip(n) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT};
  const fixNode = node => {
    if (skip(node) || (node.nodeType === Node.TEXT_NODE && node.parentElement && node.parentElement.closest(
      ".js-plotly-plot, [data-testid='stMarkdownContainer']"))) return;
    fixOne(node);
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, filter);
    while (walker.nextNode()) fixOne(walker.currentNode);
  };
  const roles = __ROLES__;
  const repair = () => {
    for (const [selector, attr, value] of roles) {
      document.querySelectorAll(selector).forEach(el => {
        if (el.getAttribute(attr) !== value) el.setAttribute(attr, value);
      });
    }
    document.querySelectorAll("[data-testid='stSelectbox'] .react-aria-ComboBox input").forEach(input => {
      const frame = input.parentElement;
      if (!input.value) frame.removeAttribute('data-ir-value');  // the placeholder shows in the input
      else if (frame.getAttribute('data-ir-value') !== input.value) frame.setAttribute('data-ir-value', input.value);
    });
  };
  // Streamlit adds a history entry for every change of a URL parameter, and a page writes several per run
  // (the view it shows, dependent choices reset): one click left up to seven entries, and "Zurück" stepped
  // through half-changed views. Only the first change after a person's input adds an entry; the others
  // (the same run, opening a page, the run after "Zurück") replace the current one.
  let entryAllowed = false;
  const push = history.pushState.bind(history), replace = history.replaceState.bind(history);
  history.pushState = (...args) => {
    if (!entryAllowed) return replace(...args);
    entryAllowed = false;
    return push(...args);
  };
  for (const type of ['pointerdown', 'keydown']) addEventListener(type, () => { entryAllowed = true; }, true);
  addEventListener('popstate', () => { entryAllowed = false; });
  const root = document;
  root.documentElement.lang = 'de';
  fixNode(root.body);
  repair();
  let repairQueued = false;
  const queueRepair = () => {
    if (repairQueued) return;
    repairQueued = true;
    requestAnimationFrame(() => { repairQueued = false; repair(); });
  };
  new MutationObserver(records => {
    for (const r of records) {
      if (r.type === 'characterData') fixNode(r.target);
      else if (r.type === 'attributes') fixNode(r.target);
      else r.addedNodes.forEach(fixNode);
    }
    queueRepair();
  }).observe(root.body, {subtree: true, childList: true, characterData: true, attributes: true,
                         attributeFilter: [...ATTRS, 'value']});
  // a choice leaves the box (blur) without necessarily touching the DOM: copy the value again
  root.addEventListener('focusout', queueRepair, true);
})();
</script>
"""

CSS = """
<style>
/* the shell's own element: takes no space */
[data-testid='stLayoutWrapper']:has(> .st-key-ir_shell), .st-key-ir_shell { display: none; }
/* captions and muted labels: Streamlit's grey (about 3.9:1 on the sidebar) to AA contrast (≥ 4.5:1) */
[data-testid='stCaptionContainer'] { opacity: 1; color: #4a525b; }
[data-testid='stCaptionContainer'] a { color: #0b5a8c; }
[data-testid='stMarkdownContainer'] blockquote { opacity: 1; color: #3d444b; }
[data-testid='stSidebarNav'] span, [data-testid='stNavSectionHeader'] { color: #2f353b; }
/* page links, button labels and chosen options wrap instead of ending in "…" in narrow columns */
[data-testid='stPageLink-NavLink'] span, [data-testid='stPageLink-NavLink'] span * { white-space: normal; }
button [data-testid='stMarkdownContainer'], button [data-testid='stMarkdownContainer'] * {
  white-space: normal; text-overflow: clip; }
[data-testid='stMultiSelectTagsContainer'] span { white-space: normal; height: auto; }
[data-testid='stMultiSelectTagsContainer'],
[data-testid='stMultiSelect'] div:has(> [data-testid='stMultiSelectTagsContainer']) { height: auto; max-height: none; }
/* select boxes: the chosen value wraps in the box's frame (see the module docstring); the input's own text
   shows only while the option list is open (searching) */
.stSelectbox .react-aria-ComboBox > div[data-ir-value] { height: auto; min-height: 2.5rem; position: relative; }
.stSelectbox .react-aria-ComboBox > div[data-ir-value]::before {
  content: attr(data-ir-value) / ""; flex: 1 1 auto; min-width: 0; padding: 9px 0 9px 8px;
  font-size: 0.875rem; line-height: 1.4; white-space: normal; overflow-wrap: anywhere; pointer-events: none; }
.stSelectbox .react-aria-ComboBox > div[data-ir-value] > input {
  position: absolute; left: 0; top: 0; bottom: 0; width: calc(100% - 2.25rem); color: transparent; }
.stSelectbox .react-aria-ComboBox > div[data-ir-value]:has(> input[aria-expanded='true'])::before { visibility: hidden; }
.stSelectbox .react-aria-ComboBox > div[data-ir-value] > input[aria-expanded='true'] { color: inherit; }
[role='listbox'] > [role='option'] { height: auto; min-height: 2.5rem; padding-top: 4px; padding-bottom: 4px; }
[role='listbox'] > [role='option'] > div { height: auto; white-space: normal; }
/* phones: a page title breaks between words only ("Integrationsregion" is 18 letters) */
@media (max-width: 640px) { [data-testid='stMain'] h1 { font-size: 2rem; } }
</style>
"""


def install() -> None:
    """Put the German shell script and the shell CSS into the page (call once per run, from app.py)."""
    st.html(CSS)
    script = (
        SCRIPT.replace("__TEXTS__", json.dumps(TEXTS, ensure_ascii=False))
        .replace("__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False))
        .replace("__ROLES__", json.dumps(ROLES))
    )
    with st.container(key="ir_shell"):
        st.html(script, unsafe_allow_javascript=True)
