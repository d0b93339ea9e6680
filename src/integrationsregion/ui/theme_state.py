"""The state of a theme page: its pickers and their two-way sync with the URL.

The view lives in the URL (`indikator`, `aufschluesselung`, `jahr`, `einheit`, and `diagramm` for the chart
tab shown): a shared link restores it, a bad value gives a German notice and the default view (parsers in
`urlparams`).
"""

from __future__ import annotations

import streamlit as st

from integrationsregion import navigation, urlparams
from integrationsregion.catalogue import breakdown_label
from integrationsregion.ui import data, query
from integrationsregion.views import theme as model
from integrationsregion.views.theme import View

NO_UNIT = ""
PARAMS = ("indikator", "aufschluesselung", "jahr", "einheit")
# the chart tabs of a theme page: URL value -> tab label; only the open tab's figure is built and sent
CHARTS = {
    "karte": "Karte",
    "rangfolge": "Rangfolge",
    "zeitreihe": "Zeitreihe",
    "vergleich": "Insgesamt/Ausländer",
}
DEFAULT_CHART = "karte"


def key(theme: str, name: str) -> str:
    return f"{theme}:{name}"


def _apply_url(theme: str, ids: list[str], default: str) -> None:
    """Put URL parameters that changed since we last wrote them into the widget state (validated)."""
    store = data.store()
    written = st.session_state.get(key(theme, "_written"), {})
    url = {p: st.query_params.get(p) for p in (*PARAMS, "diagramm")}
    changed = {p: v for p, v in url.items() if v is not None and v != written.get(p)}
    ind_key, bd_key, year_key, unit_key = (key(theme, p) for p in PARAMS)

    if "indikator" in changed:
        raw = changed["indikator"]
        other = store.catalogue[raw] if raw in store.catalogue and raw not in ids else None
        if other is not None and other.theme in navigation.theme_pages():
            st.session_state[key(theme, "_elsewhere")] = raw
        chosen = query.choice("indikator", ids, st.session_state.get(ind_key, default))
        if chosen != st.session_state.get(ind_key):
            st.session_state[ind_key] = chosen
            st.session_state.pop(bd_key, None)
            st.session_state.pop(year_key, None)
            # the link's breakdown and year belong to its indicator, even where they equal the last view's
            changed |= {p: url[p] for p in ("aufschluesselung", "jahr") if url[p] is not None}
    ind = store.catalogue[st.session_state.get(ind_key, default)]
    if "aufschluesselung" in changed:
        st.session_state[bd_key] = query.choice(
            "aufschluesselung",
            list(ind.breakdowns),
            st.session_state.get(bd_key, model.default_breakdown(store, ind)),
        )
        if "jahr" not in changed:
            st.session_state.pop(year_key, None)
    bd = st.session_state.get(bd_key, model.default_breakdown(store, ind))
    if "jahr" in changed:
        raw = changed["jahr"]
        years = store.years(ind.id, bd)
        if urlparams.YEAR.fullmatch(raw) and int(raw) not in years:
            st.session_state[key(theme, "_year_notice")] = model.year_notice(ind, bd, raw, years)
        elif years:
            st.session_state[year_key] = query.year("jahr", years, years[-1])
    if "einheit" in changed:
        units = [r.ags for r in store.regions.units()]
        st.session_state[unit_key] = query.choice("einheit", [NO_UNIT, *units], NO_UNIT)
    if "diagramm" in changed:
        show_chart(theme, query.choice("diagramm", list(CHARTS), DEFAULT_CHART))


def shown_chart(theme: str) -> str:
    """The URL value of the chart tab that is open (the tab widget's state holds its label)."""
    label = st.session_state.get(key(theme, "diagramm"), CHARTS[DEFAULT_CHART])
    return next((slug for slug, text in CHARTS.items() if text == label), DEFAULT_CHART)


def show_chart(theme: str, slug: str) -> None:
    """Open the chart tab `slug` (call before the tabs are drawn in this run, or from a callback)."""
    st.session_state[key(theme, "diagramm")] = CHARTS[slug]


def _write_url(view: View) -> None:
    params = {
        "indikator": view.indicator.id,
        "aufschluesselung": view.breakdown if len(view.indicator.breakdowns) > 1 else None,
        "jahr": view.year,
        "einheit": view.unit or None,
        "diagramm": None if view.chart == DEFAULT_CHART else view.chart,
    }
    query.write(**params)
    st.session_state[key(view.theme, "_written")] = {k: str(v) for k, v in params.items() if v is not None}


