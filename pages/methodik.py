"""Daten & Methodik: catalogue, one indicator's full entry, coverage, provenance, licences, refresh."""

import streamlit as st

from integrationsregion.catalogue import breakdown_label
from integrationsregion.formatting import NO_DATA
from integrationsregion.ui import data, query
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer
from integrationsregion.ui.share import share_link
from integrationsregion.views import methodik as model

store, conf = data.store(), data.conference()
names = model.area_names(store)


@st.cache_data(show_spinner=False)
def cached(question: str, *args: str):
    """The snapshot does not change while the process runs: each table is built once."""
    return getattr(model, question)(store, *args)


ids = [i.id for i in store.catalogue.all()]
query.ignore_unknown()
query.seed("mt_indikator", "indikator", query.choice("indikator", ids, ids[0]))
st.title("Daten & Methodik")
st.caption(model.INTRO)
notice_slot = st.container()

st.subheader("Indikatorenkatalog")
table = cached("catalogue_table")
text = st.text_input(
    "Suche in Titel, Definition, Tabellencode und Quelle",
    placeholder="z. B. Arbeitslosenquote, 13211, Duldung",
    max_chars=100,
)
found = model.search(table, text)
st.caption(f"{len(found)} von {len(table)} Indikatoren.")
st.dataframe(
    found,
    hide_index=True,
    width="stretch",
    height=min(38 + 84 * max(len(found), 1), 600),
    row_height=84,  # the grid wraps long definitions only in rows taller than 64 px
    column_order=model.CATALOGUE_COLUMNS,
    column_config={
        "Indikator": st.column_config.TextColumn(width="medium", pinned=True),
        "Definition": st.column_config.TextColumn(width="large"),
        "Hinweise": st.column_config.TextColumn(width="large"),
        "Link": st.column_config.LinkColumn("Amtliche Tabelle", display_text="öffnen"),
    },
)
download_buttons(found, "Indikatorenkatalog", key="katalog", meta={"Titel": "Indikatorenkatalog"})

st.subheader("Eintrag")
indicator_id = st.selectbox(
    "Indikator",
    model.entry_choices(list(found["id"]), ids, st.session_state["mt_indikator"]),
    format_func=lambda i: store.catalogue[i].title,
    key="mt_indikator",
    on_change=query.drop,
    kwargs={"aufschluesselung": "mt_aufschluesselung", "einheit": "mt_einheit", "jahr": "mt_jahr"},
)
query.keep("mt_indikator", indikator=indicator_id)
ind = store.catalogue[indicator_id]
with st.container(border=True):
    st.markdown(model.entry(store, conf, ind))
    if ind.kind in model.KIND_NOTES:
        st.caption(model.KIND_NOTES[ind.kind])

breakdowns = model.breakdowns_with_data(store, ind)
if breakdowns:
    st.markdown("#### Datenlage: Gebiete × Jahre")
    breakdown = query.bound(
        st.radio,
        "Aufschlüsselung",
        breakdowns,
        param="aufschluesselung",
        key="mt_aufschluesselung",
        default=breakdowns[0],
        format_func=breakdown_label,
        horizontal=True,
        on_change=query.drop,
        kwargs={"einheit": "mt_einheit", "jahr": "mt_jahr"},
    )
    grid = cached("coverage_grid", ind.id, breakdown)
    st.dataframe(grid, width="stretch", height=38 + 35 * len(grid))
    st.caption(model.COVERAGE_LEGEND)

    st.markdown("#### Herkunft eines Wertes")
    with_data = model.regions_with_data(store, ind.id, breakdown)
    left, right = st.columns(2)
    region = query.bound(
        left.selectbox,
        "Gebiet",
        with_data,
        param="einheit",
        key="mt_einheit",
        default=with_data[0],
        format_func=names.get,
        on_change=query.drop,
        kwargs={"jahr": "mt_jahr"},
    )
    years = model.years_of(store, ind.id, breakdown, region)
    year = query.bound(
        right.selectbox, "Jahr", years, param="jahr", key="mt_jahr", default=years[-1], is_year=True
    )
    found_value = model.provenance(store, ind, breakdown, region, year)
    if found_value is None:
        st.info(NO_DATA)
    else:
        heading, facts = found_value
        st.markdown(heading)
        st.table(facts, hide_index=True, border="horizontal")  # long texts wrap
        download_buttons(
            model.value_rows(store, ind.id, breakdown, region, year),
            f"Herkunft {ind.short} {names[region]} {year}",
            key="herkunft",
        )
else:
    st.info("Für diesen Indikator gibt es im Datenbestand keine Werte.")

with notice_slot:
    query.show_notices()  # after all parameters were read
    share_link()

st.subheader("Datenlage aller Indikatoren")
st.caption(model.COVERAGE_OVERVIEW_NOTE)
st.dataframe(
    cached("coverage_overview"),
    hide_index=True,
    width="stretch",
    column_config={"Indikator": st.column_config.TextColumn(width="large", pinned=True)},
)

st.subheader("Lizenzen und Namensnennung")
st.caption(model.LICENCE_NOTE)
st.table(cached("licence_lines"), hide_index=True, border="horizontal")
st.markdown(model.MAP_NOTE)

st.subheader("Aktualisierung")
st.markdown(model.REFRESH_NOTE)
st.dataframe(
    model.vintages(store.manifest),
    hide_index=True,
    width="stretch",
    column_config={
        "Quelle": st.column_config.TextColumn(width="large"),
        "Stand der Tabelle": st.column_config.DateColumn(format="DD.MM.YYYY"),
    },
)
st.caption(model.snapshot_line(store.manifest))
st.markdown(model.MANUAL_NOTE)
st.table(cached("manual_refresh"), hide_index=True, border="horizontal")
footer()
