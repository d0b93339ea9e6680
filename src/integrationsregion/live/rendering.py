"""What followers receive: the JSON payload of a scene and the SVG figures of scenes and poll results.

Each is built once (bounded caches keyed by the scene's content key or the result's figure name), so a scene
change under load only publishes. The methods are synchronous; the service runs them in its worker threads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integrationsregion.live.data import (
    DataUnavailable,
    Facts,
    SceneData,
    UnknownIndicator,
    facts,
    format_value,
    shared_data,
)
from integrationsregion.live.scenes import Scene, Tour, render_takeaway, scene_of
from integrationsregion.live.state import LiveStatus
from integrationsregion.live.svg import bar_svg, poll_svg

TARGETS = ("phone", "stage")
MAX_CACHED = 256
"""Entries per cache (cross-sections and figures); the oldest is dropped first."""


@dataclass(frozen=True)
class CachedFigure:
    """An SVG figure with its gzip form and ETag, ready to send."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> CachedFigure:
        return cls(body, gzip.compress(body, 6, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


class SceneRenderer:
    """Payloads and figures of one process, over the shared snapshot (or the ``data`` given, in tests)."""

    def __init__(self, data: SceneData | None = None):
        self._data = data
        self._figures: OrderedDict[str, CachedFigure] = OrderedDict()
        self._facts: dict[tuple[str, int, str], Facts] = {}
        self._scenes: dict[str, Scene] = {}

    @property
    def data(self) -> SceneData:
        """Raises ``DataUnavailable`` when the snapshot cannot be loaded."""
        return self._data if self._data is not None else shared_data()

    def facts(self, indicator: str, year: int, breakdown: str) -> Facts:
        """Facts of a cross-section, read once."""
        key = (indicator, year, breakdown)
        cached = self._facts.get(key)
        if cached is None:
            cached = self._facts[key] = facts(self.data, indicator, year, breakdown)
            while len(self._facts) > MAX_CACHED:
                self._facts.pop(next(iter(self._facts)))
        return cached

    def cached(self, name: str) -> CachedFigure | None:
        return self._figures.get(name)

    def _cache(self, name: str, build: Callable[[], bytes]) -> CachedFigure:
        cached = self._figures.get(name)
        if cached is None:
            cached = CachedFigure.of(build())
            self._figures[name] = cached
            while len(self._figures) > MAX_CACHED:
                self._figures.popitem(last=False)
        return cached

    def scene_figure(self, scene: Scene, target: str) -> CachedFigure:
        """The scene's bar chart, named ``<scene key>-<target>``."""
        self._scenes[scene.key] = scene
        f = self.facts(scene.indicator, scene.year, scene.breakdown)
        return self._cache(f"{scene.key}-{target}", lambda: bar_svg(f, scene.highlight, target))

    def results_figure(self, name: str, status: LiveStatus | None, target: str) -> CachedFigure | None:
        """The revealed poll result of ``status``, named ``<results figure>-<target>``; None for any other name."""
        if status is None or not status.results or name != f"{status.results['figure']}-{target}":
            return None
        spec = scene_of(status.scene).poll
        assert spec is not None  # results exist only for a scene with a poll
        f = self.facts(spec.indicator, spec.year, spec.breakdown)
        return self._cache(name, lambda: poll_svg(status.results, f, target))

    def known_scene(self, key: str, status: LiveStatus | None, tour: Tour | None) -> Scene | None:
        """The scene with content key ``key``: rendered before, shown now or in the tour."""
        scene = self._scenes.get(key)
        if scene is None and status is not None:
            candidate = scene_of(status.scene)
            scene = candidate if candidate.key == key else None
        if scene is None and tour is not None:
            scene = next((s for s in tour.scenes if s.key == key), None)
        return scene

    def warm(self, tour: Tour) -> None:
        """Build every tour scene's figures now; stop quietly at the first data problem (it shows on use)."""
        for scene in tour.scenes:
            for target in TARGETS:
                try:
                    self.scene_figure(scene, target)
                except (DataUnavailable, UnknownIndicator):
                    return

    def payload(self, status: LiveStatus, tour: Tour | None) -> bytes:
        """The JSON followers receive for ``status`` (compact UTF-8)."""
        scene = scene_of(status.scene)
        self._scenes[scene.key] = scene
        f = self.facts(scene.indicator, scene.year, scene.breakdown)
        statement = None
        if scene.statement and tour and scene.statement in tour.statements:
            s = tour.statements[scene.statement]
            statement = {
                "speaker": s.speaker,
                "role": s.role,
                "text": f"„{s.quote}“" if s.quote else s.paraphrase,
                "paraphrase": s.paraphrase if s.quote else "",
                "source": s.source,
            }
        poll = None
        if status.poll is not None and scene.poll is not None:
            poll = {
                "id": status.poll.id,
                "question": scene.poll.question,
                "open": status.poll.open,
                "revealed": status.poll.revealed,
                "min": scene.poll.min,
                "max": scene.poll.max,
                "unit": f.info.unit_label if scene.poll.indicator == scene.indicator else "",
                "results": status.results if status.poll.revealed else None,
            }
        payload: dict[str, Any] = {
            "version": status.version,
            "position": status.position,
            "total": len(tour) if tour else 0,
            "tour_title": tour.title if tour else "",
            "updated_at": status.updated_at,
            "scene": {
                "key": scene.key,
                "theme": scene.theme,
                "theme_label": self.data.theme_label(scene.theme),
                "indicator": scene.indicator,
                "indicator_title": f.info.title,
                "year": scene.year,
                "breakdown": scene.breakdown,
                "breakdown_label": self.data.breakdown_label(scene.breakdown),
                "highlight": scene.highlight,
                "highlight_name": f.names.get(scene.highlight or ""),
                "highlight_value": format_value(f.value(scene.highlight), f.info)
                if scene.highlight
                else None,
                "title": scene.title,
                "takeaway": render_takeaway(scene.takeaway, f.placeholders(scene.highlight)),
                "source": f.source,
                "statement": statement,
                "explore_path": scene.explore_path(),
            },
            "poll": poll,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
