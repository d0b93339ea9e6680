"""Series breaks (`data/breaks.toml`): years between which an indicator's values are not comparable.

Loaded once (`load_breaks`) and passed to the figure builders, which draw no line across a break.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from integrationsregion.loading import read_toml, reading
from integrationsregion.settings import get_settings

BREAKS_FILE = "breaks.toml"


@dataclass(frozen=True)
class SeriesBreak:
    """Values of `indicator` before and after `between` are not comparable."""

    indicator: str
    between: tuple[int, int]
    label: str
    detail: str
    breakdowns: tuple[str, ...] = ()

    def applies(self, indicator_id: str, breakdown: str) -> bool:
        return self.indicator == indicator_id and (not self.breakdowns or breakdown in self.breakdowns)

    @property
    def position(self) -> float:
        """Where the break is drawn on a year axis: halfway between the two years."""
        return (self.between[0] + self.between[1]) / 2


def load_breaks(data_dir: Path | None = None) -> list[SeriesBreak]:
    """All series breaks of the snapshot's `breaks.toml` (default: the configured snapshot directory)."""
    path = (data_dir or get_settings().snapshot_dir) / BREAKS_FILE
    raw = read_toml(path)
    with reading(path):
        return [_series_break(item) for item in raw.get("break", [])]


def _series_break(item: dict) -> SeriesBreak:
    a, b = (int(y) for y in item["between"])
    if not a < b:
        raise ValueError(f"Bruch bei {item['indicator']}: Jahre {a}, {b} nicht aufsteigend")
    return SeriesBreak(
        indicator=item["indicator"],
        between=(a, b),
        label=item["label"],
        detail=item["detail"],
        breakdowns=tuple(item.get("breakdowns", ())),
    )


def breaks_for(breaks: list[SeriesBreak], indicator_id: str, breakdown: str) -> list[SeriesBreak]:
    """The breaks that apply to one indicator and breakdown."""
    return [b for b in breaks if b.applies(indicator_id, breakdown)]
