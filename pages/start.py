"""Start / Konferenz: the conference, its statements beside their evidence, and the region at a glance."""

import pandas as pd
import streamlit as st

from integrationsregion.catalogue import format_number
from integrationsregion.ui import data, theme
from integrationsregion.ui.layout import footer, statement_card

store, conf = data.store(), data.conference()
facts = conf.facts


# The snapshot does not change while the process runs: what this page derives from it is built once.
@st.cache_data(show_spinner=False)
def coverage_by_theme() -> dict[str, list[dict[str, str]]]:
    """Per theme, its statistics with the years that have values."""
    by_theme: dict[str, list[dict[str, str]]] = {}
    for ind in store.catalogue.all():
        if ind.kind == "statistic":
            years = store.any_years(ind.id)
            by_theme.setdefault(store.catalogue.themes[ind.theme], []).append(
                {"Indikator": ind.title, "Jahre": ", ".join(str(y) for y in years)}
            )
    return by_theme


@st.cache_data(show_spinner=False)
def cross_section(indicator_id: str, year: int, breakdown: str = "total") -> pd.DataFrame:
    return store.cross_section(indicator_id, year, breakdown)


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
    latest = store.years("population")[-1]
    pop = cross_section("population", latest)
    if pop["value"].notna().all():
        st.metric(f"Einwohner 31.12.{latest}", format_number(pop["value"].sum(), 0))
        st.caption(f"Summe der 15 Einheiten · Quelle: {'; '.join(sorted(set(pop['source_label'])))}")
    share_year = store.years("foreign_share", "foreign")[-1]
    shares = cross_section("foreign_share", share_year, "foreign").dropna(subset=["value"])
    if len(shares):
        low, high = shares.loc[shares["value"].idxmin()], shares.loc[shares["value"].idxmax()]
        ind = store.catalogue["foreign_share"]
        st.metric(
            f"Ausländeranteil 31.12.{share_year}",
            f"{ind.format(low['value'])} bis {ind.format(high['value'])}",
            help="Spanne über die 15 Einheiten",
        )
        st.caption(
            f"von {low['name']} bis {high['name']} · Quelle: {'; '.join(sorted(set(shares['source_label'])))} · "
            f"[Bildung](/bildung) · [Arbeitsmarkt](/arbeitsmarkt) · [Geduldete](/geduldete)"
        )
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
            theme.evidence_chart(kind, indicator_id, breakdown, year, key=f"start:{statement.id}:{n}")
    st.divider()

st.subheader("Datenlage")
for theme_label, rows in coverage_by_theme().items():
    with st.expander(f"{theme_label}: {len(rows)} Indikatoren"):
        st.dataframe(rows, hide_index=True, width="stretch")
footer()
