"""Theme pages (Bildung, Arbeitsmarkt, Geduldete): options, the view's figures and texts, evidence charts.

Streamlit-free: the ui layer caches these results and lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from integrationsregion import formatting as fmt
from integrationsregion.catalogue import Indicator, breakdown_label
from integrationsregion.figures import charts
from integrationsregion.figures.map import choropleth
from integrationsregion.regions import REFERENCES, RegionRegistry
from integrationsregion.store import Store
from integrationsregion.views import common

CONTEXT_THEME = "bevoelkerung"  # population figures: context on every theme page
CONFERENCE_YEAR = 2019


@dataclass(frozen=True)
class View:
    """What a theme page shows: indicator, breakdown, year (None: no Kreis data), selected unit and the chart
    tab that is open ("karte", "rangfolge", "zeitreihe" or "vergleich")."""

    theme: str
    indicator: Indicator
    breakdown: str
    year: int | None
    unit: str | None
    years: tuple[int, ...]
    chart: str = "karte"


# --------------------------------------------------------------------------------------------- options


def indicator_options(store: Store, theme: str) -> list[Indicator]:
    """The theme's statistics, then the population figures as context (they have no page of their own)."""
    catalogue = store.catalogue
    return catalogue.for_theme(theme, kind="statistic") + catalogue.for_theme(CONTEXT_THEME, kind="statistic")


def has_kreis_data(store: Store, indicator: Indicator) -> bool:
    return any(store.years(indicator.id, b) for b in indicator.breakdowns)


def rate_for(store: Store, indicator: Indicator, breakdown: str) -> Indicator | None:
    """The comparable rate derived from this count (e.g. "je 1.000 Einwohner"), if it has Kreis data."""
    for other in store.catalogue.all():
        if (
            other.rate_of == indicator.id
            and other.rate_of_breakdown == breakdown
            and has_kreis_data(store, other)
        ):
            return other
    return None


def default_indicator(store: Store, theme: str, preferred: str) -> str:
    """`preferred` – or its rate where it is a count with one – if offered with Kreis data; else the first
    rate with Kreis data; else any with data. Rates are the default: counts of cities of different size
    are not comparable."""
    options = indicator_options(store, theme)
    with_data = [i for i in options if has_kreis_data(store, i)]
    chosen = next((i for i in with_data if i.id == preferred), None)
    if chosen is not None:
        rate = rate_for(store, chosen, default_breakdown(store, chosen)) if chosen.is_count else None
        return rate.id if rate is not None and rate.id in {i.id for i in options} else preferred
    rates = [i for i in with_data if not i.is_count]
    return (rates or with_data or options)[0].id


def default_breakdown(store: Store, indicator: Indicator) -> str:
    """Foreigners where the indicator has them with Kreis data (the conference's subject), else the first."""
    with_data = [b for b in indicator.breakdowns if store.years(indicator.id, b)]
    if "foreign" in with_data:
        return "foreign"
    return with_data[0] if with_data else indicator.breakdowns[0]


def option_label(store: Store, indicator: Indicator) -> str:
    """The picker's label: full title, counts marked as such, missing Kreis data said."""
    text = "Bevölkerung: " if indicator.theme == CONTEXT_THEME and indicator.title != "Bevölkerung" else ""
    text += indicator.title
    if indicator.is_count:
        text += " (Anzahl)"
    if not has_kreis_data(store, indicator):
        text += " – keine Kreiswerte"
    return text


def comparison_year(store: Store, indicator: Indicator, year: int | None) -> int | None:
    """The year of the total-vs-foreigners chart: the chosen one if both have Kreis data, else the latest."""
    if not {"total", "foreign"} <= set(indicator.breakdowns):
        return None
    common_years = sorted(set(store.years(indicator.id, "total")) & set(store.years(indicator.id, "foreign")))
    if not common_years:
        return None
    return year if year in common_years else common_years[-1]


def year_notice(indicator: Indicator, breakdown: str, raw: str, years: list[int]) -> str:
    """Why a linked year is not shown."""
    text = (
        f"Für „{indicator.short}“ ({breakdown_label(breakdown)}) liegen für {raw} keine Werte der 15 Kreise "
        "und kreisfreien Städte vor"
    )
    return text + (f"; verfügbar: {fmt.years_list(years)}." if years else ".")


# --------------------------------------------------------------------------------------------- data


def series_regions(store: Store, indicator: Indicator) -> list[str]:
    """The units, plus Ruhr/NRW/DE where they may share the axis (rates; counts only without Kreis data)."""
    units = [r.ags for r in store.regions.units()]
    with_refs = not indicator.is_count or not has_kreis_data(store, indicator)
    return units + (list(REFERENCES) if with_refs else [])


