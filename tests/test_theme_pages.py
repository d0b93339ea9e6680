"""Theme pages in AppTest: figures with sources beside the statements; links restore views; bad links explain."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from integrationsregion import formatting, navigation
from integrationsregion.regions import REFERENCES
from tests.conftest import REPO_DIR

pytestmark = pytest.mark.apptest

PAGES = {theme: p.script for theme, p in navigation.theme_pages().items()}


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGES[page])
    return at.run()


def charts(at: AppTest) -> list:
    return at.get("plotly_chart")


def trace_names(chart) -> set[str]:
    return {t.get("name") for t in json.loads(chart.proto.spec)["data"]}


def open_tab(at: AppTest, page: str, label: str) -> AppTest:
    """A click on a chart tab (the tab widget's state is its label)."""
    at.session_state[f"{page}:diagramm"] = label
    return at.run()


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", list(PAGES))
def test_default_view_shows_the_map_tab_with_its_source_beside_the_statements(page):
    at = open_page(page)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Karte", "Rangfolge", "Zeitreihe", "Insgesamt/Ausländer"]
    (shown,) = charts(at)  # only the open tab's figure is sent
    assert shown.key == f"{page}:karte"
    assert "Quelle:" in captions(at)
    assert "/methodik?indikator=" in captions(at)
    assert any(e.label.startswith("Tabelle zum Diagramm:") for e in at.expander)  # the table alternative
    assert any(s.value == "Aussagen der Konferenz" for s in at.subheader)
    assert "Bezug zu:" in captions(at)
    assert at.query_params["indikator"]  # the view is in the URL
    assert at.query_params["jahr"]


@pytest.mark.parametrize("page", list(PAGES))
def test_each_tab_shows_its_chart_with_a_source_and_puts_it_into_the_url(store, page):
    at = open_page(page)
    for label, param in [("Rangfolge", "rangfolge"), ("Zeitreihe", "zeitreihe"), ("Karte", None)]:
        open_tab(at, page, label)
        assert not at.exception
        assert len(charts(at)) == 1
        assert "Quelle:" in captions(at)
        assert at.query_params.get("diagramm") == param  # the default tab keeps the link short
    open_tab(at, page, "Zeitreihe")
    references = {store.regions[ags].name for ags in REFERENCES}
    assert trace_names(charts(at)[0]) & references  # the reference lines beside the units


def test_link_restores_indicator_breakdown_year_unit_and_tab():
    at = open_page(
        "arbeitsmarkt",
        indikator="unemployment_rate",
        aufschluesselung="total",
        jahr="2019",
        einheit="05513",
        diagramm="vergleich",
    )
    assert not at.exception
    assert at.selectbox(key="arbeitsmarkt:indikator").value == "unemployment_rate"
    assert at.radio(key="arbeitsmarkt:aufschluesselung").value == "total"
    assert at.selectbox(key="arbeitsmarkt:jahr").value == 2019
    assert at.selectbox(key="arbeitsmarkt:einheit").value == "05513"
    assert any("Gelsenkirchen" in m.label and "2019" in m.label for m in at.metric)
    # total and foreign both exist: the linked tab shows them side by side
    (shown,) = charts(at)
    assert at.session_state["arbeitsmarkt:diagramm"] == "Insgesamt/Ausländer"
    assert len(trace_names(shown)) >= 2
    assert at.query_params["diagramm"] == "vergleich"


def test_changing_widgets_writes_the_view_back_to_the_url():
    at = open_page("bildung")
    at.selectbox(key="bildung:einheit").select("05913").run()
    at.selectbox(key="bildung:jahr").select(2015).run()
    assert not at.exception
    assert at.query_params["einheit"] == "05913"
    assert at.query_params["jahr"] == "2015"


def test_statement_button_switches_the_indicator():
    at = open_page("arbeitsmarkt")
    button = next(b for b in at.button if "Ausländeranteil Arbeitslose" in b.label)
    button.click().run()
    assert not at.exception
    assert at.selectbox(key="arbeitsmarkt:indikator").value == "share_foreign_among_unemployed"
    assert at.query_params["indikator"] == "share_foreign_among_unemployed"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"indikator": "gibt_es_nicht"}, "indikator=gibt"),
        ({"einheit": "99999"}, "einheit=99999"),
        ({"aufschluesselung": "mars"}, "aufschluesselung=mars"),
        ({"diagramm": "torte"}, "diagramm=torte"),
    ],
)
def test_unknown_link_values_get_a_german_notice_and_the_default_view(params, expected):
    at = open_page("arbeitsmarkt", **params)
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "Hinweis zum Link" in notices and expected in notices and "ignoriert" in notices
    assert [c.key for c in charts(at)] == ["arbeitsmarkt:karte"]


