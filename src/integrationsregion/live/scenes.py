"""Scenes and talks.

A *scene* is one view of the dashboard the presenter shows: theme (page), indicator, year, breakdown,
highlighted unit (AGS) and an optional conference statement, plus a title and a one-sentence takeaway.
A *talk* (``Tour``) is a sequence of scenes in a JSON file the presenter may edit; saving validates first
and replaces the file atomically.

Takeaways may contain placeholders that are filled from the data when the scene is shown, so the text never
states a number nobody read from the snapshot: ``{wert}`` (value of the highlighted unit), ``{einheit}``
(its name), ``{rang}`` / ``{anzahl}`` (rank from the top among the RVR units with data), ``{hoechster}`` /
``{niedrigster}`` (names of the units with the highest / lowest value). Only bare placeholders are allowed
(no format spec, conversion, attribute or index), so a takeaway cannot ask for a 300 MB padding; the rendered
text is capped at ``MAX_TAKEAWAY_RENDERED`` characters.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import string
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from integrationsregion import atomic


def theme_pages() -> dict[str, str]:
    """Theme id -> ``url_path`` of the dashboard page that shows it (the page registry)."""
    from integrationsregion import navigation

    return {theme: page.url_path for theme, page in navigation.theme_pages().items()}


TAKEAWAY_FIELDS = frozenset({"wert", "einheit", "rang", "anzahl", "hoechster", "niedrigster"})

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_AGS = re.compile(r"^(\d{2}|\d{5}|\d{8}|RVR|DG)$")
MAX_TAKEAWAY = 300
MAX_TAKEAWAY_RENDERED = 400
MAX_TOUR_BYTES = 256_000
MAX_SCENES = 200


class TourError(ValueError):
    """A tour or scene that fails validation; ``errors`` are German messages for the presenter."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Statement:
    """A conference statement; the registry is ``data/conference.toml`` (a tour may add its own)."""

    id: str
    speaker: str
    role: str
    paraphrase: str
    source: str
    quote: str = ""


def conference_statements(data_dir: Path | None = None) -> dict[str, Statement]:
    """Statements of the conference registry (``integrationsregion.conference``); empty if it is unreadable."""
    from integrationsregion.conference import Conference

    try:
        conference = Conference.load(data_dir) if data_dir else Conference.load()
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {
        s.id: Statement(
            id=s.id,
            speaker=s.speaker,
            role=s.role,
            paraphrase=s.paraphrase,
            source=s.quote_source or s.source_url,
            quote=s.quote,
        )
        for s in conference.statements
    }


@dataclass(frozen=True)
class PollSpec:
    """A guess-then-reveal question; the official value is read from the data (indicator/year/ags)."""

    id: str
    question: str
    ags: str
    indicator: str
    year: int
    breakdown: str = "total"
    min: float = 0.0
    max: float = 100.0


@dataclass(frozen=True)
class Scene:
    theme: str
    indicator: str
    year: int
    title: str
    takeaway: str
    breakdown: str = "total"
    highlight: str | None = None
    statement: str | None = None
    poll: PollSpec | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.poll is None:
            data.pop("poll")
        return data

    @property
    def key(self) -> str:
        """Content hash: equal scenes share cached figures."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def explore_path(self, base: str = "") -> str:
        """Shareable dashboard URL (path + query) showing exactly this view, below the app's base path."""
        query = {"indikator": self.indicator, "jahr": str(self.year)}
        if self.highlight:
            query["einheit"] = self.highlight
        query["aufschluesselung"] = self.breakdown
        return f"{base}/{theme_pages().get(self.theme, self.theme)}?{urlencode(query)}"


@dataclass(frozen=True)
class Tour:
    title: str
    scenes: tuple[Scene, ...]
    statements: dict[str, Statement] = field(default_factory=dict)
    own_statements: frozenset[str] = frozenset()
    """Ids defined in the tour file itself (written back on save); others come from the registry."""

    def __len__(self) -> int:
        return len(self.scenes)

    def poll(self, poll_id: str) -> PollSpec | None:
        for scene in self.scenes:
            if scene.poll is not None and scene.poll.id == poll_id:
                return scene.poll
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "statements": {
                sid: {k: v for k, v in asdict(s).items() if k != "id"}
                for sid, s in self.statements.items()
                if sid in self.own_statements
            },
            "scenes": [s.to_dict() for s in self.scenes],
        }


# --- parsing and validation -------------------------------------------------------------------------


def _text(errors: list[str], where: str, raw: dict, key: str, max_len: int, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}: „{key}“ fehlt oder ist leer.")
        return ""
    if len(value) > max_len:
        errors.append(f"{where}: „{key}“ ist länger als {max_len} Zeichen.")
    return value.strip()


