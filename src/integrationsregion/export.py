"""Downloads of the data behind a view: CSV, CSV for German Excel, and XLSX with a sources sheet.

Pure (no Streamlit). Frames as the store returns them (`cross_section`, `references`, `series`,
`profile`, raw snapshot rows) are turned into one tidy German table by `tidy`; frames whose columns
are already German pass through. Every text cell that a spreadsheet could read as a formula is
neutralised with a leading apostrophe; numbers stay numbers; gaps stay empty and say "keine Daten".
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from datetime import date

import pandas as pd

from integrationsregion import formatting as fmt
from integrationsregion import regions
from integrationsregion.catalogue import Catalogue, current
from integrationsregion.regions import REFERENCES
from integrationsregion.snapshot import QUALITY_LABELS, ROUNDINGS

# store/snapshot column -> German export column, in export order
COLUMN_NAMES = {
    "name": "Gebiet",
    "region": "AGS",
    "indicator": "Indikator",
    "breakdown": "Aufschlüsselung",
    "year": "Jahr",
    "ref_date": "Stichtag",
    "value": "Wert",
    "unit": "Einheit",
    "rank": "Rang",
    "ranked": "Rang von",
    "rank_wording": "Rangfolge",
    "quality": "Qualität",
    "formula": "Formel",
    "rounding": "Rundung",
    "mixed_vintage": "Mehrere Veröffentlichungen",
    "publisher": "Herausgeber",
    "source_label": "Quelle",
    "table_code": "Tabelle",
    "stand": "Stand",
    "licence": "Lizenz",
    "attribution": "Namensnennung",
    "portal_url": "Link",
    "source_url": "Gelesen aus",
    "note": "Hinweis",
}
# columns of store frames that are internal or duplicated by a German column
DROPPED = {"theme", "title", "source_title", "retrieved", "alternatives", "note_source"}  # note_source: the
# publisher's original (often English) wording; the German `note` is exported
NUMERIC_EXPORT_COLUMNS = {"Jahr", "Wert", "Rang", "Rang von"}
TEXT_EXPORT_COLUMNS = set(COLUMN_NAMES.values()) - NUMERIC_EXPORT_COLUMNS
SOURCE_COLUMNS = ["Quelle", "Herausgeber", "Tabelle", "Stand", "Lizenz", "Namensnennung", "Link"]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------- shaping
def tidy(
    frame: pd.DataFrame,
    catalogue: Catalogue | None = None,
    *,
    indicator: str | None = None,
    breakdown: str | None = None,
) -> pd.DataFrame:
    """The frame with German column names and labels, ready for export.

    `indicator`/`breakdown` label rows without data (a store cross-section leaves them empty for
    gaps); values are never filled. Unknown extra columns are kept as they are.
    """
    df = frame.copy().reset_index(drop=True)
    if "Wert" in df.columns and "value" not in df.columns:
        return df  # already an export frame
    if indicator is not None:
        df["indicator"] = df["indicator"].fillna(indicator) if "indicator" in df else indicator
    if breakdown is not None:
        df["breakdown"] = df["breakdown"].fillna(breakdown) if "breakdown" in df else breakdown
    if catalogue is not None and "indicator" in df:
        units = df["indicator"].map(lambda i: catalogue[i].unit if i in catalogue else None)
        df["unit"] = df["unit"].fillna(units) if "unit" in df else units
    if "value" in df:
        missing = df["value"].isna()
        note = df["note"].fillna("") if "note" in df else pd.Series("", index=df.index)
        df["note"] = note.where(~missing, fmt.NO_DATA)
    if "indicator" in df and (catalogue is not None or "title" in df):
        titles = df["title"] if "title" in df else pd.Series(None, index=df.index, dtype=object)
        if catalogue is not None:
            titles = titles.fillna(df["indicator"].map(lambda i: catalogue[i].title if i in catalogue else i))
        df["indicator"] = titles.fillna(df["indicator"])
    tables = catalogue or current()
    if "breakdown" in df:
        df["breakdown"] = df["breakdown"].map(
            lambda b: tables.breakdowns.get(b, b) if isinstance(b, str) else b
        )
    if "unit" in df:
        df["unit"] = df["unit"].map(lambda u: tables.units[u].label if u in tables.units else u)
    if "quality" in df:
        df["quality"] = df["quality"].map(lambda q: QUALITY_LABELS.get(q, q) if isinstance(q, str) else q)
    if "rounding" in df:
        df["rounding"] = df["rounding"].map(lambda r: ROUNDINGS.get(r, r) if isinstance(r, str) else r)
    if "stand" in df:
        df["stand"] = df["stand"].map(stand_cell)
    if "year" in df:
        df["year"] = df["year"].astype("Int64")
    for col in ("rank", "ranked"):
        if col in df:
            df[col] = df[col].astype("Float64").astype("Int64")
    names = column_names()
    known = [c for c in names if c in df.columns]
    extra = [c for c in df.columns if c not in names and c not in DROPPED]
    out = df[known + extra].rename(columns=names)
    text_cols = [
        c for c in out.columns if c in TEXT_EXPORT_COLUMNS or not pd.api.types.is_numeric_dtype(out[c])
    ]
    out[text_cols] = out[text_cols].astype(object).where(out[text_cols].notna(), "")
    return out


def column_names() -> dict[str, str]:
    """`COLUMN_NAMES` with the comparison areas' value columns (`ref_RVR`, …) after the ranking, headed by
    their names in `regions.csv`."""
    items = list(COLUMN_NAMES.items())
    at = list(COLUMN_NAMES).index("rank_wording") + 1
    registry = regions.current()
    return dict(items[:at] + [(f"ref_{a}", registry.name(a)) for a in REFERENCES] + items[at:])


def stand_cell(stand: object) -> object:
    """A Stand for a download: a `date` where the source states the day (written per format: ISO in CSV,
    German in Excel-CSV, a date cell in XLSX), the stated month or year as text, else "nicht angegeben"."""
    if fmt.is_missing(stand) or stand == "":
        return fmt.STAND_MISSING
    return fmt.parse_day(stand) or str(stand)


def _german_dates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, date)).any():
            out[col] = out[col].map(lambda v: fmt.day(v) if isinstance(v, date) else v)
    return out


def sources(frame: pd.DataFrame) -> pd.DataFrame:
    """The distinct sources of an export frame (one row per source, table and Stand)."""
    cols = [c for c in SOURCE_COLUMNS if c in frame.columns]
    if not cols:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    found = frame[cols].astype(str).replace({"nan": "", "<NA>": ""})
    found = found[(found != "").any(axis=1)].drop_duplicates()
    return found.sort_values(cols).reset_index(drop=True)


# ---------------------------------------------------------------------- safety
def neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe; CR becomes LF."""
    if not isinstance(value, str):
        return value
    if value.startswith(DANGEROUS_START):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")  # a bare CR breaks CSV readers


