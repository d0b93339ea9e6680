"""The data a scene needs: a cross-section of one indicator with its catalogue entry, from the shared Store.

The live mode reads the same snapshot through the same loader as the dashboard pages (``Store.load`` on the
configured snapshot directory, once per process). An indicator the catalogue does not know is an error
(``UnknownIndicator``), never silently treated as a percentage. A snapshot that cannot be loaded raises
``DataUnavailable`` with a German message; the live routes answer it with 503 and the process stays up.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from integrationsregion import formatting as fmt
from integrationsregion.catalogue import Indicator

log = logging.getLogger(__name__)


class UnknownIndicator(LookupError):
    """A scene names an indicator the catalogue does not have."""

    def __init__(self, indicator: str):
        super().__init__(f"Indikator „{indicator[:60]}“ ist im Katalog unbekannt.")
        self.message = str(self)


class DataUnavailable(RuntimeError):
    """The snapshot could not be loaded; ``message`` is German and safe to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    ags: str
    name: str
    value: float
    source: str


class SceneData(Protocol):
    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        """All rows of one indicator, year and breakdown (RVR units and comparison areas)."""

    def info(self, indicator: str) -> Indicator:
        """The catalogue entry; raises ``UnknownIndicator``."""

    def theme_label(self, theme: str) -> str:
        """The catalogue's German name of a theme."""

    def breakdown_label(self, breakdown: str) -> str:
        """The catalogue's German name of a breakdown."""


def format_value(value: float | None, info: Indicator) -> str:
    """The German notation of a value of a scene's indicator (`formatting.value`)."""
    return fmt.value(value, info.unit, info.decimals)


def is_unit(ags: str) -> bool:
    """One of the RVR's Kreise / kreisfreie Städte (not a comparison area, not a municipality)."""
    return len(ags) == 5 and ags.isdigit()


class StoreData:
    """Adapter over the snapshot store (``integrationsregion.store``) and its catalogue."""

    def __init__(self, store) -> None:
        self._store = store
        self._catalogue = store.catalogue

    def info(self, indicator: str) -> Indicator:
        if indicator not in self._catalogue:
            raise UnknownIndicator(indicator)
        return self._catalogue[indicator]

    def theme_label(self, theme: str) -> str:
        return self._catalogue.themes.get(theme, theme)

    def breakdown_label(self, breakdown: str) -> str:
        return self._catalogue.breakdowns.get(breakdown, breakdown)  # an unknown one: `tour_problems` says so

    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        from integrationsregion.store import UnknownSelection

        self.info(indicator)
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
            Row(
                str(r["region"]),
                self._store.regions.display_name(str(r["region"])),
                float(r["value"]),
                str(r.get("source_label") or ""),
            )
            for frame in frames
            for r in frame.to_dict("records")
            if r.get("value") is not None and not math.isnan(float(r["value"]))
        ]


RETRY_SECONDS = 30.0
_lock = threading.Lock()
_shared: StoreData | None = None
_failed: tuple[float, str] | None = None


def shared_data() -> StoreData:
    """The snapshot of this process, loaded once on first use; raises ``DataUnavailable``.

    A failed load is retried at most every ``RETRY_SECONDS``, so requests cannot make the server reload
    a broken snapshot over and over.
    """
    global _shared, _failed
    with _lock:
        if _shared is not None:
            return _shared
        if _failed is not None and time.monotonic() - _failed[0] < RETRY_SECONDS:
            raise DataUnavailable(_failed[1])
        from integrationsregion.loading import SnapshotLoadError
        from integrationsregion.store import Store

        try:
            _shared = StoreData(Store.load())
        except SnapshotLoadError as err:
            log.error("Live-Modus: %s Live-Routen antworten mit 503.", err)
            _failed = (time.monotonic(), str(err))
            raise DataUnavailable(str(err)) from None
        return _shared


@dataclass(frozen=True)
class Facts:
    """What a takeaway may quote about a cross-section, read from the data."""

    values: dict[str, float]
    names: dict[str, str]
    info: Indicator
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
    info = data.info(indicator)
    rows = data.cross_section(indicator, year, breakdown)
    sources = sorted({r.source for r in rows if r.source})
    return Facts(
        values={r.ags: r.value for r in rows},
        names={r.ags: r.name for r in rows},
        info=info,
        source="; ".join([*sources, info.attribution] if sources else []),
    )
