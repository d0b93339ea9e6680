"""Live-Modus: presenter console (step through the talk, set scenes, run the poll).

Followers never rerun this page: phones and the big screen follow over SSE (`/live`, `/live/screen`).
Without the presenter token the page is read-only.
"""

from __future__ import annotations

import json

import streamlit as st

from integrationsregion.live.address import SETTING, audience_address
from integrationsregion.live.scenes import BREAKDOWNS, TourError, dumps_tour, theme_pages
from integrationsregion.live.service import LiveUnavailable, get_service
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

base = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
base = base.rstrip("/")
address = audience_address(service.settings.public_url, int(st.get_option("server.port")), base)
if address.loopback:
    st.warning(
        f"Der QR-Code zeigt {address.url} – diese Adresse erreichen Handys im Saal nicht. "
        f"Setzen Sie `{SETTING}` auf die öffentliche Adresse (siehe docs/SETTINGS.md)."
    )
else:
    st.caption(f"Adresse fürs Publikum: {address.url}")
if not service.state.available:
    st.error("Live-Server nicht erreichbar – die Ansichten verbinden sich neu, sobald er wieder läuft.")

c1, c2 = st.columns(2)
c1.link_button("Ansicht fürs Publikum (Handy)", f"{base}/live", use_container_width=True)
c2.link_button("Leinwand-Ansicht mit QR-Code", f"{base}/live/screen", use_container_width=True)

presenter = bool(st.session_state.get("live_presenter"))
if not presenter:
    with st.expander("Als Moderation anmelden"), st.form("live_login", clear_on_submit=True):
        token = st.text_input("Moderations-Token", type="password", max_chars=512)
        if st.form_submit_button("Anmelden"):
            try:
                refusal = service.call(lambda: service.login(token, st.context.ip_address or "unbekannt"))
            except (LiveUnavailable, OSError, TimeoutError):
                refusal = "Live-Server nicht erreichbar – bitte gleich erneut versuchen."
            if refusal is None:
                st.session_state["live_presenter"] = True
                st.rerun()
            st.error(refusal)


def run(factory, success: str | None = None) -> None:
    """Call a live action on the server loop; show German validation errors."""
    try:
        service.call(factory)
    except TourError as exc:
        for message in exc.errors:
            st.error(message)
    except LiveUnavailable as exc:
        st.error(exc.message)
    except Exception as exc:  # Redis errors and timeouts: the console stays usable
        st.error(f"Live-Server nicht erreichbar ({type(exc).__name__}) – bitte gleich erneut versuchen.")
    else:
        if success:
            st.toast(success)


@st.fragment(run_every=3 if presenter else 10)
def status_panel() -> None:
    try:
        info = service.call(service.presenter_status)
        current = service.call(service.current)
    except Exception:  # LiveUnavailable, Redis errors, timeouts
        st.error("Live-Server nicht erreichbar – neuer Versuch in wenigen Sekunden.")
        return
    followers = info["followers"]
    m1, m2, m3 = st.columns(3)
    m1.metric("Handys verbunden", followers.get("audience", 0))
    m2.metric("Leinwände verbunden", followers.get("screen", 0))
    if info["votes"] is not None:
        m3.metric("Schätzungen", info["votes"])
    if current is None:
        st.info("Noch keine Szene gesetzt.")
        return
    payload = json.loads(current[1])
    scene = payload["scene"]
    position = payload["position"]
    where = f"Szene {position + 1} von {payload['total']}" if position is not None else "eigene Szene"
    st.subheader(f"{where}: {scene['title']}")
    st.write(scene["takeaway"])
    st.caption(
        f"{scene['theme_label']} · {scene['indicator_title']} · {scene['year']} · {scene['breakdown_label']}"
        + (f" · hervorgehoben: {scene['highlight_name']}" if scene["highlight_name"] else "")
    )
    poll = payload["poll"]
    if poll:
        state = "offen" if poll["open"] else "geschlossen"
        state += ", Ergebnis sichtbar" if poll["revealed"] else ""
        st.write(f"**Umfrage** ({state}): {poll['question']}")
        if poll["revealed"] and poll["results"]:
            r = poll["results"]
            st.write(
                f"Amtlich: {r['official']} · Median der Schätzungen: {r['median'] or '–'} · n = {r['n']}"
            )
    if info["tour_error"]:
        st.error("Die Tour-Datei ist ungültig: " + " ".join(info["tour_error"]))


