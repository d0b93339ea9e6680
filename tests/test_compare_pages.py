"""Steckbrief, Vergleich and Daten & Methodik: views restored from links, bad links ignored with a notice."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from integrationsregion import compare, export, formatting
from integrationsregion.catalogue import indicator_label
from tests.conftest import REPO_DIR

pytestmark = pytest.mark.apptest

SCENARIO = {
    "einheit": "05513",
    "vergleich": "05916,05112,05119",
    "indikator": "unemployment_rate",
    "aufschluesselung": "foreign",
    "jahr": "2019",
}
BAD_VALUES = ['=HYPERLINK("http://example.org","x")', "<script>alert(1)</script>", "99999", "1800"]


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def has_copy_button(at: AppTest) -> bool:
    """The "Link kopieren" button (it copies the page's URL, which carries the view: see the e2e tests)."""
    return any("Link kopieren" in e.proto.srcdoc for e in at.get("iframe"))


def grid_label(store, indicator: str, breakdown: str) -> str:
    """An indicator's name as the tables show it: with its unit."""
    ind = store.catalogue[indicator]
    return f"{indicator_label(ind, breakdown)} ({ind.unit_label})"


def widget(at: AppTest, kind: str, key: str):
    return next(w for w in getattr(at, kind) if w.key == key)


# ---------------------------------------------------------------------- the shared link scenario
def test_shared_link_restores_the_comparison_offers_downloads_and_leads_to_the_definition(store):
    at = open_page("vergleich", **SCENARIO)
    assert "ignoriert" not in notices(at)
    assert widget(at, "selectbox", "vg_einheit").value == "05513"
    assert widget(at, "multiselect", "vg_vergleich").value == ["05916", "05112", "05119"]
    assert widget(at, "multiselect", "vg_indikator").value == ["unemployment_rate"]
    assert widget(at, "selectbox", "vg_aufschluesselung").value == "foreign"
    assert widget(at, "selectbox", "vg_jahr").value == 2019
    assert {k: at.query_params[k] for k in SCENARIO} == SCENARIO
    assert has_copy_button(at)

    # the chart's heading and source line name indicator, year, table and Stand
    ind = store.catalogue["unemployment_rate"]
    assert any(ind.title in m.value and "2019" in m.value for m in at.markdown)
    prov = store.provenance("05513", "unemployment_rate", 2019, "foreign")
    source_line = next(c.value for c in at.caption if c.value.startswith("Jahr 2019"))
    assert prov["source_label"] in source_line and "/methodik?indikator=unemployment_rate" in source_line

    # the table on screen holds the snapshot's values for that year
    table = at.dataframe[0].value.set_index("Indikator")
    row = table.loc[grid_label(store, "unemployment_rate", "foreign")]
    assert row["Jahr"] == 2019
    cs = store.cross_section("unemployment_rate", 2019, "foreign").set_index("region")
    for ags in [*SCENARIO["vergleich"].split(","), "05513"]:
        assert row[store.regions[ags].short_name] == cs.loc[ags, "value"]

    # downloads are offered; the XLSX the page builds has the same numbers and the sources
    labels = [b.label for b in at.get("download_button")]
    assert labels[:3] == ["CSV", "CSV (Excel)", "XLSX"]
    units = ["05513", *SCENARIO["vergleich"].split(",")]
    frame = compare.long_table(store, units, {("unemployment_rate", "foreign"): 2019})
    body = export.to_xlsx(export.tidy(frame, store.catalogue))
    sheets = pd.read_excel(io.BytesIO(body), sheet_name=None, dtype={"AGS": str})
    data = sheets["Daten"]
    mine = data[(data["Indikator"] == ind.title) & (data["Aufschlüsselung"] == "Ausländer/-innen")]
    mine = mine.set_index("AGS")
    for ags in units:
        assert mine.loc[ags, "Wert"] == row[store.regions.name(ags)]
        assert mine.loc[ags, "Tabelle"] == prov["table_code"]
    wb = openpyxl.load_workbook(io.BytesIO(body))
    quellen = " ".join(str(c.value) for r in wb["Quellen"].iter_rows() for c in r if c.value is not None)
    assert prov["table_code"] in quellen and prov["stand"] in quellen

    # the definition and the table code on Daten & Methodik
    mt = open_page("methodik", indikator="unemployment_rate")
    text = " ".join(m.value for m in mt.markdown)
    assert ind.definition in text
    for source in ind.sources:
        assert source.table in text and source.url in text


# ---------------------------------------------------------------------- Vergleich
def test_vergleich_without_parameters_uses_similar_units_and_says_how(store):
    from integrationsregion.peers import default_peers

    at = open_page("vergleich")
    unit = widget(at, "selectbox", "vg_einheit").value
    choice = default_peers(store, unit)
    assert widget(at, "multiselect", "vg_vergleich").value == list(choice.peers)
    caption = " ".join(c.value for c in at.caption)
    assert "Einwohnerzahl und Ausländeranteil" in caption and f"31.12.{choice.year}" in caption


def test_vergleich_never_draws_a_count_beside_nrw_or_germany_totals(store):
    at = open_page("vergleich", einheit="05513", indikator="population")
    bars = [c for c in at.get("plotly_chart")]
    names = {n for c in bars for t in json.loads(c.proto.spec)["data"] for n in t.get("x", [])}
    assert bars and names and "NRW" not in names and "Deutschland" not in names
    table = at.dataframe[0].value.set_index("Indikator")
    population = table.loc[[i for i in table.index if i.startswith("Bevölkerung")]]
    assert population["NRW"].isna().all() and population["Deutschland"].isna().all()


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_vergleich_ignores_bad_parameters_with_a_notice(bad):
    at = open_page(
        "vergleich", einheit=bad, vergleich=f"05916,{bad}", indikator=bad, aufschluesselung=bad, jahr=bad
    )
    assert "ignoriert" in notices(at)
    assert "<script>" not in " ".join(m.value for m in at.markdown)
    assert widget(at, "multiselect", "vg_vergleich").value == ["05916"]
    assert widget(at, "selectbox", "vg_einheit").value == "05112"  # the first unit
    assert at.query_params["einheit"] == "05112"


def test_vergleich_year_out_of_range_falls_back_with_a_notice(store):
    at = open_page(
        "vergleich", einheit="05513", indikator="unemployment_rate", aufschluesselung="foreign", jahr="2017"
    )
    assert "jahr=2017" in notices(at)
    assert widget(at, "selectbox", "vg_jahr").value in store.years("unemployment_rate", "foreign")


# ---------------------------------------------------------------------- Steckbrief
def test_steckbrief_shows_latest_values_ranks_and_references(store):
    at = open_page("steckbrief", einheit="05513")
    assert widget(at, "selectbox", "sb_einheit").value == "05513"
    assert at.query_params["einheit"] == "05513" and has_copy_button(at)
    shown = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    profile = store.profile("05513").set_index(["indicator", "breakdown"])
    ur = profile.loc[("unemployment_rate", "foreign")]
    row = shown[shown["Indikator"] == grid_label(store, "unemployment_rate", "foreign")].iloc[0]
    assert row["Wert"] == ur["value"]  # numeric, so the column sorts by value
    assert row["Jahr"] == ur["year"]
    assert row["Rang"] == ur["rank"] and row["von"] == ur["ranked"]  # the store's rank, by polarity
    assert pd.isna(row["Ruhr"]) or row["Ruhr"] == ur["ref_RVR"]
    assert row["NRW"] == ur["ref_05"]
    assert (
        "ungünstiger" in row["Vergleich"] or "günstiger" in row["Vergleich"] or "gleich" in row["Vergleich"]
    )
    neutral = shown[shown["Indikator"] == grid_label(store, "foreign_share", "foreign")].iloc[0]
    assert "günstiger" not in neutral["Vergleich"]
    text = " ".join(m.value for m in at.markdown)
    assert "Geiß-Netthöfel" in text  # the conference statement on unemployment


def test_steckbrief_never_sets_a_count_beside_nrw_or_germany_totals(store):
    at = open_page("steckbrief", einheit="05513")
    shown = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    counts = shown[shown["Indikator"].str.startswith("Bevölkerung")]
    assert len(counts) and counts["NRW"].isna().all() and counts["Deutschland"].isna().all()


def test_steckbrief_for_a_kreisangehoerige_gemeinde_shows_its_year_and_says_the_figures_are_old(store):
    gemeinde = next(m for m in store.regions.municipalities() if store.regions[m.parent_ags].kind == "kreis")
    own = store.region_rows(gemeinde.ags)
    at = open_page("steckbrief", einheit=gemeinde.ags)
    warning = " ".join(w.value for w in at.warning)
    assert gemeinde.name in warning and store.regions.name(gemeinde.parent_ags) in warning
    own = store.region_rows(gemeinde.ags)
    if own.empty:
        assert "keine Werte auf Gemeindeebene" in warning
        return
    assert "alte Zahlen" in warning
    assert any(gemeinde.name in m.value for m in at.subheader)
    shown = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    assert set(shown["Jahr"]) <= set(own["year"])  # the Gemeinde's own years, shown in every row


def test_steckbrief_for_the_gemeinde_of_a_kreisfreie_stadt_says_it_is_the_same_territory(store):
    at = open_page("steckbrief", einheit="05513000")
    assert "dasselbe Gebiet" in notices(at)


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_steckbrief_ignores_bad_parameters_with_a_notice(store, bad):
    at = open_page("steckbrief", einheit=bad)
    assert "ignoriert" in notices(at)
    assert widget(at, "selectbox", "sb_einheit").value == store.regions.units()[0].ags


def test_steckbrief_notices_unknown_parameter_names():
    at = open_page("steckbrief", einheit="05513", foo="=cmd|' /C calc'!A0")
    assert "foo" in notices(at)
    assert widget(at, "selectbox", "sb_einheit").value == "05513"


# ---------------------------------------------------------------------- Daten & Methodik
def test_methodik_restores_the_provenance_view(store):
    at = open_page(
        "methodik", indikator="unemployment_rate", aufschluesselung="foreign", einheit="05513", jahr="2019"
    )
    assert "ignoriert" not in notices(at)
    assert widget(at, "selectbox", "mt_indikator").value == "unemployment_rate"
    assert widget(at, "radio", "mt_aufschluesselung").value == "foreign"
    assert widget(at, "selectbox", "mt_einheit").value == "05513"
    assert widget(at, "selectbox", "mt_jahr").value == 2019
    prov = store.provenance("05513", "unemployment_rate", 2019, "foreign")
    shown = pd.concat([t.value for t in at.table if "Merkmal" in t.value.columns])
    facts = dict(zip(shown["Merkmal"], shown["Angabe"], strict=True))
    assert facts["Tabelle"] == prov["table_code"]
    assert facts["Stand"] == formatting.stand(prov["stand"])  # a German date
    assert facts["Amtliches Portal"] == prov["portal_url"]
    assert facts["Gelesen aus"] == prov["source_url"]


def test_methodik_lists_licences_with_the_bkg_line_and_the_refresh(store):
    at = open_page("methodik")
    text = " ".join(m.value for m in at.markdown)
    assert "© GeoBasis-DE / BKG (Daten verändert)" in text
    page_text = text + " ".join(c.value for c in at.caption) + " ".join(c.value for c in at.code)
    assert "integrationsregion " not in page_text and "SHA-256" not in page_text  # no developer commands
    assert "amtlichen Diensten" in text
    licences = next(t.value for t in at.table if "Namensnennung" in t.value.columns)
    assert set(store.observations["attribution"]) == set(licences["Namensnennung"])


def test_methodik_coverage_grid_shows_gaps(store):
    at = open_page("methodik", indikator="unemployment_rate", aufschluesselung="foreign")
    grid = next(d.value for d in at.dataframe if "2017" in d.value.columns and "2019" in d.value.columns)
    assert (grid["2017"].loc[[r.name for r in store.regions.units()]] == "–").all()
    assert (grid["2019"].loc[[r.name for r in store.regions.units()]] != "–").all()


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_methodik_ignores_bad_parameters_with_a_notice(bad):
    at = open_page("methodik", indikator=bad, einheit=bad, jahr=bad, aufschluesselung=bad)
    assert "ignoriert" in notices(at)
    assert "<script>" not in " ".join(m.value for m in at.markdown)


def test_vergleich_compares_a_gemeinde_with_gemeinden_and_says_the_figures_are_old(store):
    gemeinde = next(
        m
        for m in store.regions.municipalities()
        if store.regions[m.parent_ags].kind == "kreis" and not store.region_rows(m.ags).empty
    )
    at = open_page("vergleich", einheit=gemeinde.ags)
    assert "alte Zahlen" in " ".join(w.value for w in at.warning)
    peers = widget(at, "multiselect", "vg_vergleich").value
    assert peers and all(store.regions[a].level == "gemeinde" for a in peers)
    table = at.dataframe[0].value
    assert gemeinde.name in table.columns and len(table)
    own_years = set(store.region_rows(gemeinde.ags)["year"])
    assert set(table["Jahr"]) <= own_years | {int(y) for a in peers for y in store.region_rows(a)["year"]}
    assert len(at.get("plotly_chart")) >= 1
