"""The observations snapshot on disk: schema, the checked load (one typed error), validation, atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import re
from pathlib import Path

import pandas as pd

from integrationsregion import snapshot_write
from integrationsregion.catalogue import Catalogue
from integrationsregion.loading import SnapshotLoadError, read_json, reading, where
from integrationsregion.regions import RUHR, RegionRegistry

OBSERVATIONS = "observations.csv"
MANIFEST = "manifest.json"
COLUMNS = [
    "region",
    "indicator",
    "breakdown",
    "year",
    "ref_date",
    "value",
    "unit",
    "quality",
    "formula",
    "rounding",
    "publisher",
    "source_label",
    "table_code",
    "source_title",
    "source_url",
    "portal_url",
    "stand",
    "mixed_vintage",
    "retrieved",
    "licence",
    "attribution",
    "note",
    "note_source",
    "alternatives",
]
KEY = ["region", "indicator", "breakdown", "ref_date"]
ISO_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
"""Reference dates and Stand: a year, a month or a day (ISO), as precise as the source states it."""
QUALITIES = ("official", "derived", "secondary")
QUALITY_RANK = {q: n for n, q in enumerate(QUALITIES)}
"""Better sources first: official statistics, then values derived from them, then secondary sources."""
QUALITY_LABELS = {
    "official": "amtliche Statistik",
    "derived": "eigene Berechnung aus amtlichen Werten",
    "secondary": "Sekundärquelle",
}


def alternative_note(value: float, label: str, quality: str, url: str) -> str:
    """How a value that is not shown is recorded in `alternatives` (German: the app shows it)."""
    kind = "" if QUALITY_LABELS[quality] in label else f"{QUALITY_LABELS[quality]}; "
    return f"{float(value):.15g} laut {label} ({kind}{url})"


ROUNDINGS = {
    "": "",
    "rounded_5": "vom Herausgeber auf Vielfache von 5 gerundet",
    "sum_of_rounded": "Summe gerundeter Zellen (jede auf Vielfache von 5 gerundet), kann vom amtlichen Gesamtwert abweichen",
    "zero_from_rounding": "gerundet 0: alle Einzelzellen auf 0 gerundet – kein echter Nullwert",
    "from_rounded": "aus gerundeten Zählwerten berechnet, kleine Rundungsabweichungen möglich",
}
"""`rounding` ids and their German labels. A `zero_from_rounding` value is never shown as a plain 0."""
TEXT_COLUMNS = [c for c in COLUMNS if c not in ("year", "value")]
OPTIONAL_COLUMNS = ("formula", "rounding", "mixed_vintage", "note_source")
"""Columns a producer may leave out; they read as empty text (plain official value)."""


class SnapshotError(Exception):
    """The snapshot is invalid; nothing was written."""


def read_observations(path: Path | io.BytesIO) -> pd.DataFrame:
    """Read `observations.csv` with the schema's types (AGS stay text); ValueError names a bad column or cell."""
    df = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False)
    for col in OPTIONAL_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"Spalten fehlen: {', '.join(missing)}")
    df["year"] = _numbers(df["year"], integer=True).astype(int)
    df["value"] = _numbers(df["value"], integer=False)
    return df[COLUMNS]


def _numbers(column: pd.Series, integer: bool) -> pd.Series:
    """The column as numbers; an empty value stays NaN, text that is no number is an error naming the row."""
    text = column.astype(str).str.strip()
    parsed = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = parsed.isna() & (text != "")
    if integer:
        bad |= parsed.isna() | (parsed % 1 != 0)
    if bad.any():
        n = int(bad.to_numpy().argmax())
        kind = "ganze Zahl" if integer else "Zahl"
        raise ValueError(f"Spalte „{column.name}“, Zeile {n + 2}: keine {kind} („{text.iloc[n][:40]}“)")
    return parsed


