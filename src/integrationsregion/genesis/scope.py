"""Which snapshot rows `integrationsregion update` can refresh, and which only a person can (for the app and docs)."""

from __future__ import annotations

import pandas as pd

from integrationsregion.genesis.derive import RVR
from integrationsregion.genesis.parsers import TableSpec


def refreshed_by(specs: list[TableSpec], units: list[str]) -> dict[tuple[str, str, str], str]:
    """(indicator, breakdown, region) -> table code, for every row some table of tables.toml produces."""
    out: dict[tuple[str, str, str], str] = {}
    for spec in specs:
        regions = {key for _, keys in spec.levels for key in keys.split(",")}
        produced = [(s.indicator, s.breakdown) for s in spec.series]
        summed = {(s.indicator, s.breakdown) for s in spec.series if s.rvr_sum}
        for d in spec.derived:
            produced.append((d.indicator, d.breakdown))
            if d.numerator in summed and d.denominator in summed:
                summed.add((d.indicator, d.breakdown))
        for indicator, breakdown in produced:
            for region in regions | (
                {RVR} if (indicator, breakdown) in summed and set(units) <= regions else set()
            ):
                out.setdefault((indicator, breakdown, region), spec.code)
    return out


def manual_rows(observations: pd.DataFrame, specs: list[TableSpec], units: list[str]) -> pd.DataFrame:
    """Rows no table of tables.toml refreshes, grouped by indicator, breakdown and source (German columns)."""
    covered = refreshed_by(specs, units)
    keys = zip(observations["indicator"], observations["breakdown"], observations["region"], strict=True)
    manual = observations[[k not in covered for k in keys]]
    grouped = manual.groupby(["indicator", "breakdown", "source_label"], sort=True)
    return pd.DataFrame(
        {
            "Indikator": [k[0] for k in grouped.groups],
            "Gliederung": [k[1] for k in grouped.groups],
            "Quelle": [k[2] for k in grouped.groups],
            "Werte": grouped.size().tolist(),
            "Gebiete": grouped["region"].agg(lambda s: ", ".join(sorted(set(s)))).tolist(),
            "Jahre": grouped["year"]
            .agg(lambda s: f"{min(s)}–{max(s)}" if min(s) != max(s) else str(min(s)))
            .tolist(),
        }
    )
