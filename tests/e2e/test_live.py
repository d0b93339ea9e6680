"""The live mode in a real browser: a big screen that never scrolls or clips, phones that put an open poll first
and show their own distance after the reveal, light pages for hall Wi-Fi, and followers that track the presenter
through the control API and through the presenter console page."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from bench.load import TARGET_FIRST_VISIT, TARGET_SCENE_CHANGE, phone_bytes, report_bytes
from tests.e2e import streamlit_page as sp
from tests.e2e.conftest import PRESENTER_TOKEN, presenter

STAGE_SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
PHONE = {"width": 390, "height": 844}

STAGE_CHECK_JS = """() => {
  const stage = document.getElementById('stage').getBoundingClientRect();
  const problems = [];
  const de = document.documentElement;
  if (de.scrollHeight > innerHeight || de.scrollWidth > innerWidth) problems.push('page scrolls');
  if (stage.width > innerWidth + 1 || stage.height > innerHeight + 1) problems.push('stage larger than window');
  for (const el of document.querySelectorAll('#stage *')) {
    if (!el.getClientRects().length || el.closest('[hidden]')) continue;
    const r = el.getBoundingClientRect();
    const name = el.id || el.tagName.toLowerCase();
    if (r.right > stage.right + 1 || r.bottom > stage.bottom + 1 || r.left < stage.left - 1 || r.top < stage.top - 1)
      problems.push('outside the stage: ' + name);
    if (el.id && (el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2))
      problems.push('clipped: ' + name);
  }
  const fig = document.getElementById('fig');
  if (!fig.complete || fig.naturalWidth === 0) problems.push('figure not drawn');
  return problems;
}"""


@pytest.fixture(autouse=True)
def _needs_live(live_wired):
    if not live_wired:
        pytest.fail("the app does not serve the live routes (app.py without st.App)")


def state(app_server) -> dict:
    with urllib.request.urlopen(f"{app_server.url}/live/state.json", timeout=10) as response:
        return json.loads(response.read())


def wait_scene(page: Page, version: int) -> None:
    """Until the page shows state `version` (or newer) with its figure loaded."""
    page.wait_for_function(
        """v => window.__liveVersion >= v && document.querySelector('#conn.on')
               && [...document.querySelectorAll('img#fig, img#rfig')].every(i => i.closest('[hidden]') || (i.complete && i.naturalWidth))""",
        arg=version,
        timeout=sp.LOAD_TIMEOUT_MS,
    )


def track_versions(page: Page) -> None:
    page.add_init_script(
        """(() => { const real = window.EventSource; window.__liveVersion = -1;
        window.EventSource = function (url) { const es = new real(url);
          es.addEventListener('state', ev => { window.__liveVersion = JSON.parse(ev.data).version; }); return es; };
        window.EventSource.CLOSED = real.CLOSED; })();"""
    )


@pytest.fixture
def browser_page(chromium) -> Iterator:
    contexts = []

    def make(viewport: dict, mobile: bool = False) -> Page:
        context = chromium.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile, locale="de-DE")
        contexts.append(context)
        page = context.new_page()
        track_versions(page)
        return page

    yield make
    for context in contexts:
        context.close()


def shot(page: Page, name: str) -> None:
    """What the viewport shows (the stage, or a phone's first screen)."""
    sp.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(sp.SCREENSHOT_DIR / f"{name}.png"))


def goto(app_server, position: int) -> int:
    return presenter(app_server, {"action": "goto", "position": position})["status"]["version"]


def poll(app_server, action: str) -> int:
    return presenter(app_server, {"action": "poll", "poll": action})["status"]["version"]


