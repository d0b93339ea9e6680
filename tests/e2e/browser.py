"""Find a Chromium for the real-browser tests.

Order: `/usr/bin/chromium` (Debian's package); else, as root with apt, `apt-get update` + `apt-get install -y
chromium`; else Playwright's own build (`python -m playwright install chromium`) where the network allows it;
else no browser, with the reasons, so the tests skip saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

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


def _run(command: list[str], notes: list[str]) -> bool:
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            stdin=subprocess.DEVNULL,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        notes.append(f"{' '.join(command)}: {exc}")
        return False
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        notes.append(f"{' '.join(command)} exited {done.returncode}: {' | '.join(tail)}")
        return False
    return True


def _debian_chromium() -> str | None:
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    found = shutil.which("chromium")
    return found if found and os.access(found, os.X_OK) else None


def _apt_install(notes: list[str]) -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        notes.append("not root: apt-get install chromium not tried")
        return None
    if shutil.which("apt-get") is None:
        notes.append("no apt-get on this machine")
        return None
    env_note = len(notes)
    if _run(["apt-get", "update"], notes) and _run(
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"], notes
    ):
        del notes[env_note:]
        return _debian_chromium()
    return None


def _playwright_chromium(notes: list[str]) -> bool:
    return _run([sys.executable, "-m", "playwright", "install", "chromium"], notes)


def find_chromium(allow_install: bool = True) -> BrowserChoice | None:
    """The browser to launch, installing one if needed and possible; None if there is none."""
    notes: list[str] = []
    found = _debian_chromium()
    if found:
        return BrowserChoice(found, "debian")
    if allow_install:
        found = _apt_install(notes)
        if found:
            return BrowserChoice(found, "debian (installed with apt-get)", notes)
        if _playwright_chromium(notes):
            return BrowserChoice(None, "playwright", notes)
    find_chromium.notes = notes  # type: ignore[attr-defined]
    return None


def no_browser_reason() -> str:
    notes = getattr(find_chromium, "notes", [])
    return "no Chromium for the real-browser tests: " + ("; ".join(notes) or "none found")


def launch(playwright, choice: BrowserChoice):
    """Launch headless Chromium with the project's flags."""
    kwargs = {"headless": True, "args": LAUNCH_ARGS}
    if choice.executable:
        kwargs["executable_path"] = choice.executable
    return playwright.chromium.launch(**kwargs)
