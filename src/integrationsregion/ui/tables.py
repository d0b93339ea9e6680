"""Tables whose rows have different units: values stay numeric (sortable), shown in German notation.

`st.column_config` formats a whole column, but a Steckbrief or Vergleich row each has its own unit and
decimals, so the display text comes from `formatting.value` through a Styler's `format` (display only;
sorting uses the numbers). Cards for phones replace the wide tables below 700 px (CSS on the keyed
containers), so both exist once in the page and the browser shows one.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from integrationsregion import formatting as fmt

ROW_HEIGHT = 35
NAME_WIDTH = 440  # px: the longest indicator name in full (the grid does not wrap text)
TEXT_WIDTH = 470  # px: the comparison wording in full
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
</style>"""


def per_row_format(
    table: pd.DataFrame,
    value_cols: Sequence[str],
    units: Sequence[str],
    decimals: Sequence[int],
    *,
    uuid: str,
    verdicts: Sequence[str | None] | None = None,
    rounded_zeros: Sequence[Sequence[str]] | None = None,
) -> Styler:
    """`table` with each row's value columns shown in that row's unit and decimals ("keine Daten" for gaps);
    `rounded_zeros` (per row, the value columns whose 0 is only cells rounded to 0) read "gerundet 0".

    A fixed uuid keeps an unchanged table an unchanged message (the browser's message cache).
    """
    styler = table.style.set_uuid(uuid)
    groups: dict[tuple[str, int], list[int]] = {}
    for n, key in enumerate(zip(units, decimals, strict=True)):
        groups.setdefault(key, []).append(table.index[n])
    for (unit, dec), rows in groups.items():
        styler = styler.format(
            lambda v, unit=unit, dec=dec: fmt.value(v, unit, dec),
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


def cards(items: Sequence[dict[str, str]]) -> None:
    """Cards (title, value, year, rank, comparison, reference chips, source), all text escaped."""
    parts = []
    for c in items:
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
            f'<div class="ir-meta">Jahr {html.escape(c["year"])}{rank}</div>{quality}{comparison}{chips}'
            f'<div class="ir-meta">{html.escape(c["source"])}</div></div>'
        )
    st.html(f'<div class="ir-cards">{"".join(parts)}</div>')


def numeric_table(styler: Styler, rows: int, *, placeholder: str, **column_config: object) -> None:
    """A wide numeric table (sortable, German display) with the full indicator name pinned."""
    st.dataframe(
        styler,
        hide_index=True,
        width="stretch",
        height=min(38 + ROW_HEIGHT * rows, 700),
        placeholder=placeholder,
        column_config={
            "Indikator": st.column_config.TextColumn(width=NAME_WIDTH, pinned=True),
            "Jahr": st.column_config.NumberColumn(format="%d", width="small"),
            **column_config,
        },
    )
