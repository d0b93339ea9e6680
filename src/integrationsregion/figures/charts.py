"""Bar charts and time series of one indicator: pure plotly, no Streamlit.

Conventions shared by every builder:
- units without a value are listed as "keine Daten" (text, never a zero bar); time series insert
  missing years as None and never connect across them or across a series break (`data/breaks.toml`);
- German number format (`formatting.value`), hover with value, year (Stichtag where it is not 31.12.)
  and source; values from secondary sources are hatched and say so in the hover;
- colours from the Okabe-Ito palette (colour-blind safe); references also differ by dash style;
- the title (with year) and a short source line are part of the figure, so an exported PNG carries them.
"""

from __future__ import annotations

import math
import re
import textwrap

import pandas as pd
import plotly.graph_objects as go

from integrationsregion import formatting as fmt
from integrationsregion import regions as region_registry
from integrationsregion.breaks import SeriesBreak
from integrationsregion.catalogue import Indicator, breakdown_label, indicator_label
from integrationsregion.formatting import NO_DATA
from integrationsregion.regions import GERMANY, NRW, RUHR

NO_DATA_LABEL = NO_DATA
SECONDARY_NOTE = "schraffiert = Sekundärquelle"

# Okabe-Ito (Okabe & Ito 2008), distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
ORANGE = "#E69F00"
VERMILLION = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
BLACK = "#000000"
GREY = "#B8B8B8"
BAR = SKY
BAR_SELECTED = VERMILLION
BREAKDOWN_COLOURS = {"total": BLUE, "foreign": ORANGE}

REFERENCE_STYLE = {  # names: `_reference_name` (regions.csv)
    RUHR: {"color": GREEN, "dash": "solid"},
    NRW: {"color": PURPLE, "dash": "dash"},
    GERMANY: {"color": BLACK, "dash": "dot"},
}

MODEBAR = 46  # px from the top to the title: plotly's toolbar (about 28 px) sits in the top right corner
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14}
BREAKDOWN_SLUGS = {
    "total": "insgesamt",
    "foreign": "auslaender",
    "german": "deutsche",
    "syria": "syrien",
    "afghanistan": "afghanistan",
    "iraq": "irak",
}


# --------------------------------------------------------------------------------------------- helpers


def _reference_name(ags: str) -> str:
    """A comparison area's short name in `regions.csv` ("Ruhr", "NRW", "Deutschland")."""
    return region_registry.current()[ags].short_name


def slug(text: str) -> str:
    """ASCII file-name part of a German text: "Ausländer/-innen" -> "auslaender_innen"."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def export_filename(indicator: Indicator, breakdown: str, year: int | None = None, kind: str = "") -> str:
    """German file name for plotly's PNG export, e.g. `arbeitslosenquote_auslaender_2019`."""
    parts = [slug(indicator.short)]
    if len(indicator.breakdowns) > 1 or breakdown != "total":
        parts.append(BREAKDOWN_SLUGS.get(breakdown, slug(breakdown)))
    if year is not None:
        parts.append(str(year))
    if kind:
        parts.append(slug(kind))
    return "_".join(parts)


GERMAN = {
    "Download plot as a PNG": "Als PNG herunterladen",
    "Download plot": "Diagramm herunterladen",
    "Taking snapshot - this may take a few seconds": "Bild wird erstellt – das kann einige Sekunden dauern",
    "Snapshot succeeded": "Bild erstellt",
    "Sorry, there was a problem downloading your snapshot!": "Das Bild konnte nicht erstellt werden.",
    "Zoom": "Zoomen",
    "Pan": "Verschieben",
    "Zoom in": "Vergrößern",
    "Zoom out": "Verkleinern",
    "Reset": "Zurücksetzen",
    "Reset axes": "Achsen zurücksetzen",
    "Reset view": "Ansicht zurücksetzen",
    "Autoscale": "Automatisch skalieren",
    "Toggle Spike Lines": "Hilfslinien ein/aus",
    "Show closest data on hover": "Nächsten Wert beim Überfahren zeigen",
    "Compare data on hover": "Werte beim Überfahren vergleichen",
    "Double-click to zoom back out": "Doppelklick zum Herauszoomen",
}
"""plotly.js' own texts (toolbar titles, notices) in German: plotly ships them in English only."""


