"""``POST /live/poll/<id>/vote``: a phone's guess ``{"value": 23.5}``, signed device cookie required."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from integrationsregion.live import device, voting
from integrationsregion.live.polls import VoteError
from integrationsregion.live.web import BadBody, client, error, guarded, json_response, read_json, service


@guarded
async def vote(request: Request) -> Response:
    live = service()
    device_id = live.devices.verify(request.cookies.get(device.COOKIE))
    if device_id is None:
        return error(
            "Ihr Gerät ist nicht angemeldet – bitte die Live-Seite neu laden und erneut senden.", 403
        )
    try:
        body = await read_json(request, max_bytes=1_000, max_depth=2)
        value = await voting.vote(
            live, request.path_params["poll_id"][:64], device_id, body.get("value"), client(request)
        )
    except (BadBody, VoteError) as exc:
        return error(exc.message, exc.status)
    return json_response({"ok": True, "value": value, "message": "Danke! Ihre Schätzung ist gespeichert."})
