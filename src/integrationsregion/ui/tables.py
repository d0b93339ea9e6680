"""Tables whose rows have different units: values stay numeric (sortable), shown in German notation.

`st.column_config` formats a whole column, but a Steckbrief or Vergleich row each has its own decimals,
so the display text comes from `formatting.number` through a Styler's `format` (display only; sorting
uses the numbers); the unit stands once, after the indicator's name. Columns are as narrow as their
texts, so a table fits the main column of a 1440 px desktop (`FIT_WIDTH`) without sideways scrolling;
the indicator's name gets the rest and wraps (the grid wraps text only in rows taller than 4rem, so
rows are three or more lines high). Sources, Stand and quality of each row follow below the grid as
wrapped text. Cards for phones replace the grid below 700 px (CSS on the keyed containers), so both
exist once in the page and the browser shows one.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from integrationsregion import formatting as fmt
from integrationsregion.ui.links import methodik_link
from integrationsregion.views.steckbrief import TREND_HELP, ThemeTable
from integrationsregion.views.vergleich import Table

FIT_WIDTH = 975  # px: the main column of a 1440 px desktop beside the sidebar (measured in Chromium)
CHAR = 6.6  # px per character of the grid's 14 px font (generous)
CELL_PADDING = 18  # px left and right of a cell's text, with the header's sort mark
LINE = 20  # px per wrapped line
NAME_WIDTH = 240  # px: indicator names with their unit in three lines where the table has room
MIN_NAME_WIDTH = 180
YEAR_WIDTH = 52
VERDICT_WIDTH = 160  # px: "ungünstiger als Ruhr (+10,9 Prozentpunkte)" in three lines
STECKBRIEF_COLUMNS = {"Rang": 52, "von": 44, "Verlauf": 80}
MAX_HEIGHT = 760
VERDICT_STYLE = {"better": "color: #1a7f37; font-weight: 600", "worse": "color: #b42318; font-weight: 600"}
PHONE_CSS = """<style>
@media (max-width: 700px) { .st-key-wide-tables { display: none; } }
@media (min-width: 701px) { .st-key-phone-cards { display: none; } }
.ir-cards { display: grid; gap: .5rem; }
.ir-card { border: 1px solid #d0d7de; border-radius: .5rem; padding: .5rem .75rem; }
.ir-card h5 { margin: 0 0 .25rem 0; font-size: 1rem; font-weight: 600; line-height: 1.3; }
.ir-card .ir-value { font-size: 1.35rem; font-weight: 600; }
.ir-card .ir-meta { color: #4a5560; font-size: .85rem; }
.ir-card .better { color: #1a7f37; } .ir-card .worse { color: #b42318; }
.ir-card .ir-spark { display: block; margin: .15rem 0; }
</style>"""


def per_row_format(
    table: pd.DataFrame,
    value_cols: Sequence[str],
    decimals: Sequence[int],
    *,
    uuid: str,
    missing: str,
    verdicts: Sequence[str | None] | None = None,
    rounded_zeros: Sequence[Sequence[str]] | None = None,
) -> Styler:
    """`table` with each row's value columns as German numbers in that row's decimals (`missing` for gaps);
    `rounded_zeros` (per row, the value columns whose 0 is only cells rounded to 0) read "gerundet 0".

    A fixed uuid keeps an unchanged table an unchanged message (the browser's message cache).
    """
    styler = table.style.set_uuid(uuid)
    groups: dict[int, list[int]] = {}
    for n, dec in enumerate(decimals):
        groups.setdefault(dec, []).append(table.index[n])
    for dec, rows in groups.items():
        styler = styler.format(
            lambda v, dec=dec: missing if fmt.is_missing(v) else fmt.number(v, dec),
            subset=pd.IndexSlice[rows, list(value_cols)],
        )
    for n, cols in enumerate(rounded_zeros or []):
        if cols:
            styler = styler.format(
                lambda _v: fmt.ROUNDED_ZERO, subset=pd.IndexSlice[[table.index[n]], list(cols)]
            )
    if verdicts is not None and "Vergleich" in table:
        styler = styler.apply(
            lambda col: [VERDICT_STYLE.get(v or "", "") for v in verdicts], subset=["Vergleich"]
        )
    return styler


def phone_css() -> None:
    """The media queries that swap wide tables for cards on phones (once per page run)."""
    st.html(PHONE_CSS)


def sparkline(values: Sequence[float]) -> str:
    """A small line of `values` as an image (inline SVG as a data URI: `st.html` keeps images, not SVG
    elements); decorative, the card says the trend in words beside it. Empty for fewer than two values."""
    if len(values) < 2:
        return ""
    width, height, pad = 120, 28, 2
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / (len(values) - 1)
    points = " ".join(
        f"{pad + n * step:.1f},{pad + (height - 2 * pad) * (1 - (v - low) / span):.1f}"
        for n, v in enumerate(values)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<polyline fill="none" stroke="#0b5a8c" stroke-width="2" points="{points}"/></svg>'
    )
    data = base64.b64encode(svg.encode()).decode()
    return (
        f'<img class="ir-spark" width="{width}" height="{height}" alt="" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


def cards(items: Sequence[dict]) -> None:
    """Cards (title, value, year, rank, comparison, reference chips, mini chart, source), text escaped."""
    parts = []
    for c in items:
        trend = (
            f'<div class="ir-meta">{sparkline(c["spark"])} {html.escape(c["trend"])}</div>'
            if c.get("trend")
            else ""
        )
        comparison = (
            f'<div class="ir-meta {html.escape(c.get("verdict", ""))}">{html.escape(c["comparison"])}</div>'
            if c.get("comparison")
            else ""
        )
        rank = f" · {html.escape(c['rank'])}" if c.get("rank") else ""
        quality = f'<div class="ir-meta">{html.escape(c["quality"])}</div>' if c.get("quality") else ""
        chips = f'<div class="ir-meta">{html.escape(c["chips"])}</div>' if c.get("chips") else ""
        parts.append(
            f'<div class="ir-card"><h5>{html.escape(c["title"])}</h5>'
            f'<div class="ir-value">{html.escape(c["value"])}</div>'
            f'<div class="ir-meta">Jahr {html.escape(c["year"])}{rank}</div>{quality}{comparison}{chips}{trend}'
            f'<div class="ir-meta">{html.escape(c["source"])}</div></div>'
        )
    st.html(f'<div class="ir-cards">{"".join(parts)}</div>')


def with_unit(table: pd.DataFrame) -> pd.DataFrame:
    """The indicator's name with its unit ("Ausländeranteil an der Bevölkerung (%)") for the grid."""
    return table.assign(Indikator=table["Indikator"] + " (" + table["Einheit"] + ")")


def value_widths(
    table: pd.DataFrame, columns: Sequence[str], decimals: Sequence[int], missing: str
) -> dict[str, int]:
    """Width of each value column (px): its widest text – header (an area's name), number, `missing` or
    "gerundet 0" – in full."""
    widths = {}
    for c in columns:
        texts = [
            c,
            *(
                missing if fmt.is_missing(v) else fmt.number(v, d)
                for v, d in zip(table[c], decimals, strict=True)
            ),
        ]
        if (table[c] == 0).any():
            texts.append(fmt.ROUNDED_ZERO)
        widths[c] = round(max(len(t) for t in texts) * CHAR) + CELL_PADDING
    return widths


def grid(
    styler: Styler,
    names: Sequence[str],
    columns: Sequence[str],
    widths: dict[str, int],
    *,
    missing: str,
    **column_config: object,
) -> None:
    """A numeric table (sortable, German display) that fits `FIT_WIDTH`: the indicator's name gets the
    width the other columns (`widths`, px) leave, and rows high enough for it to wrap in full."""
    others = YEAR_WIDTH + sum(widths.values())
    name_width = max(MIN_NAME_WIDTH, min(NAME_WIDTH, FIT_WIDTH - others))
    longest = max((len(n) for n in names), default=0)
    lines = max(3, math.ceil(longest * CHAR / (name_width - CELL_PADDING)))  # the grid wraps above 64 px
    row_height = LINE * lines + 6
    st.dataframe(
        styler,
        hide_index=True,
        placeholder=missing,
        width="stretch",
        height=min(38 + row_height * len(names), MAX_HEIGHT),
        row_height=row_height,
        column_order=list(columns),
        column_config={
            "Indikator": st.column_config.TextColumn(width=name_width),
            "Jahr": st.column_config.NumberColumn(format="%d", width=YEAR_WIDTH),
            **{c: st.column_config.NumberColumn(width=w) for c, w in widths.items()},
            **column_config,
        },
    )


def sources(lines: Sequence[str], label: str = "Quellen, Stand und Berechnung je Indikator") -> None:
    """Per row of the table above: its source, Stand and quality as wrapped text (markdown lines)."""
    with st.expander(label, icon=":material/info:"):
        st.markdown("\n".join(f"- {line}" for line in lines))


def profile(parts: Sequence[ThemeTable], card_items: Sequence[dict], names: dict[str, str]) -> None:
    """The Steckbrief: per theme a grid on desktops and cards on phones; `names` maps Ruhr/NRW/Deutschland
    to the names shown."""
    phone_css()
    with st.container(key="wide-tables"):
        for part in parts:
            st.markdown(f"#### {part.heading}")
            value_cols = ["Wert", names["RVR"], names["05"], names["DG"]]
            columns = ["Indikator", "Jahr", *value_cols, "Vergleich", *STECKBRIEF_COLUMNS]
            table = with_unit(part.table).rename(
                columns={"Ruhr": names["RVR"], "NRW": names["05"], "Deutschland": names["DG"]}
            )[columns]  # only what the grid shows is styled and sent
            styled = per_row_format(
                table,
                value_cols,
                part.decimals,
                uuid=f"steckbrief_{part.theme}",
                missing=fmt.DASH,
                verdicts=part.verdicts,
                rounded_zeros=part.rounded_zeros,
            )
            grid(
                styled,
                list(table["Indikator"]),
                columns,
                value_widths(table, value_cols, part.decimals, fmt.DASH)
                | {"Vergleich": VERDICT_WIDTH}
                | STECKBRIEF_COLUMNS,
                missing=fmt.DASH,
                Vergleich=st.column_config.TextColumn(width=VERDICT_WIDTH, help=VERDICT_HELP),
                Rang=st.column_config.NumberColumn(format="%d", width=STECKBRIEF_COLUMNS["Rang"]),
                von=st.column_config.NumberColumn(format="%d", width=STECKBRIEF_COLUMNS["von"]),
                Verlauf=st.column_config.LineChartColumn(
                    "Verlauf", width=STECKBRIEF_COLUMNS["Verlauf"], help=TREND_HELP
                ),
            )
            sources(
                [
                    f"**{r['Indikator']}**: {r['Quelle']}"
                    + ("" if "Stand" in r["Quelle"] else f" · Stand {r['Stand']}")
                    + f" · {r['Qualität']} · [Definition]({methodik_link(r['indicator'])})"
                    for r in part.table.to_dict("records")
                ]
            )
    with st.container(key="phone-cards"):
        for part in parts:
            st.markdown(f"#### {part.heading}")
            cards([c for c in card_items if c["theme"] == part.theme])


VERDICT_HELP = (
    "Nur bei Quoten und Anteilen: verglichen mit dem Ruhr-Wert, wo es ihn gibt, sonst mit NRW; "
    "grün = günstiger, rot = ungünstiger"
)


def comparison(result: Table, card_items: Sequence[dict[str, str]]) -> None:
    """The Vergleich table: a grid on desktops, cards on phones, the sources below the grid."""
    phone_css()
    with st.container(key="wide-tables"):
        columns = ["Indikator", "Jahr", *result.value_columns]
        table = with_unit(result.frame)[columns]  # only what the grid shows is styled and sent
        styled = per_row_format(
            table,
            result.value_columns,
            result.decimals,
            uuid="vergleich",
            missing=fmt.DASH,
            rounded_zeros=result.rounded_zeros,
        )
        grid(
            styled,
            list(table["Indikator"]),
            columns,
            value_widths(table, result.value_columns, result.decimals, fmt.DASH),
            missing=fmt.DASH,
        )
        sources(
            [
                f"**{r['Indikator']}** ({int(r['Jahr'])}): {r['Quelle']}"
                for r in result.frame.to_dict("records")
            ],
            "Quellen je Indikator",
        )
    with st.container(key="phone-cards"):
        cards(card_items)
