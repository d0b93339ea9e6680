"""Steckbrief: one place's profile – latest value, rank, Ruhr/NRW/DE and trend of every indicator."""

import streamlit as st

from integrationsregion import pdf_profile
from integrationsregion.ui import data, query, tables
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer, statement_card
from integrationsregion.ui.share import share_link
from integrationsregion.views import common
from integrationsregion.views import steckbrief as model

store, conf = data.store(), data.conference()
options = model.options(store)


@st.cache_data(max_entries=128, show_spinner=False)
def profile(ags: str):
    return model.profile(store, ags)


query.ignore_unknown()
query.seed("sb_einheit", "einheit", query.choice("einheit", options, options[0]))

st.title("Steckbrief")
st.caption(
    "Jeder Indikator mit seinem jüngsten Wert, dem Rang unter den 15 Kreisen und kreisfreien Städten "
    "(nur wo mindestens 10 einen Wert haben), den Werten für Ruhr, NRW und Deutschland und dem Verlauf."
)
query.show_notices()


@st.fragment
def profile_section() -> None:
    """Picker and profile: choosing another place reruns only this section."""
    picked = st.selectbox(
        "Kreis, kreisfreie Stadt oder Gemeinde",
        options,
        format_func=lambda a: model.label(store, a),
        key="sb_einheit",
    )
    query.keep("sb_einheit", einheit=picked)
    place = model.resolve(store, picked)
    shown = place.shown
    rows = profile(shown.ags)

    head_left, head_right = st.columns([3, 1], vertical_alignment="bottom")
    head_left.subheader(
        f"{shown.name} · {shown.kind_label} · AGS {shown.ags}"
        + (f" · Werte {model.years_text(rows)}" if place.gemeinde_values else "")
    )
    with head_right:
        share_link()
    if place.same_area:
        st.info(place.note, icon=":material/info:")
    elif place.note:
        st.warning(place.note, icon=":material/history:")
    if rows.empty:
        st.info("Für dieses Gebiet liegen keine Werte vor.")
    st.caption(
        "Vergleich mit dem Ruhr-Wert, wo es ihn gibt, sonst mit NRW – nur bei Quoten und Anteilen. "
        "Bei Zählwerten stehen keine NRW- oder Deutschland-Summen daneben. Grün = günstiger, Rot = ungünstiger; "
        "– = kein Wert bzw. kein Rang."
    )

    names = common.reference_names(store.regions)
    tables.profile(model.theme_tables(store, rows), model.card_rows(rows, names), names)

    st.markdown("#### Aussagen der Sozialkonferenz Ruhr 2019 zu diesen Zahlen")
    titles = {i.id: i.short for i in store.catalogue.all()}
    statements = {s.id: s for s in conf.statements}
    details = model.statement_details(conf, rows, shown.name)
    for statement_id, text in details:
        statement_card(statements[statement_id], titles, details=text)
    if not details:
        st.caption("Zu den Indikatoren dieses Steckbriefs gibt es keine Aussage der Konferenz.")

    st.markdown("#### Daten herunterladen")
    download_buttons(
        lambda: model.export_frame(rows, shown),
        model.file_title(rows, shown),
        meta={
            "Titel": f"Steckbrief {shown.name} (AGS {shown.ags})",
            "Hinweise": [
                "Je Indikator der jüngste Wert; Ruhr/NRW/Deutschland aus demselben Jahr (bei Zählwerten nur Ruhr).",
                "Rang nur, wo mindestens 10 der 15 Kreise und kreisfreien Städte einen Wert haben.",
            ],
        },
    )
    st.download_button(
        "Als PDF herunterladen",
        data=lambda: pdf_profile.steckbrief_pdf(store, picked, rows),
        file_name=pdf_profile.file_name(store, picked),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="dl_steckbrief_pdf",
        help="Steckbrief als A4-PDF: Werte, Jahr, Stand, Vergleich mit Ruhr/NRW/Deutschland, Quellen und Lizenzen",
    )


profile_section()
footer()
