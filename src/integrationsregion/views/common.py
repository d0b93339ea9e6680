"""What several view models share: reference names, indicator labels, provenance wording."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from integrationsregion.formatting import NO_DATA
from integrationsregion.regions import REFERENCES, RegionRegistry
from integrationsregion.snapshot import QUALITY_LABELS, ROUNDINGS


def reference_names(regions: RegionRegistry) -> dict[str, str]:
    """Ruhr, NRW, Deutschland: the short names of `regions.csv`."""
    return {a: regions[a].short_name for a in REFERENCES}


def quality_text(quality: object, formula: object = "", rounding: object = "") -> str:
    """What kind of value this is, said beside it: "amtliche Statistik", or "eigene Berechnung …: <formula>",
    plus the rounding label where the value is a sum of rounded cells or a rounded zero."""
    text = QUALITY_LABELS.get(str(quality), str(quality or ""))
    if quality == "derived" and isinstance(formula, str) and formula:
        text += f": {formula}"
    label = ROUNDINGS.get(str(rounding or ""), "")
    return f"{text} · {label}" if label else text


def provenance_notes(rows: pd.DataFrame) -> list[str]:
    """What a chart's source line must add about the values shown: each formula of an own calculation,
    each rounding label, and that a series mixes publications (`mixed_vintage`)."""
    if "value" in rows:
        rows = rows[rows["value"].notna()]
    notes = []
    formulas = rows.loc[rows["quality"].eq("derived"), "formula"] if "formula" in rows else []
    notes += [f"eigene Berechnung: {f}" for f in sorted(set(formulas)) if isinstance(f, str) and f]
    roundings = rows.get("rounding", [])
    notes += [ROUNDINGS[r] for r in sorted(set(roundings)) if isinstance(r, str) and ROUNDINGS.get(r)]
    vintages = rows.get("mixed_vintage", [])
    if any(isinstance(v, str) and v for v in vintages):
        notes.append(
            "Reihe aus mehreren Veröffentlichungen (Datenstände können abweichen; Details im Download)"
        )
    return notes


_STAND_AT_END = re.compile(r"^(.*), Stand (\d{2}\.\d{2}\.\d{4})$")


def sources_text(labels: Iterable[str]) -> str:
    """Source labels joined once per publication: "Regionaldatenbank 13211-02-05-4, Stand 17.08.2021,
    26.02.2026 und 09.07.2026" instead of the table named once per Stand; "keine Daten" for none."""
    stands: dict[str, list[str]] = {}
    for label in sorted(set(labels)):
        m = _STAND_AT_END.match(label)
        base, stand = (m[1], m[2]) if m else (label, "")
        stands.setdefault(base, []).append(stand)
    parts = []
    for base, found in stands.items():
        dated = sorted((s for s in found if s), key=lambda d: d[6:] + d[3:5] + d[:2])  # dd.mm.yyyy
        if not dated:
            parts.append(base)
            continue
        text = f"{base}, Stand {', '.join(dated[:-1]) + ' und ' if len(dated) > 1 else ''}{dated[-1]}"
        parts.append(text + (" (teils ohne Stand)" if "" in found else ""))
    return "; ".join(parts) if parts else NO_DATA
