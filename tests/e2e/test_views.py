"""Views in a real browser: shared links restore their view, pickers change the figures, downloads carry the
expected columns. Expected labels come from the snapshot (catalogue, regions), not from the page."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from integrationsregion.catalogue import breakdown_label
from integrationsregion.export import column_names
from tests.e2e import streamlit_page as sp

ARBEITSMARKT_LINK = (
    "/arbeitsmarkt?indikator=unemployment_rate&jahr=2019&einheit=05513&aufschluesselung=foreign"
)
VERGLEICH_LINK = (
    "/vergleich?einheit=05513&vergleich=05916,05112,05119&indikator=unemployment_rate"
    "&aufschluesselung=foreign&jahr=2019"
)
THEME_PAGES = ["bildung", "arbeitsmarkt", "geduldete"]


def combobox(page: Page, label: str):
    return page.get_by_role("combobox", name=label, exact=True)


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the select box labelled `label`, as a person would, and wait for the rerun."""

    def pick() -> None:
        combobox(page, label).click()
        page.get_by_role("option", name=option, exact=True).click()

    sp.act(page, pick)


def options(page: Page, label: str) -> list[str]:
    combobox(page, label).click()
    texts = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [t.strip() for t in texts]


def multiselect_values(page: Page, label: str) -> list[str]:
    box = page.locator("[data-testid='stMultiSelect']").filter(
        has=page.locator("[data-testid='stWidgetLabel']", has_text=label)
    )
    lines = [line.strip() for line in box.inner_text().splitlines() if line.strip()]
    return lines[1:]


def radio_value(page: Page, label: str) -> str:
    group = page.get_by_role("radiogroup", name=label)
    return group.locator("label").filter(has=page.locator("input:checked")).inner_text().strip()


def signatures(page: Page) -> list[str]:
    return [f.signature for f in sp.figures(page)]


def params(url: str) -> dict[str, str]:
    """The query parameters of a URL or link, one value each."""
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def query(page: Page) -> dict[str, str]:
    return params(page.url)


def test_arbeitsmarkt_link_restores_its_view(app_server, new_page, store):
    page = new_page()
    sp.open_app(page, app_server.url + ARBEITSMARKT_LINK)
    figures = sp.assert_healthy(page, ARBEITSMARKT_LINK)
    assert figures, "the Arbeitsmarkt page shows no figure"
    assert combobox(page, "Indikator").input_value().startswith(store.catalogue["unemployment_rate"].title)
    assert combobox(page, "Jahr").input_value() == "2019"
    assert combobox(page, "Kreis / kreisfreie Stadt").input_value() == store.regions.name("05513")
    assert radio_value(page, "Aufschlüsselung") == breakdown_label("foreign")
    assert any("2019" in f.title for f in figures)
    assert query(page) == params(ARBEITSMARKT_LINK)


def test_vergleich_link_restores_its_view(app_server, new_page, store):
    page = new_page()
    sp.open_app(page, app_server.url + VERGLEICH_LINK)
    sp.assert_healthy(page, VERGLEICH_LINK)
    names = store.regions.name
    assert combobox(page, "Einheit").input_value() == names("05513")
    assert multiselect_values(page, "Vergleichseinheiten") == [names(a) for a in ("05916", "05112", "05119")]
    assert multiselect_values(page, "Indikatoren") == [store.catalogue["unemployment_rate"].title]
    assert combobox(page, "Aufschlüsselung").input_value() == breakdown_label("foreign")
    assert combobox(page, "Jahr").input_value() == "2019"
    assert query(page) == params(VERGLEICH_LINK)


def test_arbeitsmarkt_year_unit_and_breakdown_change_the_figures(app_server, new_page, store):
    page = new_page()
    sp.open_app(page, app_server.url + ARBEITSMARKT_LINK)
    before = signatures(page)

    years = [y for y in options(page, "Jahr") if y != "2019"]
    choose(page, "Jahr", years[0])
    after_year = sp.wait_figures_change(page, before, "changing the year")
    sp.assert_healthy(page, f"Jahr {years[0]}")
    assert query(page)["jahr"] == years[0]

    other_unit = store.regions.name("05913")
    choose(page, "Kreis / kreisfreie Stadt", other_unit)
    before_breakdown = sp.wait_figures_change(page, after_year, "selecting another unit")
    sp.assert_healthy(page, f"Einheit {other_unit}")
    assert query(page)["einheit"] == "05913"

    sp.act(
        page,
        lambda: (
            page.get_by_role("radiogroup", name="Aufschlüsselung")
            .get_by_text(breakdown_label("total"), exact=True)
            .click()
        ),
    )
    sp.wait_figures_change(page, before_breakdown, "changing the breakdown")
    sp.assert_healthy(page, "Aufschlüsselung insgesamt")


