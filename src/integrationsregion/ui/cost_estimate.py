"""The cost estimate section of the Geduldete page: inputs, the formula with its numbers, cities' statements.

The computation is `integrationsregion.costmodel` (pure); this module only asks and shows. Every result is
labelled "Schätzung"; every rule amount names its source; every assumption is a visible, editable input.
"""

from __future__ import annotations

import html

import streamlit as st

from integrationsregion import costmodel
from integrationsregion.formatting import day as date_text
from integrationsregion.formatting import number as format_number
from integrationsregion.regions import NRW
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.ui import data
from integrationsregion.ui.layout import german_number
from integrationsregion.ui.theme import View

OWN_INPUT = "eigene"
COUNT_LABELS = {
    "rejected_protection_status_with_duldung": "Destatis 12531-0043, „geduldet ausreisepflichtig“",
    "tolerated_persons": "Geduldete laut Stadt/Land",
}


def _source(a: costmodel.Amount) -> str:
    label = html.escape(a.source_label)
    link = f"[{label}]({a.url})" if a.url else label
    if a.secondary:
        return link
    return f"{link} ({QUALITY_LABELS.get(a.quality, a.quality)})"


def section(view: View) -> None:
    store, book = data.store(), data.rule_book()
    st.divider()
    st.header("Schätzung: Kosten für Geduldete ohne Landeserstattung")
    st.markdown(
        ":orange-badge[Schätzung – keine amtliche Statistik] Die Rechnung folgt den FlüAG-Regeln des gewählten Jahres; "
        "alle Annahmen sind sichtbar und änderbar. Zum Vergleich stehen rechts die veröffentlichten Kostenangaben "
        "der Städte (Zitate, keine Statistik)."
    )
    if view.unit is None:
        st.info(
            "Bitte oben einen Kreis oder eine kreisfreie Stadt wählen (oder in die Karte klicken).",
            icon=":material/touch_app:",
        )
        return
    region = store.regions[view.unit]
    kreisfrei = region.kind == "kreisfreie_stadt"
    years = book.years
    year_key = "geduldete:kosten_jahr"
    if st.session_state.get(year_key) not in years:
        st.session_state[year_key] = view.year if view.year in years else years[-1]

    left, right = st.container(), st.container()  # stacked: the section sits in the figures column
    with left:
        year = st.selectbox(
            "Jahr (FlüAG-Regel dieses Jahres)",
            years[::-1],
            key=year_key,
            help="Dokumentierte Regeln 2017–2024",
        )
        try:
            rules = costmodel.rules_for(year, kreisfrei, store, book)
        except costmodel.UnsupportedYear as err:
            st.warning(str(err))
            return
        _rule_box(rules, region.name, kreisfrei)
        inputs = _inputs(rules, view.unit, year, kreisfrei)
        if inputs is not None:
            _result(rules, inputs, region.name)
    with right:
        _statements(view.unit, region.name)


def _rule_box(rules: costmodel.Rules, name: str, kreisfrei: bool) -> None:
    kind = "kreisfreie Stadt" if kreisfrei else "Kreis (kreisangehörige Gemeinden)"
    with st.container(border=True):
        st.markdown(f"**Regel {rules.year}:** {rules.label}")
        st.write(rules.summary)
        amounts = [
            (
                "Monatspauschale je Person" + ("" if rules.regime == "window" else f" ({kind})"),
                rules.flat_rate,
            )
        ]
        if rules.one_off:
            amounts.append(("Einmalzahlung je neu vollziehbar ausreisepflichtiger Person", rules.one_off))
        if rules.compensation:
            amounts.append(
                (f"Ausgleich für Bestandsgeduldete {rules.compensation.year}, landesweit", rules.compensation)
            )
        lines = [f"- {label}: **{costmodel.eur(a.value)}** – {_source(a)}" for label, a in amounts]
        if rules.window_months:
            lines.append(
                f"- Zahlung für Geduldete bis {rules.window_months} Monate nach der vollziehbaren Ausreisepflicht"
            )
        st.markdown("\n".join(lines))
        st.caption("Rechtsgrundlage: " + _links(rules.sources))
        if rules.secondary_sources:
            st.caption("Stellungnahmen/Presse (Sekundärquellen): " + _links(rules.secondary_sources))
        st.caption(f"{name}: {kind}.")


