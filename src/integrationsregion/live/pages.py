"""What the followers' browsers load: the audience page (phones), the big screen, its QR code and the
scene figures as SVG. Pages are Jinja2 templates (``templates/``), served without a Streamlit run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from integrationsregion.live import device
from integrationsregion.live.address import SETTING, AudienceAddress, audience_address, qr_svg
from integrationsregion.live.data import UnknownIndicator
from integrationsregion.live.service import LiveService, get_service
from integrationsregion.live.web import base, error, guarded, service
from integrationsregion.settings import get_settings

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


def _page(name: str, request: Request, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(base=base(request), **context)
    return HTMLResponse(html, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


def _set_device_cookie(request: Request, response: Response, live: LiveService) -> None:
    if live.devices.verify(request.cookies.get(device.COOKIE)) is None:
        response.set_cookie(
            device.COOKIE,
            live.devices.issue(),
            max_age=device.MAX_AGE,
            path=f"{base(request)}/live",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


async def audience_page(request: Request) -> Response:
    """The phones' page; it sets the signed device cookie a vote needs."""
    response = _page("audience.html", request)
    live = get_service()
    if live is not None:
        _set_device_cookie(request, response, live)
    return response


def _address(request: Request) -> AudienceAddress:
    settings = service().settings if get_service() else get_settings()
    port = (request.scope.get("server") or ("", 8501))[1]
    return audience_address(settings.public_url, port, base(request))


async def screen_page(request: Request) -> Response:
    """The big screen: a 16:9 stage with the QR code of the audience address."""
    return _page("screen.html", request, address=_address(request), setting=SETTING)


async def qr_code(request: Request) -> Response:
    url = _address(request).url
    body = await asyncio.get_running_loop().run_in_executor(None, qr_svg, url)
    return Response(body, media_type="image/svg+xml", headers={"Cache-Control": "no-cache"})


def _not_modified(request: Request, etag: str) -> bool:
    return etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]


@guarded
async def figure_svg(request: Request) -> Response:
    """A scene's (or a poll result's) figure, cached with an ETag, gzipped where the browser takes it."""
    try:
        cached = await service().figure(request.path_params["name"][:120])
    except UnknownIndicator as exc:
        return error(exc.message, 404)
    if cached is None:
        return error("Unbekannte Abbildung.", 404)
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
