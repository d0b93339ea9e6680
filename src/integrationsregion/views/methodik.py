"""Daten & Methodik: the catalogue, one indicator's entry, coverage, one value's provenance, vintages."""

from __future__ import annotations

import pandas as pd

from integrationsregion import formatting as fmt
from integrationsregion import methodology
from integrationsregion.catalogue import BREAKDOWN_LABELS, Indicator
from integrationsregion.conference import Conference
from integrationsregion.genesis import scope
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.store import Store
from integrationsregion.views import common

KIND_NOTES = {
    "parameter": "Rechtlicher/Kosten-Parameter – kein Gebietsvergleich, genutzt auf „Geduldete & Kosten“.",
    "statement": "Veröffentlichte Kostenaussage – kein Gebietsvergleich, genutzt auf „Geduldete & Kosten“.",
}
CATALOGUE_COLUMNS = [
    "Indikator",
    "Thema",
    "Definition",
    "Einheit",
    "Quelle",
    "Tabelle",
    "Stand",
    "Jahre",
    "Lizenz",
    "Hinweise",
    "Link",
    "Art",
]
LICENCE_NOTE = (
    "Alle Lizenz- und Namensnennungszeilen des Datenbestands. Amtliche Daten stehen überwiegend unter der "
    "[Datenlizenz Deutschland – Namensnennung – Version 2.0](https://www.govdata.de/dl-de/by-2-0). "
    "Bei Sekundärquellen ist nur die Zahlenangabe übernommen."
)
REFRESH_NOTE = (
    "Der Datenbestand ist ein geprüfter Schnappschuss der amtlichen Tabellen. Er wird aus den amtlichen "
    "Diensten (Regionaldatenbank, GENESIS-Online, Landesdatenbank NRW; Grenzen vom BKG) neu geladen: jede "
    "Tabelle wird abgerufen und geprüft, und der neue Stand wird nur übernommen, wenn er vollständig gültig "
    "ist – sonst bleibt der bisherige unverändert."
)
MANUAL_NOTE = (
    "**Nur von Hand aktualisierbar:** Diese Werte liefert keine der Tabellen, die die Aktualisierung "
    "abruft – etwa die Beschäftigungsquoten nach Staatsangehörigkeit aus der interaktiven Statistik der "
    "Bundesagentur für Arbeit (nicht in der Regionaldatenbank veröffentlicht) und alle Sekundärquellen. "
    "Eine Aktualisierung lässt sie unverändert."
)
COVERAGE_LEGEND = (
    "● amtliche Statistik · ◐ eigene Berechnung aus amtlichen Werten · ○ Sekundärquelle · "
    "– keine Daten (Lücken bleiben Lücken; es wird nichts geschätzt oder aufgefüllt)."
)


def area_names(store: Store) -> dict[str, str]:
    """The 15 units and the references, with their display names."""
    return {r.ags: r.name for r in store.regions.units()} | common.reference_names(store.regions)


def rows(store: Store, indicator_id: str, breakdown: str) -> pd.DataFrame:
    """The shown values of one indicator and breakdown for the units and the references."""
    return store.series(indicator_id, list(area_names(store)), breakdown)


def catalogue_table(store: Store) -> pd.DataFrame:
    return methodology.catalogue_table(store)


def coverage_grid(store: Store, indicator_id: str, breakdown: str) -> pd.DataFrame:
    return methodology.coverage_grid(store, indicator_id, breakdown)


def coverage_overview(store: Store) -> pd.DataFrame:
    return methodology.coverage_overview(store).drop(columns=["id", "breakdown"])


def licence_lines(store: Store) -> pd.DataFrame:
    return methodology.licence_lines(store)


def value_rows(store: Store, indicator_id: str, breakdown: str, region: str, year: int) -> pd.DataFrame:
    """The one shown value with its provenance, for the download."""
    found = store.series(indicator_id, [region], breakdown)
    return found[found["year"] == year]


def source_lines(store: Store, ind: Indicator) -> list[str]:
    """Markdown, one line per source table, with the newest Stand the values of that table state."""
    frames = [rows(store, ind.id, b) for b in ind.breakdowns]
    values = pd.concat(frames) if frames else pd.DataFrame(columns=["table_code", "stand"])
    out = []
    for src in ind.sources:
        days = [d for d in map(fmt.parse_day, values.loc[values["table_code"] == src.table, "stand"]) if d]
        stand = f" · Stand {fmt.day(max(days))}" if src.table and days else ""
        table = f"Tabelle **{src.table}** – " if src.table else ""
        out.append(f"- {src.publisher}: {table}[{src.title}]({src.url}){stand}")
    return out


def entry_facts(store: Store, ind: Indicator) -> str:
    """Unit, period, breakdowns, direction and theme of one indicator as one markdown line."""
    return (
        f"**Einheit:** {ind.unit_label} · **Bezugszeitraum:** {ind.reference_period} · "
        f"**Aufschlüsselungen:** {', '.join(BREAKDOWN_LABELS[b] for b in ind.breakdowns)} · "
        f"**Richtung:** {store.catalogue.polarities[ind.polarity].label} · **Thema:** {store.catalogue.themes[ind.theme]}"
    )


