"""The printable Steckbrief: an A4 PDF for every unit and Gemeinde whose text (read back with pypdf) carries the
official values, years, references and sources of the reference data."""

from __future__ import annotations

import csv
import io
import os
from functools import cache
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from integrationsregion import pdf_profile
from integrationsregion.views import steckbrief

pytestmark = pytest.mark.unit

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
A4_POINTS = (595.28, 841.89)


def reference_rows(name: str) -> list[dict[str, str]]:
    path = REFERENCE_DIR / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"reference data missing: {path}")
        pytest.skip(f"reference data missing: {path}")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def pdf_of(store):
    """The PDF for a place, the page's profile computed once per region shown (Gemeinden share their Kreis')."""
    profile = cache(lambda shown: steckbrief.profile(store, shown))
    return lambda ags: pdf_profile.steckbrief_pdf(
        store, ags, profile(steckbrief.resolve(store, ags).shown.ags)
    )


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def german(value: str) -> str:
    """A reference value ("13.2") in German notation ("13,2")."""
    return value.replace(".", ",")


def test_unit_pdf_is_a4_with_the_official_rates_references_and_sources(store, pdf_of):
    rates = {
        (r["ags"], r["year"]): r["value"]
        for r in reference_rows("arbeitsmarkt.csv")
        if r["indicator"] == "unemployment_rate" and r["nationality"] == "total"
    }
    checked = 0
    for unit in store.regions.units():
        reader, text = pdf_text(pdf_of(unit.ags))
        box = reader.pages[0].mediabox
        assert (round(float(box.width), 1), round(float(box.height), 1)) == (
            round(A4_POINTS[0], 1),
            round(A4_POINTS[1], 1),
        )
        assert f"Steckbrief {unit.name}" in text and f"AGS {unit.ags}" in text
        assert "Datenstand: Snapshot" in text
        assert "Quellen und Lizenzen" in text and "dl-de/by-2-0" in text
        assert "© Statistik der Bundesagentur für Arbeit" in text

        shown = store.profile(unit.ags)
        row = shown[(shown["indicator"] == "unemployment_rate") & (shown["breakdown"] == "total")]
        year = str(int(row["year"].iloc[0]))
        if (unit.ags, year) not in rates:  # a year newer than the reference data: nothing to check against
            continue
        assert f"{unit.name}: {german(rates[unit.ags, year])} % ({year};" in text, unit.name
        if ("05", year) in rates:
            assert f"NRW {german(rates['05', year])} %" in text
        assert "Regionaldatenbank 13211-02-05-4" in text
        checked += 1
    assert checked >= 10, "too few units could be checked against the reference data"


def test_every_gemeinde_gets_a_pdf_that_says_what_it_shows(store, pdf_of):
    gemeinden = [r for r in reference_rows("rvr_gebiete.csv") if r["level"] == "gemeinde"]
    own_values = {
        (r["ags"], r["indicator"], r["nationality"], r["year"]): r["value"]
        for r in reference_rows("ergaenzung.csv")
        if r["level"] == "gemeinde" and r["unit"] == "persons"
    }
    assert len(gemeinden) == 53
    checked = 0
    for ref in gemeinden:
        ags = ref["ags"]
        _, text = pdf_text(pdf_of(ags))
        assert f"Steckbrief {ref['name']}" in text and f"Gemeinde · AGS {ags}" in text
        if store.regions[ref["kreis_ags"]].kind == "kreisfreie_stadt":
            assert "Gemeinde und Kreis sind dasselbe Gebiet" in text
            continue
        shown = store.profile(ags)
        if shown.empty:
            assert "keine Werte auf Gemeindeebene vor" in text and ref["kreis_name"] in text
            continue
        assert "Werte auf Gemeindeebene nur aus älteren Jahren" in text
        for row in shown.to_dict("records"):
            key = (ags, row["indicator"], row["breakdown"], str(int(row["year"])))
            if key in own_values:
                number = f"{int(own_values[key]):,}".replace(",", ".")
                assert f"{ref['name']}: {number} Personen ({key[3]};" in text, key
                checked += 1
    assert checked >= 10, "too few Gemeinde values could be checked against the reference data"


def test_snapshot_date_reads_as_a_german_date():
    manifest = {"vintages": {"a": "2020-12-13", "b": "2026-02-26"}, "last_refreshed": {}}
    assert pdf_profile.snapshot_date(manifest).endswith("26.02.2026")
    manifest["last_refreshed"] = {"a": "2026-11-30T08:00:00+00:00"}
    assert pdf_profile.snapshot_date(manifest) == "zuletzt aktualisiert am 30.11.2026"


def test_no_text_runs_into_the_right_margin(pdf_of):
    metrics = FPDF()
    metrics.add_page()
    overruns = []
    for ags in ("05513", "05562"):  # rates per 1.000 inhabitants carry the longest value labels
        for page in PdfReader(io.BytesIO(pdf_of(ags))).pages:

            def visit(text, cm, tm, font, size, page=page):
                if not text.strip() or not size:
                    return
                metrics.set_font("helvetica", size=size * tm[0])
                shown = text.strip().encode("latin-1", "replace").decode("latin-1")  # the core font's range
                x_end = (tm[4] * cm[0] + cm[4]) / 72 * 25.4 + metrics.get_string_width(shown)
                if x_end > 210 - pdf_profile.MARGIN + 1:
                    overruns.append(f"{text.strip()} ends at {x_end:.1f} mm")

            page.extract_text(visitor_text=visit)
    assert not overruns, overruns[:5]