@pytest.mark.parametrize("theme", THEME_PAGES)
def test_indicator_choice_changes_the_figures(app_server, new_page, theme):
    page = new_page()
    sp.open_app(page, f"{app_server.url}/{theme}")
    sp.assert_healthy(page, f"/{theme}")
    before, indicator_before = signatures(page), query(page).get("indikator")
    current = combobox(page, "Indikator").input_value()
    others = [o for o in options(page, "Indikator") if o != current and "keine Kreiswerte" not in o]
    assert others, f"/{theme} offers only one indicator with Kreis data"
    choose(page, "Indikator", others[0])
    sp.wait_figures_change(page, before, f"/{theme}: another indicator")
    sp.assert_healthy(page, f"/{theme} with {others[0]}")
    assert query(page).get("indikator") != indicator_before


def test_chart_tabs_show_one_chart_each_and_a_link_restores_the_tab(app_server, new_page, store):
    page = new_page()
    sp.open_app(page, app_server.url + ARBEITSMARKT_LINK)
    (shown,) = sp.assert_healthy(page, "Karte")  # the open tab's figure only
    sp.act(page, lambda: page.get_by_role("tab", name="Zeitreihe").click())
    sp.wait_figures_change(page, [shown.signature], "the Zeitreihe tab")
    (series,) = sp.assert_healthy(page, "Zeitreihe")
    assert store.regions.name("05513") in series.signature  # the selected unit's line
    assert query(page)["diagramm"] == "zeitreihe"
    assert page.get_by_text("Quelle:").first.is_visible()

    again = new_page()
    sp.open_app(again, page.url)
    (restored,) = sp.assert_healthy(again, "Zeitreihe by link")
    assert again.get_by_role("tab", name="Zeitreihe").get_attribute("aria-selected") == "true"
    assert restored.signature == series.signature


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_click_on_the_map_selects_the_unit(app_server, new_page, store, viewport):
    page = new_page(viewport)
    sp.open_app(page, f"{app_server.url}/bildung")
    sp.wait_figures_drawn(page)
    assert "einheit" not in query(page)
    units = page.locator("[data-testid='stPlotlyChart'] path.choroplethlocation")
    unit = units.nth(3)
    unit.scroll_into_view_if_needed()
    box = unit.bounding_box()
    sp.act(page, lambda: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
    page.wait_for_function("() => new URL(location.href).searchParams.has('einheit')", timeout=10_000)
    chosen = query(page)["einheit"]
    assert combobox(page, "Kreis / kreisfreie Stadt").input_value() == store.regions.name(chosen)


def test_chart_table_opens_from_the_keyboard_with_the_charts_data(app_server, new_page, store):
    page = new_page()
    sp.open_app(page, app_server.url + ARBEITSMARKT_LINK)
    summary = page.locator("[data-testid='stExpander'] summary").filter(has_text="Tabelle zum Diagramm")
    assert page.locator("[data-testid='stMain'] table").count() == 0  # built only when asked for
    summary.focus()
    sp.act(page, lambda: page.keyboard.press("Enter"))
    table = page.locator("[data-testid='stMain'] table")
    table.wait_for()
    text = table.inner_text()
    assert all(store.regions.name(r.ags) in text for r in store.regions.units())  # every unit of the map


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_zeigen_button_brings_the_changed_chart_into_view(app_server, new_page, viewport):
    page = new_page(viewport)
    sp.open_app(page, f"{app_server.url}/arbeitsmarkt")
    sp.wait_figures_drawn(page)
    button = page.get_by_role("button", name="Zeigen: Ausländeranteil Arbeitslose").last
    button.scroll_into_view_if_needed()
    tabs = page.locator("[data-testid='stMain'] [data-testid='stTabs']")
    assert tabs.bounding_box()["y"] < 0  # the chart is far above the statement
    sp.act(page, button.click)
    assert query(page)["indikator"] == "share_foreign_among_unemployed"
    page.wait_for_function(
        "() => { const b = document.querySelector(\"[data-testid='stMain'] [data-testid='stTabs']\")"
        ".getBoundingClientRect(); return b.top >= 0 && b.top < window.innerHeight / 2; }",
        timeout=5_000,
    )


def test_download_buttons_give_files_with_the_export_columns(app_server, new_page, tmp_path):
    page = new_page()
    sp.open_app(page, app_server.url + VERGLEICH_LINK)
    known = set(column_names().values())
    files = {}
    buttons = {
        b.inner_text().strip().splitlines()[-1].strip(): b
        for b in page.locator("[data-testid='stDownloadButton']").all()
    }
    for label in ("CSV", "CSV (Excel)", "XLSX"):
        with page.expect_download() as info:
            buttons[label].click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        files[label] = target
    csv = pd.read_csv(files["CSV"], dtype={"AGS": str})
    excel_csv = pd.read_csv(
        files["CSV (Excel)"], sep=";", decimal=",", dtype={"AGS": str}, encoding="utf-8-sig"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(files["XLSX"].read_bytes()), read_only=True)
    assert files["CSV (Excel)"].read_bytes().startswith("\ufeff".encode())
    for frame in (csv, excel_csv):
        assert {"Gebiet", "AGS", "Indikator", "Jahr", "Wert", "Einheit", "Quelle", "Lizenz"} <= set(
            frame.columns
        )
        assert set(frame.columns) <= known, f"unexpected columns: {set(frame.columns) - known}"
        assert {"05513", "05916", "05112", "05119"} <= set(frame["AGS"].dropna())
    assert list(csv.columns) == list(excel_csv.columns)
    assert "Quellen" in workbook.sheetnames
    first = workbook[workbook.sheetnames[0]]
    header = [cell.value for cell in next(first.iter_rows(max_row=1))]
    assert header == list(csv.columns)


def test_link_kopieren_copies_the_view_url(app_server, new_page):
    """The copied link is the view as it is now (after a picker changed it), without other parameters."""
    page = new_page("desktop")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sp.open_app(page, app_server.url + VERGLEICH_LINK + "&token=geheim")
    frame = page.frame_locator("iframe[title='st.iframe']").first
    frame.get_by_role("button", name="Link kopieren").click()
    frame.get_by_role("status").filter(has_text="Link kopiert").wait_for(timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    query = parse_qs(urlparse(copied).query)
    assert urlparse(copied).path == "/vergleich" and "token" not in query
    assert query["einheit"] == ["05513"] and query["indikator"] == ["unemployment_rate"]
    assert query["vergleich"] == ["05916,05112,05119"]

    combobox(page, "Einheit").click()
    page.get_by_role("option", name="Bochum", exact=True).click()
    # the page writes its view to the address (a fragment's run can be too quick to count as a rerun)
    page.wait_for_function("() => location.search.includes('einheit=05911')")
    page.evaluate("navigator.clipboard.writeText('')")
    frame.get_by_role("button", name="Link kopieren").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''", timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "einheit=05911" in copied, copied
    query = parse_qs(urlparse(copied).query)
    assert query["indikator"] == ["unemployment_rate"] and query["aufschluesselung"] == ["foreign"]


NO_CLIPBOARD = """Object.defineProperty(navigator, 'clipboard', {value: undefined});
document.execCommand = () => false;"""


def test_link_kopieren_without_clipboard_shows_the_link_selected(app_server, new_page):
    page = new_page("phone")
    page.add_init_script(NO_CLIPBOARD)  # runs in the button's frame, too
    sp.open_app(page, app_server.url + VERGLEICH_LINK)
    assert page.get_by_text("Link anzeigen").count() == 0  # one control, not two
    frame = page.frame_locator("iframe[title='st.iframe']").first
    frame.get_by_role("button", name="Link kopieren").click()
    box = frame.get_by_role("textbox", name="Link zu dieser Ansicht")
    box.wait_for(state="visible", timeout=10_000)
    shown = box.input_value()
    assert urlparse(shown).path == "/vergleich"
    assert parse_qs(urlparse(shown).query)["einheit"] == ["05513"]
    assert box.evaluate("el => el.selectionStart === 0 && el.selectionEnd === el.value.length")
    assert box.bounding_box()["width"] > 100  # readable beside the button on a phone


TABLE_SCROLL_JS = """() => [...document.querySelectorAll("[data-testid='stDataFrame']")]
  .filter(grid => grid.offsetParent !== null)
  .map(grid => { const s = grid.querySelector('.dvn-scroller'); return [s.scrollWidth, s.clientWidth]; })"""
FIVE_PEERS = "/vergleich?einheit=05913&vergleich=05112,05113,05117,05119,05170"


@pytest.mark.parametrize("viewport", ["desktop", "bigscreen"])
@pytest.mark.parametrize("path", ["/steckbrief?einheit=05562", FIVE_PEERS])
def test_tables_fit_without_sideways_scrolling(app_server, new_page, viewport, path):
    page = new_page(viewport)
    sp.open_app(page, app_server.url + path)
    grids = page.evaluate(TABLE_SCROLL_JS)
    assert grids, "no table shown"
    assert all(scroll <= visible + 1 for scroll, visible in grids), f"{path} ({viewport}): {grids}"


def test_phone_shows_cards_instead_of_tables(app_server, new_page):
    page = new_page("phone")
    sp.open_app(page, app_server.url + FIVE_PEERS)
    assert page.evaluate(TABLE_SCROLL_JS) == []  # the wide grid is not shown
    card = page.locator(".ir-card").first
    card.wait_for(state="visible")
    assert card.bounding_box()["width"] <= 390


def test_steckbrief_cards_on_a_phone_draw_the_trend(app_server, new_page):
    page = new_page("phone")
    sp.open_app(page, app_server.url + "/steckbrief?einheit=05513")
    spark = page.locator(".ir-card img.ir-spark").first
    spark.wait_for(state="visible")
    assert spark.evaluate("img => img.complete && img.naturalWidth > 0")  # the line was drawn
    assert spark.locator("xpath=..").inner_text().strip().startswith("Verlauf ")  # and said in words


def test_chart_toolbar_speaks_german(app_server, new_page):
    page = new_page("desktop")
    sp.open_app(page, app_server.url + "/arbeitsmarkt")
    titles = set(
        page.evaluate("() => [...document.querySelectorAll('.modebar-btn')].map(b => b.dataset.title)")
    )
    assert "Als PNG herunterladen" in titles
    assert not titles & {"Download plot as a PNG", "Zoom in", "Zoom out", "Pan", "Reset"}


IDLE = "() => document.querySelector(\"[data-testid='stApp']\").dataset.testScriptState === 'notRunning'"


@pytest.mark.parametrize("path", ["/methodik", ARBEITSMARKT_LINK])
def test_back_returns_to_the_previous_view(app_server, new_page, path):
    """One click is one step in the browser history (a run writes several URL parameters), so "Zurück"
    shows the view before the click – with its indicator – instead of a half-changed one."""
    page = new_page("desktop")
    sp.open_app(page, app_server.url + path)
    before_url, before_entries = page.url, page.evaluate("history.length")
    indicator = combobox(page, "Indikator")
    before = indicator.input_value()
    indicator.scroll_into_view_if_needed()
    indicator.click()
    page.get_by_role("option").first.wait_for()
    after = next(o.strip() for o in page.get_by_role("option").all_inner_texts() if o.strip() != before)
    page.get_by_role("option", name=after, exact=True).click()
    # waits on what the person sees (a fragment's run can be too quick to be counted as a rerun)
    expect(indicator).to_have_value(after, timeout=30_000)
    page.wait_for_function("url => location.href !== url", arg=before_url)
    page.wait_for_function(IDLE)
    assert page.evaluate("history.length") == before_entries + 1

    page.go_back()
    expect(indicator).to_have_value(before, timeout=30_000)
    page.wait_for_function(IDLE)
    assert parse_qs(urlparse(page.url).query) == parse_qs(urlparse(before_url).query)
