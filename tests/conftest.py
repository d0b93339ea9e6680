"""Shared fixtures: the snapshot under test (the committed one unless `IR_SNAPSHOT_DIR` names another), loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integrationsregion.settings import get_settings
from integrationsregion.store import Store
from tests.fixtures import fixture_dir, fixture_store  # noqa: F401  (the fixture snapshot for every test)

REPO_DIR = Path(__file__).resolve().parents[1]
"""The checkout (tests locate it by their own position; the package never does)."""
DATA_DIR = get_settings().snapshot_dir
"""The snapshot the suite checks: `data/`, or what `IR_SNAPSHOT_DIR` names (e.g. a refreshed copy,
`scripts/suite_on_refreshed.sh`). The app and every server the tests start read the same setting."""


def shared_reference_dir() -> Path | None:
    """`../shared/reference` beside the checkout, if present (CI has it)."""
    candidate = REPO_DIR.parent / "shared" / "reference"
    return candidate if candidate.is_dir() else None


_DIRECTORY_MARKERS = {
    "e2e": "e2e",
    "live": "live",
    "refresh": "refresh",
    "deploy": "deploy",
    "faults": "faults",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each test folder is a marker group (`-m e2e`, `-m "not e2e"`); top-level tests mark themselves, and a
    module in no group is an error (`-m apptest` would silently leave it out)."""
    groups = {line.split(":")[0].strip() for line in config.getini("markers")}
    unmarked = set()
    for item in items:
        folder = Path(str(item.path)).parent.name
        if folder in _DIRECTORY_MARKERS:
            item.add_marker(_DIRECTORY_MARKERS[folder])
        if not groups & {m.name for m in item.iter_markers()}:
            unmarked.add(item.path.name)
    if unmarked:
        raise pytest.UsageError(
            f"test modules without a marker group (pytestmark): {', '.join(sorted(unmarked))}"
        )


@pytest.fixture(scope="session")
def store() -> Store:
    return Store.load(DATA_DIR)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the snapshot under test."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
