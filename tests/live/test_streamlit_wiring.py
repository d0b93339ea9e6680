"""`streamlit run app.py` serves the dashboard and the live routes on one port, also below a base path."""

from __future__ import annotations

import signal

import httpx

from tests.live.conftest import start_streamlit


def test_app_mounted_at_a_base_path_serves_pages_live_routes_and_events(tmp_path, sse):
    server = start_streamlit(
        tmp_path, "--server.baseUrlPath", "integration", ready="/integration/_stcore/health"
    )
    port = server.base.rsplit(":", 1)[1]
    base = f"{server.base}/integration"
    try:
        audience = httpx.get(f"{base}/live")
        assert audience.status_code == 200 and 'data-base="/integration"' in audience.text
        assert "path=/integration/live" in audience.headers["set-cookie"].lower()
        screen = httpx.get(f"{base}/live/screen").text.replace("\u200b", "")  # break points after "/"
        assert 'src="/integration/live/qr.svg"' in screen and f":{port}/integration/live" in screen
        follower = sse(base)
        state = follower.next_state()
        assert state["scene"]["title"] and state["scene"]["explore_path"].startswith(
            f"/{state['scene']['theme']}?"
        )
        figure = httpx.get(f"{base}/live/figure/{state['scene']['key']}-phone.svg")
        assert figure.status_code == 200
        # dashboard pages under the base path are still Streamlit's (index.html of the single-page app)
        page = httpx.get(f"{base}/bildung")
        assert page.status_code == 200 and '<div id="root">' in page.text
        assert httpx.get(f"{server.base}/live").status_code != 200  # nothing outside the base path
    finally:
        code = server.stop(timeout=15)
    assert code in (0, -signal.SIGTERM)
