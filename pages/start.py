"""Start / Konferenz: the conference, its statements beside their evidence, and the region at a glance."""

import streamlit as st

from integrationsregion import navigation
from integrationsregion.ui import data, links, theme
from integrationsregion.ui.layout import footer, statement_card
from integrationsregion.views import start as model

store, conf = data.store(), data.conference()
facts = conf.facts


@st.cache_data(show_spinner=False)
def cached(question: str):
    """The snapshot does not change while the process runs: each figure is built once."""
    return getattr(model, question)(store)


st.title("Integrationsregion Ruhr")
st.markdown(f"#### {facts['theme']}")
st.write(
    "Amtliche Zahlen zu Bildung, Arbeitsmarkt und Geduldeten in den 15 Kreisen und kreisfreien Städten "
    "des Regionalverbands Ruhr, dazu eine offen gerechnete Schätzung der Kosten für Geduldete – neben den "
    "Aussagen der Sozialkonferenz Ruhr 2019."
)

left, right = st.columns([2, 1])
with left:
    st.subheader(facts["title"])
    day = model.conference_day(facts["date"])
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
    for metric in (cached("population"), cached("foreign_share_span")):
        if metric is not None:
            st.metric(metric.label, metric.value, help=metric.help)
            st.caption(metric.caption)
    themes = navigation.theme_pages().values()
    st.caption(" · ".join(f"[{p.title}]({links.page_url(p.id)})" for p in themes))
    if conf.rvr_figures:
        with st.expander("Zahlen des RVR zur Konferenz (Sekundärquelle)"):
            for fig in conf.rvr_figures:
                st.markdown(f"- {fig['text']} ([{fig['source']}]({fig['url']}))")

st.subheader("Aussagen der Konferenz – und was die Zahlen zeigen")
titles = {i.id: i.short for i in store.catalogue.all()}
for statement in conf.statements:
    card, charts_col = st.columns([1, 1.4], gap="medium")
    with card:
        statement_card(statement, titles)
    with charts_col:
        shown = theme.evidence(statement.indicators)
        if not shown:
            st.caption("Zu dieser Aussage liegen keine Kreiswerte vor.")
        for n, (kind, indicator_id, breakdown, year) in enumerate(shown):
            theme.evidence_chart(kind, indicator_id, breakdown, year, chart_key=f"start:{statement.id}:{n}")
    st.divider()

st.subheader("Datenlage")
for theme_label, rows in cached("coverage_by_theme").items():
    with st.expander(f"{theme_label}: {len(rows)} Indikatoren"):
        st.dataframe(rows, hide_index=True, width="stretch")
footer()
