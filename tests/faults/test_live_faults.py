"""Faults of the live mode against real processes on localhost: each asserts what a user sees and that
nothing was lost (issue 13, items 3–5). Bounded: every wait has a deadline."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA_DIR
from tests.live.conftest import RedisProcess, control, phone, start_streamlit, start_uvicorn
from tests.live.conftest import live_server as live_server  # fixture
from tests.live.conftest import sse as sse  # fixture

UNREACHABLE = "Live-Server nicht erreichbar"


def eventually(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if value := check():
                return value
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.2)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    redis = RedisProcess(tmp_path)
    try:
        yield redis
    finally:
        redis.stop()


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_votes_db_is_moved_aside_and_the_dashboard_starts(tmp_path, damage):
    state = tmp_path / "var"
    state.mkdir()
    db = state / "live.sqlite3"
    if damage == "garbage":
        db.write_bytes(os.urandom(20_000))
    else:
        first = start_uvicorn(tmp_path, name="first")
        control(first.base, {"action": "next"})
        first.stop()
        db.write_bytes(db.read_bytes()[:1500])
    server = start_streamlit(tmp_path, name="app")
    try:
        assert httpx.get(f"{server.base}/_stcore/health").text == "ok"
        assert httpx.get(f"{server.base}/bildung").status_code == 200
        assert httpx.get(f"{server.base}/live/state.json").status_code == 200
        assert len(list(state.glob("live.sqlite3.beschaedigt-*"))) == 1
        log_lines = [line for line in server.output().splitlines() if "Stimmen-Datenbank" in line]
        assert len(log_lines) == 1 and "beschädigt" in log_lines[0] and "Traceback" not in server.output()
    finally:
        server.stop()


def test_garbage_written_while_running_never_answers_saved(tmp_path):
    server = start_uvicorn(tmp_path)
    try:
        base = server.base
        position = next(
            i for i in range(20) if control(base, {"action": "goto", "position": i}).json()["status"]["poll"]
        )
        control(base, {"action": "poll", "poll": "open"})
        poll_id = httpx.get(f"{base}/live/state.json").json()["poll"]["id"]
        assert phone(base).post(f"/live/poll/{poll_id}/vote", json={"value": 10}).status_code == 200
        (tmp_path / "var" / "live.sqlite3").write_bytes(b"kaputt " * 3000)
        lost = phone(base).post(f"/live/poll/{poll_id}/vote", json={"value": 20})
        assert lost.status_code == 503 and "nicht gespeichert" in lost.json()["error"]
        assert "gespeichert" not in lost.json().get("message", "")
        later = phone(base).post(f"/live/poll/{poll_id}/vote", json={"value": 30})
        assert later.status_code == 200 and later.json()["message"].endswith("gespeichert.")
        assert control(base, {"action": "goto", "position": position}).status_code == 200
    finally:
        server.stop()


def test_redis_down_at_start_then_back(tmp_path, redis_process):
    server = start_streamlit(tmp_path, name="app", IR_LIVE_BACKEND="redis", IR_REDIS_URL=redis_process.url)
    try:
        assert httpx.get(f"{server.base}/_stcore/health").text == "ok"
        assert httpx.get(f"{server.base}/bildung").status_code == 200
        for path in ("/live/state.json", "/live/events"):
            refused = httpx.get(f"{server.base}{path}")
            assert refused.status_code == 503 and UNREACHABLE in refused.json()["error"]
        vote = httpx.post(
            f"{server.base}/live/poll/x/vote", json={"value": 1}, cookies=phone(server.base).cookies
        )
        assert vote.status_code == 503
        assert control(server.base, {"action": "next"}).status_code == 503
        assert httpx.get(f"{server.base}/live").status_code == 200  # the page loads and shows "getrennt"
        redis_process.start()
        state = eventually(lambda: httpx.get(f"{server.base}/live/state.json").status_code == 200, 30)
        assert state and control(server.base, {"action": "next"}).status_code == 200
        assert "Traceback" not in server.output()
    finally:
        server.stop()


def test_redis_lost_while_running_disconnects_followers_and_recovers(tmp_path, redis_process, sse):
    redis_process.start()
    server = start_uvicorn(tmp_path, IR_LIVE_BACKEND="redis", IR_REDIS_URL=redis_process.url)
    try:
        follower = sse(server.base)
        follower.next_state()
        redis_process.stop()
        with pytest.raises((AssertionError, httpx.HTTPError)):
            follower.next_state()  # the stream ends: the phone shows "getrennt" and reconnects
        eventually(lambda: httpx.get(f"{server.base}/live/state.json").status_code == 503, 20)
        redis_process.start()
        eventually(lambda: httpx.get(f"{server.base}/live/state.json").status_code == 200, 30)
        assert control(server.base, {"action": "next"}).status_code == 200
        assert sse(server.base).next_state()["scene"]["title"]
    finally:
        server.stop()


def test_phone_shows_getrennt_while_redis_is_down_and_reconnects(tmp_path, redis_process):
    from playwright.sync_api import sync_playwright

    from tests.e2e import browser

    choice = browser.require_chromium()
    redis_process.start()
    server = start_uvicorn(tmp_path, IR_LIVE_BACKEND="redis", IR_REDIS_URL=redis_process.url)
    try:
        with sync_playwright() as playwright:
            chromium = browser.launch(playwright, choice)
            page = chromium.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"{server.base}/live")
            page.wait_for_selector("#conn.on", timeout=30_000)
            redis_process.stop()
            page.wait_for_selector("#conn.off", timeout=30_000)
            assert page.inner_text("#conn") == "getrennt"
            redis_process.start()
            page.wait_for_selector("#conn.on", timeout=60_000)
            assert page.inner_text("#conn") == "verbunden"
            chromium.close()
    finally:
        server.stop()


def test_snapshot_that_fails_to_load_gives_a_german_503_on_live_routes(tmp_path):
    snapshot = tmp_path / "data"
    shutil.copytree(DATA_DIR, snapshot)
    (snapshot / "observations.csv").write_text("kaputt\n\x00\x01", encoding="utf-8")
    server = start_streamlit(tmp_path, name="app", IR_SNAPSHOT_DIR=str(snapshot))
    try:
        assert httpx.get(f"{server.base}/_stcore/health").text == "ok"
        refused = httpx.get(f"{server.base}/live/state.json")
        assert (
            refused.status_code == 503
            and "Der Datenstand kann nicht geladen werden" in refused.json()["error"]
        )
        assert control(server.base, {"action": "next"}).status_code == 503
        figure = httpx.get(f"{server.base}/live/figure/0123456789abcdef-phone.svg")
        assert figure.status_code == 503 and "Daten" in figure.json()["error"]
        assert httpx.get(f"{server.base}/live").status_code == 200
        assert "Traceback" not in server.output()
    finally:
        server.stop()


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"value": ' + b"[" * 5000 + b"]" * 5000 + b"}", b'{"value": NaN}', b"\xff\xfe"],
)
def test_hostile_vote_bodies_are_refused_without_a_traceback(live_server, body):
    base = live_server.base
    next(i for i in range(20) if control(base, {"action": "goto", "position": i}).json()["status"]["poll"])
    control(base, {"action": "poll", "poll": "open"})
    poll_id = httpx.get(f"{base}/live/state.json").json()["poll"]["id"]
    device = phone(base)
    r = device.post(f"/live/poll/{poll_id}/vote", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code in (400, 413) and r.json()["ok"] is False
    assert "RecursionError" not in live_server.output() and "Traceback" not in live_server.output()


def test_qr_code_is_built_off_the_loop_from_the_configured_address(tmp_path):
    server = start_uvicorn(tmp_path, IR_PUBLIC_URL="https://ruhr.example.org/integration")
    try:
        qrs = {
            httpx.get(f"{server.base}/live/qr.svg", headers={"Host": f"h{i}.example"}).content
            for i in range(30)
        }
        assert len(qrs) == 1
        screen = httpx.get(f"{server.base}/live/screen").text.replace("\u200b", "")  # break points after "/"
        assert (
            "https://ruhr.example.org/integration/live" in screen and "erreichen Handys nicht" not in screen
        )
        assert httpx.get(f"{server.base}/live/state.json", timeout=2).status_code == 200
    finally:
        server.stop()
