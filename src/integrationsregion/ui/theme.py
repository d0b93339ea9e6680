"""Theme pages (Bildung, Arbeitsmarkt, Geduldete): layout of pickers, figures and conference statements.

A page calls `page(theme, intro=..., default=...)` and gets the chosen `View` back for extra sections.
Figures come from `views.theme` and are cached per (indicator, breakdown, year, unit), shared by all
sessions;.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from integrationsregion import formatting as fmt
from integrationsregion import geometry, navigation
from integrationsregion.breaks import breaks_for
from integrationsregion.figures import charts
from integrationsregion.ui import data
from integrationsregion.ui.chart_table import chart_table
from integrationsregion.ui.layout import source_line, statement_card
from integrationsregion.ui.links import methodik_link
from integrationsregion.ui.theme_state import CHARTS, key, on_map_select, pickers, switch_indicator
from integrationsregion.views import theme as model
from integrationsregion.views.theme import View

__all__ = ["View", "evidence", "evidence_chart", "page"]

# scrolls the chart tabs into view (after a button elsewhere on the page changed the chart)
REVEAL_CHART = """<script>{
  const tabs = document.querySelector("[data-testid='stMain'] [data-testid='stTabs']");
  if (tabs) {
    tabs.style.scrollMarginTop = "4rem";  // below Streamlit's header
    tabs.scrollIntoView({behavior: "smooth", block: "start"});
  }
}</script>"""


# --------------------------------------------------------------------------------------------- cached data
# Data: st.cache_data (a copy per run). Figures: st.cache_resource – cache_data would pickle the figure
# and rebuild it on every hit; st.plotly_chart only reads a figure, so one object can be shared.


@st.cache_data(max_entries=512, show_spinner=False)
def _cross_section(indicator_id: str, year: int, breakdown: str) -> pd.DataFrame:
    return data.store().cross_section(indicator_id, year, breakdown)


@st.cache_data(max_entries=512, show_spinner=False)
def _references(indicator_id: str, year: int, breakdown: str) -> pd.DataFrame:
    store = data.store()
    return model.references_for(store, store.catalogue[indicator_id], year, breakdown)


@st.cache_data(max_entries=256, show_spinner=False)
def _series(indicator_id: str, breakdown: str) -> pd.DataFrame:
    store = data.store()
    return store.series(indicator_id, model.series_regions(store, store.catalogue[indicator_id]), breakdown)


@st.cache_resource(max_entries=256, show_spinner=False)
def map_figure(indicator_id: str, breakdown: str, year: int, unit: str | None) -> go.Figure:
    return model.map_figure(data.store(), indicator_id, breakdown, year, unit, geometry.static_url("kreis"))


@st.cache_resource(max_entries=64, show_spinner=False)
def gemeinde_map_figure(indicator_id: str, breakdown: str, year: int) -> go.Figure:
    store = data.store()
    return model.gemeinde_map_figure(store, indicator_id, breakdown, year, geometry.static_url("gemeinde"))


@st.cache_resource(max_entries=256, show_spinner=False)
def ranking_figure(
    indicator_id: str, breakdown: str, year: int, unit: str | None, compact: bool = False
) -> go.Figure:
    return model.ranking_figure(data.store(), indicator_id, breakdown, year, unit, compact)


@st.cache_resource(max_entries=256, show_spinner=False)
def series_figure(indicator_id: str, breakdown: str, unit: str | None) -> go.Figure:
    return model.series_figure(data.store(), indicator_id, breakdown, unit, data.breaks())


@st.cache_resource(max_entries=256, show_spinner=False)
def comparison_figure(indicator_id: str, year: int, unit: str | None, compact: bool = False) -> go.Figure:
    return model.comparison_figure(data.store(), indicator_id, year, unit, compact)


def _chart(fig: go.Figure, filename: str, table_key: str, chart_key: str | None = None, **kwargs) -> None:
    st.plotly_chart(fig, key=chart_key, config=charts.plotly_config(filename), width="stretch", **kwargs)
    chart_table(fig, table_key)  # the same data as a table: reachable by keyboard, read by screen readers


# --------------------------------------------------------------------------------------------- figures


def figures(view: View) -> list[pd.DataFrame]:
    """Map, ranking, time series and total vs. foreigners in tabs; only the open tab's figure is built and
    sent (a tab switch reruns this section). Returns the data of the view, whichever tab is open."""
    store = data.store()
    ind, bd, year = view.indicator, view.breakdown, view.year
    if year is None:
        st.info(
            f"Für „{ind.title}“ gibt es keine Werte der 15 Kreise und kreisfreien Städte, "
            "daher keine Karte und keine Rangfolge. Gezeigt werden die Vergleichsgebiete (NRW, Deutschland).",
            icon=":material/info:",
        )
    else:
        rate = model.rate_for(store, ind, bd) if ind.is_count else None
        if rate is not None:
            st.button(
                f"Vergleichbar: {rate.title} zeigen",
                key=key(view.theme, f"rate:{rate.id}"),
                on_click=switch_indicator,
                args=(view.theme, rate.id),
                icon=":material/percent:",
                help="Zählwerte großer und kleiner Städte sind nicht vergleichbar; die Quote ist es.",
            )
        summary = model.unit_summary(store, view)
        if summary is not None:
            st.metric(summary.label, summary.value)
            if summary.caption:
                st.caption(summary.caption)
    tabs = st.tabs(list(CHARTS.values()), key=key(view.theme, "diagramm"), on_change="rerun")
    draw = {
        "karte": _map_tab,
        "rangfolge": _ranking_tab,
        "zeitreihe": _series_tab,
        "vergleich": _comparison_tab,
    }
    for slug, tab in zip(CHARTS, tabs, strict=True):
        if tab.open:
            with tab:
                draw[slug](view)
    if st.session_state.pop(key(view.theme, "_reveal"), False):  # a "Zeigen" button far below the chart
        st.html(REVEAL_CHART, unsafe_allow_javascript=True)
    if ind.caveats:
        with st.expander("Hinweise zu diesem Indikator"):
            st.markdown("\n".join(f"- {c}" for c in ind.caveats))
            st.markdown(f"[Definition und Quellen auf „Daten & Methodik“]({methodik_link(ind.id)})")
    cross = [] if year is None else [_cross_section(ind.id, year, bd), _references(ind.id, year, bd)]
    return [*cross, _series(ind.id, bd)]


def _no_kreis_values(view: View, what: str) -> None:
    st.caption(
        f"Keine {what}: für „{view.indicator.title}“ gibt es keine Werte der 15 Kreise und kreisfreien Städte."
    )


def _map_tab(view: View) -> None:
    ind, bd, year, unit = view.indicator, view.breakdown, view.year, view.unit
    if year is None:
        _no_kreis_values(view, "Karte")
        return
    _chart(
        map_figure(ind.id, bd, year, unit),
        charts.export_filename(ind, bd, year, "karte"),
        key(view.theme, "tabelle:karte"),
        chart_key=key(view.theme, "karte"),
        on_select=lambda: on_map_select(view.theme),
        selection_mode="points",
    )
    source_line(_cross_section(ind.id, year, bd), ind, map_shown=True)
    _gemeinde_map(view)


def _ranking_tab(view: View) -> None:
    ind, bd, year = view.indicator, view.breakdown, view.year
    if year is None:
        _no_kreis_values(view, "Rangfolge")
        return
    _chart(
        ranking_figure(ind.id, bd, year, view.unit),
        charts.export_filename(ind, bd, year),
        key(view.theme, "tabelle:rangfolge"),
    )
    cs, refs = _cross_section(ind.id, year, bd), _references(ind.id, year, bd)
    source_line(pd.concat([cs, refs]), ind)
    notes = [model.coverage_note(cs), model.missing_references_note(data.store().regions, ind, refs, year)]
    if any(notes):
        st.caption(" ".join(n for n in notes if n))


def _series_tab(view: View) -> None:
    ind, bd = view.indicator, view.breakdown
    _chart(
        series_figure(ind.id, bd, view.unit),
        charts.export_filename(ind, bd, kind="zeitreihe"),
        key(view.theme, "tabelle:zeitreihe"),
    )
    source_line(_series(ind.id, bd), ind)
    breaks = breaks_for(data.breaks(), ind.id, bd)
    if breaks:
        st.caption(" · ".join(f"Bruch {b.between[0]}/{b.between[1]}: {b.detail}" for b in breaks))


def _comparison_tab(view: View) -> None:
    ind, year = view.indicator, view.year
    cyear = model.comparison_year(data.store(), ind, year)
    if cyear is None:
        st.caption(f"„{ind.title}“ gibt es nicht zugleich insgesamt und für Ausländer/-innen.")
        return
    _chart(
        comparison_figure(ind.id, cyear, view.unit),
        charts.export_filename(ind, "total_foreign", cyear, "vergleich"),
        key(view.theme, "tabelle:vergleich"),
    )
    both = pd.concat([_cross_section(ind.id, cyear, "total"), _cross_section(ind.id, cyear, "foreign")])
    source_line(both, ind)
    if year is not None and cyear != year:
        st.caption(f"Für {year} liegen nicht beide Aufschlüsselungen vor; gezeigt wird {cyear}.")


def _gemeinde_map(view: View) -> None:
    """The Gemeinde map, on request, where the indicator has Gemeinde values (older years only)."""
    years = model.gemeinde_years(data.store(), view.indicator, view.breakdown)
    if not years:
        return
    label = f"Gemeindekarte zeigen (53 Städte und Gemeinden, Werte {fmt.years_list(years)} – alte Zahlen)"
    if not st.toggle(label, key=key(view.theme, "gemeindekarte")):
        return
    year = years[-1]
    ind = view.indicator
    _chart(
        gemeinde_map_figure(ind.id, view.breakdown, year),
        charts.export_filename(ind, view.breakdown, year, "gemeindekarte"),
        key(view.theme, "tabelle:gemeindekarte"),
    )
    st.caption(
        f"Stand {year}: die jüngsten Werte auf Gemeindeebene. Die elf kreisfreien Städte sind zugleich "
        "Gemeinden und zeigen ihren Stadtwert."
    )


def downloads(view: View, frames: list[pd.DataFrame]) -> None:
    """Download buttons for the data behind the view, and the "Link kopieren" button."""
    if not any(len(f) for f in frames):
        return
    from integrationsregion.ui.downloads import download_buttons
    from integrationsregion.ui.share import share_link

    st.markdown("**Daten dieser Ansicht**")
    download_buttons(
        lambda: model.tidy_frame(frames, view.indicator, view.breakdown),  # built only for a download
        model.download_title(view, frames),
        indicator=view.indicator.id,
        breakdown=view.breakdown,
        meta={"Ansicht": f"{view.indicator.title}, {view.year or 'Zeitreihe'}"},
        key=f"{view.theme}_daten",
    )
    share_link()


# --------------------------------------------------------------------------------------------- statements


def statements(view: View) -> None:
    """The conference statements on this theme, each with buttons to show its indicators."""
    store, conf = data.store(), data.conference()
    titles = {i.id: i.short for i in store.catalogue.all()}
    own = {i.id for i in model.indicator_options(store, view.theme)}
    pages = navigation.theme_pages()
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
                    key=key(view.theme, f"zeige:{statement.id}:{indicator_id}"),
                    on_click=switch_indicator,
                    args=(view.theme, indicator_id),
                    disabled=indicator_id == view.indicator.id,
                    icon=":material/bar_chart:",
                    width="stretch",
                )
            elif ind.theme in pages and ind.kind == "statistic":
                st.page_link(
                    pages[ind.theme].script,
                    label=f"{ind.short} ({store.catalogue.themes[ind.theme]})",
                    query_params={"indikator": indicator_id},
                    icon=":material/arrow_forward:",
                )


# --------------------------------------------------------------------------------------------- page


def page(theme: str, *, intro: str, default: str, extra: Callable[[View], None] | None = None) -> None:
    """A whole theme page without the footer: title, then pickers and figures beside the statements.

    Pickers, figures, downloads and `extra` (e.g. the cost estimate) form one fragment: a picker reruns
    only that column, not the statements beside it.
    """
    store = data.store()
    st.title(store.catalogue.themes[theme])
    st.write(intro)
    main, side = st.columns([2.3, 1], gap="large")
    with main:
        view = _view_section(theme, default, extra)
    with side:
        statements(view)


@st.fragment
def _view_section(theme: str, default: str, extra: Callable[[View], None] | None) -> View:
    view = pickers(theme, default)
    frames = figures(view)
    downloads(view, frames)
    if extra is not None:
        extra(view)
    return view


# --------------------------------------------------------------------------------------------- evidence


def evidence(indicator_ids: tuple[str, ...]) -> list[tuple[str, str, str, int]]:
    return model.evidence(data.store(), indicator_ids)


def evidence_chart(kind: str, indicator_id: str, breakdown: str, year: int, chart_key: str) -> None:
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
    _chart(fig, filename, f"{chart_key}:tabelle", chart_key=chart_key)
    source_line(rows, ind)
    pages = navigation.theme_pages()
    if ind.theme in pages:
        params = {"indikator": indicator_id, "jahr": str(year)}
        if len(ind.breakdowns) > 1:
            params["aufschluesselung"] = "foreign" if kind == "comparison" else breakdown
        st.page_link(
            pages[ind.theme].script,
            label=f"Mehr dazu: {store.catalogue.themes[ind.theme]}",
            query_params=params,
            icon=":material/arrow_forward:",
        )
