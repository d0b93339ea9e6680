"""Redis backend against a real redis-server: two app processes share one live session."""

from __future__ import annotations

import time

import httpx

from tests.live.conftest import control, start_uvicorn


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
        assert httpx.get(b.base + changed["scene"]["figure_url"]).status_code == 200

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
