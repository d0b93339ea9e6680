"""The live service: one object per server process that the routes and the presenter page call.

It owns the live state backend, the poll store and the tour, renders the payload followers receive once
per change, and builds each scene's figure once (cached by the scene's content key). Actions are
coroutines on the server's event loop; ``call`` runs them from another thread (the Streamlit script
thread of the presenter page).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from plotly.utils import PlotlyJSONEncoder

from integrationsregion.live import auth
from integrationsregion.live.config import LiveConfig
from integrationsregion.live.data import SceneData, default_data, facts, format_value
from integrationsregion.live.figures import poll_figure, scene_figure
from integrationsregion.live.polls import PollStore, VoteError, parse_guess, summarize
from integrationsregion.live.scenes import (
    THEMES,
    PollSpec,
    Scene,
    Tour,
    TourError,
    load_tour,
    loads_tour,
    parse_poll,
    parse_scene,
    save_tour,
)
from integrationsregion.live.state import LiveState, LiveStatus, MemoryLiveState, PollState

log = logging.getLogger(__name__)
T = TypeVar("T")
STATUS_KEY = "live_status"

try:
    from integrationsregion.catalogue import BREAKDOWN_LABELS
except ImportError:  # pragma: no cover - catalogue ships with the package
    BREAKDOWN_LABELS = {"total": "insgesamt", "foreign": "Ausländer/-innen"}


@dataclass(frozen=True)
class CachedFigure:
    body: bytes
    etag: str


def scene_from_dict(raw: dict[str, Any], tour: Tour) -> Scene:
    scene, errors = parse_scene(raw, tour.statements)
    if errors:
        raise TourError(errors)
    return scene


def make_state(config: LiveConfig) -> LiveState:
    if config.backend == "redis":
        from integrationsregion.live.redis_state import RedisLiveState

        return RedisLiveState(config.redis_url)
    return MemoryLiveState()


class LiveService:
    def __init__(
        self,
        config: LiveConfig,
        state: LiveState | None = None,
        data: SceneData | None = None,
        figure_builder: Callable[[Scene, SceneData], dict] | None = None,
    ):
        self.config = config
        self.state = state or make_state(config)
        self._data = data
        self._figure_builder = figure_builder or scene_figure
        self.polls: PollStore | None = None
        self.tour: Tour | None = None
        self.tour_error: list[str] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ir-live-db")
        self._work = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ir-live-render")
        self._figures: dict[str, CachedFigure] = {}
        self._facts: dict[tuple[str, int, str], Any] = {}
        self._scenes: dict[str, Scene] = {}
        self._action_lock: asyncio.Lock | None = None
        self._warming: asyncio.Future | None = None

    @property
    def data(self) -> SceneData:
        if self._data is None:
            self._data = default_data()
        return self._data

    # --- lifecycle -----------------------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._action_lock = asyncio.Lock()
        self.polls = await self._in_db(PollStore, self.config.db_path)
        try:
            self.tour = await self._in_db(load_tour, self.config.tour_path)
        except TourError as exc:
            self.tour_error = exc.errors
            log.error("live: tour %s invalid: %s", self.config.tour_path, exc)
        await self.state.start()
        if self.tour is not None:
            # Build every tour scene's figure and facts now, so a scene change under load only publishes.
            self._warming = asyncio.ensure_future(self._in_worker(self._warm, self.tour))
        if not isinstance(self.state, MemoryLiveState) and auth.generated():
            await self._share_generated_token()
        auth.presenter_token()
        current = await self.state.get()
        if current is not None:
            scene = Scene(**_scene_args(current[0].scene))
            self._scenes[scene.key] = scene
            return
        saved = await self._in_db(self.polls.get, STATUS_KEY)
        status: LiveStatus | None = None
        if saved:
            try:
                status = LiveStatus.from_json(saved)
            except (ValueError, KeyError, TypeError) as exc:
                log.error("live: saved status unreadable (%s); starting at the first scene", exc)
        if status is None and self.tour is not None:
            status = LiveStatus(
                version=0, scene=self.tour.scenes[0].to_dict(), position=0, poll=self._poll_for(0)
            )
        if status is not None:
            await self._publish(status, keep_version=True)

    async def close(self) -> None:
        await self.state.close()
        if self.polls is not None:
            await self._in_db(self.polls.close)
        self._db.shutdown(wait=False)
        self._work.shutdown(wait=False)

    async def _share_generated_token(self) -> None:
        redis = getattr(self.state, "redis", None)
        if redis is None:
            return
        key = f"{self.state.prefix}:generated_token"  # type: ignore[attr-defined]
        candidate = auth.presenter_token()
        await redis.set(key, candidate, nx=True)
        shared = await redis.get(key)
        if shared and shared.decode() != candidate:
            auth.adopt_token(shared.decode())

    # --- helpers -------------------------------------------------------------------------------------

    async def _in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

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
        return await self.state.get()

    # --- rendering -----------------------------------------------------------------------------------

    def _warm(self, tour: Tour) -> None:
        for scene in tour.scenes:
            self._figure(scene)
            self._scene_facts(scene)

    def _scene_facts(self, scene: Scene) -> Any:
        key = (scene.indicator, scene.year, scene.breakdown)
        if key not in self._facts:
            self._facts[key] = facts(self.data, *key)
        return self._facts[key]

    def _figure(self, scene: Scene) -> CachedFigure:
        cached = self._figures.get(scene.key)
        if cached is None:
            body = json.dumps(self._figure_builder(scene, self.data), cls=PlotlyJSONEncoder).encode()
            cached = CachedFigure(body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
            self._figures[scene.key] = cached
            self._scenes[scene.key] = scene
        return cached

    async def figure(self, key: str) -> CachedFigure | None:
        cached = self._figures.get(key)
        if cached is not None:
            return cached
        scene = self._scenes.get(key)
        if scene is None:
            current = await self.state.get()
            if current is not None:
                candidate = Scene(**_scene_args(current[0].scene))
                scene = candidate if candidate.key == key else None
        if scene is None and self.tour is not None:
            scene = next((s for s in self.tour.scenes if s.key == key), None)
        return None if scene is None else await self._in_worker(self._figure, scene)

    def _render(self, status: LiveStatus) -> bytes:
        scene = Scene(**_scene_args(status.scene))
        self._figure(scene)
        f = self._scene_facts(scene)
        try:
            takeaway = scene.takeaway.format(**f.placeholders(scene.highlight))
        except (KeyError, IndexError, ValueError):
            takeaway = scene.takeaway
        statement = None
        if scene.statement and self.tour and scene.statement in self.tour.statements:
            s = self.tour.statements[scene.statement]
            text = f"„{s.quote}“" if s.quote else s.paraphrase
            statement = {
                "id": s.id,
                "speaker": s.speaker,
                "role": s.role,
                "text": text,
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
                "unit": f.info.unit_label if f.info.unit != "percent" else "%",
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
                "theme_label": THEMES.get(scene.theme, scene.theme),
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
                "takeaway": takeaway,
                "source": f.source,
                "statement": statement,
                "figure_url": f"/live/figure/{scene.key}.json",
                "explore_url": scene.explore_path(),
            },
            "poll": poll,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), cls=PlotlyJSONEncoder).encode()

    async def _publish(self, status: LiveStatus, keep_version: bool = False) -> LiveStatus:
        if not keep_version or status.version == 0:
            status = status.evolve(version=await self.state.next_version())
        payload = await self._in_worker(self._render, status)
        await self.state.set(status, payload)  # followers first; then the position survives a restart
        await self._in_db(self.polls.put, STATUS_KEY, status.to_json())
        return status

    # --- presenter actions ---------------------------------------------------------------------------

    async def _status(self) -> LiveStatus:
        current = await self.state.get()
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
        status = await self._status()
        total = len(self.tour) if self.tour else 0
        base = status.position if status.position is not None else -1 if delta > 0 else total
        return await self.goto(min(max(base + delta, 0), max(total - 1, 0)))

    async def set_scene(self, raw: dict[str, Any]) -> LiveStatus:
        async with self._action_lock:
            scene = scene_from_dict(raw, self.tour or Tour("", ()))
            position = None
            if self.tour is not None:
                position = next((i for i, s in enumerate(self.tour.scenes) if s.key == scene.key), None)
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
                poll = PollState(poll.id, open=True, revealed=False)
                results = None
            elif action == "close":
                poll = PollState(poll.id, open=False, revealed=poll.revealed)
            elif action == "reveal":
                poll = PollState(poll.id, open=False, revealed=True)
                results = await self._results(status)
            elif action == "hide":
                poll = PollState(poll.id, open=poll.open, revealed=False)
            else:
                raise TourError([f"Unbekannte Aktion „{action}“."])
            return await self._publish(status.evolve(version=0, poll=poll, results=results))

    async def _results(self, status: LiveStatus) -> dict[str, Any]:
        spec = _poll_spec(status)
        values = await self._in_db(self.polls.values, spec.id)
        f = await self._in_worker(facts, self.data, spec.indicator, spec.year, spec.breakdown)
        official = f.value(spec.ags)
        summary = summarize(values, official)
        return {
            "n": summary["n"],
            "median": format_value(summary["median"], f.info) if summary["n"] else None,
            "official": format_value(official, f.info),
            "official_value": official,
            "unit_name": f.names.get(spec.ags, spec.ags),
            "source": f.source,
            "bins": summary["bins"],
            "figure": poll_figure(summary["bins"], official, f.info.decimals) if summary["n"] else None,
        }

    async def save_tour_text(self, text: str) -> Tour:
        """Validate and save an edited tour (atomic write); the live position is left as it is."""
        tour = loads_tour(text)
        await self._in_db(save_tour, tour, self.config.tour_path)
        self.tour, self.tour_error = tour, []
        return tour

    # --- audience ------------------------------------------------------------------------------------

    async def vote(self, poll_id: str, device_id: str, raw: object) -> None:
        current = await self.state.get()
        status = current[0] if current else None
        if status is None or status.poll is None or status.poll.id != poll_id:
            raise VoteError("Zu dieser Frage läuft gerade keine Abstimmung.", status=404)
        if not status.poll.open:
            raise VoteError("Die Abstimmung ist geschlossen.", status=409)
        value = parse_guess(raw, _poll_spec(status))
        if not await self._in_db(self.polls.add_vote, poll_id, device_id, value):
            raise VoteError("Von diesem Gerät wurde zu dieser Frage schon abgestimmt.", status=409)

    async def presenter_status(self) -> dict[str, Any]:
        current = await self.state.get()
        followers = await self.state.follower_count()
        status = current[0] if current else None
        votes = None
        if status is not None and status.poll is not None:
            votes = await self._in_db(self.polls.count, status.poll.id)
        return {
            "status": json.loads(status.to_json()) if status else None,
            "followers": followers,
            "votes": votes,
            "tour_length": len(self.tour) if self.tour else 0,
            "tour_error": self.tour_error,
        }


def _scene_args(raw: dict[str, Any]) -> dict[str, Any]:
    args = dict(raw)
    if args.get("poll") is not None and not isinstance(args["poll"], PollSpec):
        errors: list[str] = []
        args["poll"] = parse_poll(args["poll"], "Szene", errors)
    return args


def _poll_spec(status: LiveStatus) -> PollSpec:
    scene = Scene(**_scene_args(status.scene))
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
