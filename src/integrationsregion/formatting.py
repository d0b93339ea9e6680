"""German display of numbers, values, dates and gaps: the one place that turns data into text.

Streamlit-free; used by the view models, figures, downloads and the printable Steckbrief. Values stay
numeric until they are shown; these functions are the last step. Unit labels come from the catalogue
(`[units]` of `indicators.toml`). A gap is always `NO_DATA`, a Stand the source does not state is
`STAND_MISSING` – nothing is invented.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

from integrationsregion import catalogue

NO_DATA = "keine Daten"
ROUNDED_ZERO = "gerundet 0"
"""A 0 that only comes from cells the publisher rounded to 0 (`rounding == "zero_from_rounding"`): not a real zero."""
ROUNDED_ZERO_GAP = f"{ROUNDED_ZERO} (alle Zellen auf 0 gerundet, nicht vergleichbar)"
"""How maps and rankings label such a value: a gap, never a zero bar or a zero colour."""
STAND_MISSING = "nicht angegeben"
DASH = "–"


_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def is_missing(value: object) -> bool:
    """None, NaN, NA or an infinite number: nothing to show."""
    if value is None or value is pd.NA:
        return True
    try:
        return not math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return bool(pd.isna(value)) if not isinstance(value, str) else False


def number(value: float, decimals: int = 0) -> str:
    """German number format: 1234.5 -> "1.234,5" (thousands dot, decimal comma)."""
    if is_missing(value):
        return NO_DATA
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def value(value: object, unit: str, decimals: int, rounding: object = "") -> str:
    """A value with its unit in German notation ("12,3 %", "1.485 Personen"), or "keine Daten";
    "gerundet 0" where the value's `rounding` says its 0 is only cells rounded to 0."""
    if is_missing(value):
        return NO_DATA
    if rounding == "zero_from_rounding":
        return ROUNDED_ZERO
    return f"{number(float(value), decimals)} {catalogue.unit(unit).label}"  # type: ignore[arg-type]


def difference(amount: float, unit: str, decimals: int) -> str:
    """An absolute difference: percentage points for percentages, else the unit."""
    u = catalogue.unit(unit)
    return f"{number(abs(amount), decimals)} {u.difference or u.label}"


def day(ref: object) -> str:
    """A reference date in German: 2019-02-28 -> "28.02.2019", 2019-11 -> "11/2019", 2019 -> "2019"."""
    if is_missing(ref) or ref == "":
        return ""
    if isinstance(ref, datetime | date):
        return ref.strftime("%d.%m.%Y")
    text = str(ref)
    if m := _ISO_DAY.fullmatch(text):
        return f"{m[3]}.{m[2]}.{m[1]}"
    if m := _ISO_MONTH.fullmatch(text):
        return f"{m[2]}/{m[1]}"
    return text


def stand(ref: object) -> str:
    """The Stand of a value: a German date, or "nicht angegeben" where the source states none."""
    return day(ref) or STAND_MISSING


def parse_day(ref: object) -> date | None:
    """An ISO date (YYYY-MM-DD) as a `date` for sorting and typed downloads; None for anything else."""
    if is_missing(ref):
        return None
    m = _ISO_DAY.fullmatch(str(ref))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def year_range(years: list[int] | tuple[int, ...]) -> str:
    """The years a file or chart covers: "2015–2024", "2019", or "" for none."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return ""
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}–{ys[-1]}"


def years_list(years: list[int] | tuple[int, ...]) -> str:
    """Years for a sentence: runs collapsed, "2015–2017, 2019"."""
    ys = sorted({int(y) for y in years})
    runs: list[str] = []
    start = prev = None
    for y in [*ys, None]:
        if start is None:
            start = prev = y
            continue
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}–{prev}")
        start = prev = y
    return ", ".join(runs)


def parse_number(text: str) -> float:
    """A number typed the German way ("1.354,83", "1354,83", "0,5") – ValueError for anything else."""
    cleaned = text.strip().replace("\u202f", "").replace(" ", "").replace("€", "").replace("%", "")
    if not re.fullmatch(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?", cleaned):
        raise ValueError(f"„{text[:40]}“ ist keine Zahl (Beispiel: 1.354,83)")
    return float(cleaned.replace(".", "").replace(",", "."))
