"""Find a Chromium for the real-browser tests.

Order: `/usr/bin/chromium` (Debian's package); else, as root with apt, Debian's `chromium` installed (waiting for
the dpkg lock, see tests/system_packages.py); else Playwright's own build (`python -m playwright install
chromium`) where the network allows it; else no browser: `require_chromium` skips with the reasons, or fails
with them under CI=true.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

from tests import system_packages

DEBIAN_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_TIMEOUT = 600


@dataclass
class BrowserChoice:
    executable: str | None
    """Path for `executable_path`, or None for Playwright's own Chromium."""
    source: str
    notes: list[str] = field(default_factory=list)


def _debian_chromium() -> str | None:
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return system_packages.debian_binary("chromium", "chromium")


def _playwright_chromium(notes: list[str]) -> bool:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        notes.append(f"playwright install chromium: {exc}")
        return False
    if done.returncode != 0:
        notes.append(f"playwright install chromium exited {done.returncode}")
    return done.returncode == 0


def find_chromium(allow_install: bool = True) -> BrowserChoice | None:
    """The browser to launch, installing one if needed and possible; None if there is none."""
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return BrowserChoice(DEBIAN_CHROMIUM, "debian")
    notes: list[str] = []
    if allow_install:
        found = _debian_chromium()
        if found:
            return BrowserChoice(found, "debian (installed with apt-get)")
        notes.append(system_packages.missing_reason("chromium", "chromium"))
        if not system_packages.in_ci() and _playwright_chromium(notes):
            return BrowserChoice(None, "playwright", notes)
    find_chromium.notes = notes  # type: ignore[attr-defined]
    return None


def no_browser_reason() -> str:
    notes = getattr(find_chromium, "notes", [])
    return "no Chromium for the real-browser tests: " + ("; ".join(notes) or "none found")


def require_chromium() -> BrowserChoice:
    """The browser, or skip (outside CI) / fail (CI=true) with the reason."""
    choice = find_chromium()
    if choice is None:
        system_packages.unavailable(no_browser_reason())
    return choice


def launch(playwright, choice: BrowserChoice):
    """Launch headless Chromium with the project's flags."""
    kwargs = {"headless": True, "args": LAUNCH_ARGS}
    if choice.executable:
        kwargs["executable_path"] = choice.executable
    return playwright.chromium.launch(**kwargs)
