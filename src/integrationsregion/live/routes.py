"""Starlette routes of the live mode and the lifespan that starts the live service.

Served beside the Streamlit UI by ``st.App(..., routes=live_routes(), lifespan=live_lifespan)``:

- ``GET  /live``                      audience page for phones (plain HTML + plotly.js, no Streamlit run)
- ``GET  /live/screen``               big-screen page with QR code
- ``GET  /live/events``               Server-Sent Events: current state first, then every change, keep-alives
- ``GET  /live/state.json``           current state (same JSON as the SSE event)
- ``GET  /live/figure/<key>.json``    figure of a scene, built once, ETag + Cache-Control
- ``GET  /live/plotly.min.js``        plotly.js from the installed plotly package, pre-compressed
- ``GET  /live/qr.svg``               QR code of the audience URL (segno)
- ``GET  /live/followers.json``       connected followers by role
- ``POST /live/poll/<id>/vote``       a guess: ``{"value": 23.5}``; one per device, rate-limited
- ``POST /live/api/control``          presenter actions, ``Authorization: Bearer <token>``
- ``GET  /live/api/status``           presenter view of the state (token required)
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import io
import json
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from integrationsregion.live import auth
from integrationsregion.live.assets import AUDIENCE_HTML, SCREEN_HTML
from integrationsregion.live.config import LiveConfig
from integrationsregion.live.polls import (
    DEVICE_COOKIE,
    RateLimiter,
    VoteError,
    new_device_id,
    valid_device_id,
)
from integrationsregion.live.scenes import TourError
from integrationsregion.live.service import LiveService, get_service, set_service
from integrationsregion.live.state import Closed

log = logging.getLogger(__name__)

MAX_BODY = 64_000
NO_STORE = {"Cache-Control": "no-store"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
    ),
}

vote_device_limiter = RateLimiter(rate_per_second=0.5, burst=5)
vote_address_limiter = RateLimiter(rate_per_second=30, burst=300)  # a hall shares few NAT addresses
auth_failure_limiter = RateLimiter(rate_per_second=0.2, burst=10)


def _service() -> LiveService:
    service = get_service()
    if service is None:
        raise RuntimeError("live service not started (lifespan missing?)")
    return service


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={**NO_STORE, **(headers or {})})


def _error(message: str, status: int) -> JSONResponse:
    return _json({"ok": False, "error": message}, status)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _public_base(request: Request) -> str:
    configured = _service().config.public_url
    if configured:
        return configured
    return f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"


async def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error("Bitte als JSON senden (Content-Type: application/json).", 415)
    body = await request.body()
    if len(body) > MAX_BODY:
        return _error("Anfrage zu groß.", 413)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return _error("Ungültiges JSON.", 400)
    if not isinstance(data, dict):
        return _error("Erwartet wird ein JSON-Objekt.", 400)
    return data


# --- pages ------------------------------------------------------------------------------------------


def _device_cookie(request: Request, response: Response) -> None:
    if not valid_device_id(request.cookies.get(DEVICE_COOKIE)):
        response.set_cookie(
            DEVICE_COOKIE,
            new_device_id(),
            max_age=60 * 60 * 24 * 365,
            path="/live",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


async def audience_page(request: Request) -> Response:
    response = HTMLResponse(AUDIENCE_HTML, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})
    _device_cookie(request, response)
    return response


async def screen_page(request: Request) -> Response:
    return HTMLResponse(SCREEN_HTML, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


# --- SSE --------------------------------------------------------------------------------------------


def sse_frame(payload: bytes) -> bytes:
    return b"event: state\ndata: " + payload + b"\n\n"


async def events_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Raw ASGI SSE endpoint: one task + one disconnect watcher per follower, no threads."""
    service = _service()
    role = Request(scope).query_params.get("role", "audience")
    sub = service.state.subscribe(role)

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
        current = await service.current()
        first = b"retry: 2000\n\n" + (sse_frame(current[1]) if current else b": noch keine Szene\n\n")
        await send({"type": "http.response.body", "body": first, "more_body": True})
        keepalive = service.config.keepalive_seconds
        while True:
            payload = await sub.next(keepalive)
            chunk = sse_frame(payload) if payload is not None else b": keep-alive\n\n"
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except (Closed, OSError):
        pass
    finally:
        watcher.cancel()
        service.state.hub.unsubscribe(sub)
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def state_json(request: Request) -> Response:
    current = await _service().current()
    if current is None:
        return _error("Es ist noch keine Szene gesetzt.", 404)
    return Response(current[1], media_type="application/json", headers=NO_STORE)


async def followers_json(request: Request) -> Response:
    return _json(await _service().state.follower_count())


# --- figures, plotly.js, QR -------------------------------------------------------------------------


def _not_modified(request: Request, etag: str) -> bool:
    return etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]


async def figure_json(request: Request) -> Response:
    cached = await _service().figure(request.path_params["key"])
    if cached is None:
        return _error("Unbekannte Szene.", 404)
    headers = {"ETag": cached.etag, "Cache-Control": "public, max-age=300"}
    if _not_modified(request, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


@cache
def _plotly_js() -> tuple[bytes, bytes, str]:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'


async def plotly_js(request: Request) -> Response:
    raw, compressed, etag = await asyncio.get_running_loop().run_in_executor(None, _plotly_js)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            compressed, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"}
        )
    # "identity" keeps the GZip middleware from compressing 4.8 MB again for every phone
    return Response(raw, media_type="text/javascript", headers={**headers, "Content-Encoding": "identity"})


