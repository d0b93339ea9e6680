"""Steckbrief: one unit's profile – latest value, rank, Ruhr/NRW/DE and trend of every indicator."""

import pandas as pd
import streamlit as st

from integrationsregion import compare
from integrationsregion.catalogue import format_value
from integrationsregion.regions import GERMANY, NRW, RUHR
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.ui import data, query
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer, methodik_link, statement_card
from integrationsregion.ui.share import share_link

VERDICT_STYLE = {
    "better": "color: #1a7f37; font-weight: 600",
    "worse": "color: #c0392b; font-weight: 600",
}

store, conf = data.store(), data.conference()
regions = store.regions
units = regions.units()
places = units + regions.municipalities()
options = [r.ags for r in places]


def place_label(ags: str) -> str:
    r = regions[ags]
    if r.level == "kreis":
        return f"{r.name} ({r.kind_label})"
    return f"{r.name} – Gemeinde ({regions.name(r.parent_ags)})"


query.ignore_unknown()
default_ags = query.choice("einheit", options, units[0].ags)
query.seed("sb_einheit", "einheit", default_ags)

st.title("Steckbrief")
st.caption(
    "Jeder Indikator mit seinem jüngsten Wert, dem Rang unter den 15 Kreisen und kreisfreien Städten, "
    "den Werten für Ruhr, NRW und Deutschland und – wo es eine Reihe gibt – dem Verlauf."
)
query.show_notices()

picked = st.selectbox(
    "Kreis, kreisfreie Stadt oder Gemeinde", options, format_func=place_label, key="sb_einheit"
)
query.keep("sb_einheit", einheit=picked)

place = regions[picked]
unit = place
if place.level == "gemeinde":
    unit = regions[place.parent_ags]
    if unit.kind == "kreisfreie_stadt":
        st.info(
            f"{place.name} ist eine kreisfreie Stadt: Gemeinde und Kreis sind dasselbe Gebiet. "
            f"Gezeigt wird der Steckbrief der kreisfreien Stadt {unit.name} (AGS {unit.ags}).",
            icon=":material/info:",
        )
    elif not (own := store.region_rows(place.ags)).empty:
        st.info(
            f"Für {place.name} gibt es {len(own)} Werte auf Gemeindeebene (unten als Tabelle); "
            f"der Steckbrief zeigt den Kreis {unit.name} (AGS {unit.ags}).",
            icon=":material/info:",
        )
        st.dataframe(own[["indicator", "breakdown", "year", "value", "source_label"]], hide_index=True)
    else:
        st.warning(
            f"Für die Gemeinde {place.name} liegen im Datenbestand keine Werte auf Gemeindeebene vor "
            "(die amtlichen Tabellen dieses Dashboards reichen bis zur Kreisebene). "
            f"Gezeigt wird der Steckbrief des Kreises: **{unit.name}** (AGS {unit.ags}).",
            icon=":material/warning:",
        )


@st.cache_data(max_entries=128, show_spinner=False)
def unit_profile(ags: str) -> pd.DataFrame:
    """The unit's Steckbrief (computed once per unit and process; a copy per run)."""
    profile = compare.steckbrief(store, ags)
    profile["decimals"] = [store.catalogue[i].decimals for i in profile["indicator"]]
    return profile


profile = unit_profile(unit.ags)
head_left, head_right = st.columns([3, 1], vertical_alignment="bottom")
head_left.subheader(f"{unit.name} · {unit.kind_label} · AGS {unit.ags}")
with head_right:
    share_link()

st.caption(
    "Rang 1 = höchster Wert unter den Einheiten mit Wert. Vergleich mit dem Ruhr-Wert, wo es ihn gibt, "
    "sonst mit NRW – nur bei Quoten und Anteilen (Zählwerte einer Stadt mit einer Summe zu vergleichen, "
    "sagt nichts). Grün = günstiger, Rot = ungünstiger; Indikatoren ohne Richtung werden neutral beschrieben."
)


def fmt(row: pd.Series, value: object) -> str:
    return format_value(None if pd.isna(value) else float(value), row["unit"], row["decimals"])


