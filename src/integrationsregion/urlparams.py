"""Validated URL parameters: one parser per parameter type, used by every page (Streamlit-free).

A visitor can put anything into a link. Each parser accepts only what the page can show and raises
`BadParam` (German message) for anything else; the page then shows the notice and its default view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MAX_LENGTH = 200  # longer values are rejected before any parsing
YEAR = re.compile(r"[0-9]{4}")  # exactly four ASCII digits ("²", "٢٠١٩" or 5,000 digits are no year)


class BadParam(ValueError):
    """A URL parameter value the page cannot show; the message is German and safe to display."""


def _too_long(raw: str) -> bool:
    return len(raw) > MAX_LENGTH


def year(raw: str, allowed: Sequence[int]) -> int:
    """A year: exactly four ASCII digits and one of `allowed`."""
    if _too_long(raw) or not YEAR.fullmatch(raw):
        raise BadParam("ist keine Jahreszahl")
    value = int(raw)
    if value not in allowed:
        raise BadParam("ist kein Jahr mit Werten für diese Auswahl")
    return value


def choice(raw: str, allowed: Sequence[str]) -> str:
    """An id (indicator, breakdown, region key …) that must be one of `allowed`."""
    if _too_long(raw) or raw not in allowed:
        raise BadParam("ist unbekannt")
    return raw


def choices(raw: str, allowed: Sequence[str], limit: int) -> tuple[list[str], bool]:
    """A comma-separated list of ids: unknown entries and repeats dropped, at most `limit` kept.

    Returns the kept ids and whether anything was dropped (then the page shows a notice).
    """
    items = [p for p in raw[:MAX_LENGTH].split(",") if p]
    kept = list(dict.fromkeys(p for p in items if p in allowed))[:limit]
    return kept, len(kept) != len(items) or _too_long(raw)
