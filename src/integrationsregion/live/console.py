"""The presenter console's view model: what ``pages/live.py`` shows and how its buttons reach the live service.

Streamlit-free: the page passes widget values in and lays out what comes back. Every failure of the live service
(validation, Redis down, timeout) becomes German text, so the console stays usable.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from integrationsregion.catalogue import Catalogue
from integrationsregion.live import presenter
from integrationsregion.live.address import SETTING, AudienceAddress
from integrationsregion.live.scenes import Tour, TourError
from integrationsregion.live.service import UNREACHABLE, LiveService, LiveUnavailable
from integrationsregion.live.tour_store import edited_tour_path


def base_path(option: str | None) -> str:
    """Streamlit's ``server.baseUrlPath`` as a link prefix: "" or "/integration"."""
    return ("/" + (option or "").strip("/")).rstrip("/")


def address_notice(address: AudienceAddress) -> str:
    """The audience address for the presenter; a loopback address comes with how to set the public one."""
    if address.loopback:
        return (
            f"Der QR-Code zeigt {address.url} – diese Adresse erreichen Handys im Saal nicht. "
            f"Setzen Sie `{SETTING}` auf die öffentliche Adresse (siehe docs/SETTINGS.md)."
        )
    return f"Adresse fürs Publikum: {address.url}"


def login(service: LiveService, token: str, address: str | None) -> str | None:
    """None when the token is accepted, else the German refusal (also when the server is unreachable)."""
    try:
        return service.call(lambda: presenter.login(service, token, address or "unbekannt"))
    except (LiveUnavailable, OSError, TimeoutError):
        return UNREACHABLE


def run_action(service: LiveService, factory: Callable[[], Awaitable[Any]]) -> list[str]:
    """Run a presenter action on the server loop; the German error messages, empty when it worked."""
    try:
        service.call(factory)
    except TourError as exc:
        return list(exc.errors)
    except LiveUnavailable as exc:
        return [exc.message]
    except Exception as exc:  # Redis errors and timeouts: the console stays usable
        return [f"Live-Server nicht erreichbar ({type(exc).__name__}) – bitte gleich erneut versuchen."]
    return []


@dataclass(frozen=True)
class StatusView:
    """The status panel: connected followers, votes so far, and the scene shown (None: no scene yet)."""

    phones: int
    screens: int
    votes: int | None
    heading: str | None = None
    takeaway: str = ""
    caption: str = ""
    poll: str | None = None
    results: str | None = None
    tour_error: str | None = None


def status_view(info: dict[str, Any], current: tuple[Any, bytes] | None) -> StatusView:
    """``presenter.status()`` and ``current()`` of the service as the panel's lines."""
    followers = info["followers"]
    tour_error = (
        "Die Tour-Datei ist ungültig: " + " ".join(info["tour_error"]) if info["tour_error"] else None
    )
    counts = {
        "phones": followers.get("audience", 0),
        "screens": followers.get("screen", 0),
        "votes": info["votes"],
    }
    if current is None:
        return StatusView(**counts)
    payload = json.loads(current[1])
    scene, position, poll = payload["scene"], payload["position"], payload["poll"]
    where = f"Szene {position + 1} von {payload['total']}" if position is not None else "eigene Szene"
    caption = (
        f"{scene['theme_label']} · {scene['indicator_title']} · {scene['year']} · {scene['breakdown_label']}"
    )
    if scene["highlight_name"]:
        caption += f" · hervorgehoben: {scene['highlight_name']}"
    poll_line = results = None
    if poll:
        state = ("offen" if poll["open"] else "geschlossen") + (
            ", Ergebnis sichtbar" if poll["revealed"] else ""
        )
        poll_line = f"**Umfrage** ({state}): {poll['question']}"
        if poll["revealed"] and poll["results"]:
            r = poll["results"]
            results = (
                f"Amtlich: {r['official']} · Median der Schätzungen: {r['median'] or '–'} · n = {r['n']}"
            )
    return StatusView(
        **counts,
        heading=f"{where}: {scene['title']}",
        takeaway=scene["takeaway"],
        caption=caption,
        poll=poll_line,
        results=results,
        tour_error=tour_error,
    )


def tour_caption(service: LiveService) -> str:
    """Where the console saves an edited tour: Redis or the file in ``state_dir``."""
    where = "Redis" if service.settings.live_backend == "redis" else f"`{edited_tour_path(service.settings)}`"
    return f"Gespeichert in {where} (Laufzeitzustand, nie im Snapshot) – vorher geprüft."


def read_status(service: LiveService) -> StatusView | None:
    """The status panel now; None when the live server does not answer (Redis down, timeout)."""
    try:
        return status_view(service.call(lambda: presenter.status(service)), service.call(service.current))
    except Exception:  # LiveUnavailable, Redis errors, timeouts
        return None


def jump_labels(tour: Tour | None) -> list[str]:
    """ "1. Titel" for each scene of the tour."""
    return [f"{i + 1}. {s.title}" for i, s in enumerate(tour.scenes)] if tour else []


def statistic_indicators(catalogue: Catalogue) -> dict[str, str]:
    """Indicators a scene can show (statistics, not counts of measures): id → title."""
    return {i.id: i.title for i in catalogue.all() if i.kind == "statistic"}


def statement_choices(tour: Tour | None) -> list[str]:
    """ "" (none) and the tour's statement ids, sorted."""
    return ["", *sorted(tour.statements)] if tour else [""]


def scene_request(
    *,
    theme: str,
    indicator: str,
    year: float,
    breakdown: str,
    highlight: str,
    statement: str,
    title: str,
    takeaway: str,
) -> dict[str, Any]:
    """The form's fields as the scene ``set_scene`` validates (empty highlight/statement = none)."""
    return {
        "theme": theme,
        "indicator": indicator,
        "year": int(year),
        "breakdown": breakdown,
        "highlight": highlight.strip() or None,
        "statement": statement or None,
        "title": title,
        "takeaway": takeaway,
    }
