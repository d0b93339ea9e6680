"""View models without AppTest: what each page would show, as plain data and figures.

Assertions are properties a user would notice (a count never beside NRW/Germany, rank 1 is the most
favourable value, a Gemeinde key of a kreisfreie Stadt is the city), not which years exist today.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit import config as st_config

from integrationsregion import catalogue, compare, export, formatting
from integrationsregion.store import MIN_RANKED, Store
from integrationsregion.ui import links
from integrationsregion.views import common, methodik, start, steckbrief, theme, vergleich
from tests import fixtures
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def store(fixture_store):
    """The small snapshot built in code (tests/fixtures.py): more data cannot break these tests."""
    return fixture_store


@pytest.fixture(scope="module")
def herne(store) -> pd.DataFrame:
    return steckbrief.profile(store, "05916")


# ---------------------------------------------------------------------- common
def test_reference_names_come_from_the_region_registry(store):
    assert common.reference_names(store.regions) == {"RVR": "Ruhr", "05": "NRW", "DG": "Deutschland"}


# ---------------------------------------------------------------------- Steckbrief
def test_steckbrief_counts_have_no_nrw_or_germany_reference(store, herne):
    counts = herne[herne["is_count"]]
    assert len(counts)
    assert counts["ref_05"].isna().all() and counts["ref_DG"].isna().all()
    rates = herne[~herne["is_count"]]
    assert rates["ref_05"].notna().any()


def test_steckbrief_ranks_only_over_at_least_ten_units(herne):
    ranked = herne.dropna(subset=["rank"])
    assert (ranked["ranked"] >= MIN_RANKED).all()
    assert (ranked["rank"] >= 1).all() and (ranked["rank"] <= ranked["ranked"]).all()


def test_steckbrief_tables_keep_values_numeric_population_first(store, herne):
    parts = steckbrief.theme_tables(store, herne)
    assert parts[0].theme == "bevoelkerung"
    for part in parts:
        assert pd.api.types.is_float_dtype(part.table["Wert"])
        assert len(part.decimals) == len(part.table)
        assert part.table["Stand"].map(lambda s: s == formatting.STAND_MISSING or s.count(".") == 2).all()


def test_steckbrief_table_says_each_comparison_in_a_few_words(store, herne):
    table = pd.concat([p.table for p in steckbrief.theme_tables(store, herne)], ignore_index=True)
    rows = herne.set_index("label").loc[table["Indikator"]]
    assert (table.loc[rows["is_count"].to_numpy(), "Vergleich"] == "Zählwert").all()
    compared = table[rows["basis"].notna().to_numpy()]
    assert len(compared)
    assert compared["Vergleich"].str.contains(r"\b(?:Ruhr|NRW)\b").all()
    assert compared["Vergleich"].str.len().max() <= 45  # two or three lines in the table


def test_steckbrief_trend_is_the_latest_run_of_consecutive_years_never_across_a_gap():
    # 2016 and 2017 are missing: the line is 2018–2020, not 2015–2020; a lone last year draws none
    assert compare.latest_run([2014, 2015, 2018, 2019, 2020], [1.0, 2.0, 3.0, 4.0, 5.0]) == (
        [2018, 2019, 2020],
        [3.0, 4.0, 5.0],
    )
    assert compare.latest_run([2014, 2015, 2020], [1.0, 2.0, 3.0]) == ([2014, 2015], [1.0, 2.0])
    assert compare.latest_run([2019, 2021], [1.0, 2.0]) == ([], [])


def test_steckbrief_gemeinde_of_a_kreisfreie_stadt_is_the_city():
    committed = Store.load(DATA_DIR)  # regions.csv: Herne's Gemeinde key is the city's
    place = steckbrief.resolve(committed, "05916000")
    assert place.same_area and place.shown.ags == "05916"


def test_steckbrief_gemeinde_shows_own_old_values_or_says_there_are_none(store):
    gemeinde = next(m for m in store.regions.municipalities() if store.regions[m.parent_ags].kind == "kreis")
    place = steckbrief.resolve(store, gemeinde.ags)
    if place.gemeinde_values:
        rows = steckbrief.profile(store, gemeinde.ags)
        assert len(rows) and place.shown.ags == gemeinde.ags and "alte Zahlen" in place.note
    else:
        assert place.shown.ags == gemeinde.parent_ags and "keine Werte auf Gemeindeebene" in place.note


def test_steckbrief_cards_and_download_name(store, herne):
    cards = steckbrief.card_rows(herne, common.reference_names(store.regions))
    assert len(cards) == len(herne)
    assert all(c["title"] and c["value"] and c["source"] for c in cards)
    title = steckbrief.file_title(herne, store.regions["05916"])
    assert title.startswith("Steckbrief Herne ") and formatting.year_range(herne["year"].tolist()) in title


# ---------------------------------------------------------------------- Vergleich
def test_vergleich_count_chart_has_no_reference_bars(store):
    year = store.years("population")[-1]
    chart = vergleich.chart(store, "population", "total", year, ["05916", "05913"])
    bars = chart.figure.data[0].x
    assert "NRW" not in bars and "Deutschland" not in bars and "Herne" in bars
    assert "Zählwerte" in chart.source and "Quelle:" in chart.source


def test_vergleich_rate_chart_shows_references(store):
    year = next(
        y
        for y in reversed(store.years("unemployment_rate", "total"))
        if "05" in set(store.references("unemployment_rate", y, "total")["region"])
    )
    chart = vergleich.chart(store, "unemployment_rate", "total", year, ["05916"])
    assert "NRW" in chart.figure.data[0].x


def test_vergleich_table_numeric_without_totals_beside_counts(store):
    result = vergleich.table(store, ["05916", "05913"], [])
    frame = result.frame
    assert not frame["Indikator"].duplicated().any()
    counts = [store.catalogue.units[u].count for u in result.units]
    assert frame.loc[counts, ["NRW", "Deutschland"]].isna().all().all()
    assert all(pd.api.types.is_numeric_dtype(frame[c]) for c in result.value_columns)


def test_vergleich_default_is_a_rate(store):
    assert not store.catalogue[vergleich.default_indicator(store)].is_count


# ---------------------------------------------------------------------- theme pages
def test_theme_default_falls_back_to_a_rate_with_data(store):
    chosen = store.catalogue[theme.default_indicator(store, "arbeitsmarkt", "gibt_es_nicht")]
    assert theme.has_kreis_data(store, chosen) and not chosen.is_count


def test_theme_unit_summary_words_rank_by_polarity(store):
    ind = store.catalogue["unemployment_rate"]
    years = store.years(ind.id, "foreign")
    view = theme.View("arbeitsmarkt", ind, "foreign", years[-1], "05916", tuple(years))
    summary = theme.unit_summary(store, view)
    assert summary is not None and "Herne" in summary.label and str(years[-1]) in summary.label
    if "Rang" in summary.caption:
        assert store.catalogue.polarities["lower_better"].rank in summary.caption


def test_theme_count_figures_carry_no_nrw_line(store):
    year = store.years("population")[-1]
    fig = theme.ranking_figure(store, "population", "total", year, None)
    names = " ".join(str(t.name) for t in fig.data)
    assert "NRW" not in names and "Deutschland" not in names


def test_theme_download_title_names_the_real_year_range(store):
    ind = store.catalogue["unemployment_rate"]
    series = store.series(ind.id, ["05916"], "foreign")
    view = theme.View("arbeitsmarkt", ind, "foreign", None, None, ())
    title = theme.download_title(view, [series])
    assert title.endswith(formatting.year_range(series["year"].tolist()))


# ---------------------------------------------------------------------- Methodik, Start
def test_methodik_vintages_are_dates_newest_first():
    manifest = {"vintages": {"A 1": "2019-02-28", "B 2": "2025-03-13", "C 3": "2021-08-17"}}
    table = methodik.vintages(manifest)
    assert list(table["Quelle"]) == ["B 2", "C 3", "A 1"]
    stands = [d for d in table["Stand der Tabelle"] if d is not None]
    assert stands and all(isinstance(d, date) for d in stands)
    assert stands == sorted(stands, reverse=True)


def test_methodik_source_line_shows_the_newest_stand(store):
    ind = store.catalogue["unemployment_rate"]
    values = pd.concat([methodik.rows(store, ind.id, b) for b in ind.breakdowns])
    for src, line in zip(ind.sources, methodik.source_lines(store, ind), strict=True):
        days = [
            d for d in map(formatting.parse_day, values.loc[values["table_code"] == src.table, "stand"]) if d
        ]
        if src.table and days:
            assert f"Stand {formatting.day(max(days))}" in line


def test_methodik_snapshot_line_has_no_hash(store):
    assert "SHA" not in methodik.snapshot_line(store.manifest)


def test_start_coverage_lists_every_statistic(store):
    listed = sum(len(rows) for rows in start.coverage_by_theme(store).values())
    assert listed == sum(1 for i in store.catalogue.all() if i.kind == "statistic")


# ---------------------------------------------------------------------- links
def test_links_carry_the_base_path():
    before = st_config.get_option("server.baseUrlPath")
    try:
        st_config.set_option("server.baseUrlPath", "integration/")
        assert links.methodik_link("unemployment_rate") == "/integration/methodik?indikator=unemployment_rate"
        assert links.page_url("start") == "/integration/"
        st_config.set_option("server.baseUrlPath", "")
        assert links.page_url("vergleich", einheit="05916") == "/vergleich?einheit=05916"
    finally:
        st_config.set_option("server.baseUrlPath", before)


def test_theme_default_is_the_rate_of_a_preferred_count(store):
    count = store.catalogue["rejected_protection_status_with_duldung"]
    rate = theme.rate_for(store, count, "total")
    chosen = theme.default_indicator(store, "geduldete", count.id)
    if rate is None:
        assert chosen == count.id
    else:
        assert chosen == rate.id and not rate.is_count


def test_gemeinde_map_one_value_per_area_kreisfreie_cities_show_the_city_value():
    committed = Store.load(DATA_DIR)
    ind = committed.catalogue["population"]
    years = theme.gemeinde_years(committed, ind, "total")
    assert years, "the Gemeinde layer has population figures"
    values = theme.gemeinde_values(committed, ind.id, "total", years[-1]).set_index("ags")
    assert len(values) == len(committed.regions.municipalities()) and not values.index.duplicated().any()
    city = committed.value("05916", ind.id, years[-1])
    assert city is not None and values.loc["05916000", "value"] == city["value"]
    fig = theme.gemeinde_map_figure(committed, ind.id, "total", years[-1], "app/static/geo/gemeinden.geojson")
    assert "Gemeinden" in fig.layout.title.text


# ---------------------------------------------------------------------- rounded zeros, own calculations
def test_a_rounded_zero_reads_gerundet_0_in_the_steckbrief_and_is_not_ranked(store):
    hamm = steckbrief.profile(store, fixtures.ROUNDED_ZERO_UNIT)
    row = hamm[hamm["indicator"] == "rejected_protection_status_with_duldung"].iloc[0]
    assert formatting.is_missing(row["rank"])
    card = next(
        c
        for c in steckbrief.card_rows(hamm, common.reference_names(store.regions))
        if c["title"] == row["label"]
    )
    assert card["value"] == "gerundet 0" and card["rank"] == ""
    assert (
        "kein echter Nullwert" in card["quality"] and "Summe der auf 5 gerundeten Zellen" in card["quality"]
    )
    part = next(p for p in steckbrief.theme_tables(store, hamm) if p.theme == "geduldete")
    n = list(part.table["indicator"]).index("rejected_protection_status_with_duldung")
    assert part.rounded_zeros[n] == ["Wert"]
    assert part.table.loc[n, "Qualität"].startswith("eigene Berechnung aus amtlichen Werten: Summe")
    assert "gerundet 0" in part.table.loc[n, "Qualität"]


def test_a_rounded_zero_reads_gerundet_0_in_the_theme_summary(store):
    ind = store.catalogue["rejected_protection_status_with_duldung"]
    view = theme.View("geduldete", ind, "total", 2023, fixtures.ROUNDED_ZERO_UNIT, (2023,))
    summary = theme.unit_summary(store, view)
    assert summary.value == "gerundet 0"
    assert "kein echter Nullwert" in summary.caption


def test_source_lines_name_formulas_roundings_and_mixed_publications():
    rows = pd.DataFrame(
        {
            "value": [1.0, 2.0, None],
            "quality": ["derived", "official", "derived"],
            "formula": ["A / B × 1.000", "", "C / D"],
            "rounding": ["from_rounded", "", "sum_of_rounded"],
            "mixed_vintage": ["", "Reihe aus mehreren Veröffentlichungen: X (2019); Y (2020)", ""],
        }
    )
    notes = common.provenance_notes(rows)
    assert "eigene Berechnung: A / B × 1.000" in notes
    assert not any("C / D" in n for n in notes)  # a gap has no formula to explain
    assert any(n.startswith("aus gerundeten Zählwerten berechnet") for n in notes)
    assert any("mehreren Veröffentlichungen" in n for n in notes)


def _theme_download(store, indicator_id: str, breakdown: str, year: int) -> pd.DataFrame:
    """The rows a theme page offers for download, put together as the page does (map, ranking, series)."""
    ind = store.catalogue[indicator_id]
    frames = [
        store.cross_section(indicator_id, year, breakdown),
        theme.references_for(store, ind, year, breakdown),
        store.series(indicator_id, theme.series_regions(store, ind), breakdown),
    ]
    return export.tidy(theme.tidy_frame(frames, ind, breakdown), store.catalogue)


def test_theme_download_holds_the_references_the_view_shows(store):
    year = store.years("unemployment_rate", "total")[-1]
    rate = _theme_download(store, "unemployment_rate", "total", year)
    shown_refs = set(store.references("unemployment_rate", year, "total")["region"])
    assert shown_refs and shown_refs <= set(rate["AGS"])
    count = _theme_download(store, "unemployed", "total", store.years("unemployed", "total")[-1])
    assert not {"05", "DG"} & set(count["AGS"])  # a count's NRW/Germany totals are neither shown nor exported
    assert all(isinstance(s, date) or s == "nicht angegeben" for s in rate["Stand"])


def test_a_rounded_zero_reads_gerundet_0_in_the_vergleich_table_and_cards(store):
    units = [fixtures.ROUNDED_ZERO_UNIT, "05916"]
    result = vergleich.table(store, units, [("rejected_protection_status_with_duldung", "total", 2023)])
    n = list(result.frame["Indikator"]).index(
        catalogue.indicator_label(store.catalogue["rejected_protection_status_with_duldung"], "total")
    )
    assert result.rounded_zeros[n] == ["Hamm"]
    card = vergleich.cards(result)[n]
    assert card["value"] == "Hamm: gerundet 0" and "Herne: 0" not in card["chips"]


def test_a_rounded_zero_has_no_bar_in_the_vergleich_chart(store):
    units = [fixtures.ROUNDED_ZERO_UNIT, "05916"]
    chart = vergleich.chart(store, "rejected_protection_status_with_duldung", "total", 2023, units)
    bars = chart.figure.data[0]
    hamm = list(bars.x).index("Hamm")
    assert bars.text[hamm] == "gerundet 0" and bars.marker.opacity[hamm] == 0.0
    assert bars.marker.opacity[list(bars.x).index("Herne")] == 1.0
    assert "gerundet 0 (alle Zellen auf 0 gerundet, nicht vergleichbar): Hamm" in chart.source


def test_vergleich_chart_names_a_comparison_area_without_a_value(store):
    """A newer year often lacks Ruhr/NRW/Germany: the chart says so, as it does for a unit."""
    chart = vergleich.chart(
        store, "unemployment_rate", "total", 2019, ["05916"]
    )  # no Ruhr rate in the fixture
    bars = chart.figure.data[0]
    assert list(bars.x) == ["Herne", "Ruhr", "NRW", "Deutschland"]
    assert bars.text[1] == formatting.NO_DATA and "keine Daten: Ruhr" in chart.source


def test_a_source_line_names_each_table_once_with_all_its_stands():
    text = common.sources_text(
        [
            "Regionaldatenbank 13211-02-05-4, Stand 26.02.2026",
            "Regionaldatenbank 13211-02-05-4",
            "Regionaldatenbank 13211-02-05-4, Stand 17.08.2021",
            "IT.NRW (laut WAZ) (Sekundärquelle)",
        ]
    )
    assert text.count("13211-02-05-4") == 1
    assert "Stand 17.08.2021 und 26.02.2026 (teils ohne Stand)" in text  # oldest first
    assert "IT.NRW (laut WAZ) (Sekundärquelle)" in text
    assert common.sources_text([]) == formatting.NO_DATA


def test_theme_ranking_names_the_comparison_areas_without_a_value(store):
    ind = store.catalogue["unemployment_rate"]
    missing_somewhere = False
    for year in store.years("unemployment_rate", "foreign"):
        refs = store.references("unemployment_rate", year, "foreign").dropna(subset=["value"])
        note = theme.missing_references_note(
            store.regions, ind, theme.references_for(store, ind, year, "foreign"), year
        )
        for ags in ("RVR", "05", "DG"):
            absent = ags not in set(refs["region"])
            missing_somewhere |= absent
            assert (store.regions.name(ags) in note) == absent, (year, ags, note)
    assert missing_somewhere  # the fixture has a year without a Ruhr rate
    count = store.catalogue["unemployed"]
    assert (
        theme.missing_references_note(store.regions, count, store.references(count.id, year, "total"), year)
        == ""
    )