def _year(errors: list[str], where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1990 <= value <= 2100:
        errors.append(f"{where}: „year“ muss eine Jahreszahl zwischen 1990 und 2100 sein.")
        return 0
    return value


def _number(errors: list[str], where: str, raw: dict, key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.append(f"{where}: „{key}“ muss eine endliche Zahl sein.")
        return default
    if abs(value) > 1e12:
        errors.append(f"{where}: „{key}“ ist unplausibel groß.")
        return default
    return float(value)


def _indicator(errors: list[str], where: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        errors.append(f"{where}: „indicator“ ist keine gültige Indikator-Kennung.")
        return ""
    return value


def _breakdown(errors: list[str], where: str, value: Any) -> str:
    """A breakdown key; whether the indicator has it is checked against the catalogue (`tour_problems`)."""
    if not isinstance(value, str) or not _ID.match(value):
        errors.append(f"{where}: „breakdown“ ist keine gültige Aufschlüsselungs-Kennung.")
        return "total"
    return value


def takeaway_fields(takeaway: str, where: str, errors: list[str]) -> set[str]:
    """The placeholders of a takeaway; each must be a bare ``{name}`` from ``TAKEAWAY_FIELDS``."""
    try:
        parts = list(string.Formatter().parse(takeaway))
    except ValueError:
        errors.append(f"{where}: „takeaway“ enthält eine ungültige geschweifte Klammer.")
        return set()
    fields = {name for _, name, _, _ in parts if name is not None}
    if unknown := fields - TAKEAWAY_FIELDS:
        shown = ", ".join(sorted(repr(u[:30]) for u in unknown))
        errors.append(
            f"{where}: unbekannte Platzhalter {shown} (erlaubt: {', '.join(sorted(TAKEAWAY_FIELDS))})."
        )
    if any(spec or conversion for _, name, spec, conversion in parts if name is not None):
        errors.append(f"{where}: Platzhalter nur in der Form {{name}}, ohne Formatangabe (z. B. {{wert}}).")
    return fields


def render_takeaway(takeaway: str, values: dict[str, str]) -> str:
    """Fill a validated takeaway; the result is capped at ``MAX_TAKEAWAY_RENDERED`` characters."""
    errors: list[str] = []
    takeaway_fields(takeaway, "Szene", errors)
    text = takeaway if errors else takeaway.format_map(values)
    if len(text) > MAX_TAKEAWAY_RENDERED:
        text = text[: MAX_TAKEAWAY_RENDERED - 1].rstrip() + "…"
    return text


def parse_poll(raw: Any, where: str, errors: list[str]) -> PollSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors.append(f"{where}: „poll“ muss ein Objekt sein.")
        return None
    where = f"{where}, Umfrage"
    poll_id = raw.get("id")
    if not isinstance(poll_id, str) or not _ID.match(poll_id):
        errors.append(f"{where}: „id“ fehlt oder enthält andere Zeichen als a–z, 0–9, _ und -.")
        poll_id = ""
    ags = raw.get("ags")
    if not isinstance(ags, str) or not _AGS.match(ags):
        errors.append(f"{where}: „ags“ ist kein gültiger Gebietsschlüssel.")
        ags = ""
    lo = _number(errors, where, raw, "min", 0.0)
    hi = _number(errors, where, raw, "max", 100.0)
    if lo >= hi:
        errors.append(f"{where}: „min“ muss kleiner als „max“ sein.")
    return PollSpec(
        id=poll_id,
        question=_text(errors, where, raw, "question", 200),
        ags=ags,
        indicator=_indicator(errors, where, raw.get("indicator")),
        year=_year(errors, where, raw.get("year")),
        breakdown=_breakdown(errors, where, raw.get("breakdown", "total")),
        min=lo,
        max=hi,
    )


def parse_scene(raw: Any, statements: dict[str, Statement], where: str = "Szene") -> tuple[Scene, list[str]]:
    """Build a scene from a dict; returns the scene and a list of German error messages."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        return Scene("bildung", "", 0, "", ""), [f"{where}: muss ein Objekt sein."]
    theme = raw.get("theme")
    if theme not in theme_pages():
        errors.append(f"{where}: Thema „{theme}“ ist unbekannt (erlaubt: {', '.join(theme_pages())}).")
        theme = "bildung"
    highlight = raw.get("highlight") or None
    if highlight is not None and (not isinstance(highlight, str) or not _AGS.match(highlight)):
        errors.append(f"{where}: „highlight“ ist kein gültiger Gebietsschlüssel (AGS).")
        highlight = None
    statement = raw.get("statement") or None
    if statement is not None and statement not in statements:
        errors.append(f"{where}: Aussage „{statement}“ ist nicht in „statements“ definiert.")
        statement = None
    takeaway = _text(errors, where, raw, "takeaway", MAX_TAKEAWAY)
    fields = takeaway_fields(takeaway, where, errors)
    if fields & {"wert", "einheit", "rang"} and highlight is None:
        errors.append(f"{where}: Platzhalter {{wert}}, {{einheit}} und {{rang}} brauchen „highlight“.")
    scene = Scene(
        theme=theme,
        indicator=_indicator(errors, where, raw.get("indicator")),
        year=_year(errors, where, raw.get("year")),
        breakdown=_breakdown(errors, where, raw.get("breakdown", "total")),
        highlight=highlight,
        statement=statement,
        title=_text(errors, where, raw, "title", 120),
        takeaway=takeaway,
        poll=parse_poll(raw.get("poll"), where, errors),
    )
    return scene, errors


def scene_of(raw: dict[str, Any]) -> Scene:
    """The scene a ``Scene.to_dict()`` describes (as kept in the live status)."""
    args = dict(raw)
    if args.get("poll") is not None and not isinstance(args["poll"], PollSpec):
        args["poll"] = parse_poll(args["poll"], "Szene", [])
    return Scene(**args)


def parse_tour(raw: Any, known_statements: dict[str, Statement] | None = None) -> Tour:
    """Validate a tour document; raises ``TourError`` listing every problem.

    Statement ids resolve against the tour's own ``statements`` and then ``known_statements`` (default: the
    conference registry).
    """
    if not isinstance(raw, dict):
        raise TourError(["Die Tour muss ein JSON-Objekt sein."])
    errors: list[str] = []
    registry = conference_statements() if known_statements is None else known_statements
    statements: dict[str, Statement] = {}
    raw_statements = raw.get("statements", {})
    if not isinstance(raw_statements, dict):
        errors.append("„statements“ muss ein Objekt sein.")
        raw_statements = {}
    for sid, item in raw_statements.items():
        where = f"Aussage {sid}"
        if not _ID.match(sid) or not isinstance(item, dict):
            errors.append(f"{where}: ungültige Kennung oder kein Objekt.")
            continue
        statements[sid] = Statement(
            id=sid,
            speaker=_text(errors, where, item, "speaker", 120),
            role=_text(errors, where, item, "role", 200),
            paraphrase=_text(errors, where, item, "paraphrase", 600),
            source=_text(errors, where, item, "source", 300),
            quote=_text(errors, where, item, "quote", 600, required=False),
        )
    raw_scenes = raw.get("scenes")
    if not isinstance(raw_scenes, list) or not raw_scenes:
        errors.append("„scenes“ muss eine nicht leere Liste sein.")
        raw_scenes = []
    if len(raw_scenes) > MAX_SCENES:
        errors.append(f"Eine Tour darf höchstens {MAX_SCENES} Szenen haben.")
    own = set(statements)
    statements = {**registry, **statements}
    scenes = []
    poll_ids: set[str] = set()
    for i, item in enumerate(raw_scenes[:MAX_SCENES], start=1):
        scene, scene_errors = parse_scene(item, statements, where=f"Szene {i}")
        errors.extend(scene_errors)
        if scene.poll is not None and scene.poll.id:
            if scene.poll.id in poll_ids:
                errors.append(f"Szene {i}: Umfrage-Kennung „{scene.poll.id}“ kommt mehrfach vor.")
            poll_ids.add(scene.poll.id)
        scenes.append(scene)
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append("„title“ der Tour fehlt.")
        title = ""
    if errors:
        raise TourError(errors)
    used = {s.statement for s in scenes if s.statement}
    kept = {sid: st for sid, st in statements.items() if sid in own or sid in used}
    return Tour(title=title.strip(), scenes=tuple(scenes), statements=kept, own_statements=frozenset(own))


def load_tour(path: Path, known_statements: dict[str, Statement] | None = None) -> Tour:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TourError([f"Tour-Datei {path} kann nicht gelesen werden: {exc.strerror}."]) from exc
    return loads_tour(text, known_statements)


def loads_tour(text: str, known_statements: dict[str, Statement] | None = None) -> Tour:
    if len(text.encode("utf-8")) > MAX_TOUR_BYTES:
        raise TourError([f"Die Tour ist größer als {MAX_TOUR_BYTES // 1000} kB."])
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TourError([f"Kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}): {exc.msg}."]) from exc
    return parse_tour(raw, known_statements)


def dumps_tour(tour: Tour) -> str:
    return json.dumps(tour.to_dict(), ensure_ascii=False, indent=2) + "\n"


def save_tour(tour: Tour, path: Path) -> None:
    """Validate (round trip) and write atomically: temp file in the same directory, fsync, rename."""
    text = dumps_tour(tour)
    loads_tour(text, tour.statements)
    atomic.replace(path, text.encode("utf-8"))
