"""The dashboard mounted below a path (`streamlit run app.py --server.baseUrlPath integration`, as behind a
proxy): every page answers, draws its figures (map boundaries included) and its links carry the prefix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.server import ServerError, StreamlitServer
from integrationsregion import navigation
from tests.e2e import streamlit_page as sp

PREFIX = "integration"
PAGES = [p for p in navigation.pages() if p.id != "live"]  # live routes: tests/e2e/test_live.py


class MountedServer(StreamlitServer):
    """A server whose every URL, health check included, lives below the base path."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{PREFIX}"


@pytest.fixture(scope="module")
def mounted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MountedServer]:
    server = MountedServer(
        "app.py",
        env={"IR_STATE_DIR": str(tmp_path_factory.mktemp("state"))},
        extra_args=["--server.baseUrlPath", PREFIX],
    )
    try:
        server.start()
    except ServerError as exc:
        server.close()
        pytest.fail(f"the app did not start below /{PREFIX}: {exc}")
    yield server
    server.close()


@pytest.mark.parametrize("page_entry", PAGES, ids=lambda p: p.id)
def test_every_page_answers_below_the_base_path_with_prefixed_links(mounted, new_page, page_entry):
    page = new_page("desktop")
    sp.open_app(page, f"{mounted.url}/{page_entry.url_path}")
    sp.assert_healthy(page, f"/{PREFIX}/{page_entry.url_path}")
    hrefs = page.eval_on_selector_all(
        "[data-testid='stMain'] a[href], [data-testid='stSidebar'] a[href]",
        "els => els.map(e => e.getAttribute('href'))",
    )
    local = [h for h in hrefs if h.startswith("/")]
    wrong = [h for h in local if not h.startswith(f"/{PREFIX}/") and h != f"/{PREFIX}"]
    assert not wrong, f"links without /{PREFIX}: {wrong[:5]}"


def test_map_boundaries_load_below_the_base_path(mounted, new_page):
    page = new_page("desktop")
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    sp.open_app(page, f"{mounted.url}/arbeitsmarkt")
    sp.assert_healthy(page, "map")
    assert not [u for u in failed if "/static/" in u], failed