def plotly_config(filename: str) -> dict:
    """`config` for `st.plotly_chart`: German toolbar and PNG file name, no plotly logo, no box/lasso
    tools."""
    return {
        "locale": "de",
        "locales": {"de": {"dictionary": GERMAN}},
        "displaylogo": False,
        "scrollZoom": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    }


def title_text(indicator: Indicator, breakdown: str, year: int | None = None, width: int = 42) -> str:
    """Figure title: indicator, breakdown (if there is a choice and the title does not say it already)
    and year, wrapped for small screens."""
    text = indicator_label(indicator, breakdown)
    if year is not None:
        text += f", {year}"
    return "<br>".join(textwrap.wrap(text, width)) or text


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


def _year_line(year: object, ref_date: object) -> str:
    """Hover line for the year; names the Stichtag when it is not simply the year or its 31.12."""
    day = fmt.day(ref_date)
    year_text = str(int(year)) if not _is_missing(year) else "–"
    if day and day not in (year_text, f"31.12.{year_text}"):
        return f"Jahr: {year_text} (Stichtag {day})"
    return f"Jahr: {year_text}"


def _source_text(row: pd.Series) -> str:
    label = row.get("source_label")
    text = "–" if _is_missing(label) else str(label)
    if row.get("quality") == "secondary" and "Sekundär" not in text:
        text += " (Sekundärquelle)"
    return text


def _layout(
    fig: go.Figure,
    title: str,
    note: str = "",
    *,
    height: int,
    bottom: int = 70,
    right: int = 20,
    legend_gap: int = 32,
) -> None:
    """Title, fonts, German separators and the legend below the x axis. The source line is not part of
    the figure: the page prints one below it (never cut at the figure's edge, never twice); `note` is a
    short key such as "schraffiert = Sekundärquelle"; `right` is the margin (px) beside the plot and
    `legend_gap` the distance (px) from the x axis to the legend."""
    top = MODEBAR + 60 + 18 * title.count("<br>")
    plot_height = max(height - top - bottom, 100)
    annotations = [*fig.layout.annotations]
    if note:
        annotations.append(
            {
                "text": note,
                "x": 0,
                "y": 0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -(bottom - 14),
                "align": "left",
                "showarrow": False,
                "font": {"size": 12, "color": "#444444"},
            }
        )
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1 - MODEBAR / height,  # below the chart toolbar, which sits in the top right corner
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 17},
        },
        font=FONT,
        separators=",.",
        height=height,
        margin={"l": 10, "r": right, "t": top, "b": bottom + (18 if note else 0)},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hoverlabel={"bgcolor": "white", "bordercolor": "#333333", "font": {"size": 13, "color": "#1b1f24"}},
        # below the x tick labels (about 30 px), whatever the figure's height
        legend={
            "orientation": "h",
            "x": 0,
            "y": -legend_gap / plot_height,
            "yanchor": "top",
            "xanchor": "left",
        },
        annotations=annotations,
    )


def label_room(texts: list[str], size: float = FONT["size"]) -> int:
    """Pixels beside the plot for value labels outside the bar ends: the widest label at a generous
    0.6 em per character. A margin in pixels holds at every figure width (a share of the axis range is
    too little on a phone and too much on a big screen)."""
    widest = max((len(t) for t in texts), default=0)
    return int(widest * 0.6 * size) + 12


def _bar_text(indicator: Indicator, value: object) -> str:
    """A bar's value label: the number ("%" with it); any other unit stands once, in the axis title."""
    if indicator.unit == "percent":
        return _value_text(indicator, value)
    return fmt.number(value, indicator.decimals)  # type: ignore[arg-type]


def _unit_axis_title(indicator: Indicator) -> dict:
    """The value axis' title: the unit, where the bar labels do not carry it."""
    return {"text": "" if indicator.unit == "percent" else indicator.unit_label, "font": {"size": 12}}


def _value_text(indicator: Indicator, value: object, rounding: object = "") -> str:
    return fmt.value(value, indicator.unit, indicator.decimals, rounding)


def _rounded_zero(frame: pd.DataFrame) -> pd.Series:
    """Rows whose 0 only comes from cells rounded to 0: not comparable, never drawn as a zero bar."""
    if "rounding" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["rounding"].eq("zero_from_rounding")


# --------------------------------------------------------------------------------------------- ranking


