"""How much of the (unit × year) grid the snapshot fills, per theme and series.

A cell is one of the 15 units in one year of 2015–2025 for one series (statistic indicator × breakdown).
Years the source never published at Kreis level (catalogue `unpublished_years`) are not counted as
missing: they are reported as never published. Used by `integrationsregion coverage`, the Start page
and Daten & Methodik.
"""

from __future__ import annotations

import pandas as pd

from integrationsregion.store import Store

YEARS = tuple(range(2015, 2026))
HOLES_SHOWN = 3


def coverage(store: Store, years: tuple[int, ...] = YEARS) -> pd.DataFrame:
    """One row per statistic series: theme, indicator, breakdown, title, filled and possible cells,
    share (0–1), never-published years and the largest holes (years with the fewest units)."""
    units = [r.ags for r in store.regions.units()]
    counts = store.coverage()
    rows = []
    for ind in store.catalogue.all():
        if ind.kind != "statistic":
            continue
        for breakdown in ind.breakdowns:
            unpublished = tuple(y for y in ind.unpublished_years.get(breakdown, ()) if y in years)
            open_years = [y for y in years if y not in unpublished]
            per_year = {y: 0 for y in open_years}
            if (ind.id, breakdown) in counts.index.droplevel("region"):
                grid = counts.loc[(ind.id, breakdown)]
                grid = grid[grid.index.isin(units)]
                per_year |= {y: int((grid[y] > 0).sum()) for y in open_years if y in grid.columns}
            holes = sorted((n, y) for y, n in per_year.items() if n < len(units))[:HOLES_SHOWN]
            rows.append(
                {
                    "theme": ind.theme,
                    "theme_label": store.catalogue.themes[ind.theme],
                    "indicator": ind.id,
                    "breakdown": breakdown,
                    "title": ind.title,
                    "filled": sum(per_year.values()),
                    "possible": len(open_years) * len(units),
                    "never_published": unpublished,
                    "holes": [f"{y}: {n}/{len(units)}" for n, y in sorted(holes, key=lambda h: h[1])],
                }
            )
    df = pd.DataFrame(rows)
    df["share"] = df["filled"] / df["possible"]
    return df


def by_theme(table: pd.DataFrame) -> pd.DataFrame:
    """Filled share per theme (and overall in the last row)."""
    themes = table.groupby(["theme", "theme_label"], sort=False)[["filled", "possible"]].sum().reset_index()
    total = pd.DataFrame(
        [{"theme": "", "theme_label": "Insgesamt", **table[["filled", "possible"]].sum().to_dict()}]
    )
    out = pd.concat([themes, total], ignore_index=True)
    out["share"] = out["filled"] / out["possible"]
    return out


def coverage_report(store: Store) -> str:
    """The German text `integrationsregion coverage` prints."""
    table = coverage(store)
    lines = [f"Abdeckung der Reihen (15 Einheiten × {YEARS[0]}–{YEARS[-1]}):", ""]
    for theme in by_theme(table).itertuples():
        lines.append(
            f"{theme.theme_label}: {percent(theme.share, 1)} ({theme.filled} von {theme.possible} Zellen)"
        )
    for row in table.itertuples():
        text = (
            f"  {row.theme_label} | {row.title} ({row.breakdown}): {percent(row.share, 0)} "
            f"({row.filled}/{row.possible})"
        )
        if row.never_published:
            text += f"; nie veröffentlicht: {', '.join(map(str, row.never_published))}"
        if row.holes:
            text += f"; größte Lücken: {', '.join(row.holes)}"
        lines.append(text)
    return "\n".join(lines)


def percent(share: float, decimals: int) -> str:
    """A share 0–1 as a German percentage."""
    return f"{share * 100:.{decimals}f} %".replace(".", ",")
