"""Figures of the live mode as plotly JSON (dicts), built once per scene by the service and cached.

``scene_figure`` is the single seam: swap its body for the shared figure builders
(``integrationsregion.figures``) once they offer a bar chart / map that takes a cross-section.
"""

from __future__ import annotations

import plotly.graph_objects as go

from integrationsregion.catalogue import format_number
from integrationsregion.live.data import REFERENCE_AGS, Facts, SceneData, default_data, facts, is_unit
from integrationsregion.live.scenes import Scene

BAR = "#1f4e79"
HIGHLIGHT = "#e8590c"
REFERENCE = "#555555"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"


def _layout(fig: go.Figure, height: int) -> None:
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 16, "t": 8, "b": 8},
        font={"family": FONT, "size": 15, "color": "#111111"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        showlegend=False,
        dragmode=False,
        template="none",
    )


def scene_figure(scene: Scene, data: SceneData | None = None) -> dict:
    """Horizontal bar chart of the RVR units, highlighted unit in colour, comparison areas as lines."""
    f = facts(data or default_data(), scene.indicator, scene.year, scene.breakdown)
    return bar_figure(f, scene.highlight)


def bar_figure(f: Facts, highlight: str | None) -> dict:
    units = [(v, a) for a, v in f.values.items() if is_unit(a)]
    fig = go.Figure()
    if not units:
        fig.add_annotation(
            text="Für diese Auswahl liegen keine Daten vor.", showarrow=False, font={"size": 18}
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        _layout(fig, 240)
        return fig.to_plotly_json()
    info = f.info
    # the 15 units plus the comparison areas (grey), sorted by value; phones read bars better than lines
    rows = sorted(units + [(f.values[a], a) for a in REFERENCE_AGS if a in f.values])
    colours = {a: HIGHLIGHT if a == highlight else BAR if is_unit(a) else REFERENCE for _, a in rows}
    fig.add_bar(
        x=[v for v, _ in rows],
        y=[_label(f.names[a], a) for _, a in rows],
        orientation="h",
        marker_color=[colours[a] for _, a in rows],
        text=[format_number(v, info.decimals) for v, _ in rows],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    fig.update_xaxes(
        title=info.unit_label if info.unit != "percent" else "%",
        tickformat=f",.{info.decimals}f",
        separatethousands=True,
        rangemode="tozero",
        range=[0, max(v for v, _ in rows) * 1.18],
        gridcolor="#dddddd",
        fixedrange=True,
        automargin=True,
    )
    fig.update_yaxes(automargin=True, fixedrange=True)
    fig.update_layout(separators=",.")
    _layout(fig, 110 + 26 * len(rows))
    return fig.to_plotly_json()


def _label(name: str, ags: str) -> str:
    if is_unit(ags):
        return name
    return {"RVR": "Ruhrgebiet (RVR)", "05": "NRW", "DG": "Deutschland"}.get(ags, name)


def poll_figure(bins: list[dict], official: float | None, decimals: int) -> dict:
    """Distribution of guesses (histogram bins) with the official value as a line."""
    fig = go.Figure()
    fig.add_bar(
        x=[(b["lo"] + b["hi"]) / 2 for b in bins],
        y=[b["n"] for b in bins],
        width=[(b["hi"] - b["lo"]) * 0.95 for b in bins],
        marker_color=BAR,
        hovertemplate="%{y} Schätzungen<extra></extra>",
    )
    if official is not None:
        fig.add_vline(
            x=official,
            line={"color": HIGHLIGHT, "width": 4},
            annotation_text=f"amtlich: {format_number(official, decimals)}",
            annotation_position="top",
            annotation_font={"size": 16, "color": HIGHLIGHT},
        )
    fig.update_xaxes(gridcolor="#dddddd")
    fig.update_yaxes(title="Schätzungen", gridcolor="#dddddd", rangemode="tozero")
    fig.update_layout(separators=",.", bargap=0.05)
    _layout(fig, 320)
    fig.update_layout(margin={"l": 8, "r": 16, "t": 36, "b": 8})
    return fig.to_plotly_json()
