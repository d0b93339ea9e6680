"""View model of Daten & Methodik: the catalogue (searchable), one indicator's entry, coverage, one value's
provenance, licences, vintages and what only a manual refresh updates. Pure (no Streamlit), answered from the
store; nothing is filled or averaged."""

from __future__ import annotations

import re

import pandas as pd

from integrationsregion import formatting as fmt
from integrationsregion.catalogue import Indicator, breakdown_label, indicator_label
from integrationsregion.conference import Conference
from integrationsregion.genesis import scope
from integrationsregion.geometry import ATTRIBUTION as BKG_ATTRIBUTION
from integrationsregion.regions import REFERENCES
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.store import Store
from integrationsregion.views import common

QUALITY_MARKS = {"official": "●", "derived": "◐", "secondary": "○"}
INTRO = (
    "Was jede Zahl bedeutet, woher sie stammt (Herausgeber, Tabelle, Stand, Lizenz), für welche Gebiete "
    "und Jahre es Werte gibt und wie der Datenbestand aktualisiert wird."
)
COVERAGE_OVERVIEW_NOTE = (
    "Je Indikator und Jahr: wie viele der 15 Kreise und kreisfreien Städte einen Wert haben; – = keiner."
)
MAP_NOTE = (
    f"**Karten:** {BKG_ATTRIBUTION} – Verwaltungsgebiete 1:250 000 (VG250), "
    "[Bundesamt für Kartographie und Geodäsie](https://www.bkg.bund.de)."
)
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
                "Aufschlüsselungen": ", ".join(breakdown_label(b) for b in ind.breakdowns),
                "Quelle": "; ".join(s.publisher for s in ind.sources),
                "Tabelle": ", ".join(dict.fromkeys(tables)),
                "Stand": ", ".join(stands) if stands else fmt.DASH,
                "Jahre": ", ".join(str(y) for y in sorted(set(mine["year"]))) or fmt.NO_DATA,
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


def entry_choices(found: list[str], all_ids: list[str], chosen: str) -> list[str]:
    """The indicators the entry picker offers: those the search found (all when it found none), and the
    one chosen now, so a search never silently switches the entry shown."""
    choices = found or all_ids
    return choices if chosen in choices else [chosen, *choices]


def entry_facts(store: Store, ind: Indicator) -> str:
    """Unit, period, breakdowns, direction and theme of one indicator as one markdown line."""
    return (
        f"**Einheit:** {ind.unit_label} · **Bezugszeitraum:** {ind.reference_period} · "
        f"**Aufschlüsselungen:** {', '.join(breakdown_label(b) for b in ind.breakdowns)} · "
        f"**Richtung:** {store.catalogue.polarities[ind.polarity].label} · **Thema:** {store.catalogue.themes[ind.theme]}"
    )


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


def coverage_grid(store: Store, indicator: str, breakdown: str) -> pd.DataFrame:
    """Regions (15 units, then Ruhr/NRW/DE) × years: a quality mark where a value exists, "–" else."""
    rows = store.indicator_rows(indicator, breakdown)
    years = store.any_years(indicator, breakdown)
    regions = [r.ags for r in store.regions.units()] + list(REFERENCES)
    grid = pd.DataFrame(fmt.DASH, index=regions, columns=[str(y) for y in years])
    for rec in rows.itertuples(index=False):
        if rec.region in grid.index:
            grid.loc[rec.region, str(rec.year)] = QUALITY_MARKS.get(rec.quality, QUALITY_MARKS["official"])
    grid.index = [store.regions.display_name(a) for a in regions]
    grid.index.name = "Gebiet"
    return grid


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
    heading = f"**{name}, {indicator_label(ind, breakdown)}, {year}: {fmt.value(prov['value'], ind.unit, ind.decimals)}**"
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


def value_rows(store: Store, indicator_id: str, breakdown: str, region: str, year: int) -> pd.DataFrame:
    """The one shown value with its provenance, for the download."""
    found = store.series(indicator_id, [region], breakdown)
    return found[found["year"] == year]


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
        entry = {"Indikator": indicator_label(ind, breakdown), "id": indicator, "breakdown": breakdown}
        for year, n in row.items():
            entry[str(year)] = fmt.DASH if n == 0 else f"{int(n)}/{len(units)}"
        out.append(entry)
    order = {i.id: n for n, i in enumerate(store.catalogue.all())}
    table = pd.DataFrame(out).sort_values("id", key=lambda s: s.map(order), kind="stable")
    return table.drop(columns=["id", "breakdown"]).reset_index(drop=True)


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


def snapshot_line(manifest: dict) -> str:
    """How many values the snapshot holds (for visitors: no hashes or commands)."""
    rows_count = manifest.get("rows")
    text = f"Schnappschuss: {fmt.number(rows_count)} Werte" if rows_count else "Schnappschuss"
    if not manifest.get("last_refreshed"):
        text += " · noch nicht über die Dienste aktualisiert"
    return text


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
                indicator_label(store.catalogue[i], b)
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
