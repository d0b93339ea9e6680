"""Conference content (`data/conference.toml`): facts, programme, statements and their evidence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from integrationsregion.catalogue import Catalogue
from integrationsregion.loading import read_toml, reading
from integrationsregion.settings import get_settings


@dataclass(frozen=True)
class Statement:
    """A conference statement and the indicators that bear on it."""

    id: str
    speaker: str
    role: str
    themes: tuple[str, ...]
    paraphrase: str
    quote: str
    quote_source: str
    quote_url: str
    source_url: str
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Conference:
    facts: dict
    programme: list[dict]
    statements: list[Statement]
    rvr_figures: list[dict]

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Conference:
        path = (data_dir or get_settings().snapshot_dir) / "conference.toml"
        raw = read_toml(path)
        with reading(path):
            statements = [
                Statement(**(s | {"themes": tuple(s["themes"]), "indicators": tuple(s["indicators"])}))
                for s in raw["statement"]
            ]
            return cls(raw["conference"], raw["programme"], statements, raw.get("rvr_figure", []))

    def for_theme(self, theme: str) -> list[Statement]:
        return [s for s in self.statements if theme in s.themes]

    def for_indicator(self, indicator_id: str) -> list[Statement]:
        return [s for s in self.statements if indicator_id in s.indicators]

    def problems(self, catalogue: Catalogue) -> list[str]:
        """Statements that point at unknown indicators or themes, or quote without a source (German lines)."""
        found = []
        for s in self.statements:
            where = f"Aussage {s.id}"
            found += [f"{where}: unbekannter Indikator {i!r}" for i in s.indicators if i not in catalogue]
            found += [f"{where}: unbekanntes Thema {t!r}" for t in s.themes if t not in catalogue.themes]
            if s.quote and not (s.quote_source and s.quote_url):
                found.append(f"{where}: Zitat ohne Quelle (quote_source und quote_url)")
        return found
