"""`integrationsregion validate`: every problem of a data folder as one German line, never a traceback."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from integrationsregion.catalogue import Catalogue
from integrationsregion.conference import Conference
from integrationsregion.loading import SnapshotLoadError, reading
from integrationsregion.regions import RegionRegistry
from integrationsregion.snapshot import MANIFEST, OBSERVATIONS, read_observations, validate

GEO_FILES = {"geo/kreise.geojson": "kreis", "geo/gemeinden.geojson": "gemeinde"}


def validate_data_dir(data_dir: Path) -> tuple[int, list[str]]:
    """(number of values read, problems) for the snapshot folder `data_dir`."""
    problems: list[str] = []
    regions = _load(problems, data_dir / "regions.csv", lambda: RegionRegistry.load(data_dir))
    catalogue = _load(problems, data_dir / "indicators.toml", lambda: Catalogue.load(data_dir))
    df = _load(problems, data_dir / OBSERVATIONS, lambda: read_observations(data_dir / OBSERVATIONS))
    if catalogue is not None:
        problems += [f"Katalog: {p}" for p in catalogue.problems()]
        conference = _load(problems, data_dir / "conference.toml", lambda: Conference.load(data_dir))
        if conference is not None:
            problems += [f"Konferenzinhalte: {p}" for p in conference.problems(catalogue)]
    if df is not None and regions is not None and catalogue is not None:
        problems += validate(df, regions, catalogue)
        shown = set(df["indicator"])
        problems += [
            f"Indikator {i.id}: keine Werte im Snapshot" for i in catalogue.all() if i.id not in shown
        ]
    problems += manifest_problems(data_dir, None if df is None else len(df))
    if regions is not None:
        problems += geo_problems(data_dir, regions)
    return (0 if df is None else len(df)), problems


def _load(problems: list[str], path: Path, load):
    """The loaded object, or None and one German line naming the unreadable file and why."""
    try:
        with reading(path):
            return load()
    except SnapshotLoadError as exc:
        problems.append(exc.problem)
    return None


def manifest_problems(data_dir: Path, rows: int | None = None) -> list[str]:
    """The manifest must parse, count the rows and carry the sha256 of the files it lists.

    `rows` is the number of values read; without it the CSV records of the observations are counted.
    """
    path = data_dir / MANIFEST
    if not path.exists():
        return [f"{MANIFEST}: Datei fehlt"]
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"{MANIFEST}: kein gültiges JSON ({str(exc).splitlines()[0]})"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST}: kein JSON-Objekt"]
    problems = []
    if rows is None and (data_dir / OBSERVATIONS).is_file():
        with (data_dir / OBSERVATIONS).open(encoding="utf-8", errors="replace", newline="") as handle:
            rows = max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    if rows is not None and manifest.get("rows") != rows:
        problems.append(f"{MANIFEST}: nennt {manifest.get('rows')!r} Werte, {OBSERVATIONS} hat {rows}")
    listed = {OBSERVATIONS: manifest.get("sha256")} | (manifest.get("files_sha256") or {})
    for name, expected in listed.items():
        file = data_dir / name
        if not file.is_file():
            problems.append(f"{MANIFEST}: gelistete Datei {name} fehlt")
        elif hashlib.sha256(file.read_bytes()).hexdigest() != expected:
            problems.append(
                f"{MANIFEST}: Prüfsumme von {name} stimmt nicht (Datei verändert oder beschädigt)"
            )
    return problems


def geo_problems(data_dir: Path, regions: RegionRegistry) -> list[str]:
    """Each boundary file parses and holds exactly one feature per region of its level."""
    problems = []
    for name, level in GEO_FILES.items():
        path = data_dir / name
        try:
            geo = json.loads(path.read_text(encoding="utf-8"))
            features = geo["features"]
            found = [f["properties"]["ags"] for f in features if f.get("geometry")]
        except FileNotFoundError:
            problems.append(f"{name}: Grenzdatei fehlt")
            continue
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{name}: keine lesbare GeoJSON-Datei ({type(exc).__name__})")
            continue
        expected = {r.ags for r in regions.all() if r.level == level}
        if missing := sorted(expected - set(found)):
            problems.append(f"{name}: Grenzen fehlen für {', '.join(missing)}")
        if extra := sorted(set(found) - expected):
            problems.append(f"{name}: unbekannte Gebiete {', '.join(extra)}")
        if len(found) != len(set(found)):
            problems.append(f"{name}: Gebiete mehrfach enthalten")
    return problems
