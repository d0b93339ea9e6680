"""What every live route shares: the service of this process, JSON answers, the German 503 guard and
bounded JSON bodies. Nothing a visitor sends can take the process down: bodies are limited in size and
depth before any parser runs, backend and data failures become a German 503."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrationsregion.live.data import DataUnavailable
from integrationsregion.live.service import LiveService, LiveUnavailable, get_service

log = logging.getLogger(__name__)

MAX_BODY = 64_000
MAX_DEPTH = 8
NO_STORE = {"Cache-Control": "no-store"}


def service() -> LiveService:
    """The started live service; `LiveUnavailable` (a German 503) when this process runs without it."""
    started = get_service()
    if started is None:
        raise LiveUnavailable("Der Live-Modus läuft in diesem Prozess nicht.")
    return started


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={**NO_STORE, **(headers or {})})


def error(message: str, status: int) -> JSONResponse:
    return json_response({"ok": False, "error": message}, status)


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def base(request: Request) -> str:
    """The path the app is mounted at (Streamlit's ``server.baseUrlPath``), e.g. ``/integration``."""
    return request.scope.get("root_path", "").rstrip("/")


def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Backend and data failures become a German 503; the process and the dashboard stay up."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        try:
            return await handler(request)
        except (LiveUnavailable, DataUnavailable) as exc:
            return error(exc.message, 503)
        except (RedisError, ConnectionError, TimeoutError) as exc:
            log.warning("Live-Modus: Backend nicht erreichbar (%s).", type(exc).__name__)
            return error(LiveUnavailable().message, 503)

    return wrapper


class BadBody(ValueError):
    """A request body that is refused; ``message`` is German, ``status`` the HTTP status."""

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
    """A JSON object from the body, bounded in size and depth; NaN/Infinity are refused (`BadBody`)."""
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
