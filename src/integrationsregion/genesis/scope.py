"""Which snapshot rows `integrationsregion update` can refresh, and which only a person can (for the app and docs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from integrationsregion.catalogue import Catalogue
from integrationsregion.genesis.parsers import TableSpec
from integrationsregion.genesis.update import TABLES_FILE, load_specs
from integrationsregion.regions import RUHR, RegionRegistry


def refreshed_by(
    specs: list[TableSpec], units: list[str], catalogue: Catalogue
) -> dict[tuple[str, str, str], str]:
    """(indicator, breakdown, region) -> table code, for every row a table of tables.toml produces, directly or
    through the derivation after the merge (Ruhr sums of summable counts, rates of two refreshed counts)."""
    out: dict[tuple[str, str, str], str] = {}
    for spec in specs:
        regions = {key for _, keys in spec.levels for key in keys.split(",")}
        for s in spec.series:
            for region in regions:
                out.setdefault((s.indicator, s.breakdown, region), spec.code)
            if set(units) <= regions and catalogue[s.indicator].summable:
                out.setdefault((s.indicator, s.breakdown, RUHR), spec.code)
    for ind in (i for i in catalogue.all() if i.rate_of):
        numerators = {k[2]: code for k, code in out.items() if k[:2] == (ind.rate_of, ind.rate_of_breakdown)}
        denominators = {k[2] for k in out if k[:2] == (ind.denominator, ind.denominator_breakdown)}
        for region in numerators.keys() & denominators:
            out.setdefault((ind.id, ind.breakdowns[0], region), numerators[region])
    return out


def manual_rows(
    observations: pd.DataFrame, catalogue: Catalogue, regions: RegionRegistry, tables_file: Path = TABLES_FILE
) -> pd.DataFrame:
    """Rows no table of tables.toml refreshes, one line per indicator, breakdown and source: `indicator`,
    `breakdown`, `source_label`, `values` (count), `regions` (AGS list), `first_year`, `last_year`."""
    specs, defaults = load_specs(tables_file, sorted(r.ags for r in regions.all() if r.level == "gemeinde"))
    covered = refreshed_by(specs, list(defaults.get("units", [])), catalogue)
    keys = zip(observations["indicator"], observations["breakdown"], observations["region"], strict=True)
    manual = observations[[k not in covered for k in keys]]
    grouped = manual.groupby(["indicator", "breakdown", "source_label"], sort=True)
    return grouped.agg(
        values=("value", "size"),
        regions=("region", lambda s: sorted(set(s))),
        first_year=("year", "min"),
        last_year=("year", "max"),
    ).reset_index()
