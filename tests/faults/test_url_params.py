"""Hostile URL parameters on every page: a German notice and the default view, never a traceback."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from integrationsregion import navigation, urlparams
from tests.conftest import REPO_DIR

PAGES = [p for p in navigation.pages() if p.id != "live"]
YEAR_PAGES = {"bildung", "arbeitsmarkt", "geduldete", "vergleich", "methodik"}
HOSTILE_YEARS = ["²", "²²²²", "9" * 5000, "٢٠١٩", " 2019", "2019\n", "-1", "1e3", ""]


def open_page(script: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(script).run()
    return at


def shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("info", "warning", "markdown", "caption") for e in getattr(at, kind)]
    return " ".join(str(p) for p in parts)


@pytest.mark.parametrize("raw", HOSTILE_YEARS)
def test_year_parser_accepts_only_four_ascii_digits(raw):
    with pytest.raises(urlparams.BadParam):
        urlparams.year(raw, [2019])
    assert urlparams.year("2019", [2019]) == 2019


def test_list_parser_drops_repeats_unknowns_and_caps():
    kept, dropped = urlparams.choices("a,a,b,zzz,c,d", ["a", "b", "c", "d"], 3)
    assert kept == ["a", "b", "c"]
    assert dropped
    assert urlparams.choices("a,b", ["a", "b"], 3) == (["a", "b"], False)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
@pytest.mark.parametrize("raw", ["²", "²²²²", "9" * 5000])
def test_hostile_year_gives_notice_and_default_view(page, raw):
    at = open_page(page.script, jahr=raw, indikator="unemployment_rate")
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page rendered"
    if page.id in YEAR_PAGES:
        assert "ignoriert" in shown_text(at)


def test_repeated_indicator_on_vergleich_does_not_crash():
    at = open_page("pages/vergleich.py", indikator="unemployment_rate,unemployment_rate")
    assert not at.exception, [e.value for e in at.exception]
    assert next(w for w in at.multiselect if w.key == "vg_indikator").value == ["unemployment_rate"]
    assert "ignoriert" in shown_text(at)


@pytest.mark.parametrize("param", ["einheit", "indikator", "aufschluesselung", "vergleich"])
def test_unknown_ids_give_notice(param):
    at = open_page("pages/vergleich.py", **{param: "<b>x</b>" * 50})
    assert not at.exception, [e.value for e in at.exception]
    assert "ignoriert" in shown_text(at)
