"""The indicator catalogue (`data/indicators.toml`): what each figure means and where it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from integrationsregion.formatting import NO_DATA, UNIT_LABELS  # noqa: F401  (re-exported)
from integrationsregion.formatting import number as format_number  # noqa: F401  (re-exported)
from integrationsregion.formatting import value as format_value
from integrationsregion.loading import read_toml, reading
from integrationsregion.settings import get_settings

BREAKDOWN_LABELS = {
    "total": "insgesamt",
    "foreign": "Ausländer/-innen",
    "german": "Deutsche",
    "syria": "Staatsangehörige Syriens",
    "afghanistan": "Staatsangehörige Afghanistans",
    "iraq": "Staatsangehörige des Irak",
}


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
        return UNIT_LABELS[self.unit]

    def format(self, value: float | None, rounding: object = "") -> str:
        """The value in German notation with its unit, "keine Daten", or "gerundet 0" (see `formatting.value`)."""
        return format_value(value, self.unit, self.decimals, rounding)


class Catalogue:
    """All indicators with the labels of their themes, polarities and kinds, in file order."""

    def __init__(
        self,
        themes: dict[str, str],
        indicators: list[Indicator],
        polarities: dict[str, Polarity],
        kinds: dict[str, str],
    ):
        self.themes = themes
        self.polarities = polarities
        self.kinds = kinds
        self._by_id = {i.id: i for i in indicators}
        if len(self._by_id) != len(indicators):
            raise ValueError("duplicate indicator id in catalogue")

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
        return cls(raw["themes"], indicators, polarities, raw["kinds"])

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
            if i.kind not in self.kinds:
                found.append(f"{where}: unknown kind {i.kind!r}")
            if i.unit not in UNIT_LABELS:
                found.append(f"{where}: unknown unit {i.unit!r}")
            if i.polarity not in self.polarities:
                found.append(f"{where}: unknown polarity {i.polarity!r}")
            for b in i.breakdowns:
                if b not in BREAKDOWN_LABELS:
                    found.append(f"{where}: unknown breakdown {b!r}")
            for attr in ("title", "short", "definition", "licence", "attribution", "reference_period"):
                if not getattr(i, attr).strip():
                    found.append(f"{where}: missing {attr}")
            if i.rate_of and (i.rate_of not in self._by_id or i.denominator not in self._by_id):
                found.append(f"{where}: rate of an unknown indicator")
            if not i.sources or not all(s.publisher and s.url for s in i.sources):
                found.append(f"{where}: missing source (publisher and URL)")
        return found
