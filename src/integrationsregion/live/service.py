"""The live service: one object per server process that the routes and the presenter page call.

It starts and stops the backends (live state, vote store, counters), keeps the tour, and publishes a status to
the followers (payloads and figures from ``rendering``). What the presenter does is in ``presenter``, what the
audience sends in ``voting``. Both are coroutines on the server's event loop; ``call`` runs them from another
thread (the Streamlit script thread of the presenter page).

Backends: ``memory`` keeps state in the process and votes, position and tour edits in ``state_dir`` (SQLite,
``live/tour.json``); ``redis`` keeps votes, device dedup, counters, position and the tour in Redis, so every
process counts every vote once and sees a saved tour.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from integrationsregion.live import auth
from integrationsregion.live.data import DataUnavailable, SceneData, UnknownIndicator
from integrationsregion.live.device import DeviceKeys
from integrationsregion.live.polls import MemoryCounters, SqliteVotes, VoteError
from integrationsregion.live.rendering import TARGETS, CachedFigure, SceneRenderer
from integrationsregion.live.scenes import Scene, Tour, TourError, loads_tour
from integrationsregion.live.state import LiveState, LiveStatus, MemoryLiveState, PollState
from integrationsregion.live.tour_store import read_tour_text, tour_problems
from integrationsregion.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
STATUS_KEY = "live_status"
UNREACHABLE = "Live-Server nicht erreichbar – bitte gleich erneut versuchen."


class LiveUnavailable(RuntimeError):
    """The live mode cannot answer now (Redis down, snapshot unreadable); German message, HTTP 503."""

    def __init__(self, message: str = UNREACHABLE):
        super().__init__(message)
        self.message = message


def fresh_poll(scene: Scene) -> PollState | None:
    """The poll state a scene starts with: its poll closed and hidden, or none."""
    return PollState(scene.poll.id) if scene.poll else None


def make_state(settings: Settings) -> LiveState:
    if settings.live_backend == "redis":
        from integrationsregion.live.redis_state import RedisLiveState

        return RedisLiveState(settings.redis_url)
    return MemoryLiveState()


class LiveService:
    def __init__(self, settings: Settings, state: LiveState | None = None, data: SceneData | None = None):
        self.settings = settings
        self.state = state or make_state(settings)
        self.render = SceneRenderer(data)
        self.votes: Any = None
        self.counters: Any = MemoryCounters()
        self.guard = auth.LoginGuard(self.counters)
        self.devices = DeviceKeys(settings.device_secret or secrets.token_urlsafe(32))
        self.tour: Tour | None = None
        self.tour_error: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._work = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ir-live-render")
        self.action_lock: asyncio.Lock | None = None
        """Serializes the presenter's actions; created on the server loop by ``start``."""
        self._warming: asyncio.Future | None = None

    @property
    def data(self) -> SceneData:
        return self.render.data

    def require_available(self) -> None:
        if not getattr(self.state, "available", True):
            raise LiveUnavailable()

    # --- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start whatever state Redis, the votes file or the snapshot are in; problems become 503s."""
        self.loop = asyncio.get_running_loop()
        self.action_lock = asyncio.Lock()
        await self.state.start()
        if self.settings.live_backend == "redis":
            from integrationsregion.live.redis_state import RedisCounters, RedisVotes

            self.votes = RedisVotes(self.state)
            self.counters = RedisCounters(self.state)
            self.guard = auth.LoginGuard(self.counters)
            self.state.on_tour = lambda: asyncio.ensure_future(self._reload_tour())  # type: ignore[attr-defined]
            self.state.on_connect = lambda: asyncio.ensure_future(self._connected())  # type: ignore[attr-defined]
            if self.state.available:  # type: ignore[attr-defined]
                await self._share_generated_secrets()
        else:
            self.votes = await self.in_worker(SqliteVotes, self.settings.state_dir / "live.sqlite3")
        auth.presenter_token()
        await self._reload_tour()
        try:
            await self._restore_position()
        except (LiveUnavailable, DataUnavailable, UnknownIndicator, OSError) as exc:
            log.error("Live-Modus: Startposition nicht gesetzt (%s).", getattr(exc, "message", exc))
        except Exception as exc:  # a Redis error at start must not stop the dashboard
            log.error("Live-Modus: Startposition nicht gesetzt (%s).", type(exc).__name__)

    async def _connected(self) -> None:
        """Redis is (back) up: agree on secrets, reload the tour, show the first scene if none is set."""
        try:
            await self._share_generated_secrets()
            await self._reload_tour()
            await self._restore_position()
        except Exception as exc:  # the next reconnection tries again
            log.warning("Live-Modus: Abgleich mit Redis unvollständig (%s).", type(exc).__name__)

    async def _restore_position(self) -> None:
        """No scene set yet: the position saved in the votes file, else the tour's first scene."""
        if await self.state.get() is not None:
            return
        status: LiveStatus | None = None
        if isinstance(self.votes, SqliteVotes):
            saved = await self.in_worker(self.votes.get, STATUS_KEY)
            if saved:
                try:
                    status = LiveStatus.from_json(saved)
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("Live-Modus: gespeicherte Position unlesbar (%s); erste Szene.", exc)
        if status is None and self.tour is not None:
            status = LiveStatus(
                version=0,
                scene=self.tour.scenes[0].to_dict(),
                position=0,
                poll=fresh_poll(self.tour.scenes[0]),
            )
        if status is not None:
            await self.publish(status, keep_version=True)

    async def close(self) -> None:
        await self.state.close()
        if self.votes is not None:
            self.votes.close()
        self._work.shutdown(wait=False)

    async def _share_generated_secrets(self) -> None:
        """Processes without a configured token / device key agree on the first one generated (Redis)."""
        if auth.generated():
            auth.adopt_token(await self.state.agree("generated_token", auth.presenter_token()))  # type: ignore[attr-defined]
        if not self.settings.device_secret:
            secret = await self.state.agree("device_secret", secrets.token_urlsafe(32))  # type: ignore[attr-defined]
            self.devices = DeviceKeys(secret)

    async def _reload_tour(self) -> None:
        """The tour: the presenter's saved edit (Redis or ``state_dir``), else the configured default."""
        where = str(self.settings.tour_path)
        try:
            text, where = await read_tour_text(self.state, self.settings)
            tour = loads_tour(text)
        except TourError as exc:
            self.tour, self.tour_error = None, exc.errors
            log.error("Live-Modus: Tour (%s) ungültig: %s", where, exc)
            return
        except Exception as exc:  # unreadable file or Redis down: keep what we have
            self.tour_error = [f"Tour nicht lesbar ({type(exc).__name__})."]
            log.error("Live-Modus: Tour (%s) nicht lesbar (%s).", where, type(exc).__name__)
            return
        self.tour, self.tour_error = tour, []
        try:
            self.tour_error = await self.in_worker(tour_problems, tour, self.data)
        except DataUnavailable:
            return
        if not self.tour_error and self._warming is None:
            # Build every tour scene's figures now, so a scene change under load only publishes.
            self._warming = asyncio.ensure_future(self.in_worker(self.render.warm, tour))

    # --- running on the loop -------------------------------------------------------------------------

    async def in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        """Run blocking work (rendering, SQLite, catalogue checks) in the service's worker threads."""
        return await asyncio.get_running_loop().run_in_executor(self._work, fn, *args)

    def call(self, factory: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
        """Run ``factory()`` on the server loop from another thread and wait for its result."""
        if self.loop is None:
            raise RuntimeError("live service not started")
        return asyncio.run_coroutine_threadsafe(_await(factory), self.loop).result(timeout)

    # --- what followers see --------------------------------------------------------------------------

    async def current(self) -> tuple[LiveStatus, bytes] | None:
        """The current status and payload; raises ``LiveUnavailable`` / ``DataUnavailable`` (→ 503)."""
        self.require_available()
        current = await self.state.get()
        if current is None:
            self.data  # noqa: B018 - no scene yet: say why when the snapshot is the reason
        return current

    async def figure(self, name: str) -> CachedFigure | None:
        """``<scene key>-<target>`` or ``results-<poll id>-<version>-<target>``; None when unknown."""
        key, _, target = name.rpartition("-")
        if target not in TARGETS:
            return None
        if (cached := self.render.cached(name)) is not None:
            return cached
        current = await self.current()
        status = current[0] if current else None
        if key.startswith("results-"):
            return await self.in_worker(self.render.results_figure, name, status, target)
        scene = self.render.known_scene(key, status, self.tour)
        return None if scene is None else await self.in_worker(self.render.scene_figure, scene, target)

    async def publish(self, status: LiveStatus, keep_version: bool = False) -> LiveStatus:
        """Render ``status`` once, send it to every follower, then save the position (memory backend)."""
        self.require_available()
        if not keep_version or status.version == 0:
            status = status.evolve(version=await self.state.next_version())
        payload = await self.in_worker(self.render.payload, status, self.tour)
        await self.state.set(status, payload)  # followers first; then the position survives a restart
        if isinstance(self.votes, SqliteVotes):
            try:
                await self.in_worker(self.votes.put, STATUS_KEY, status.to_json())
            except VoteError:
                log.error("Live-Modus: Position konnte nicht gespeichert werden.")
        return status


async def _await(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


# --- the process-wide instance -----------------------------------------------------------------------

_service: LiveService | None = None


def get_service() -> LiveService | None:
    """The started live service of this process, or None when the app runs without live routes."""
    return _service


def set_service(service: LiveService | None) -> None:
    global _service
    _service = service
