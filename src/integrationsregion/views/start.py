"""Start / Konferenz: the region at a glance and the coverage of each theme."""

from __future__ import annotations

from dataclasses import dataclass

from integrationsregion import formatting as fmt
from integrationsregion.store import Store


@dataclass(frozen=True)
class Metric:
    """One headline figure with its label and source line."""

    label: str
    value: str
    caption: str
    help: str | None = None


def conference_day(iso: str) -> str:
    return fmt.day(iso)


def population(store: Store) -> Metric | None:
    """Inhabitants of the 15 units in the latest year all 15 have a value (a sum, own calculation)."""
    for year in reversed(store.years("population")):
        cs = store.cross_section("population", year)
        if cs["value"].notna().all():
            sources = "; ".join(sorted(set(cs["source_label"])))
            return Metric(
                f"Einwohner 31.12.{year}",
                fmt.number(cs["value"].sum()),
                f"Summe der 15 Einheiten (eigene Berechnung) · Quelle: {sources}",
            )
    return None


def foreign_share_span(store: Store) -> Metric | None:
    """Lowest and highest share of foreigners among the 15 units, latest year."""
    years = store.years("foreign_share", "foreign")
    if not years:
        return None
    shares = store.cross_section("foreign_share", years[-1], "foreign").dropna(subset=["value"])
    if shares.empty:
        return None
    ind = store.catalogue["foreign_share"]
    low, high = shares.loc[shares["value"].idxmin()], shares.loc[shares["value"].idxmax()]
    return Metric(
        f"Ausländeranteil 31.12.{years[-1]}",
        f"{fmt.value(low['value'], ind.unit, ind.decimals)} bis {fmt.value(high['value'], ind.unit, ind.decimals)}",
        f"von {low['name']} bis {high['name']} · Quelle: {'; '.join(sorted(set(shares['source_label'])))}",
        help="Spanne über die 15 Einheiten",
    )


def coverage_by_theme(store: Store) -> dict[str, list[dict[str, str]]]:
    """Per theme: its statistics and the years with values (runs collapsed, "2015–2019, 2021")."""
    by_theme: dict[str, list[dict[str, str]]] = {}
    for ind in store.catalogue.all():
        if ind.kind == "statistic":
            years = fmt.years_list(store.any_years(ind.id)) or fmt.NO_DATA
            by_theme.setdefault(store.catalogue.themes[ind.theme], []).append(
                {"Indikator": ind.title, "Jahre": years}
            )
    return by_theme