def safe(frame: pd.DataFrame) -> pd.DataFrame:
    """All text cells (and the header) neutralised; numeric columns untouched."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(object).map(neutralise)
    return out.rename(columns={c: neutralise(str(c)) for c in out.columns})


# ---------------------------------------------------------------------- formats
def to_csv(frame: pd.DataFrame) -> bytes:
    """Plain UTF-8 CSV, comma-separated, decimal point."""
    return safe(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")


def to_excel_csv(frame: pd.DataFrame) -> bytes:
    """CSV for German Excel: UTF-8 with BOM, semicolon-separated, decimal comma."""
    text = safe(_german_dates(frame)).to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, meta: Mapping[str, object] | None = None) -> bytes:
    """An XLSX workbook: sheet "Daten" with the frame, sheet "Quellen" with sources and licences.

    `meta` (all optional): "Titel" (str), "Ansicht" (link to the view), "Hinweise" (list of str),
    "Quellen" (extra source rows as dicts with the SOURCE_COLUMNS keys, e.g. map geometry).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    meta = dict(meta or {})
    wb = Workbook()
    data = wb.active
    data.title = "Daten"
    clean = safe(frame)
    bold = Font(bold=True)
    data.append([str(c) for c in clean.columns])
    for cell in data[1]:
        cell.font = bold
    for row in clean.itertuples(index=False):
        data.append([_cell(v) for v in row])
    _as_text(data)
    _german_date_cells(data)
    data.freeze_panes = "A2"
    for n, col in enumerate(clean.columns, start=1):
        longest = max([len(str(col))] + [len(str(v)) for v in clean[col].head(200)])
        data.column_dimensions[get_column_letter(n)].width = min(max(longest + 2, 8), 60)

    src = wb.create_sheet("Quellen")
    src.append([neutralise(str(meta.get("Titel", "Integrationsregion Ruhr – Datenexport")))])
    src["A1"].font = Font(bold=True, size=13)
    if meta.get("Ansicht"):
        src.append(["Ansicht", neutralise(str(meta["Ansicht"]))])
    src.append(["Erstellt am", date.today().isoformat()])
    src.append([])
    table = sources(frame)
    extra = pd.DataFrame(list(meta.get("Quellen", [])), columns=SOURCE_COLUMNS)
    table = pd.concat([table, extra], ignore_index=True).fillna("") if len(extra) else table
    header = list(table.columns) or SOURCE_COLUMNS
    src.append(header)
    for cell in src[src.max_row]:
        cell.font = bold
    for row in safe(table).itertuples(index=False):
        src.append([_cell(v) for v in row])
        link = dict(zip(header, row, strict=True)).get("Link", "")
        if isinstance(link, str) and link.startswith(("https://", "http://")):
            src.cell(row=src.max_row, column=header.index("Link") + 1).hyperlink = link
    src.append([])
    src.append(["Namensnennung"])
    src.cell(row=src.max_row, column=1).font = bold
    for line in attribution_lines(table):
        src.append([neutralise(line)])
    hints = list(meta.get("Hinweise", []))
    if hints:
        src.append([])
        src.append(["Hinweise"])
        src.cell(row=src.max_row, column=1).font = bold
        for line in hints:
            src.append([neutralise(str(line))])
    _as_text(src)
    for n, width in enumerate([40, 30, 16, 12, 28, 50, 60], start=1):
        src.column_dimensions[get_column_letter(n)].width = width

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def attribution_lines(table: pd.DataFrame) -> list[str]:
    """Distinct attribution lines of a sources table, with their licence."""
    lines = []
    for row in table.to_dict("records"):
        text = str(row.get("Namensnennung", "") or "")
        licence = str(row.get("Lizenz", "") or "")
        line = text if not licence or licence in text else f"{text} (Lizenz: {licence})"
        if line.strip() and line not in lines:
            lines.append(line)
    return lines


def _cell(value: object) -> object:
    """A value openpyxl can write: NA -> empty cell, numpy scalars -> Python numbers."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _german_date_cells(sheet) -> None:
    """Date cells shown as German dates (the value stays a real date)."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"


def _as_text(sheet) -> None:
    """openpyxl reads strings starting with "=" as formulas; force every string cell to text."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def file_stem(text: str) -> str:
    """A safe German file-name stem: lower case, umlauts spelled out, no separators."""
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"})
    out = []
    for ch in text.translate(table).lower():
        out.append(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_")
    stem = "_".join(p for p in "".join(out).split("_") if p)
    return stem[:80] or "daten"
