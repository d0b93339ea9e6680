"""The catalogue holds every label the pages show for units and breakdowns; unknown ones are errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from integrationsregion import catalogue
from integrationsregion import formatting as fmt
from integrationsregion.catalogue import Catalogue
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.unit


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(DATA_DIR / "indicators.toml", target / "indicators.toml")
    return target


def _edit(data: Path, old: str, new: str) -> None:
    path = data / "indicators.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_unit_and_breakdown_of_an_indicator_has_a_label():
    cat = Catalogue.load(DATA_DIR)
    for ind in cat.all():
        assert cat.units[ind.unit].label.strip()
        assert all(cat.breakdowns[b].strip() for b in ind.breakdowns)


def test_values_and_pickers_read_the_labels_of_the_catalogue():
    cat = catalogue.current()
    assert fmt.value(1485, "persons", 0) == f"1.485 {cat.units['persons'].label}"
    assert fmt.difference(-1.5, "percent", 1) == f"1,5 {cat.units['percent'].difference}"
    assert catalogue.breakdown_label("foreign") == cat.breakdowns["foreign"]


def test_unknown_unit_or_breakdown_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="unbekannte Einheit"):
        fmt.value(1.0, "parsecs", 0)
    with pytest.raises(ValueError, match="unbekannte Aufschlüsselung"):
        catalogue.breakdown_label("martians")


def test_counts_are_never_rates():
    cat = Catalogue.load(DATA_DIR)
    assert cat["population"].is_count and cat["tolerated_persons"].is_count
    assert not cat["unemployment_rate"].is_count and not cat["foreign_share"].is_count


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (
            'unit = "persons"',
            'unit = "parsecs"',
            "Einheit 'parsecs' steht nicht in den Tabellen des Katalogs",
        ),
        (
            'breakdowns = ["total", "german"]',
            'breakdowns = ["total", "deutsch"]',
            "Aufschlüsselung 'deutsch' steht nicht in den Tabellen des Katalogs",
        ),
        (
            'kind = "statistic"',
            'kind = "statistik"',
            "Art 'statistik' steht nicht in den Tabellen des Katalogs",
        ),
    ],
)
def test_an_indicator_with_an_unknown_label_is_a_german_problem_line(data_copy, old, new, line):
    _edit(data_copy, old, new)
    problems = Catalogue.load(data_copy).problems()
    assert len(problems) == 1 and problems[0].startswith("Indikator ") and line in problems[0]
