"""The indicator catalogue (`data/indicators.toml`): what each figure means and where it comes from, and the
German labels of its themes, polarities, kinds, units and breakdowns – the one place these names are defined.

A `Store` carries the catalogue of its snapshot; `current()` is the configured snapshot's catalogue, loaded
once, for code that has no Store at hand (formatting, figures, the live scenes).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from integrationsregion.loading import read_toml, reading
from integrationsregion.settings import get_settings


@dataclass(frozen=True)
class Unit:
    """A unit of the catalogue: its German label, how a difference reads, whether it counts."""

    label: str
    """Follows a value and names an axis: "%", "Personen"."""
    difference: str = ""
    """How an absolute difference reads where that is not `label` ("Prozentpunkte")."""
    count: bool = False
    """Counts and sums: never set beside an NRW or Germany total (only rates are compared)."""


@dataclass(frozen=True)
class Polarity:
    """What a direction of an indicator means in words: its label and how a ranking reads."""

    label: str
    rank: str


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
    # Comparable figures (computed by derive.py): a rate is `rate_of` (numerator indicator) in breakdown
    # `rate_of_breakdown`, divided by `denominator` in `denominator_breakdown`, times `factor`.
    rate_of: str = ""
    rate_of_breakdown: str = "total"
    denominator: str = ""
    denominator_breakdown: str = "total"
    factor: int = 100
    summable: bool = False
    """A count whose values over the 15 units add up to a Ruhr total."""
    unpublished_years: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """Per breakdown, years the source never published for Kreise (not missing data)."""

    @property
    def unit_label(self) -> str:
        return unit(self.unit).label

    @property
    def is_count(self) -> bool:
        """Counts and sums: a Kreis count is never set beside an NRW or Germany total."""
        return unit(self.unit).count


class Catalogue:
    """All indicators (in file order) with the label tables of their themes, polarities, kinds, units and
    breakdowns."""

    def __init__(
        self,
        themes: dict[str, str],
        indicators: list[Indicator],
        polarities: dict[str, Polarity],
        kinds: dict[str, str],
        units: dict[str, Unit],
        breakdowns: dict[str, str],
    ):
        self.themes = themes
        self.polarities = polarities
        self.kinds = kinds
        self.units = units
        self.breakdowns = breakdowns
        self._by_id = {i.id: i for i in indicators}
        if len(self._by_id) != len(indicators):
            raise ValueError("eine Indikator-ID steht zweimal im Katalog")

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Catalogue:
        path = (data_dir or get_settings().snapshot_dir) / "indicators.toml"
        raw = read_toml(path)
        with reading(path):
            return cls._from_toml(raw)

    @classmethod
    def _from_toml(cls, raw: dict) -> Catalogue:
        indicators = [
            Indicator(
                **{
                    k: v
                    for k, v in item.items()
                    if k not in ("sources", "breakdowns", "caveats", "unpublished_years")
                },
                breakdowns=tuple(item["breakdowns"]),
                unpublished_years={b: tuple(y) for b, y in item.get("unpublished_years", {}).items()},
                sources=tuple(Source(**s) for s in item["sources"]),
                caveats=tuple(item.get("caveats", ())),
            )
            for item in raw["indicator"]
        ]
        polarities = {k: Polarity(**v) for k, v in raw["polarities"].items()}
        units = {k: Unit(**v) for k, v in raw["units"].items()}
        return cls(raw["themes"], indicators, polarities, raw["kinds"], units, raw["breakdowns"])

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
        """Catalogue entries lacking what every figure must show, one German line each."""
        found = []
        for i in self._by_id.values():
            where = f"Indikator {i.id}"
            for table, name, key in (
                (self.themes, "Thema", i.theme),
                (self.kinds, "Art", i.kind),
                (self.units, "Einheit", i.unit),
                (self.polarities, "Polarität", i.polarity),
                *((self.breakdowns, "Aufschlüsselung", b) for b in i.breakdowns),
                (self.breakdowns, "Aufschlüsselung", i.rate_of_breakdown),
                (self.breakdowns, "Aufschlüsselung", i.denominator_breakdown),
            ):
                if key not in table:
                    found.append(f"{where}: {name} {key!r} steht nicht in den Tabellen des Katalogs")
            for attr in ("title", "short", "definition", "licence", "attribution", "reference_period"):
                if not getattr(i, attr).strip():
                    found.append(f"{where}: Feld {attr} ist leer")
            if i.rate_of and (i.rate_of not in self._by_id or i.denominator not in self._by_id):
                found.append(f"{where}: Quote aus einem unbekannten Indikator")
            if not i.sources or not all(s.publisher and s.url for s in i.sources):
                found.append(f"{where}: Quelle fehlt (Herausgeber und URL)")
        return found


@functools.lru_cache(maxsize=4)
def _load_cached(data_dir: Path) -> Catalogue:
    return Catalogue.load(data_dir)


def current() -> Catalogue:
    """The catalogue of the configured snapshot, loaded once: its labels for code without a Store at hand."""
    return _load_cached(get_settings().snapshot_dir)


def unit(unit_id: str) -> Unit:
    """A unit of the catalogue; an unknown unit is an error, never a guess."""
    try:
        return current().units[unit_id]
    except KeyError:
        raise ValueError(f"unbekannte Einheit {unit_id!r}") from None


def indicator_label(indicator: Indicator, breakdown: str) -> str:
    """Title with its breakdown where there is a choice – unless the title says it already
    ("Ausländische Bevölkerung", not "Ausländische Bevölkerung – Ausländer/-innen")."""
    if breakdown == "total" and len(indicator.breakdowns) == 1:
        return indicator.title
    if breakdown == "foreign" and "usländ" in indicator.title:
        return indicator.title
    return f"{indicator.title} – {breakdown_label(breakdown)}"


def breakdown_label(breakdown: str) -> str:
    """The German name of a breakdown ("insgesamt", "Ausländer/-innen"); an unknown one is an error."""
    try:
        return current().breakdowns[breakdown]
    except KeyError:
        raise ValueError(f"unbekannte Aufschlüsselung {breakdown!r}") from None
