"""Vergleich: one unit beside up to five peers and Ruhr/NRW/Deutschland – bar charts and the table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from integrationsregion import compare, peers
from integrationsregion import formatting as fmt
from integrationsregion.catalogue import indicator_label
from integrationsregion.figures import charts
from integrationsregion.regions import GERMANY, NRW, REFERENCES
from integrationsregion.store import Store
from integrationsregion.views import common

MAX_PEERS = 5
MAX_INDICATORS = 4
COLOURS = {"Auswahl": "#0b5394", "Vergleich": "#6fa8dc", "Referenz": "#6b6b6b"}
TABLE_NOTE = (
    "Eine Zeile je Indikator; alle Werte einer Zeile stammen aus dem angegebenen Jahr. Bei Zählwerten "
    "stehen keine NRW- und Deutschland-Summen daneben; – = keine Daten. Zum Sortieren auf eine "
    "Spaltenüberschrift klicken."
)
LEGEND = "Dunkelblau: gewählte Einheit · Hellblau: Vergleichseinheiten · Grau: Ruhr / NRW / Deutschland"


def areas(store: Store) -> list[str]:
    """What can be compared: the 15 units, then the kreisangehörige Gemeinden (a kreisfreie Stadt's
    Gemeinde key is the city itself and is not offered twice)."""
    regions = store.regions
    gemeinden = [g.ags for g in regions.municipalities() if regions[g.parent_ags].kind != "kreisfreie_stadt"]
    return [r.ags for r in regions.units()] + gemeinden


def level(store: Store, ags: str) -> str:
    return store.regions[ags].level


def area_label(store: Store, ags: str) -> str:
    r = store.regions[ags]
    return r.name if r.level == "kreis" else f"{r.name} (Gemeinde, {store.regions.name(r.parent_ags)})"


def candidates(store: Store, unit: str) -> list[str]:
    """Comparison areas of the same level as `unit`."""
    return [a for a in areas(store) if a != unit and level(store, a) == level(store, unit)]


def gemeinde_peers(store: Store, unit: str) -> list[str]:
    """Default peers of a Gemeinde: the other Gemeinden of its Kreis (up to `MAX_PEERS`)."""
    parent = store.regions[unit].parent_ags
    return [a for a in candidates(store, unit) if store.regions[a].parent_ags == parent][:MAX_PEERS]


GEMEINDE_NOTE = (
    "Gemeindewerte gibt es nur aus älteren Jahren (das Jahr steht in jeder Zeile) – es sind alte Zahlen. "
    "Verglichen werden Gemeinden mit Gemeinden; aktuelle Werte zeigt der Vergleich der Kreise."
)


def offered(store: Store, area_level: str = "kreis") -> list[tuple[str, str]]:
    """(indicator, breakdown) pairs with values for the areas of `area_level`."""
    return compare.unit_indicators(store, area_level)


def indicator_ids(store: Store, area_level: str = "kreis") -> list[str]:
    return list(dict.fromkeys(i for i, _ in offered(store, area_level)))


def default_indicator(store: Store, area_level: str = "kreis") -> str:
    """A rate where one exists (the unemployment rate, the conference's lead figure)."""
    ids = indicator_ids(store, area_level)
    if "unemployment_rate" in ids:
        return "unemployment_rate"
    rates = [i for i in ids if not store.catalogue[i].is_count]
    return (rates or ids)[0]


def breakdowns(store: Store, indicator_id: str, area_level: str = "kreis") -> list[str]:
    return [b for i, b in offered(store, area_level) if i == indicator_id]


def default_breakdown(options: list[str]) -> str:
    return "foreign" if "foreign" in options else options[0]


def peer_note(store: Store, unit: str, choice: peers.PeerChoice, chosen: list[str]) -> str:
    """How the default peers were chosen (empty without a population year)."""
    if choice.year is None:
        return ""
    names = ", ".join(store.regions.name(a) for a in choice.peers)
    state = "aktiv" if list(chosen) == list(choice.peers) else "geändert"
    return (
        f"Vorauswahl ({state}): {names} – die {len(choice.peers)} Einheiten, die {store.regions.name(unit)} "
        f"nach Einwohnerzahl und Ausländeranteil am 31.12.{choice.year} am ähnlichsten sind "
        "(standardisierter euklidischer Abstand; Quelle Regionaldatenbank 12411-03-03-4)."
    )


@dataclass(frozen=True)
class Chart:
    """One indicator's bar chart with its heading and one source line."""

    heading: str
    figure: go.Figure
    source: str


def chart(store: Store, indicator_id: str, breakdown: str, year: int, units: list[str]) -> Chart:
    """Bars of the chosen units; Ruhr/NRW/DE as bars only for rates (a count's references as text)."""
    ind = store.catalogue[indicator_id]
    frame = compare.chart_frame(store, indicator_id, breakdown, year, units)
    names = common.reference_names(store.regions)
    frame.loc[frame["role"] == "Referenz", "name"] = frame["region"].map(names)
    refs = frame[frame["role"] == "Referenz"]
    parts = [f"Jahr {year}"]
    if ind.is_count:
        frame = frame[frame["role"] != "Referenz"]
        parts.append(
            "Zählwerte: "
            + (
                ", ".join(
                    f"{n} {fmt.value(v, ind.unit, ind.decimals)}"
                    for n, v in zip(refs["name"], refs["value"], strict=True)
                )
                if len(refs)
                else "keine Vergleichssummen"
            )
            + " (nicht als Balken: nur größer)"
        )
    shown = frame.dropna(subset=["value"])
    parts += [f"Quelle: {common.sources_text(shown['source_label'])}", ind.attribution]
    if (shown["quality"] == "secondary").any():
        parts.append("schraffiert = Sekundärquelle")
    missing = [n for n, v in zip(frame["name"], frame["value"], strict=True) if fmt.is_missing(v)]
    if missing:
        parts.append(f"{fmt.NO_DATA}: " + ", ".join(missing))
    zeros = (
        frame.loc[frame["rounding"].eq("zero_from_rounding"), "name"].tolist() if "rounding" in frame else []
    )
    if zeros:
        parts.append(f"{fmt.ROUNDED_ZERO_GAP}: " + ", ".join(zeros))
    return Chart(f"{indicator_label(ind, breakdown)}, {year}", bar_chart(frame, ind), " · ".join(parts))


def bar_chart(frame: pd.DataFrame, ind) -> go.Figure:
    """Vertical bars; a gap is the text "keine Daten" and a rounded zero the text "gerundet 0", never a
    zero bar; secondary values hatched."""
    roundings = frame["rounding"] if "rounding" in frame else pd.Series("", index=frame.index)
    values = frame["value"].where(roundings.ne("zero_from_rounding"))  # not comparable: no bar
    text = [
        fmt.number(v)
        if ind.unit == "persons" and r != "zero_from_rounding"
        else fmt.value(v, ind.unit, ind.decimals, r)
        for v, r in zip(frame["value"], roundings.fillna(""), strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["name"],
            y=values.fillna(0),
            marker_color=[COLOURS[r] for r in frame["role"]],
            marker_opacity=[0.0 if fmt.is_missing(v) else 1.0 for v in values],
            marker_pattern_shape=["/" if q == "secondary" else "" for q in frame["quality"]],
            text=text,
            textposition="outside",  # also for a gap: its text stands on the axis, there is no bar
            cliponaxis=False,
            hovertext=[f"{n}: {t}" for n, t in zip(frame["name"], text, strict=True)],
            hoverinfo="text",
        )
    )
    top = float(values.max()) if values.notna().any() else 1.0
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis_title=ind.unit_label,
        yaxis_range=[min(0.0, float(values.min()) if values.notna().any() else 0.0), top * 1.15 or 1.0],
        yaxis_separatethousands=True,
        separators=",.",
        showlegend=False,
        font=charts.FONT,
    )
    return fig


