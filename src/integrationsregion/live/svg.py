"""Figures of the live mode as server-rendered SVG (matplotlib), built once per scene and cached.

Why SVG and not plotly.js: a phone's first visit must stay under 150 kB on hall Wi-Fi; plotly.min.js alone is
1.47 MB gzipped and the basic partial bundle (bar, scatter, pie) 395 kB gzipped. A scene's bar chart as SVG is
~25 kB raw, ~3–4 kB gzipped, draws without JavaScript and scales to any box without relayout (``viewBox``),
so the big screen's 16:9 stage never clips a tick label. Text stays text (``svg.fonttype = none``): legible,
selectable, small. The data come from the same Store and catalogue as the dashboard pages.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("svg")
matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "ir-live", "font.family": "sans-serif"})

from matplotlib.figure import Figure  # noqa: E402 (after selecting the backend)

from integrationsregion.formatting import number as format_number  # noqa: E402
from integrationsregion.live.data import Facts, format_value, is_unit  # noqa: E402
from integrationsregion.regions import REFERENCES  # noqa: E402

BAR = "#1f4e79"
HIGHLIGHT = "#e8590c"
REFERENCE = "#6c757d"
MEDIAN = "#111111"
SIZES = {"phone": (5.0, 6.6), "stage": (13.0, 7.6)}
"""Figure size in inches per target: portrait for phones, the shape of the stage's figure box on the screen."""
POLL_SIZES = {"phone": (5.0, 4.0), "stage": (13.0, 7.6)}


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _message(text: str, target: str) -> bytes:
    fig = Figure(figsize=SIZES[target])
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=16, wrap=True)
    return _svg(fig)


def bar_svg(f: Facts, highlight: str | None, target: str = "phone") -> bytes:
    """Horizontal bars of the RVR units (highlight in colour); comparison areas in grey for rates only."""
    units = [(v, a) for a, v in f.values.items() if is_unit(a)]
    if not units:
        return _message("Für diese Auswahl liegen keine Daten vor.", target)
    references = [] if f.info.is_count else [(f.values[a], a) for a in REFERENCES if a in f.values]
    rows = sorted(units + references)
    colours = [HIGHLIGHT if a == highlight else BAR if is_unit(a) else REFERENCE for _, a in rows]
    labels = [f.names[a] for _, a in rows]
    values = [v for v, _ in rows]
    size = 14 if target == "phone" else 15
    fig = Figure(figsize=SIZES[target])
    ax = fig.add_subplot()
    ax.barh(range(len(rows)), values, color=colours, height=0.72)
    ax.set_yticks(range(len(rows)), labels, fontsize=size)
    for i, (v, a) in enumerate(rows):
        ax.text(
            v,
            i,
            " " + format_number(v, f.info.decimals),
            va="center",
            fontsize=size - 1,
            fontweight="bold" if a == highlight else "normal",
        )
    ax.set_xlim(0, max(values) * 1.22)
    ax.set_xlabel(f.info.unit_label, fontsize=size)
    ax.xaxis.set_major_formatter(lambda x, _pos: format_number(x, 0 if x == int(x) else 1))
    ax.tick_params(axis="x", labelsize=size - 2)
    ax.tick_params(axis="y", length=0)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    fig.tight_layout(pad=0.4)
    return _svg(fig)


def poll_svg(results: dict, f: Facts, target: str = "phone") -> bytes:
    """Histogram of the guesses with the official value and the median as marked vertical lines."""
    bins = results["bins"]
    size = 14 if target == "phone" else 17
    fig = Figure(figsize=POLL_SIZES[target])
    ax = fig.add_subplot()
    if bins:
        ax.bar(
            [(b["lo"] + b["hi"]) / 2 for b in bins],
            [b["n"] for b in bins],
            width=[(b["hi"] - b["lo"]) * 0.92 for b in bins],
            color=BAR,
        )
    lines = [(results.get("official_value"), HIGHLIGHT, "-", "amtlich")]
    if results.get("median_value") is not None:
        lines.append((results["median_value"], MEDIAN, "--", "Median"))
    top = max([b["n"] for b in bins], default=1)
    xs = [b["lo"] for b in bins] + [b["hi"] for b in bins] + [x for x, *_ in lines if x is not None]
    lo, hi = min(xs), max(xs)
    pad = (hi - lo) * 0.04 or 1.0
    ax.set_xlim(lo - pad, hi + pad)
    middle = (lo + hi) / 2
    for i, (x, colour, style, label) in enumerate(lines):
        if x is None:
            continue
        ax.axvline(x, color=colour, linestyle=style, linewidth=3.5)
        right = x > middle  # the label grows away from the edge, so it stays inside the axes
        ax.text(
            x,
            top * (1.16 - 0.12 * i),
            f" {label}: {format_value(x, f.info)} " if right else f" {label}: {format_value(x, f.info)}",
            color=colour,
            fontsize=size,
            fontweight="bold",
            va="center",
            ha="right" if right else "left",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 1},
        )
    ax.set_ylim(0, top * 1.25)
    ax.set_ylabel("Schätzungen", fontsize=size)
    ax.set_xlabel(f.info.unit_label, fontsize=size)
    ax.xaxis.set_major_formatter(lambda x, _pos: format_number(x, 0 if x == int(x) else 1))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(labelsize=size - 2)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd")
    ax.set_axisbelow(True)
    fig.tight_layout(pad=0.4)
    return _svg(fig)
