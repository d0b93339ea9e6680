"""What several view models share: reference names, counts vs. rates, ranks worded by polarity."""

from __future__ import annotations

from integrationsregion.catalogue import BREAKDOWN_LABELS, Indicator
from integrationsregion.regions import REFERENCES, RegionRegistry
from integrationsregion.store import Store

MIN_RANKED = 10  # a rank among fewer units says little ("2 von 2")
COUNT_UNITS = ("persons", "eur", "eur_thousand")


def reference_names(regions: RegionRegistry) -> dict[str, str]:
    """Ruhr, NRW, Deutschland: the short names of `regions.csv`."""
    return {a: regions[a].short_name for a in REFERENCES}


def is_count(indicator: Indicator) -> bool:
    """Counts and sums: a Kreis count is never set beside an NRW or Germany total."""
    return indicator.unit in COUNT_UNITS


def rank(
    store: Store, region: str, indicator: Indicator, year: int, breakdown: str
) -> tuple[int, int] | None:
    """Rank 1 = most favourable (lowest value where lower is better, else highest), among ≥ 10 units."""
    found = store.rank(region, indicator.id, year, breakdown)
    if found is None or found[1] < MIN_RANKED:
        return None
    position, n = found  # the store ranks by descending value
    return (n + 1 - position, n) if indicator.polarity == "lower_better" else (position, n)


def rank_rule(indicator: Indicator) -> str:
    """What rank 1 means for this indicator, in words."""
    if indicator.polarity == "lower_better":
        return f"Rang 1 = niedrigster Wert ({indicator.short}: niedriger ist günstiger)"
    if indicator.polarity == "higher_better":
        return f"Rang 1 = höchster Wert ({indicator.short}: höher ist günstiger)"
    return "Rang 1 = höchster Wert (ohne Wertung)"


def rank_text(indicator: Indicator, found: tuple[int, int] | None) -> str:
    """ "Rang 3 von 15 (Rang 1 = …)" or "" where no rank is shown."""
    if found is None:
        return ""
    return f"Rang {found[0]} von {found[1]} ({rank_rule(indicator)})"


def indicator_label(indicator: Indicator, breakdown: str) -> str:
    """Title with its breakdown where there is a choice – unless the title says it already
    ("Ausländische Bevölkerung", not "Ausländische Bevölkerung – Ausländer/-innen")."""
    if breakdown == "total" and len(indicator.breakdowns) == 1:
        return indicator.title
    if breakdown == "foreign" and "usländ" in indicator.title:
        return indicator.title
    return f"{indicator.title} – {BREAKDOWN_LABELS[breakdown]}"
