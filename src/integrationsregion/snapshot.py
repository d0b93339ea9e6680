"""The observations snapshot on disk: schema, the checked load (one typed error), validation, atomic writes."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from pathlib import Path

import pandas as pd

from integrationsregion import atomic
from integrationsregion.catalogue import Catalogue
from integrationsregion.loading import SnapshotLoadError, read_json, reading, where
from integrationsregion.regions import RegionRegistry

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
    "publisher",
    "source_label",
    "table_code",
    "source_title",
    "source_url",
    "portal_url",
    "stand",
    "retrieved",
    "licence",
    "attribution",
    "note",
    "alternatives",
]
KEY = ["region", "indicator", "breakdown", "ref_date"]
QUALITIES = ("official", "derived", "secondary")
QUALITY_RANK = {q: n for n, q in enumerate(QUALITIES)}
"""Better sources first: official statistics, then values derived from them, then secondary sources."""
QUALITY_LABELS = {
    "official": "amtliche Statistik",
    "derived": "eigene Berechnung aus amtlichen Werten",
    "secondary": "Sekundärquelle",
}
TEXT_COLUMNS = [c for c in COLUMNS if c not in ("year", "value")]


class SnapshotError(Exception):
    """The snapshot is invalid; nothing was written."""


def read_observations(path: Path | io.BytesIO) -> pd.DataFrame:
    """Read `observations.csv` with the schema's types (AGS stay text); ValueError names a bad column or cell."""
    df = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False)
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
    that passes `validate`, the manifest matching `observations.csv` (rows, sha256), the boundaries present.
    """
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
    manifest = read_json(data_dir / MANIFEST)
    if not isinstance(manifest, dict):
        raise SnapshotLoadError(f"{where(data_dir / MANIFEST)} ist kein JSON-Objekt.")
    if manifest.get("sha256") != hashlib.sha256(body).hexdigest() or manifest.get("rows") != len(df):
        raise SnapshotLoadError(
            f"{where(data_dir / MANIFEST)} passt nicht zu {OBSERVATIONS} (Zeilenzahl oder Prüfsumme weicht ab)."
        )
    from integrationsregion.geometry import LAYER_FILES  # the boundaries belong to the snapshot

    for name in LAYER_FILES.values():
        if not (data_dir / "geo" / name).is_file():
            raise SnapshotLoadError(f"{data_dir.name}/geo/{name} fehlt (Gebietsgrenzen der Karten).")
    return regions, catalogue, df, manifest


def _summary(problems: list[str]) -> str:
    first = problems[0][:200]
    return f"1 Problem: {first}." if len(problems) == 1 else f"{len(problems)} Probleme, z. B. {first}."


def validate(df: pd.DataFrame, regions: RegionRegistry, catalogue: Catalogue) -> list[str]:
    """Everything wrong with a snapshot; empty when it is valid."""
    problems: list[str] = []
    missing_cols = [c for c in COLUMNS if c not in df.columns]
    if missing_cols:
        return [f"missing columns: {', '.join(missing_cols)}"]
    for ags in sorted(set(df["region"]) - {r.ags for r in regions.all()}):
        problems.append(f"unknown region {ags!r}")
    for ind in sorted(set(df["indicator"]) - {i.id for i in catalogue.all()}):
        problems.append(f"unknown indicator {ind!r}")
    dup = df[df.duplicated(KEY, keep=False)]
    for key in sorted({tuple(r) for r in dup[KEY].itertuples(index=False)}):
        problems.append(f"duplicate key {key}")
    if df["value"].isna().any():
        problems.append(f"{int(df['value'].isna().sum())} rows without a value")
    for quality in sorted(set(df["quality"]) - set(QUALITIES)):
        problems.append(f"unknown quality {quality!r}")
    for col in ("publisher", "source_url", "licence", "attribution"):
        empty = df[df[col].str.strip() == ""]
        if len(empty):
            problems.append(f"{len(empty)} rows without {col} (e.g. {_where(empty.iloc[0])})")
    for row in df.itertuples(index=False):
        if row.indicator not in catalogue:
            continue
        ind = catalogue[row.indicator]
        where = _where(row._asdict())
        if row.unit != ind.unit:
            problems.append(f"{where}: unit {row.unit!r}, catalogue says {ind.unit!r}")
        if row.breakdown not in ind.breakdowns:
            problems.append(f"{where}: breakdown {row.breakdown!r} not in catalogue")
        if ind.unit == "percent" and not 0 <= row.value <= 100:
            problems.append(f"{where}: share {row.value} outside 0–100")
        elif row.value < 0:
            problems.append(f"{where}: negative value {row.value}")
        if not str(row.ref_date).startswith(str(row.year)):
            problems.append(f"{where}: ref_date {row.ref_date} not in year {row.year}")
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
) -> None:
    """Validate the whole new snapshot, then replace observations and manifest atomically.

    Raises SnapshotError (nothing written) when the snapshot is invalid; on any other failure
    (disk full, interrupt) the files on disk stay as they were.
    """
    problems = validate(df, regions, catalogue)
    if problems:
        raise SnapshotError(f"{len(problems)} Probleme, z. B.: {problems[0]}")
    body = to_csv_bytes(df)
    manifest = read_manifest(data_dir) | (manifest_updates or {})
    manifest["rows"] = len(df)
    manifest["sha256"] = hashlib.sha256(body).hexdigest()
    manifest_body = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    target = data_dir / OBSERVATIONS
    old_observations = target.read_bytes() if target.exists() else None
    obs_tmp = atomic.write_temp(data_dir / OBSERVATIONS, body, read_observations)
    try:
        man_tmp = atomic.write_temp(data_dir / MANIFEST, manifest_body, lambda p: json.loads(p.read_text()))
    except BaseException:
        obs_tmp.unlink(missing_ok=True)
        raise
    try:
        os.replace(obs_tmp, target)
        os.replace(man_tmp, data_dir / MANIFEST)
    except BaseException:
        # A failure between the two replaces must not leave observations and manifest out of step.
        for tmp in (obs_tmp, man_tmp):
            tmp.unlink(missing_ok=True)
        if old_observations is not None and target.read_bytes() != old_observations:
            atomic.replace(target, old_observations, read_observations)
        raise
