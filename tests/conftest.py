"""Shared fixtures: the committed snapshot, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integrationsregion.paths import REPO_DIR
from integrationsregion.store import Store

DATA_DIR = REPO_DIR / "data"


@pytest.fixture(scope="session")
def store() -> Store:
    return Store.load(DATA_DIR)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed data folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
