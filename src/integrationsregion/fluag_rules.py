"""The FlüAG rule book (`data/fluag_rules.toml`): which reimbursement rule was in force in which year.

Loaded once (`load_rule_book`) and passed to the cost model; the amounts themselves are snapshot rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from integrationsregion.loading import read_toml, reading
from integrationsregion.settings import get_settings

RULES_FILE = "fluag_rules.toml"


@dataclass(frozen=True)
class RuleBook:
    """The documented regimes (each valid `from_year`–`to_year`) and where the cost anchors are found."""

    regimes: tuple[dict[str, Any], ...]
    cost_anchor: dict[str, str]

    @property
    def years(self) -> list[int]:
        """Every year some documented rule covers, ascending."""
        return sorted({y for r in self.regimes for y in range(r["from_year"], r["to_year"] + 1)})

    def regime(self, year: int) -> dict[str, Any] | None:
        """The regime in force in `year`, or None."""
        return next((r for r in self.regimes if r["from_year"] <= year <= r["to_year"]), None)


def load_rule_book(data_dir: Path | None = None) -> RuleBook:
    """Read `fluag_rules.toml` of the snapshot (default: the configured snapshot directory)."""
    path = (data_dir or get_settings().snapshot_dir) / RULES_FILE
    raw = read_toml(path)
    with reading(path):
        return RuleBook(tuple(raw["regime"]), dict(raw["cost_anchor"]))
