"""Starlette routes of the live mode and the lifespan that starts the live service.

Served beside the Streamlit UI by ``st.App(..., routes=live_routes(base), lifespan=live_lifespan)``, below
Streamlit's ``server.baseUrlPath`` when one is set (``/integration/live`` …):

- ``GET  /live``                          audience page for phones (template, no Streamlit run); sets the
                                          signed device cookie
- ``GET  /live/screen``                   the big screen: a 16:9 stage with QR code
- ``GET  /live/events``                   Server-Sent Events: current state first, then every change
- ``GET  /live/state.json``               current state (same JSON as the SSE event)
- ``GET  /live/figure/<key>-<target>.svg`` a scene's (or a poll result's) figure as SVG, cached, ETag
- ``GET  /live/qr.svg``                   QR code of the audience address (configured, else LAN address)
- ``GET  /live/followers.json``           connected followers by role
- ``POST /live/poll/<id>/vote``           a guess ``{"value": 23.5}``: signed device cookie required
- ``POST /live/api/control``              presenter actions (next, prev, goto, scene, poll, tour),
                                          ``Authorization: Bearer <token>``
- ``GET  /live/api/status``               presenter view of the state (token required)

Any live route answers a German 503 while Redis or the snapshot is unavailable; the dashboard is unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import signal
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import jinja2
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send

from integrationsregion.live import device, presenter, voting
from integrationsregion.live.address import SETTING, audience_address, qr_svg
from integrationsregion.live.data import DataUnavailable, UnknownIndicator
from integrationsregion.live.polls import VoteError
from integrationsregion.live.scenes import MAX_TOUR_BYTES, TourError
from integrationsregion.live.service import LiveService, LiveUnavailable, get_service, set_service
from integrationsregion.live.state import Closed
from integrationsregion.settings import Settings, get_settings

log = logging.getLogger(__name__)

GIL_SWITCH_INTERVAL = 0.001
MAX_BODY = 64_000
MAX_DEPTH = 8
NO_STORE = {"Cache-Control": "no-store"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
    ),
}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def _service() -> LiveService:
    service = get_service()
    if service is None:
        raise LiveUnavailable("Der Live-Modus läuft in diesem Prozess nicht.")
    return service


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={**NO_STORE, **(headers or {})})


def _error(message: str, status: int) -> JSONResponse:
    return _json({"ok": False, "error": message}, status)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _base(request: Request) -> str:
    """The path the app is mounted at (Streamlit's ``server.baseUrlPath``), e.g. ``/integration``."""
    return request.scope.get("root_path", "").rstrip("/")


def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Backend and data failures become a German 503; the process and the dashboard stay up."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except (LiveUnavailable, DataUnavailable) as exc:
            return _error(exc.message, 503)
        except (RedisError, ConnectionError, TimeoutError) as exc:
            log.warning("Live-Modus: Backend nicht erreichbar (%s).", type(exc).__name__)
            return _error(LiveUnavailable().message, 503)

    return wrapper


class BadBody(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def _too_deep(body: bytes, limit: int) -> bool:
    """Nesting deeper than ``limit`` (brackets outside strings), checked before any parser recurses."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


async def read_json(
    request: Request, max_bytes: int = MAX_BODY, max_depth: int = MAX_DEPTH
) -> dict[str, Any]:
    """A JSON object from the body, bounded in size and depth; NaN/Infinity are refused."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        raise BadBody("Bitte als JSON senden (Content-Type: application/json).", 415)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise BadBody("Anfrage zu groß.", 413)
    if _too_deep(body, max_depth):
        raise BadBody("Anfrage zu tief verschachtelt.")
    try:
        data = json.loads(bytes(body) or b"{}", parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise BadBody("Ungültiges JSON.") from None
    if not isinstance(data, dict):
        raise BadBody("Erwartet wird ein JSON-Objekt.")
    return data


# --- pages ------------------------------------------------------------------------------------------


def _page(name: str, request: Request, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(base=_base(request), **context)
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


def _set_device_cookie(request: Request, response: Response, service: LiveService) -> None:
    if service.devices.verify(request.cookies.get(device.COOKIE)) is None:
        response.set_cookie(
            device.COOKIE,
            service.devices.issue(),
            max_age=device.MAX_AGE,
            path=f"{_base(request)}/live",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


async def audience_page(request: Request) -> Response:
    response = _page("audience.html", request)
    service = get_service()
    if service is not None:
        _set_device_cookie(request, response, service)
    return response


def _address(request: Request):
    settings = _service().settings if get_service() else get_settings()
    port = (request.scope.get("server") or ("", 8501))[1]
    return audience_address(settings.public_url, port, _base(request))


async def screen_page(request: Request) -> Response:
    address = _address(request)
    return _page("screen.html", request, address=address, setting=SETTING)


# --- SSE --------------------------------------------------------------------------------------------


def sse_frame(payload: bytes) -> bytes:
    return b"event: state\ndata: " + payload + b"\n\n"


async def events_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Raw ASGI SSE endpoint: one task + one disconnect watcher per follower, no threads."""
    service = get_service()
    if service is None or not service.state.available:
        await _error(LiveUnavailable().message, 503)(scope, receive, send)
        return
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
        current = await service.state.get()
        first = b"retry: 2000\n\n" + (sse_frame(current[1]) if current else b": noch keine Szene\n\n")
        await send({"type": "http.response.body", "body": first, "more_body": True})
        keepalive = service.settings.live_keepalive
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


@guarded
async def state_json(request: Request) -> Response:
    current = await _service().current()
    if current is None:
        return _error("Es ist noch keine Szene gesetzt.", 404)
    return Response(current[1], media_type="application/json", headers=NO_STORE)


@guarded
async def followers_json(request: Request) -> Response:
    service = _service()
    service.require_available()
    return _json(await service.state.follower_count())


# --- figures, QR ------------------------------------------------------------------------------------


def _not_modified(request: Request, etag: str) -> bool:
    return etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]


@guarded
async def figure_svg(request: Request) -> Response:
    try:
        cached = await _service().figure(request.path_params["name"][:120])
    except UnknownIndicator as exc:
        return _error(exc.message, 404)
    if cached is None:
        return _error("Unbekannte Abbildung.", 404)
    headers = {"ETag": cached.etag, "Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    if _not_modified(request, cached.etag):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            cached.gzipped, media_type="image/svg+xml", headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(
        cached.body, media_type="image/svg+xml", headers={**headers, "Content-Encoding": "identity"}
    )


async def qr_code(request: Request) -> Response:
    url = _address(request).url
    body = await asyncio.get_running_loop().run_in_executor(None, qr_svg, url)
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-cache"})


# --- votes ------------------------------------------------------------------------------------------


@guarded
async def vote(request: Request) -> Response:
    service = _service()
    device_id = service.devices.verify(request.cookies.get(device.COOKIE))
    if device_id is None:
        return _error(
            "Ihr Gerät ist nicht angemeldet – bitte die Live-Seite neu laden und erneut senden.", 403
        )
    try:
        body = await read_json(request, max_bytes=1_000, max_depth=2)
        value = await voting.vote(
            service, request.path_params["poll_id"][:64], device_id, body.get("value"), _client(request)
        )
    except BadBody as exc:
        return _error(exc.message, exc.status)
    except VoteError as exc:
        return _error(exc.message, exc.status)
    return _json({"ok": True, "value": value, "message": "Danke! Ihre Schätzung ist gespeichert."})


# --- presenter API ----------------------------------------------------------------------------------


async def _authorize(request: Request) -> Response | None:
    from integrationsregion.live import auth

    if "token" in request.query_params:
        return _error("Das Token gehört in den Authorization-Header, nie in die URL.", 400)
    token = auth.bearer_token(request.headers.get("authorization"))
    if token is None:
        return JSONResponse(
            {"ok": False, "error": "Anmeldung erforderlich."},
            status_code=401,
            headers={**NO_STORE, "WWW-Authenticate": "Bearer"},
        )
    refusal = await presenter.login(_service(), token, _client(request))
    if refusal is None:
        return None
    return _error(refusal, 403 if refusal == "Token ungültig." else 429)


@guarded
async def control(request: Request) -> Response:
    if (refused := await _authorize(request)) is not None:
        return refused
    try:
        body = await read_json(request, max_bytes=MAX_TOUR_BYTES)
    except BadBody as exc:
        return _error(exc.message, exc.status)
    service = _service()
    action = body.get("action")
    try:
        if action == "next":
            await presenter.step(service, +1)
        elif action == "prev":
            await presenter.step(service, -1)
        elif action == "goto":
            position = body.get("position")
            if isinstance(position, bool) or not isinstance(position, int):
                return _error("„position“ muss eine ganze Zahl sein (0 = erste Szene).", 400)
            await presenter.goto(service, position)
        elif action == "scene":
            if not isinstance(body.get("scene"), dict):
                return _error("„scene“ muss ein Objekt sein.", 400)
            await presenter.set_scene(service, body["scene"])
        elif action == "poll":
            await presenter.poll_action(service, str(body.get("poll")))
        elif action == "tour":
            if not isinstance(body.get("tour"), dict):
                return _error("„tour“ muss ein Objekt sein.", 400)
            await presenter.save_tour_text(service, json.dumps(body["tour"], ensure_ascii=False))
        else:
            return _error("Unbekannte Aktion (erlaubt: next, prev, goto, scene, poll, tour).", 400)
    except TourError as exc:
        return _json({"ok": False, "error": " ".join(exc.errors), "errors": exc.errors}, 400)
    return _json({"ok": True, **await presenter.status(service)})


@guarded
async def presenter_status(request: Request) -> Response:
    if (refused := await _authorize(request)) is not None:
        return refused
    return _json({"ok": True, **await presenter.status(_service())})


class RawASGI:
    """Marks a coroutine as an ASGI app for ``Route`` (plain functions are treated as request handlers)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def live_routes(base_path: str = "") -> list[BaseRoute]:
    """The live routes, mounted below ``base_path`` (Streamlit's ``server.baseUrlPath``) when given."""
    routes: list[BaseRoute] = [
        Route("/live", audience_page, methods=["GET"]),
        Route("/live/screen", screen_page, methods=["GET"]),
        Route("/live/events", RawASGI(events_app), methods=["GET"]),
        Route("/live/state.json", state_json, methods=["GET"]),
        Route("/live/followers.json", followers_json, methods=["GET"]),
        Route("/live/figure/{name:str}.svg", figure_svg, methods=["GET"]),
        Route("/live/qr.svg", qr_code, methods=["GET"]),
        Route("/live/poll/{poll_id:str}/vote", vote, methods=["POST"]),
        Route("/live/api/control", control, methods=["POST"]),
        Route("/live/api/status", presenter_status, methods=["GET"]),
    ]
    base = base_path.strip("/")
    return [BaseMount(f"/{base}", routes=routes)] if base else routes


class BaseMount(Mount):
    """A mount that claims only the paths of its own routes: the rest of ``/<base>/…`` stays Streamlit's."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE:
            return match, child
        inner = {**scope, **child}
        if any(route.matches(inner)[0] is not Match.NONE for route in self.routes):
            return match, child
        return Match.NONE, {}


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
async def live_lifespan(app: Any = None, settings: Settings | None = None) -> AsyncIterator[dict[str, Any]]:
    """Start the live service for this process (pass to ``st.App(lifespan=...)``).

    It also shortens the interpreter's GIL switch interval (5 ms → 1 ms): Streamlit script threads then hand
    the GIL back to the event loop sooner, so followers get a scene change while explorers run pages
    (bench/load.py, 2,000 followers + 20 explorers: p95 1.9 s → 0.76 s on the same loaded machine).
    """
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    service = LiveService(settings or get_settings())
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


def standalone_app(settings: Settings | None = None):
    """The live routes as a bare Starlette app (tests, or a follower-only process behind a proxy)."""
    from starlette.applications import Starlette
    from starlette.middleware.gzip import GZipMiddleware

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with live_lifespan(app, settings):
            yield

    app = Starlette(routes=live_routes(), lifespan=lifespan)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    return app
