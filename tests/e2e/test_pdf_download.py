"""The Steckbrief page's "Als PDF herunterladen" gives the picked place's A4 PDF."""

from __future__ import annotations

from pypdf import PdfReader

from tests.e2e import streamlit_page as sp


def test_steckbrief_pdf_downloads_for_the_picked_gemeinde(app_server, new_page):
    page = new_page("desktop")
    sp.open_app(page, f"{app_server.url}/steckbrief?einheit=05562008")  # Datteln, Kreis Recklinghausen
    button = page.get_by_role("button", name="Als PDF herunterladen")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    assert download.value.suggested_filename == "Steckbrief_Datteln_05562008.pdf"
    reader = PdfReader(download.value.path())
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Steckbrief Datteln" in text and "Gemeinde · AGS 05562008" in text
    assert "Quellen und Lizenzen" in text
