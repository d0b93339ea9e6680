"""Downloads carry exactly the fixture_store's numbers with their sources, and cannot run as formulas (fixture snapshot)."""

from __future__ import annotations

import io
import math
from datetime import date

import openpyxl
import pandas as pd
import pytest

from integrationsregion import compare, export
from tests import fixtures

pytestmark = pytest.mark.unit

INJECTIONS = ['=HYPERLINK("http://example.org","x")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "\rCR"]


def _read_csv(body: bytes, excel: bool = False) -> pd.DataFrame:
    if excel:
        assert body.startswith("\ufeff".encode())
        return pd.read_csv(io.BytesIO(body), sep=";", decimal=",", dtype={"AGS": str}, encoding="utf-8-sig")
    return pd.read_csv(io.BytesIO(body), dtype={"AGS": str}, encoding="utf-8")


def _read_xlsx(body: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(body), sheet_name=None, dtype={"AGS": str})


@pytest.fixture(scope="module")
def cross_section(fixture_store):
    return fixture_store.cross_section("unemployment_rate", 2019, "total")


@pytest.fixture(scope="module")
def tidy(fixture_store, cross_section):
    return export.tidy(cross_section, fixture_store.catalogue)


def test_tidy_has_german_columns_and_source_columns(tidy):
    for col in ["Gebiet", "AGS", "Indikator", "Aufschlüsselung", "Jahr", "Stichtag", "Wert", "Einheit"]:
        assert col in tidy.columns
    for col in ["Qualität", "Quelle", "Tabelle", "Stand", "Lizenz", "Namensnennung", "Link"]:
        assert col in tidy.columns
        assert (tidy[col] != "").all(), col


@pytest.mark.parametrize("excel", [False, True])
def test_csv_numbers_equal_the_snapshot(fixture_store, cross_section, tidy, excel):
    body = export.to_excel_csv(tidy) if excel else export.to_csv(tidy)
    back = _read_csv(body, excel).set_index("AGS")
    expected = cross_section.set_index("region")
    assert list(back.index) == list(expected.index)
    for ags, row in expected.iterrows():
        assert back.loc[ags, "Wert"] == row["value"]
        assert back.loc[ags, "Tabelle"] == row["table_code"]
        assert back.loc[ags, "Stand"] == ("01.03.2024" if excel else "2024-03-01")  # the fixture's Stand
        assert back.loc[ags, "Jahr"] == 2019


def test_excel_csv_is_semicolon_separated_with_decimal_comma(tidy):
    text = export.to_excel_csv(tidy).decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("Gebiet;AGS;Indikator;")
    value = tidy.loc[0, "Wert"]
    assert str(value).replace(".", ",") in first.split(";")


def test_xlsx_has_data_and_sources_sheets_with_the_snapshot_numbers(fixture_store, cross_section, tidy):
    sheets = _read_xlsx(export.to_xlsx(tidy, {"Titel": "Test"}))
    assert list(sheets) == ["Daten", "Quellen"]
    data = sheets["Daten"].set_index("AGS")
    for ags, row in cross_section.set_index("region").iterrows():
        assert data.loc[ags, "Wert"] == row["value"]
    prov = fixture_store.provenance("05513", "unemployment_rate", 2019, "total")
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(tidy)))
    text = " ".join(str(c.value) for row in wb["Quellen"].iter_rows() for c in row if c.value is not None)
    for needle in (
        prov["table_code"],
        prov["stand"],
        prov["licence"],
        prov["attribution"],
        prov["portal_url"],
    ):
        assert needle in text


def test_stand_is_a_date_in_every_format_and_nicht_angegeben_where_the_source_states_none():
    frame = export.tidy(
        pd.DataFrame(
            {
                "region": ["05911", "05913", "05915"],
                "value": [1.0, 2.0, 3.0],
                "stand": ["2024-03-01", "", "2019-11"],
            }
        )
    )
    assert _read_csv(export.to_csv(frame))["Stand"].tolist() == ["2024-03-01", "nicht angegeben", "2019-11"]
    excel = _read_csv(export.to_excel_csv(frame), excel=True)["Stand"].tolist()
    assert excel == ["01.03.2024", "nicht angegeben", "2019-11"]
    cells = [c for c in openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame)))["Daten"]["C"][1:]]
    assert cells[0].is_date and cells[0].value.date() == date(2024, 3, 1)
    assert cells[0].number_format == "DD.MM.YYYY"
    assert [c.value for c in cells[1:]] == ["nicht angegeben", "2019-11"]