def overrides(
    store: Store, picked: list[str], breakdown: str, year: int, units: list[str]
) -> list[tuple[str, str, int]]:
    """(indicator, breakdown, year) of each chart: the main one as chosen, the others their latest year."""
    if not picked:
        return []
    out = [(picked[0], breakdown, year)]
    for extra in picked[1:]:
        options = breakdowns(store, extra, level(store, units[0]))
        b = breakdown if breakdown in options else default_breakdown(options)
        y = compare.comparison_year(store, extra, b, units)
        if y is not None:
            out.append((extra, b, y))
    return out


@dataclass(frozen=True)
class Table:
    """The comparison table: numeric values, one unit and decimals per row."""

    frame: pd.DataFrame
    value_columns: list[str]
    units: list[str]
    decimals: list[int]
    rounded_zeros: list[list[str]]  # per row, the value columns whose 0 is only cells rounded to 0


def table(store: Store, units: list[str], years: list[tuple[str, str, int]]) -> Table:
    """All indicators × (units, Ruhr, NRW, DE); counts without NRW/DE totals."""
    raw = compare.comparison_table(store, units, {(i, b): y for i, b, y in years}, level(store, units[0]))
    names = {a: store.regions[a].short_name for a in units} | common.reference_names(store.regions)
    if raw.empty:
        return Table(pd.DataFrame(columns=["Indikator", "Jahr"]), [], [], [], [])
    counts = [store.catalogue[i].is_count for i in raw["indicator"]]
    raw["Indikator"] = [
        indicator_label(store.catalogue[i], b)
        for i, b in zip(raw["indicator"], raw["breakdown"], strict=True)
    ]
    for ref in (NRW, GERMANY):
        raw[ref] = [math.nan if c else v for c, v in zip(counts, raw[ref], strict=True)]
    frame = raw.rename(columns=names)
    value_cols = [names[a] for a in units] + [names[r] for r in REFERENCES]
    frame = frame[["Indikator", "Jahr", *value_cols, "Einheit", "Quelle"]]
    return Table(
        frame,
        value_cols,
        [store.catalogue[i].unit for i in raw["indicator"]],
        list(raw["decimals"]),
        [[names[a] for a in areas] for areas in raw["rounded_zero"]],
    )


