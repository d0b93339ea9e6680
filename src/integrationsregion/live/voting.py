"""The audience's guesses: admitting one guess per device (and a cap per network) while a poll is open, and the
summary shown when the presenter reveals the result."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from integrationsregion.live.data import Facts, format_value
from integrationsregion.live.polls import VoteError, parse_guess, summarize
from integrationsregion.live.scenes import PollSpec, scene_of
from integrationsregion.live.state import LiveStatus

if TYPE_CHECKING:
    from integrationsregion.live.service import LiveService

ADDRESS_WINDOW = 24 * 3600.0
"""Seconds a network's guesses to one question are counted against ``IR_LIVE_VOTES_PER_ADDRESS``."""


def poll_spec(status: LiveStatus) -> PollSpec:
    """The poll of the scene shown; ``VoteError`` (404) when it has none."""
    poll = scene_of(status.scene).poll
    if poll is None:
        raise VoteError("Zu dieser Szene gibt es keine Umfrage.", status=404)
    return poll


async def vote(service: LiveService, poll_id: str, device_id: str, raw: object, address: str) -> float:
    """Record a guess; returns the value as understood. Raises ``VoteError`` with a German message."""
    current = await service.current()
    status = current[0] if current else None
    if status is None or status.poll is None or status.poll.id != poll_id:
        raise VoteError("Zu dieser Frage läuft gerade keine Abstimmung.", status=404)
    if not status.poll.open:
        raise VoteError("Die Abstimmung ist geschlossen.", status=409)
    value = parse_guess(raw, poll_spec(status))
    key = f"addr:{poll_id}:{address[:64]}"
    if await service.counters.get(key) >= service.settings.live_votes_per_address:
        raise VoteError(
            "Von Ihrem Netz sind zu dieser Frage schon sehr viele Schätzungen eingegangen – "
            "weitere werden nicht angenommen.",
            status=429,
        )
    if not await service.votes.add(poll_id, device_id, value):
        raise VoteError("Von diesem Gerät wurde zu dieser Frage schon abgestimmt.", status=409)
    await service.counters.hit(key, ADDRESS_WINDOW)
    return value


def results(spec: PollSpec, values: list[float], f: Facts) -> dict[str, Any]:
    """The revealed result: the guesses' median and histogram next to the official value (a new figure name)."""
    official = f.value(spec.ags)
    summary = summarize(values, official)
    median = summary["median"]
    return {
        "n": summary["n"],
        "median": format_value(median, f.info) if summary["n"] else None,
        "median_value": median,
        "official": format_value(official, f.info),
        "official_value": official,
        "decimals": f.info.decimals,
        "unit": f.info.unit_label,
        "unit_name": f.names.get(spec.ags, spec.ags),
        "source": f.source,
        "bins": summary["bins"],
        "figure": f"results-{spec.id}-{secrets.token_hex(4)}",
    }
