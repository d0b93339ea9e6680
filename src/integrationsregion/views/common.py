"""What several view models share: reference names, counts vs. rates, indicator labels."""

from __future__ import annotations

from integrationsregion.catalogue import BREAKDOWN_LABELS, Indicator
from integrationsregion.regions import REFERENCES, RegionRegistry

COUNT_UNITS = ("persons", "eur", "eur_thousand")


def reference_names(regions: RegionRegistry) -> dict[str, str]:
    """Ruhr, NRW, Deutschland: the short names of `regions.csv`."""
    return {a: regions[a].short_name for a in REFERENCES}


def is_count(indicator: Indicator) -> bool:
    """Counts and sums: a Kreis count is never set beside an NRW or Germany total."""
    return indicator.unit in COUNT_UNITS


def indicator_label(indicator: Indicator, breakdown: str) -> str:
    """Title with its breakdown where there is a choice – unless the title says it already
    ("Ausländische Bevölkerung", not "Ausländische Bevölkerung – Ausländer/-innen")."""
    if breakdown == "total" and len(indicator.breakdowns) == 1:
        return indicator.title
    if breakdown == "foreign" and "usländ" in indicator.title:
        return indicator.title
    return f"{indicator.title} – {BREAKDOWN_LABELS[breakdown]}"