def load_checked(data_dir: Path) -> tuple[RegionRegistry, Catalogue, pd.DataFrame, dict]:
    """Everything the store needs from a snapshot, checked; any damage raises one `SnapshotLoadError`.

    Checks: every file readable and well-formed, the catalogue complete, every value a finite number
    that passes `validate`, the manifest matching the files it lists (rows, sha256) and the boundaries
    (the same checks as `integrationsregion validate`). An update interrupted mid-write is completed first.
    """
    if (data_dir / snapshot_write.JOURNAL).exists():  # a killed update: roll its journal forward
        with (
            contextlib.suppress(snapshot_write.SnapshotLocked, OSError),
            snapshot_write.snapshot_lock(data_dir),
        ):
            snapshot_write.recover(data_dir)
    regions = RegionRegistry.load(data_dir)
    catalogue = Catalogue.load(data_dir)
    problems = catalogue.problems()
    if problems:
        raise SnapshotLoadError(f"{where(data_dir / 'indicators.toml')}: {_summary(problems)}")
    path = data_dir / OBSERVATIONS
    with reading(path):
        body = path.read_bytes()
        df = read_observations(io.BytesIO(body))
    if df.empty:
        raise SnapshotLoadError(f"{where(path)} enthält keine Werte.")
    infinite = df[~df["value"].map(math.isfinite)]
    if len(infinite):
        raise SnapshotLoadError(
            f"{where(path)}: {len(infinite)} Werte sind keine endlichen Zahlen (z. B. {_where(infinite.iloc[0])})."
        )
    problems = validate(df, regions, catalogue)
    if problems:
        raise SnapshotLoadError(f"{where(path)}: {_summary(problems)}")
    from integrationsregion.validation import geo_problems, manifest_problems  # validate's own checks

    problems = manifest_problems(data_dir, len(df)) + geo_problems(data_dir, regions)
    if problems:
        raise SnapshotLoadError(_summary(problems))
    return regions, catalogue, df, read_json(data_dir / MANIFEST)


def _summary(problems: list[str]) -> str:
    first = problems[0][:200]
    return f"{first}." if len(problems) == 1 else f"{first} (und {len(problems) - 1} weitere Probleme)."


def validate(df: pd.DataFrame, regions: RegionRegistry, catalogue: Catalogue) -> list[str]:
    """Everything wrong with a snapshot, one German line per problem; empty when it is valid."""
    missing_cols = [c for c in COLUMNS if c not in df.columns]
    if missing_cols:
        return [f"Spalten fehlen in {OBSERVATIONS}: {', '.join(missing_cols)}"]
    problems: list[str] = []
    for ags in sorted(set(df["region"]) - {r.ags for r in regions.all()}):
        problems.append(f"Unbekanntes Gebiet {ags!r}")
    for ags in sorted(a for a in set(df["region"]) if a in regions and regions.data_ags(a) != a):
        problems.append(
            f"Werte unter {ags!r}: diese Gemeinde ist die kreisfreie Stadt {regions.data_ags(ags)!r}"
        )
    for ind in sorted(set(df["indicator"]) - {i.id for i in catalogue.all()}):
        problems.append(f"Unbekannter Indikator {ind!r}")
    dup = df[df.duplicated(KEY, keep=False)]
    for key in sorted({tuple(r) for r in dup[KEY].itertuples(index=False)}):
        problems.append(f"Doppelter Schlüssel {'/'.join(map(str, key))}")
    for quality in sorted(set(df["quality"]) - set(QUALITIES)):
        problems.append(f"Unbekannte Qualität {quality!r}")
    for rounding in sorted(set(df["rounding"]) - set(ROUNDINGS)):
        problems.append(f"Unbekannte Rundungsangabe {rounding!r}")
    for col in ("publisher", "source_url", "licence", "attribution"):
        empty = df[df[col].str.strip() == ""]
        if len(empty):
            problems.append(f"{len(empty)} Werte ohne {col} (z. B. {_where(empty.iloc[0])})")
    problems += _row_problems(df, catalogue)
    problems += _ruhr_sum_problems(df, regions, catalogue)
    return problems


