"""Vergleich: one unit against up to five peers, Ruhr, NRW and Germany – table and charts."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from integrationsregion import compare, peers
from integrationsregion.catalogue import BREAKDOWN_LABELS, format_number, format_value
from integrationsregion.regions import REFERENCES
from integrationsregion.ui import data, query
from integrationsregion.ui.downloads import download_buttons
from integrationsregion.ui.layout import footer, methodik_link
from integrationsregion.ui.share import share_link

MAX_PEERS = 5
COLOURS = {"Auswahl": "#0b5394", "Vergleich": "#6fa8dc", "Referenz": "#999999"}

store = data.store()
regions = store.regions
unit_ags = [r.ags for r in regions.units()]
offered = compare.unit_indicators(store)
offered_ids = list(dict.fromkeys(i for i, _ in offered))


@st.cache_data(show_spinner=False)
def default_peers(ags: str) -> peers.PeerChoice:
    return peers.default_peers(store, ags)


@st.cache_data(show_spinner=False)
def table_for(units: tuple[str, ...], overrides: tuple[tuple[str, str, int], ...]) -> pd.DataFrame:
    return compare.comparison_table(store, list(units), {(i, b): y for i, b, y in overrides})


def long_for(units: tuple[str, ...], overrides: tuple[tuple[str, str, int], ...]) -> pd.DataFrame:
    """The table as long rows for the downloads (built only when a download button is clicked)."""
    return compare.long_table(store, list(units), {(i, b): y for i, b, y in overrides})


@st.cache_data(max_entries=1024, show_spinner=False)
def latest_year(indicator: str, breakdown: str, units: tuple[str, ...]) -> int | None:
    return compare.comparison_year(store, indicator, breakdown, list(units))


def reset_peers() -> None:
    """A new unit gets its own default peers."""
    st.session_state.pop("vg_vergleich", None)
    st.query_params.pop("vergleich", None)


def main_changed() -> None:
    """A new first indicator starts from its own default breakdown and year."""
    now = st.session_state.get("vg_indikator") or []
    before = (st.query_params.get("indikator") or "").split(",")[0]
    if not now or now[0] != before:
        query.drop(aufschluesselung="vg_aufschluesselung", jahr="vg_jahr")


# ---------------------------------------------------------------------- state from the URL
query.ignore_unknown()
unit = query.choice("einheit", unit_ags, unit_ags[0])
query.seed("vg_einheit", "einheit", unit)
st.title("Vergleich")
st.caption(
    "Eine Einheit neben bis zu fünf Vergleichseinheiten sowie Ruhr, NRW und Deutschland – "
    "alle Indikatoren als Tabelle, ausgewählte Indikatoren als Diagramm."
)

link_slot = st.container()
left, right = st.columns([1, 2])
with left:
    unit = st.selectbox(
        "Einheit",
        unit_ags,
        format_func=regions.name,
        key="vg_einheit",
        on_change=reset_peers,
    )
query.keep("vg_einheit", einheit=unit)
choice = default_peers(unit)
candidates = [a for a in unit_ags if a != unit]
chosen = query.choices("vergleich", candidates, list(choice.peers), MAX_PEERS)
query.seed("vg_vergleich", "vergleich", chosen)
with right:
    chosen = st.multiselect(
        f"Vergleichseinheiten (bis zu {MAX_PEERS})",
        candidates,
        format_func=regions.name,
        max_selections=MAX_PEERS,
        key="vg_vergleich",
    )
query.keep("vg_vergleich", vergleich=chosen)
if choice.year is not None:
    names = ", ".join(regions.name(a) for a in choice.peers)
    st.caption(
        f"Vorauswahl ({'aktiv' if list(chosen) == list(choice.peers) else 'geändert'}): {names} – die "
        f"{len(choice.peers)} Einheiten, die {regions.name(unit)} nach Einwohnerzahl und Ausländeranteil am "
        f"31.12.{choice.year} am ähnlichsten sind (standardisierter euklidischer Abstand: jedes Merkmal "
        "geteilt durch seine Standardabweichung über die 15 Einheiten; Quelle Regionaldatenbank "
        f"12411-03-03-4, [Definition]({methodik_link('foreign_share')}))."
    )

# indicator(s), breakdown and year of the charts
main_default = "unemployment_rate" if "unemployment_rate" in offered_ids else offered_ids[0]
picked = query.choices("indikator", offered_ids, [main_default], 4) or [main_default]
query.seed("vg_indikator", "indikator", picked)
units = [unit, *chosen]

# ---------------------------------------------------------------------- charts
st.subheader("Diagramme")
c1, c2, c3 = st.columns([3, 2, 1])
with c1:
    picked = st.multiselect(
        "Indikatoren (bis zu 4)",
        offered_ids,
        format_func=lambda i: store.catalogue[i].title,
        max_selections=4,
        key="vg_indikator",
        on_change=main_changed,
    )
query.keep("vg_indikator", indikator=picked)
main = picked[0] if picked else None
overrides: list[tuple[str, str, int]] = []
if main is not None:
    breakdowns = [b for i, b in offered if i == main]
    breakdown = query.choice(
        "aufschluesselung", breakdowns, breakdowns[-1] if len(breakdowns) > 1 else breakdowns[0]
    )
    query.seed("vg_aufschluesselung", "aufschluesselung", breakdown)
    with c2:
        breakdown = st.selectbox(
            "Aufschlüsselung",
            breakdowns,
            format_func=BREAKDOWN_LABELS.get,
            key="vg_aufschluesselung",
            on_change=query.drop,
            kwargs={"jahr": "vg_jahr"},
        )
    query.keep("vg_aufschluesselung", aufschluesselung=breakdown)
    years = store.years(main, breakdown)
    latest = latest_year(main, breakdown, tuple(units)) or years[-1]
    year = query.year("jahr", years, latest)
    query.seed("vg_jahr", "jahr", year)
    if st.session_state.get("vg_jahr") not in years:
        st.session_state["vg_jahr"] = latest
    with c3:
        year = st.selectbox("Jahr", years, key="vg_jahr")
    query.keep("vg_jahr", jahr=year)
    overrides.append((main, breakdown, year))
    for extra in picked[1:]:
        options = [b for i, b in offered if i == extra]
        b = breakdown if breakdown in options else options[0]
        y = latest_year(extra, b, tuple(units))
        if y is not None:
            overrides.append((extra, b, y))
else:
    query.write(aufschluesselung=None, jahr=None)
    st.info("Keinen Indikator gewählt – oben einen oder mehrere Indikatoren für Diagramme auswählen.")

with link_slot:
    query.show_notices()  # after all parameters were read
    share_link()  # after all widgets: the link carries the complete state


def bar_chart(frame: pd.DataFrame, indicator_id: str) -> go.Figure:
    ind = store.catalogue[indicator_id]
    values = frame["value"]
    text = [
        "keine Daten"
        if pd.isna(v)
        else format_number(v, ind.decimals) + (" %" if ind.unit == "percent" else "")
        for v in values
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["name"],
            y=values.fillna(0).where(values.notna(), 0),
            marker_color=[COLOURS[r] for r in frame["role"]],
            marker_opacity=[1.0 if pd.notna(v) else 0.0 for v in values],
            text=text,
            textposition=["outside" if pd.notna(v) else "inside" for v in values],
            cliponaxis=False,
            hovertext=[f"{n}: {t}" for n, t in zip(frame["name"], text, strict=True)],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis_title=ind.unit_label,
        yaxis_separatethousands=True,
        separators=",.",
        showlegend=False,
    )
    return fig


# Built figures are shared by all sessions (st.plotly_chart only reads them), like the theme pages'.
@st.cache_resource(max_entries=256, show_spinner=False)
def chart(
    indicator_id: str, breakdown_id: str, year_id: int, units: tuple[str, ...]
) -> tuple[go.Figure, str]:
    """The bar chart of one indicator for the chosen units and the references, with its source line."""
    ind = store.catalogue[indicator_id]
    frame = compare.chart_frame(store, indicator_id, breakdown_id, year_id, list(units))
    shown = frame.dropna(subset=["value"])
    labels = sorted(set(shown["source_label"]))
    missing = [n for n, v in zip(frame["name"], frame["value"], strict=True) if pd.isna(v)]
    refs_missing = [regions.display_name(r) for r in REFERENCES if r not in set(frame["region"])]
    parts = [f"Jahr {year_id}", f"Quelle: {'; '.join(labels) if labels else 'keine Daten'}", ind.attribution]
    if (shown["quality"] == "secondary").any():
        parts.append("enthält Sekundärquellen")
    if missing:
        parts.append("keine Daten: " + ", ".join(missing))
    if refs_missing:
        parts.append("kein Wert für " + ", ".join(refs_missing))
    parts.append(f"[Definition und Tabelle]({methodik_link(indicator_id)})")
    return bar_chart(frame, indicator_id), " · ".join(parts)


for indicator_id, breakdown_id, year_id in overrides:
    ind = store.catalogue[indicator_id]
    fig, source = chart(indicator_id, breakdown_id, year_id, tuple(units))
    st.markdown(f"**{compare.label(ind, breakdown_id)}, {year_id}**")
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
    st.caption(source)
    st.caption(
        "Dunkelblau: gewählte Einheit · Hellblau: Vergleichseinheiten · Grau: Ruhr / NRW / Deutschland"
    )

# ---------------------------------------------------------------------- table
st.subheader("Alle Indikatoren im Vergleich")
st.caption(
    "Eine Zeile je Indikator; alle Werte einer Zeile stammen aus dem angegebenen Jahr (jüngstes Jahr mit "
    "einem Wert für eine der gewählten Einheiten; für die Diagramm-Indikatoren das oben gewählte Jahr). "
    "Zum Sortieren auf eine Spaltenüberschrift klicken."
)
key = tuple(units), tuple(overrides)
table = table_for(*key)
names = {a: regions.display_name(a) for a in [*units, *REFERENCES]}
shown = table.rename(columns=names)
value_cols = [names[a] for a in [*units, *REFERENCES]]
# Each row is formatted in its indicator's unit and decimals: one formatter per (unit, decimals), not per
# row. A fixed uuid (pandas picks a random one) makes an unchanged table an unchanged message, which the
# browser then takes from its message cache.
styler = shown.style.set_uuid("vergleich")
formats: dict[tuple[str, int], list] = {}
for n, row in table.to_dict("index").items():
    formats.setdefault((store.catalogue[row["indicator"]].unit, int(row["decimals"])), []).append(n)
for (unit_id, decimals), rows in formats.items():
    styler = styler.format(
        lambda v, unit_id=unit_id, decimals=decimals: format_value(
            None if pd.isna(v) else float(v), unit_id, decimals
        ),
        subset=pd.IndexSlice[rows, value_cols],
        na_rep="keine Daten",
    )


st.dataframe(
    styler,
    hide_index=True,
    width="stretch",
    placeholder="keine Daten",
    height=min(38 + 35 * len(shown), 640),
    column_order=["Indikator", "Jahr", *value_cols, "Einheit", "Quelle"],
    column_config={
        "Indikator": st.column_config.TextColumn(width="large", pinned=True),
        "Jahr": st.column_config.NumberColumn(format="%d", width="small"),
        "Quelle": st.column_config.TextColumn(width="medium"),
    },
)

st.markdown("#### Daten herunterladen")
download_buttons(
    lambda: long_for(*key).drop(columns=["role"]),
    f"Vergleich {regions.name(unit)}",
    meta={
        "Titel": f"Vergleich {regions.name(unit)} mit " + ", ".join(regions.name(a) for a in chosen),
        "Hinweise": [
            "Je Indikator ein Jahr für alle Gebiete (siehe Spalte Jahr); leere Werte = keine Daten.",
            "Ruhr-Werte gibt es nur für Summen von Zählwerten; für Quoten liegt kein Ruhr-Wert vor.",
        ],
    },
)
footer()
