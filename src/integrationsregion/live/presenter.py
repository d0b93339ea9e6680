"""What the presenter can do: move through the tour, show a scene of their own, run the poll, save an edited
tour; and log in and read the status. Each action validates (German ``TourError``), then publishes through the
service; the control API and the console page call these on the server loop."""

from __future__ import annotations

import json
from typing import Any

from integrationsregion.live import voting
from integrationsregion.live.scenes import Tour, TourError, loads_tour, parse_scene
from integrationsregion.live.service import LiveService, fresh_poll
from integrationsregion.live.state import LiveStatus, PollState
from integrationsregion.live.tour_store import tour_problems, write_tour

POLL_ACTIONS = ("open", "close", "reveal", "hide")


async def login(service: LiveService, token: str | None, address: str) -> str | None:
    """Console and API login: None when accepted, else the German refusal."""
    return await service.guard.check(token, address)


async def goto(service: LiveService, position: int) -> LiveStatus:
    """Show scene ``position`` (0-based) of the tour."""
    async with service.action_lock:
        tour = service.tour
        if tour is None:
            raise TourError(["Keine gültige Tour geladen.", *service.tour_error])
        if not 0 <= position < len(tour):
            raise TourError([f"Szene {position + 1} gibt es nicht (1–{len(tour)})."])
        scene = tour.scenes[position]
        status = LiveStatus(version=0, scene=scene.to_dict(), position=position, poll=fresh_poll(scene))
        return await service.publish(status)


async def step(service: LiveService, delta: int) -> LiveStatus:
    """The next (+1) or previous (-1) scene, staying inside the tour; from an own scene: first or last."""
    current = await service.current()
    total = len(service.tour) if service.tour else 0
    position = current[0].position if current else None
    base = position if position is not None else -1 if delta > 0 else total
    return await goto(service, min(max(base + delta, 0), max(total - 1, 0)))


async def set_scene(service: LiveService, raw: dict[str, Any]) -> LiveStatus:
    """Show a scene given field by field (validated like a tour scene, checked against the catalogue)."""
    async with service.action_lock:
        tour = service.tour or Tour("", ())
        scene, errors = parse_scene(raw, tour.statements)
        if errors:
            raise TourError(errors)
        if problems := await service.in_worker(tour_problems, Tour("", (scene,)), service.data):
            raise TourError(problems)
        position = next((i for i, s in enumerate(tour.scenes) if s.key == scene.key), None)
        return await service.publish(
            LiveStatus(version=0, scene=scene.to_dict(), position=position, poll=fresh_poll(scene))
        )


async def poll_action(service: LiveService, action: str) -> LiveStatus:
    """Open, close, reveal or hide the poll of the scene shown; reveal computes the result once."""
    async with service.action_lock:
        current = await service.current()
        if current is None:
            raise TourError(["Es ist noch keine Szene gesetzt."])
        status = current[0]
        if status.poll is None:
            raise TourError(["Zu dieser Szene gibt es keine Umfrage."])
        poll, results = status.poll, status.results
        if action == "open":
            poll, results = PollState(poll.id, open=True, revealed=False), None
        elif action == "close":
            poll = PollState(poll.id, open=False, revealed=poll.revealed)
        elif action == "reveal":
            poll = PollState(poll.id, open=False, revealed=True)
            spec = voting.poll_spec(status)
            values = await service.votes.all_values(spec.id)
            f = await service.in_worker(service.render.facts, spec.indicator, spec.year, spec.breakdown)
            results = voting.results(spec, values, f)
        elif action == "hide":
            poll = PollState(poll.id, open=poll.open, revealed=False)
        else:
            allowed = ", ".join(POLL_ACTIONS)
            raise TourError([f"Unbekannte Aktion „{action[:40]}“ (erlaubt: {allowed})."])
        return await service.publish(status.evolve(version=0, poll=poll, results=results))


async def save_tour_text(service: LiveService, text: str) -> Tour:
    """Validate (syntax and catalogue) and save an edited tour: Redis, or atomically in ``state_dir``."""
    tour = loads_tour(text)
    if problems := await service.in_worker(tour_problems, tour, service.data):
        raise TourError(problems)
    service.require_available()
    await write_tour(service.state, service.settings, tour)
    service.tour, service.tour_error = tour, []
    return tour


async def status(service: LiveService) -> dict[str, Any]:
    """Status, connected followers, votes on the open poll, tour length and tour problems."""
    current = await service.current()
    followers = await service.state.follower_count()
    shown = current[0] if current else None
    votes = None
    if shown is not None and shown.poll is not None:
        votes = await service.votes.total(shown.poll.id)
    return {
        "status": json.loads(shown.to_json()) if shown else None,
        "followers": followers,
        "votes": votes,
        "tour_length": len(service.tour) if service.tour else 0,
        "tour_error": service.tour_error,
    }
