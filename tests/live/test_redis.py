"""Redis backend against a real redis-server: two app processes share one live session."""

from __future__ import annotations

import json
import time

import httpx

from tests.conftest import DATA_DIR
from tests.live.conftest import TOKEN, control, phone, start_uvicorn


def test_two_processes_share_scene_followers_and_restart(tmp_path, redis_url, sse):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    env = {"IR_LIVE_BACKEND": "redis", "IR_REDIS_URL": redis_url}
    a = start_uvicorn(a_dir, name="a", **env)
    b = start_uvicorn(b_dir, name="b", **env)
    try:
        on_b = sse(b.base)
        first = on_b.next_state()
        # the presenter talks to process A; a phone on process B follows
        assert control(a.base, {"action": "goto", "position": 2}).status_code == 200
        changed = on_b.next_state()
        assert changed["position"] == 2 and changed["version"] > first["version"]
        assert httpx.get(f"{b.base}/live/state.json").json()["version"] == changed["version"]
        # B serves the figure of a scene set through A
        assert httpx.get(f"{b.base}/live/figure/{changed['scene']['key']}-phone.svg").status_code == 200

        on_a = sse(a.base, role="screen")
        on_a.next_state()
        deadline = time.monotonic() + 10
        while True:  # follower counts travel by heartbeat keys
            counts = httpx.get(f"{a.base}/live/followers.json").json()
            if counts == {"audience": 1, "screen": 1} or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert counts == {"audience": 1, "screen": 1}
    finally:
        a.stop()
        b.stop()

    # a restarted process picks the session up from Redis
    c_dir = tmp_path / "c"
    c_dir.mkdir()
    c = start_uvicorn(c_dir, name="c", **env)
    try:
        assert httpx.get(f"{c.base}/live/state.json").json()["position"] == 2
        assert control(c.base, {"action": "next"}).json()["status"]["position"] == 3
    finally:
        c.stop()


def test_votes_on_two_processes_add_up_exactly_and_the_tour_is_shared(tmp_path, redis_url):
    redis_db = redis_url.rsplit("/", 1)[0] + "/1"  # a database of its own
    env = {"IR_LIVE_BACKEND": "redis", "IR_REDIS_URL": redis_db, "IR_DEVICE_SECRET": "geheim-1234567890"}
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(start_uvicorn(tmp_path / name, name=name, **env))
    a, b = servers
    try:
        position = next(i for i in range(20) if _poll_at(a.base, i))
        assert control(a.base, {"action": "poll", "poll": "open"}).status_code == 200
        poll_id = httpx.get(f"{b.base}/live/state.json").json()["poll"]["id"]
        guesses = {a.base: [10, 20, 30], b.base: [40, 50]}
        for base, values in guesses.items():
            for value in values:
                assert (
                    phone(base).post(f"/live/poll/{poll_id}/vote", json={"value": value}).status_code == 200
                )
        # a phone that got its cookie from A cannot vote twice through B
        twice = phone(a.base)
        assert twice.post(f"/live/poll/{poll_id}/vote", json={"value": 1}).status_code == 200
        again = httpx.post(f"{b.base}/live/poll/{poll_id}/vote", json={"value": 2}, cookies=twice.cookies)
        assert again.status_code == 409
        status = httpx.get(f"{b.base}/live/api/status", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert status["votes"] == 6
        revealed = control(b.base, {"action": "poll", "poll": "reveal"})
        assert revealed.status_code == 200
        results = httpx.get(f"{a.base}/live/state.json").json()["poll"]["results"]
        assert results["n"] == 6 and results["median_value"] == 25.0

        # the presenter saves an edited tour on A; B shows it
        tour = httpx.get(f"{a.base}/live/state.json").json()
        edited = json.loads((DATA_DIR / "live" / "tour.json").read_text(encoding="utf-8"))
        edited["title"] = "Geänderte Tour"
        assert control(a.base, {"action": "tour", "tour": edited}).status_code == 200
        deadline = time.monotonic() + 10
        while True:
            control(b.base, {"action": "goto", "position": position})
            if httpx.get(f"{b.base}/live/state.json").json()["tour_title"] == "Geänderte Tour":
                break
            assert time.monotonic() < deadline, "tour edit not seen on B"
            time.sleep(0.2)
        assert tour["tour_title"] != "Geänderte Tour"
    finally:
        a.stop()
        b.stop()


def _poll_at(base: str, position: int) -> bool:
    r = control(base, {"action": "goto", "position": position})
    return r.status_code == 200 and r.json()["status"]["poll"] is not None