def test_stage_fits_every_scene_and_poll_state_without_scrolling_or_clipping(app_server, browser_page):
    pages = {size: browser_page({"width": size[0], "height": size[1]}) for size in STAGE_SIZES}
    goto(app_server, 0)
    for page in pages.values():
        page.goto(app_server.url + "/live/screen")
    problems: dict[str, list[str]] = {}

    def check(version: int, position: int, label: str) -> None:
        for (w, h), page in pages.items():
            wait_scene(page, version)
            shot(page, f"live-screen-{position + 1:02d}-{label}-{w}x{h}")
            if found := page.evaluate(STAGE_CHECK_JS):
                problems[f"Szene {position + 1} {label} {w}×{h}"] = found

    polls = 0
    for position in range(state(app_server)["total"]):
        check(goto(app_server, position), position, "szene")
        if not state(app_server)["poll"]:
            continue
        polls += 1
        check(poll(app_server, "open"), position, "umfrage-offen")
        voter = browser_page(PHONE, mobile=True)
        voter.goto(app_server.url + "/live")
        wait_scene(voter, state(app_server)["version"])
        voter.locator("#guess").fill("23,5")
        voter.get_by_role("button", name="Schätzung senden").click()
        voter.get_by_text("gespeichert").first.wait_for()
        check(poll(app_server, "reveal"), position, "ergebnis")
    assert polls, "the default tour has a poll"
    assert not problems, problems


def test_phone_puts_the_open_poll_first_and_shows_its_distance_after_the_reveal(app_server, browser_page):
    position = next(
        i for i in range(state(app_server)["total"]) if goto(app_server, i) and state(app_server)["poll"]
    )
    page = browser_page(PHONE, mobile=True)
    page.goto(app_server.url + "/live")
    wait_scene(page, state(app_server)["version"])
    assert page.locator("#poll").is_hidden()
    wait_scene(page, poll(app_server, "open"))
    for selector in ("#cue", "#question", "#guess", "#vote button"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], f"{selector} below the first screen"
    shot(page, "live-phone-umfrage-offen-390x844")
    page.locator("#guess").fill("20")
    page.get_by_role("button", name="Schätzung senden").click()
    page.get_by_text("Ihre Schätzung ist gespeichert").wait_for()
    wait_scene(page, poll(app_server, "reveal"))
    results = state(app_server)["poll"]["results"]
    distance = page.locator("#distance").inner_text()
    expected = abs(20 - results["official_value"])
    shown = f"{expected:.{results['decimals']}f}".replace(".", ",")
    assert f"Sie lagen {shown} Prozentpunkt" in distance or "genau getroffen" in distance, distance
    assert page.locator("#rtext").inner_text().count("Schätzung") >= 1
    assert page.locator("#rfig").evaluate("i => i.naturalWidth > 0")
    shot(page, "live-phone-ergebnis-390x844")
    goto(app_server, position)


def test_phone_first_visit_and_scene_change_stay_light(app_server, chromium):
    measured = phone_bytes(app_server.url, PRESENTER_TOKEN, browser=chromium)
    print(report_bytes(measured))
    assert 0 < measured["first_visit"]["bytes"] <= TARGET_FIRST_VISIT
    assert 0 < measured["scene_change"]["bytes"] <= TARGET_SCENE_CHANGE


def test_audience_and_screen_follow_the_presenter_console(app_server, browser_page, new_page):
    version = goto(app_server, 0)
    audience, screen = browser_page(PHONE, mobile=True), browser_page({"width": 1920, "height": 1080})
    audience.goto(app_server.url + "/live")
    screen.goto(app_server.url + "/live/screen")
    for page in (audience, screen):
        wait_scene(page, version)
    console = new_page("desktop")
    forward = sp.presenter_console(console, app_server.url + "/live-konsole", PRESENTER_TOKEN)
    sp.assert_healthy(console, "/live-konsole (angemeldet)")
    sp.screenshot(console, "live-konsole-presenter-desktop")
    sp.act(console, forward.click)
    after = state(app_server)
    assert after["position"] == 1
    for page in (audience, screen):
        wait_scene(page, after["version"])
        assert page.locator("#title").inner_text() == after["scene"]["title"]
