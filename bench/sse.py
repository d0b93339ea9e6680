"""Server-Sent Events at socket level: a light follower client for many connections, and a tiny SSE server.

`Follower` opens `GET <path>` over a plain asyncio connection (HTTP/1.1, chunked or not), parses `event:` /
`data:` frames and notes when each state version arrived. A thousand of them fit in one event loop.
`DemoServer` is a minimal broadcaster used to test the client (and the load test's follower side) without
the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

VERSION = re.compile(rb'"version"\s*:\s*(\d+)')


class SSEError(RuntimeError):
    pass


@dataclass
class Follower:
    """One SSE subscriber; `received` maps state version → arrival time (perf_counter)."""

    host: str
    port: int
    path: str = "/live/events?role=audience"
    received: dict[int, float] = field(default_factory=dict)
    events: int = 0
    comments: int = 0
    error: str | None = None
    connected_at: float | None = None
    closed_at: float | None = None
    on_event: Callable[[Follower, str, bytes], None] | None = None
    _writer: asyncio.StreamWriter | None = None

    async def run(self, stop: asyncio.Event, connect_timeout: float = 30.0) -> None:
        """Connect, then read events until `stop` is set or the server ends the stream."""
        try:
            reader, self._writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), connect_timeout
            )
            request = (
                f"GET {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Accept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: ir-bench\r\n\r\n"
            )
            self._writer.write(request.encode())
            await self._writer.drain()
            chunked = await asyncio.wait_for(self._headers(reader), connect_timeout)
            self.connected_at = time.perf_counter()
            reading = asyncio.ensure_future(self._read(reader, chunked))
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            for task in (reading, stopping):
                if task not in done:
                    task.cancel()
            if reading in done and reading.exception() is not None:
                raise reading.exception()
            if reading in done and not stop.is_set():
                self.error = "stream ended by the server"
        except (OSError, TimeoutError, SSEError, asyncio.IncompleteReadError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.closed_at = time.perf_counter()
            await self.close()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
            self._writer = None

    async def _headers(self, reader: asyncio.StreamReader) -> bool:
        status = await reader.readline()
        parts = status.split(b" ", 2)
        if len(parts) < 2 or parts[1] != b"200":
            raise SSEError(f"status {status.strip().decode(errors='replace')}")
        headers = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if not headers.get("content-type", "").startswith("text/event-stream"):
            raise SSEError(f"content-type {headers.get('content-type')!r}")
        return "chunked" in headers.get("transfer-encoding", "")

    async def _read(self, reader: asyncio.StreamReader, chunked: bool) -> None:
        buffer = b""
        while True:
            if chunked:
                size_line = await reader.readline()
                if not size_line:
                    return
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return
                data = await reader.readexactly(size + 2)
                data = data[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
            buffer += data.replace(b"\r\n", b"\n")
            while b"\n\n" in buffer:
                frame, buffer = buffer.split(b"\n\n", 1)
                self._frame(frame)

    def _frame(self, frame: bytes) -> None:
        now = time.perf_counter()
        event, data = "message", []
        for line in frame.split(b"\n"):
            if line.startswith(b":"):
                self.comments += 1
            elif line.startswith(b"event:"):
                event = line[6:].strip().decode()
            elif line.startswith(b"data:"):
                data.append(line[5:].removeprefix(b" "))
        if not data:
            return
        payload = b"\n".join(data)
        self.events += 1
        match = VERSION.search(payload, 0, 200)
        if match:
            self.received.setdefault(int(match.group(1)), now)
        if self.on_event is not None:
            self.on_event(self, event, payload)


class DemoServer:
    """A tiny SSE broadcaster on 127.0.0.1 (chunked HTTP/1.1), for testing the follower client."""

    def __init__(self) -> None:
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self.clients: set[asyncio.StreamWriter] = set()
        self.version = 0

    async def start(self) -> DemoServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        writer.write(self._chunk(b"retry: 2000\n\n" + self._event()))
        self.clients.add(writer)
        try:
            await reader.read()  # until the client goes away
        finally:
            self.clients.discard(writer)
            writer.close()

    def _event(self) -> bytes:
        payload = json.dumps({"version": self.version, "scene": {"title": f"Szene {self.version}"}})
        return b"event: state\ndata: " + payload.encode() + b"\n\n"

    @staticmethod
    def _chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    async def publish(self) -> int:
        """Send the next version to every client; returns the version."""
        self.version += 1
        chunk = self._chunk(self._event())
        for writer in list(self.clients):
            writer.write(chunk)
        await asyncio.gather(*(w.drain() for w in list(self.clients)), return_exceptions=True)
        return self.version

    def keepalive(self) -> None:
        chunk = self._chunk(b": keep-alive\n\n")
        for writer in list(self.clients):
            writer.write(chunk)

    async def close(self) -> None:
        for writer in list(self.clients):
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
