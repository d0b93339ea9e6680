"""`integrationsregion validate` on damaged copies of the snapshot: one German line per problem,
exit code 1, never a traceback (each case runs the real command in its own process)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DATA_DIR


def _edit(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        path = data / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return apply


def _replace_first_value(replacement: str) -> Callable[[str], str]:
    """Replace the value field of the first data row of observations.csv."""

    def change(text: str) -> str:
        header, first, rest = text.split("\n", 2)
        cells = first.split(",")
        cells[header.split(",").index("value")] = replacement
        return "\n".join([header, ",".join(cells), rest])

    return change


def _remove(name: str) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        target = data / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()

    return apply


def _manifest(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(data: Path) -> None:
        manifest = json.loads((data / "manifest.json").read_text())
        change(manifest)
        (data / "manifest.json").write_text(json.dumps(manifest))

    return apply


FAULTS = {
    "observations fehlt": (_remove("observations.csv"), "observations.csv fehlt"),
    "Spalte fehlt": (
        _edit("observations.csv", lambda t: t.replace(",source_url,", ",quelle,", 1)),
        "Spalten fehlen: source_url",
    ),
    "Müllzeile": (
        _edit("observations.csv", lambda t: t + "x,y,z\n\u00ff\u00fe garbage,,,,,\n"),
        "observations.csv",
    ),
    "Binärmüll": (lambda d: (d / "observations.csv").write_bytes(b"\x00\xff\xfe" * 500), "observations.csv"),
    "Text statt Zahl": (
        _edit("observations.csv", _replace_first_value("viele")),
        "keine Zahl („viele“)",
    ),
    "leerer Wert": (_edit("observations.csv", _replace_first_value("")), "Wert fehlt (leeres Feld)"),
    "unendlich": (_edit("observations.csv", _replace_first_value("inf")), "keine endliche Zahl"),
    "Katalogeintrag fehlt": (
        _edit(
            "indicators.toml", lambda t: t.replace('id = "unemployment_rate"', 'id = "arbeitslosenquote_alt"')
        ),
        "Unbekannter Indikator 'unemployment_rate'",
    ),
    "Einheit unbekannt": (
        _edit("indicators.toml", lambda t: t.replace('unit = "persons"', 'unit = "parsecs"', 1)),
        "Einheit 'parsecs' steht nicht in den Tabellen des Katalogs",
    ),
    "Aufschlüsselung unbekannt": (
        _edit(
            "indicators.toml",
            lambda t: t.replace('breakdowns = ["total", "german"]', 'breakdowns = ["total", "deutsch"]'),
        ),
        "Aufschlüsselung 'deutsch' steht nicht in den Tabellen des Katalogs",
    ),
    "Einheitentabelle fehlt": (
        _edit("indicators.toml", lambda t: t.replace("[units.", "[einheiten.")),
        "indicators.toml ein Pflichteintrag fehlt",
    ),
    "Katalog kaputt": (
        _edit("indicators.toml", lambda t: t + "\n[[indicator\n"),
        "indicators.toml ist kein gültiges TOML",
    ),
    "Gebiete fehlen": (_remove("regions.csv"), "regions.csv fehlt"),
    "Manifest kein JSON": (
        lambda d: (d / "manifest.json").write_text("{kaputt"),
        "manifest.json: kein gültiges JSON",
    ),
    "Manifest falsche Zeilenzahl": (
        _manifest(lambda m: m.update(rows=1)),
        "manifest.json: nennt 1 Werte",
    ),
    "Manifest falsche Prüfsumme": (
        _manifest(lambda m: m.update(sha256="0" * 64)),
        "Prüfsumme von observations.csv stimmt nicht",
    ),
    "Grenzen fehlen": (_remove("geo"), "geo/kreise.geojson: Grenzdatei fehlt"),
    "Grenzen kaputt": (
        lambda d: (d / "geo" / "gemeinden.geojson").write_text("[1, 2"),
        "keine lesbare GeoJSON",
    ),
    "Stand kein Datum": (
        _edit("observations.csv", lambda t: t.replace(",2024-06-29,", ",29.06.2024,")),
        "ist kein Datum",
    ),
    "Rechenweg fehlt": (
        _edit(
            "observations.csv",
            lambda t: t.replace(",Summe der 15 Kreise und kreisfreien Städte des RVR,", ",,"),
        ),
        "ohne Rechenweg",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_damaged_snapshot_gives_german_lines_and_exit_1(fault: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    damage, expected = FAULTS[fault]
    damage(data)
    done = subprocess.run(
        [sys.executable, "-m", "integrationsregion.cli", "--data-dir", str(data), "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines and all(re.match(r"FEHLER: \S", line) for line in lines), done.stderr
    assert any(expected in line for line in lines), done.stderr
    assert "Probleme." in done.stdout


def test_intact_copy_passes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    done = subprocess.run(
        [sys.executable, "-m", "integrationsregion.cli", "--data-dir", str(data), "validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("in Ordnung.")