def long_rows(store: Store, units: list[str], years: list[tuple[str, str, int]]) -> pd.DataFrame:
    """The table as long rows with provenance, for the downloads."""
    rows = compare.long_table(store, units, {(i, b): y for i, b, y in years}, level(store, units[0]))
    return rows.drop(columns=["role"]) if len(rows) else rows


def file_title(store: Store, unit: str, years: list[int]) -> str:
    return f"Vergleich {store.regions.name(unit)} {fmt.year_range(years)}".strip()


def cards(result: Table) -> list[dict[str, str]]:
    """The table as phone cards: one card per indicator, every area's value as a chip."""
    out = []
    for n, row in enumerate(result.frame.to_dict("records")):
        first, *rest = result.value_columns
        chips = [f"{c}: {_cell(result, n, row, c)}" for c in rest if not fmt.is_missing(row[c])]
        out.append(
            {
                "title": row["Indikator"],
                "value": f"{first}: {_cell(result, n, row, first)}",
                "year": str(int(row["Jahr"])),
                "chips": " · ".join(chips),
                "source": f"Quelle: {row['Quelle']}",
            }
        )
    return out


def _cell(result: Table, n: int, row: dict, col: str) -> str:
    """One value of the table's row `n` as text ("gerundet 0" where its 0 is only cells rounded to 0)."""
    rounding = "zero_from_rounding" if col in result.rounded_zeros[n] else ""
    return fmt.value(row[col], result.units[n], result.decimals[n], rounding)


def download_meta(store: Store, unit: str, chosen: list[str]) -> dict[str, object]:
    """Title and notes of the XLSX "Quellen" sheet."""
    names = ", ".join(store.regions.name(a) for a in chosen)
    return {
        "Titel": f"Vergleich {store.regions.name(unit)}" + (f" mit {names}" if names else ""),
        "Hinweise": [
            "Je Indikator ein Jahr für alle Gebiete (siehe Spalte Jahr); leere Werte = keine Daten.",
            "Bei Zählwerten keine NRW- und Deutschland-Summen (nicht vergleichbar).",
        ],
    }
