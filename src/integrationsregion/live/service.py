"""The live service: one object per server process that the routes and the presenter page call.

It owns the live state backend, the vote store, the counters and the tour; it renders the payload followers
receive once per change and each scene's SVG figure once (cached by the scene's content key). Actions are
coroutines on the server's event loop; ``call`` runs them from another thread (the Streamlit script thread of
the presenter page).

Backends: ``memory`` keeps state in the process and votes, position and tour edits in ``state_dir`` (SQLite,
``live/tour.json``); ``redis`` keeps votes, device dedup, counters, position and the tour in Redis, so every
process counts every vote once and sees a saved tour.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from integrationsregion.catalogue import BREAKDOWN_LABELS
from integrationsregion.live import auth
from integrationsregion.live.data import (
    DataUnavailable,
    Facts,
    SceneData,
    UnknownIndicator,
    facts,
    format_value,
    shared_data,
)
from integrationsregion.live.device import DeviceKeys
from integrationsregion.live.polls import MemoryCounters, SqliteVotes, VoteError, parse_guess, summarize
from integrationsregion.live.scenes import (
    PollSpec,
    Scene,
    Tour,
    TourError,
    dumps_tour,
    loads_tour,
    parse_poll,
    parse_scene,
    render_takeaway,
    save_tour,
)
from integrationsregion.live.state import LiveState, LiveStatus, MemoryLiveState, PollState
from integrationsregion.live.svg import bar_svg, poll_svg
from integrationsregion.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
STATUS_KEY = "live_status"
TARGETS = ("phone", "stage")
MAX_CACHED_FIGURES = 256
ADDRESS_WINDOW = 24 * 3600.0
UNREACHABLE = "Live-Server nicht erreichbar – bitte gleich erneut versuchen."


class LiveUnavailable(RuntimeError):
    """The live mode cannot answer now (Redis down, snapshot unreadable); German message, HTTP 503."""

    def __init__(self, message: str = UNREACHABLE):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CachedFigure:
    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> CachedFigure:
        return cls(body, gzip.compress(body, 6, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def make_state(settings: Settings) -> LiveState:
    if settings.live_backend == "redis":
        from integrationsregion.live.redis_state import RedisLiveState

        return RedisLiveState(settings.redis_url)
    return MemoryLiveState()


def tour_problems(tour: Tour, data: SceneData) -> list[str]:
    """Indicators of the tour's scenes and polls that the catalogue does not know."""
    problems = []
    for i, scene in enumerate(tour.scenes, start=1):
        for indicator in {scene.indicator, *([scene.poll.indicator] if scene.poll else [])}:
            try:
                data.info(indicator)
            except UnknownIndicator as exc:
                problems.append(f"Szene {i}: {exc.message}")
    return problems


