"""The observations snapshot on disk: schema, validation and atomic writes."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from integrationsregion import snapshot_write
from integrationsregion.catalogue import Catalogue
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


def read_observations(path: Path) -> pd.DataFrame:
    """Read `observations.csv` with the schema's types (AGS stay text)."""
    df = pd.read_csv(path, dtype={c: str for c in TEXT_COLUMNS}, keep_default_na=False)
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df[COLUMNS]


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
    manifest_body = (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    read_observations(io.BytesIO(body))
    files = {OBSERVATIONS: body, MANIFEST: manifest_body}
    if regions_csv is not None:
        files["regions.csv"] = regions_csv
    snapshot_write.commit(data_dir, files)