def _row_problems(df: pd.DataFrame, catalogue: Catalogue) -> list[str]:
    problems = []
    for row in df.to_dict("records"):
        where = _where(row)
        value = row["value"]
        if isinstance(value, float) and math.isnan(value):
            problems.append(f"{where}: Wert fehlt (leeres Feld)")
        elif not isinstance(value, (int, float)) or not math.isfinite(value):
            problems.append(f"{where}: Wert {value!r} ist keine endliche Zahl")
            continue
        if not ISO_DATE.fullmatch(str(row["ref_date"])) or not str(row["ref_date"]).startswith(
            str(row["year"])
        ):
            problems.append(f"{where}: Stichtag {row['ref_date']!r} passt nicht zum Jahr {row['year']}")
        if row["stand"] and not ISO_DATE.fullmatch(row["stand"]):
            problems.append(f"{where}: Stand {row['stand']!r} ist kein Datum (JJJJ-MM-TT)")
        if row["quality"] == "derived" and not row["formula"].strip():
            problems.append(f"{where}: abgeleiteter Wert ohne Rechenweg (formula)")
        if row["quality"] == "derived" and "eigene Berechnung" not in row["attribution"]:
            problems.append(
                f"{where}: abgeleiteter Wert ohne Hinweis „eigene Berechnungen“ in der Namensnennung"
            )
        if row["rounding"] == "zero_from_rounding" and value != 0:
            problems.append(f"{where}: „gerundet 0“ markiert, aber Wert {value:g}")
        if row["indicator"] not in catalogue:
            continue
        ind = catalogue[row["indicator"]]
        if row["unit"] != ind.unit:
            problems.append(f"{where}: Einheit {row['unit']!r}, der Katalog sagt {ind.unit!r}")
        if row["breakdown"] not in ind.breakdowns:
            problems.append(f"{where}: Aufschlüsselung {row['breakdown']!r} nicht im Katalog")
        if ind.unit == "percent" and not 0 <= value <= 100:
            problems.append(f"{where}: Anteil {value:g} außerhalb 0–100")
        elif value < 0:
            problems.append(f"{where}: negativer Wert {value:g}")
    return problems


def _ruhr_sum_problems(df: pd.DataFrame, regions: RegionRegistry, catalogue: Catalogue) -> list[str]:
    """A computed Ruhr sum must cover all 15 units at its reference date and equal their sum."""
    units = {r.ags for r in regions.units()}
    summable = {i.id for i in catalogue.all() if i.summable}
    group = ["indicator", "breakdown", "ref_date"]
    parts = df[df["region"].isin(units)].groupby(group)["value"].agg(["count", "sum"])
    sums = df[(df["region"] == RUHR) & (df["quality"] == "derived") & df["indicator"].isin(summable)]
    problems = []
    for row in sums.to_dict("records"):
        key = tuple(row[g] for g in group)
        count, total = parts.loc[key] if key in parts.index else (0, 0.0)
        if count < len(units):
            problems.append(f"{_where(row)}: Ruhr-Summe über nur {int(count)} von {len(units)} Einheiten")
        elif abs(total - row["value"]) > 1e-6:
            problems.append(f"{_where(row)}: Ruhr-Summe {row['value']:g} ≠ Summe der Einheiten {total:g}")
    return problems


def _where(row) -> str:
    return f"{row['region']}/{row['indicator']}/{row['breakdown']}/{row['ref_date']}"


def sort_observations(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical row order, so that equal snapshots are byte-identical."""
    return df[COLUMNS].sort_values(KEY).reset_index(drop=True)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return sort_observations(df).to_csv(index=False, lineterminator="\n").encode("utf-8")


def read_manifest(data_dir: Path) -> dict:
    path = data_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_snapshot_atomic(
    df: pd.DataFrame,
    data_dir: Path,
    regions: RegionRegistry,
    catalogue: Catalogue,
    manifest_updates: dict | None = None,
    regions_csv: bytes | None = None,
) -> None:
    """Validate the whole new snapshot, then replace observations, manifest (and regions) together.

    Raises SnapshotError (nothing written) when the snapshot is invalid; on any other failure (disk full,
    interrupt, kill) the old snapshot stays or `snapshot_write.recover` completes the new one. Callers that
    read, merge and write hold `snapshot_write.snapshot_lock` around all of it.
    """
    problems = validate(df, regions, catalogue)
    if problems:
        raise SnapshotError(f"{len(problems)} Probleme, z. B.: {problems[0]}")
    body = to_csv_bytes(df)
    manifest = read_manifest(data_dir) | (manifest_updates or {})
    manifest["rows"] = len(df)
    manifest["sha256"] = hashlib.sha256(body).hexdigest()
    if regions_csv is not None:
        manifest["files_sha256"] = manifest.get("files_sha256", {}) | {
            "regions.csv": hashlib.sha256(regions_csv).hexdigest()
        }
    manifest_body = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    read_observations(io.BytesIO(body))
    files = {OBSERVATIONS: body, MANIFEST: manifest_body}
    if regions_csv is not None:
        files["regions.csv"] = regions_csv
    snapshot_write.commit(data_dir, files)