status_panel()

if not presenter:
    footer()
    st.stop()

st.divider()
tour = service.tour
total = len(tour) if tour else 0
b1, b2, b3 = st.columns([1, 1, 2])
if b1.button("◀ zurück", use_container_width=True, disabled=not total):
    run(lambda: service.step(-1))
if b2.button("weiter ▶", use_container_width=True, type="primary", disabled=not total):
    run(lambda: service.step(+1))
if total:
    with b3.form("live_goto", border=False):
        labels = [f"{i + 1}. {s.title}" for i, s in enumerate(tour.scenes)]
        choice = st.selectbox("Springen zu", range(total), format_func=lambda i: labels[i])
        if st.form_submit_button("Anzeigen"):
            run(lambda: service.goto(choice))

p1, p2, p3, p4 = st.columns(4)
if p1.button("Umfrage öffnen", use_container_width=True):
    run(lambda: service.poll_action("open"), "Umfrage geöffnet")
if p2.button("Umfrage schließen", use_container_width=True):
    run(lambda: service.poll_action("close"), "Umfrage geschlossen")
if p3.button("Ergebnis zeigen", use_container_width=True):
    run(lambda: service.poll_action("reveal"), "Ergebnis sichtbar")
if p4.button("Ergebnis ausblenden", use_container_width=True):
    run(lambda: service.poll_action("hide"))

with st.expander("Szene aus Feldern setzen"):
    indicators = {i.id: i.title for i in data.store().catalogue.all() if i.kind == "statistic"}
    with st.form("live_scene"):
        theme = st.selectbox("Seite / Thema", list(theme_pages()))
        if indicators:
            indicator = st.selectbox(
                "Indikator", list(indicators), format_func=lambda i: f"{indicators[i]} ({i})"
            )
        else:
            indicator = st.text_input("Indikator-Kennung")
        year = st.number_input("Jahr", min_value=1990, max_value=2100, value=2019, step=1)
        breakdown = st.selectbox("Aufschlüsselung", BREAKDOWNS)
        highlight = st.text_input("Hervorgehobene Einheit (AGS, leer = keine)", max_chars=8)
        statements = ["", *sorted(tour.statements)] if tour else [""]
        statement = st.selectbox("Aussage", statements, format_func=lambda s: s or "keine")
        title = st.text_input("Titel", max_chars=120)
        takeaway = st.text_area(
            "Kernaussage (ein Satz; Platzhalter wie {wert}, {rang} möglich)", max_chars=300
        )
        if st.form_submit_button("Szene zeigen"):
            raw = {
                "theme": theme,
                "indicator": indicator,
                "year": int(year),
                "breakdown": breakdown,
                "highlight": highlight.strip() or None,
                "statement": statement or None,
                "title": title,
                "takeaway": takeaway,
            }
            run(lambda: service.set_scene(raw), "Szene gesetzt")

with st.expander("Tour bearbeiten (JSON)"):
    where = "Redis" if service.settings.live_backend == "redis" else f"`{service.edited_tour_path}`"
    st.caption(f"Gespeichert in {where} (Laufzeitzustand, nie im Snapshot) – vorher geprüft.")
    with st.form("live_tour"):
        text = st.text_area("Tour", value=dumps_tour(tour) if tour else "", height=400, max_chars=256_000)
        if st.form_submit_button("Prüfen und speichern"):
            run(lambda: service.save_tour_text(text), "Tour gespeichert")

if st.button("Abmelden"):
    st.session_state.pop("live_presenter", None)
    st.rerun()

footer()