@cache
def qr_svg(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue()


async def qr_code(request: Request) -> Response:
    url = f"{_public_base(request)}/live"
    return Response(
        qr_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"}
    )


# --- votes ------------------------------------------------------------------------------------------


async def vote(request: Request) -> Response:
    device = request.cookies.get(DEVICE_COOKIE)
    new_cookie = None
    if not valid_device_id(device):
        device = new_cookie = new_device_id()
    if not vote_address_limiter.allow(_client(request)) or not vote_device_limiter.allow(device):
        return _error("Zu viele Versuche – bitte einen Moment warten.", 429)
    body = await _json_body(request)
    if isinstance(body, Response):
        return body
    try:
        await _service().vote(request.path_params["poll_id"], device, body.get("value"))
    except VoteError as exc:
        response = _error(exc.message, exc.status)
    else:
        response = _json({"ok": True, "message": "Danke! Ihre Schätzung ist gespeichert."})
    if new_cookie:
        response.set_cookie(
            DEVICE_COOKIE,
            new_cookie,
            max_age=60 * 60 * 24 * 365,
            path="/live",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


# --- presenter API ----------------------------------------------------------------------------------


def _authorize(request: Request) -> Response | None:
    if "token" in request.query_params:
        return _error("Das Token gehört in den Authorization-Header, nie in die URL.", 400)
    token = auth.bearer_token(request.headers.get("authorization"))
    if token is None:
        return JSONResponse(
            {"ok": False, "error": "Anmeldung erforderlich."},
            status_code=401,
            headers={**NO_STORE, "WWW-Authenticate": "Bearer"},
        )
    if not auth_failure_limiter.allow(_client(request)):
        return _error("Zu viele Fehlversuche – bitte später erneut versuchen.", 429)
    if not auth.check_token(token):
        return _error("Token ungültig.", 403)
    # a correct token does not use up the failure budget
    auth_failure_limiter.reset(_client(request))
    return None


async def control(request: Request) -> Response:
    if (refused := _authorize(request)) is not None:
        return refused
    body = await _json_body(request)
    if isinstance(body, Response):
        return body
    service = _service()
    action = body.get("action")
    try:
        if action == "next":
            await service.step(+1)
        elif action == "prev":
            await service.step(-1)
        elif action == "goto":
            position = body.get("position")
            if isinstance(position, bool) or not isinstance(position, int):
                return _error("„position“ muss eine ganze Zahl sein (0 = erste Szene).", 400)
            await service.goto(position)
        elif action == "scene":
            if not isinstance(body.get("scene"), dict):
                return _error("„scene“ muss ein Objekt sein.", 400)
            await service.set_scene(body["scene"])
        elif action == "poll":
            await service.poll_action(str(body.get("poll")))
        else:
            return _error("Unbekannte Aktion (erlaubt: next, prev, goto, scene, poll).", 400)
    except TourError as exc:
        return _json({"ok": False, "error": " ".join(exc.errors), "errors": exc.errors}, 400)
    return _json({"ok": True, **await service.presenter_status()})


async def presenter_status(request: Request) -> Response:
    if (refused := _authorize(request)) is not None:
        return refused
    return _json({"ok": True, **await _service().presenter_status()})


class RawASGI:
    """Marks a coroutine as an ASGI app for ``Route`` (plain functions are treated as request handlers)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def live_routes() -> list[BaseRoute]:
    return [
        Route("/live", audience_page, methods=["GET"]),
        Route("/live/screen", screen_page, methods=["GET"]),
        Route("/live/events", RawASGI(events_app), methods=["GET"]),
        Route("/live/state.json", state_json, methods=["GET"]),
        Route("/live/followers.json", followers_json, methods=["GET"]),
        Route("/live/figure/{key:str}.json", figure_json, methods=["GET"]),
        Route("/live/plotly.min.js", plotly_js, methods=["GET"]),
        Route("/live/qr.svg", qr_code, methods=["GET"]),
        Route("/live/poll/{poll_id:str}/vote", vote, methods=["POST"]),
        Route("/live/api/control", control, methods=["POST"]),
        Route("/live/api/status", presenter_status, methods=["GET"]),
    ]


# --- lifespan ---------------------------------------------------------------------------------------


def _close_followers_on_signal(service: LiveService) -> list[tuple[int, Any]]:
    """End SSE streams when the server is told to stop.

    uvicorn waits for open responses before it runs the lifespan shutdown, and an SSE stream never ends on
    its own, so without this hook ``streamlit run`` would hang on Ctrl+C / SIGTERM while phones are connected.
    """
    if threading.current_thread() is not threading.main_thread():
        return []
    loop = asyncio.get_running_loop()
    previous = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(sig)

        def wrapped(signum: int, frame: Any, handler: Any = handler) -> None:
            loop.call_soon_threadsafe(service.state.hub.close_all)
            if callable(handler):
                handler(signum, frame)

        signal.signal(sig, wrapped)
        previous.append((sig, handler))
    return previous


@asynccontextmanager
async def live_lifespan(app: Any = None, config: LiveConfig | None = None) -> AsyncIterator[dict[str, Any]]:
    """Start the live service for this process (pass to ``st.App(lifespan=...)``)."""
    service = LiveService(config or LiveConfig.from_env())
    await service.start()
    set_service(service)
    previous = _close_followers_on_signal(service)
    try:
        yield {"live": service}
    finally:
        for sig, handler in previous:
            with contextlib.suppress(ValueError, TypeError):
                signal.signal(sig, handler)
        set_service(None)
        await service.close()


def standalone_app(config: LiveConfig | None = None):
    """The live routes as a bare Starlette app (tests, or a follower-only process behind a proxy)."""
    from starlette.applications import Starlette

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with live_lifespan(app, config):
            yield

    return Starlette(routes=live_routes(), lifespan=lifespan)
