"""Live-Modus: presenter console (step through the talk, set scenes, run the poll).

Followers never rerun this page: phones and the big screen follow over SSE (`/live`, `/live/screen`).
Without the presenter token the page is read-only. Layout only; `live.console` holds the logic.
"""

from __future__ import annotations

import streamlit as st

from integrationsregion.live import console, presenter
from integrationsregion.live.address import audience_address
from integrationsregion.live.scenes import dumps_tour, theme_pages
from integrationsregion.live.service import get_service
from integrationsregion.ui import data
from integrationsregion.ui.layout import footer

st.title("Live-Modus")
st.caption("Die Moderation steuert, Handys und Leinwand folgen in Echtzeit.")

service = get_service()
if service is None:
    st.warning(
        "Der Live-Modus ist in diesem Serverprozess nicht aktiv. Starten Sie die App mit "
        "`streamlit run app.py`, damit die Live-Routen (`/live`, `/live/screen`) mitlaufen."
    )
    footer()
    st.stop()

base = console.base_path(st.get_option("server.baseUrlPath"))
address = audience_address(service.settings.public_url, int(st.get_option("server.port")), base)
(st.warning if address.loopback else st.caption)(console.address_notice(address))
if not service.state.available:
    st.error("Live-Server nicht erreichbar – die Ansichten verbinden sich neu, sobald er wieder läuft.")

c1, c2 = st.columns(2)
c1.link_button("Ansicht fürs Publikum (Handy)", f"{base}/live", use_container_width=True)
c2.link_button("Leinwand-Ansicht mit QR-Code", f"{base}/live/screen", use_container_width=True)

logged_in = bool(st.session_state.get("live_presenter"))
if not logged_in:
    with st.expander("Als Moderation anmelden"), st.form("live_login", clear_on_submit=True):
        token = st.text_input("Moderations-Token", type="password", max_chars=512)
        if st.form_submit_button("Anmelden"):
            refusal = console.login(service, token, st.context.ip_address)
            if refusal is None:
                st.session_state["live_presenter"] = True
                st.rerun()
            st.error(refusal)


def run(factory, success: str | None = None) -> None:
    """Call a live action; show its German errors, or the success toast."""
    errors = console.run_action(service, factory)
    for message in errors:
        st.error(message)
    if success and not errors:
        st.toast(success)


@st.fragment(run_every=3 if logged_in else 10)
def status_panel() -> None:
    view = console.read_status(service)
    if view is None:
        st.error("Live-Server nicht erreichbar – neuer Versuch in wenigen Sekunden.")
        return
    m1, m2, m3 = st.columns(3)
    m1.metric("Handys verbunden", view.phones)
    m2.metric("Leinwände verbunden", view.screens)
    if view.votes is not None:
        m3.metric("Schätzungen", view.votes)
    if view.heading is None:
        st.info("Noch keine Szene gesetzt.")
        return
    st.subheader(view.heading)
    st.write(view.takeaway)
    st.caption(view.caption)
    if view.poll:
        st.write(view.poll)
        if view.results:
            st.write(view.results)
    if view.tour_error:
        st.error(view.tour_error)


status_panel()

if not logged_in:
    footer()
    st.stop()

st.divider()
tour = service.tour
labels = console.jump_labels(tour)
b1, b2, b3 = st.columns([1, 1, 2])
if b1.button("◀ zurück", use_container_width=True, disabled=not labels):
    run(lambda: presenter.step(service, -1))
if b2.button("weiter ▶", use_container_width=True, type="primary", disabled=not labels):
    run(lambda: presenter.step(service, +1))
if labels:
    with b3.form("live_goto", border=False):
        choice = st.selectbox("Springen zu", range(len(labels)), format_func=lambda i: labels[i])
        if st.form_submit_button("Anzeigen"):
            run(lambda: presenter.goto(service, choice))

p1, p2, p3, p4 = st.columns(4)
if p1.button("Umfrage öffnen", use_container_width=True):
    run(lambda: presenter.poll_action(service, "open"), "Umfrage geöffnet")
if p2.button("Umfrage schließen", use_container_width=True):
    run(lambda: presenter.poll_action(service, "close"), "Umfrage geschlossen")
if p3.button("Ergebnis zeigen", use_container_width=True):
    run(lambda: presenter.poll_action(service, "reveal"), "Ergebnis sichtbar")
if p4.button("Ergebnis ausblenden", use_container_width=True):
    run(lambda: presenter.poll_action(service, "hide"))

with st.expander("Szene aus Feldern setzen"):
    catalogue = data.store().catalogue
    indicators = console.statistic_indicators(catalogue)
    with st.form("live_scene"):
        fields = {
            "theme": st.selectbox("Seite / Thema", list(theme_pages())),
            "indicator": st.selectbox(
                "Indikator", list(indicators), format_func=lambda i: f"{indicators[i]} ({i})"
            )
            if indicators
            else st.text_input("Indikator-Kennung"),
            "year": st.number_input("Jahr", min_value=1990, max_value=2100, value=2019, step=1),
            "breakdown": st.selectbox(
                "Aufschlüsselung", list(catalogue.breakdowns), format_func=catalogue.breakdowns.get
            ),
            "highlight": st.text_input("Hervorgehobene Einheit (AGS, leer = keine)", max_chars=8),
            "statement": st.selectbox(
                "Aussage", console.statement_choices(tour), format_func=lambda s: s or "keine"
            ),
            "title": st.text_input("Titel", max_chars=120),
            "takeaway": st.text_area(
                "Kernaussage (ein Satz; Platzhalter wie {wert}, {rang} möglich)", max_chars=300
            ),
        }
        if st.form_submit_button("Szene zeigen"):
            raw = console.scene_request(**fields)
            run(lambda: presenter.set_scene(service, raw), "Szene gesetzt")

with st.expander("Tour bearbeiten (JSON)"):
    st.caption(console.tour_caption(service))
    with st.form("live_tour"):
        text = st.text_area("Tour", value=dumps_tour(tour) if tour else "", height=400, max_chars=256_000)
        if st.form_submit_button("Prüfen und speichern"):
            run(lambda: presenter.save_tour_text(service, text), "Tour gespeichert")

if st.button("Abmelden"):
    st.session_state.pop("live_presenter", None)
    st.rerun()

footer()
