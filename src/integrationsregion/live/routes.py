"""The live mode's route table, served beside the Streamlit UI.

``st.App(..., routes=live_routes(base), lifespan=live_lifespan)`` mounts them below Streamlit's
``server.baseUrlPath`` when one is set (``/integration/live`` …):

- ``GET  /live``                           audience page for phones; sets the signed device cookie  (pages)
- ``GET  /live/screen``                    the big screen: a 16:9 stage with QR code                 (pages)
- ``GET  /live/qr.svg``                    QR code of the audience address (configured, else LAN)    (pages)
- ``GET  /live/figure/<key>-<target>.svg`` a scene's (or a poll result's) figure, cached, ETag       (pages)
- ``GET  /live/events``                    Server-Sent Events: current state first, then every change (stream)
- ``GET  /live/state.json``                current state (same JSON as the SSE event)                (stream)
- ``GET  /live/followers.json``            connected followers by role                               (stream)
- ``POST /live/poll/<id>/vote``            a guess ``{"value": 23.5}``, device cookie required        (vote_api)
- ``POST /live/api/control``               presenter actions, ``Authorization: Bearer <token>``  (presenter_api)
- ``GET  /live/api/status``                presenter view of the state (token required)          (presenter_api)

Any live route answers a German 503 while Redis or the snapshot is unavailable (`web.guarded`); the
dashboard is unaffected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

from integrationsregion.live import pages, presenter_api, stream, vote_api
from integrationsregion.live.lifespan import live_lifespan
from integrationsregion.settings import Settings


def live_routes(base_path: str = "") -> list[BaseRoute]:
    """The live routes, mounted below ``base_path`` (Streamlit's ``server.baseUrlPath``) when given."""
    routes: list[BaseRoute] = [
        Route("/live", pages.audience_page, methods=["GET"]),
        Route("/live/screen", pages.screen_page, methods=["GET"]),
        Route("/live/qr.svg", pages.qr_code, methods=["GET"]),
        Route("/live/figure/{name:str}.svg", pages.figure_svg, methods=["GET"]),
        Route("/live/events", stream.events, methods=["GET"]),
        Route("/live/state.json", stream.state_json, methods=["GET"]),
        Route("/live/followers.json", stream.followers_json, methods=["GET"]),
        Route("/live/poll/{poll_id:str}/vote", vote_api.vote, methods=["POST"]),
        Route("/live/api/control", presenter_api.control, methods=["POST"]),
        Route("/live/api/status", presenter_api.presenter_status, methods=["GET"]),
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
