"""The production set through nginx, in real Chromium where a user would notice: every page, compression,
sticky sessions with downloads, the hall flow, votes across live workers, slow clients, a replica going away."""

from __future__ import annotations

import contextlib
import re
import socket
import time

import httpx
import pytest

from bench.protocol import list_pages, run_blocking
from integrationsregion.live import device
from tests.deploy.conftest import TOKEN, Production
from tests.e2e import streamlit_page as sp

FIRST_VISIT_LIMIT = 2_500_000
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _pages(production: Production) -> list[str]:
    return [p["url_pathname"] for p in run_blocking(list_pages(production.ws_url))]


def _route(page) -> str:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "ir_route" in cookies, "the proxy set no session-affinity cookie"
    return cookies["ir_route"]


def _upstreams(production: Production, route: str) -> dict[str, set[str]]:
    """Requests of one browser session that reached a replica: request line → the replica that answered."""
    seen: dict[str, set[str]] = {}
    for line in production.access_log():
        if line["route"] == route and line["upstream"] != "-":
            seen.setdefault(line["request"], set()).add(line["upstream"].split(",")[-1].strip())
    return seen


def test_every_page_loads_through_the_proxy(production, new_page):
    pages = _pages(production)
    assert "" in pages and len(pages) >= 5
    for path in pages:
        page = new_page("desktop")
        sp.open_app(page, production.url + path)
        sp.assert_healthy(page, f"{production.url}{path}")
        assert page.locator("[data-testid='stMain'] [data-testid='stElementContainer']").count() > 0
        page.context.close()


def test_first_visit_is_compressed_and_small(production, new_page):
    page = new_page("desktop")
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    sp.open_app(page, production.url)
    total = 0
    uncompressed = []
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        response = request.response()
        kind = response.headers.get("content-type", "") if response else ""
        if (
            response
            and any(t in kind for t in ("javascript", "css", "html"))
            and sizes["responseBodySize"] > 1024
            and response.headers.get("content-encoding") not in ("gzip", "br")
        ):
            uncompressed.append(request.url)
    assert not uncompressed, f"served without compression: {uncompressed}"
    assert total <= FIRST_VISIT_LIMIT, f"first visit transferred {total / 1e6:.2f} MB"


def test_static_bundles_are_precompressed_and_cached(production):
    html = httpx.get(production.url, headers={"Accept-Encoding": "gzip"})
    assert html.headers.get("content-encoding") == "gzip"
    bundle = next(src for src in re.findall(r'src="([^"]+\.js)"', html.text) if "static/js/" in src)
    url = production.origin + bundle if bundle.startswith("/") else production.url + bundle.lstrip("./")
    answer = httpx.get(url, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"
    assert "immutable" in answer.headers["cache-control"]
    live = httpx.get(production.url + "live", headers={"Accept-Encoding": "gzip"})
    assert live.status_code == 200 and live.headers.get("content-encoding") == "gzip"
    key = httpx.get(production.url + "live/state.json").json()["scene"]["key"]  # live figures: SVG, gzipped
    figure = httpx.get(production.url + f"live/figure/{key}-phone.svg", headers={"Accept-Encoding": "gzip"})
    assert figure.status_code == 200 and figure.headers.get("content-encoding") == "gzip"


@pytest.mark.flaky(reruns=1)
def test_a_session_stays_on_its_replica_across_reruns_and_downloads(production, new_page):
    """One browser session: a /media/ download and two page switches all reach the same replica.

    Rerun once: in 1 of about 10 runs (a fresh venv, first minutes of the set) the rerun after a page switch did
    not arrive within 90 s; the cause is not found yet (the replicas' logs show no error). A second failure fails.
    """
    page = new_page("desktop")
    sp.open_app(page, production.url + "methodik")
    route = _route(page)
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="CSV", exact=True).first.click()
    download = download_info.value
    assert "/media/" in download.url
    assert download.path().stat().st_size > 0
    for title in ("Bildung", "Arbeitsmarkt"):  # reruns of the same session (page switches)
        sp.act(page, lambda title=title: page.get_by_role("link", name=title).first.click())
        assert title.lower() in page.url
    page.context.close()  # nginx logs the websocket when it closes
    deadline = time.monotonic() + 10
    seen = _upstreams(production, route)
    while not any("/_stcore/stream" in request for request in seen):
        assert time.monotonic() < deadline, f"the session's websocket is not in the proxy's log: {seen}"
        time.sleep(0.2)
        seen = _upstreams(production, route)
    assert any("/media/" in request for request in seen), f"download not through the proxy: {seen}"
    replicas = set().union(*seen.values())
    assert len(replicas) == 1, f"one session reached several replicas: {seen}"


