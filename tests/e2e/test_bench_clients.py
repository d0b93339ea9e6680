"""The benchmark and load-test clients work: SSE follower against a tiny local server, the protocol client and a
small bounded load run against the app (so `bench/` cannot rot unnoticed)."""

from __future__ import annotations

import asyncio

from bench.load import run_load
from bench.protocol import Session, run_blocking
from bench.sse import DemoServer, Follower
from tests.e2e.conftest import PRESENTER_TOKEN


def test_sse_followers_receive_every_published_version():
    async def scenario():
        demo = await DemoServer().start()
        stop = asyncio.Event()
        followers = [Follower("127.0.0.1", demo.port, path="/events") for _ in range(20)]
        tasks = [asyncio.ensure_future(f.run(stop)) for f in followers]
        while any(f.connected_at is None and f.error is None for f in followers):
            await asyncio.sleep(0.01)
        demo.keepalive()
        versions = [await demo.publish() for _ in range(3)]
        while any(versions[-1] not in f.received and f.error is None for f in followers):
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 10)
        await demo.close()
        return followers, versions

    followers, versions = run_blocking(asyncio.wait_for(scenario(), 30))
    for follower in followers:
        assert follower.error is None
        assert set(versions) <= set(follower.received)
        assert follower.comments == 1  # the keep-alive is a comment, not an event


def test_protocol_client_opens_a_page_and_clicks_a_picker(app_server):
    async def scenario():
        async with Session(app_server.ws_url) as session:
            first = await session.open("arbeitsmarkt", "jahr=2019")
            widgets = session.changeable_widgets()
            second = await session.interact(next(w for w in widgets if w.label == "Jahr"))
            return first, second, widgets

    first, second, widgets = run_blocking(asyncio.wait_for(scenario(), 120))
    assert first.ok and second.ok, (first.exceptions, second.exceptions)
    assert {"Indikator", "Jahr"} <= {w.label for w in widgets}
    assert first.elements.get("plotly_chart", 0) > 0 and second.bytes > 0


def test_small_load_run_delivers_every_scene_change_without_errors(app_server):
    result = run_blocking(
        run_load(
            host="127.0.0.1",
            port=app_server.port,
            token=PRESENTER_TOKEN,
            followers=25,
            explorers=2,
            duration=3.0,
            ramp=1.0,
            change_every=1.0,
            server=app_server,
        )
    )
    assert result["changes"] >= 2
    assert result["deliveries"] == result["changes"] * 25
    assert result["errors"] == 0, result
