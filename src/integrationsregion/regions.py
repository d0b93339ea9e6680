"""The region registry: 15 RVR units, 53 municipalities and the comparison aggregates."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from integrationsregion.loading import reading
from integrationsregion.settings import get_settings

RUHR = "RVR"
NRW = "05"
GERMANY = "DG"
REFERENCES = (RUHR, NRW, GERMANY)

KIND_LABELS = {
    "kreisfreie_stadt": "kreisfreie Stadt",
    "kreis": "Kreis",
    "gemeinde": "kreisangehörige Gemeinde",
    "aggregat": "Vergleichsgebiet",
}


@dataclass(frozen=True)
class Region:
    """One row of `data/regions.csv`."""

    ags: str
    name: str
    short_name: str
    kind: str  # kreisfreie_stadt | kreis | gemeinde | aggregat
    level: str  # kreis | gemeinde | aggregat
    parent_ags: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


class RegionRegistry:
    """Lookup of regions by AGS, in registry order."""

    def __init__(self, regions: list[Region]):
        self._by_ags = {r.ags: r for r in regions}
        if len(self._by_ags) != len(regions):
            raise ValueError("duplicate AGS in region registry")

    @classmethod
    def load(cls, data_dir: Path | None = None) -> RegionRegistry:
        path = (data_dir or get_settings().snapshot_dir) / "regions.csv"
        with reading(path), open(path, encoding="utf-8", newline="") as f:
            registry = cls([Region(**row) for row in csv.DictReader(f)])
            for ags in REFERENCES:
                registry.name(ags)  # KeyError (a missing comparison area) becomes the load error
            return registry

    def __contains__(self, ags: object) -> bool:
        return ags in self._by_ags

    def __getitem__(self, ags: str) -> Region:
        return self._by_ags[ags]

    def all(self) -> list[Region]:
        return list(self._by_ags.values())

    def units(self) -> list[Region]:
        """The 15 Kreise and kreisfreie Städte of the RVR."""
        return [r for r in self._by_ags.values() if r.level == "kreis"]

    def municipalities(self, kreis_ags: str | None = None) -> list[Region]:
        """The 53 municipalities, optionally those of one Kreis."""
        return [
            r
            for r in self._by_ags.values()
            if r.level == "gemeinde" and (kreis_ags is None or r.parent_ags == kreis_ags)
        ]

    def references(self) -> list[Region]:
        """Ruhr, NRW and Germany."""
        return [self._by_ags[a] for a in REFERENCES]

    def data_ags(self, ags: str) -> str:
        """The key a region's values are stored under: a kreisfreie Stadt's Gemeinde key (`05xxx000`)
        resolves to its Kreis, so Gemeinde and Kreis share one set of rows."""
        region = self._by_ags.get(ags)
        kreisfrei = region is not None and region.level == "gemeinde"
        if kreisfrei and self._by_ags[region.parent_ags].kind == "kreisfreie_stadt":
            return region.parent_ags
        return ags

    def name(self, ags: str) -> str:
        return self._by_ags[ags].name

    def display_name(self, ags: str) -> str:
        """How a region is named beside others: the short name of a comparison area ("Ruhr"), else the name."""
        region = self._by_ags[ags]
        return region.short_name if region.level == "aggregat" else region.name


@functools.lru_cache(maxsize=4)
def _load_cached(data_dir: Path) -> RegionRegistry:
    return RegionRegistry.load(data_dir)


def current() -> RegionRegistry:
    """The registry of the configured snapshot, loaded once: region names for code without a Store at hand."""
    return _load_cached(get_settings().snapshot_dir)