def entry(store: Store, conf: Conference, ind: Indicator) -> str:
    """One indicator's whole catalogue entry as markdown: definition, facts, sources, licence, caveats."""
    parts = [
        f"### {ind.title}",
        f"**Definition:** {ind.definition}",
        entry_facts(store, ind),
        "**Quellen**\n\n" + "\n".join(source_lines(store, ind)),
        f"**Lizenz:** {ind.licence} · **Namensnennung:** {ind.attribution}",
    ]
    if ind.caveats:
        parts.append(
            "**Hinweise, Brüche und Einschränkungen**\n\n" + "\n".join(f"- {c}" for c in ind.caveats)
        )
    statements = conf.for_indicator(ind.id)
    if statements:
        links = "; ".join(f"[{s.speaker}]({s.source_url})" for s in statements)
        parts.append(f"**Bezug in der Sozialkonferenz Ruhr 2019:** {links}")
    return "\n\n".join(parts)


def breakdowns_with_data(store: Store, ind: Indicator) -> list[str]:
    return [b for b in ind.breakdowns if store.any_years(ind.id, b)]


def regions_with_data(store: Store, indicator_id: str, breakdown: str) -> list[str]:
    present = set(rows(store, indicator_id, breakdown)["region"])
    return [a for a in area_names(store) if a in present]


def years_of(store: Store, indicator_id: str, breakdown: str, region: str) -> list[int]:
    found = rows(store, indicator_id, breakdown)
    return sorted({int(y) for y in found.loc[found["region"] == region, "year"]})


def provenance(
    store: Store, ind: Indicator, breakdown: str, region: str, year: int
) -> tuple[str, pd.DataFrame] | None:
    """The heading and the facts table of one shown value, or None."""
    prov = store.provenance(region, ind.id, year, breakdown)
    if prov is None:
        return None
    name = area_names(store).get(region, store.regions.name(region))
    heading = f"**{name}, {common.indicator_label(ind, breakdown)}, {year}: {ind.format(prov['value'])}**"
    if prov["quality"] == "secondary":
        heading += " – Sekundärquelle"
    fields = {
        "Qualität": QUALITY_LABELS.get(prov["quality"], prov["quality"]),
        "Stichtag / Bezugszeitraum": fmt.day(prov["ref_date"]) or fmt.DASH,
        "Herausgeber": prov["publisher"],
        "Quelle": prov["source_label"],
        "Tabelle": prov["table_code"] or fmt.DASH,
        "Titel der Quelle": prov["source_title"],
        "Gelesen aus": prov["source_url"],
        "Amtliches Portal": prov["portal_url"],
        "Stand": fmt.stand(prov["stand"]),
        "Abgerufen": fmt.day(prov["retrieved"]) or fmt.DASH,
        "Lizenz": prov["licence"],
        "Namensnennung": prov["attribution"],
        "Anmerkung": prov["note"] or fmt.DASH,
        "Weitere Werte (nicht gezeigt)": prov["alternatives"] or fmt.DASH,
    }
    table = pd.DataFrame({"Merkmal": list(fields), "Angabe": [str(v) for v in fields.values()]})
    return heading, table


def vintages(manifest: dict) -> pd.DataFrame:
    """Each source table's Stand (a date, newest first) and when it was last refreshed."""
    found = manifest.get("vintages", {})
    refreshed = manifest.get("last_refreshed", {})
    table = pd.DataFrame(
        {
            "Quelle": list(found),
            "Stand der Tabelle": [fmt.parse_day(v) for v in found.values()],
            "Zuletzt aktualisiert": [
                fmt.day(refreshed.get(k, "")) or "aus dem Referenz-Schnappschuss" for k in found
            ],
        }
    )
    return table.sort_values("Stand der Tabelle", ascending=False, na_position="last").reset_index(drop=True)


def manual_refresh(store: Store) -> pd.DataFrame:
    """The values the update cannot refresh (genesis.scope), one line per series and source."""
    try:
        shown = pd.concat([store.indicator_rows(i.id) for i in store.catalogue.all()], ignore_index=True)
        rows = scope.manual_rows(shown, store.catalogue, store.regions)
    except FileNotFoundError:  # the list of refreshed tables is not shipped with this snapshot
        rows = pd.DataFrame(
            columns=["indicator", "breakdown", "source_label", "values", "regions", "first_year", "last_year"]
        )
    return pd.DataFrame(
        {
            "Reihe": [
                common.indicator_label(store.catalogue[i], b)
                for i, b in zip(rows["indicator"], rows["breakdown"], strict=True)
            ],
            "Quelle": rows["source_label"].tolist(),
            "Werte": rows["values"].tolist(),
            "Gebiete": [", ".join(store.regions.display_name(a) for a in r) for r in rows["regions"]],
            "Jahre": [
                f"{a}–{b}" if a != b else str(a)
                for a, b in zip(rows["first_year"], rows["last_year"], strict=True)
            ],
        }
    )


def snapshot_line(manifest: dict) -> str:
    """How many values the snapshot holds (for visitors: no hashes or commands)."""
    rows_count = manifest.get("rows")
    text = f"Schnappschuss: {fmt.number(rows_count)} Werte" if rows_count else "Schnappschuss"
    if not manifest.get("last_refreshed"):
        text += " · noch nicht über die Dienste aktualisiert"
    return text
