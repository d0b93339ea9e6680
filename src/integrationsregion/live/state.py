"""Live state: the current scene, the poll state, publish/subscribe and the follower count.

``LiveState`` is the interface; ``MemoryLiveState`` serves one process with an asyncio fan-out, and
``integrationsregion.live.redis_state.RedisLiveState`` shares a session between processes. Both keep the
local subscribers in a ``Hub``: a subscriber is a one-slot mailbox (latest payload wins), so a slow phone
never makes the server buffer a backlog and a publish to 1,000 followers is 1,000 assignments.

All methods must be called on the server's event loop; the service offers a thread-safe facade.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

ROLES = ("audience", "screen")


@dataclass(frozen=True)
class PollState:
    id: str
    open: bool = False
    revealed: bool = False


@dataclass(frozen=True)
class LiveStatus:
    """What the presenter controls; persisted and shared between processes."""

    version: int
    scene: dict[str, Any]
    position: int | None = None
    """Index in the tour, or None for a scene set from fields."""
    poll: PollState | None = None
    results: dict[str, Any] | None = None
    """Poll results, present while revealed."""
    updated_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> LiveStatus:
        raw = json.loads(text)
        poll = raw.get("poll")
        return cls(
            version=int(raw["version"]),
            scene=raw["scene"],
            position=raw.get("position"),
            poll=PollState(**poll) if poll else None,
            results=raw.get("results"),
            updated_at=float(raw.get("updated_at", 0.0)),
        )

    def evolve(self, **changes: Any) -> LiveStatus:
        return replace(self, updated_at=time.time(), **changes)


class Closed(Exception):
    """The subscription was closed (client gone or server shutting down)."""


class Subscription:
    """One follower's mailbox: holds only the latest payload."""

    __slots__ = ("_event", "_latest", "closed", "hub", "role")

    def __init__(self, hub: Hub, role: str):
        self.hub = hub
        self.role = role
        self._event = asyncio.Event()
        self._latest: bytes | None = None
        self.closed = False

    def push(self, payload: bytes) -> None:
        self._latest = payload
        self._event.set()

    def close(self) -> None:
        self.closed = True
        self._event.set()

    async def next(self, timeout: float) -> bytes | None:
        """The next payload, or None after ``timeout`` seconds without one; raises ``Closed``."""
        if not self._event.is_set():
            try:
                async with asyncio.timeout(timeout):
                    await self._event.wait()
            except TimeoutError:
                return None
        if self.closed:
            raise Closed
        self._event.clear()
        payload, self._latest = self._latest, None
        return payload


class Hub:
    """Local fan-out to this process's subscribers."""

    def __init__(self) -> None:
        self._subs: set[Subscription] = set()
        self.counts = dict.fromkeys(ROLES, 0)
        self.on_change: list[Any] = []

    def subscribe(self, role: str) -> Subscription:
        sub = Subscription(self, role if role in ROLES else "audience")
        self._subs.add(sub)
        self.counts[sub.role] += 1
        self._changed()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.discard(sub)
            self.counts[sub.role] -= 1
            self._changed()

    def broadcast(self, payload: bytes) -> int:
        for sub in self._subs:
            sub.push(payload)
        return len(self._subs)

    def close_all(self) -> None:
        for sub in list(self._subs):
            sub.close()

    def _changed(self) -> None:
        for callback in self.on_change:
            callback()


class LiveState(Protocol):
    """Shared live state. ``payload`` is the rendered JSON the followers receive for ``status``."""

    hub: Hub
    available: bool
    """False while the shared backend is unreachable (the live routes then answer 503)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def get(self) -> tuple[LiveStatus, bytes] | None:
        """The current status and its payload (None before the first scene)."""

    async def set(self, status: LiveStatus, payload: bytes) -> None:
        """Make ``status`` current and deliver ``payload`` to every follower (all processes)."""

    async def next_version(self) -> int: ...

    def subscribe(self, role: str = "audience") -> Subscription:
        """A local subscription; the caller unsubscribes via ``hub.unsubscribe``."""

    async def follower_count(self) -> dict[str, int]:
        """Connected followers by role, over all processes."""


class MemoryLiveState:
    """In-process backend: one server process, asyncio fan-out."""

    available = True

    def __init__(self) -> None:
        self.hub = Hub()
        self._current: tuple[LiveStatus, bytes] | None = None
        self._version = 0

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self.hub.close_all()

    async def get(self) -> tuple[LiveStatus, bytes] | None:
        return self._current

    async def set(self, status: LiveStatus, payload: bytes) -> None:
        self._version = max(self._version, status.version)
        self._current = (status, payload)
        self.hub.broadcast(payload)

    async def next_version(self) -> int:
        if self._current is not None:
            self._version = max(self._version, self._current[0].version)
        self._version += 1
        return self._version

    def subscribe(self, role: str = "audience") -> Subscription:
        return self.hub.subscribe(role)

    async def follower_count(self) -> dict[str, int]:
        return dict(self.hub.counts)
