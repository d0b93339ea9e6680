"""Every scene of the default tour opens the dashboard at exactly its view ("Selbst erkunden")."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from integrationsregion.live.scenes import load_tour
from tests.conftest import DATA_DIR, REPO_DIR

pytestmark = pytest.mark.apptest

TOUR = load_tour(DATA_DIR / "live" / "tour.json")


@pytest.mark.parametrize("scene", TOUR.scenes, ids=[s.title for s in TOUR.scenes])
def test_explore_link_restores_the_scene(scene):
    url = urlsplit(scene.explore_path())
    page = url.path.strip("/")
    at = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
    for key, value in parse_qsl(url.query):
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception
    assert not [n for n in at.info if "ignoriert" in n.value]
    assert at.selectbox(key=f"{page}:indikator").value == scene.indicator
    assert at.selectbox(key=f"{page}:jahr").value == scene.year
    if scene.highlight:
        assert at.selectbox(key=f"{page}:einheit").value == scene.highlight