def test_gaps_stay_empty_and_say_keine_daten(fixture_store):
    cs = fixture_store.cross_section("unemployment_rate", fixtures.GAP_YEAR, "total")
    assert cs["value"].isna().all()
    tidy = export.tidy(cs, fixture_store.catalogue, indicator="unemployment_rate", breakdown="total")
    assert (tidy["Indikator"] == fixture_store.catalogue["unemployment_rate"].title).all()
    assert (tidy["Hinweis"] == "keine Daten").all()
    back = _read_csv(export.to_csv(tidy))
    assert back["Wert"].isna().all()


def test_formula_injection_is_neutralised_in_every_format():
    frame = pd.DataFrame(
        {"Gebiet": INJECTIONS, "Wert": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0], "Quelle": INJECTIONS}
    )
    for body in (export.to_csv(frame), export.to_excel_csv(frame)):
        back = _read_csv(body, excel=body.startswith("\ufeff".encode()))
        for col in ("Gebiet", "Quelle"):
            assert all(str(v).startswith("'") for v in back[col]), back[col].tolist()
        assert back["Wert"].tolist() == frame["Wert"].tolist()
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame, {"Titel": "=1+1"})))
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(export.DANGEROUS_START)
    values = [c.value for c in wb["Daten"]["B"][1:]]
    assert values == frame["Wert"].tolist()  # numbers stay numbers, negative ones too


def test_comparison_download_matches_the_comparison_table(fixture_store):
    units = ["05513", "05916", "05112", "05119"]
    overrides = {("unemployment_rate", "foreign"): 2021}  # Herne has no value in 2021
    table = compare.comparison_table(fixture_store, units, overrides).set_index(["indicator", "breakdown"])
    tidy = export.tidy(compare.long_table(fixture_store, units, overrides), fixture_store.catalogue)
    back = _read_xlsx(export.to_xlsx(tidy))["Daten"]
    title = fixture_store.catalogue["unemployment_rate"].title
    rows = back[(back["Indikator"] == title) & (back["Aufschlüsselung"] == "Ausländer/-innen")]
    assert set(rows["Jahr"]) == {2021}
    shown = table.loc[("unemployment_rate", "foreign")]
    by_ags = rows.set_index("AGS")
    for ags in units:
        if ags == "05916":
            assert math.isnan(shown[ags]) and math.isnan(by_ags.loc[ags, "Wert"])
            assert by_ags.loc[ags, "Hinweis"] == "keine Daten"
        else:
            assert by_ags.loc[ags, "Wert"] == shown[ags]
    refs = fixture_store.references("unemployment_rate", 2021, "foreign").set_index("region")
    for ags, ref in refs.iterrows():
        assert rows.set_index("AGS").loc[ags, "Wert"] == ref["value"]


def test_file_stem_is_safe_and_german():
    assert export.file_stem("Vergleich Mülheim an der Ruhr / 2019") == "vergleich_muelheim_an_der_ruhr_2019"
    assert export.file_stem("../../etc") == "etc"
    assert export.file_stem("") == "daten"


def test_a_derived_or_secondary_value_says_so_in_the_download(fixture_store):
    frame = fixture_store.series("unemployed", ["RVR", fixtures.SECONDARY_ONLY[0]])
    back = _read_csv(export.to_csv(export.tidy(frame, fixture_store.catalogue)))
    quality = back.set_index(["AGS", "Jahr"])["Qualität"]
    assert quality[("RVR", 2019)] == "eigene Berechnung aus amtlichen Werten"
    assert quality[(fixtures.SECONDARY_ONLY[0], fixtures.SECONDARY_ONLY[2])] == "Sekundärquelle"
    assert "eigene Berechnungen" in " ".join(export.attribution_lines(export.sources(back)))


def test_comparison_area_columns_are_named_as_in_the_region_registry():
    from integrationsregion import regions

    frame = pd.DataFrame(
        {"region": ["05513"], "value": [1.0], "ref_RVR": [2.0], "ref_05": [3.0], "ref_DG": [4.0]}
    )
    out = export.tidy(frame)
    registry = regions.current()
    names = [registry.name(a) for a in ("RVR", "05", "DG")]
    assert [c for c in out.columns if c in names] == names
    assert out[names].iloc[0].tolist() == [2.0, 3.0, 4.0]