def references_for(store: Store, indicator: Indicator, year: int, breakdown: str) -> pd.DataFrame:
    """Ruhr/NRW/DE beside the units: only for rates (a count's total is no yardstick)."""
    refs = store.references(indicator.id, year, breakdown)
    return refs.iloc[0:0] if indicator.is_count else refs


# --------------------------------------------------------------------------------------------- figures


def map_figure(
    store: Store, indicator_id: str, breakdown: str, year: int, unit: str | None, geojson_url: str
) -> go.Figure:
    ind = store.catalogue[indicator_id]
    cs = store.cross_section(indicator_id, year, breakdown)
    values = pd.DataFrame(
        {
            "ags": cs["region"],
            "name": cs["name"],
            "value": cs["value"],
            "year": cs["year"],
            "source": cs["source_label"],
            "quality": cs["quality"],
            "rounding": cs["rounding"],
        }
    )
    return choropleth(
        values,
        title=charts.title_text(ind, breakdown, year),
        unit_label=ind.unit_label,
        decimals=ind.decimals,
        polarity=ind.polarity,
        level="kreis",
        geojson_url=geojson_url,
        highlight=unit,
        value_name=ind.short,
    )


def ranking_figure(
    store: Store, indicator_id: str, breakdown: str, year: int, unit: str | None, compact: bool = False
) -> go.Figure:
    ind = store.catalogue[indicator_id]
    return charts.ranking(
        store.cross_section(indicator_id, year, breakdown),
        references_for(store, ind, year, breakdown),
        ind,
        breakdown=breakdown,
        year=year,
        highlight=unit,
        compact=compact,
    )


def series_figure(
    store: Store, indicator_id: str, breakdown: str, unit: str | None, breaks: list[charts.SeriesBreak]
) -> go.Figure:
    ind = store.catalogue[indicator_id]
    units = [r.ags for r in store.regions.units()]
    return charts.time_series(
        store.series(indicator_id, series_regions(store, ind), breakdown),
        ind,
        breakdown=breakdown,
        breaks=breaks,
        highlight=unit,
        background=units,
    )


def comparison_figure(
    store: Store, indicator_id: str, year: int, unit: str | None, compact: bool = False
) -> go.Figure:
    ind = store.catalogue[indicator_id]
    return charts.nationality_comparison(
        store.cross_section(indicator_id, year, "total"),
        store.cross_section(indicator_id, year, "foreign"),
        ind,
        year=year,
        total_refs=None if ind.is_count else store.references(indicator_id, year, "total"),
        foreign_refs=None if ind.is_count else store.references(indicator_id, year, "foreign"),
        highlight=unit,
        compact=compact,
    )


def gemeinde_years(store: Store, indicator: Indicator, breakdown: str) -> list[int]:
    """Years with values for the 53 Gemeinden (the Gemeinde layer holds a few older years)."""
    return store.years(indicator.id, breakdown, level="gemeinde")


def gemeinde_values(store: Store, indicator_id: str, breakdown: str, year: int) -> pd.DataFrame:
    """The 53 Gemeinden in one year; a kreisfreie Stadt's Gemeinde key is the city itself (same area),
    so it shows the city's value – one value per area, never two."""
    regions = store.regions
    gemeinden = regions.municipalities()
    rows = store.series(indicator_id, [g.ags for g in gemeinden], breakdown)
    rows = rows[rows["year"] == year].set_index("region")
    city = store.cross_section(indicator_id, year, breakdown).set_index("region")
    out = []
    for g in gemeinden:
        same_area = regions[g.parent_ags].kind == "kreisfreie_stadt"
        source = city.loc[g.parent_ags] if same_area else rows.loc[g.ags] if g.ags in rows.index else None
        out.append(
            {
                "ags": g.ags,
                "name": g.name,
                "value": None if source is None else source["value"],
                "year": year,
                "source": None if source is None else source["source_label"],
                "quality": None if source is None else source["quality"],
                "rounding": None if source is None else source["rounding"],
            }
        )
    return pd.DataFrame(out)


def gemeinde_map_figure(
    store: Store, indicator_id: str, breakdown: str, year: int, geojson_url: str
) -> go.Figure:
    ind = store.catalogue[indicator_id]
    return choropleth(
        gemeinde_values(store, indicator_id, breakdown, year),
        title=charts.title_text(ind, breakdown, year) + " – Gemeinden",
        unit_label=ind.unit_label,
        decimals=ind.decimals,
        polarity=ind.polarity,
        level="gemeinde",
        geojson_url=geojson_url,
        value_name=ind.short,
        place_names=False,  # 53 names do not fit; the tooltip names each Gemeinde
    )


