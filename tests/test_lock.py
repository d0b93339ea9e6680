"""The lock files pin every dependency pyproject.toml declares, at a version inside its range.

A dependency added to pyproject.toml without `scripts/lock.sh` would be missing from a fresh install
(bootstrap installs only what the lock lists): this test names it.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO_DIR

pytestmark = pytest.mark.unit

LOCKS = {"requirements.lock": ["serve"], "requirements-test.lock": ["serve", "test"]}


def _pins(lock: str) -> dict[str, list[tuple[str, str]]]:
    """name → [(version, marker)] from a `uv pip compile` lock file."""
    pins: dict[str, list[tuple[str, str]]] = {}
    pattern = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
    for line in (REPO_DIR / lock).read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((version, marker or ""))
    return pins


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_lock_pins_every_declared_dependency_within_its_range(lock):
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in LOCKS[lock]:
        declared += project["optional-dependencies"][extra]
    pins = _pins(lock)
    environment = default_environment() | {"python_full_version": "3.11.7", "python_version": "3.11"}
    problems = []
    for raw in declared:
        requirement = Requirement(raw)
        versions = [
            version
            for version, marker in pins.get(canonicalize_name(requirement.name), [])
            if not marker or Requirement(f"x; {marker}").marker.evaluate(environment)
        ]
        if not versions:
            problems.append(f"{requirement.name}: not in {lock}")
        elif not all(requirement.specifier.contains(v, prereleases=True) for v in versions):
            problems.append(
                f"{requirement.name}: {lock} pins {versions}, pyproject wants {requirement.specifier}"
            )
    assert not problems, "run scripts/lock.sh: " + "; ".join(problems)
