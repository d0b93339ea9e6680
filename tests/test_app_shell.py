"""The app shell starts and the Start page shows the conference and the data coverage."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from integrationsregion.paths import REPO_DIR


def test_start_page_shows_conference_facts_statements_and_coverage():
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "27.11.2019" in text and "Luise-Albertz-Halle" in text
    assert "Geiß-Netthöfel" in text and "Kerber" in text
    assert [m.value for m in at.metric][:2] == ["15", "53"]
    assert any("Indikatoren" in e.label for e in at.expander)
