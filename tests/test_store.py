"""The store answers the pages' questions from the real committed snapshot."""

from __future__ import annotations

import math

import pytest

from integrationsregion.store import UnknownSelection


def test_cross_section_lists_all_15_units_and_keeps_gaps(store):
    cs = store.cross_section("unemployment_rate", 2017, "foreign")
    assert len(cs) == 15
    assert cs["value"].isna().all()  # 2017 foreigners' rate is not published at Kreis level
    full = store.cross_section("unemployment_rate", 2019, "foreign")
    assert full["value"].notna().all()
    assert full["source_label"].str.contains("13211-02-05-4").all()


def test_cross_section_value_matches_the_reference_row(store):
    obs = store.observations
    row = obs[
        (obs["region"] == "05513")
        & (obs["indicator"] == "unemployment_rate")
        & (obs["breakdown"] == "foreign")
        & (obs["year"] == 2019)
    ].iloc[0]
    cs = store.cross_section("unemployment_rate", 2019, "foreign").set_index("region")
    assert cs.loc["05513", "value"] == row["value"]


def test_references_give_ruhr_nrw_germany_where_they_exist(store):
    refs = store.references("unemployed", 2019, "total")
    assert list(refs["region"]) == ["RVR", "05", "DG"]
    assert refs.set_index("region").loc["RVR", "quality"] == "derived"
    assert list(store.references("unemployment_rate", 2019, "total")["region"]) == ["05", "DG"]


def test_years_only_lists_years_with_unit_data(store):
    years = store.years("unemployment_rate", "foreign")
    assert 2017 not in years and 2018 not in years and 2019 in years
    assert 2021 not in store.years("unemployment_rate", "total")


def test_series_keeps_gaps_as_missing_years(store):
    series = store.series("unemployment_rate", ["05513", "05916"], "foreign")
    gelsenkirchen = series[series["region"] == "05513"]
    assert 2017 not in set(gelsenkirchen["year"])
    assert list(series["region"].unique()) == ["05513", "05916"]


def test_one_shown_value_per_year_prefers_official_and_latest_date(store):
    obs = store.observations
    nrw = obs[(obs["region"] == "05") & (obs["indicator"] == "tolerated_persons")]
    assert nrw["year"].is_unique
    shown_2016 = nrw[nrw["year"] == 2016].iloc[0]
    assert shown_2016["quality"] == "official"


def test_rank_orders_the_15_units_by_value(store):
    cs = store.cross_section("unemployment_rate", 2019, "total").dropna(subset=["value"])
    best = cs.sort_values("value").iloc[0]["region"]  # lower is better
    rank = store.rank(best, "unemployment_rate", 2019)
    assert (rank.position, rank.of, rank.wording) == (1, 15, "Rang 1 = niedrigster Wert")


def test_profile_has_latest_values_ranks_and_references(store):
    profile = store.profile("05513").set_index(["indicator", "breakdown"])
    ur = profile.loc[("unemployment_rate", "foreign")]
    assert ur["year"] == max(store.years("unemployment_rate", "foreign"))
    assert 1 <= ur["rank"] <= ur["ranked"] <= 15
    assert not math.isnan(ur["ref_05"])


def test_coverage_matrix_shows_gaps(store):
    cov = store.coverage(["unemployment_rate"])
    assert cov.loc[("unemployment_rate", "foreign", "05513"), 2017] == 0
    assert cov.loc[("unemployment_rate", "foreign", "05513"), 2019] == 1


def test_provenance_names_table_stand_and_url(store):
    prov = store.provenance("05513", "unemployment_rate", 2019, "foreign")
    assert prov["table_code"] == "13211-02-05-4"
    assert prov["stand"] == "2021-08-17"
    assert prov["portal_url"].startswith("https://www.regionalstatistik.de/")
    assert store.provenance("05513", "unemployment_rate", 2017, "foreign") is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.cross_section("nope", 2019), "Unbekannter Indikator"),
        (lambda s: s.cross_section("unemployment_rate", 2019, "martian"), "Aufschlüsselung"),
        (lambda s: s.series("unemployment_rate", ["12345"]), "Gebietsschlüssel"),
        (lambda s: s.profile("12345"), "Gebietsschlüssel"),
    ],
)
def test_unknown_selections_raise_a_german_message(store, call, message):
    with pytest.raises(UnknownSelection, match=message):
        call(store)