def ranking(
    cross_section: pd.DataFrame,
    references: pd.DataFrame,
    indicator: Indicator,
    *,
    breakdown: str,
    year: int,
    highlight: str | None = None,
    compact: bool = False,
) -> go.Figure:
    """Horizontal bars of the 15 units (highest first), reference lines for Ruhr/NRW/Deutschland.

    `cross_section`: `Store.cross_section` (region, name, value, year, source_label, quality, ref_date);
    `references`: `Store.references`. Units without a value are listed at the end as "keine Daten".
    """
    cs = cross_section.copy()
    comparable = cs["value"].notna() & ~_rounded_zero(cs)
    present = cs[comparable].sort_values("value", ascending=False, kind="stable")
    missing = cs[~comparable]
    gap_text = [fmt.ROUNDED_ZERO_GAP if z else NO_DATA_LABEL for z in _rounded_zero(missing).tolist()]
    order = list(present["name"]) + list(missing["name"])
    labels = {
        name: f"<b>{name}</b>" if region == highlight else name
        for name, region in zip(cs["name"], cs["region"], strict=True)
    }

    fig = go.Figure()
    if len(present):
        secondary = present["quality"].eq("secondary")
        fig.add_trace(
            go.Bar(
                x=present["value"].astype(float).tolist(),
                y=[labels[n] for n in present["name"]],
                orientation="h",
                marker={
                    "color": [BAR_SELECTED if r == highlight else BAR for r in present["region"]],
                    "pattern": {"shape": ["/" if s else "" for s in secondary], "fgcolor": "#333333"},
                    "line": {"width": 0},
                },
                text=[_bar_text(indicator, v) for v in present["value"]],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [
                        n,
                        _value_text(indicator, row["value"]),
                        _year_line(row["year"], row.get("ref_date")),
                        _source_text(row),
                    ]
                    for n, (_, row) in zip(present["name"], present.iterrows(), strict=True)
                ],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<br>"
                "Quelle: %{customdata[3]}<extra></extra>",
                showlegend=False,
                name=indicator.short,
            )
        )
    if len(missing):
        fig.add_trace(
            go.Scatter(
                x=[0] * len(missing),
                y=[labels[n] for n in missing["name"]],
                mode="text",
                text=[f"  {t}" for t in gap_text],
                textposition="middle right",
                textfont={"color": "#666666", "size": 13},
                customdata=[[n, t, str(year)] for n, t in zip(missing["name"], gap_text, strict=True)],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} für %{customdata[2]}<extra></extra>",
                showlegend=False,
                name=NO_DATA_LABEL,
            )
        )

    refs = references.dropna(subset=["value"]) if len(references) else references
    if indicator.is_count:
        refs = refs.iloc[0:0]  # a count of NRW is no reference for a Kreis
    ref_labels = []
    if len(refs):
        # References as their own bars below the units (never lines across the value labels).
        styles = [REFERENCE_STYLE[r] for r in refs["region"]]
        ref_names = [_reference_name(r) for r in refs["region"]]
        ref_labels = [f"<i>{n}</i>" for n in ref_names]
        fig.add_trace(
            go.Bar(
                x=refs["value"].astype(float).tolist(),
                y=ref_labels,
                orientation="h",
                marker={"color": [st["color"] for st in styles], "line": {"width": 0}},
                text=[_bar_text(indicator, v) for v in refs["value"]],
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [n, _value_text(indicator, row["value"]), _source_text(row)]
                    for n, (_, row) in zip(ref_names, refs.iterrows(), strict=True)
                ],
                hovertemplate="<b>%{customdata[0]}</b> (Vergleichswert)<br>%{customdata[1]}<br>"
                "Quelle: %{customdata[2]}<extra></extra>",
                showlegend=False,
                name="Vergleichswerte",
            )
        )

    values = (
        [float(v) for v in present["value"]] + [float(v) for v in refs["value"]]
        if len(refs)
        else [float(v) for v in present["value"]]
    )
    top = max(values) if values else 1.0
    low = min(0.0, min(values)) if values else 0.0
    fig.update_xaxes(
        range=[low, top * 1.02 if top > 0 else 1.0],  # the labels stand in the right margin
        title=_unit_axis_title(indicator),
        tickformat=f",.{min(indicator.decimals, 1)}f",
        gridcolor="#e5e5e5",
        zeroline=True,
        zerolinecolor="#999999",
        fixedrange=True,
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[labels[n] for n in order] + ref_labels,
        autorange="reversed",
        fixedrange=True,
        automargin=True,
    )
    has_secondary = bool(len(present)) and present["quality"].eq("secondary").any()
    bar_height = 20 if compact else 28
    _layout(
        fig,
        title_text(indicator, breakdown, year),
        SECONDARY_NOTE if has_secondary else "",
        height=110 + bar_height * (len(order) + len(ref_labels)),
        bottom=60,
        right=label_room([t for trace in fig.data if trace.type == "bar" for t in trace.text]),
    )
    fig.update_layout(bargap=0.25)
    return fig