# --------------------------------------------------------------------------------------------- texts


@dataclass(frozen=True)
class UnitSummary:
    """The selected unit's value in words: metric label and value, and a caption (rank, references)."""

    label: str
    value: str
    caption: str


def unit_summary(store: Store, view: View) -> UnitSummary | None:
    if view.unit is None or view.year is None:
        return None
    ind = view.indicator
    name = store.regions.name(view.unit)
    row = store.value(view.unit, ind.id, view.year, view.breakdown)
    if row is None:
        return UnitSummary(f"{name} · {view.year}", fmt.NO_DATA, "")
    ranked = store.rank(view.unit, ind.id, view.year, view.breakdown)
    parts = [ranked.text if ranked else ""]
    names = common.reference_names(store.regions)
    refs = references_for(store, ind, view.year, view.breakdown)
    parts += [
        f"{names[r['region']]}: {fmt.value(r['value'], ind.unit, ind.decimals, r['rounding'])}"
        for _, r in refs.iterrows()
    ]
    label = f"{name} · {breakdown_label(view.breakdown)} · {view.year}"
    if row["quality"] == "secondary":
        label += " · Sekundärquelle"
    if row["quality"] == "derived" or row["rounding"]:
        parts.append(common.quality_text(row["quality"], row["formula"], row["rounding"]))
    return UnitSummary(
        label,
        fmt.value(row["value"], ind.unit, ind.decimals, row["rounding"]),
        " · ".join(p for p in parts if p),
    )


def missing_references_note(
    regions: RegionRegistry, indicator: Indicator, refs: pd.DataFrame, year: int
) -> str:
    """For a rate: which of Ruhr/NRW/Deutschland have no value in `year` (`refs`: `references_for` of that
    year; the missing ones are not drawn)."""
    if indicator.is_count:
        return ""
    shown = set(refs.dropna(subset=["value"])["region"])
    absent = [regions.name(r) for r in REFERENCES if r not in shown]
    return f"{', '.join(absent)}: {fmt.NO_DATA} für {year}." if absent else ""


def coverage_note(cross_section: pd.DataFrame) -> str:
    n = int(cross_section["value"].notna().sum())
    return (
        ""
        if n == len(cross_section)
        else f"Werte für {n} von {len(cross_section)} Einheiten; die übrigen: keine Daten."
    )


def tidy_frame(frames: list[pd.DataFrame], ind: Indicator, breakdown: str) -> pd.DataFrame:
    """The rows behind the view (units, references, series) for the downloads, without repeats."""
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return frame
    frame = frame.assign(
        indicator=frame.get("indicator", pd.Series(index=frame.index, dtype=object)).fillna(ind.id),
        breakdown=frame.get("breakdown", pd.Series(index=frame.index, dtype=object)).fillna(breakdown),
        unit=frame.get("unit", pd.Series(index=frame.index, dtype=object)).fillna(ind.unit),
    )
    return frame.drop_duplicates(["region", "breakdown", "year"]).reset_index(drop=True)


def download_title(view: View, frames: list[pd.DataFrame]) -> str:
    """File title with the indicator, breakdown and the real year range of the rows."""
    years = [int(y) for f in frames if len(f) for y in f["year"].dropna()]
    parts = [view.indicator.short]
    if len(view.indicator.breakdowns) > 1:
        parts.append(breakdown_label(view.breakdown))
    parts.append(fmt.year_range(years))
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------------------------- evidence


def evidence(store: Store, indicator_ids: tuple[str, ...]) -> list[tuple[str, str, str, int]]:
    """Small charts for a statement: (kind, indicator, breakdown, year).

    The first of its indicators with Kreis data as a ranking (latest year), and the first with both
    breakdowns as "insgesamt vs. Ausländer/-innen" (conference year if both exist then, else the latest).
    """
    out: list[tuple[str, str, str, int]] = []
    inds = [store.catalogue[i] for i in indicator_ids if i in store.catalogue]
    for ind in inds:
        if ind.kind == "statistic" and has_kreis_data(store, ind):
            bd = default_breakdown(store, ind)
            out.append(("ranking", ind.id, bd, store.years(ind.id, bd)[-1]))
            break
    for ind in inds:
        year = comparison_year(store, ind, CONFERENCE_YEAR)
        if year is not None:
            out.append(("comparison", ind.id, "total", year))
            break
    return out
