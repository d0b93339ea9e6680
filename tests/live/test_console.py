"""The presenter console's view model (pages/live.py lays it out): what the presenter reads and the German
messages a failing live server turns into."""

from __future__ import annotations

import asyncio
import json

import pytest

from integrationsregion.live import console
from integrationsregion.live.address import AudienceAddress
from integrationsregion.live.scenes import TourError, load_tour, parse_scene
from integrationsregion.live.service import LiveUnavailable
from integrationsregion.settings import load_settings
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.unit


class FakeGuard:
    async def check(self, token, address):
        return None if token == "richtig" else f"Falsches Token ({address})."


class FakeService:
    """Runs what the console asks for at once, or fails the way the live server can."""

    def __init__(self, failure: BaseException | None = None, backend: str = "memory", tmp=None):
        self.failure = failure
        self.guard = FakeGuard()
        self.settings = load_settings({"IR_LIVE_BACKEND": backend, "IR_STATE_DIR": str(tmp or "/tmp/x")})

    def call(self, factory, timeout: float = 10.0):
        if self.failure is not None:
            raise self.failure
        return asyncio.run(factory())


async def nothing() -> None:
    return None


def test_base_path_is_a_link_prefix():
    assert console.base_path(None) == ""
    assert console.base_path("") == ""
    assert console.base_path("integration/") == "/integration"
    assert console.base_path("/a/b/") == "/a/b"


def test_a_loopback_audience_address_tells_how_to_set_the_public_one():
    warning = console.address_notice(AudienceAddress("http://127.0.0.1:8501/live", True))
    assert "erreichen Handys im Saal nicht" in warning and "IR_PUBLIC_URL" in warning
    notice = console.address_notice(AudienceAddress("https://example.org/live", False))
    assert notice == "Adresse fürs Publikum: https://example.org/live"


def test_login_accepts_refuses_and_says_when_the_server_is_unreachable():
    assert console.login(FakeService(), "richtig", None) is None
    assert console.login(FakeService(), "falsch", None) == "Falsches Token (unbekannt)."
    assert console.login(FakeService(TimeoutError()), "richtig", "1.2.3.4").startswith(
        "Live-Server nicht erreichbar"
    )


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (None, []),
        (TourError(["Szene 9 gibt es nicht (1–8)."]), ["Szene 9 gibt es nicht (1–8)."]),
        (LiveUnavailable(), ["Live-Server nicht erreichbar – bitte gleich erneut versuchen."]),
        (
            ConnectionError("redis"),
            ["Live-Server nicht erreichbar (ConnectionError) – bitte gleich erneut versuchen."],
        ),
    ],
)
def test_an_action_reports_german_errors_and_never_raises(failure, expected):
    assert console.run_action(FakeService(failure), nothing) == expected


PAYLOAD = {
    "position": 2,
    "total": 8,
    "scene": {
        "title": "Sprache öffnet Türen",
        "takeaway": "Gelsenkirchen liegt vorn.",
        "theme_label": "Bildung",
        "indicator_title": "Ausländeranteil",
        "year": 2024,
        "breakdown_label": "insgesamt",
        "highlight_name": "Gelsenkirchen",
    },
    "poll": {
        "open": False,
        "revealed": True,
        "question": "Wie hoch?",
        "results": {"official": "20,1 %", "median": None, "n": 0},
    },
}


def test_status_shows_followers_scene_poll_and_result():
    info = {"followers": {"audience": 12}, "votes": 3, "tour_error": []}
    view = console.status_view(info, (None, json.dumps(PAYLOAD).encode()))
    assert (view.phones, view.screens, view.votes) == (12, 0, 3)
    assert view.heading == "Szene 3 von 8: Sprache öffnet Türen"
    assert view.caption == "Bildung · Ausländeranteil · 2024 · insgesamt · hervorgehoben: Gelsenkirchen"
    assert view.poll == "**Umfrage** (geschlossen, Ergebnis sichtbar): Wie hoch?"
    assert view.results == "Amtlich: 20,1 % · Median der Schätzungen: – · n = 0"
    assert view.tour_error is None


def test_status_of_an_own_scene_without_poll_and_of_no_scene():
    own = {**PAYLOAD, "position": None, "poll": None}
    own["scene"] = {**PAYLOAD["scene"], "highlight_name": None}
    info = {"followers": {}, "votes": None, "tour_error": ["Szene 1: unbekannt."]}
    view = console.status_view(info, (None, json.dumps(own).encode()))
    assert view.heading == "eigene Szene: Sprache öffnet Türen" and view.poll is None
    assert "hervorgehoben" not in view.caption
    assert view.tour_error == "Die Tour-Datei ist ungültig: Szene 1: unbekannt."
    empty = console.status_view(info, None)
    assert empty.heading is None and (empty.phones, empty.screens) == (0, 0)


def test_unreachable_status_is_none():
    assert console.read_status(FakeService(ConnectionError())) is None


def test_jump_labels_and_statements_follow_the_tour():
    tour = load_tour(DATA_DIR / "live" / "tour.json")
    labels = console.jump_labels(tour)
    assert len(labels) == len(tour) and labels[0] == f"1. {tour.scenes[0].title}"
    assert console.jump_labels(None) == [] and console.statement_choices(None) == [""]
    choices = console.statement_choices(tour)
    assert choices[0] == "" and choices[1:] == sorted(tour.statements)


def test_the_scene_form_becomes_a_scene_the_service_accepts():
    raw = console.scene_request(
        theme="bildung",
        indicator="foreign_share",
        year=2024.0,
        breakdown="total",
        highlight="  05513 ",
        statement="",
        title="T",
        takeaway="x",
    )
    assert raw["year"] == 2024 and raw["highlight"] == "05513" and raw["statement"] is None
    scene, errors = parse_scene(raw, {})
    assert errors == [] and scene.highlight == "05513"


def test_tour_caption_names_where_an_edit_is_saved(tmp_path):
    assert str(tmp_path / "live" / "tour.json") in console.tour_caption(FakeService(tmp=tmp_path))
    assert "Gespeichert in Redis" in console.tour_caption(FakeService(backend="redis", tmp=tmp_path))


def test_scene_indicators_are_statistics_not_cost_parameters():
    from integrationsregion.store import Store

    catalogue = Store.load(DATA_DIR).catalogue
    indicators = console.statistic_indicators(catalogue)
    assert indicators["foreign_share"] == catalogue["foreign_share"].title
    parameters = [i.id for i in catalogue.all() if i.kind == "parameter"]
    assert parameters and not set(parameters) & set(indicators)
