"""The few data look-ups a scene needs: a cross-section of one indicator and its display metadata.

The snapshot store (``integrationsregion.store``) and the indicator catalogue are used when present. For
development before the snapshot exists, the reference CSVs beside the checkout are read instead; the source
in use is named in ``SceneData.origin``. Tests pass their own ``SceneData``.
"""

from __future__ import annotations

import csv
import logging
import math
from dataclasses import dataclass
from functools import cache
from typing import Protocol

log = logging.getLogger(__name__)

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


def format_number(value: float, decimals: int) -> str:
    """German notation: 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_value(value: float | None, info: IndicatorInfo) -> str:
    if value is None or math.isnan(value):
        return "keine Daten"
    number = format_number(value, info.decimals)
    return f"{number} %" if info.unit == "percent" else f"{number} {info.unit_label}"


def is_unit(ags: str) -> bool:
    """One of the RVR's Kreise / kreisfreie Städte (not a comparison area, not a municipality)."""
    return len(ags) == 5 and ags.isdigit()


class StoreData:
    """Adapter over the snapshot store (``integrationsregion.store``) and its catalogue."""

    origin = "snapshot"

    def __init__(self) -> None:
        from integrationsregion.store import Store

        self._store = Store.load()
        self._catalogue = self._store.catalogue

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

    def breakdowns(self, indicator: str) -> tuple[str, ...]:
        return self._catalogue[indicator].breakdowns if indicator in self._catalogue else ()


class ReferenceCsvData:
    """Development fallback: the long-format reference CSVs (``../shared/reference``)."""

    origin = "reference-csv"

    def __init__(self, directory) -> None:
        self._rows: dict[tuple[str, int, str], list[Row]] = {}
        self._units: dict[str, str] = {}
        for path in sorted(directory.glob("*.csv")):
            with open(path, encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                if not {"ags", "indicator", "year", "value"} <= set(reader.fieldnames or ()):
                    continue
                for r in reader:
                    key = (r["indicator"], int(r["year"]), r.get("nationality") or "total")
                    source = f"{r.get('source_publisher', '')}, {r.get('source_table', '')}".strip(", ")
                    self._rows.setdefault(key, []).append(Row(r["ags"], r["name"], float(r["value"]), source))
                    self._units.setdefault(r["indicator"], r.get("unit") or "percent")

    def info(self, indicator: str) -> IndicatorInfo:
        unit = self._units.get(indicator, "percent")
        label, decimals = UNIT_FALLBACK.get(unit, (unit, 1))
        return IndicatorInfo(indicator, indicator.replace("_", " "), unit, label, decimals)

    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        rows = self._rows.get((indicator, year, breakdown))
        if rows is None and breakdown == "total":
            rows = self._rows.get((indicator, year, "foreign"))
        # one row per AGS (the reference files hold a few duplicates from several sources)
        return list({r.ags: r for r in rows or []}.values())


class EmptyData:
    origin = "none"

    def info(self, indicator: str) -> IndicatorInfo:
        return IndicatorInfo(indicator, indicator, "percent", "%", 1)

    def cross_section(self, indicator: str, year: int, breakdown: str) -> list[Row]:
        return []


@cache
def default_data() -> SceneData:
    try:
        return StoreData()
    except (ImportError, OSError, KeyError, ValueError) as exc:
        log.warning("live: snapshot store not usable (%s); trying the reference CSVs", exc)
    from integrationsregion.paths import shared_reference_dir

    directory = shared_reference_dir()
    if directory is not None:
        return ReferenceCsvData(directory)
    log.warning("live: no data available; scenes show no figures")
    return EmptyData()


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
