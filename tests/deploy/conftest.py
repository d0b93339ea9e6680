"""The production set (`deploy/serve.py`: nginx + 2 Streamlit replicas + 2 live workers + Redis under
supervisord) on free loopback ports, under a base path, started once for all tests in tests/deploy."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import system_packages
from tests.conftest import REPO_DIR
from tests.e2e.conftest import chromium as chromium  # fixture: one Chromium per test package
from tests.e2e.conftest import new_page as new_page  # fixture: a fresh context and page per call

TOKEN = "deploy-test-presenter-token-0123456789"
BASE_PATH = "/integration"
START_TIMEOUT = 120


@dataclass
class Production:
    proc: subprocess.Popen
    info: dict
    state_dir: Path
    console: Path

    @property
    def url(self) -> str:
        """The proxy's address of the dashboard, ending in the base path and '/'."""
        return self.info["url"]

    @property
    def origin(self) -> str:
        return self.url.removesuffix(self.info["base_path"] + "/")

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "_stcore/stream"

    def app_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.info['apps'][index]}{self.info['base_path']}/"

    def live_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.info['live_workers'][index]}"

    def supervisorctl(self, *args: str) -> str:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "supervisorctl"), "-c", self.info["supervisord_conf"], *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout + done.stderr

    def access_log(self) -> list[dict[str, str]]:
        """The proxy's access log: request line, status, upstream address(es) and route cookie per request."""
        pattern = re.compile(
            r'"(?P<request>[^"]*)" (?P<status>\d+) \d+ upstream=(?P<upstream>\S+) route=(?P<route>\S+)'
        )
        text = (Path(self.info["logs"]) / "nginx-access.log").read_text(errors="replace")
        return [m.groupdict() for m in map(pattern.search, text.splitlines()) if m]

    def output(self) -> str:
        parts = [self.console.read_text(errors="replace")[-3000:]]
        for log in sorted(Path(self.info.get("logs", self.state_dir)).glob("*.log")):
            if log.name != "nginx-access.log":
                parts.append(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}")
        return "\n".join(parts)


def _up(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=3).status_code == 200
    return False


@pytest.fixture(scope="package")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    needed = {
        "nginx": "nginx",
        "redis-server": "redis-server",
        "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so": "libnginx-mod-http-brotli-static",
    }
    for binary, package in needed.items():
        if system_packages.debian_binary(binary, package) is None:
            system_packages.unavailable(system_packages.missing_reason(binary, package))
    # Pre-compressing Streamlit's bundles takes minutes of CPU the first time in a venv: not part of the start.
    subprocess.run([sys.executable, "deploy/serve.py", "precompress"], cwd=REPO_DIR, check=True, timeout=1200)
    state = tmp_path_factory.mktemp("deploy-state")
    console = state / "console.log"
    env = os.environ | {"IR_STATE_DIR": str(state), "IR_PRESENTER_TOKEN": TOKEN}
    command = [
        sys.executable,
        "deploy/serve.py",
        "--port",
        "0",
        "--base-path",
        BASE_PATH,
        "--live-workers",
        "2",
    ]
    with open(console, "wb") as out:
        proc = subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
    production = Production(proc, {}, state, console)
    info_file = state / "serve" / "serve.json"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not info_file.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"deploy/serve.py did not start:\n{production.output()}")
            time.sleep(0.2)
        production.info = json.loads(info_file.read_text())
        checks = [production.app_url(i) + "_stcore/health" for i in range(len(production.info["apps"]))]
        checks += [
            production.live_url(i) + "/live/state.json" for i in range(len(production.info["live_workers"]))
        ]
        checks.append(production.url + "_stcore/health")
        for url in checks:
            while not _up(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{url} not up after {START_TIMEOUT} s:\n{production.output()}")
                time.sleep(0.3)
        yield production
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        production = item.funcargs.get("production") if hasattr(item, "funcargs") else None
        if isinstance(production, Production):
            report.sections.append(("production set output", production.output()))
    return report
