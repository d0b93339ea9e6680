"""A chart's data as a table: the alternative to a figure for keyboard and screen-reader users.

`chart_table(fig, key)` puts a collapsed expander "Tabelle zum Diagramm: …" under a chart; its summary is
reachable with the Tab key and opens with Enter/Space, and the table inside is an HTML `<table>` (`st.table`)
that screen readers read row by row; it is built only while the expander is open. The rows come from the
figure itself (`figure_rows`), so the table always says what the chart shows: one row per drawn point (bar,
line point, map unit), values in German notation, gaps "keine Daten".
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from integrationsregion.formatting import NO_DATA
from integrationsregion.formatting import number as format_number


def _title(text: object) -> str:
    raw = getattr(text, "text", text)
    return str(raw or "").replace("<br>", " ").strip()


def _number(value: object) -> str:
    """A number in German notation with at most two decimals (trailing zeros dropped); other values as text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = format_number(float(value), 2)
        return text.rstrip("0").rstrip(",")
    return str(value)


def _category(value: object) -> str:
    """An axis category as text; years stay "2019" (no thousands separator)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(trace, key: str) -> list:
    values = getattr(trace, key, None)
    return list(values) if values is not None else []


def figure_rows(fig: go.Figure) -> pd.DataFrame:
    """One row per drawn data point of `fig`: series (trace name), category/place, value; text-only traces
    (map labels) are left out."""
    rows = []
    x_title = _title(fig.layout.xaxis.title.text) if fig.layout.xaxis and fig.layout.xaxis.title else ""
    y_title = _title(fig.layout.yaxis.title.text) if fig.layout.yaxis and fig.layout.yaxis.title else ""
    for trace in fig.data:
        if trace.visible is False or getattr(trace, "mode", None) == "text":
            continue
        name = trace.name or ""
        if trace.type in ("choropleth", "choroplethmap"):
            x_title = (
                x_title or "Gebiet"
            )  # a map: the category is the area, the value titled by its colour bar
            bar = getattr(trace, "colorbar", None)
            y_title = y_title or (_title(bar.title.text) if bar and bar.title else "")
            hover_names = [d[0] for d in _labels(trace, "customdata") if len(d) and isinstance(d[0], str)]
            places = (
                _labels(trace, "text")
                or _labels(trace, "hovertext")
                or hover_names
                or _labels(trace, "locations")
            )
            for place, value in zip(places, _labels(trace, "z"), strict=False):
                rows.append({"Reihe": name, "Kategorie": str(place), "Wert": _number(value)})
            continue
        x, y = _labels(trace, "x"), _labels(trace, "y")
        if not x or not y:
            continue
        horizontal = getattr(trace, "orientation", None) == "h"
        categories, values = (y, x) if horizontal else (x, y)
        for category, value in zip(categories, values, strict=False):
            rows.append({"Reihe": name, "Kategorie": _category(category), "Wert": _number(value)})
    table = pd.DataFrame(rows, columns=["Reihe", "Kategorie", "Wert"])
    if table["Reihe"].nunique() <= 1:
        table = table.drop(columns="Reihe")
    category_title, value_title = (y_title, x_title) if _is_horizontal(fig) else (x_title, y_title)
    return table.rename(columns={"Kategorie": category_title or "Kategorie", "Wert": value_title or "Wert"})


def _is_horizontal(fig: go.Figure) -> bool:
    return any(getattr(t, "orientation", None) == "h" for t in fig.data)


def chart_table(fig: go.Figure, key: str, title: str | None = None) -> None:
    """A collapsed expander under a chart with the chart's data as an accessible table; the table is built
    and sent only while the expander is open (opening it reruns the page or fragment)."""
    label = title or _title(fig.layout.title.text if fig.layout.title else "") or "Diagramm"
    box = st.expander(f"Tabelle zum Diagramm: {label}", icon=":material/table:", key=key, on_change="rerun")
    if not box.open:
        return
    table = figure_rows(fig)
    with box:
        if table.empty:
            st.caption(NO_DATA)
        else:
            st.table(table.set_index(table.columns[0]))