def _links(sources: tuple[tuple[str, str], ...]) -> str:
    return " · ".join(f"[{html.escape(t)}]({u})" for t, u in sources)


def _inputs(rules: costmodel.Rules, unit: str, year: int, kreisfrei: bool) -> costmodel.Inputs | None:
    st.markdown("##### Eingaben")
    counts = costmodel.person_counts(data.store(), unit, year)
    options = [*range(len(counts)), OWN_INPUT]

    def count_label(o: int | str) -> str:
        if o == OWN_INPUT:
            return "eigene Zahl eingeben"
        a = counts[o]
        day = date_text(a.ref_date)
        return f"{format_number(a.value, 0)} – {COUNT_LABELS.get(a.indicator, a.indicator)}, Stichtag {day}"

    choice = st.radio(
        "Zahl der Geduldeten",
        options,
        format_func=count_label,
        key=f"geduldete:kosten_quelle:{unit}:{year}",
        help="Werte aus dem Datenstand (mit Quelle) oder eine eigene Zahl.",
    )
    if choice == OWN_INPUT:
        if not counts:
            st.caption(f"Für {year} liegt im Datenstand keine Zahl der Geduldeten für diese Einheit vor.")
        persons = st.number_input(
            "Geduldete (Personen)",
            min_value=0,
            step=10,
            value=None,
            key=f"geduldete:kosten_n:{unit}:{year}",
            placeholder="Zahl eingeben",
        )
        if persons is None:
            st.info("Ohne Zahl der Geduldeten keine Schätzung.")
            return None
    else:
        a = counts[choice]
        persons = a.value
        st.caption(f"Quelle: {_source(a)}")

    anchors = costmodel.cost_anchors(data.store(), unit, kreisfrei, data.rule_book())
    anchor_options = [*range(len(anchors)), "pauschale"]

    def anchor_label(o: int | str) -> str:
        if o == "pauschale":
            return (
                f"FlüAG-Pauschale {rules.year}: {costmodel.eur(rules.flat_rate.value)} je Monat (Ersatzgröße)"
            )
        a = anchors[o]
        where = store_name(a)
        return f"Ist-Kosten {a.year} {where}: {costmodel.eur(a.value)} je Jahr ÷ 12"

    anchor = st.radio(
        "Kosten je Person und Monat – Grundlage",
        anchor_options,
        format_func=anchor_label,
        key=f"geduldete:kosten_anker:{unit}",
        help="Standard: Ist-Kostenerhebung 2017 (Lenk-Gutachten), nicht preisbereinigt.",
    )
    default_cost = rules.flat_rate.value if anchor == "pauschale" else round(anchors[anchor].value / 12, 2)
    source = rules.flat_rate if anchor == "pauschale" else anchors[anchor]
    cost_month = german_number(
        "Kosten je Person und Monat (€) – Annahme",
        float(default_cost),
        key=f"geduldete:kosten_c:{unit}:{year}:{anchor}",
    )
    st.caption(f"Grundlage: {_source(source)}")

    share_benefit = st.slider(
        "Anteil der Geduldeten mit Leistungsbezug (AsylbLG) – Annahme",
        0,
        100,
        100,
        format="%d %%",
        key=f"geduldete:kosten_sb:{unit}",
        help="Standard 100 % (Obergrenze). Nicht erhoben; zur Orientierung: Gelsenkirchen 2023 meldete 967 Geduldete "
        "unter 1.675 AsylbLG-Beziehenden (kein gleiches Verhältnis).",
    )
    if rules.regime == "window":
        long_label = f"Anteil länger als {rules.window_months} Monate vollziehbar ausreisepflichtig – Annahme"
        long_help = (
            "Standard 100 % (Obergrenze). Laut Landesregierung ist eine genaue kommunale Aufteilung nicht möglich; "
            "Langzeitgeduldete überwiegen (Bochum 2020: 455 von 1.072 seit 5+ Jahren in der Stadt)."
        )
    else:
        long_label = "Anteil der Bestandsgeduldeten (Duldung bis 31.12.2020) – Annahme"
        long_help = "Standard 100 % (Obergrenze für 2021). Nicht erhoben; nimmt in späteren Jahren ab."
    share_long = st.slider(
        long_label,
        0,
        100,
        100,
        format="%d %%",
        key=f"geduldete:kosten_sl:{unit}:{rules.regime}",
        help=long_help,
    )
    one_off_persons = 0.0
    compensation_share = 0.0
    if rules.regime == "one_off":
        one_off_persons = st.number_input(
            f"Im Jahr {year} neu vollziehbar ausreisepflichtig gewordene Personen (Einmalzahlung) – Annahme",
            min_value=0,
            value=0,
            step=10,
            key=f"geduldete:kosten_einmal:{unit}:{year}",
            help="Nicht erhoben. Standard 0: dann wird keine Einmalzahlung abgezogen (Schätzung eher zu hoch).",
        )
        if rules.compensation is not None:
            compensation_share = (
                german_number(
                    "Anteil der Kommune am landesweiten Ausgleich (%) – Annahme",
                    0.0,
                    high=100.0,
                    key=f"geduldete:kosten_ausgleich:{unit}:{year}",
                    help="Die Anteile der Kommunen (nach den Pauschalen für Geduldete 2018–2020) wurden nicht "
                    "erhoben. Standard 0 %: dann wird kein Ausgleich abgezogen (Schätzung eher zu hoch).",
                )
                / 100
            )
    return costmodel.Inputs(
        persons=float(persons),
        cost_month=float(cost_month),
        share_benefit=share_benefit / 100,
        share_long=share_long / 100,
        one_off_persons=float(one_off_persons),
        compensation_share=compensation_share,
    )


