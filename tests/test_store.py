"""The store answers the pages' questions; checked on the fixture snapshot built in code."""

from __future__ import annotations

import math

import pytest

from integrationsregion.store import UnknownSelection
from tests import fixtures, properties

pytestmark = pytest.mark.unit


def test_the_fixture_snapshot_has_every_property_a_user_relies_on(fixture_store, fixture_dir):
    properties.assert_store_properties(fixture_store, fixture_dir)


def test_a_gap_year_stays_a_gap(fixture_store):
    gap = fixtures.GAP_YEAR
    assert gap not in fixture_store.years("unemployment_rate", "total")
    before, after = gap - 1, gap + 1
    assert {before, after} <= set(fixture_store.years("unemployment_rate", "total"))
    series = fixture_store.series("unemployment_rate", ["05513"], "total")
    assert gap not in set(series["year"])  # no row: a chart leaves the gap open
    cs = fixture_store.cross_section("unemployment_rate", gap, "total")
    assert len(cs) == 15 and cs["value"].isna().all()  # every unit listed, none with a made-up value


def test_a_single_missing_unit_is_no_data_not_zero(fixture_store):
    cs = fixture_store.cross_section("unemployment_rate", 2021, "foreign").set_index("region")
    assert math.isnan(cs.loc["05916", "value"])  # Herne
    assert cs["value"].drop("05916").notna().all()
    assert fixture_store.value("05916", "unemployment_rate", 2021, "foreign") is None


def test_references_are_ruhr_nrw_germany_in_that_order_where_they_exist(fixture_store):
    assert list(fixture_store.references("unemployed", 2019)["region"]) == ["RVR"]
    assert list(fixture_store.references("unemployment_rate", 2019)["region"]) == ["05", "DG"]  # no Ruhr rate
    assert fixture_store.references("unemployment_rate", 2019, "foreign").empty


def test_a_derived_value_is_labelled_derived(fixture_store):
    ruhr = fixture_store.value("RVR", "unemployed", 2019)
    assert ruhr["quality"] == "derived"
    assert "eigene Berechnung" in ruhr["source_label"] and "eigene Berechnungen" in ruhr["attribution"]
    units = fixture_store.cross_section("unemployed", 2019)["value"]
    assert ruhr["value"] == units.sum()


def test_official_beats_secondary_and_a_secondary_value_says_so(fixture_store):
    ags, indicator, year = fixtures.BOTH_QUALITIES
    assert fixture_store.value(ags, indicator, year)["quality"] == "official"
    ags, indicator, year = fixtures.SECONDARY_ONLY
    only = fixture_store.value(ags, indicator, year)
    assert only["quality"] == "secondary" and "Sekundärquelle" in only["source_label"]
    # no Ruhr sum where a unit has only a secondary value
    assert fixture_store.value("RVR", indicator, year) is None


def test_rank_follows_the_polarity_and_names_it(fixture_store):
    cs = fixture_store.cross_section("unemployment_rate", 2019).dropna(subset=["value"])
    lowest = cs.sort_values("value").iloc[0]["region"]
    rank = fixture_store.rank(lowest, "unemployment_rate", 2019)
    assert (rank.position, rank.of) == (1, 15)
    assert rank.text == "Rang 1 von 15 (Rang 1 = niedrigster Wert)"
    pop = fixture_store.cross_section("population", 2019).dropna(subset=["value"])
    largest = pop.sort_values("value").iloc[-1]["region"]
    assert fixture_store.rank(largest, "population", 2019).wording == "Rang 1 = höchster Wert"


def test_no_rank_when_fewer_than_ten_units_have_a_value(fixture_store):
    for ags in fixtures.FEW_UNITS:
        assert fixture_store.rank(ags, "pupils_foreign_share", 2019, "foreign") is None
    assert fixture_store.rank("05916", "unemployment_rate", 2021, "foreign") is None  # no value itself
    assert fixture_store.rank("05112", "unemployment_rate", 2021, "foreign").of == 14


def test_latest_is_the_row_in_force(fixture_store):
    assert fixture_store.latest("05", "fluag_flat_rate_month_kreisfrei")["year"] == 2023
    assert fixture_store.latest("05", "fluag_flat_rate_month_kreisfrei", until=2022)["year"] == 2021
    assert fixture_store.latest("05", "fluag_flat_rate_month_kreisfrei", until=2020) is None


def test_profile_has_latest_values_ranks_and_references(fixture_store):
    profile = fixture_store.profile("05513").set_index(["indicator", "breakdown"])
    rate = profile.loc[("unemployment_rate", "total")]
    assert rate["year"] == max(fixture_store.years("unemployment_rate", "total"))
    assert 1 <= rate["rank"] <= rate["ranked"] == 15
    assert rate["rank_wording"] == "Rang 1 = niedrigster Wert"
    assert rate["ref_05"] == fixture_store.value("05", "unemployment_rate", int(rate["year"]))["value"]
    assert math.isnan(profile.loc[("pupils_foreign_share", "foreign"), "rank"])  # too few units ranked
    assert set(profile.index.get_level_values("indicator")) <= {
        i.id for i in fixture_store.catalogue.all() if i.kind == "statistic"
    }


def test_a_gemeinde_has_its_own_rows_or_none(fixture_store):
    assert list(fixture_store.region_rows("05170008")["indicator"]) == ["population"]
    assert fixture_store.region_rows("05170044").empty


def test_provenance_names_table_stand_and_link(fixture_store):
    prov = fixture_store.provenance("05513", "unemployment_rate", 2019, "total")
    assert prov["table_code"] == "T-unemployment_rate"
    assert prov["stand"] and prov["portal_url"].startswith("https://")
    assert fixture_store.provenance("05513", "unemployment_rate", fixtures.GAP_YEAR, "total") is None


def test_licences_list_every_line_once(fixture_store):
    lic = fixture_store.licences()
    assert not lic.duplicated(["licence", "attribution"]).any()
    assert lic["indicators"].sum() >= len({i.id for i in fixture_store.catalogue.all()})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.cross_section("nope", 2019), "Unbekannter Indikator"),
        (lambda s: s.cross_section("unemployment_rate", 2019, "martian"), "Aufschlüsselung"),
        (lambda s: s.series("unemployment_rate", ["12345"]), "Gebietsschlüssel"),
        (lambda s: s.profile("12345"), "Gebietsschlüssel"),
        (lambda s: s.region_rows("12345"), "Gebietsschlüssel"),
    ],
)
def test_unknown_selections_raise_a_german_message(fixture_store, call, message):
    with pytest.raises(UnknownSelection, match=message):
        call(fixture_store)