class LiveService:
    def __init__(self, settings: Settings, state: LiveState | None = None, data: SceneData | None = None):
        self.settings = settings
        self.state = state or make_state(settings)
        self._data = data
        self.votes: Any = None
        self.counters: Any = MemoryCounters()
        self.guard = auth.LoginGuard(self.counters)
        self.devices = DeviceKeys(settings.device_secret or secrets.token_urlsafe(32))
        self.tour: Tour | None = None
        self.tour_error: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._work = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ir-live-render")
        self._figures: OrderedDict[str, CachedFigure] = OrderedDict()
        self._facts_cache: dict[tuple[str, int, str], Facts] = {}
        self._scenes: dict[str, Scene] = {}
        self._action_lock: asyncio.Lock | None = None
        self._warming: asyncio.Future | None = None

    @property
    def data(self) -> SceneData:
        return self._data if self._data is not None else shared_data()

    @property
    def edited_tour_path(self) -> Path:
        return self.settings.state_dir / "live" / "tour.json"

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
        """Processes without a configured token / device key agree on the first one generated."""
        redis = self.state.redis  # type: ignore[attr-defined]
        pairs = []
        if auth.generated():
            pairs.append(("generated_token", auth.presenter_token(), auth.adopt_token))
        if not self.settings.device_secret:
            pairs.append(("device_secret", secrets.token_urlsafe(32), self._adopt_device_secret))
        for name, candidate, adopt in pairs:
            key = self.state._key(name)  # type: ignore[attr-defined]
            await redis.set(key, candidate, nx=True)
            adopt((await redis.get(key)).decode())

    def _adopt_device_secret(self, secret: str) -> None:
        self.devices = DeviceKeys(secret)

    async def _reload_tour(self) -> None:
        """The tour: the presenter's saved edit (Redis or ``state_dir``), else the snapshot's default."""
        text, where = None, str(self.settings.tour_path)
        try:
            if hasattr(self.state, "load_tour"):
                text = await self.state.load_tour()  # type: ignore[attr-defined]
                where = "Redis"
            elif self.edited_tour_path.exists():
                where = str(self.edited_tour_path)
                text = await self._in_worker(self.edited_tour_path.read_text, "utf-8")
            if text is None:
                where = str(self.settings.tour_path)
                text = await self._in_worker(self.settings.tour_path.read_text, "utf-8")
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
            self._warming = asyncio.ensure_future(self._in_worker(self._warm, tour))

    # --- helpers -------------------------------------------------------------------------------------

    async def _in_worker(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._work, fn, *args)

    def call(self, factory: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
        """Run ``factory()`` on the server loop from another thread and wait for its result."""
        if self.loop is None:
            raise RuntimeError("live service not started")
        return asyncio.run_coroutine_threadsafe(_await(factory), self.loop).result(timeout)

    def _poll_for(self, position: int) -> PollState | None:
        assert self.tour is not None
        poll = self.tour.scenes[position].poll
        return PollState(poll.id) if poll else None

    async def current(self) -> tuple[LiveStatus, bytes] | None:
        """The current status and payload; raises ``LiveUnavailable`` / ``DataUnavailable`` (→ 503)."""
        self.require_available()
        current = await self.state.get()
        if current is None:
            self.data  # noqa: B018 - no scene yet: say why when the snapshot is the reason
        return current

    # --- rendering -----------------------------------------------------------------------------------

    def _warm(self, tour: Tour) -> None:
        for scene in tour.scenes:
            for target in TARGETS:
                try:
                    self._figure(scene, target)
                except (DataUnavailable, UnknownIndicator):
                    return

    def _facts(self, indicator: str, year: int, breakdown: str) -> Facts:
        """Facts of a cross-section, read once (a scene change under load then only publishes)."""
        key = (indicator, year, breakdown)
        cached = self._facts_cache.get(key)
        if cached is None:
            cached = self._facts_cache[key] = facts(self.data, indicator, year, breakdown)
            while len(self._facts_cache) > MAX_CACHED_FIGURES:
                self._facts_cache.pop(next(iter(self._facts_cache)))
        return cached

    def _cache(self, key: str, build: Callable[[], bytes]) -> CachedFigure:
        cached = self._figures.get(key)
        if cached is None:
            cached = CachedFigure.of(build())
            self._figures[key] = cached
            while len(self._figures) > MAX_CACHED_FIGURES:
                self._figures.popitem(last=False)
        return cached

    def _figure(self, scene: Scene, target: str) -> CachedFigure:
        self._scenes[scene.key] = scene
        f = self._facts(scene.indicator, scene.year, scene.breakdown)
        return self._cache(f"{scene.key}-{target}", lambda: bar_svg(f, scene.highlight, target))

    async def figure(self, name: str) -> CachedFigure | None:
        """``<scene key>-<target>`` or ``results-<poll id>-<version>-<target>``."""
        key, _, target = name.rpartition("-")
        if target not in TARGETS:
            return None
        if (cached := self._figures.get(name)) is not None:
            return cached
        current = await self.current()
        if key.startswith("results-"):
            return await self._results_figure(name, current, target)
        scene = self._scenes.get(key)
        if scene is None and current is not None:
            candidate = _scene(current[0].scene)
            scene = candidate if candidate.key == key else None
        if scene is None and self.tour is not None:
            scene = next((s for s in self.tour.scenes if s.key == key), None)
        return None if scene is None else await self._in_worker(self._figure, scene, target)

    async def _results_figure(
        self, name: str, current: tuple[LiveStatus, bytes] | None, target: str
    ) -> CachedFigure | None:
        status = current[0] if current else None
        if status is None or not status.results or name != f"{status.results['figure']}-{target}":
            return None
        spec = _poll_spec(status)
        f = await self._in_worker(self._facts, spec.indicator, spec.year, spec.breakdown)
        return await self._in_worker(self._cache, name, lambda: poll_svg(status.results, f, target))

    def _render(self, status: LiveStatus) -> bytes:
        scene = _scene(status.scene)
        self._scenes[scene.key] = scene
        f = self._facts(scene.indicator, scene.year, scene.breakdown)
        statement = None
        if scene.statement and self.tour and scene.statement in self.tour.statements:
            s = self.tour.statements[scene.statement]
            statement = {
                "speaker": s.speaker,
                "role": s.role,
                "text": f"„{s.quote}“" if s.quote else s.paraphrase,
                "paraphrase": s.paraphrase if s.quote else "",
                "source": s.source,
            }
        poll = None
        if status.poll is not None and scene.poll is not None:
            poll = {
                "id": status.poll.id,
                "question": scene.poll.question,
                "open": status.poll.open,
                "revealed": status.poll.revealed,
                "min": scene.poll.min,
                "max": scene.poll.max,
                "unit": f.info.short_unit if scene.poll.indicator == scene.indicator else "",
                "results": status.results if status.poll.revealed else None,
            }
        payload = {
            "version": status.version,
            "position": status.position,
            "total": len(self.tour) if self.tour else 0,
            "tour_title": self.tour.title if self.tour else "",
            "updated_at": status.updated_at,
            "scene": {
                "key": scene.key,
                "theme": scene.theme,
                "theme_label": self.data.theme_label(scene.theme),
                "indicator": scene.indicator,
                "indicator_title": f.info.title,
                "year": scene.year,
                "breakdown": scene.breakdown,
                "breakdown_label": BREAKDOWN_LABELS.get(scene.breakdown, scene.breakdown),
                "highlight": scene.highlight,
                "highlight_name": f.names.get(scene.highlight or ""),
                "highlight_value": format_value(f.value(scene.highlight), f.info)
                if scene.highlight
                else None,
                "title": scene.title,
                "takeaway": render_takeaway(scene.takeaway, f.placeholders(scene.highlight)),
                "source": f.source,
                "statement": statement,
                "explore_path": scene.explore_path(),
            },
            "poll": poll,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    async def _publish(self, status: LiveStatus, keep_version: bool = False) -> LiveStatus:
        self.require_available()
        if not keep_version or status.version == 0:
            status = status.evolve(version=await self.state.next_version())
        payload = await self._in_worker(self._render, status)
        await self.state.set(status, payload)  # followers first; then the position survives a restart
        if isinstance(self.votes, SqliteVotes):
            try:
                await self._in_worker(self.votes.put, STATUS_KEY, status.to_json())
            except VoteError:
                log.error("Live-Modus: Position konnte nicht gespeichert werden.")
        return status

    # --- presenter actions ---------------------------------------------------------------------------

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
                results = await self._results(status)
            elif action == "hide":
                poll = PollState(poll.id, open=poll.open, revealed=False)
            else:
                raise TourError([f"Unbekannte Aktion „{action[:40]}“ (erlaubt: open, close, reveal, hide)."])
            return await self._publish(status.evolve(version=0, poll=poll, results=results))

    async def _results(self, status: LiveStatus) -> dict[str, Any]:
        spec = _poll_spec(status)
        values = await self.votes.all_values(spec.id)
        f = await self._in_worker(self._facts, spec.indicator, spec.year, spec.breakdown)
        official = f.value(spec.ags)
        summary = summarize(values, official)
        median = summary["median"]
        return {
            "n": summary["n"],
            "median": format_value(median, f.info) if summary["n"] else None,
            "median_value": median,
            "official": format_value(official, f.info),
            "official_value": official,
            "decimals": f.info.decimals,
            "unit": f.info.short_unit,
            "unit_name": f.names.get(spec.ags, spec.ags),
            "source": f.source,
            "bins": summary["bins"],
            "figure": f"results-{spec.id}-{secrets.token_hex(4)}",
        }

    async def save_tour_text(self, text: str) -> Tour:
        """Validate (syntax and catalogue) and save an edited tour: Redis, or atomically in ``state_dir``."""
        tour = loads_tour(text)
        if problems := await self._in_worker(tour_problems, tour, self.data):
            raise TourError(problems)
        text = dumps_tour(tour)
        if hasattr(self.state, "save_tour"):
            self.require_available()
            await self.state.save_tour(text)  # type: ignore[attr-defined]
        else:
            await self._in_worker(save_tour, tour, self.edited_tour_path)
        self.tour, self.tour_error = tour, []
        return tour

    async def login(self, token: str | None, address: str) -> str | None:
        """Console and API login: None when accepted, else the German refusal."""
        return await self.guard.check(token, address)

    # --- audience ------------------------------------------------------------------------------------

    async def vote(self, poll_id: str, device_id: str, raw: object, address: str) -> float:
        """Record a guess; returns the value as understood. Raises ``VoteError`` with a German message."""
        current = await self.current()
        status = current[0] if current else None
        if status is None or status.poll is None or status.poll.id != poll_id:
            raise VoteError("Zu dieser Frage läuft gerade keine Abstimmung.", status=404)
        if not status.poll.open:
            raise VoteError("Die Abstimmung ist geschlossen.", status=409)
        value = parse_guess(raw, _poll_spec(status))
        key = f"addr:{poll_id}:{address[:64]}"
        if await self.counters.get(key) >= self.settings.live_votes_per_address:
            raise VoteError(
                "Von Ihrem Netz sind zu dieser Frage schon sehr viele Schätzungen eingegangen – "
                "weitere werden nicht angenommen.",
                status=429,
            )
        if not await self.votes.add(poll_id, device_id, value):
            raise VoteError("Von diesem Gerät wurde zu dieser Frage schon abgestimmt.", status=409)
        await self.counters.hit(key, ADDRESS_WINDOW)
        return value

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


def _scene(raw: dict[str, Any]) -> Scene:
    args = dict(raw)
    if args.get("poll") is not None and not isinstance(args["poll"], PollSpec):
        args["poll"] = parse_poll(args["poll"], "Szene", [])
    return Scene(**args)


def _poll_spec(status: LiveStatus) -> PollSpec:
    scene = _scene(status.scene)
    if scene.poll is None:
        raise VoteError("Zu dieser Szene gibt es keine Umfrage.", status=404)
    return scene.poll


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
