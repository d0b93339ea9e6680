"""Fixtures of the live-mode tests: real servers on free ports, a real redis-server, an SSE client."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests import system_packages
from tests.conftest import DATA_DIR, REPO_DIR

TOKEN = "test-presenter-token-0123456789"
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A server subprocess; its output is shown when a test fails."""

    base: str
    proc: subprocess.Popen
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise AssertionError(f"server did not stop on SIGTERM:\n{self.output()[-3000:]}") from None
        return self.proc.returncode


def wait_until_up(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"server exited early:\n{server.output()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base + path, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"server not up after {timeout} s:\n{server.output()[-3000:]}")


def start_server(cmd: list[str], env: dict[str, str], log: Path, port: int, ready: str) -> Server:
    full_env = {**os.environ, **env}
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", proc, log, env)
    wait_until_up(server, ready)
    return server


def live_env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "IR_STATE_DIR": str(tmp / "var"),
        "IR_LIVE_TOUR": str(tmp / "tour.json"),
        "IR_PRESENTER_TOKEN": TOKEN,
        "IR_LIVE_KEEPALIVE": "1",
        **extra,
    }


def copy_tour(tmp: Path) -> Path:
    target = tmp / "tour.json"
    if not target.exists():
        shutil.copy(DATA_DIR / "live" / "tour.json", target)
    return target


def start_uvicorn(tmp: Path, name: str = "server", **extra: str) -> Server:
    """The live routes alone (bare Starlette app) under uvicorn."""
    copy_tour(tmp)
    port = free_port()
    cmd = [
        str(VENV_BIN / "uvicorn"),
        "--factory",
        "integrationsregion.live.routes:standalone_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return start_server(cmd, live_env(tmp, **extra), tmp / f"{name}.log", port, "/live/state.json")


def start_streamlit(
    tmp: Path, *options: str, name: str = "streamlit", ready: str = "/_stcore/health", **extra: str
) -> Server:
    """`streamlit run app.py` as the README starts it (plus ``options``), with the live settings of the tests."""
    copy_tour(tmp)
    port = free_port()
    cmd = [
        str(VENV_BIN / "streamlit"),
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]
    return start_server(cmd, live_env(tmp, **extra), tmp / f"{name}.log", port, ready)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Server]:
    server = start_uvicorn(tmp_path)
    try:
        yield server
    finally:
        server.stop()


class SSEClient:
    """Reads ``state`` events from ``/live/events`` with httpx streaming (no sleeps: blocking reads)."""

    def __init__(self, base: str, role: str = "audience", timeout: float = 10.0):
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))
        self._cm = self._client.stream("GET", f"{base}/live/events", params={"role": role})
        self.response = self._cm.__enter__()
        self._lines = self.response.iter_lines()
        self.comments = 0

    def next_state(self) -> dict:
        event, data = None, []
        for line in self._lines:
            if line.startswith(":"):
                self.comments += 1
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                if event == "state":
                    return json.loads("\n".join(data))
                event, data = None, []
        raise AssertionError("SSE stream ended")

    def next_comment(self) -> None:
        before = self.comments
        for line in self._lines:
            if line.startswith(":"):
                self.comments += 1
            if self.comments > before:
                return
        raise AssertionError("SSE stream ended")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._cm.__exit__(None, None, None)
        self._client.close()


@pytest.fixture
def sse():
    clients: list[SSEClient] = []

    def connect(base: str, role: str = "audience") -> SSEClient:
        client = SSEClient(base, role)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


def phone(base: str) -> httpx.Client:
    """A phone: visits ``/live`` first and keeps the signed device cookie it is given."""
    client = httpx.Client(base_url=base, timeout=10)
    assert client.get("/live").status_code == 200
    return client


def control(base: str, body: dict, token: str | None = TOKEN, **kwargs) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{base}/live/api/control", json=body, headers=headers, timeout=10, **kwargs)


class RedisProcess:
    """A redis-server on a free loopback port, without persistence, that a test can stop and start again."""

    def __init__(self, workdir: Path):
        binary = system_packages.debian_binary("redis-server", "redis-server")
        if binary is None:
            system_packages.unavailable(system_packages.missing_reason("redis-server", "redis-server"))
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self._pong():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise AssertionError("redis-server did not start")
            time.sleep(0.1)

    def _pong(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    redis = RedisProcess(tmp_path_factory.mktemp("redis"))
    redis.start()
    try:
        yield redis.url
    finally:
        redis.stop()
