"""Start the app the way the README runs it, on a free port, and watch its process.

`StreamlitServer` runs `<venv>/bin/streamlit run <script> --server.port <free> --server.headless true` from the
repository folder (so `.streamlit/config.toml` applies), polls `GET /_stcore/health` until it answers, keeps the
server's output in a log file (shown when something fails) and reads RSS and CPU time from `/proc`.
Used by the benchmarks, the load test and the real-browser tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def streamlit_executable() -> str:
    """The `streamlit` of the running interpreter's environment (the project's venv)."""
    candidate = Path(sys.executable).parent / "streamlit"
    if candidate.exists():
        return str(candidate)
    fallback = REPO_DIR / ".venv" / "bin" / "streamlit"
    if fallback.exists():
        return str(fallback)
    raise ServerError(f"no streamlit executable beside {sys.executable} or in {fallback.parent}")


class StreamlitServer:
    """One `streamlit run` process on 127.0.0.1:<port>; a context manager."""

    def __init__(
        self,
        script: str = "app.py",
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
        cwd: Path = REPO_DIR,
    ):
        self.script = script
        self.port = port or free_port()
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}
        self.extra_args = list(extra_args or [])
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.ready_at = 0.0
        self._log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(self._log.name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/_stcore/stream"

    @property
    def command(self) -> list[str]:
        return [
            streamlit_executable(),
            "run",
            self.script,
            "--server.port",
            str(self.port),
            "--server.headless",
            "true",
            *self.extra_args,
        ]

    def start(self, timeout: float = 90.0) -> StreamlitServer:
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one, never by name
        )
        self.wait_healthy(timeout)
        self.ready_at = time.perf_counter()
        return self

    def wait_healthy(self, timeout: float) -> None:
        """Poll the health endpoint until it answers `ok` (or the process dies, or `timeout` passes)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"server exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200 and response.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise ServerError(f"no health answer within {timeout:.0f} s:\n{self.output()}")
            time.sleep(0.05)  # polling interval, not a wait for something to happen

    def output(self, tail: int = 20_000) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return text[-tail:]

    # --- process statistics from /proc -----------------------------------------------------------------

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerError("server not started")
        return self.process.pid

    def rss_bytes(self) -> int:
        fields = Path(f"/proc/{self.pid}/statm").read_text().split()
        return int(fields[1]) * PAGE_SIZE

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    # --- stop -----------------------------------------------------------------------------------------

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def close(self) -> None:
        self.stop()
        self._log.close()
        with contextlib.suppress(OSError):
            self.log_path.unlink()

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
