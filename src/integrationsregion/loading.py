"""Reading the snapshot's files with one typed error: `SnapshotLoadError`, a German message for the app.

Every loader of a file in the snapshot (`regions.csv`, `indicators.toml`, `observations.csv`,
`manifest.json`, `breaks.toml`, `fluag_rules.toml`, `conference.toml`) reads through `reading`, so any
damage (missing, empty, not parseable, wrong content) becomes one message that names the file, the
problem and how to restore it. Nothing is written or repaired here.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

RESTORE_HINT = (
    "Wiederherstellen: `git checkout data/` (der ausgelieferte Stand) oder `integrationsregion build-snapshot` "
    "(neu gebaut aus ../shared/reference). Es wurde nichts überschrieben."
)


class SnapshotLoadError(Exception):
    """The snapshot cannot be used; `str()` is the German message shown on every page."""

    def __init__(self, problem: str):
        self.problem = problem
        super().__init__(f"Der Datenstand kann nicht geladen werden: {problem} {RESTORE_HINT}")


def where(path: Path) -> str:
    """A file named by its snapshot folder and name (no absolute server path in a visitor's page)."""
    return f"{path.parent.name}/{path.name}"


def _reason(exc: BaseException) -> str:
    detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return "fehlt"
    if isinstance(exc, pd.errors.EmptyDataError):
        return "ist leer"
    if isinstance(exc, UnicodeDecodeError):
        return "ist keine UTF-8-Textdatei"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"ist kein gültiges TOML ({detail})"
    if isinstance(exc, json.JSONDecodeError):
        return f"ist kein gültiges JSON (Zeile {exc.lineno})"
    if isinstance(exc, pd.errors.ParserError):
        return f"ist nicht lesbar ({detail})"
    if isinstance(exc, OSError):
        return f"ist nicht lesbar ({type(exc).__name__})"
    if isinstance(exc, KeyError):
        return f"ein Pflichteintrag fehlt ({detail})"
    return f"hat einen ungültigen Inhalt ({detail})"


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn any failure while reading `path` into a `SnapshotLoadError` naming the file and the problem."""
    try:
        yield
    except SnapshotLoadError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pd.errors.ParserError) as exc:
        raise SnapshotLoadError(f"{where(path)} {_reason(exc)}.") from exc


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file of the snapshot."""
    with reading(path):
        return tomllib.loads(path.read_text(encoding="utf-8"))


def read_json(path: Path) -> Any:
    """A JSON file of the snapshot."""
    with reading(path):
        return json.loads(path.read_text(encoding="utf-8"))