def _control(production: Production, action: dict) -> dict:
    answer = httpx.post(production.url + "live/api/control", json=action, headers=AUTH, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _open_phone(production: Production, new_page):
    phone = new_page("phone")
    phone.goto(production.url + "live", wait_until="domcontentloaded")
    phone.wait_for_function(
        "() => document.querySelector('#conn.on') && document.getElementById('title').textContent",
        timeout=sp.LOAD_TIMEOUT_MS,
    )
    return phone


def _wait_title(phone, title: str) -> None:
    phone.wait_for_function(
        "t => document.getElementById('title').textContent === t", arg=title, timeout=30_000
    )


def test_the_phone_follows_the_presenter_through_the_proxy(production, new_page):
    _control(production, {"action": "goto", "position": 0})
    phone = _open_phone(production, new_page)
    before = phone.locator("#title").inner_text()
    expected = _control(production, {"action": "next"})["status"]["scene"]["title"]
    assert expected != before
    _wait_title(phone, expected)


def test_the_phone_follows_the_presenter_console_across_processes(production, new_page):
    """Console on a Streamlit replica → Redis → a live worker → the phone, all through nginx."""
    _control(production, {"action": "goto", "position": 0})
    phone = _open_phone(production, new_page)
    console = new_page("desktop")
    forward = sp.presenter_console(console, production.url + "live-konsole", TOKEN)
    sp.act(console, forward.click)
    state = httpx.get(production.url + "live/state.json", timeout=30).json()
    assert state["position"] == 1
    _wait_title(phone, state["scene"]["title"])


def test_votes_on_both_live_workers_are_counted_once_each(production):
    proxy = production.url + "live"
    for position in range(30):
        answer = httpx.post(
            proxy + "/api/control", json={"action": "goto", "position": position}, headers=AUTH, timeout=30
        )
        assert answer.status_code == 200, answer.text
        if answer.json()["status"]["poll"] is not None:
            break
    else:
        pytest.fail("the tour has no poll")
    httpx.post(proxy + "/api/control", json={"action": "poll", "poll": "open"}, headers=AUTH, timeout=30)
    poll_id = httpx.get(proxy + "/state.json").json()["poll"]["id"]
    first, second = (production.live_url(i) for i in range(2))

    def phone(worker: str) -> dict[str, str]:
        """A phone that opened the live page at `worker`: its signed device cookie, as a header."""
        page = httpx.get(worker + "/live")
        assert page.status_code == 200 and device.COOKIE in page.cookies
        return {"Cookie": f"{device.COOKIE}={page.cookies[device.COOKIE]}"}

    phone_a, phone_b = phone(first), phone(second)
    vote = f"/live/poll/{poll_id}/vote"
    assert httpx.post(first + vote, json={"value": 10}, headers=phone_a).status_code == 200
    assert httpx.post(second + vote, json={"value": 20}, headers=phone_b).status_code == 200
    again = httpx.post(second + vote, json={"value": 30}, headers=phone_a)
    assert again.status_code == 409, f"a phone voted twice by switching worker: {again.text}"
    status = httpx.get(proxy + "/api/status", headers=AUTH, timeout=30).json()
    assert status["votes"] == 2


@contextlib.contextmanager
def _slowloris(port: int, connections: int):
    """Open `connections` sockets that send an incomplete request header and then nothing more."""
    sockets = []
    try:
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(s)
        yield len(sockets)
    finally:
        for s in sockets:
            s.close()


def test_a_slowloris_burst_does_not_stop_a_page_load(production, new_page):
    with _slowloris(production.info["port"], 600) as held:
        assert held == 600
        page = new_page("desktop")
        sp.open_app(page, production.url + "bildung")
        sp.assert_healthy(page, "bildung during a slowloris burst")


def test_addresses_outside_the_base_path_move_under_it(production):
    base = production.info["base_path"]
    for path in ("/", "/bildung?jahr=2024"):
        answer = httpx.get(production.origin + path, follow_redirects=False)
        assert answer.status_code == 302 and answer.headers["location"] == base + path
    assert httpx.get(production.origin + "/bildung", follow_redirects=True).status_code == 200


def test_killing_a_replica_moves_new_sessions_to_the_other(production, new_page):
    stopped, other = production.info["apps"]
    assert "stopped" in production.supervisorctl("stop", "app1")
    try:
        for _ in range(3):
            page = new_page("desktop")
            sp.open_app(page, production.url)
            sp.assert_healthy(page, "start page with one replica down")
            replicas = set().union(*_upstreams(production, _route(page)).values())
            assert replicas == {f"127.0.0.1:{other}"}, f"served by {replicas}, stopped: {stopped}"
            page.context.close()
    finally:
        production.supervisorctl("start", "app1")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(production.app_url(0) + "_stcore/health", timeout=3).status_code == 200:
                    break
            time.sleep(0.5)
