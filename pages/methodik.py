"""Daten & Methodik: catalogue, one indicator's full entry, coverage, provenance, licences, refresh."""

import pandas as pd
import streamlit as st

from integrationsregion import compare, methodology
from integrationsregion.catalogue import BREAKDOWN_LABELS
from integrationsregion.geometry import ATTRIBUTION as BKG_ATTRIBUTION
from integrationsregion.regions import REFERENCES
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.ui import data, query
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer
from integrationsregion.ui.share import share_link

store, conf = data.store(), data.conference()
regions = store.regions
catalogue = store.catalogue


@st.cache_data(show_spinner=False)
def catalogue_table() -> pd.DataFrame:
    return methodology.catalogue_table(store)


# The snapshot does not change while the process runs: tables derived from it are built once.
@st.cache_data(show_spinner=False)
def source_stands(indicator_id: str) -> dict[str, list[str]]:
    """The Stand dates of each of the indicator's tables."""
    return methodology.source_stands(store, indicator_id)


@st.cache_data(max_entries=256, show_spinner=False)
def coverage_grid(indicator_id: str, breakdown: str) -> pd.DataFrame:
    return methodology.coverage_grid(store, indicator_id, breakdown)


@st.cache_data(max_entries=256, show_spinner=False)
def breakdown_rows(indicator_id: str, breakdown: str) -> pd.DataFrame:
    return store.indicator_rows(indicator_id, breakdown)


@st.cache_data(show_spinner=False)
def coverage_overview() -> pd.DataFrame:
    return methodology.coverage_overview(store).drop(columns=["id", "breakdown"])


@st.cache_data(show_spinner=False)
def licence_lines() -> pd.DataFrame:
    return methodology.licence_lines(store)


ids = [i.id for i in catalogue.all()]
query.ignore_unknown()
picked = query.choice("indikator", ids, ids[0])
query.seed("mt_indikator", "indikator", picked)

st.title("Daten & Methodik")
st.caption(
    "Was jede Zahl bedeutet, woher sie stammt (Herausgeber, Tabelle, Stand, Lizenz), für welche Gebiete "
    "und Jahre es Werte gibt und wie der Datenbestand aktualisiert wird."
)
notice_slot = st.container()

# ---------------------------------------------------------------------- catalogue
st.subheader("Indikatorenkatalog")
table = catalogue_table()
text = st.text_input(
    "Suche in Titel, Definition, Tabellencode und Quelle",
    placeholder="z. B. Arbeitslosenquote, 13211, Duldung",
    max_chars=100,
)
found = methodology.search(table, text)
st.caption(f"{len(found)} von {len(table)} Indikatoren.")
st.dataframe(
    found,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(found), 1), 420),
    column_order=[
        "Indikator",
        "Thema",
        "Definition",
        "Einheit",
        "Quelle",
        "Tabelle",
        "Stand",
        "Jahre",
        "Lizenz",
        "Hinweise",
        "Link",
        "Art",
    ],
    column_config={
        "Indikator": st.column_config.TextColumn(width="medium", pinned=True),
        "Definition": st.column_config.TextColumn(width="large"),
        "Hinweise": st.column_config.TextColumn(width="large"),
        "Link": st.column_config.LinkColumn("Amtliche Tabelle", display_text="öffnen"),
    },
)
download_buttons(found, "Indikatorenkatalog", key="katalog", meta={"Titel": "Indikatorenkatalog"})

# ---------------------------------------------------------------------- one indicator
st.subheader("Eintrag")
choices = list(found["id"]) if len(found) else ids
if st.session_state.get("mt_indikator") not in choices:
    choices = [st.session_state["mt_indikator"], *choices]
