"""The app shell starts and the Start page shows the conference and the data coverage."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from integrationsregion import navigation
from tests.conftest import REPO_DIR

pytestmark = pytest.mark.apptest


def test_start_page_shows_conference_facts_statements_and_coverage():
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "27.11.2019" in text and "Luise-Albertz-Halle" in text
    assert "Geiß-Netthöfel" in text and "Kerber" in text
    assert [m.value for m in at.metric][:2] == ["15", "53"]
    assert any("Indikatoren" in e.label for e in at.expander)


def test_start_page_puts_evidence_charts_beside_the_statements():
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 4  # one or two small charts per statement
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("Quelle:") >= 4 and "/methodik?indikator=" in captions
    assert any(m.label.startswith("Ausländeranteil 31.12.") for m in at.metric)


def test_navigation_is_built_from_the_page_registry():
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60).run()
    for entry in navigation.pages():
        if entry.default:
            continue
        at.switch_page(entry.script).run()
        assert not at.exception, (entry.id, [e.value for e in at.exception])
    titles = [p.title for p in navigation.pages()]
    assert len(set(titles)) == len(titles)
    assert {p.theme for p in navigation.pages() if p.theme} == {"bildung", "arbeitsmarkt", "geduldete"}
