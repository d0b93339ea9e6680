"""Scenes and the default tour: validation, German errors, atomic save, shareable URLs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from integrationsregion.live.data import StoreData, UnknownIndicator, facts
from integrationsregion.live.scenes import (
    MAX_TAKEAWAY_RENDERED,
    TourError,
    load_tour,
    loads_tour,
    render_takeaway,
    save_tour,
    theme_pages,
)
from integrationsregion.live.tour_store import tour_problems
from integrationsregion.store import Store
from tests.conftest import DATA_DIR

TOUR = DATA_DIR / "live" / "tour.json"
SCENE = {"theme": "bildung", "indicator": "foreign_share", "year": 2024, "title": "T", "takeaway": "x"}
STATEMENTS = {"kerber_sprache", "gueler_strategie", "geiss_netthoefel_schulterschluss"}


@pytest.fixture(scope="module")
def tour():
    return load_tour(TOUR)


def test_default_tour_covers_themes_statements_and_a_poll(tour):
    assert {s.theme for s in tour.scenes} == set(theme_pages())
    assert {s.statement for s in tour.scenes if s.statement} == STATEMENTS
    assert any(s.poll for s in tour.scenes)


@pytest.fixture(scope="module")
def data():
    return StoreData(Store.load(DATA_DIR))


def test_every_scene_and_poll_has_data_in_the_snapshot(tour, data):
    for scene in tour.scenes:
        f = facts(data, scene.indicator, scene.year, scene.breakdown)
        assert len([a for a in f.values if len(a) == 5]) >= 10, scene.title
        if scene.highlight:
            assert f.value(scene.highlight) is not None, scene.title
        if scene.poll:
            p = scene.poll
            official = facts(data, p.indicator, p.year, p.breakdown).value(p.ags)
            assert official is not None and p.min <= official <= p.max


def test_takeaways_are_filled_from_the_data(tour, data):
    for scene in tour.scenes:
        f = facts(data, scene.indicator, scene.year, scene.breakdown)
        text = scene.takeaway.format(**f.placeholders(scene.highlight))
        assert "{" not in text and text.strip() != "–"
        if "{wert}" in scene.takeaway:
            # the quoted value is the one in the data, in German notation
            assert f.placeholders(scene.highlight)["wert"] in text


def test_explore_url_uses_page_path_and_query_names(tour):
    scene = next(
        s for s in tour.scenes if s.highlight and s.breakdown == "foreign" and s.theme == "arbeitsmarkt"
    )
    assert scene.explore_path() == (
        f"/arbeitsmarkt?indikator={scene.indicator}&jahr={scene.year}&einheit={scene.highlight}"
        "&aufschluesselung=foreign"
    )


def test_invalid_tour_lists_german_errors():
    raw = {
        "title": "",
        "scenes": [
            {"theme": "sport", "indicator": "X Y", "year": 1800, "title": "", "takeaway": "{zahl}"},
            {
                "theme": "bildung",
                "indicator": "foreign_share",
                "year": 2024,
                "title": "t",
                "takeaway": "{wert}",
                "statement": "unbekannt",
                "poll": {
                    "id": "p",
                    "question": "q",
                    "ags": "05513",
                    "indicator": "x",
                    "year": 2019,
                    "min": 5,
                    "max": 1,
                },
            },
        ],
    }
    with pytest.raises(TourError) as err:
        loads_tour(json.dumps(raw))
    text = " ".join(err.value.errors)
    for expected in (
        "Thema „sport“",
        "Jahreszahl",
        "Platzhalter 'zahl'",
        "„title“",
        "brauchen „highlight“",
        "Aussage „unbekannt“",
        "„min“ muss kleiner",
    ):
        assert expected in text
    with pytest.raises(TourError, match="Kein gültiges JSON"):
        loads_tour("{")


def test_save_is_atomic_and_round_trips(tmp_path: Path, tour, monkeypatch):
    target = tmp_path / "tour.json"
    save_tour(tour, target)
    assert load_tour(target) == tour
    assert [p.name for p in tmp_path.iterdir()] == ["tour.json"]  # no temp files left
    before = target.read_text(encoding="utf-8")

    # a crash while writing leaves the old file intact
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("integrationsregion.atomic.os.replace", boom)
    with pytest.raises(OSError):
        save_tour(dataclasses.replace(tour, scenes=tour.scenes[:1]), target)
    assert target.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["tour.json"]


@pytest.mark.parametrize(
    "takeaway",
    ["{hoechster:>300000000}", "{wert!r}", "{hoechster.__class__}", "{anzahl[0]}", "{x}", "{wert:{anzahl}}"],
)
def test_takeaway_placeholders_must_be_bare_known_names(takeaway):
    doc = {"title": "T", "scenes": [{**SCENE, "takeaway": takeaway}]}
    with pytest.raises(TourError) as refused:
        loads_tour(json.dumps(doc), {})
    assert "Platzhalter" in " ".join(refused.value.errors)


def test_rendered_takeaway_is_capped():
    text = render_takeaway("{hoechster} " * 20, {"hoechster": "Gelsenkirchen und Duisburg " * 10})
    assert len(text) == MAX_TAKEAWAY_RENDERED and text.endswith("…")
    # a stored takeaway that fails the check is shown as written, never formatted
    assert render_takeaway("{wert:>999999999}", {"wert": "1"}) == "{wert:>999999999}"


@pytest.mark.parametrize("bound", ["NaN", "Infinity", "-Infinity", "1e308"])
def test_poll_bounds_must_be_finite(bound):
    poll = {"id": "p", "question": "?", "ags": "05513", "indicator": "unemployment_rate", "year": 2019}
    text = json.dumps({"title": "T", "scenes": [{**SCENE, "poll": poll}]}).replace(
        "}}", f', "max": {bound}}}}}'
    )
    with pytest.raises(TourError) as refused:
        loads_tour(text, {})
    assert "max" in " ".join(refused.value.errors)


def test_unknown_indicator_is_an_error_not_a_percentage(data):
    with pytest.raises(UnknownIndicator, match="unbekannt"):
        facts(data, "no_such_indicator", 2019, "total")
    tour = loads_tour(json.dumps({"title": "T", "scenes": [{**SCENE, "indicator": "no_such_indicator"}]}), {})
    assert tour_problems(tour, data) == ["Szene 1: Indikator „no_such_indicator“ ist im Katalog unbekannt."]


def test_a_breakdown_the_indicator_lacks_is_an_error(data):
    scene = {**SCENE, "breakdown": "total"}  # the foreigners' share has only the breakdown "foreign"
    tour = loads_tour(json.dumps({"title": "T", "scenes": [scene]}), {})
    [problem] = tour_problems(tour, data)
    assert problem.startswith("Szene 1: Die Aufschlüsselung „total“ gibt es für ")
    with pytest.raises(TourError, match="Aufschlüsselungs-Kennung"):
        loads_tour(json.dumps({"title": "T", "scenes": [{**SCENE, "breakdown": ["total"]}]}), {})
