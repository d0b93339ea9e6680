"""The app shell: nothing is fetched from another host, and Streamlit's own texts read German."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.e2e import streamlit_page as sp
from tests.e2e.test_pages import PAGES, page_name

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_no_request_leaves_the_machine(app_server, new_page, viewport):
    page = new_page(viewport)
    outside: list[str] = []

    def note(request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(request.url)

    page.on("request", note)
    for path in PAGES:
        sp.open_app(page, f"{app_server.url}/{path}")
        assert not outside, f"/{page_name(path)} ({viewport}) asked another host: {sorted(set(outside))}"


def test_unknown_page_says_so_in_german(app_server, new_page):
    page = new_page("desktop")
    sp.open_app(page, f"{app_server.url}/gibt-es-nicht")
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Seite nicht gefunden").wait_for()
    text = dialog.inner_text()
    assert "gibt es in diesem Dashboard nicht" in text and "Startseite" in text
    assert "Page not found" not in text and "Running the app" not in text
    assert page.evaluate("document.documentElement.lang") == "de"


def test_picker_search_without_match_and_shell_read_german(app_server, new_page):
    page = new_page("desktop")
    sp.open_app(page, f"{app_server.url}/steckbrief")
    assert page.locator("[data-testid='stMainMenu']").count() == 0, "the English menu (Print, Record screen)"
    page.get_by_test_id("stSelectbox").first.click()
    page.keyboard.type("Xyzxyz")
    page.get_by_text("Keine Treffer").wait_for()
    assert page.get_by_text("No results").count() == 0
    page.keyboard.press("Escape")


SHELL_TEXTS_JS = """
() => {
  const texts = new Set();
  const skip = el => el.closest('script, style, noscript, template, .js-plotly-plot');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (n.nodeType === Node.TEXT_NODE) {
      if (n.nodeValue.trim() && !skip(n.parentElement)) texts.add(n.nodeValue.trim());
    } else if (!skip(n)) {
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = n.getAttribute(attr);
        if (value) texts.add(value);
      }
    }
  }
  return [...texts];
}
"""
ENGLISH = re.compile(
    r"\b(the|to|of|and|with|your|this|Select|Search|Show|Hide|Clear|Close|Download|Fullscreen|Skip|Running|"
    r"results?|matches|Page|heading|content|columns|password|Print|Record)\b"
)
"""Words of Streamlit's English interface; none occurs in the app's German texts."""

SELECT_BOXES_JS = """
() => [...document.querySelectorAll("[data-testid='stSelectbox'] input")].filter(i => i.value).map(i => {
  const frame = i.parentElement;
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = getComputedStyle(i).font;
  const room = frame.clientWidth - frame.querySelector('button').offsetWidth - 8;  // the value's padding
  return {value: i.value, shown: getComputedStyle(frame, '::before').content,
          wider: ctx.measureText(i.value).width > room, height: frame.clientHeight,
          clipped: frame.scrollHeight > frame.clientHeight + 1};
})
"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_page_reads_german_and_shows_whole_choices(app_server, new_page, viewport):
    """No English word of Streamlit's interface anywhere (texts, labels, tooltips, the skip link), and every
    select box shows its whole choice – a long indicator title wraps to a second line instead of being cut."""
    page = new_page(viewport)
    wrapped = 0
    for path in PAGES:
        sp.open_app(page, f"{app_server.url}/{path}")
        english = [t for t in page.evaluate(SHELL_TEXTS_JS) if ENGLISH.search(t)]
        assert not english, f"/{page_name(path)} ({viewport}) shows English: {english}"
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stSelectbox'] input\")]"
            ".every(i => !i.value || i.parentElement.getAttribute('data-ir-value') === i.value)"
        )
        for box in page.evaluate(SELECT_BOXES_JS):
            where = f"/{page_name(path)} ({viewport}), select box {box['value']!r}"
            assert box["value"] in box["shown"] and not box["clipped"], f"{where}: the choice is cut"
            if box["wider"]:
                assert box["height"] >= 50, f"{where}: a long choice does not wrap"
                wrapped += 1
    if viewport == "phone":
        assert wrapped, (
            "no select box on a phone holds a choice longer than its box: the check proved nothing"
        )


def test_option_lists_wrap_long_titles(app_server, new_page):
    page = new_page("phone")
    sp.open_app(page, f"{app_server.url}/arbeitsmarkt")
    page.get_by_test_id("stSelectbox").first.locator("input").click()
    options = page.get_by_role("option")
    options.first.wait_for()
    cut = page.evaluate(
        "() => [...document.querySelectorAll('[role=option]')]"
        ".filter(o => o.scrollHeight > o.clientHeight + 1 || o.firstElementChild.scrollWidth > o.clientWidth)"
        ".map(o => o.textContent)"
    )
    assert options.count() > 1 and not cut, f"options cut on a phone: {cut}"
    page.keyboard.press("Escape")
