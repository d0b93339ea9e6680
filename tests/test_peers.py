"""Default peers: standardised Euclidean distance on size and foreign share, latest common year (fixture)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from integrationsregion import peers

pytestmark = pytest.mark.unit


def _toy() -> pd.DataFrame:
    # hand-made: A is the target; B is close in both features, C close in one, D far, E has a gap
    return pd.DataFrame(
        {"size": [100.0, 110.0, 100.0, 400.0, 105.0], "share": [10.0, 11.0, 30.0, 40.0, None]},
        index=["A", "B", "C", "D", "E"],
    )


def test_distances_are_standardised_euclidean_and_skip_gaps():
    table = _toy()
    dist = peers.standardised_distances(table, "A")
    assert "A" not in dist.index and "E" not in dist.index  # target and the unit with a gap
    complete = table.dropna()
    sd = complete.std(ddof=0)
    for ags in ["B", "C", "D"]:
        expected = math.sqrt(
            sum(((complete.loc[ags, c] - complete.loc["A", c]) / sd[c]) ** 2 for c in complete.columns)
        )
        assert math.isclose(dist[ags], expected)


def test_nearest_orders_by_distance_and_limits_the_count():
    found = peers.nearest(_toy(), "A", 2)
    assert [a for a, _ in found] == ["B", "C"]
    assert found[0][1] <= found[1][1]


def test_target_without_data_has_no_peers():
    assert peers.nearest(_toy(), "E") == []


def test_default_peers_use_the_latest_common_year(fixture_store):
    choice = peers.default_peers(fixture_store, "05513")
    years = set(fixture_store.years("population", "total")) & set(
        fixture_store.years("foreign_share", "foreign")
    )
    assert choice.year == max(years)
    assert len(choice.peers) == peers.DEFAULT_COUNT
    assert "05513" not in choice.peers
    assert set(choice.peers) <= {r.ags for r in fixture_store.regions.units()}
    distances = [choice.distances[a] for a in choice.peers]
    assert distances == sorted(distances)


def test_default_peers_are_the_closest_units_recomputed_from_the_store(fixture_store):
    choice = peers.default_peers(fixture_store, "05913")
    pop = fixture_store.cross_section("population", choice.year, "total").set_index("region")["value"]
    share = fixture_store.cross_section("foreign_share", choice.year, "foreign").set_index("region")["value"]
    sd_pop, sd_share = pop.std(ddof=0), share.std(ddof=0)
    dist = {
        a: math.hypot((pop[a] - pop["05913"]) / sd_pop, (share[a] - share["05913"]) / sd_share)
        for a in pop.index
        if a != "05913"
    }
    expected = sorted(dist, key=dist.get)[: peers.DEFAULT_COUNT]
    assert list(choice.peers) == expected


def test_every_unit_gets_peers(fixture_store):
    for unit in fixture_store.regions.units():
        assert len(peers.default_peers(fixture_store, unit.ags).peers) == peers.DEFAULT_COUNT
