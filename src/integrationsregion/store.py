"""The data store: answers the questions pages ask of the snapshot.

One value per (region, indicator, breakdown, year) is shown: the best quality (official, then
derived, then secondary) and, within that, the latest reference date of the year. Every answer
keeps the provenance columns, so a figure can always name its year and source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from integrationsregion.catalogue import Catalogue, Indicator
from integrationsregion.regions import REFERENCES, RegionRegistry
from integrationsregion.settings import get_settings
from integrationsregion.snapshot import COLUMNS, QUALITY_RANK, load_checked

MIN_RANKED = 10
"""A unit is ranked only when at least this many of the 15 units have a value (else the rank says little)."""


class UnknownSelection(ValueError):
    """A page asked for an indicator, region or breakdown that does not exist."""


@dataclass(frozen=True)
class Rank:
    """A unit's place among the units with a value, worded by the indicator's polarity."""

    position: int
    of: int
    wording: str  # e.g. "Rang 1 = niedrigster Wert" (catalogue data)

    @property
    def text(self) -> str:
        return f"Rang {self.position} von {self.of} ({self.wording})"


@dataclass
class Store:
    """The snapshot in memory with the registry and the catalogue."""

    observations: pd.DataFrame
    regions: RegionRegistry
    catalogue: Catalogue
    manifest: dict

    def __post_init__(self) -> None:
        # Index by (indicator, breakdown): pages ask for these slices on every run.
        self._slices = {key: rows for key, rows in self.observations.groupby(["indicator", "breakdown"])}
        self._empty = self.observations.iloc[0:0]
        self._years: dict[tuple[str, str, str], list[int]] = {}

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Store:
        """The snapshot in `data_dir` (default: the configured snapshot directory).

        Raises `SnapshotLoadError` (German message naming the problem and how to restore) when any file
        of the snapshot is missing, unreadable or invalid; nothing is written.
        """
        regions, catalogue, obs, manifest = load_checked(data_dir or get_settings().snapshot_dir)
        obs["name"] = obs["region"].map(lambda a: regions[a].name)
        return cls(_shown_rows(obs), regions, catalogue, manifest)

    # ------------------------------------------------------------------ checks
    def indicator(self, indicator_id: str) -> Indicator:
        if indicator_id not in self.catalogue:
            raise UnknownSelection(f"Unbekannter Indikator „{indicator_id}“.")
        return self.catalogue[indicator_id]

    def _check(self, indicator_id: str, breakdown: str, regions: list[str] = ()) -> Indicator:
        ind = self.indicator(indicator_id)
        if breakdown not in ind.breakdowns:
            raise UnknownSelection(f"Die Aufschlüsselung „{breakdown}“ gibt es für {ind.short} nicht.")
        self._check_regions(regions)
        return ind

    def _check_regions(self, regions: Iterable[str]) -> None:
        for ags in regions:
            if ags not in self.regions:
                raise UnknownSelection(f"Unbekannter Gebietsschlüssel „{ags}“.")

    def _rows(self, indicator_id: str, breakdown: str) -> pd.DataFrame:
        return self._slices.get((indicator_id, breakdown), self._empty)

    # ------------------------------------------------------------------ questions
    def years(self, indicator_id: str, breakdown: str | None = None, level: str = "kreis") -> list[int]:
        """Years with at least one value for the units of `level` (ascending)."""
        ind = self.indicator(indicator_id)
        key = (indicator_id, breakdown or ind.breakdowns[0], level)
        if key not in self._years:
            rows = self._rows(*key[:2])
            ags = {r.ags for r in self.regions.all() if r.level == level}
            self._years[key] = sorted({int(y) for y in rows.loc[rows["region"].isin(ags), "year"]})
        return list(self._years[key])

    def any_years(self, indicator_id: str, breakdown: str | None = None) -> list[int]:
        """Years with a value for any region, including the comparison aggregates."""
        ind = self.indicator(indicator_id)
        return sorted({int(y) for y in self._rows(indicator_id, breakdown or ind.breakdowns[0])["year"]})

    def cross_section(self, indicator_id: str, year: int, breakdown: str = "total") -> pd.DataFrame:
        """All 15 units for one year, in registry order; units without data have value NaN."""
        self._check(indicator_id, breakdown)
        rows = self._rows(indicator_id, breakdown)
        rows = rows[rows["year"] == year].set_index("region")
        units = pd.DataFrame(
            {"region": [r.ags for r in self.regions.units()], "name": [r.name for r in self.regions.units()]}
        )
        out = units.join(rows.drop(columns=["name"]), on="region")
        out["year"] = year
        return out.reset_index(drop=True)

    def references(self, indicator_id: str, year: int, breakdown: str = "total") -> pd.DataFrame:
        """Ruhr, NRW and Germany for one year (rows only where a value exists)."""
        self._check(indicator_id, breakdown)
        rows = self._rows(indicator_id, breakdown)
        rows = rows[(rows["year"] == year) & rows["region"].isin(REFERENCES)]
        return (
            rows.set_index("region")
            .reindex([r for r in REFERENCES if r in set(rows["region"])])
            .reset_index()
        )

    def series(self, indicator_id: str, regions: list[str], breakdown: str = "total") -> pd.DataFrame:
        """Time series of chosen regions: one row per region and year with a value (gaps stay gaps)."""
        self._check(indicator_id, breakdown, regions)
        rows = self._rows(indicator_id, breakdown)
        rows = rows[rows["region"].isin(regions)]
        order = {a: i for i, a in enumerate(regions)}
        return rows.sort_values(["region", "year"], key=lambda s: s.map(order) if s.name == "region" else s)

    def value(self, region: str, indicator_id: str, year: int, breakdown: str = "total") -> pd.Series | None:
        """The shown row for one figure, or None."""
        self._check(indicator_id, breakdown, [region])
        rows = self._rows(indicator_id, breakdown)
        hit = rows[(rows["region"] == region) & (rows["year"] == year)]
        return None if hit.empty else hit.iloc[0]

    def ranks(self, indicator_id: str, year: int, breakdown: str = "total") -> dict[str, Rank]:
        """Rank of every unit with a value; empty when fewer than 10 of the 15 units have one.

        A 0 that only comes from cells rounded to 0 is not ranked. Rank 1 is the best value by the
        indicator's polarity (the lowest where lower is better, else the highest); equal values share a rank
        (1, 2, 2, 4).
        """
        self._check(indicator_id, breakdown)
        return dict(self._unit_ranks.get((indicator_id, breakdown, int(year)), {}))

    @cached_property
    def _unit_ranks(self) -> dict[tuple[str, str, int], dict[str, Rank]]:
        """Every unit's rank per (indicator, breakdown, year), ranked in one pass on first use (see `ranks`)."""
        obs = self.observations
        units = [r.ags for r in self.regions.units()]
        rows = obs.loc[
            obs["region"].isin(units) & obs["value"].notna() & obs["rounding"].ne("zero_from_rounding"),
            ["indicator", "breakdown", "year", "region", "value"],
        ]
        lower = rows["indicator"].map({i.id: i.polarity == "lower_better" for i in self.catalogue.all()})
        by_slice = (
            rows["value"]
            .where(lower.astype(bool), -rows["value"])
            .groupby([rows["indicator"], rows["breakdown"], rows["year"]])
        )
        rows = rows.assign(position=by_slice.rank(method="min"), of=by_slice.transform("count"))
        out: dict[tuple[str, str, int], dict[str, Rank]] = {}
        for ind, bd, year, ags, position, of in zip(
            rows["indicator"],
            rows["breakdown"],
            rows["year"],
            rows["region"],
            rows["position"],
            rows["of"],
            strict=True,
        ):
            if of >= MIN_RANKED:
                wording = self.catalogue.polarities[self.catalogue[ind].polarity].rank
                out.setdefault((ind, bd, int(year)), {})[ags] = Rank(int(position), int(of), wording)
        return out

    def rank(self, region: str, indicator_id: str, year: int, breakdown: str = "total") -> Rank | None:
        """Rank of one unit (see `ranks`); None without a value or with fewer than 10 units ranked."""
        return self.ranks(indicator_id, year, breakdown).get(region)

    def latest(
        self, region: str, indicator_id: str, breakdown: str = "total", until: int | None = None
    ) -> pd.Series | None:
        """The shown row of the latest year (up to `until`, inclusive) with a value, or None."""
        self._check(indicator_id, breakdown, [region])
        rows = self._rows(indicator_id, breakdown)
        rows = rows[rows["region"] == region]
        if until is not None:
            rows = rows[rows["year"] <= until]
        return None if rows.empty else rows.sort_values("year").iloc[-1]

    def indicator_rows(self, indicator_id: str, breakdown: str | None = None) -> pd.DataFrame:
        """Every shown row of an indicator (all regions and years; one breakdown or all)."""
        ind = self.indicator(indicator_id)
        breakdowns = ind.breakdowns if breakdown is None else (breakdown,)
        if breakdown is not None:
            self._check(indicator_id, breakdown)
        frames = [self._rows(indicator_id, b) for b in breakdowns]
        return pd.concat(frames, ignore_index=True) if frames else self._empty

    def region_rows(self, *regions: str) -> pd.DataFrame:
        """Every shown row of these regions (e.g. a Gemeinde's own values, or a comparison's areas)."""
        self._check_regions(regions)
        return self.observations[self.observations["region"].isin(regions)].reset_index(drop=True)

    def licences(self) -> pd.DataFrame:
        """Every distinct licence and attribution line with its publishers and how many indicators use it."""
        return (
            self.observations.groupby(["licence", "attribution"])
            .agg(
                publisher=("publisher", lambda s: "; ".join(sorted(set(s)))),
                indicators=("indicator", "nunique"),
            )
            .reset_index()
        )

    def profile(self, region: str) -> pd.DataFrame:
        """Latest value of every statistic for a region, with rank among the 15 and the references."""
        self._check_regions([region])
        statistics = [i.id for i in self.catalogue.all() if i.kind == "statistic"]
        mine = self.observations[self.observations["region"] == region]
        mine = mine[mine["indicator"].isin(statistics)]
        if mine.empty:  # a region without values (e.g. most Gemeinden before the Gemeinde layer)
            return pd.DataFrame()
        latest = mine.sort_values("year").drop_duplicates(["indicator", "breakdown"], keep="last")
        order = {indicator_id: n for n, indicator_id in enumerate(statistics)}
        latest = latest.sort_values(
            ["indicator", "breakdown"], key=lambda s: s.map(order) if s.name == "indicator" else s
        )
        columns = ["indicator", "breakdown", "year", "value", "quality", "source_label", "portal_url"]
        rows = []
        for indicator_id, breakdown, year, value, quality, source_label, portal_url in zip(
            *(latest[c] for c in columns), strict=True
        ):
            ind = self.catalogue[indicator_id]
            key = (indicator_id, breakdown, int(year))
            ranked = self._unit_ranks.get(key, {}).get(region) if region not in REFERENCES else None
            refs = self._reference_values.get(key, {})
            rows.append(
                {
                    "theme": ind.theme,
                    "indicator": indicator_id,
                    "title": ind.title,
                    "breakdown": breakdown,
                    "year": int(year),
                    "value": value,
                    "rank": ranked.position if ranked else None,
                    "ranked": ranked.of if ranked else None,
                    "rank_wording": ranked.wording if ranked else "",
                    **{f"ref_{r}": refs.get(r) for r in REFERENCES},
                    "quality": quality,
                    "source_label": source_label,
                    "portal_url": portal_url,
                }
            )
        return pd.DataFrame(rows)

    @cached_property
    def _reference_values(self) -> dict[tuple[str, str, int], dict[str, float]]:
        """Ruhr, NRW and Germany's values per (indicator, breakdown, year), gathered on first use."""
        obs = self.observations
        rows = obs[obs["region"].isin(REFERENCES)]
        out: dict[tuple[str, str, int], dict[str, float]] = {}
        for ind, bd, year, ags, value in zip(
            rows["indicator"], rows["breakdown"], rows["year"], rows["region"], rows["value"], strict=True
        ):
            out.setdefault((ind, bd, int(year)), {})[ags] = value
        return out

    def coverage(self, indicator_ids: list[str] | None = None) -> pd.DataFrame:
        """Coverage matrix: one row per indicator × breakdown × region, one column per year (value count)."""
        obs = self.observations
        if indicator_ids is not None:
            obs = obs[obs["indicator"].isin(indicator_ids)]
        matrix = obs.pivot_table(
            index=["indicator", "breakdown", "region"], columns="year", values="value", aggfunc="count"
        )
        return matrix.fillna(0).astype(int)

    def provenance(self, region: str, indicator_id: str, year: int, breakdown: str = "total") -> dict | None:
        """Everything known about where one shown value comes from."""
        row = self.value(region, indicator_id, year, breakdown)
        if row is None:
            return None
        keys = [c for c in COLUMNS if c not in ("region", "indicator", "breakdown")]
        return {k: row[k] for k in keys}


def _shown_rows(obs: pd.DataFrame) -> pd.DataFrame:
    """One row per (region, indicator, breakdown, year): best quality, then latest reference date."""
    ranked = obs.assign(_q=obs["quality"].map(QUALITY_RANK)).sort_values(
        ["region", "indicator", "breakdown", "year", "_q", "ref_date"],
        ascending=[True, True, True, True, True, False],
    )
    shown = ranked.drop_duplicates(["region", "indicator", "breakdown", "year"]).drop(columns="_q")
    return shown.reset_index(drop=True)
