"""Redis backend of ``LiveState``: several app processes share one live session.

Keys (prefix ``ir:live`` by default):

- ``<prefix>:status`` / ``<prefix>:payload``  current status (JSON) and the payload followers receive
- ``<prefix>:version``                          monotonic version counter (INCR)
- ``<prefix>:followers:<process id>``           this process's follower counts (JSON, expires after 20 s)
- ``<prefix>:votes:<poll id>``                  hash device id -> guess (HSETNX: one vote per device)
- ``<prefix>:count:<name>``                     expiring counters (votes per address and poll, login failures)
- ``<prefix>:tour``                             the tour as saved by the presenter (JSON text)
- channel ``<prefix>:events``                   ``status JSON`` + 0x1E + ``payload`` on every change
- channel ``<prefix>:tour``                     "the tour changed": every process reloads it

Redis unreachable: ``available`` turns False, local followers are disconnected (phones show "getrennt" and
reconnect), the live routes answer 503; the listener reconnects with back-off and everything resumes.

Each process subscribes once to the channel and fans out to its own followers through its ``Hub``; the
publishing process delivers locally at once and ignores its own echo (versions only grow).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from integrationsregion.live.state import Hub, LiveStatus, Subscription

log = logging.getLogger(__name__)
SEP = b"\x1e"
HEARTBEAT_SECONDS = 5.0
FOLLOWER_TTL_SECONDS = 20


class RedisLiveState:
    def __init__(self, url: str, prefix: str = "ir:live"):
        self.url = url
        self.prefix = prefix
        self.hub = Hub()
        self.process_id = secrets.token_hex(6)
        self._redis: aioredis.Redis | None = None
        self._current: tuple[LiveStatus, bytes] | None = None
        self._tasks: list[asyncio.Task] = []
        self._dirty = asyncio.Event()
        self._subscribed = asyncio.Event()
        self.hub.on_change.append(self._dirty.set)
        self.available = False
        self.on_tour: Callable[[], None] | None = None
        """Called (on the loop) when another process saved the tour."""
        self.on_connect: Callable[[], None] | None = None
        """Called (on the loop) after every (re)connection."""

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("RedisLiveState not started")
        return self._redis

    async def start(self) -> None:
        """Connect and subscribe; with Redis unreachable the process starts anyway and keeps retrying."""
        self._redis = aioredis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)
        self._tasks = [
            asyncio.create_task(self._listen(), name="ir-live-redis-listen"),
            asyncio.create_task(self._heartbeat(), name="ir-live-redis-heartbeat"),
        ]
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await self._subscribed.wait()
        if not self.available:
            log.error(
                "Live-Modus: Redis unter %s nicht erreichbar – Live-Routen antworten mit 503.", self._where()
            )

    def _where(self) -> str:
        """The Redis address without credentials."""
        return self.url.rsplit("@", 1)[-1]

    async def close(self) -> None:
        """Stop the background tasks and the connection; bounded, so a lost connection never blocks shutdown."""
        self.hub.close_all()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                async with asyncio.timeout(2):
                    await self._redis.delete(self._key(f"followers:{self.process_id}"))
                    await self._redis.aclose()
            self._redis = None

    async def get(self) -> tuple[LiveStatus, bytes] | None:
        return self._current

    async def set(self, status: LiveStatus, payload: bytes) -> None:
        message = status.to_json().encode() + SEP + payload
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("status"), status.to_json())
            pipe.set(self._key("payload"), payload)
            pipe.publish(self._key("events"), message)
            await pipe.execute()
        self._deliver(status, payload)

    async def load_tour(self) -> str | None:
        raw = await self.redis.get(self._key("tour"))
        return raw.decode("utf-8") if raw else None

    async def save_tour(self, text: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("tour"), text.encode("utf-8"))
            pipe.publish(self._key("tour"), b"1")
            await pipe.execute()

    async def agree(self, name: str, candidate: str) -> str:
        """The value every process uses for ``name``: the first one any process proposed."""
        key = self._key(name)
        await self.redis.set(key, candidate, nx=True)
        return (await self.redis.get(key)).decode()

    async def next_version(self) -> int:
        version = await self.redis.incr(self._key("version"))
        floor = self._current[0].version if self._current else 0
        if version <= floor:
            version = floor + 1
            await self.redis.set(self._key("version"), version)
        return version

    def subscribe(self, role: str = "audience") -> Subscription:
        return self.hub.subscribe(role)

    async def follower_count(self) -> dict[str, int]:
        counts = dict.fromkeys(self.hub.counts, 0)
        keys = [k async for k in self.redis.scan_iter(match=self._key("followers:*"), count=100)]
        others = await self.redis.mget(keys) if keys else []
        for key, raw in zip(keys, others, strict=True):
            if key.decode().endswith(self.process_id):
                continue  # our own numbers are fresher locally
            for role, n in json.loads(raw or b"{}").items():
                counts[role] = counts.get(role, 0) + int(n)
        for role, n in self.hub.counts.items():
            counts[role] += n
        return counts

    # --- background tasks --------------------------------------------------------------------------

    def _deliver(self, status: LiveStatus, payload: bytes) -> None:
        if self._current is not None and status.version <= self._current[0].version:
            return
        self._current = (status, payload)
        self.hub.broadcast(payload)

    async def _listen(self) -> None:
        backoff = 0.5
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._key("events"), self._key("tour"))
                    backoff = 0.5
                    # catch up on anything published while (re)connecting
                    status, payload = await self.redis.mget(self._key("status"), self._key("payload"))
                    if status and payload:
                        self._deliver(LiveStatus.from_json(status.decode()), payload)
                    if not self.available and self._subscribed.is_set():
                        log.warning("Live-Modus: Redis wieder erreichbar.")
                    self.available = True
                    self._subscribed.set()
                    if self.on_connect is not None:
                        self.on_connect()
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=HEARTBEAT_SECONDS
                        )
                        if message is None:
                            await self.redis.ping()  # notice a dead server while the hall is quiet
                            continue
                        if message["channel"] == self._key("tour").encode():
                            if self.on_tour is not None:
                                self.on_tour()
                            continue
                        head, _, payload = message["data"].partition(SEP)
                        self._deliver(LiveStatus.from_json(head.decode()), payload)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as exc:
                if self.available or not self._subscribed.is_set():
                    log.warning("Live-Modus: Redis nicht erreichbar (%s); neuer Versuch.", type(exc).__name__)
                self.available = False
                self._subscribed.set()
                self.hub.close_all()  # phones see "getrennt" and reconnect (503 until Redis is back)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _heartbeat(self) -> None:
        key = self._key(f"followers:{self.process_id}")
        while True:
            with contextlib.suppress(RedisError, OSError):  # the listener reports and recovers
                await self.redis.set(key, json.dumps(self.hub.counts), ex=FOLLOWER_TTL_SECONDS)
            self._dirty.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await self._dirty.wait()
            await asyncio.sleep(0.2)  # coalesce bursts of connects


class RedisVotes:
    """Votes shared by every process: one hash per poll, ``HSETNX`` keeps the first vote of a device."""

    def __init__(self, state: RedisLiveState):
        self.state = state

    async def add(self, poll_id: str, device_id: str, value: float) -> bool:
        return bool(
            await self.state.redis.hsetnx(self.state._key(f"votes:{poll_id}"), device_id, repr(value))
        )

    async def all_values(self, poll_id: str) -> list[float]:
        return [float(v) for v in await self.state.redis.hvals(self.state._key(f"votes:{poll_id}"))]

    async def total(self, poll_id: str) -> int:
        return int(await self.state.redis.hlen(self.state._key(f"votes:{poll_id}")))

    def close(self) -> None:
        return None


class RedisCounters:
    """Expiring counters shared by every process (``INCR`` + ``EXPIRE NX``)."""

    def __init__(self, state: RedisLiveState):
        self.state = state

    async def hit(self, key: str, ttl: float) -> int:
        full = self.state._key(f"count:{key}")
        async with self.state.redis.pipeline(transaction=True) as pipe:
            pipe.incr(full)
            pipe.expire(full, max(1, int(ttl)), nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def get(self, key: str) -> int:
        raw = await self.state.redis.get(self.state._key(f"count:{key}"))
        return int(raw or 0)
