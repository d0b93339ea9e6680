"""Choropleth map of one indicator over the 15 RVR units or the 53 municipalities.

Works offline: `go.Choropleth` on an invisible geo (no basemap), boundaries from the shipped layers.
With `geojson_url` the figure references the boundaries by URL (plotly.js fetches them once) instead of
embedding them, which keeps the serialised figure small on every Streamlit run.
"""

from __future__ import annotations

import math
import textwrap
from functools import lru_cache
from numbers import Real

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.colors import sample_colorscale, sequential

from integrationsregion import geometry
from integrationsregion.figures.charts import MODEBAR
from integrationsregion.formatting import NO_DATA, ROUNDED_ZERO_GAP
from integrationsregion.formatting import number as format_number

NO_DATA_LABEL = NO_DATA
NO_DATA_FILL = "#c8c8c8"
NO_DATA_HATCH = "#7a7a7a"
HATCH_SPACING_M = 1_200.0  # about 7 px on a map of the whole region
BORDER_COLOR = "#ffffff"
HIGHLIGHT_COLOR = "#111111"
FAVOURABLE_NOTE = "hell = günstiger"
HEIGHT = 560
BOTTOM = 130  # px below the map: colour bar with its title, then the sources' line

POLARITIES = ("higher_better", "lower_better", "neutral")


def colorscale(polarity: str) -> list[list]:
    """Colour-blind-safe sequential scale, oriented so that darker always means less favourable.

    higher_better: viridis (low = dark purple, high = yellow); lower_better: viridis reversed;
    neutral: ColorBrewer Blues (more = darker, a different hue family so no judgement is implied).
    """
    if polarity == "higher_better":
        colors = list(sequential.Viridis)
    elif polarity == "lower_better":
        colors = list(reversed(sequential.Viridis))
    elif polarity == "neutral":
        colors = list(sequential.Blues[1:])  # without the near-white end, which vanishes on white
    else:
        raise ValueError(f"unknown polarity {polarity!r}, expected one of {POLARITIES}")
    n = len(colors) - 1
    return [[i / n, c] for i, c in enumerate(colors)]