def trend_label(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "–"


@st.cache_data(max_entries=128, show_spinner=False)
def theme_tables(ags: str) -> list[tuple[str, str, pd.DataFrame, list[str | None]]]:
    """Per theme (context first): id, heading, the table shown and the verdict of each row."""
    profile = unit_profile(ags)
    themes = store.catalogue.themes
    order = ["bevoelkerung", *(t for t in themes if t != "bevoelkerung")]  # context first
    out = []
    for theme_id in order:
        rows = profile[profile["theme"] == theme_id]
        if rows.empty:
            continue
        table = pd.DataFrame(
            {
                "Indikator": rows["label"],
                "Wert": [fmt(r, r["value"]) for _, r in rows.iterrows()],
                "Jahr": rows["year"].astype(int).astype(str),
                "Rang": [
                    f"{int(r['rank'])} von {int(r['ranked'])}" if pd.notna(r["rank"]) else "–"
                    for _, r in rows.iterrows()
                ],
                "Vergleich": rows["comparison"],
                "Verlauf": rows["trend"],
                "Verlauf Jahre": rows["trend_years"].map(trend_label),
                "Ruhr": [
                    fmt(r, r[f"ref_{RUHR}"]) if pd.notna(r[f"ref_{RUHR}"]) else "kein Ruhr-Wert"
                    for _, r in rows.iterrows()
                ],
                "NRW": [fmt(r, r[f"ref_{NRW}"]) for _, r in rows.iterrows()],
                "Deutschland": [fmt(r, r[f"ref_{GERMANY}"]) for _, r in rows.iterrows()],
                "Qualität": rows["quality"].map(QUALITY_LABELS),
                "Quelle": rows["source_label"],
                "Definition": rows["indicator"].map(methodik_link),
            }
        ).reset_index(drop=True)
        out.append((theme_id, themes[theme_id], table, list(rows["verdict"])))
    return out


for theme_id, theme_label, table, verdicts in theme_tables(unit.ags):
    st.markdown(f"#### {theme_label}")
    # A fixed uuid (pandas picks a random one): the same table gives the same message, which the
    # browser then takes from its message cache instead of receiving it again.
    styled = table.style.set_uuid(f"steckbrief_{theme_id}").apply(
        lambda col, verdicts=verdicts: [VERDICT_STYLE.get(v, "") for v in verdicts], subset=["Vergleich"]
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        height=38 + 35 * len(table),
        placeholder="keine Daten",
        column_config={
            "Indikator": st.column_config.TextColumn(width="medium"),
            "Vergleich": st.column_config.TextColumn(width="large"),
            "Verlauf": st.column_config.LineChartColumn(
                "Verlauf",
                help="Jüngste Reihe aufeinanderfolgender Jahre; über Lücken wird keine Linie gezogen",
            ),
            "Quelle": st.column_config.TextColumn(width="medium"),
            "Definition": st.column_config.LinkColumn("Definition", display_text="Definition"),
        },
    )


@st.cache_data(max_entries=128, show_spinner=False)
def statement_details(ags: str, name: str) -> list[tuple[str, str]]:
    """The conference statements on the unit's indicators (id, the unit's figures as markdown), in order."""
    profile = unit_profile(ags)
    shown_ids = list(dict.fromkeys(profile["indicator"]))
    out, seen = [], set()
    for indicator_id in shown_ids:
        for statement in conf.for_indicator(indicator_id):
            if statement.id in seen:
                continue
            seen.add(statement.id)
            related = [i for i in statement.indicators if i in shown_ids]
            figures = [
                f"{r['label']}: **{fmt(r, r['value'])}** ({int(r['year'])}, [Definition]({methodik_link(r['indicator'])}))"
                for _, r in profile[profile["indicator"].isin(related)].iterrows()
            ]
            out.append((statement.id, f"Zahlen für {name}:  \n" + "  \n".join(figures)))
    return out


st.markdown("#### Aussagen der Sozialkonferenz Ruhr 2019 zu diesen Zahlen")
titles = {i.id: i.short for i in store.catalogue.all()}
statements = {s.id: s for s in conf.statements}
seen = statement_details(unit.ags, unit.name)
for statement_id, details in seen:
    statement_card(statements[statement_id], titles, details=details)
if not seen:
    st.caption("Zu den Indikatoren dieses Steckbriefs gibt es keine Aussage der Konferenz.")

st.markdown("#### Daten herunterladen")


def export_frame() -> pd.DataFrame:
    export = profile.assign(region=unit.ags, name=unit.name)
    return export[
        [
            "name",
            "region",
            "indicator",
            "title",
            "breakdown",
            "year",
            "ref_date",
            "value",
            "unit",
            "rank",
            "ranked",
        ]
        + [f"ref_{r}" for r in (RUHR, NRW, GERMANY)]
        + ["comparison"]
        + compare.PROVENANCE_COLUMNS
    ].rename(columns={"comparison": "Vergleich"})


download_buttons(
    export_frame,
    f"Steckbrief {unit.name}",
    meta={
        "Titel": f"Steckbrief {unit.name} (AGS {unit.ags})",
        "Hinweise": [
            "Je Indikator der jüngste Wert der Einheit; Ruhr/NRW/Deutschland aus demselben Jahr.",
            "Rang 1 = höchster Wert unter den 15 Kreisen und kreisfreien Städten mit Wert.",
        ],
    },
)
footer()
