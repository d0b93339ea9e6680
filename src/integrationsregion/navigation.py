"""The page registry (`data/pages.toml`): title, icon, URL path, script and section of every page.

Read by `app.py` for the navigation, by the theme pages for links between them, by live mode for its
"explore" links and by the tests for the list of pages. Streamlit-free.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PAGES_FILE = Path("data") / "pages.toml"
"""Beside `app.py` (the app's working directory, like `static/`): the registry belongs to the app, not
to the snapshot, so it is found there even when `IR_SNAPSHOT_DIR` points to another snapshot."""


@dataclass(frozen=True)
class PageEntry:
    """One page of the dashboard."""

    id: str
    title: str
    icon: str
    url_path: str
    script: str
    section: str
    theme: str | None = None

    @property
    def default(self) -> bool:
        """The page served at the app root."""
        return self.url_path == ""


@cache
def pages(path: Path = PAGES_FILE) -> tuple[PageEntry, ...]:
    """All pages in menu order (checked: unique ids and paths, exactly one default page)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = tuple(PageEntry(**item) for item in raw["page"])
    for attr in ("id", "url_path"):
        values = [getattr(p, attr) for p in entries]
        if len(set(values)) != len(values):
            raise ValueError(f"{path.name}: doppelte Seiten-{attr}")
    if sum(p.default for p in entries) != 1:
        raise ValueError(f'{path.name}: genau eine Seite braucht url_path = ""')
    return entries


def page(page_id: str) -> PageEntry:
    """The page with this id (KeyError for an unknown one)."""
    for p in pages():
        if p.id == page_id:
            return p
    raise KeyError(page_id)


def theme_pages() -> dict[str, PageEntry]:
    """Catalogue theme -> the page that shows it."""
    return {p.theme: p for p in pages() if p.theme}
