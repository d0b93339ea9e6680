"""The live routes under a real uvicorn server: SSE, presenter auth, polls, caching, restart."""

from __future__ import annotations

import signal
import time

import httpx

from integrationsregion.store import Store
from tests.live.conftest import TOKEN, control, start_uvicorn


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
    assert state["scene"]["title"] and state["scene"]["figure_url"].startswith("/live/figure/")
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

    phone = httpx.Client(base_url=base)
    assert phone.get("/live").status_code == 200
    cookie = phone.cookies.get("ir_device")
    assert cookie
    closed = phone.post(url, json={"value": 20})
    assert closed.status_code == 409 and closed.json()["error"] == "Die Abstimmung ist geschlossen."

    control(base, {"action": "poll", "poll": "open"})
    assert phone.post(url, json={"value": "abc"}).json()["error"] == "Bitte eine Zahl eingeben."
    assert "zwischen" in phone.post(url, json={"value": 1000}).json()["error"]
    ok = phone.post(url, json={"value": "25,5"})
    assert ok.status_code == 200 and ok.json()["ok"]
    again = phone.post(url, json={"value": 30})
    assert again.status_code == 409 and "schon abgestimmt" in again.json()["error"]
    others = [httpx.post(url, json={"value": v}) for v in (10, 40)]
    assert all(r.status_code == 200 for r in others)
    set_cookie = others[0].headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    wrong_poll = httpx.post(f"{base}/live/poll/gibt-es-nicht/vote", json={"value": 1})
    assert wrong_poll.status_code == 404

    follower = sse(base)
    follower.next_state()
    control(base, {"action": "poll", "poll": "reveal"})
    revealed = follower.next_state()["poll"]
    assert revealed["revealed"] and not revealed["open"]
    results = revealed["results"]
    assert results["n"] == 3
    spec = _spec(base, position)
    official = Store.load().value(spec["ags"], spec["indicator"], spec["year"], spec["breakdown"])["value"]
    assert results["official_value"] == official
    assert control(base, {"action": "poll", "poll": "hide"}).json()["status"]["poll"]["revealed"] is False


def test_votes_are_rate_limited_per_device(live_server):
    base = live_server.base
    _poll_at(base, next(i for i in range(20) if _poll_at(base, i)))
    control(base, {"action": "poll", "poll": "open"})
    phone = httpx.Client(base_url=base)
    phone.get("/live")
    codes = [phone.post("/live/poll/x/vote", json={"value": 1}).status_code for _ in range(8)]
    assert codes[:5] == [404] * 5 and 429 in codes
    assert phone.post("/live/poll/x/vote", json={"value": 1}).json()["error"].startswith("Zu viele")


def test_figure_json_is_cached_with_etag_and_plotly_js_is_served_locally(live_server):
    base = live_server.base
    state = httpx.get(f"{base}/live/state.json").json()
    first = httpx.get(base + state["scene"]["figure_url"])
    assert first.status_code == 200 and first.json()["data"][0]["type"] == "bar"
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = httpx.get(base + state["scene"]["figure_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert httpx.get(f"{base}/live/figure/0000000000000000.json").status_code == 404
    js = httpx.get(f"{base}/live/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert (
        js.status_code == 200 and js.headers["content-encoding"] == "gzip" and b"plotly" in js.content[:2000]
    )
    page = httpx.get(f"{base}/live").text
    assert "/live/plotly.min.js" in page and "cdn" not in page.lower() and TOKEN not in page
    assert httpx.get(f"{base}/live/qr.svg").text.startswith("<svg")
    assert "QR-Code" in httpx.get(f"{base}/live/screen").text


def test_position_and_votes_survive_a_restart(tmp_path):
    server = start_uvicorn(tmp_path, name="first")
    base = server.base
    position = next(i for i in range(20) if _poll_at(base, i))
    control(base, {"action": "poll", "poll": "open"})
    poll_id = httpx.get(f"{base}/live/state.json").json()["poll"]["id"]
    assert httpx.post(f"{base}/live/poll/{poll_id}/vote", json={"value": 12}).status_code == 200
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


def _poll_at(base: str, position: int) -> bool:
    r = control(base, {"action": "goto", "position": position})
    return r.status_code == 200 and r.json()["status"]["poll"] is not None


def _spec(base: str, position: int) -> dict:
    control(base, {"action": "goto", "position": position})
    status = httpx.get(f"{base}/live/api/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    return status["status"]["scene"]["poll"]
