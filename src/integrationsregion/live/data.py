"""The few data look-ups a scene needs: a cross-section of one indicator and its display metadata.

Read from the snapshot store (``integrationsregion.store``) and the indicator catalogue. Tests pass their
own ``SceneData``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from integrationsregion import catalogue

REFERENCE_AGS = ("RVR", "05", "DG")
UNIT_FALLBACK = {"percent": ("%", 1), "persons": ("Personen", 0)}


@dataclass(frozen=True)
class Row:
    ags: str
    name: str
    value: float
    source: str


@dataclass(frozen=True)
class IndicatorInfo:
    id: str
    title: str
    unit: str
    unit_label: str
    decimals: int
    polarity: str = "neutral"


class SceneData(Protocol):
    origin: str

    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        """All rows of one indicator, year and breakdown (RVR units and comparison areas)."""

    def info(self, indicator: str) -> IndicatorInfo: ...


def format_value(value: float | None, info: IndicatorInfo) -> str:
    """The catalogue's German notation for a scene's indicator."""
    return catalogue.format_value(value, info.unit, info.decimals)


def is_unit(ags: str) -> bool:
    """One of the RVR's Kreise / kreisfreie Städte (not a comparison area, not a municipality)."""
    return len(ags) == 5 and ags.isdigit()


class StoreData:
    """Adapter over the snapshot store (``integrationsregion.store``) and its catalogue."""

    origin = "snapshot"

    def __init__(self) -> None:
        from integrationsregion.loading import SnapshotLoadError
        from integrationsregion.store import try_load

        loaded = try_load()  # a damaged snapshot must not stop the process: no data, one German log line
        if isinstance(loaded, SnapshotLoadError):
            logging.getLogger(__name__).error("live: %s", loaded)
        self._store = loaded
        self._catalogue = getattr(loaded, "catalogue", {})

    def info(self, indicator: str) -> IndicatorInfo:
        if indicator not in self._catalogue:
            label, decimals = UNIT_FALLBACK["percent"]
            return IndicatorInfo(indicator, indicator, "percent", label, decimals)
        item = self._catalogue[indicator]
        return IndicatorInfo(item.id, item.title, item.unit, item.unit_label, item.decimals, item.polarity)

    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        from integrationsregion.store import UnknownSelection

        if indicator not in self._catalogue:
            return []
        if breakdown not in self._catalogue[indicator].breakdowns:
            return []
        try:
            frames = [
                self._store.cross_section(indicator, year, breakdown),
                self._store.references(indicator, year, breakdown),
            ]
        except UnknownSelection:
            return []
        return [
            Row(str(r["region"]), str(r["name"]), float(r["value"]), str(r.get("source_label") or ""))
            for frame in frames
            for r in frame.to_dict("records")
            if r.get("value") is not None and not math.isnan(float(r["value"]))
        ]


@cache
def default_data() -> SceneData:
    return StoreData()


@dataclass(frozen=True)
class Facts:
    """What a takeaway may quote about a cross-section, read from the data."""

    values: dict[str, float]
    names: dict[str, str]
    info: IndicatorInfo
    source: str

    def value(self, ags: str | None) -> float | None:
        return self.values.get(ags) if ags else None

    def placeholders(self, highlight: str | None) -> dict[str, str]:
        units = sorted(((v, a) for a, v in self.values.items() if is_unit(a)), reverse=True)
        ranks = {a: i for i, (_, a) in enumerate(units, start=1)}
        missing = "–"

        def names_at(value: float) -> str:  # ties are named together
            return " und ".join(sorted(self.names[a] for v, a in units if v == value))

        return {
            "wert": format_value(self.value(highlight), self.info),
            "einheit": self.names.get(highlight or "", highlight or missing),
            "rang": str(ranks[highlight]) if highlight in ranks else missing,
            "anzahl": str(len(units)),
            "hoechster": names_at(units[0][0]) if units else missing,
            "niedrigster": names_at(units[-1][0]) if units else missing,
        }


def facts(data: SceneData, indicator: str, year: int, breakdown: str) -> Facts:
    rows = data.cross_section(indicator, year, breakdown)
    sources = sorted({r.source for r in rows if r.source})
    return Facts(
        values={r.ags: r.value for r in rows},
        names={r.ags: r.name for r in rows},
        info=data.info(indicator),
        source="; ".join(sources),
    )