indicator_id = st.selectbox(
    "Indikator",
    choices,
    format_func=lambda i: f"{catalogue[i].title} ({i})",
    key="mt_indikator",
    on_change=query.drop,
    kwargs={"aufschluesselung": "mt_aufschluesselung", "einheit": "mt_einheit", "jahr": "mt_jahr"},
)
query.keep("mt_indikator", indikator=indicator_id)
ind = catalogue[indicator_id]
with st.container(border=True):
    st.markdown(f"### {ind.title}")
    st.markdown(f"**Definition:** {ind.definition}")
    st.markdown(
        f"**Einheit:** {ind.unit_label} · **Bezugszeitraum:** {ind.reference_period} · "
        f"**Aufschlüsselungen:** {', '.join(BREAKDOWN_LABELS[b] for b in ind.breakdowns)} · "
        f"**Richtung:** {catalogue.polarities[ind.polarity].label} · **Thema:** {catalogue.themes[ind.theme]} · "
        f"**Kennung:** `{ind.id}`"
    )
    st.markdown("**Quellen**")
    stands_by_table = source_stands(ind.id)
    for src in ind.sources:
        stands = stands_by_table[src.table] if src.table else []
        stand = f" · Stand {', '.join(stands)}" if stands else ""
        table_code = f"Tabelle **{src.table}** – " if src.table else ""
        st.markdown(f"- {src.publisher}: {table_code}[{src.title}]({src.url}){stand}")
    st.markdown(f"**Lizenz:** {ind.licence} · **Namensnennung:** {ind.attribution}")
    if ind.caveats:
        st.markdown("**Hinweise, Brüche und Einschränkungen**")
        st.markdown("\n".join(f"- {c}" for c in ind.caveats))
    statements = conf.for_indicator(ind.id)
    if statements:
        st.markdown(
            "**Bezug in der Sozialkonferenz Ruhr 2019:** "
            + "; ".join(f"[{s.speaker}]({s.source_url})" for s in statements)
        )
    kinds = {"parameter": "Rechtlicher/Kosten-Parameter", "statement": "Veröffentlichte Kostenaussage"}
    if ind.kind in kinds:
        st.caption(
            f"{kinds[ind.kind]} – kein Gebietsvergleich, wird auf der Seite „Geduldete & Kosten“ genutzt."
        )

# ---------------------------------------------------------------------- coverage of this indicator
breakdowns = [b for b in ind.breakdowns if store.any_years(ind.id, b)]
if breakdowns:
    st.markdown("#### Datenlage: Gebiete × Jahre")
    default_b = breakdowns[0]
    breakdown = query.choice("aufschluesselung", breakdowns, default_b)
    query.seed("mt_aufschluesselung", "aufschluesselung", breakdown)
    if st.session_state.get("mt_aufschluesselung") not in breakdowns:
        st.session_state["mt_aufschluesselung"] = default_b
    breakdown = st.radio(
        "Aufschlüsselung",
        breakdowns,
        format_func=BREAKDOWN_LABELS.get,
        horizontal=True,
        key="mt_aufschluesselung",
        on_change=query.drop,
        kwargs={"einheit": "mt_einheit", "jahr": "mt_jahr"},
    )
    query.keep("mt_aufschluesselung", aufschluesselung=breakdown)
    grid = coverage_grid(ind.id, breakdown)
    st.dataframe(grid, width="stretch", height=38 + 35 * len(grid))
    st.caption(
        "● amtliche Statistik · ◐ eigene Berechnung aus amtlichen Werten · ○ Sekundärquelle · "
        "– keine Daten (Lücken bleiben Lücken; es wird nichts geschätzt oder aufgefüllt)."
    )

    # ------------------------------------------------------------------ provenance of one value
    st.markdown("#### Herkunft eines Wertes")
    rows = breakdown_rows(ind.id, breakdown)
    with_data = [r.ags for r in regions.units()] + list(REFERENCES)
    with_data = [a for a in with_data if a in set(rows["region"])]
    region = query.choice("einheit", with_data, with_data[0])
    query.seed("mt_einheit", "einheit", region)
    if st.session_state.get("mt_einheit") not in with_data:
        st.session_state["mt_einheit"] = with_data[0]
    left, right = st.columns(2)
    with left:
        region = st.selectbox(
            "Gebiet",
            with_data,
            format_func=lambda a: compare.REFERENCE_NAMES.get(a, regions.name(a)),
            key="mt_einheit",
            on_change=query.drop,
            kwargs={"jahr": "mt_jahr"},
        )
    query.keep("mt_einheit", einheit=region)
    years = sorted({int(y) for y in rows.loc[rows["region"] == region, "year"]})
    year = query.year("jahr", years, years[-1])
    query.seed("mt_jahr", "jahr", year)
    if st.session_state.get("mt_jahr") not in years:
        st.session_state["mt_jahr"] = years[-1]
    with right:
        year = st.selectbox("Jahr", years, key="mt_jahr")
    query.keep("mt_jahr", jahr=year)
    prov = store.provenance(region, ind.id, year, breakdown)
    if prov is None:
        st.info("keine Daten")
    else:
        name = compare.REFERENCE_NAMES.get(region, regions.name(region))
        st.markdown(
            f"**{name}, {compare.label(ind, breakdown)}, {year}: {ind.format(prov['value'])}**"
            + (" – Sekundärquelle" if prov["quality"] == "secondary" else "")
        )
        fields = {
            "Qualität": QUALITY_LABELS.get(prov["quality"], prov["quality"]),
            "Stichtag / Bezugszeitraum": prov["ref_date"],
            "Herausgeber": prov["publisher"],
            "Quelle": prov["source_label"],
            "Tabelle": prov["table_code"] or "–",
            "Titel der Quelle": prov["source_title"],
            "Gelesen aus": prov["source_url"],
            "Amtliches Portal": prov["portal_url"],
            "Stand": prov["stand"] or "–",
            "Abgerufen": prov["retrieved"] or "–",
            "Lizenz": prov["licence"],
            "Namensnennung": prov["attribution"],
            "Anmerkung": prov["note"] or "–",
            "Weitere Werte (nicht gezeigt)": prov["alternatives"] or "–",
        }
        st.dataframe(
            pd.DataFrame({"Merkmal": list(fields), "Angabe": [str(v) for v in fields.values()]}),
            hide_index=True,
            width="stretch",
        )
        download_buttons(
            rows[(rows["region"] == region) & (rows["year"] == year)],
            f"Herkunft {ind.short} {name} {year}",
            key="herkunft",
        )
