"""Where the live tour is kept: the presenter's saved edit (Redis, or ``state_dir/live/tour.json``), else the
default tour file (``IR_LIVE_TOUR``); and the check of a tour against the catalogue."""

from __future__ import annotations

import asyncio
from pathlib import Path

from integrationsregion.live.data import SceneData, UnknownIndicator
from integrationsregion.live.scenes import Tour, dumps_tour, save_tour
from integrationsregion.live.state import LiveState
from integrationsregion.settings import Settings


def edited_tour_path(settings: Settings) -> Path:
    """The memory backend's saved edit (runtime state, never inside ``data/``)."""
    return settings.state_dir / "live" / "tour.json"


def tour_problems(tour: Tour, data: SceneData) -> list[str]:
    """Indicators of the tour's scenes and polls that the catalogue does not know, or breakdowns they lack."""
    problems = []
    for i, scene in enumerate(tour.scenes, start=1):
        asked = {(scene.indicator, scene.breakdown)}
        if scene.poll:
            asked.add((scene.poll.indicator, scene.poll.breakdown))
        for indicator, breakdown in sorted(asked):
            try:
                info = data.info(indicator)
            except UnknownIndicator as exc:
                problems.append(f"Szene {i}: {exc.message}")
                continue
            if breakdown not in info.breakdowns:
                problems.append(
                    f"Szene {i}: Die Aufschlüsselung „{breakdown}“ gibt es für {info.short} nicht."
                )
    return problems


async def read_tour_text(state: LiveState, settings: Settings) -> tuple[str, str]:
    """The tour's JSON text and where it was read; raises what reading raises (``OSError``, Redis errors)."""
    text, where = None, str(settings.tour_path)
    edited = edited_tour_path(settings)
    if hasattr(state, "load_tour"):
        text = await state.load_tour()  # type: ignore[attr-defined]
        where = "Redis"
    elif edited.exists():
        where = str(edited)
        text = await asyncio.to_thread(edited.read_text, "utf-8")
    if text is None:
        where = str(settings.tour_path)
        text = await asyncio.to_thread(settings.tour_path.read_text, "utf-8")
    return text, where


async def write_tour(state: LiveState, settings: Settings, tour: Tour) -> None:
    """Save a validated tour: to Redis (other processes reload it), or atomically in ``state_dir``."""
    if hasattr(state, "save_tour"):
        await state.save_tour(dumps_tour(tour))  # type: ignore[attr-defined]
    else:
        await asyncio.to_thread(save_tour, tour, edited_tour_path(settings))
