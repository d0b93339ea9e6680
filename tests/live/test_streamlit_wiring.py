"""`streamlit run` on a file with an st.App serves the dashboard and the live routes on one port."""

from __future__ import annotations

import signal

import httpx

from tests.conftest import REPO_DIR
from tests.live.conftest import VENV_BIN, copy_tour, free_port, live_env, start_server

LAUNCHER = """
import streamlit as st

from integrationsregion.live.routes import live_lifespan, live_routes

app = st.App({script!r}, routes=live_routes(), lifespan=live_lifespan)
"""


def test_streamlit_run_serves_ui_and_live_routes(tmp_path, sse):
    # a launcher beside the test; the UI script is the repository's app.py
    launcher = tmp_path / "launch.py"
    launcher.write_text(LAUNCHER.format(script=str(REPO_DIR / "app.py")), encoding="utf-8")
    copy_tour(tmp_path)
    port = free_port()
    cmd = [
        str(VENV_BIN / "streamlit"),
        "run",
        str(launcher),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    server = start_server(cmd, live_env(tmp_path), tmp_path / "streamlit.log", port, "/_stcore/health")
    try:
        assert httpx.get(f"{server.base}/live").status_code == 200
        follower = sse(server.base)
        assert follower.next_state()["scene"]["title"]
        # dashboard pages are still Streamlit's (index.html of the single-page app)
        page = httpx.get(f"{server.base}/bildung")
        assert page.status_code == 200 and '<div id="root">' in page.text
    finally:
        code = server.stop(timeout=15)
    assert code in (0, -signal.SIGTERM)
