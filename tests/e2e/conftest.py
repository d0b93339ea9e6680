"""Real-browser fixtures: one app server and one Chromium for all tests in tests/e2e (stopped after them).

The server is started the way the README runs the app (`streamlit run app.py` from the repository with
`--server.port <free> --server.headless true`, the venv's streamlit); a known presenter token and a temporary
data folder are passed through the environment. When a test fails, the server's output is added to its report.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bench.server import ServerError, StreamlitServer
from tests.e2e import browser as browsers
from tests.e2e import streamlit_page

PRESENTER_TOKEN = "e2e-" + secrets.token_urlsafe(18)


@pytest.fixture(scope="package")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    env = {
        "IR_PRESENTER_TOKEN": PRESENTER_TOKEN,
        "IR_STATE_DIR": str(tmp_path_factory.mktemp("live-state")),
    }
    server = StreamlitServer("app.py", env=env)
    try:
        server.start()
    except ServerError as exc:
        server.close()
        pytest.fail(f"the app did not start: {exc}")
    yield server
    server.close()


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    choice = browsers.require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = browsers.launch(playwright, choice)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, request):
    """Factory: a fresh browser context and page with the given viewport (closed after the test)."""
    contexts = []

    def make(viewport: str = "desktop", **options):
        context = chromium.new_context(
            viewport=streamlit_page.VIEWPORTS[viewport],
            accept_downloads=True,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
            locale="de-DE",
            timezone_id="Europe/Berlin",
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        streamlit_page.prepare(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def live_wired(app_server: StreamlitServer) -> bool:
    """True when the app serves the live routes (`st.App` with the live Starlette routes)."""
    try:
        with urllib.request.urlopen(f"{app_server.url}/live/state.json", timeout=10) as response:
            return response.headers.get_content_type() == "application/json"
    except urllib.error.HTTPError as exc:  # 404 "no scene yet" is still the live route answering
        return exc.headers.get_content_type() == "application/json"


def presenter(app_server: StreamlitServer, action: dict) -> dict:
    """POST a presenter action to the live control API with the test token."""
    request = urllib.request.Request(
        f"{app_server.url}/live/api/control",
        data=json.dumps(action).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {PRESENTER_TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            if isinstance(value, StreamlitServer):
                report.sections.append((f"server output ({name})", value.output()))
    return report
