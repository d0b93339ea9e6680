"""The printable Steckbrief: one unit's profile as an A4 PDF (fpdf2; no browser, no Streamlit).

Per indicator: the latest value with year and Stand, rank among the 15 units, Ruhr/NRW/Deutschland of the same
year, the comparison wording, a small bar chart (unit against the references, rates only) and the latest run of
the series; at the end every source with its licence and attribution, and the snapshot's date. What is shown
for a Gemeinde, and the note that says so, come from the Steckbrief page's view model (`views.steckbrief`).
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from fpdf import FPDF

from integrationsregion import formatting as fmt
from integrationsregion.regions import GERMANY, NRW, RUHR, Region
from integrationsregion.snapshot import QUALITY_LABELS
from integrationsregion.store import Store
from integrationsregion.views import steckbrief as model

REFERENCES = (RUHR, NRW, GERMANY)
APP_NAME = "Integrationsregion Ruhr"

# layout (mm) and colours (RGB)
MARGIN = 15.0
TEXT_W = 118.0
CHART_X = MARGIN + TEXT_W + 5
CHART_W = 210 - MARGIN - CHART_X
BAR_H = 3.2
SPARK_H = 7.0
INK = (27, 31, 36)
MUTED = (85, 92, 100)
UNIT_BLUE = (11, 90, 140)
REF_GREY = (150, 160, 170)
VERDICT_COLOURS = {"better": (26, 127, 55), "worse": (192, 57, 43)}
# characters the PDF's standard fonts (Windows-1252) lack
REPLACEMENTS = str.maketrans({"\u2009": " ", "\u202f": " ", "\u2011": "-", "≥": ">=", "≤": "<=", "→": "->"})


def _text(value: object) -> str:
    return str(value).translate(REPLACEMENTS).encode("cp1252", errors="replace").decode("cp1252")


def snapshot_date(manifest: dict) -> str:
    """The snapshot's date: its last refresh, else the newest Stand of the tables it was built from."""
    refreshed = [str(v)[:10] for v in manifest.get("last_refreshed", {}).values() if v]
    if refreshed:
        return f"zuletzt aktualisiert am {fmt.stand(max(refreshed))}"
    vintages = [str(v)[:10] for v in manifest.get("vintages", {}).values() if v]
    if vintages:
        return f"aufgebaut aus Tabellen mit Stand bis {fmt.stand(max(vintages))}"
    return fmt.STAND_MISSING


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.core_fonts_encoding = "windows-1252"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 5)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font("helvetica", size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, _text(f"{self.footer_text} · Seite {self.page_no()} von {{nb}}"), align="C")

    def write_lines(
        self, text: str, *, size: float = 9, style: str = "", colour=INK, width: float = 0
    ) -> None:
        self.set_font("helvetica", style=style, size=size)
        self.set_text_color(*colour)
        self.multi_cell(width, size * 0.45, _text(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def lines_height(self, text: str, width: float, size: float, style: str = "") -> float:
        """About the height `write_lines` will take (one spare line for word wrap; a full dry run of
        fpdf2's line breaking would double the PDF's build time)."""
        self.set_font("helvetica", style=style, size=size)
        lines = math.ceil(self.get_string_width(_text(text)) / width)
        return (lines + (1 if lines > 1 else 0)) * size * 0.45


def _value(row: pd.Series, column: str = "value") -> str:
    return fmt.value(row[column], row["unit"], int(row["decimals"]))


def _indicator_lines(
    row: pd.Series, unit_name: str, names: dict[str, str]
) -> list[tuple[str, float, str, tuple[int, int, int]]]:
    """The text of one indicator block: (text, size, style, colour) per paragraph."""
    stand = fmt.stand(row["stand"])
    rank = (
        f" · Rang {int(row['rank'])} von {int(row['ranked'])} ({row['rank_wording']})"
        if pd.notna(row["rank"])
        else ""
    )
    shown_refs = [RUHR] if row["is_count"] else list(REFERENCES)  # no NRW/DE totals beside counts
    refs = " · ".join(
        f"{names[ags]} {_value(row, f'ref_{ags}')}"
        if pd.notna(row[f"ref_{ags}"])
        else f"{names[ags]}: {fmt.NO_DATA}"
        for ags in shown_refs
    )
    lines = [
        (row["label"], 9.5, "B", INK),
        (f"{unit_name}: {_value(row)} ({int(row['year'])}; Stand {stand}){rank}", 9, "", INK),
        (f"Vergleich {int(row['year'])}: {refs}", 8, "", INK),
    ]
    if row["comparison"]:
        lines.append((row["comparison"], 8, "I", VERDICT_COLOURS.get(row["verdict"], MUTED)))
    quality = QUALITY_LABELS.get(row["quality"], row["quality"])
    lines.append((f"Quelle: {row['source_label']} ({quality})", 7, "", MUTED))
    return lines


def _bars(pdf: _Document, row: pd.Series, unit_short: str, names: dict[str, str], top: float) -> float:
    """Unit and references as horizontal bars (rates only; counts are not comparable); returns the height."""
    if row["is_count"]:
        return 0.0
    items = [(unit_short, row["value"], UNIT_BLUE)] + [
        (names[ags], row[f"ref_{ags}"], REF_GREY) for ags in REFERENCES
    ]
    items = [(label, float(v), colour) for label, v, colour in items if pd.notna(v)]
    if not items:
        return 0.0
    largest = max(abs(v) for _, v, _ in items) or 1.0
    pdf.set_font("helvetica", size=5.5)
    texts = [_text(fmt.value(v, row["unit"], int(row["decimals"]))) for _, v, _ in items]
    label_w = 20.0
    value_w = max(pdf.get_string_width(t) for t in texts) + 1.0  # "2,2 je 1.000 Einwohner" in full
    bar_w = CHART_W - label_w - value_w
    for n, ((label, value, colour), text) in enumerate(zip(items, texts, strict=True)):
        y = top + n * (BAR_H + 0.8)
        pdf.set_text_color(*INK)
        pdf.set_xy(CHART_X, y)
        pdf.cell(label_w, BAR_H, _text(label))
        pdf.set_fill_color(*colour)
        pdf.rect(CHART_X + label_w, y + 0.3, max(bar_w * abs(value) / largest, 0.3), BAR_H - 0.6, style="F")
        pdf.set_xy(CHART_X + label_w + bar_w + 0.5, y)
        pdf.cell(value_w, BAR_H, text)
    return len(items) * (BAR_H + 0.8)


def _sparkline(pdf: _Document, row: pd.Series, top: float) -> float:
    """The latest run of consecutive years as a line, its first and last value above; returns the height."""
    years, values = list(row["trend_years"]), list(row["trend"])
    if len(years) < 2:
        return 0.0
    pdf.set_xy(CHART_X, top)
    pdf.set_font("helvetica", size=6)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(CHART_W, 2.8, _text(model.trend_text(row)), align="L", new_x="LEFT", new_y="NEXT")
    line_top = pdf.get_y() + 0.5
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = CHART_W / (len(years) - 1)
    points = [(CHART_X + n * step, line_top + SPARK_H * (1 - (v - low) / span)) for n, v in enumerate(values)]
    pdf.set_draw_color(*UNIT_BLUE)
    pdf.set_line_width(0.4)
    pdf.polyline(points)
    return line_top + SPARK_H + 1 - top


def _indicator_block(pdf: _Document, row: pd.Series, unit: Region, names: dict[str, str]) -> None:
    lines = _indicator_lines(row, unit.name, names)
    text_h = sum(pdf.lines_height(t, TEXT_W, size, style) for t, size, style, _ in lines)
    chart_h = (4 * (BAR_H + 0.8) if not row["is_count"] else 0) + SPARK_H + 7
    if pdf.get_y() + max(text_h, chart_h) > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    for text, size, style, colour in lines:
        pdf.set_x(MARGIN)
        pdf.write_lines(text, size=size, style=style, colour=colour, width=TEXT_W)
    text_end = pdf.get_y()
    used = _bars(pdf, row, unit.short_name, names, top)
    used += _sparkline(pdf, row, top + used + (1 if used else 0))
    pdf.set_y(max(text_end, top + used) + 2.5)
    pdf.set_draw_color(*REF_GREY)
    pdf.set_line_width(0.1)
    pdf.line(MARGIN, pdf.get_y() - 1.2, 210 - MARGIN, pdf.get_y() - 1.2)


def _sources_section(pdf: _Document, rows: pd.DataFrame) -> None:
    sources = (
        rows[["source_label", "publisher", "licence", "attribution", "source_url"]]
        .fillna("")
        .drop_duplicates(subset=["source_label", "licence", "attribution"])
        .sort_values("source_label")
    )
    pdf.ln(2)
    pdf.write_lines("Quellen und Lizenzen", size=12, style="B")
    pdf.ln(1)
    for rec in sources.to_dict("records"):
        details = [p for p in (rec["licence"], rec["attribution"]) if p]
        pdf.write_lines(f"{rec['source_label']}", size=8, style="B")
        pdf.write_lines(" · ".join(details) or "Lizenz: nicht angegeben", size=7.5)
        if rec["source_url"]:
            pdf.write_lines(rec["source_url"], size=6.5, colour=MUTED)
        pdf.ln(0.8)
    if (rows["quality"] == "derived").any():
        pdf.write_lines(
            "Summen und Anteile für das Ruhrgebiet sind eigene Berechnungen aus den amtlichen Werten "
            "(gekennzeichnet als „eigene Berechnung aus amtlichen Werten“).",
            size=7.5,
        )


def steckbrief_pdf(
    store: Store, ags: str, profile: pd.DataFrame | None = None, created: date | None = None
) -> bytes:
    """The Steckbrief of a unit or Gemeinde `ags` as an A4 PDF.

    `profile` is `views.steckbrief.profile` of the region shown for `ags`, if the caller has it."""
    place = model.resolve(store, ags)
    picked, shown = place.picked, place.shown
    rows = model.profile(store, shown.ags) if profile is None else profile
    created = created or date.today()
    names = {ags: store.regions.display_name(ags) for ags in REFERENCES}

    pdf = _Document(f"{APP_NAME} · Steckbrief {picked.name} · erstellt am {created:%d.%m.%Y}")
    pdf.set_title(_text(f"Steckbrief {picked.name}"))
    pdf.set_author(APP_NAME)
    pdf.add_page()
    pdf.write_lines(f"Steckbrief {picked.name}", size=18, style="B")
    kind = "Gemeinde" if picked.level == "gemeinde" else picked.kind_label
    pdf.write_lines(f"{kind} · AGS {picked.ags}", size=10, colour=MUTED)
    pdf.ln(1)
    pdf.write_lines(
        f"Datenstand: Snapshot {snapshot_date(store.manifest)} · PDF erstellt am {created:%d.%m.%Y}",
        size=8,
        colour=MUTED,
    )
    pdf.write_lines(
        "Je Indikator der jüngste Wert mit Jahr und Stand der Quelle; Rang unter den 15 Kreisen und kreisfreien "
        "Städten in der Richtung, die der Indikator nennt (nur wo mindestens 10 einen Wert haben); Ruhr/NRW/Deutschland aus demselben Jahr, "
        "bei Zählwerten nur die Ruhr-Summe. Vergleiche nur bei Quoten und Anteilen. Fehlende Werte heißen "
        "„keine Daten“; nichts ist geschätzt oder aufgefüllt.",
        size=8,
        colour=MUTED,
    )
    pdf.ln(2)
    if place.note:
        pdf.write_lines(place.note, style="B")
        pdf.ln(2)
    if rows.empty:
        pdf.write_lines(f"Für {shown.name} liegen keine Werte vor.", style="B")
    themes = store.catalogue.themes
    order = [model.CONTEXT_THEME, *(t for t in themes if t != model.CONTEXT_THEME)]
    for theme_id in order:
        part = rows[rows["theme"] == theme_id] if len(rows) else rows
        if part.empty:
            continue
        if pdf.get_y() + 45 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(1)
        pdf.write_lines(themes[theme_id], size=13, style="B", colour=UNIT_BLUE)
        pdf.ln(1)
        for _, row in part.iterrows():
            _indicator_block(pdf, row, shown, names)
    if len(rows):
        _sources_section(pdf, rows)
    return bytes(pdf.output())


def file_name(store: Store, ags: str) -> str:
    """Download name, e.g. `Steckbrief_Dortmund_05913.pdf`."""
    place = store.regions[ags]
    safe = "".join(c if c.isalnum() else "_" for c in place.name).strip("_")
    return f"Steckbrief_{safe}_{place.ags}.pdf"
