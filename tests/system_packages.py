"""Debian packages the tests run against (chromium, redis-server, nginx): find them, install them, or say why not.

As root with apt-get, a missing package is installed (`apt-get update` first; both wait up to 300 s for the
dpkg lock another install may hold). When a tool is still missing, `unavailable` skips the test with the
reason, except under `CI=true`, where it fails with the reason: CI never passes by skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import NoReturn

import pytest

APT = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "-q"]
LOCK_WAIT = 300
"""DPkg::Lock::Timeout covers dpkg's lock; `apt-get update` gives up at once on the package-list lock, so apt
calls are retried for this long while the only complaint is a held lock."""
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])
INSTALL_TIMEOUT = 900
_tried: dict[str, list[str]] = {}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason; under CI=true fail with it."""
    print(f"{'FAIL' if in_ci() else 'SKIP'} reason: {reason}")
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing tool fails the run)", pytrace=False)
    pytest.skip(reason)


def _run(command: list[str], notes: list[str]) -> bool:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
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
        locked = "Could not get lock" in done.stderr or "Unable to lock" in done.stderr
        if done.returncode == 0 or not locked or time.monotonic() > deadline:
            break
        time.sleep(5)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        notes.append(f"{' '.join(command)} exited {done.returncode}: {' | '.join(tail)}")
        return False
    return True


def which(binary: str) -> str | None:
    """An executable on PATH (or /usr/sbin), or a file given by its absolute path, if present."""
    if os.path.isabs(binary):
        return binary if os.path.exists(binary) else None
    return shutil.which(binary, path=SEARCH_PATH)


def debian_binary(binary: str, package: str) -> str | None:
    """Path of `binary` (a command or an absolute path), installing Debian's `package` first when it is missing
    and we may (once per run)."""
    found = which(binary)
    if found or package in _tried:
        return found
    notes = _tried.setdefault(package, [])
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        notes.append(f"not root: apt-get install {package} not tried")
    elif shutil.which("apt-get") is None:
        notes.append("no apt-get on this machine")
    elif _run([*APT, "update"], notes):
        _run([*APT, "install", "-y", "--no-install-recommends", package], notes)
    return which(binary)


def missing_reason(binary: str, package: str) -> str:
    notes = _tried.get(package, [])
    return f"no {binary} (Debian package {package}): " + ("; ".join(notes) or "not found")
