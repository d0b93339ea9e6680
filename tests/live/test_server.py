"""The live routes under a real uvicorn server: SSE, presenter auth, polls, caching, restart."""

from __future__ import annotations

import json
import signal
import time

import httpx
import pytest

from integrationsregion.store import Store
from tests.conftest import DATA_DIR
from tests.live.conftest import TOKEN, control, phone, start_uvicorn


def json_text(data: dict) -> str:
    return json.dumps(data)


def wait_for(predicate, timeout: float = 10.0):
    """Poll a condition until it holds (the server detects disconnects asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def test_followers_get_current_scene_first_then_every_change(live_server, sse):
    first = sse(live_server.base)
    state = first.next_state()
    assert state["scene"]["title"] and state["scene"]["key"]
    assert control(live_server.base, {"action": "next"}).status_code == 200
    changed = first.next_state()
    assert changed["version"] > state["version"]
    assert changed["position"] == (state["position"] or 0) + 1
    # a follower connecting mid-talk gets the current scene immediately
    late = sse(live_server.base).next_state()
    assert late["version"] == changed["version"] and late["scene"]["key"] == changed["scene"]["key"]
    first.next_comment()  # keep-alive comments (IR_LIVE_KEEPALIVE=1 in tests)


def test_follower_count_by_role(live_server, sse):
    clients = [sse(live_server.base) for _ in range(3)] + [sse(live_server.base, role="screen")]
    for c in clients:
        c.next_state()
    counts = httpx.get(f"{live_server.base}/live/followers.json").json()
    assert counts == {"audience": 3, "screen": 1}
    clients[0].close()
    wait_for(lambda: httpx.get(f"{live_server.base}/live/followers.json").json()["audience"] == 2)


def test_forged_presenter_requests_are_refused(live_server):
    base = live_server.base
    before = httpx.get(f"{base}/live/state.json").json()["version"]
    assert control(base, {"action": "next"}, token=None).status_code == 401
    assert control(base, {"action": "next"}, token="wrong-token-0123456789").status_code == 403
    assert control(base, {"action": "next"}, token=TOKEN[:-1]).status_code == 403
    in_url = httpx.post(f"{base}/live/api/control", params={"token": TOKEN}, json={"action": "next"})
    assert in_url.status_code in (400, 401)
    form = httpx.post(
        f"{base}/live/api/control", data={"action": "next"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert form.status_code == 415
    assert httpx.get(f"{base}/live/api/status").status_code == 401
    assert httpx.get(f"{base}/live/state.json").json()["version"] == before
    ok = control(base, {"action": "goto", "position": 1})
    assert ok.status_code == 200 and ok.json()["status"]["position"] == 1
    bad = control(base, {"action": "goto", "position": 999})
    assert bad.status_code == 400 and "gibt es nicht" in bad.json()["error"]


def test_guess_then_reveal_poll(live_server, sse):
    base = live_server.base
    tour = httpx.get(f"{base}/live/state.json").json()
    position = next(i for i in range(tour["total"]) if _poll_at(base, i))
    state = httpx.get(f"{base}/live/state.json").json()
    poll = state["poll"]
    assert poll and not poll["open"]
    url = f"{base}/live/poll/{poll['id']}/vote"

    device = phone(base)
    cookie = device.cookies.get("ir_device")
    assert cookie
    closed = device.post(url, json={"value": 20})
    assert closed.status_code == 409 and closed.json()["error"] == "Die Abstimmung ist geschlossen."

    control(base, {"action": "poll", "poll": "open"})
    assert device.post(url, json={"value": "abc"}).json()["error"] == "Bitte eine Zahl eingeben."
    assert "zwischen" in device.post(url, json={"value": 1000}).json()["error"]
    ok = device.post(url, json={"value": "25,5"})
    assert ok.status_code == 200 and ok.json()["ok"] and ok.json()["value"] == 25.5
    again = device.post(url, json={"value": 30})
    assert again.status_code == 409 and "schon abgestimmt" in again.json()["error"]
    others = [phone(base).post(url, json={"value": v}) for v in (10, 40)]
    assert all(r.status_code == 200 for r in others)
    set_cookie = httpx.get(f"{base}/live").headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/live" in set_cookie
    wrong_poll = device.post(f"{base}/live/poll/gibt-es-nicht/vote", json={"value": 1})
    assert wrong_poll.status_code == 404

    follower = sse(base)
    follower.next_state()
    control(base, {"action": "poll", "poll": "reveal"})
    revealed = follower.next_state()["poll"]
    assert revealed["revealed"] and not revealed["open"]
    results = revealed["results"]
    assert results["n"] == 3 and results["median_value"] == 25.5
    chart = httpx.get(f"{base}/live/figure/{results['figure']}-stage.svg")
    assert chart.status_code == 200 and "amtlich" in chart.text and "Median" in chart.text
    assert control(base, {"action": "poll", "poll": "hide"}).json()["status"]["poll"]["revealed"] is False
    spec = _spec(base, position)
    official = Store.load(DATA_DIR).value(spec["ags"], spec["indicator"], spec["year"], spec["breakdown"])
    assert results["official_value"] == official["value"]


def test_votes_without_a_signed_device_cookie_are_refused(live_server):
    base = live_server.base
    _open_poll(base)
    url = f"{base}/live/poll/{httpx.get(f'{base}/live/state.json').json()['poll']['id']}/vote"
    with httpx.Client() as script:  # 1,000 scripted votes without a cookie, and with made-up ones
        codes = {script.post(url, json={"value": 29}).status_code for _ in range(1000)}
    with httpx.Client(cookies={"ir_device": "A" * 24 + "." + "B" * 22}) as made_up:
        forged = made_up.post(url, json={"value": 29})
    assert codes == {403} and forged.status_code == 403
    assert "neu laden" in forged.json()["error"]
    status = httpx.get(f"{base}/live/api/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert status["votes"] == 0


def test_votes_per_address_and_poll_are_capped(tmp_path):
    server = start_uvicorn(tmp_path, IR_LIVE_VOTES_PER_ADDRESS="3")
    try:
        base = server.base
        _open_poll(base)
        url = f"{base}/live/poll/{httpx.get(f'{base}/live/state.json').json()['poll']['id']}/vote"
        codes = [phone(base).post(url, json={"value": 20}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
    finally:
        server.stop()


def test_presenter_cannot_be_locked_out_by_wrong_tokens(live_server):
    base = live_server.base
    codes = [
        control(base, {"action": "next"}, token=f"falsch-{i:04d}-0123456789").status_code for i in range(15)
    ]
    assert codes[:10] == [403] * 10 and set(codes[10:]) == {429}
    # the right token is checked before the limiter: the presenter keeps control
    assert control(base, {"action": "next"}).status_code == 200
    assert control(base, {"action": "prev"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 200_000 + b"]" * 200_000, 413),
        (b"[" * 50_000 + b"]" * 50_000, 400),
        (b'{"action": "scene", "scene": ' + b'{"a":' * 20 + b"1" + b"}" * 21, 400),
        (b'{"action": NaN}', 400),
        (b'"next"', 400),
    ],
)
def test_presenter_bodies_are_bounded(live_server, body, status):
    r = httpx.post(
        f"{live_server.base}/live/api/control",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert r.status_code == status and r.json()["ok"] is False


def test_poll_bounds_must_be_finite_and_the_api_keeps_working(live_server):
    base = live_server.base
    scene = {
        "theme": "arbeitsmarkt",
        "indicator": "unemployment_rate",
        "year": 2019,
        "title": "t",
        "takeaway": "x",
        "poll": {"id": "p", "question": "?", "ags": "05513", "indicator": "unemployment_rate", "year": 2019},
    }
    body = json_text({"action": "scene", "scene": scene}).replace(
        '"year": 2019}}', '"year": 2019, "max": Infinity}}'
    )
    r = httpx.post(
        f"{base}/live/api/control",
        content=body.encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert control(base, {"action": "next"}).status_code == 200


def test_figures_are_cached_svg_and_the_phone_page_is_light(live_server):
    base = live_server.base
    state = httpx.get(f"{base}/live/state.json").json()
    url = f"{base}/live/figure/{state['scene']['key']}-phone.svg"
    first = httpx.get(url)
    assert first.status_code == 200 and first.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in first.text and state["scene"]["title"] not in first.text
    etag = first.headers["etag"]
    assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(f"{base}/live/figure/0000000000000000-phone.svg").status_code == 404
    page = httpx.get(f"{base}/live")
    assert "plotly" not in page.text.lower() and "cdn" not in page.text.lower() and TOKEN not in page.text
    assert len(page.content) + len(first.content) < 150_000
    assert "QR-Code" in httpx.get(f"{base}/live/screen").text


def test_qr_code_ignores_a_forged_host(live_server):
    base = live_server.base
    plain = httpx.get(f"{base}/live/qr.svg")
    forged = httpx.get(f"{base}/live/qr.svg", headers={"Host": "evil.example" + "x" * 3000})
    assert plain.status_code == forged.status_code == 200
    assert plain.content == forged.content and plain.text.startswith("<svg")


def test_position_and_votes_survive_a_restart(tmp_path):
    server = start_uvicorn(tmp_path, name="first")
    base = server.base
    position = _open_poll(base)
    poll_id = httpx.get(f"{base}/live/state.json").json()["poll"]["id"]
    assert phone(base).post(f"{base}/live/poll/{poll_id}/vote", json={"value": 12}).status_code == 200
    before = httpx.get(f"{base}/live/state.json").json()
    assert server.stop() in (0, -signal.SIGTERM)

    server = start_uvicorn(tmp_path, name="second")
    try:
        after = httpx.get(f"{server.base}/live/state.json").json()
        assert after["position"] == position and after["version"] == before["version"]
        assert after["poll"]["open"]
        status = httpx.get(
            f"{server.base}/live/api/status", headers={"Authorization": f"Bearer {TOKEN}"}
        ).json()
        assert status["votes"] == 1
    finally:
        server.stop()


def test_sigterm_with_open_streams_shuts_down_promptly(tmp_path, sse):
    server = start_uvicorn(tmp_path, name="shutdown")
    clients = [sse(server.base) for _ in range(3)]
    for c in clients:
        c.next_state()
    started = time.monotonic()
    # uvicorn re-raises SIGTERM after a graceful shutdown
    assert server.stop(timeout=10) in (0, -signal.SIGTERM)
    assert time.monotonic() - started < 10
    assert "Application shutdown complete" in server.output()


def _open_poll(base: str) -> int:
    position = next(i for i in range(20) if _poll_at(base, i))
    assert control(base, {"action": "poll", "poll": "open"}).status_code == 200
    return position


def _poll_at(base: str, position: int) -> bool:
    r = control(base, {"action": "goto", "position": position})
    return r.status_code == 200 and r.json()["status"]["poll"] is not None


def _spec(base: str, position: int) -> dict:
    control(base, {"action": "goto", "position": position})
    status = httpx.get(f"{base}/live/api/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    return status["status"]["scene"]["poll"]


def test_loopback_address_warns_on_the_big_screen(tmp_path):
    server = start_uvicorn(tmp_path, IR_PUBLIC_URL="http://127.0.0.1:8811")
    try:
        screen = httpx.get(f"{server.base}/live/screen").text.replace("\u200b", "")  # break points after "/"
        assert "http://127.0.0.1:8811/live" in screen
        assert "erreichen Handys nicht" in screen and "IR_PUBLIC_URL" in screen
    finally:
        server.stop()
