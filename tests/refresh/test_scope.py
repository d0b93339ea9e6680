"""Which rows the update refreshes: BA figures published in the Regionaldatenbank do, the BA's own tool does not."""

from __future__ import annotations

from integrationsregion.catalogue import Catalogue
from integrationsregion.genesis.scope import manual_rows, refreshed_by
from integrationsregion.genesis.update import TABLES_FILE, load_specs
from integrationsregion.regions import RegionRegistry
from integrationsregion.snapshot import read_observations
from tests.conftest import DATA_DIR, REPO_DIR


def test_ba_rows_without_a_refresh_path_are_listed():
    specs, defaults = load_specs(REPO_DIR / TABLES_FILE)
    observations = read_observations(DATA_DIR / "observations.csv")
    catalogue = Catalogue.load(DATA_DIR)
    regions = RegionRegistry.load(DATA_DIR)
    manual = manual_rows(observations, catalogue, regions, REPO_DIR / TABLES_FILE)
    ba_tool = observations[observations.source_label.str.contains("BA interaktive Statistik")]
    listed = manual[manual["source_label"].str.contains("BA interaktive Statistik")]
    # Employment rates by nationality exist only in the BA's interactive statistics: listed as manual.
    assert set(ba_tool[ba_tool.indicator == "employment_rate"].indicator) <= set(listed["indicator"])
    # Germany's foreign unemployed come through the Regionaldatenbank (13211-02-05-4, level DINSG).
    covered = refreshed_by(specs, defaults["units"], catalogue)
    assert covered[("unemployed", "foreign", "DG")] == "13211-02-05-4"
    assert not [r for r in manual.itertuples() if r.indicator == "unemployed" and "DG" in r.regions]
    assert covered[("employees_svb_workplace", "total", "RVR")] == "13111-01-03-4"
    assert covered[("share_foreign_among_employees_svb_workplace", "foreign", "05112")] == "13111-01-03-4"
    # The Gemeinde tables refresh the Gemeinde layer.
    gemeinde_rows = manual[manual["indicator"] == "employees_svb_workplace"]
    assert not [r for r in gemeinde_rows.itertuples() if any(len(a) == 8 for a in r.regions)]


def test_methodik_lists_the_values_only_a_person_can_refresh():
    from integrationsregion.store import Store
    from integrationsregion.views import methodik

    table = methodik.manual_refresh(Store.load(DATA_DIR))
    ba = table[table["Quelle"].str.contains("BA interaktive Statistik")]
    assert ba["Reihe"].str.contains("Beschäftigungsquote").any()
    assert ba["Gebiete"].str.contains("Nordrhein-Westfalen|Deutschland").all()