# --------------------------------------------------------------------------------------------- time series


def time_series(
    series: pd.DataFrame,
    indicator: Indicator,
    *,
    breakdown: str,
    breaks: list[SeriesBreak] = (),
    highlight: str | None = None,
    background: list[str] = (),
) -> go.Figure:
    """Lines over all years of the data; missing years are gaps, breaks are marked and never bridged.

    `series`: `Store.series` rows (region, name, year, value, ref_date, quality, source_label).
    Regions in `background` are drawn thin and grey (context), `highlight` bold, the references
    (Ruhr/NRW/Deutschland) in their colours and dash styles; any other region in a palette colour.
    """
    data = series.dropna(subset=["value"])
    breaks = [b for b in breaks if b.applies(indicator.id, breakdown)]
    fig = go.Figure()
    if data.empty:
        _layout(fig, title_text(indicator, breakdown), height=300)
        fig.add_annotation(text=NO_DATA_LABEL, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return fig

    first, last = int(data["year"].min()), int(data["year"].max())
    cuts = [b.position for b in breaks if first <= b.between[0] and b.between[1] <= last]
    axis = sorted([float(y) for y in range(first, last + 1)] + cuts)
    palette = [BLUE, ORANGE, GREEN, PURPLE, SKY]
    extra = 0

    ordered = list(dict.fromkeys(data["region"]))
    # Background first (drawn below), then other regions, the references and the highlight on top.
    rank = {
        r: (
            0
            if r in background and r != highlight
            else 2
            if r in REFERENCE_STYLE
            else 3
            if r == highlight
            else 1
        )
        for r in ordered
    }
    shown_background = False
    notes = set()
    for region in sorted(ordered, key=lambda r: rank[r]):
        rows = data[data["region"] == region].set_index("year")
        name = str(rows["name"].iloc[0])
        off = off_stichtag_years(rows)
        zeros = set(rows.index[_rounded_zero(rows)])
        notes |= {OFF_STICHTAG_NOTE} if off else set()
        notes |= {ROUNDED_ZERO_NOTE} if zeros else set()
        ys, custom, open_points = [], [], []
        for x in axis:
            year = int(x) if float(x).is_integer() else None
            if year is not None and year in rows.index and year not in off | zeros:
                row = rows.loc[year]
                ys.append(float(row["value"]))
                open_points.append(row.get("quality") == "secondary")
                custom.append(
                    [
                        _value_text(indicator, row["value"]),
                        _year_line(year, row.get("ref_date")),
                        _source_text(row),
                    ]
                )
            else:
                ys.append(None)  # a gap: no point, no hover
                custom.append(["", "", ""])
                open_points.append(False)
        if region in background and region != highlight:
            line = {"color": GREY, "width": 1}
            marker = {"size": 5, "color": GREY}
            legend = {
                "name": "übrige Einheiten",
                "legendgroup": "background",
                "showlegend": not shown_background,
            }
            shown_background = True
        elif region in REFERENCE_STYLE:
            style = REFERENCE_STYLE[region]
            line = {"color": style["color"], "dash": style["dash"], "width": 2.5}
            marker = {"size": 7, "color": style["color"], "symbol": "diamond"}
            legend = {"name": _reference_name(region)}
        elif region == highlight:
            line = {"color": VERMILLION, "width": 4}
            marker = {"size": 10, "color": VERMILLION}
            legend = {"name": name}
        else:
            colour = palette[extra % len(palette)]
            extra += 1
            line = {"color": colour, "width": 2.5}
            marker = {"size": 8, "color": colour}
            legend = {"name": name}
        base = marker.get("symbol", "circle")
        marker["symbol"] = [f"{base}-open" if o else base for o in open_points]  # secondary: open marker
        fig.add_trace(
            go.Scatter(
                x=axis,
                y=ys,
                mode="lines+markers",
                connectgaps=False,
                line=line,
                marker=marker,
                customdata=custom,
                meta=[name],  # once per trace instead of once per point: the figure is resent per rerun
                hovertemplate="<b>%{meta[0]}</b><br>%{customdata[0]}<br>%{customdata[1]}<br>"
                "Quelle: %{customdata[2]}<extra></extra>",
                **legend,
            )
        )
        if off:  # another Stichtag: its own point, not joined to the annual line
            points = rows.loc[sorted(off)]
            fig.add_trace(
                go.Scatter(
                    x=[float(y) for y in points.index],
                    y=points["value"].astype(float).tolist(),
                    mode="markers",
                    marker={**marker, "symbol": "diamond-wide-open", "size": marker["size"] + 3},
                    customdata=[
                        [
                            _value_text(indicator, r["value"]),
                            _year_line(y, r.get("ref_date")),
                            _source_text(r),
                        ]
                        for y, r in points.iterrows()
                    ],
                    meta=[name],
                    hovertemplate="<b>%{meta[0]}</b><br>%{customdata[0]}<br>%{customdata[1]} – anderer "
                    "Stichtag, nicht mit der Linie verbunden<br>Quelle: %{customdata[2]}<extra></extra>",
                    showlegend=False,
                    legendgroup=legend.get("legendgroup"),
                    name=f"{name} (anderer Stichtag)",
                )
            )

    for b in breaks:
        if b.position not in cuts:
            continue
        fig.add_vline(x=b.position, line={"color": "#444444", "dash": "dot", "width": 1.5})
        fig.add_annotation(
            x=b.position,
            y=1,
            yref="paper",
            text=f"Bruch: {b.label}",
            hovertext=b.detail,
            showarrow=False,
            yanchor="bottom",
            font={"size": 12, "color": "#444444"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    years = list(range(first, last + 1))
    # Few years: every year labelled. Many: plotly spaces the labels by the axis' width (none overlap on
    # a phone); whole steps only, so no "2019,5".
    ticks = {"tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years]}
    if len(years) > 6:
        ticks = {"tickmode": "auto", "tickformat": "d"}
    fig.update_xaxes(
        **ticks,
        range=[first - 0.4, last + 0.4],
        gridcolor="#eeeeee",
        fixedrange=True,
    )
    fig.update_yaxes(
        tickformat=f",.{min(indicator.decimals, 1)}f",
        title={"text": indicator.unit_label, "font": {"size": 12}},
        gridcolor="#e5e5e5",
        rangemode="tozero",
        fixedrange=True,
    )
    if data["quality"].eq("secondary").any():
        notes.add("offene Punkte = Sekundärquelle (siehe Tooltip)")
    note = "<br>".join(sorted(notes))
    # room below the axis for a legend in up to three rows (phones) before the note
    _layout(fig, title_text(indicator, breakdown), note, height=470 + 18 * note.count("<br>"), bottom=120)
    return fig


OFF_STICHTAG_NOTE = "◇ ohne Linie = anderer Stichtag als im übrigen Verlauf (siehe Tooltip)"
ROUNDED_ZERO_NOTE = f"Lücke = {fmt.ROUNDED_ZERO_GAP}"


def off_stichtag_years(rows: pd.DataFrame) -> set[int]:
    """Years (the index of `rows`) whose reference day lies in another month than the series' usual
    Stichtag (the most frequent month); year-only reference dates are not compared."""
    months = rows["ref_date"].astype(str).str.extract(r"^\d{4}-(\d{2})")[0]
    known = months.dropna()
    if known.nunique() < 2:
        return set()
    usual = known.mode().iloc[0]
    return {int(y) for y, m in zip(rows.index, months, strict=True) if isinstance(m, str) and m != usual}


# --------------------------------------------------------------------------------------------- nationality


def nationality_comparison(
    total: pd.DataFrame,
    foreign: pd.DataFrame,
    indicator: Indicator,
    *,
    year: int,
    total_refs: pd.DataFrame | None = None,
    foreign_refs: pd.DataFrame | None = None,
    highlight: str | None = None,
    compact: bool = False,
    regions: list[str] | None = None,
) -> go.Figure:
    """Side-by-side bars "insgesamt" vs. "Ausländer/-innen" for the units (and references) of one year.

    `total`/`foreign`: `Store.cross_section` of the two breakdowns; `*_refs`: `Store.references`.
    Order: references first, then units by the foreigners' value (highest first), units without any
    value last; a missing bar is labelled "keine Daten". `regions` limits the rows shown.
    """
    frames = {}
    for key, cs, refs in (("total", total, total_refs), ("foreign", foreign, foreign_refs)):
        parts = [cs]
        if refs is not None and len(refs):
            parts.append(refs.assign(name=[_reference_name(r) for r in refs["region"]]))
        frames[key] = pd.concat(parts, ignore_index=True).set_index("region")
    regions_all = list(dict.fromkeys(list(frames["foreign"].index) + list(frames["total"].index)))
    if regions is not None:
        regions_all = [r for r in regions_all if r in regions]
    refs_first = [r for r in (RUHR, NRW, GERMANY) if r in regions_all]
    units = [r for r in regions_all if r not in REFERENCE_STYLE]

    def fvalue(r: str) -> float:
        v = frames["foreign"]["value"].get(r)
        return -math.inf if _is_missing(v) else float(v)

    units.sort(key=fvalue, reverse=True)
    order = refs_first + units
    names = {}
    for r in order:
        frame = frames["foreign"] if r in frames["foreign"].index else frames["total"]
        name = str(frame.at[r, "name"])
        names[r] = (
            f"<b>{name}</b>" if r == highlight else (f"<i>{name}</i>" if r in REFERENCE_STYLE else name)
        )

    fig = go.Figure()
    all_values: list[float] = []
    for key in ("total", "foreign"):
        frame = frames[key]
        xs, ys, custom, patterns = [], [], [], []
        gaps: list[str] = []
        for r in order:
            label = f"{names[r]} "  # one category per region; the two bars of a region share it
            if r in frame.index and not _is_missing(frame.at[r, "value"]):
                row = frame.loc[r]
                xs.append(float(row["value"]))
                ys.append(label)
                patterns.append("/" if row.get("quality") == "secondary" else "")
                custom.append(
                    [
                        str(row["name"]),
                        breakdown_label(key),
                        _value_text(indicator, row["value"]),
                        _year_line(year, row.get("ref_date")),
                        _source_text(row),
                    ]
                )
                all_values.append(float(row["value"]))
            else:
                gaps.append(label)
        fig.add_trace(
            go.Bar(
                x=xs,
                y=ys,
                orientation="h",
                name=breakdown_label(key),
                offsetgroup=key,
                legendgroup=key,
                marker={
                    "color": BREAKDOWN_COLOURS[key],
                    "pattern": {"shape": patterns, "fgcolor": "#333333"},
                },
                text=[_bar_text(indicator, x) for x in xs],
                textposition="outside",
                cliponaxis=False,
                customdata=custom,
                hovertemplate="<b>%{customdata[0]}</b> – %{customdata[1]}<br>%{customdata[2]}<br>"
                "%{customdata[3]}<br>Quelle: %{customdata[4]}<extra></extra>",
            )
        )
        if gaps:
            # A text in the bar's slot (scattermode="group"), never a zero-length bar.
            fig.add_trace(
                go.Scatter(
                    x=[0] * len(gaps),
                    y=gaps,
                    mode="text",
                    offsetgroup=key,
                    legendgroup=key,
                    text=[f"  {breakdown_label(key)}: {NO_DATA_LABEL}"] * len(gaps),
                    textposition="middle right",
                    textfont={"color": "#666666", "size": 12},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
    top = max(all_values) if all_values else 1.0
    fig.update_xaxes(
        range=[min(0.0, *all_values) if all_values else 0.0, top * 1.02 if top > 0 else 1.0],
        title=_unit_axis_title(indicator),
        tickformat=f",.{min(indicator.decimals, 1)}f",
        gridcolor="#e5e5e5",
        fixedrange=True,
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=[f"{names[r]} " for r in order],
        autorange="reversed",
        fixedrange=True,
        automargin=True,
    )
    title = f"{indicator.title} – {breakdown_label('total')} und {breakdown_label('foreign')}, {year}"
    per_row = 30 if compact else 40
    _layout(
        fig,
        "<br>".join(textwrap.wrap(title, 42)),
        height=170 + per_row * len(order),
        bottom=80,
        legend_gap=52,  # below the axis title
        right=label_room([t for trace in fig.data if trace.type == "bar" for t in trace.text]),
    )
    fig.update_layout(
        barmode="group",
        scattermode="group",
        bargap=0.2,
        bargroupgap=0.05,
        scattergap=0.2,
        legend={"traceorder": "normal"},
    )
    return fig