def switch_indicator(theme: str, indicator_id: str) -> None:
    """Button callback: show another indicator of this page (breakdown and year back to defaults) and bring
    its chart into view."""
    st.session_state[key(theme, "indikator")] = indicator_id
    st.session_state[key(theme, "_reveal")] = True
    st.session_state.pop(key(theme, "aufschluesselung"), None)
    st.session_state.pop(key(theme, "jahr"), None)


def on_map_select(theme: str) -> None:
    """Map click: the clicked unit becomes the selected unit (clicking it again keeps it)."""
    event = st.session_state.get(key(theme, "karte"))
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    units = {r.ags for r in data.store().regions.units()}
    for point in points:
        ags = point.get("location")
        if ags in units:
            st.session_state[key(theme, "einheit")] = ags
            return


def pickers(theme: str, default: str) -> View:
    """Indicator, breakdown, year and unit pickers; returns the view (and writes it to the URL)."""
    store = data.store()
    options = model.indicator_options(store, theme)
    ids = [i.id for i in options]
    default = model.default_indicator(store, theme, default)
    _apply_url(theme, ids, default)
    ind_key, bd_key, year_key, unit_key = (key(theme, p) for p in PARAMS)
    if st.session_state.get(ind_key) not in ids:
        st.session_state[ind_key] = default

    labels = {i.id: model.option_label(store, i) for i in options}
    # The indicator on a row of its own: a select box cannot wrap, and the full titles are long.
    indicator_id = st.selectbox("Indikator", ids, format_func=labels.__getitem__, key=ind_key)
    row = st.columns([2, 1, 2])
    ind = store.catalogue[indicator_id]
    if st.session_state.get(bd_key) not in ind.breakdowns:
        st.session_state[bd_key] = model.default_breakdown(store, ind)
    if len(ind.breakdowns) > 1:
        breakdown = row[0].radio(
            "Aufschlüsselung",
            list(ind.breakdowns),
            format_func=breakdown_label,
            horizontal=True,
            key=bd_key,
        )
    else:
        breakdown = ind.breakdowns[0]
        row[0].caption(f"Aufschlüsselung: {breakdown_label(breakdown)}")

    years = store.years(ind.id, breakdown)
    if years and st.session_state.get(year_key) not in years:
        st.session_state[year_key] = years[-1]
    units = [r.ags for r in store.regions.units()]
    if st.session_state.get(unit_key) not in [NO_UNIT, *units]:
        st.session_state[unit_key] = NO_UNIT
    if years:
        year = row[1].selectbox(
            "Jahr", years[::-1], key=year_key, help="Nur Jahre mit Werten der 15 Einheiten"
        )
    else:
        year = None
        row[1].selectbox("Jahr", ["–"], disabled=True, key=key(theme, "jahr_leer"))
    names = {NO_UNIT: "– keine Auswahl –"} | {r.ags: r.name for r in store.regions.units()}
    unit = row[2].selectbox(
        "Kreis / kreisfreie Stadt",
        [NO_UNIT, *units],
        format_func=names.__getitem__,
        key=unit_key,
        help="Hebt die Einheit in Karte und Diagrammen hervor; auch per Klick in die Karte.",
    )

    query.show_notices()
    notice = st.session_state.pop(key(theme, "_year_notice"), None)
    if notice:
        st.warning(f"{notice} Gezeigt wird {year if year else 'die Zeitreihe'}.", icon=":material/warning:")
    elsewhere = st.session_state.pop(key(theme, "_elsewhere"), None)
    if elsewhere:
        other = store.catalogue[elsewhere]
        st.page_link(
            navigation.theme_pages()[other.theme].script,
            label=f"„{other.short}“ gehört zum Thema {store.catalogue.themes[other.theme]} – dorthin wechseln",
            icon=":material/arrow_forward:",
            query_params={"indikator": other.id},
        )
    chart = shown_chart(theme)
    empty = (year is None and chart in ("karte", "rangfolge")) or (
        chart == "vergleich" and model.comparison_year(store, ind, year) is None
    )
    if empty and st.session_state.get(key(theme, "_charted")) != (ind.id, breakdown):
        chart = "zeitreihe"  # a new indicator without this chart: open one it has (a click on the tab stays)
        show_chart(theme, chart)
    st.session_state[key(theme, "_charted")] = (ind.id, breakdown)
    view = View(theme, ind, breakdown, year, unit or None, tuple(years), chart)
    _write_url(view)
    return view
