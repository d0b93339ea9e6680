"""Questions of the Daten & Methodik page: the catalogue as a table, coverage, Stand dates and licences.

Pure (no Streamlit), answered from the store's results; nothing is filled or averaged.
"""

from __future__ import annotations

import re

import pandas as pd

from integrationsregion.catalogue import BREAKDOWN_LABELS, NO_DATA
from integrationsregion.compare import label
from integrationsregion.regions import REFERENCES
from integrationsregion.store import Store

QUALITY_MARKS = {"official": "●", "derived": "◐", "secondary": "○"}
NO_VALUE_MARK = "–"


def catalogue_table(store: Store) -> pd.DataFrame:
    """One row per indicator: definition, unit, sources, table codes, Stand, licence, caveats."""
    rows = []
    for ind in store.catalogue.all():
        mine = store.indicator_rows(ind.id)
        stands = sorted({s for s in mine["stand"] if s})
        tables = [s.table for s in ind.sources if s.table]
        rows.append(
            {
                "id": ind.id,
                "Indikator": ind.title,
                "Thema": store.catalogue.themes[ind.theme],
                "Art": store.catalogue.kinds[ind.kind],
                "Definition": ind.definition,
                "Einheit": ind.unit_label,
                "Aufschlüsselungen": ", ".join(BREAKDOWN_LABELS[b] for b in ind.breakdowns),
                "Quelle": "; ".join(s.publisher for s in ind.sources),
                "Tabelle": ", ".join(dict.fromkeys(tables)),
                "Stand": ", ".join(stands) if stands else NO_VALUE_MARK,
                "Jahre": ", ".join(str(y) for y in sorted(set(mine["year"]))) or NO_DATA,
                "Lizenz": ind.licence,
                "Hinweise": " ".join(ind.caveats),
                "Link": ind.sources[0].url if ind.sources else "",
            }
        )
    return pd.DataFrame(rows)


def search(table: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows whose title, definition, table code, source or id contain every word of `text`."""
    words = [w for w in re.split(r"\s+", text.strip().lower()) if w]
    if not words:
        return table
    hay = (
        table[["id", "Indikator", "Definition", "Tabelle", "Quelle", "Thema"]]
        .astype(str)
        .agg(" ".join, axis=1)
        .str.lower()
    )
    mask = pd.Series(True, index=table.index)
    for w in words:
        mask &= hay.str.contains(w, regex=False)
    return table[mask]


def source_stands(store: Store, indicator_id: str) -> dict[str, list[str]]:
    """The Stand dates found in the snapshot for each of the indicator's tables."""
    rows = store.indicator_rows(indicator_id)
    tables = {src.table for src in store.catalogue[indicator_id].sources if src.table}
    return {
        table: sorted({s for s in rows.loc[rows["table_code"] == table, "stand"] if s}) for table in tables
    }


def coverage_grid(store: Store, indicator: str, breakdown: str) -> pd.DataFrame:
    """Regions (15 units, then Ruhr/NRW/DE) × years: a quality mark where a value exists, "–" else."""
    rows = store.indicator_rows(indicator, breakdown)
    years = store.any_years(indicator, breakdown)
    regions = [r.ags for r in store.regions.units()] + list(REFERENCES)
    grid = pd.DataFrame(NO_VALUE_MARK, index=regions, columns=[str(y) for y in years])
    for rec in rows.itertuples(index=False):
        if rec.region in grid.index:
            grid.loc[rec.region, str(rec.year)] = QUALITY_MARKS.get(rec.quality, QUALITY_MARKS["official"])
    grid.index = [store.regions.display_name(a) for a in regions]
    grid.index.name = "Gebiet"
    return grid


def coverage_overview(store: Store) -> pd.DataFrame:
    """Indicator × breakdown × year: how many of the 15 units have a value ("–" when none)."""
    units = [r.ags for r in store.regions.units()]
    coverage = store.coverage()
    mine = coverage[coverage.index.get_level_values("region").isin(units)]
    counts = (mine > 0).groupby(level=["indicator", "breakdown"]).sum()
    counts = counts.loc[(counts > 0).any(axis=1), (counts > 0).any(axis=0)]
    out = []
    for (indicator, breakdown), row in counts.iterrows():
        ind = store.catalogue[indicator]
        entry = {"Indikator": label(ind, breakdown), "id": indicator, "breakdown": breakdown}
        for year, n in row.items():
            entry[str(year)] = NO_VALUE_MARK if n == 0 else f"{int(n)}/{len(units)}"
        out.append(entry)
    order = {i.id: n for n, i in enumerate(store.catalogue.all())}
    return (
        pd.DataFrame(out).sort_values("id", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    )


def licence_lines(store: Store) -> pd.DataFrame:
    """All distinct licence and attribution lines in the snapshot, with their publishers (German columns)."""
    return store.licences().rename(
        columns={
            "licence": "Lizenz",
            "attribution": "Namensnennung",
            "publisher": "Herausgeber",
            "indicators": "Indikatoren",
        }
    )
