"""Theme pages (Bildung, Arbeitsmarkt, Geduldete): pickers, map, charts and the conference statements.

A page calls `page(theme, intro=..., default=...)` and gets the chosen `View` back for extra sections.
The view lives in the URL (`indikator`, `aufschluesselung`, `jahr`, `einheit`): a shared link restores it,
unknown values are ignored with a German notice. Built figures are cached per (indicator, breakdown, year,
unit) and shared by all sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from integrationsregion import geometry
from integrationsregion.breaks import breaks_for
from integrationsregion.catalogue import BREAKDOWN_LABELS, Indicator, format_value
from integrationsregion.figures import charts
from integrationsregion.figures.map import choropleth
from integrationsregion.regions import REFERENCES
from integrationsregion.ui import data, query
from integrationsregion.ui.layout import methodik_link, source_line, statement_card

PAGE_FILES = {
    "bildung": "pages/bildung.py",
    "arbeitsmarkt": "pages/arbeitsmarkt.py",
    "geduldete": "pages/geduldete.py",
}
NO_UNIT = ""
PARAMS = ("indikator", "aufschluesselung", "jahr", "einheit")
REF_LABELS = {"RVR": "Ruhr", "05": "NRW", "DG": "Deutschland"}


@dataclass(frozen=True)
class View:
    """What a theme page shows: indicator, breakdown, year (None: no Kreis data) and selected unit."""

    theme: str
    indicator: Indicator
    breakdown: str
    year: int | None
    unit: str | None
    years: tuple[int, ...]


def _key(theme: str, name: str) -> str:
    return f"{theme}:{name}"


# --------------------------------------------------------------------------------------------- options


CONTEXT_THEME = "bevoelkerung"


def indicator_options(theme: str) -> list[Indicator]:
    """The theme's statistics, then the population figures as context (they have no page of their own)."""
    catalogue = data.store().catalogue
    return catalogue.for_theme(theme, kind="statistic") + catalogue.for_theme(CONTEXT_THEME, kind="statistic")


def kreis_years(indicator_id: str, breakdown: str) -> list[int]:
    return data.store().years(indicator_id, breakdown)


def default_breakdown(indicator: Indicator) -> str:
    """Foreigners where the indicator has them with Kreis data (the conference's subject), else the first."""
    with_data = [b for b in indicator.breakdowns if kreis_years(indicator.id, b)]
    if "foreign" in with_data:
        return "foreign"
    return with_data[0] if with_data else indicator.breakdowns[0]


def has_kreis_data(indicator: Indicator) -> bool:
    return any(kreis_years(indicator.id, b) for b in indicator.breakdowns)


# --------------------------------------------------------------------------------------------- state


def _apply_url(theme: str, ids: list[str], default: str) -> None:
    """Put URL parameters that changed since we last wrote them into the widget state (validated)."""
    store = data.store()
    written = st.session_state.get(_key(theme, "_written"), {})
    changed = {p: st.query_params.get(p) for p in PARAMS}
    changed = {p: v for p, v in changed.items() if v is not None and v != written.get(p)}
    ind_key, bd_key, year_key, unit_key = (_key(theme, p) for p in PARAMS)

    if "indikator" in changed:
        raw = changed["indikator"]
        other = store.catalogue[raw] if raw in store.catalogue and raw not in ids else None
        if other is not None and other.theme in PAGE_FILES:
            st.session_state[_key(theme, "_elsewhere")] = raw
        chosen = query.choice("indikator", ids, st.session_state.get(ind_key, default))
        if chosen != st.session_state.get(ind_key):
            st.session_state[ind_key] = chosen
            st.session_state.pop(bd_key, None)
            st.session_state.pop(year_key, None)
    ind = store.catalogue[st.session_state.get(ind_key, default)]
    if "aufschluesselung" in changed:
        st.session_state[bd_key] = query.choice(
            "aufschluesselung", list(ind.breakdowns), st.session_state.get(bd_key, default_breakdown(ind))
        )
        st.session_state.pop(year_key, None) if "jahr" not in changed else None
    bd = st.session_state.get(bd_key, default_breakdown(ind))
    if "jahr" in changed:
        raw = changed["jahr"]
        years = kreis_years(ind.id, bd)
        if raw.isdigit() and len(raw) == 4 and int(raw) not in years:
            st.session_state[_key(theme, "_year_notice")] = (
                f"Für „{ind.short}“ ({BREAKDOWN_LABELS[bd]}) liegen für {raw} keine Werte der 15 Kreise und "
                "kreisfreien Städte vor" + (f"; verfügbar: {', '.join(map(str, years))}." if years else ".")
            )
        elif years:
            st.session_state[year_key] = query.year("jahr", years, years[-1])
    if "einheit" in changed:
        units = [r.ags for r in store.regions.units()]
        st.session_state[unit_key] = query.choice("einheit", [NO_UNIT, *units], NO_UNIT)


