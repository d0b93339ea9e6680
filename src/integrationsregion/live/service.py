"""The live service: one object per server process that the routes and the presenter page call.

It starts and stops the backends (live state, vote store, counters), keeps the tour, and carries out the
presenter's actions and the audience's votes; payloads and figures come from ``rendering``, vote admission and
results from ``voting``, the tour's storage from ``tour_store``. Actions are coroutines on the server's event
loop; ``call`` runs them from another thread (the Streamlit script thread of the presenter page).

Backends: ``memory`` keeps state in the process and votes, position and tour edits in ``state_dir`` (SQLite,
``live/tour.json``); ``redis`` keeps votes, device dedup, counters, position and the tour in Redis, so every
process counts every vote once and sees a saved tour.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from integrationsregion.live import auth, voting
from integrationsregion.live.data import DataUnavailable, SceneData, UnknownIndicator
from integrationsregion.live.device import DeviceKeys
from integrationsregion.live.polls import MemoryCounters, SqliteVotes, VoteError
from integrationsregion.live.rendering import TARGETS, CachedFigure, SceneRenderer
from integrationsregion.live.scenes import Tour, TourError, loads_tour, parse_scene
from integrationsregion.live.state import LiveState, LiveStatus, MemoryLiveState, PollState
from integrationsregion.live.tour_store import read_tour_text, tour_problems, write_tour
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
        self._action_lock: asyncio.Lock | None = None
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
        self._action_lock = asyncio.Lock()
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
            self.votes = await self._in_worker(SqliteVotes, self.settings.state_dir / "live.sqlite3")
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
            saved = await self._in_worker(self.votes.get, STATUS_KEY)
            if saved:
                try:
                    status = LiveStatus.from_json(saved)
                except (ValueError, KeyError, TypeError) as exc:
                    log.error("Live-Modus: gespeicherte Position unlesbar (%s); erste Szene.", exc)
        if status is None and self.tour is not None:
            status = LiveStatus(
                version=0, scene=self.tour.scenes[0].to_dict(), position=0, poll=self._poll_for(0)
            )
        if status is not None:
            await self._publish(status, keep_version=True)

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
            self.tour_error = await self._in_worker(tour_problems, tour, self.data)
        except DataUnavailable:
            return
        if not self.tour_error and self._warming is None:
            # Build every tour scene's figures now, so a scene change under load only publishes.
            self._warming = asyncio.ensure_future(self._in_worker(self.render.warm, tour))

    # --- running on the loop -------------------------------------------------------------------------

    async def _in_worker(self, fn: Callable[..., T], *args: Any) -> T:
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
            return await self._in_worker(self.render.results_figure, name, status, target)
        scene = self.render.known_scene(key, status, self.tour)
        return None if scene is None else await self._in_worker(self.render.scene_figure, scene, target)

    async def _publish(self, status: LiveStatus, keep_version: bool = False) -> LiveStatus:
        self.require_available()
        if not keep_version or status.version == 0:
            status = status.evolve(version=await self.state.next_version())
        payload = await self._in_worker(self.render.payload, status, self.tour)
        await self.state.set(status, payload)  # followers first; then the position survives a restart
        if isinstance(self.votes, SqliteVotes):
            try:
                await self._in_worker(self.votes.put, STATUS_KEY, status.to_json())
            except VoteError:
                log.error("Live-Modus: Position konnte nicht gespeichert werden.")
        return status

    # --- presenter actions ---------------------------------------------------------------------------

    def _poll_for(self, position: int) -> PollState | None:
        assert self.tour is not None
        poll = self.tour.scenes[position].poll
        return PollState(poll.id) if poll else None

    async def _status(self) -> LiveStatus:
        current = await self.current()
        if current is None:
            raise TourError(["Es ist noch keine Szene gesetzt."])
        return current[0]

    async def goto(self, position: int) -> LiveStatus:
        async with self._action_lock:
            if self.tour is None:
                raise TourError(["Keine gültige Tour geladen.", *self.tour_error])
            if not 0 <= position < len(self.tour):
                raise TourError([f"Szene {position + 1} gibt es nicht (1–{len(self.tour)})."])
            scene = self.tour.scenes[position]
            status = LiveStatus(
                version=0, scene=scene.to_dict(), position=position, poll=self._poll_for(position)
            )
            return await self._publish(status)

    async def step(self, delta: int) -> LiveStatus:
        current = await self.current()
        total = len(self.tour) if self.tour else 0
        position = current[0].position if current else None
        base = position if position is not None else -1 if delta > 0 else total
        return await self.goto(min(max(base + delta, 0), max(total - 1, 0)))

    async def set_scene(self, raw: dict[str, Any]) -> LiveStatus:
        async with self._action_lock:
            tour = self.tour or Tour("", ())
            scene, errors = parse_scene(raw, tour.statements)
            if errors:
                raise TourError(errors)
            if problems := await self._in_worker(tour_problems, Tour("", (scene,)), self.data):
                raise TourError(problems)
            position = next((i for i, s in enumerate(tour.scenes) if s.key == scene.key), None)
            poll = PollState(scene.poll.id) if scene.poll else None
            return await self._publish(
                LiveStatus(version=0, scene=scene.to_dict(), position=position, poll=poll)
            )

    async def poll_action(self, action: str) -> LiveStatus:
        async with self._action_lock:
            status = await self._status()
            if status.poll is None:
                raise TourError(["Zu dieser Szene gibt es keine Umfrage."])
            poll, results = status.poll, status.results
            if action == "open":
                poll, results = PollState(poll.id, open=True, revealed=False), None
            elif action == "close":
                poll = PollState(poll.id, open=False, revealed=poll.revealed)
            elif action == "reveal":
                poll = PollState(poll.id, open=False, revealed=True)
                spec = voting.poll_spec(status)
                values = await self.votes.all_values(spec.id)
                f = await self._in_worker(self.render.facts, spec.indicator, spec.year, spec.breakdown)
                results = voting.results(spec, values, f)
            elif action == "hide":
                poll = PollState(poll.id, open=poll.open, revealed=False)
            else:
                raise TourError([f"Unbekannte Aktion „{action[:40]}“ (erlaubt: open, close, reveal, hide)."])
            return await self._publish(status.evolve(version=0, poll=poll, results=results))

    async def save_tour_text(self, text: str) -> Tour:
        """Validate (syntax and catalogue) and save an edited tour: Redis, or atomically in ``state_dir``."""
        tour = loads_tour(text)
        if problems := await self._in_worker(tour_problems, tour, self.data):
            raise TourError(problems)
        self.require_available()
        await write_tour(self.state, self.settings, tour)
        self.tour, self.tour_error = tour, []
        return tour

    async def login(self, token: str | None, address: str) -> str | None:
        """Console and API login: None when accepted, else the German refusal."""
        return await self.guard.check(token, address)

    async def presenter_status(self) -> dict[str, Any]:
        current = await self.current()
        followers = await self.state.follower_count()
        status = current[0] if current else None
        votes = None
        if status is not None and status.poll is not None:
            votes = await self.votes.total(status.poll.id)
        return {
            "status": json.loads(status.to_json()) if status else None,
            "followers": followers,
            "votes": votes,
            "tour_length": len(self.tour) if self.tour else 0,
            "tour_error": self.tour_error,
        }

    # --- audience ------------------------------------------------------------------------------------

    async def vote(self, poll_id: str, device_id: str, raw: object, address: str) -> float:
        """Record a guess; returns the value as understood. Raises ``VoteError`` with a German message."""
        current = await self.current()
        status = current[0] if current else None
        return await voting.admit_vote(
            status,
            poll_id,
            device_id,
            raw,
            address,
            self.votes,
            self.counters,
            self.settings.live_votes_per_address,
        )


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
