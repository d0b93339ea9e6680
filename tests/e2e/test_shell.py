"""The app shell: nothing is fetched from another host, and Streamlit's own texts read German."""

from __future__ import annotations

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