def store_name(a: costmodel.Amount) -> str:
    if a.indicator.endswith("_kreisfrei"):
        return "kreisfreie Städte NRW"
    return "NRW-Durchschnitt" if a.region == NRW else data.store().regions.name(a.region)


def _result(rules: costmodel.Rules, inputs: costmodel.Inputs, name: str) -> None:
    result = costmodel.estimate(rules, inputs)
    with st.container(border=True):
        st.metric(f"Schätzung: nicht erstattete Kosten {name} {rules.year}", costmodel.eur(result.total))
        st.markdown(f"**{result.bound_text}**")
        st.markdown("**So gerechnet**")
        rows = [
            f"| {html.escape(line.label)} | {line.formula} | {costmodel.eur(line.value)} |"
            for line in result.lines
        ]
        st.markdown(
            "| Posten | Rechnung | Betrag |\n|---|---|---:|\n"
            + "\n".join(rows)
            + f"\n| **Summe** | | **{costmodel.eur(result.total)}** |"
        )
        for note in result.notes:
            st.caption(note)
        st.caption(
            "Schätzung mit den oben gezeigten Annahmen; keine amtliche Zahl. Methode: "
            "Geduldete × Anteil Leistungsbezug × Anteil ohne Erstattung × Monate × Kosten je Monat − Landeszahlungen."
        )


def _statements(unit: str, name: str) -> None:
    st.subheader("Was Städte sagen")
    rows = costmodel.cost_statements(data.store(), unit)
    if rows.empty:
        st.caption("Keine veröffentlichten Kostenangaben im Datenstand.")
        return
    if not rows["own"].any():
        st.caption(
            f"Für {name} liegt keine veröffentlichte Kostenangabe im Datenstand; gezeigt: NRW-weite Angaben."
        )
    catalogue = data.store().catalogue
    for _, row in rows.iterrows():
        with st.container(border=True):
            quote = row["quote"] or costmodel.eur(row["value"])
            what = catalogue[row["indicator"]].title
            st.markdown(f"> „{html.escape(quote)}“")
            extra = f" · {row['bound']}" if row["bound"] else ""
            st.caption(
                f"**{html.escape(row['name'])}**, {int(row['year'])}: {what}{extra} · Wert im Datenstand: "
                f"{costmodel.eur(row['value'])} · Quelle: [{html.escape(row['source_label'])}]({row['source_url']}) "
                "– Aussage, keine Statistik"
            )
