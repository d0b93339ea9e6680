"""Redis backend of ``LiveState``: several app processes share one live session.

Keys (prefix ``ir:live`` by default):

- ``<prefix>:status`` / ``<prefix>:payload``  current status (JSON) and the payload followers receive
- ``<prefix>:version``                          monotonic version counter (INCR)
- ``<prefix>:followers:<process id>``           this process's follower counts (JSON, expires after 20 s)
- channel ``<prefix>:events``                   ``status JSON`` + 0x1E + ``payload`` on every change

Each process subscribes once to the channel and fans out to its own followers through its ``Hub``; the
publishing process delivers locally at once and ignores its own echo (versions only grow).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets

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

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            raise RuntimeError("RedisLiveState not started")
        return self._redis

    async def start(self) -> None:
        self._redis = aioredis.from_url(self.url)
        await self._redis.ping()
        status, payload = await self._redis.mget(self._key("status"), self._key("payload"))
        if status and payload:
            self._current = (LiveStatus.from_json(status.decode()), payload)
        self._tasks = [
            asyncio.create_task(self._listen(), name="ir-live-redis-listen"),
            asyncio.create_task(self._heartbeat(), name="ir-live-redis-heartbeat"),
        ]
        async with asyncio.timeout(5):
            await self._subscribed.wait()

    async def close(self) -> None:
        self.hub.close_all()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._redis is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._redis.delete(self._key(f"followers:{self.process_id}"))
            await self._redis.aclose()
            self._redis = None

    async def get(self) -> tuple[LiveStatus, bytes] | None:
        return self._current

    async def set(self, status: LiveStatus, payload: bytes) -> None:
        self._deliver(status, payload)
        message = status.to_json().encode() + SEP + payload
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key("status"), status.to_json())
            pipe.set(self._key("payload"), payload)
            pipe.publish(self._key("events"), message)
            await pipe.execute()

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
                    await pubsub.subscribe(self._key("events"))
                    self._subscribed.set()
                    backoff = 0.5
                    # catch up on anything published while (re)connecting
                    status, payload = await self.redis.mget(self._key("status"), self._key("payload"))
                    if status and payload:
                        self._deliver(LiveStatus.from_json(status.decode()), payload)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        head, _, payload = message["data"].partition(SEP)
                        self._deliver(LiveStatus.from_json(head.decode()), payload)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as exc:
                log.warning("live: redis subscription lost (%s); retrying in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    async def _heartbeat(self) -> None:
        key = self._key(f"followers:{self.process_id}")
        while True:
            try:
                await self.redis.set(key, json.dumps(self.hub.counts), ex=FOLLOWER_TTL_SECONDS)
            except (RedisError, OSError) as exc:
                log.warning("live: follower heartbeat failed (%s)", exc)
            self._dirty.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEARTBEAT_SECONDS):
                    await self._dirty.wait()
            await asyncio.sleep(0.2)  # coalesce bursts of connects