def _write_url(theme: str, view: View) -> None:
    params = {
        "indikator": view.indicator.id,
        "aufschluesselung": view.breakdown if len(view.indicator.breakdowns) > 1 else None,
        "jahr": view.year,
        "einheit": view.unit or None,
    }
    query.write(**params)
    st.session_state[_key(theme, "_written")] = {k: str(v) for k, v in params.items() if v is not None}


def switch_indicator(theme: str, indicator_id: str) -> None:
    """Button callback: show another indicator of this page (breakdown and year back to defaults)."""
    st.session_state[_key(theme, "indikator")] = indicator_id
    st.session_state.pop(_key(theme, "aufschluesselung"), None)
    st.session_state.pop(_key(theme, "jahr"), None)


def _on_map_select(theme: str) -> None:
    """Map click: the clicked unit becomes the selected unit (clicking it again keeps it)."""
    event = st.session_state.get(_key(theme, "karte"))
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    units = {r.ags for r in data.store().regions.units()}
    for point in points:
        ags = point.get("location")
        if ags in units:
            st.session_state[_key(theme, "einheit")] = ags
            return


# --------------------------------------------------------------------------------------------- pickers


def pickers(theme: str, default: str) -> View:
    """Indicator, breakdown, year and unit pickers; returns the view (and writes it to the URL)."""
    store = data.store()
    options = indicator_options(theme)
    ids = [i.id for i in options]
    if default not in ids:
        default = next((i.id for i in options if has_kreis_data(i)), ids[0])
    _apply_url(theme, ids, default)
    ind_key, bd_key, year_key, unit_key = (_key(theme, p) for p in PARAMS)
    st.session_state.setdefault(ind_key, default)
    if st.session_state[ind_key] not in ids:
        st.session_state[ind_key] = default

    labels = {
        i.id: ("Bevölkerung: " if i.theme == CONTEXT_THEME else "")
        + i.title
        + ("" if has_kreis_data(i) else " (keine Kreiswerte)")
        for i in options
    }
    top = st.columns([3, 2])
    with top[0]:
        indicator_id = st.selectbox("Indikator", ids, format_func=labels.__getitem__, key=ind_key)
    ind = store.catalogue[indicator_id]

    if st.session_state.get(bd_key) not in ind.breakdowns:
        st.session_state[bd_key] = default_breakdown(ind)
    with top[1]:
        if len(ind.breakdowns) > 1:
            breakdown = st.radio(
                "Aufschlüsselung",
                list(ind.breakdowns),
                format_func=BREAKDOWN_LABELS.__getitem__,
                horizontal=True,
                key=bd_key,
            )
        else:
            breakdown = ind.breakdowns[0]
            st.caption(f"Aufschlüsselung: {BREAKDOWN_LABELS[breakdown]}")

    years = kreis_years(ind.id, breakdown)
    if years and st.session_state.get(year_key) not in years:
        st.session_state[year_key] = years[-1]
    units = [r.ags for r in store.regions.units()]
    if st.session_state.get(unit_key) not in [NO_UNIT, *units]:
        st.session_state[unit_key] = NO_UNIT
    low = st.columns([1, 2])
    with low[0]:
        if years:
            year = st.selectbox(
                "Jahr", years[::-1], key=year_key, help="Nur Jahre mit Werten der 15 Einheiten"
            )
        else:
            year = None
            st.selectbox("Jahr", ["–"], disabled=True, key=_key(theme, "jahr_leer"))
    with low[1]:
        names = {NO_UNIT: "– keine Auswahl –"} | {r.ags: r.name for r in store.regions.units()}
        unit = st.selectbox(
            "Kreis / kreisfreie Stadt",
            [NO_UNIT, *units],
            format_func=names.__getitem__,
            key=unit_key,
            help="Hebt die Einheit in Karte und Diagrammen hervor; auch per Klick in die Karte.",
        )

    query.show_notices()
    notice = st.session_state.pop(_key(theme, "_year_notice"), None)
    if notice:
        st.warning(f"{notice} Gezeigt wird {year if year else 'die Zeitreihe'}.", icon=":material/warning:")
    elsewhere = st.session_state.pop(_key(theme, "_elsewhere"), None)
    if elsewhere:
        other = store.catalogue[elsewhere]
        st.page_link(
            PAGE_FILES[other.theme],
            label=f"„{other.short}“ gehört zum Thema {store.catalogue.themes[other.theme]} – dorthin wechseln",
            icon=":material/arrow_forward:",
            query_params={"indikator": other.id},
        )
    view = View(theme, ind, breakdown, year, unit or None, tuple(years))
    _write_url(theme, view)
    return view


