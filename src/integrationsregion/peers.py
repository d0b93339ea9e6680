"""Default peers for a comparison: the units most similar in size and foreign share.

Similarity is the standardised Euclidean distance over a few features (by default population and
the foreign share) in the latest year in which the chosen unit and enough other units have a
value for every feature. Each feature is divided by its standard deviation across the units of
that year, so population (hundreds of thousands) and a share (percent) weigh the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from integrationsregion.store import Store

# (indicator, breakdown) pairs that define "similar"
DEFAULT_FEATURES: tuple[tuple[str, str], ...] = (("population", "total"), ("foreign_share", "foreign"))
DEFAULT_COUNT = 3


@dataclass(frozen=True)
class PeerChoice:
    """Peers of one unit, how far each is, and the data the choice rests on."""

    unit: str
    peers: tuple[str, ...]
    distances: dict[str, float]
    year: int | None
    features: tuple[tuple[str, str], ...]


def standardised_distances(table: pd.DataFrame, target: str) -> pd.Series:
    """Distance of every row of `table` (index = AGS, one column per feature) to row `target`.

    Rows with a gap in any feature are left out. Features without spread are ignored.
    """
    complete = table.dropna()
    if target not in complete.index:
        return pd.Series(dtype=float)
    spread = complete.std(ddof=0)
    usable = [c for c in complete.columns if spread[c] > 0 and not math.isnan(spread[c])]
    if not usable:
        return pd.Series(0.0, index=complete.index.drop(target))
    z = complete[usable] / spread[usable]
    diff = z - z.loc[target]
    dist = (diff**2).sum(axis=1) ** 0.5
    return dist.drop(target)


def nearest(table: pd.DataFrame, target: str, count: int = DEFAULT_COUNT) -> list[tuple[str, float]]:
    """The `count` rows closest to `target` (ties broken by table order)."""
    dist = standardised_distances(table, target)
    order = {a: n for n, a in enumerate(table.index)}
    ranked = sorted(dist.items(), key=lambda item: (item[1], order[item[0]]))
    return [(a, float(d)) for a, d in ranked[:count]]


def feature_table(
    store: Store, year: int, features: Sequence[tuple[str, str]] = DEFAULT_FEATURES
) -> pd.DataFrame:
    """The 15 units × features for one year (gaps stay NaN)."""
    columns = {}
    for indicator, breakdown in features:
        cs = store.cross_section(indicator, year, breakdown)
        columns[f"{indicator}/{breakdown}"] = cs.set_index("region")["value"]
    return pd.DataFrame(columns)


def common_year(
    store: Store,
    unit: str,
    features: Sequence[tuple[str, str]] = DEFAULT_FEATURES,
    count: int = DEFAULT_COUNT,
) -> int | None:
    """Latest year in which `unit` and at least `count` other units have every feature."""
    years = set.intersection(*(set(store.years(i, b)) for i, b in features))
    for year in sorted(years, reverse=True):
        complete = feature_table(store, year, features).dropna()
        if unit in complete.index and len(complete) > count:
            return year
    return None


def default_peers(
    store: Store,
    unit: str,
    count: int = DEFAULT_COUNT,
    features: Sequence[tuple[str, str]] = DEFAULT_FEATURES,
) -> PeerChoice:
    """The `count` units most similar to `unit`; no peers when there is no common year."""
    year = common_year(store, unit, features, count)
    if year is None:
        return PeerChoice(unit, (), {}, None, tuple(features))
    found = nearest(feature_table(store, year, features), unit, count)
    return PeerChoice(unit, tuple(a for a, _ in found), dict(found), year, tuple(features))
