"""The indicator catalogue (`data/indicators.toml`): what each figure means and where it comes from."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from integrationsregion.settings import get_settings

UNIT_LABELS = {
    "percent": "%",
    "persons": "Personen",
    "eur": "Euro",
    "eur_thousand": "1.000 Euro",
    "eur_per_person_year": "Euro je Person und Jahr",
    "eur_per_person_month": "Euro je Person und Monat",
    "eur_per_person": "Euro je Person",
}
BREAKDOWN_LABELS = {
    "total": "insgesamt",
    "foreign": "Ausländer/-innen",
    "german": "Deutsche",
    "syria": "Staatsangehörige Syriens",
    "afghanistan": "Staatsangehörige Afghanistans",
    "iraq": "Staatsangehörige des Irak",
}
POLARITIES = ("higher_better", "lower_better", "neutral")
KINDS = ("statistic", "parameter", "statement")


@dataclass(frozen=True)
class Source:
    """An official table (or secondary publication) an indicator is drawn from."""

    publisher: str
    table: str
    title: str
    url: str


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue."""

    id: str
    theme: str
    kind: str
    title: str
    short: str
    unit: str
    decimals: int
    polarity: str
    breakdowns: tuple[str, ...]
    definition: str
    reference_period: str
    licence: str
    attribution: str
    sources: tuple[Source, ...]
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    def format(self, value: float | None) -> str:
        """The value in German notation with its unit, or "keine Daten"."""
        return format_value(value, self.unit, self.decimals)


def format_number(value: float, decimals: int) -> str:
    """German number format: 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_value(value: float | None, unit: str, decimals: int) -> str:
    """A value with its unit in German notation; missing values read "keine Daten"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "keine Daten"
    number = format_number(value, decimals)
    return f"{number} %" if unit == "percent" else f"{number} {UNIT_LABELS[unit]}"


class Catalogue:
    """All indicators and the theme labels, in file order."""

    def __init__(self, themes: dict[str, str], indicators: list[Indicator]):
        self.themes = themes
        self._by_id = {i.id: i for i in indicators}
        if len(self._by_id) != len(indicators):
            raise ValueError("duplicate indicator id in catalogue")

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Catalogue:
        data_dir = data_dir or get_settings().snapshot_dir
        raw = tomllib.loads((data_dir / "indicators.toml").read_text(encoding="utf-8"))
        indicators = [
            Indicator(
                **{k: v for k, v in item.items() if k not in ("sources", "breakdowns", "caveats")},
                breakdowns=tuple(item["breakdowns"]),
                sources=tuple(Source(**s) for s in item["sources"]),
                caveats=tuple(item.get("caveats", ())),
            )
            for item in raw["indicator"]
        ]
        return cls(raw["themes"], indicators)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self._by_id[indicator_id]

    def all(self) -> list[Indicator]:
        return list(self._by_id.values())

    def for_theme(self, theme: str, kind: str = "statistic") -> list[Indicator]:
        """Indicators of a theme that pages offer in their pickers."""
        return [i for i in self._by_id.values() if i.theme == theme and i.kind == kind]

    def problems(self) -> list[str]:
        """Catalogue entries lacking what every figure must show."""
        found = []
        for i in self._by_id.values():
            where = f"indicator {i.id}"
            if i.theme not in self.themes:
                found.append(f"{where}: unknown theme {i.theme!r}")
            if i.kind not in KINDS:
                found.append(f"{where}: unknown kind {i.kind!r}")
            if i.unit not in UNIT_LABELS:
                found.append(f"{where}: unknown unit {i.unit!r}")
            if i.polarity not in POLARITIES:
                found.append(f"{where}: unknown polarity {i.polarity!r}")
            for b in i.breakdowns:
                if b not in BREAKDOWN_LABELS:
                    found.append(f"{where}: unknown breakdown {b!r}")
            for attr in ("title", "short", "definition", "licence", "attribution", "reference_period"):
                if not getattr(i, attr).strip():
                    found.append(f"{where}: missing {attr}")
            if not i.sources or not all(s.publisher and s.url for s in i.sources):
                found.append(f"{where}: missing source (publisher and URL)")
        return found