# --------------------------------------------------------------------------------------------- cached data


@st.cache_data(max_entries=512, show_spinner=False)
def _cross_section(indicator_id: str, year: int, breakdown: str) -> pd.DataFrame:
    return data.store().cross_section(indicator_id, year, breakdown)


@st.cache_data(max_entries=512, show_spinner=False)
def _references(indicator_id: str, year: int, breakdown: str) -> pd.DataFrame:
    return data.store().references(indicator_id, year, breakdown)


@st.cache_data(max_entries=256, show_spinner=False)
def _series(indicator_id: str, breakdown: str, with_references: bool) -> pd.DataFrame:
    store = data.store()
    regions = [r.ags for r in store.regions.units()] + (list(REFERENCES) if with_references else [])
    return store.series(indicator_id, regions, breakdown)


# Figures: st.cache_resource, not st.cache_data. cache_data would pickle the figure and rebuild
# (re-validate) it on every hit, which costs more than building it; st.plotly_chart only reads the
# figure (`to_dict` copies), so sharing one object between sessions is safe.


@st.cache_resource(max_entries=256, show_spinner=False)
def map_figure(indicator_id: str, breakdown: str, year: int, unit: str | None) -> go.Figure:
    ind = data.store().catalogue[indicator_id]
    cs = _cross_section(indicator_id, year, breakdown)
    values = pd.DataFrame(
        {
            "ags": cs["region"],
            "name": cs["name"],
            "value": cs["value"],
            "year": cs["year"],
            "source": cs["source_label"],
        }
    )
    return choropleth(
        values,
        title=charts.title_text(ind, breakdown, year),
        unit_label="" if ind.unit == "percent" else ind.unit_label,
        decimals=ind.decimals,
        polarity=ind.polarity,
        level="kreis",
        geojson_url=geometry.static_url("kreis"),
        highlight=unit,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def ranking_figure(
    indicator_id: str, breakdown: str, year: int, unit: str | None, compact: bool = False
) -> go.Figure:
    ind = data.store().catalogue[indicator_id]
    return charts.ranking(
        _cross_section(indicator_id, year, breakdown),
        _references(indicator_id, year, breakdown),
        ind,
        breakdown=breakdown,
        year=year,
        highlight=unit,
        compact=compact,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def series_figure(indicator_id: str, breakdown: str, unit: str | None) -> go.Figure:
    store = data.store()
    ind = store.catalogue[indicator_id]
    with_refs = not charts.is_count(ind) or not has_kreis_data(ind)
    units = [r.ags for r in store.regions.units()]
    return charts.time_series(
        _series(indicator_id, breakdown, with_refs),
        ind,
        breakdown=breakdown,
        breaks=data.breaks(),
        highlight=unit,
        background=units,
    )


@st.cache_resource(max_entries=256, show_spinner=False)
def comparison_figure(indicator_id: str, year: int, unit: str | None, compact: bool = False) -> go.Figure:
    ind = data.store().catalogue[indicator_id]
    with_refs = not charts.is_count(ind)
    return charts.nationality_comparison(
        _cross_section(indicator_id, year, "total"),
        _cross_section(indicator_id, year, "foreign"),
        ind,
        year=year,
        total_refs=_references(indicator_id, year, "total") if with_refs else None,
        foreign_refs=_references(indicator_id, year, "foreign") if with_refs else None,
        highlight=unit,
        compact=compact,
    )


def comparison_year(indicator: Indicator, year: int | None) -> int | None:
    """The year for the total-vs-foreigners chart: the chosen one if both have Kreis data, else the latest common."""
    if not {"total", "foreign"} <= set(indicator.breakdowns):
        return None
    common = sorted(set(kreis_years(indicator.id, "total")) & set(kreis_years(indicator.id, "foreign")))
    if not common:
        return None
    return year if year in common else common[-1]


# --------------------------------------------------------------------------------------------- figures


def _chart(fig: go.Figure, filename: str, key: str | None = None, **kwargs) -> None:
    st.plotly_chart(fig, key=key, config=charts.plotly_config(filename), width="stretch", **kwargs)


@st.cache_data(max_entries=1024, show_spinner=False)
def _unit_value(unit: str, indicator_id: str, year: int, breakdown: str) -> dict | None:
    """The unit's value, its quality and rank (None: no value)."""
    store = data.store()
    row = store.value(unit, indicator_id, year, breakdown)
    if row is None:
        return None
    return {
        "value": row["value"],
        "quality": row["quality"],
        "rank": store.rank(unit, indicator_id, year, breakdown),
    }


def unit_summary(view: View) -> None:
    """The selected unit's value, rank and the references, in words."""
    if view.unit is None or view.year is None:
        return
    store = data.store()
    ind = view.indicator
    row = _unit_value(view.unit, ind.id, view.year, view.breakdown)
    name = store.regions.name(view.unit)
    if row is None:
        st.info(f"{name}: keine Daten für {view.year}.")
        return
    ranked = row["rank"]
    refs = _references(ind.id, view.year, view.breakdown)
    parts = []
    if ranked:
        parts.append(ranked.text)
    if not charts.is_count(ind):
        parts += [f"{REF_LABELS[r['region']]}: {ind.format(r['value'])}" for _, r in refs.iterrows()]
    label = f"{name} · {BREAKDOWN_LABELS[view.breakdown]} · {view.year}"
    if row["quality"] == "secondary":
        label += " · Sekundärquelle"
    st.metric(label, ind.format(row["value"]))
    if parts:
        st.caption(" · ".join(parts))


def figures(view: View) -> list[pd.DataFrame]:
    """Map, ranking, time series and (where both exist) total vs. foreigners; returns the data shown."""
    ind, bd, year, unit = view.indicator, view.breakdown, view.year, view.unit
    shown: list[pd.DataFrame] = []
    if year is None:
        st.info(
            f"Für „{ind.title}“ gibt es keine Werte der 15 Kreise und kreisfreien Städte, "
            "daher keine Karte und keine Rangfolge. Gezeigt werden die Vergleichsgebiete (NRW, Deutschland).",
            icon=":material/info:",
        )
    else:
        unit_summary(view)
        st.subheader("Karte")
        _chart(
            map_figure(ind.id, bd, year, unit),
            charts.export_filename(ind, bd, year, "karte"),
            key=_key(view.theme, "karte"),
            on_select=lambda: _on_map_select(view.theme),
            selection_mode="points",
        )
        cs = _cross_section(ind.id, year, bd)
        refs = _references(ind.id, year, bd)
        source_line(cs, ind, map_shown=True)
        st.subheader("Rangfolge")
        _chart(ranking_figure(ind.id, bd, year, unit), charts.export_filename(ind, bd, year))
        source_line(pd.concat([cs, refs]), ind)
        coverage = int(cs["value"].notna().sum())
        if coverage < len(cs):
            st.caption(f"Werte für {coverage} von {len(cs)} Einheiten; die übrigen: keine Daten.")
        shown += [cs, refs]

    st.subheader("Zeitreihe")
    series = _series(ind.id, bd, not charts.is_count(ind) or year is None)
    _chart(series_figure(ind.id, bd, unit), charts.export_filename(ind, bd, kind="zeitreihe"))
    source_line(series, ind)
    breaks = breaks_for(data.breaks(), ind.id, bd)
    if breaks:
        st.caption(" · ".join(f"Bruch {b.between[0]}/{b.between[1]}: {b.detail}" for b in breaks))
    if charts.is_count(ind) and year is not None:
        st.caption(
            "Zählwerte: NRW und Deutschland sind hier keine Vergleichslinie (nur größer), siehe Rangfolge."
        )
    shown.append(series)

    cyear = comparison_year(ind, year)
    if cyear is not None:
        st.subheader("Insgesamt und Ausländer/-innen")
        _chart(
            comparison_figure(ind.id, cyear, unit),
            charts.export_filename(ind, "total_foreign", cyear, "vergleich"),
        )
        both = pd.concat(
            [_cross_section(ind.id, cyear, "total"), _cross_section(ind.id, cyear, "foreign")],
            ignore_index=True,
        )
        source_line(both, ind)
        if year is not None and cyear != year:
            st.caption(f"Für {year} liegen nicht beide Aufschlüsselungen vor; gezeigt wird {cyear}.")
    if ind.caveats:
        with st.expander("Hinweise zu diesem Indikator"):
            for caveat in ind.caveats:
                st.markdown(f"- {caveat}")
            st.markdown(f"[Definition und Quellen auf „Daten & Methodik“]({methodik_link(ind.id)})")
    return shown


def _tidy_frame(frames: list[pd.DataFrame], ind: Indicator, breakdown: str) -> pd.DataFrame:
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return frame
    frame = frame.assign(
        indicator=frame.get("indicator", pd.Series(index=frame.index, dtype=object)).fillna(ind.id),
        breakdown=frame.get("breakdown", pd.Series(index=frame.index, dtype=object)).fillna(breakdown),
        unit=frame.get("unit", pd.Series(index=frame.index, dtype=object)).fillna(ind.unit),
    )
    return frame.drop_duplicates(["region", "breakdown", "year"]).reset_index(drop=True)


def downloads(view: View, frames: list[pd.DataFrame]) -> None:
    """Download buttons for the data behind the view, and the "Link kopieren" popover."""
    if not any(len(f) for f in frames):
        return
    from integrationsregion.ui.downloads import download_buttons
    from integrationsregion.ui.share import share_link

    stem = charts.export_filename(view.indicator, view.breakdown, view.year)
    st.markdown("**Daten dieser Ansicht**")
    download_buttons(
        lambda: _tidy_frame(frames, view.indicator, view.breakdown),  # built only for a download
        stem,
        indicator=view.indicator.id,
        breakdown=view.breakdown,
        meta={
            "Ansicht": f"{view.indicator.title}, {BREAKDOWN_LABELS[view.breakdown]}, {view.year or 'Zeitreihe'}"
        },
        key=f"{view.theme}_daten",
    )
    share_link()


# --------------------------------------------------------------------------------------------- statements


def statements(view: View) -> None:
    """The conference statements on this theme, each with buttons to show its indicators."""
    store, conf = data.store(), data.conference()
    titles = {i.id: i.short for i in store.catalogue.all()}
    own = {i.id for i in indicator_options(view.theme)}
    st.subheader("Aussagen der Konferenz")
    st.caption("Sozialkonferenz Ruhr, 27.11.2019 – daneben die Zahlen, auf die sich die Aussagen beziehen.")
    for statement in conf.for_theme(view.theme):
        statement_card(statement, titles)
        for indicator_id in statement.indicators:
            if indicator_id not in store.catalogue:
                continue
            ind = store.catalogue[indicator_id]
            if indicator_id in own:
                st.button(
                    f"Zeigen: {ind.short}",
                    key=_key(view.theme, f"zeige:{statement.id}:{indicator_id}"),
                    on_click=switch_indicator,
                    args=(view.theme, indicator_id),
                    disabled=indicator_id == view.indicator.id,
                    icon=":material/bar_chart:",
                    width="stretch",
                )
            elif ind.theme in PAGE_FILES and ind.kind == "statistic":
                st.page_link(
                    PAGE_FILES[ind.theme],
                    label=f"{ind.short} ({store.catalogue.themes[ind.theme]})",
                    query_params={"indikator": indicator_id},
                    icon=":material/arrow_forward:",
                )


# --------------------------------------------------------------------------------------------- page


def page(theme: str, *, intro: str, default: str) -> View:
    """A whole theme page without the footer: title, pickers, figures beside the statements."""
    store = data.store()
    st.title(store.catalogue.themes[theme])
    st.write(intro)
    view = pickers(theme, default)
    main, side = st.columns([2.3, 1], gap="large")
    with main:
        frames = figures(view)
        downloads(view, frames)
    with side:
        statements(view)
    return view


def value_text(indicator: Indicator, value: float | None) -> str:
    return format_value(value, indicator.unit, indicator.decimals)


# --------------------------------------------------------------------------------------------- evidence


CONFERENCE_YEAR = 2019


def evidence(indicator_ids: tuple[str, ...]) -> list[tuple[str, str, str, int]]:
    """Small charts for a statement: (kind, indicator, breakdown, year).

    The first of its indicators with Kreis data as a ranking (latest year), and the first with both
    breakdowns as "insgesamt vs. Ausländer/-innen" (conference year if both exist then, else the latest).
    """
    store = data.store()
    out: list[tuple[str, str, str, int]] = []
    inds = [store.catalogue[i] for i in indicator_ids if i in store.catalogue]
    for ind in inds:
        if ind.kind == "statistic" and has_kreis_data(ind):
            bd = default_breakdown(ind)
            out.append(("ranking", ind.id, bd, kreis_years(ind.id, bd)[-1]))
            break
    for ind in inds:
        year = comparison_year(ind, CONFERENCE_YEAR)
        if year is not None:
            out.append(("comparison", ind.id, "total", year))
            break
    return out


def evidence_chart(kind: str, indicator_id: str, breakdown: str, year: int, key: str) -> None:
    """One small evidence chart with its source line and a link to the theme page showing it."""
    store = data.store()
    ind = store.catalogue[indicator_id]
    if kind == "ranking":
        fig = ranking_figure(indicator_id, breakdown, year, None, compact=True)
        rows = pd.concat(
            [_cross_section(indicator_id, year, breakdown), _references(indicator_id, year, breakdown)]
        )
        filename = charts.export_filename(ind, breakdown, year)
    else:
        fig = comparison_figure(indicator_id, year, None, compact=True)
        rows = pd.concat(
            [_cross_section(indicator_id, year, "total"), _cross_section(indicator_id, year, "foreign")]
        )
        filename = charts.export_filename(ind, "total_foreign", year, "vergleich")
    _chart(fig, filename, key=key)
    source_line(rows, ind)
    if ind.theme in PAGE_FILES:
        params = {"indikator": indicator_id, "jahr": str(year)}
        if len(ind.breakdowns) > 1:
            params["aufschluesselung"] = "foreign" if kind == "comparison" else breakdown
        st.page_link(
            PAGE_FILES[ind.theme],
            label=f"Mehr dazu: {store.catalogue.themes[ind.theme]}",
            query_params=params,
            icon=":material/arrow_forward:",
        )
