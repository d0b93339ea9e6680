"""Start / Konferenz: the conference, its statements and the region at a glance."""

import streamlit as st

from integrationsregion.catalogue import format_number
from integrationsregion.ui import data
from integrationsregion.ui.layout import footer, statement_card

store, conf = data.store(), data.conference()
facts = conf.facts

st.title("Integrationsregion Ruhr")
st.markdown(f"#### {facts['theme']}")
st.write(
    "Amtliche Zahlen zu Bildung, Arbeitsmarkt und den Kosten für Geduldete in den 15 Kreisen und "
    "kreisfreien Städten des Regionalverbands Ruhr – neben den Aussagen der Sozialkonferenz Ruhr 2019."
)

left, right = st.columns([2, 1])
with left:
    st.subheader(facts["title"])
    day = ".".join(reversed(facts["date"].split("-")))
    st.markdown(
        f"**Datum:** {day}, {facts['time']}  \n**Ort:** {facts['venue']}  \n"
        f"**Veranstalter:** {facts['organiser']}  \n**Reihe:** {facts['edition']}"
    )
    st.write(facts["summary"])
    with st.expander("Programm"):
        for item in conf.programme:
            st.markdown(f"**{item['title']}**  \n" + "; ".join(item["speakers"]))
    st.caption(f"Quelle: [Regionalverband Ruhr]({facts['source_url']})")
with right:
    st.subheader("Die Region")
    units = store.regions.units()
    st.metric("Kreise und kreisfreie Städte", len(units))
    st.metric("Städte und Gemeinden", len(store.regions.municipalities()))
    pop_years = store.years("population")
    latest = pop_years[-1]
    pop = store.cross_section("population", latest)
    if pop["value"].notna().all():
        st.metric(f"Einwohner 31.12.{latest}", format_number(pop["value"].sum(), 0))
        st.caption(f"Summe der 15 Einheiten, {sorted(set(pop['source_label']))[0]}")

st.subheader("Aussagen der Konferenz")
titles = {i.id: i.short for i in store.catalogue.all()}
cols = st.columns(2)
for n, statement in enumerate(conf.statements):
    with cols[n % 2]:
        statement_card(statement, titles)

st.subheader("Datenlage")
by_theme = {}
for ind in store.catalogue.all():
    if ind.kind == "statistic":
        years = store.any_years(ind.id)
        by_theme.setdefault(store.catalogue.themes[ind.theme], []).append(
            {"Indikator": ind.title, "Jahre": ", ".join(str(y) for y in years)}
        )
for theme, rows in by_theme.items():
    with st.expander(f"{theme}: {len(rows)} Indikatoren"):
        st.dataframe(rows, hide_index=True, width="stretch")
footer()
