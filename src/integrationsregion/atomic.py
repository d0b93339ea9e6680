"""Atomic file writes: a temp file beside the target, fsync, an optional check, then os.replace."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_temp(path: Path, data: bytes, check: Callable[[Path], object] | None = None) -> Path:
    """Write `data` to a temp file beside `path` (mode 0644), fsync it and run `check` on it.

    Returns the temp file's path; on any failure (including the check raising) the temp file is removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(tmp)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return tmp


def replace(path: Path, data: bytes, check: Callable[[Path], object] | None = None) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a partial one."""
    tmp = write_temp(path, data, check)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
