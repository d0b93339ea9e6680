"""The browser checks catch what they must: an exception, an error element, an empty figure.

A small faulty page (`fixture_app.py`) is served with the project's config by a second server.
"""

from __future__ import annotations

import pytest

from bench.server import StreamlitServer
from tests.e2e import streamlit_page as sp


@pytest.fixture(scope="module")
def fixture_server():
    with StreamlitServer("tests/e2e/fixture_app.py") as server:
        yield server


def test_clean_page_with_bar_line_and_map_passes(fixture_server, new_page):
    page = new_page()
    sp.open_app(page, f"{fixture_server.url}/?fall=ok")
    figures = sp.assert_healthy(page, "ok")
    assert len(figures) == 3 and all(f.marks > 0 and f.tracesWithData >= 1 for f in figures)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("exception", "Streamlit exception"),
        ("error", "error element"),
        ("empty", "empty figure"),
        ("blank", "empty figure"),
    ],
)
def test_faulty_page_fails_the_check(fixture_server, new_page, case, message):
    page = new_page()
    sp.open_app(page, f"{fixture_server.url}/?fall={case}")
    with pytest.raises(AssertionError, match=message):
        sp.assert_healthy(page, case)
