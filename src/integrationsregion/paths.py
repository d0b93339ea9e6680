"""Locations of the embedded data."""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("IR_SNAPSHOT_DIR", REPO_DIR / "data"))
"""The snapshot the app runs on; `IR_SNAPSHOT_DIR` points the app at another copy."""


def shared_reference_dir() -> Path | None:
    """`../shared/reference` beside the checkout, if present (CI has it)."""
    candidate = REPO_DIR.parent / "shared" / "reference"
    return candidate if candidate.is_dir() else None