def choropleth(
    values: pd.DataFrame,
    *,
    title: str,
    unit_label: str,
    decimals: int,
    polarity: str,
    level: geometry.Level = "kreis",
    geojson_url: str | None = None,
    highlight: str | None = None,
    value_name: str = "",
    place_names: bool = True,
) -> go.Figure:
    """Map of `values` (columns ags, name, value, year, source, optional quality and rounding; NaN value =
    no data; a "gerundet 0" is drawn like a gap, never as a real zero).

    The colour bar is titled "<value_name> (<unit>)"; its range spans at least `MIN_SPAN` of the largest
    value, so that tiny differences (43,0 % vs. 43,6 %) do not look like opposites. Place names are
    printed on the units (`place_names`); values from secondary sources carry "*" and a note.

    Units of the layer without a value are drawn grey and hatched, labelled "keine Daten" in the hover
    and the legend, never as zero. `highlight` outlines one unit (its AGS) more thickly.
    `geojson_url` (e.g. `geometry.static_url(level)`) references the boundaries instead of embedding them.
    """
    scale = colorscale(polarity)
    layer = _layer(level)
    ags_len = geometry.AGS_LENGTH[level]
    data = _normalise(values, ags_len)
    unknown = sorted(set(data.index) - set(layer.index))
    if unknown:
        raise ValueError(f"AGS not in the {level} layer: {', '.join(unknown)}")
    if highlight is not None and highlight not in layer.index:
        raise ValueError(f"highlight {highlight!r} is not in the {level} layer")

    table = pd.DataFrame({"layer_name": layer["name"]}).join(data, how="left")
    table["name"] = table["name"].fillna(table["layer_name"])
    rounded_zero = table["rounding"].eq("zero_from_rounding")
    has_value = table["value"].notna() & np.isfinite(table["value"].astype(float)) & ~rounded_zero
    unit_suffix = f" {unit_label}" if unit_label else ""
    table["value_text"] = [
        f"{format_number(float(v), decimals)}{unit_suffix}"
        if ok
        else ROUNDED_ZERO_GAP
        if z
        else NO_DATA_LABEL
        for v, ok, z in zip(table["value"], has_value, rounded_zero, strict=True)
    ]
    table["year_text"] = [_year_text(y) for y in table["year"]]
    table["source_text"] = table["source"].fillna("–").astype(str)
    secondary = table["quality"].eq("secondary") & has_value
    table.loc[secondary, "source_text"] += " (Sekundärquelle)"
    table.loc[secondary, "name"] += " *"

    if geojson_url is not None:

        def geojson(_codes: list[str]) -> str | dict:
            return geojson_url  # plotly.js fetches the URL once and reuses it for every trace

    else:
        full = geometry.load_layer(level)

        def geojson(codes: list[str]) -> str | dict:
            # Inline: each trace carries only its own features, so no boundary is embedded twice.
            wanted = set(codes)
            features = [f for f in full["features"] if f["properties"]["ags"] in wanted]
            return {"type": "FeatureCollection", "features": features}

    hovertemplate = (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Jahr: %{customdata[2]}<br>"
        "Quelle: %{customdata[3]}<extra></extra>"
    )
    fig = go.Figure()
    # plotly.js fetches a world topojson from cdn.plot.ly whenever the *first* geo trace has a
    # locationmode (every choropleth does), even with the base map hidden: offline the map then fails
    # to render. A first Scattergeo with lon/lat (one invisible point inside the region) avoids it.
    anchor = layer.to_crs(geometry.METRIC_CRS).union_all().representative_point()
    anchor_lon, anchor_lat = (
        gpd.GeoSeries([anchor], crs=geometry.METRIC_CRS).to_crs(geometry.GEO_CRS).values[0].coords[0]
    )
    fig.add_trace(
        go.Scattergeo(
            lon=[round(anchor_lon, 4)],
            lat=[round(anchor_lat, 4)],
            mode="markers",
            marker={"size": 1, "opacity": 0},
            hoverinfo="skip",
            showlegend=False,
            name="offline",
        )
    )

    missing = table[~has_value]
    if len(missing):
        fig.add_trace(
            go.Choropleth(
                geojson=geojson(list(missing.index)),
                featureidkey="properties.ags",
                locations=list(missing.index),
                customdata=_customdata(missing),
                hovertemplate=hovertemplate,
                z=[0] * len(missing),
                colorscale=[[0, NO_DATA_FILL], [1, NO_DATA_FILL]],
                showscale=False,
                marker={"line": {"color": BORDER_COLOR, "width": 0.8}},
                name=NO_DATA_LABEL,
                legendgroup="no_data",
                showlegend=True,
            )
        )
        lon, lat = _hatch(layer.loc[missing.index, "geometry"])
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"color": NO_DATA_HATCH, "width": 1},
                hoverinfo="skip",
                name=NO_DATA_LABEL,
                legendgroup="no_data",
                showlegend=False,
            )
        )

    present = table[has_value]
    zrange: tuple[float, float] | None = None
    if len(present):
        z = present["value"].astype(float)
        zmin, zmax = colour_range(float(z.min()), float(z.max()))
        zrange = (zmin, zmax)
        note = "" if polarity == "neutral" else f"<br><sup>{FAVOURABLE_NOTE}</sup>"
        said = bool(unit_label) and " ".join(unit_label.split()[:2]) in value_name  # "… je 1.000 Einw."
        what = (
            f"{value_name} ({unit_label})"
            if value_name and unit_label and not said
            else value_name or unit_label or "Wert"
        )
        what = "<br>".join(textwrap.wrap(what, 34))  # a phone's width
        fig.add_trace(
            go.Choropleth(
                geojson=geojson(list(present.index)),
                featureidkey="properties.ags",
                locations=list(present.index),
                customdata=_customdata(present),
                hovertemplate=hovertemplate,
                z=z.tolist(),
                zmin=zmin,
                zmax=zmax,
                colorscale=scale,
                marker={"line": {"color": BORDER_COLOR, "width": 0.8}},
                colorbar={
                    # Horizontal below the map: leaves the full width to the map on phones too.
                    "title": {"text": f"{what}{note}", "side": "top"},
                    "tickformat": f",.{decimals}f",
                    "orientation": "h",
                    "x": 0,
                    "xanchor": "left",
                    "y": -0.02,
                    "yanchor": "top",
                    "thickness": 12,
                    "len": 0.6,
                    "outlinewidth": 0,
                },
                name=title,
                showlegend=False,
            )
        )

    if place_names:
        points = layer.to_crs(geometry.METRIC_CRS).representative_point().to_crs(geometry.GEO_CRS)
        fig.add_trace(
            go.Scattergeo(
                lon=[round(p.x, 4) for p in points],
                lat=[round(p.y, 4) for p in points],
                mode="text",
                text=[_short(n) for n in table.loc[layer.index, "name"]],
                textfont={
                    "size": 10,
                    "color": [_label_colour(v, scale, zrange) for v in table.loc[layer.index, "value"]],
                },
                hoverinfo="skip",
                showlegend=False,
                name="Ortsnamen",
            )
        )
    if highlight is not None:
        # Outline only, on top, transparent and excluded from hover so the unit below still answers.
        for color, width in (("#ffffff", 5.0), (HIGHLIGHT_COLOR, 2.5)):
            fig.add_trace(
                go.Choropleth(
                    geojson=geojson([highlight]),
                    featureidkey="properties.ags",
                    locations=[highlight],
                    z=[0],
                    colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                    showscale=False,
                    marker={"line": {"color": color, "width": width}},
                    hoverinfo="skip",
                    showlegend=False,
                    name=table.at[highlight, "name"],
                )
            )

    top = 50 + MODEBAR + 18 * title.count("<br>")
    last_line = -(BOTTOM - 2) / (HEIGHT - top - BOTTOM)  # paper units: 2 px above the figure's bottom
    if secondary.any():
        fig.add_annotation(  # on the figure's last line, below the colour bar
            text="* Sekundärquelle",
            x=0,
            y=last_line,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"size": 11, "color": "#333333"},
        )

    # Axis ranges from the layer's bounds rather than fitbounds="locations": fitbounds keeps the square
    # frame of a world map, so the (wide) region would use less than half the width.
    minx, miny, maxx, maxy = layer.total_bounds
    pad = 0.01 * max(maxx - minx, maxy - miny)
    fig.update_geos(
        visible=False,
        fitbounds=False,
        projection_type="mercator",
        lonaxis_range=[round(minx - pad, 3), round(maxx + pad, 3)],
        lataxis_range=[round(miny - pad, 3), round(maxy + pad, 3)],
        bgcolor="rgba(0,0,0,0)",
    )
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1 - MODEBAR / HEIGHT,  # below the chart toolbar
            "yref": "container",
            "yanchor": "top",
        },
        separators=",.",  # German decimal comma and thousands dot on the colour bar
        margin={"l": 0, "r": 0, "t": top, "b": BOTTOM},
        height=HEIGHT,
        dragmode=False,  # no panning: on phones a drag must scroll the page
        legend={"orientation": "h", "x": 0.68, "y": -0.04, "yanchor": "top", "bgcolor": "rgba(0,0,0,0)"},
        paper_bgcolor="rgba(0,0,0,0)",
        hoverlabel={"bgcolor": "white", "bordercolor": "#333333", "font": {"size": 13, "color": "#1b1f24"}},
        annotations=[
            *fig.layout.annotations,
            {
                "text": f"Grenzen: {geometry.ATTRIBUTION_HTML}",  # the last line: never on the colour bar
                "x": 1,
                "y": last_line,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 10, "color": "#555555"},
            },
        ],
    )
    return fig