def test_year_without_data_explains_which_years_exist(store):
    years = store.years("unemployment_rate", "foreign")
    missing = years[0] - 1  # a four-digit year the data does not have, whatever years it grows by
    at = open_page(
        "arbeitsmarkt", indikator="unemployment_rate", aufschluesselung="foreign", jahr=str(missing)
    )
    assert not at.exception
    (warning,) = at.warning
    assert f"{missing} keine Werte" in warning.value
    assert f"verfügbar: {formatting.years_list(years)}" in warning.value
    assert f"Gezeigt wird {years[-1]}" in warning.value


def test_indicator_without_kreis_data_shows_references_instead_of_an_empty_map():
    at = open_page("arbeitsmarkt", indikator="employment_rate")
    assert not at.exception
    assert any("keine Werte der 15 Kreise" in i.value for i in at.info)
    assert len(charts(at)) == 1  # the time series of NRW and Germany, in the tab that opened for it
    assert at.query_params["diagramm"] == "zeitreihe"
    assert "Quelle:" in captions(at)
    open_tab(at, "arbeitsmarkt", "Karte")  # a click on the map tab stays there and says why it is empty
    assert not charts(at)
    assert "Keine Karte" in captions(at)


def test_indicator_of_another_theme_offers_the_right_page():
    at = open_page("bildung", indikator="unemployment_rate")
    assert not at.exception
    assert any("Hinweis zum Link" in i.value for i in at.info)


def test_geduldete_cost_estimate_is_labelled_and_shows_its_formula():
    at = open_page("geduldete", einheit="05911", jahr="2024")
    assert not at.exception
    assert "Schätzung – keine amtliche Statistik" in markdown(at)
    estimate = next(m for m in at.metric if m.label.startswith("Schätzung"))
    assert estimate.value.endswith("€")
    assert "Personen ×" in markdown(at) and "12 Monate" in markdown(at)
    assert "bis zu 16,5 Millionen Euro" in markdown(at)  # Bochum's own statement as a quote
    texts = [c.value for c in at.caption]
    legal = next(t for t in texts if t.startswith("Rechtsgrundlage"))
    assert "gruene-fraktion" not in legal and "epd.de" not in legal
    assert any(t.startswith("Stellungnahmen/Presse (Sekundärquellen)") for t in texts)
    assert "Obergrenze: nichts abgezogen" in markdown(at)  # the default deducts nothing: said at the result


def test_geduldete_estimate_follows_the_year_rule_and_own_count():
    at = open_page("geduldete", einheit="05170")
    at.selectbox(key="geduldete:kosten_jahr").select(2019).run()
    assert not at.exception
    radio = next(r for r in at.radio if r.label == "Zahl der Geduldeten")
    assert radio.value == "eigene"  # no count for Kreis Wesel 2019 in the snapshot
    assert any("Ohne Zahl der Geduldeten keine Schätzung" in i.value for i in at.info)
    at.number_input(key="geduldete:kosten_n:05170:2019").set_value(1000).run()
    assert not at.exception
    text = markdown(at)
    assert "länger als 3 Monate" in text and "1.000 Personen" in text


def test_geduldete_without_unit_asks_for_one():
    at = open_page("geduldete")
    assert not at.exception
    assert any("Bitte oben einen Kreis" in i.value for i in at.info)


@pytest.mark.parametrize("page", list(PAGES))
def test_default_indicator_is_a_rate_not_a_count(store, page):
    at = open_page(page)
    shown = store.catalogue[at.selectbox(key=f"{page}:indikator").value]
    assert not shown.is_count  # counts of cities of different size are not comparable


def test_gemeinde_map_on_request_where_the_indicator_has_gemeinde_values(store):
    ind = next(
        i
        for i in store.catalogue.for_theme("arbeitsmarkt")
        if store.years(i.id, i.breakdowns[0], level="gemeinde") and store.years(i.id, i.breakdowns[0])
    )
    at = open_page("arbeitsmarkt", indikator=ind.id, aufschluesselung=ind.breakdowns[0])
    toggle = at.toggle(key="arbeitsmarkt:gemeindekarte")
    assert "alte Zahlen" in toggle.label
    before = len(charts(at))
    toggle.set_value(True).run()
    assert not at.exception
    assert len(charts(at)) == before + 1


def test_cost_inputs_are_german_numbers():
    at = open_page("geduldete", einheit="05911", jahr="2024")
    field = next(t for t in at.text_input if t.label.startswith("Kosten je Person und Monat"))
    assert "," in field.value and "." not in field.value.split(",")[-1]  # "1.354,83", not "1354.83"
    field.set_value("1.000,50").run()
    assert not at.exception
    assert "1.000,50" in markdown(at)  # the formula uses the German entry
    field.set_value("zwölf").run()
    assert any("keine Zahl" in w.value for w in at.warning)
