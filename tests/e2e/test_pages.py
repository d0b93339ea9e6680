"""Every page loads in a real browser, on a desktop and a phone, without an exception, an error element,
an empty figure, a chart text cut at the figure's edge or printed over another; a screenshot of each is kept under
artifacts/screenshots/."""

from __future__ import annotations

import pytest

from bench.protocol import list_pages, run_blocking
from integrationsregion import navigation
from tests.e2e import streamlit_page as sp

PAGES = [p.url_path for p in navigation.pages()]


def page_name(path: str) -> str:
    return path or "start"


def test_navigation_lists_exactly_the_tested_pages(app_server):
    announced = [p["url_pathname"] for p in run_blocking(list_pages(app_server.ws_url))]
    assert sorted(announced) == sorted(PAGES), "the navigation differs from data/pages.toml"


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES, ids=page_name)
def test_page_loads_cleanly(app_server, new_page, path, viewport):
    page = new_page(viewport)
    sp.open_app(page, f"{app_server.url}/{path}")
    sp.screenshot(page, f"{page_name(path)}-{viewport}")
    sp.assert_healthy(page, f"/{path} ({viewport})")
    assert not sp.cut_texts(page), f"/{path} ({viewport}): text cut at a chart's edge"
    assert not sp.overlapping_texts(page), f"/{path} ({viewport}): chart texts printed over each other"
    assert page.locator("[data-testid='stMain'] [data-testid='stElementContainer']").count() > 0