else:
    st.info("Für diesen Indikator gibt es im Datenbestand keine Werte.")

with notice_slot:
    query.show_notices()  # after all parameters were read
    share_link()

# ---------------------------------------------------------------------- coverage of all indicators
st.subheader("Datenlage aller Indikatoren")
st.caption(
    "Je Indikator und Jahr: wie viele der 15 Kreise und kreisfreien Städte einen Wert haben; – = keiner."
)
st.dataframe(
    coverage_overview(),
    hide_index=True,
    width="stretch",
    column_config={"Indikator": st.column_config.TextColumn(width="large", pinned=True)},
)

# ---------------------------------------------------------------------- licences
st.subheader("Lizenzen und Namensnennung")
st.caption(
    "Alle Lizenz- und Namensnennungszeilen des Datenbestands. Amtliche Daten stehen überwiegend unter der "
    "[Datenlizenz Deutschland – Namensnennung – Version 2.0](https://www.govdata.de/dl-de/by-2-0). "
    "Bei Sekundärquellen ist nur die Zahlenangabe übernommen."
)
st.dataframe(licence_lines(), hide_index=True, width="stretch")
st.markdown(
    f"**Karten:** {BKG_ATTRIBUTION} – Verwaltungsgebiete 1:250 000 (VG250), "
    "[Bundesamt für Kartographie und Geodäsie](https://www.bkg.bund.de)."
)

# ---------------------------------------------------------------------- refresh
st.subheader("Aktualisierung")
st.markdown(
    "Der Datenbestand ist ein geprüfter Schnappschuss (`data/observations.csv` mit `data/manifest.json`). "
    "Er wird mit dem Befehl `integrationsregion update` aus den amtlichen Diensten (Regionaldatenbank, "
    "GENESIS-Online, Landesdatenbank NRW; Grenzen vom BKG) neu geladen: jede Tabelle wird abgerufen, "
    "geprüft und nur dann geschrieben, wenn der ganze neue Schnappschuss gültig ist; sonst bleibt der alte "
    "unverändert. `integrationsregion validate` prüft Schnappschuss, Katalog und Konferenzinhalte."
)
st.code(
    "integrationsregion update --dry-run   # nur laden und vergleichen\nintegrationsregion update",
    language="bash",
)
manifest = store.manifest
vintages = manifest.get("vintages", {})
refreshed = manifest.get("last_refreshed", {})
if vintages:
    st.dataframe(
        pd.DataFrame(
            {
                "Quelle": list(vintages),
                "Stand der Tabelle": list(vintages.values()),
                "Zuletzt aktualisiert": [
                    refreshed.get(k, "– (aus dem Referenz-Schnappschuss)") for k in vintages
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"Quelle": st.column_config.TextColumn(width="large")},
    )
st.caption(
    f"Schnappschuss: {manifest.get('rows', '–')} Werte"
    + (f" · SHA-256 `{manifest['sha256'][:12]}…`" if manifest.get("sha256") else "")
    + (" · noch nicht über die Dienste aktualisiert" if not refreshed else "")
)
footer()
