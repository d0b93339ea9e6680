"""Properties every snapshot must have, as a user would notice them; checked on any loaded store.

Used on the fixture snapshot, the committed snapshot and a snapshot after `integrationsregion update`,
so they name no year and no figure: they compare what the store answers with the file it was loaded from.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

from integrationsregion.catalogue import Indicator
from integrationsregion.snapshot import OBSERVATIONS, QUALITY_RANK, read_observations
from integrationsregion.store import MIN_RANKED, Store

KEY = ["region", "indicator", "breakdown", "year"]


def statistics(store: Store) -> Iterator[tuple[Indicator, str]]:
    """Every (statistic, breakdown) pair the pages offer."""
    for ind in store.catalogue.all():
        if ind.kind == "statistic":
            for breakdown in ind.breakdowns:
                yield ind, breakdown


def assert_shown_values_are_the_files_values(store: Store, data_dir: Path) -> None:
    """Every value shown is in the file (best quality first); every value in the file is shown; nothing else."""
    raw = read_observations(data_dir / OBSERVATIONS)
    raw = raw.assign(_q=raw["quality"].map(QUALITY_RANK))
    best = raw[raw["_q"] == raw.groupby(KEY)["_q"].transform("min")]
    for ind in store.catalogue.all():
        shown = store.indicator_rows(ind.id).set_index(KEY)
        mine = best[best["indicator"] == ind.id]
        assert set(shown.index) == set(map(tuple, mine[KEY].itertuples(index=False))), ind.id
        for key, candidates in mine.groupby(KEY):
            assert shown.loc[key, "value"] in set(candidates["value"]), key


def assert_gaps_stay_gaps(store: Store) -> None:
    """A unit without a value in a year is "no data" (NaN) in the cross-section and absent from the series."""
    units = [r.ags for r in store.regions.units()]
    for ind, breakdown in statistics(store):
        rows = store.indicator_rows(ind.id, breakdown)
        series = store.series(ind.id, units, breakdown)
        assert series["value"].notna().all(), (ind.id, breakdown)
        for year in store.years(ind.id, breakdown):
            have = rows[(rows["year"] == year) & rows["region"].isin(units)].set_index("region")["value"]
            cs = store.cross_section(ind.id, year, breakdown).set_index("region")["value"]
            assert list(cs.index) == units
            for ags in units:
                if ags in have.index:
                    assert cs[ags] == have[ags], (ind.id, breakdown, year, ags)
                else:
                    assert math.isnan(cs[ags]), (ind.id, breakdown, year, ags)
            in_series = set(series.loc[series["year"] == year, "region"])
            assert in_series == set(have.index), (ind.id, breakdown, year)


def assert_ranks_follow_values(store: Store, all_years: bool = True) -> None:
    """Ranks order the units by value in the indicator's direction; equal values share a rank; too few: none.
    A 0 only from cells rounded to 0 is not comparable: it has no rank and does not count."""
    for ind, breakdown in statistics(store):
        years = store.years(ind.id, breakdown)
        for year in years if all_years else years[-1:]:
            cs = store.cross_section(ind.id, year, breakdown).dropna(subset=["value"])
            rounded_zero = cs["rounding"] == "zero_from_rounding"
            assert all(store.rank(a, ind.id, year, breakdown) is None for a in cs.loc[rounded_zero, "region"])
            values = cs[~rounded_zero].set_index("region")["value"]
            ranks = store.ranks(ind.id, year, breakdown)
            first = values.index[0] if len(values) else None
            assert store.rank(first, ind.id, year, breakdown) == ranks.get(first)  # one unit as all units
            if len(values) < MIN_RANKED:
                assert ranks == {}, (ind.id, breakdown, year)
                continue
            assert set(ranks) == set(values.index)
            wording = store.catalogue.polarities[ind.polarity].rank
            assert all(r.of == len(values) and r.wording == wording for r in ranks.values())
            best_first = values.sort_values(ascending=ind.polarity == "lower_better", kind="stable")
            positions = [ranks[a].position for a in best_first.index]
            assert positions[0] == 1, (ind.id, breakdown, year)
            for n in range(1, len(positions)):  # equal values share a rank, a worse value ranks lower
                same = best_first.iloc[n] == best_first.iloc[n - 1]
                assert (positions[n] == positions[n - 1]) if same else (positions[n] > positions[n - 1]), (
                    ind.id, breakdown, year, best_first.index[n]
                )  # fmt: skip


def assert_every_value_carries_its_source(store: Store) -> None:
    """Publisher, source label, licence, attribution and a link on every shown value."""
    for ind in store.catalogue.all():
        rows = store.indicator_rows(ind.id)
        for col in ("publisher", "source_label", "licence", "attribution"):
            assert (rows[col].str.strip() != "").all(), (ind.id, col)
        links = rows["source_url"].where(rows["source_url"] != "", rows["portal_url"])
        assert links.str.startswith(("https://", "http://")).all(), ind.id


def assert_derived_and_secondary_are_labelled(store: Store) -> None:
    """A computed value says "eigene Berechnung(en)"; a secondary value says "Sekundärquelle"."""
    for ind in store.catalogue.all():
        rows = store.indicator_rows(ind.id)
        text = rows["source_label"] + " " + rows["attribution"]
        derived = rows["quality"] == "derived"
        secondary = rows["quality"] == "secondary"
        assert text[derived].str.contains("eigene Berechnung").all(), ind.id
        assert text[secondary].str.contains("Sekundärquelle").all(), ind.id


def assert_store_properties(store: Store, data_dir: Path, all_years: bool = True) -> None:
    """All of the above."""
    assert_shown_values_are_the_files_values(store, data_dir)
    assert_gaps_stay_gaps(store)
    assert_ranks_follow_values(store, all_years)
    assert_every_value_carries_its_source(store)
    assert_derived_and_secondary_are_labelled(store)
