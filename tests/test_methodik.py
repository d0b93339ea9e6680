"""The Daten & Methodik view model on the snapshot built in code: what the page's tables say, without AppTest.

Properties a user would notice: the search finds by table code, a coverage mark stands exactly where a value
exists, the counts match the values, every licence line of the data is listed.
"""

from __future__ import annotations

import pytest

from integrationsregion import formatting as fmt
from integrationsregion.catalogue import indicator_label
from integrationsregion.views import methodik as model

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def store(fixture_store):
    return fixture_store


def test_catalogue_table_has_every_indicator_with_the_catalogue_labels(store):
    table = model.catalogue_table(store).set_index("id")
    assert list(table.index) == [i.id for i in store.catalogue.all()]
    for ind in store.catalogue.all():
        row = table.loc[ind.id]
        assert row["Einheit"] == store.catalogue.units[ind.unit].label
        assert row["Aufschlüsselungen"] == ", ".join(store.catalogue.breakdowns[b] for b in ind.breakdowns)
        assert row["Thema"] == store.catalogue.themes[ind.theme]
    assert set(model.CATALOGUE_COLUMNS) <= set(table.columns)


def test_search_needs_every_word_and_finds_table_codes(store):
    table = model.catalogue_table(store)
    assert len(model.search(table, "  ")) == len(table)
    found = model.search(table, "T-unemployment_rate")
    assert list(found["id"]) == ["unemployment_rate"]
    assert model.search(table, "Arbeitsmarkt RATE")["id"].tolist() == ["unemployment_rate"]
    assert model.search(table, "arbeitsmarkt kein-solches-wort").empty


def test_entry_picker_keeps_the_chosen_indicator_when_the_search_hides_it():
    assert model.entry_choices(["b"], ["a", "b", "c"], "a") == ["a", "b"]
    assert model.entry_choices([], ["a", "b"], "b") == ["a", "b"]


def test_coverage_grid_marks_exactly_the_cells_with_a_value(store):
    grid = model.coverage_grid(store, "unemployment_rate", "foreign")
    values = store.indicator_rows("unemployment_rate", "foreign")
    names = {store.regions.display_name(a): a for a in values["region"]}
    for name, row in grid.iterrows():
        for year, mark in row.items():
            present = ((values["region"] == names.get(name)) & (values["year"] == int(year))).any()
            assert (mark != fmt.DASH) == present, (name, year)


def test_coverage_overview_counts_the_units_with_a_value(store):
    overview = model.coverage_overview(store)
    units = len(store.regions.units())
    ind = store.catalogue["unemployment_rate"]
    row = overview.set_index("Indikator").loc[indicator_label(ind, "foreign")]
    for year in store.years(ind.id, "foreign"):
        have = int(store.cross_section(ind.id, year, "foreign")["value"].notna().sum())
        assert row[str(year)] == (fmt.DASH if have == 0 else f"{have}/{units}")
    assert "id" not in overview.columns and "breakdown" not in overview.columns


def test_every_licence_line_of_the_data_is_listed(store):
    listed = set(model.licence_lines(store)["Namensnennung"])
    shown = {a for i in store.catalogue.all() for a in store.indicator_rows(i.id)["attribution"] if a}
    assert shown <= listed
