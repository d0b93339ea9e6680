"""Coverage of the (unit × year) grid: what `integrationsregion coverage`, Start and Methodik show."""

from __future__ import annotations

import pytest

from integrationsregion import cli
from integrationsregion.catalogue import Catalogue
from integrationsregion.coverage import YEARS, by_theme, coverage
from integrationsregion.regions import RegionRegistry
from integrationsregion.snapshot import OBSERVATIONS, read_observations, write_snapshot_atomic
from integrationsregion.store import Store

pytestmark = pytest.mark.snapshot


@pytest.fixture(scope="module")
def table(store):
    return coverage(store)


def test_never_published_years_are_not_counted_as_missing(table, store):
    rate = table[(table["indicator"] == "unemployment_rate") & (table["breakdown"] == "foreign")].iloc[0]
    never = store.catalogue["unemployment_rate"].unpublished_years["foreign"]
    assert set(never) <= set(rate["never_published"])
    assert rate["possible"] == (len(YEARS) - len(rate["never_published"])) * 15
    assert not any(h.startswith(str(y)) for y in never for h in rate["holes"])


def test_theme_and_overall_shares_add_up(table):
    themes = by_theme(table)
    total = themes.iloc[-1]
    assert total["theme_label"] == "Insgesamt"
    assert total["filled"] == table["filled"].sum() and total["possible"] == table["possible"].sum()
    assert set(themes["theme"][:-1]) == set(table["theme"])
    assert ((themes["share"] >= 0) & (themes["share"] <= 1)).all()


def test_a_removed_value_becomes_a_listed_hole(data_copy):
    obs = read_observations(data_copy / OBSERVATIONS)
    keep = ~((obs["indicator"] == "unemployment_rate") & (obs["region"] == "05112") & (obs["year"] == 2016))
    write_snapshot_atomic(obs[keep], data_copy, RegionRegistry.load(data_copy), Catalogue.load(data_copy))
    row = (
        coverage(Store.load(data_copy))
        .set_index(["indicator", "breakdown"])
        .loc[("unemployment_rate", "total")]
    )
    assert "2016: 14/15" in row["holes"]
    assert row["filled"] == row["possible"] - 1


def test_cli_prints_german_shares_per_theme_and_series(capsys):
    assert cli.main(["coverage"]) == 0
    out = capsys.readouterr().out
    assert "Insgesamt:" in out and " %" in out
    assert "nie veröffentlicht: 2017, 2018" in out
