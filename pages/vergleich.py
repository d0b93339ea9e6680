"""Vergleich: one unit against up to five peers, Ruhr, NRW and Germany – table and charts."""

import streamlit as st

from integrationsregion import compare
from integrationsregion.catalogue import breakdown_label
from integrationsregion.ui import data, query, tables
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer
from integrationsregion.ui.links import methodik_link
from integrationsregion.ui.share import share_link
from integrationsregion.ui.vergleich_state import chart, default_peers, main_changed, reset_peers, table
from integrationsregion.views import vergleich as model

store = data.store()
areas = model.areas(store)


query.ignore_unknown()
query.seed("vg_einheit", "einheit", query.choice("einheit", areas, areas[0]))
st.title("Vergleich")
st.caption(
    "Eine Einheit neben bis zu fünf Vergleichseinheiten sowie Ruhr, NRW und Deutschland – "
    "alle Indikatoren als Tabelle, ausgewählte Indikatoren als Diagramm."
)


@st.fragment
def comparison() -> None:
    """Pickers, charts, table and downloads: a picker reruns only this section (the link sits inside it)."""
    link_slot = st.container()
    left, right = st.columns([1, 2])
    unit = left.selectbox(
        "Einheit",
        areas,
        format_func=lambda a: model.area_label(store, a),
        key="vg_einheit",
        on_change=reset_peers,
    )
    query.keep("vg_einheit", einheit=unit)
    level = model.level(store, unit)
    choice = default_peers(unit) if level == "kreis" else None
    candidates = model.candidates(store, unit)
    default_chosen = choice.peers if choice else model.gemeinde_peers(store, unit)
    query.seed(
        "vg_vergleich", "vergleich", query.choices("vergleich", candidates, default_chosen, model.MAX_PEERS)
    )
    chosen = right.multiselect(
        f"Vergleichseinheiten (bis zu {model.MAX_PEERS})",
        candidates,
        format_func=lambda a: model.area_label(store, a),
        max_selections=model.MAX_PEERS,
        key="vg_vergleich",
    )
    query.keep("vg_vergleich", vergleich=chosen)
    if choice is not None:
        st.caption(model.peer_note(store, unit, choice, chosen))
    else:
        st.warning(model.GEMEINDE_NOTE, icon=":material/history:")
    units = [unit, *chosen]
    indicator_ids = model.indicator_ids(store, level)

    st.subheader("Diagramme")
    main_default = model.default_indicator(store, level)
    picked = query.choices("indikator", indicator_ids, [main_default], model.MAX_INDICATORS) or [main_default]
    query.seed("vg_indikator", "indikator", picked)
    c1, c2, c3 = st.columns([3, 2, 1])
    picked = c1.multiselect(
        f"Indikatoren (bis zu {model.MAX_INDICATORS})",
        indicator_ids,
        format_func=lambda i: store.catalogue[i].title,
        max_selections=model.MAX_INDICATORS,
        key="vg_indikator",
        on_change=main_changed,
    )
    query.keep("vg_indikator", indikator=picked)
    charts = []
    if picked:
        options = model.breakdowns(store, picked[0], level)
        breakdown = query.bound(
            c2.selectbox,
            "Aufschlüsselung",
            options,
            param="aufschluesselung",
            key="vg_aufschluesselung",
            default=model.default_breakdown(options),
            format_func=breakdown_label,
            on_change=query.drop,
            kwargs={"jahr": "vg_jahr"},
        )
        years = store.years(picked[0], breakdown, level=level)
        latest = compare.comparison_year(store, picked[0], breakdown, units) or years[-1]
        year = query.bound(
            c3.selectbox, "Jahr", years, param="jahr", key="vg_jahr", default=latest, is_year=True
        )
        charts = model.overrides(store, picked, breakdown, year, units)
    else:
        query.write(aufschluesselung=None, jahr=None)
        st.info("Keinen Indikator gewählt – oben einen oder mehrere Indikatoren für Diagramme auswählen.")

    with link_slot:
        query.show_notices()  # after all parameters were read
        share_link()  # after all widgets: the link carries the complete state

    for indicator_id, breakdown_id, year_id in charts:
        shown = chart(indicator_id, breakdown_id, year_id, tuple(units))
        st.markdown(f"**{shown.heading}**")
        st.plotly_chart(shown.figure, width="stretch", config={"displayModeBar": False})
        st.caption(f"{shown.source} · [Definition und Tabelle]({methodik_link(indicator_id)})")
        st.caption(model.LEGEND)

    st.subheader("Alle Indikatoren im Vergleich")
    st.caption(model.TABLE_NOTE)
    result = table(tuple(units), tuple(charts))
    tables.comparison(result, model.cards(result))

    st.markdown("#### Daten herunterladen")
    download_buttons(
        lambda: model.long_rows(store, units, charts),
        model.file_title(store, unit, [int(y) for y in result.frame["Jahr"]]),
        meta=model.download_meta(store, unit, chosen),
    )


comparison()
footer()
