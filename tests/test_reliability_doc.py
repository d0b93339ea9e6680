"""docs/RELIABILITY.md lists every fault test, and every test it lists exists."""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import REPO_DIR

pytestmark = pytest.mark.unit

DOC = REPO_DIR / "docs" / "RELIABILITY.md"
FAULTS = REPO_DIR / "tests" / "faults"


def fault_tests() -> set[str]:
    """`tests/faults/<file>::<test>` for every test function (or method of a Test class) in tests/faults/."""
    found = set()
    for path in sorted(FAULTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = list(tree.body)
        nodes += [
            n for c in tree.body if isinstance(c, ast.ClassDef) and c.name.startswith("Test") for n in c.body
        ]
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                found.add(f"tests/faults/{path.name}::{node.name}")
    return found


def listed_tests() -> set[str]:
    return set(re.findall(r"`(tests/faults/test_\w+\.py::test\w*)`", DOC.read_text(encoding="utf-8")))


def test_every_fault_test_is_in_the_matrix():
    missing = fault_tests() - listed_tests()
    assert not missing, f"add a row to docs/RELIABILITY.md for: {sorted(missing)}"


def test_every_test_in_the_matrix_exists():
    unknown = listed_tests() - fault_tests()
    assert not unknown, f"docs/RELIABILITY.md names tests that do not exist: {sorted(unknown)}"
