"""The live mode in a real browser: the audience page (phone) and the big screen render the current scene, and
both follow the presenter – through the control API and through the presenter console page."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page

from tests.e2e import streamlit_page as sp
from tests.e2e.conftest import PRESENTER_TOKEN, presenter

WAITING = "Warten auf die erste Szene"
FIG = "#fig"


@pytest.fixture(autouse=True)
def _needs_live(live_wired):
    if not live_wired:
        pytest.skip("the app does not serve the live routes (app.py without st.App)")


def state(app_server) -> dict:
    with urllib.request.urlopen(f"{app_server.url}/live/state.json", timeout=10) as response:
        return json.loads(response.read())


def open_live(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_function(
        """w => document.querySelector('#conn.on') && document.getElementById('title').textContent
               && !document.getElementById('title').textContent.startsWith(w)""",
        arg=WAITING,
        timeout=sp.LOAD_TIMEOUT_MS,
    )
    wait_drawn(page, 0)


def wait_drawn(page: Page, after: int) -> None:
    page.wait_for_function(
        "([s, n]) => { const gd = document.querySelector(s); return gd && (gd.__stDrawn || 0) > n; }",
        arg=[FIG, after],
        timeout=sp.DRAW_TIMEOUT_MS,
    )


def shown(page: Page) -> tuple[str, str]:
    return page.locator("#title").inner_text(), page.locator("#meta").inner_text()


def assert_live_healthy(page: Page, where: str) -> None:
    figures = sp.figures(page, FIG)
    assert len(figures) == 1 and not figures[0].empty, f"{where}: live figure empty: {figures}"


def wait_scene_change(page: Page, before: tuple[str, str], drawn_before: int) -> None:
    """Wait until the page shows another scene than `before` (title or meta line changed)."""
    page.wait_for_function(
        "([t, m]) => document.getElementById('title').textContent !== t"
        " || document.getElementById('meta').textContent !== m",
        arg=list(before),
        timeout=sp.LOAD_TIMEOUT_MS,
    )
    if page.locator(FIG).is_visible():
        wait_drawn(page, drawn_before)


@pytest.mark.parametrize(
    ("path", "viewport"), [("/live", "phone"), ("/live", "desktop"), ("/live/screen", "bigscreen")]
)
def test_live_views_render_the_current_scene(app_server, new_page, path, viewport):
    presenter(app_server, {"action": "goto", "position": 0})
    page = new_page(viewport)
    open_live(page, app_server.url + path)
    assert shown(page)[0] == state(app_server)["scene"]["title"]
    assert_live_healthy(page, path)
    name = "live-screen" if path.endswith("screen") else "live"
    sp.screenshot(page, f"{name}-{viewport}")


def test_audience_follows_the_control_api(app_server, new_page):
    presenter(app_server, {"action": "goto", "position": 0})
    audience, screen = new_page("phone"), new_page("bigscreen")
    open_live(audience, app_server.url + "/live")
    open_live(screen, app_server.url + "/live/screen")
    before = shown(audience)
    drawn = [sp.drawn_count(p, FIG) for p in (audience, screen)]

    answer = presenter(app_server, {"action": "next"})
    assert answer["ok"] and answer["status"]["position"] == 1

    expected = state(app_server)["scene"]["title"]
    for page, count in zip((audience, screen), drawn, strict=True):
        wait_scene_change(page, before, count)
        assert shown(page)[0] == expected
        assert_live_healthy(page, page.url)


def test_audience_follows_the_presenter_console(app_server, new_page):
    presenter(app_server, {"action": "goto", "position": 0})
    audience = new_page("phone")
    open_live(audience, app_server.url + "/live")
    before, drawn = shown(audience), sp.drawn_count(audience, FIG)

    console = new_page("desktop")
    sp.open_app(console, app_server.url + "/live-konsole")
    console.get_by_text("Als Moderation anmelden").click()
    console.get_by_label("Moderations-Token").fill(PRESENTER_TOKEN)
    sp.act(console, lambda: console.get_by_role("button", name="Anmelden").click())
    forward = console.get_by_role("button", name="weiter ▶")
    forward.wait_for(timeout=sp.LOAD_TIMEOUT_MS)
    sp.assert_healthy(console, "/live-konsole (angemeldet)")
    sp.screenshot(console, "live-konsole-presenter-desktop")

    sp.act(console, forward.click)
    wait_scene_change(audience, before, drawn)
    assert shown(audience)[0] == state(app_server)["scene"]["title"]
    assert state(app_server)["position"] == 1
    assert_live_healthy(audience, "/live after the console's next")