# --------------------------------------------------------------------------------------------- helpers

MIN_SPAN = 0.25  # the colour range spans at least a quarter of the largest absolute value


def colour_range(low: float, high: float) -> tuple[float, float]:
    """The colour bar's range: the data's, widened around its middle to at least `MIN_SPAN` of the
    largest value, so a small spread is drawn in neighbouring colours."""
    need = MIN_SPAN * max(abs(low), abs(high), 1e-9)
    if high - low >= need:
        return low, high
    middle = (low + high) / 2
    return middle - need / 2, middle + need / 2


def _label_colour(value: object, scale: list[list], zrange: tuple[float, float] | None) -> str:
    """White on dark fills, near-black on light ones (and on the grey of "keine Daten")."""
    if zrange is None or value is None or pd.isna(value):
        return "#111111"
    low, high = zrange
    t = min(max((float(value) - low) / (high - low), 0.0), 1.0) if high > low else 0.5
    colour = sample_colorscale(scale, [t])[0]
    r, g, b = (int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if luminance < 0.45 else "#111111"


def _short(name: str) -> str:
    """A place name short enough to print on the map ("Kreis Recklinghausen" -> "Recklinghausen"); the
    long name of a small city in two lines, clear of its neighbours' names on a phone."""
    return (
        name.removeprefix("Kreis ")
        .replace("Ennepe-Ruhr-Kreis", "Ennepe-Ruhr")
        .replace(" an der Ruhr", "")
        .replace("Gelsenkirchen", "Gelsen-<br>kirchen")
    )


@lru_cache(maxsize=4)
def _layer_cached(level: str, _mtime_ns: int) -> gpd.GeoDataFrame:
    return geometry.load_layer_gdf(level).set_index("ags")  # type: ignore[arg-type]


def _layer(level: geometry.Level) -> gpd.GeoDataFrame:
    return _layer_cached(level, geometry.layer_path(level).stat().st_mtime_ns)


def _normalise(values: pd.DataFrame, ags_len: int) -> pd.DataFrame:
    missing_cols = {"ags", "value"} - set(values.columns)
    if missing_cols:
        raise ValueError(f"values lack columns: {', '.join(sorted(missing_cols))}")
    data = values.copy()
    for col in ("name", "year", "source", "quality", "rounding"):
        if col not in data.columns:
            data[col] = None
    data["ags"] = data["ags"].astype(str).str.strip().str.zfill(ags_len)
    if data["ags"].duplicated().any():
        raise ValueError(
            f"AGS more than once: {', '.join(sorted(set(data.loc[data['ags'].duplicated(), 'ags'])))}"
        )
    data["value"] = pd.to_numeric(data["value"], errors="coerce")
    return data.set_index("ags")[["name", "value", "year", "source", "quality", "rounding"]]


def _year_text(year: object) -> str:
    if year is None or (isinstance(year, Real) and math.isnan(float(year))) or pd.isna(year):
        return "–"
    if isinstance(year, Real) and float(year).is_integer():
        return str(int(year))
    return str(year)


def _customdata(rows: pd.DataFrame) -> list[list[str]]:
    return rows[["name", "value_text", "year_text", "source_text"]].astype(str).values.tolist()


def _hatch(geoms: gpd.GeoSeries, spacing: float = HATCH_SPACING_M) -> tuple[list, list]:
    """Diagonal lines clipped to the polygons, as lon/lat lists with None between segments."""
    metric = geoms.to_crs(geometry.METRIC_CRS)
    minx, miny, maxx, maxy = metric.total_bounds
    span = (maxx - minx) + (maxy - miny)
    offsets = np.arange(0.0, span + spacing, spacing)
    # Lines x - y = c (45° on a conformal map), c from minx - maxy to maxx - miny.
    lines = shapely.linestrings([[(minx + o - (maxy - miny), miny), (minx + o, maxy)] for o in offsets])
    area = shapely.union_all(metric.values)
    clipped = shapely.intersection(lines, area)
    segments = [
        seg
        for geom in clipped
        if not geom.is_empty
        for seg in shapely.get_parts(geom)
        if seg.geom_type == "LineString"
    ]
    if not segments:
        return [], []
    back = gpd.GeoSeries(segments, crs=geometry.METRIC_CRS).to_crs(geometry.GEO_CRS)
    lon: list = []
    lat: list = []
    for seg in back.values:
        for x, y in seg.coords:
            lon.append(round(x, 4))
            lat.append(round(y, 4))
        lon.append(None)
        lat.append(None)
    return lon, lat
