"""The event stream and the state as JSON: every follower gets the current state first, then each change
(Server-Sent Events, one task and one disconnect watcher per follower, no threads)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from integrationsregion.live.service import LiveUnavailable, get_service
from integrationsregion.live.state import Closed
from integrationsregion.live.web import NO_STORE, error, guarded, json_response, service


def sse_frame(payload: bytes) -> bytes:
    return b"event: state\ndata: " + payload + b"\n\n"


async def events_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Raw ASGI SSE endpoint: the state now, then every change; a comment line keeps idle streams open."""
    live = get_service()
    if live is None or not live.state.available:
        await error(LiveUnavailable().message, 503)(scope, receive, send)
        return
    role = Request(scope).query_params.get("role", "audience")
    sub = live.state.subscribe(role)

    async def watch_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                sub.close()
                return

    watcher = asyncio.create_task(watch_disconnect())
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache, no-transform"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        current = await live.state.get()
        first = b"retry: 2000\n\n" + (sse_frame(current[1]) if current else b": noch keine Szene\n\n")
        await send({"type": "http.response.body", "body": first, "more_body": True})
        keepalive = live.settings.live_keepalive
        while True:
            payload = await sub.next(keepalive)
            chunk = sse_frame(payload) if payload is not None else b": keep-alive\n\n"
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except (Closed, OSError):
        pass
    finally:
        watcher.cancel()
        live.state.hub.unsubscribe(sub)
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


class RawASGI:
    """Marks a coroutine as an ASGI app for ``Route`` (plain functions are treated as request handlers)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


events = RawASGI(events_app)


@guarded
async def state_json(request: Request) -> Response:
    """The current state (the same JSON as an SSE event); 404 before the first scene."""
    current = await service().current()
    if current is None:
        return error("Es ist noch keine Szene gesetzt.", 404)
    return Response(current[1], media_type="application/json", headers=NO_STORE)


@guarded
async def followers_json(request: Request) -> Response:
    """Connected followers by role."""
    live = service()
    live.require_available()
    return json_response(await live.state.follower_count())
