"""The presenter's HTTP API (``Authorization: Bearer <token>``): ``POST /live/api/control`` runs an action
(next, prev, goto, scene, poll, tour), ``GET /live/api/status`` shows the state. The actions themselves are
in `presenter`."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from integrationsregion.live import auth, presenter
from integrationsregion.live.scenes import MAX_TOUR_BYTES, TourError
from integrationsregion.live.web import (
    NO_STORE,
    BadBody,
    client,
    error,
    guarded,
    json_response,
    read_json,
    service,
)

ACTIONS = "next, prev, goto, scene, poll, tour"


async def _authorize(request: Request) -> Response | None:
    """None for a valid presenter token, else the refusal (400 token in the URL, 401, 403, 429)."""
    if "token" in request.query_params:
        return error("Das Token gehört in den Authorization-Header, nie in die URL.", 400)
    token = auth.bearer_token(request.headers.get("authorization"))
    if token is None:
        return JSONResponse(
            {"ok": False, "error": "Anmeldung erforderlich."},
            status_code=401,
            headers={**NO_STORE, "WWW-Authenticate": "Bearer"},
        )
    refusal = await presenter.login(service(), token, client(request))
    if refusal is None:
        return None
    return error(refusal, 403 if refusal == "Token ungültig." else 429)


@guarded
async def control(request: Request) -> Response:
    if (refused := await _authorize(request)) is not None:
        return refused
    try:
        body = await read_json(request, max_bytes=MAX_TOUR_BYTES)
    except BadBody as exc:
        return error(exc.message, exc.status)
    live = service()
    action = body.get("action")
    try:
        if action == "next":
            await presenter.step(live, +1)
        elif action == "prev":
            await presenter.step(live, -1)
        elif action == "goto":
            position = body.get("position")
            if isinstance(position, bool) or not isinstance(position, int):
                return error("„position“ muss eine ganze Zahl sein (0 = erste Szene).", 400)
            await presenter.goto(live, position)
        elif action == "scene":
            if not isinstance(body.get("scene"), dict):
                return error("„scene“ muss ein Objekt sein.", 400)
            await presenter.set_scene(live, body["scene"])
        elif action == "poll":
            await presenter.poll_action(live, str(body.get("poll")))
        elif action == "tour":
            if not isinstance(body.get("tour"), dict):
                return error("„tour“ muss ein Objekt sein.", 400)
            await presenter.save_tour_text(live, json.dumps(body["tour"], ensure_ascii=False))
        else:
            return error(f"Unbekannte Aktion (erlaubt: {ACTIONS}).", 400)
    except TourError as exc:
        return json_response({"ok": False, "error": " ".join(exc.errors), "errors": exc.errors}, 400)
    return json_response({"ok": True, **await presenter.status(live)})


@guarded
async def presenter_status(request: Request) -> Response:
    if (refused := await _authorize(request)) is not None:
        return refused
    return json_response({"ok": True, **await presenter.status(service())})
