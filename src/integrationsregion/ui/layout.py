"""Page furniture: headers, source lines, statement cards, footer."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from integrationsregion import formatting, geometry
from integrationsregion.catalogue import Indicator
from integrationsregion.conference import Statement
from integrationsregion.ui.links import methodik_link
from integrationsregion.views.common import provenance_notes, sources_text


def source_line(rows: pd.DataFrame, indicator: Indicator, *, map_shown: bool = False) -> None:
    """The sources, Stand, quality and licence of the values shown, below a figure."""
    labels_col, quality = rows["source_label"].to_numpy(), rows["quality"].to_numpy()
    if "value" in rows:  # only rows with a value
        with_value = rows["value"].notna().to_numpy()
        labels_col, quality = labels_col[with_value], quality[with_value]
    secondary = bool((quality == "secondary").any())
    parts = [f"Quelle: {sources_text(labels_col)}"]
    parts.append(indicator.attribution)
    if secondary:
        parts.append("enthält Sekundärquellen (gekennzeichnet)")
    parts += provenance_notes(rows)
    if map_shown:
        parts.append(f"Karte: [{geometry.ATTRIBUTION}]({geometry.ATTRIBUTION_URL})")
    parts.append(f"[Definition]({methodik_link(indicator.id)})")
    st.caption(" · ".join(parts))


def statement_card(
    statement: Statement, indicator_titles: dict[str, str], details: str | None = None
) -> None:
    """A conference statement with its speaker, quote (if any), optional details (markdown) and the
    indicators it concerns."""
    with st.container(border=True):
        st.markdown(f"**{html.escape(statement.speaker)}**  \n{html.escape(statement.role)}")
        if statement.quote:
            st.markdown(f"> „{statement.quote}“")
            st.caption(f"Zitat: [{statement.quote_source}]({statement.quote_url})")
        st.write(statement.paraphrase)
        if details:
            st.markdown(details)
        links = [
            f"[{indicator_titles[i]}]({methodik_link(i)})"
            for i in statement.indicators
            if i in indicator_titles
        ]
        if links:
            st.caption("Bezug zu: " + " · ".join(links))


def footer() -> None:
    """Sources and licences of the dashboard, on every page."""
    st.divider()
    st.caption(
        "Daten: © Statistik der Bundesagentur für Arbeit · Statistische Ämter des Bundes und der Länder, "
        "[dl-de/by-2-0](https://www.govdata.de/dl-de/by-2-0) · © Statistisches Bundesamt (Destatis) · "
        "© IT.NRW · Karten: [© GeoBasis-DE / BKG (Daten verändert)](https://www.bkg.bund.de) · "
        "Sekundärquellen sind als solche gekennzeichnet; Schätzungen sind als Schätzung ausgewiesen. "
        "Konferenz: [Regionalverband Ruhr, Sozialkonferenz Ruhr 2019]"
        "(https://www.rvr.ruhr/themen/bildung-wissenschaft/sozialkonferenz-ruhr/)."
    )


def german_number(
    label: str,
    value: float,
    *,
    key: str,
    decimals: int = 2,
    low: float = 0.0,
    high: float | None = None,
    **kwargs,
) -> float:
    """A number field in German notation ("1.354,83"); a bad entry is said in German and `value` is used."""
    text = st.text_input(label, value=formatting.number(value, decimals), key=key, **kwargs)
    try:
        number = formatting.parse_number(text)
    except ValueError as err:
        st.warning(
            f"{err}; gerechnet wird mit {formatting.number(value, decimals)}.", icon=":material/warning:"
        )
        return value
    if number < low or (high is not None and number > high):
        bounds = (
            f"{formatting.number(low, decimals)} bis {formatting.number(high, decimals)}"
            if high is not None
            else f"ab {formatting.number(low, decimals)}"
        )
        st.warning(f"Erlaubt sind Werte {bounds}; gerechnet wird mit {formatting.number(value, decimals)}.")
        return value
    return number
