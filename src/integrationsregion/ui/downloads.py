"""Download buttons for the data behind a view: CSV, CSV for German Excel, XLSX with sources.

Files are built only when a button is clicked (`st.download_button` with a callable).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from integrationsregion import export
from integrationsregion.ui import data

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_frame(
    frame: pd.DataFrame, *, indicator: str | None = None, breakdown: str | None = None
) -> pd.DataFrame:
    """The tidy German table that the downloads of `frame` contain."""
    return export.tidy(frame, data.store().catalogue, indicator=indicator, breakdown=breakdown)


def download_buttons(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    stem: str,
    *,
    indicator: str | None = None,
    breakdown: str | None = None,
    meta: Mapping[str, object] | None = None,
    key: str | None = None,
) -> None:
    """Three download buttons ("CSV", "CSV (Excel)", "XLSX") for `frame`.

    `frame` is a store frame (cross_section, references, series, profile) or an export frame, or a
    callable returning one; `indicator`/`breakdown` label rows without data; `meta` goes to the XLSX
    "Quellen" sheet ("Titel", "Ansicht", "Hinweise", "Quellen"); `key` separates several button rows on
    one page. The export table is built only when a button is clicked (once for the three buttons).
    """
    built: list[pd.DataFrame] = []

    def tidy() -> pd.DataFrame:
        if not built:
            source = frame() if callable(frame) else frame
            built.append(export_frame(source, indicator=indicator, breakdown=breakdown))
        return built[0]

    name = export.file_stem(stem)
    meta = {"Titel": stem} | dict(meta or {})
    prefix = key or name
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "CSV",
        data=lambda: export.to_csv(tidy()),
        file_name=f"{name}.csv",
        mime=MIME["csv"],
        icon=":material/download:",
        on_click="ignore",
        key=f"dl_{prefix}_csv",
        help="UTF-8, Komma als Trennzeichen, Dezimalpunkt",
    )
    row.download_button(
        "CSV (Excel)",
        data=lambda: export.to_excel_csv(tidy()),
        file_name=f"{name}_excel.csv",
        mime=MIME["csv"],
        icon=":material/download:",
        on_click="ignore",
        key=f"dl_{prefix}_xcsv",
        help="Für deutsches Excel: Semikolon, Dezimalkomma, UTF-8 mit BOM",
    )
    row.download_button(
        "XLSX",
        data=lambda: export.to_xlsx(tidy(), meta),
        file_name=f"{name}.xlsx",
        mime=MIME["xlsx"],
        icon=":material/download:",
        on_click="ignore",
        key=f"dl_{prefix}_xlsx",
        help="Excel-Arbeitsmappe mit Tabellenblatt „Quellen“ (Tabelle, Stand, Lizenz, Namensnennung)",
    )
