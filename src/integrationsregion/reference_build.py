"""Build the snapshot (`data/regions.csv`, `data/observations.csv`) from `../shared/reference`.

Each reference row keeps its provenance: publisher, table code, Stand, where it was read, quality.
Rules (publisher classification, units, exclusions) live in `data/build/reference.toml`.
Nothing is estimated or filled: rows are only classified, keyed by reference date and de-duplicated
(the better source of the same figure wins; the other is kept in `alternatives`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from integrationsregion import atomic
from integrationsregion.catalogue import Catalogue
from integrationsregion.regions import GERMANY, NRW, RUHR, Region, RegionRegistry
from integrationsregion.snapshot import COLUMNS, KEY, QUALITY_RANK, to_csv_bytes, write_snapshot_atomic

REFERENCE_FILES = ("bildung_bevoelkerung.csv", "arbeitsmarkt.csv", "geduldete_kosten.csv")
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ]
    )
}
MONTHS_EN = {"March": 3, "June": 6}
TABLE_CODE = re.compile(r"\b(\d{5}-\d{2}-\d{2}-\d(?:-B)?|\d{5}-\d{4}|\d{5}-\d{2}i|1000A-0000)\b")
DATE = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"
AGGREGATES = [
    Region(RUHR, "Metropole Ruhr (RVR)", "Ruhr", "aggregat", "aggregat", ""),
    Region(NRW, "Nordrhein-Westfalen", "NRW", "aggregat", "aggregat", ""),
    Region(GERMANY, "Deutschland", "Deutschland", "aggregat", "aggregat", ""),
]
SHORT_NAMES = {
    "05117": "Mülheim a. d. R.",
    "05170": "Kr. Wesel",
    "05562": "Kr. Recklinghausen",
    "05954": "Ennepe-Ruhr-Kr.",
    "05978": "Kr. Unna",
}


@dataclass(frozen=True)
class PublisherRule:
    pattern: re.Pattern[str]
    quality: str
    label: str
    portal: str
    licence: str
    attribution: str


def load_rules(data_dir: Path) -> dict:
    raw = tomllib.loads((data_dir / "build" / "reference.toml").read_text(encoding="utf-8"))
    raw["publisher"] = [PublisherRule(re.compile(r.pop("pattern")), **r) for r in raw["publisher"]]
    return raw


def build_regions(reference_dir: Path) -> list[Region]:
    """The registry rows from `rvr_gebiete.csv` plus the comparison aggregates."""
    with open(reference_dir / "rvr_gebiete.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    municipalities_per_kreis: dict[str, int] = {}
    for r in rows:
        if r["level"] == "gemeinde":
            municipalities_per_kreis[r["kreis_ags"]] = municipalities_per_kreis.get(r["kreis_ags"], 0) + 1
    regions = []
    for r in rows:
        if r["level"] == "kreis":
            kind = "kreisfreie_stadt" if municipalities_per_kreis[r["ags"]] == 1 else "kreis"
            regions.append(
                Region(r["ags"], r["name"], SHORT_NAMES.get(r["ags"], r["name"]), kind, "kreis", "")
            )
        else:
            regions.append(Region(r["ags"], r["name"], r["name"], "gemeinde", "gemeinde", r["kreis_ags"]))
    return regions + AGGREGATES


def regions_csv_bytes(regions: list[Region]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ags", "name", "short_name", "kind", "level", "parent_ags"])
    for r in regions:
        writer.writerow([r.ags, r.name, r.short_name, r.kind, r.level, r.parent_ags])
    return out.getvalue().encode("utf-8")


def parse_ref_date(text: str, year: int) -> str:
    """The reference date a note states (ISO, or `YYYY-MM`), else the bare year."""
    candidates: list[str] = []
    if m := re.search(r"Stichtag " + DATE, text):
        candidates.append(f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}")
    if m := re.search(r"Stichtag (\d{1,2})\.(\d{1,2})\.(?!\d)", text):
        candidates.append(f"{year}-{int(m[2]):02d}-{int(m[1]):02d}")
    if m := re.search(r"(?:at|Stand(?: ca\.)?) " + DATE, text):
        candidates.append(f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}")
    if "30 June" in text:
        candidates.append(f"{year}-06-30")
    if m := re.search(r"Ende (?:(" + "|".join(MONTHS) + r") )?(\d{4})", text):
        candidates.append(f"{m[2]}-{MONTHS[m[1]]:02d}" if m[1] else f"{m[2]}-12-31")
    if m := re.search(r"\b(" + "|".join(MONTHS) + r") (\d{4})", text):
        candidates.append(f"{m[2]}-{MONTHS[m[1]]:02d}")
    if m := re.search(r"(?:Stichtag|early|Stichtag early) (?:1 )?(" + "|".join(MONTHS_EN) + ")", text):
        candidates.append(f"{year}-{MONTHS_EN[m[1]]:02d}")
    for c in candidates:
        if c.startswith(str(year)):
            return c
    return str(year)


def parse_stand(text: str) -> str:
    """The vintage (Stand) of an official export named in the source text, ISO; else empty."""
    for pattern in (r"Stand " + DATE, r"recorded (?:on )?" + DATE, r"export of " + DATE):
        if m := re.search(pattern, text):
            return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := re.search(r"Datenstand (" + "|".join(MONTHS) + r") (\d{4})", text):
        return f"{m[2]}-{MONTHS[m[1]]:02d}"
    return ""


def german_date(iso: str) -> str:
    parts = iso.split("-")
    return ".".join(reversed(parts)) if len(parts) == 3 else "/".join(reversed(parts))


def classify(row: dict, rules: dict) -> dict:
    """Provenance columns of one reference row."""
    rule = next(r for r in rules["publisher"] if r.pattern.search(row["source_publisher"]))
    derived = row["note"].lower().startswith("derived")
    quality = "derived" if derived and rule.quality == "official" else rule.quality
    table = m[1] if (m := TABLE_CODE.search(row["source_table"])) else ""
    official_stand = parse_stand(row["source_table"]) or (
        parse_stand(row["note"]) if rule.quality == "official" else ""
    )
    if not official_stand and rule.quality == "official":
        official_stand = next(
            (
                d["stand"]
                for d in rules.get("documented_stand", [])
                if d["table"] == table and row["source_url"].startswith(d["url_prefix"])
            ),
            "",
        )
    portal = rule.portal.format(table=table) if rule.portal and table else row["source_url"]
    if rule.quality == "official":
        label = f"{rule.label} {table}" if table else f"{rule.label}: {row['source_table']}"
        if official_stand:
            label += f", Stand {german_date(official_stand)}"
        if derived:
            label += ", eigene Berechnung"
    else:
        label = f"{row['source_publisher']} (Sekundärquelle)"
    attribution = (
        rule.attribution if rule.quality == "official" else f"Sekundärquelle: {row['source_publisher']}"
    )
    return {
        "quality": quality,
        "publisher": row["source_publisher"],
        "source_label": label,
        "table_code": table,
        "source_title": row["source_table"],
        "source_url": row["source_url"],
        "portal_url": portal,
        "stand": official_stand,
        "licence": rule.licence,
        "attribution": attribution,
    }


def read_reference(reference_dir: Path, rules: dict) -> tuple[pd.DataFrame, dict[str, int]]:
    """All reference rows as snapshot rows (duplicates not yet resolved), and what was left out."""
    rows, left_out = [], {}
    excluded_units = {(e["indicator"], e["unit"]) for e in rules.get("excluded_unit", [])}
    for name in REFERENCE_FILES:
        with open(reference_dir / name, encoding="utf-8", newline="") as f:
            for raw in csv.DictReader(f):
                raw["note"] = raw.get("note") or ""
                if raw["indicator"] in rules["excluded"] or (raw["indicator"], raw["unit"]) in excluded_units:
                    left_out[raw["indicator"]] = left_out.get(raw["indicator"], 0) + 1
                    continue
                year = int(raw["year"])
                rows.append(
                    {
                        "region": raw["ags"],
                        "indicator": raw["indicator"],
                        "breakdown": raw.get("nationality") or "total",
                        "year": year,
                        "ref_date": parse_ref_date(f"{raw['note']} {raw['source_table']}", year),
                        "value": float(raw["value"]),
                        "unit": rules["units"][raw["unit"]],
                        "retrieved": "",
                        "note": raw["note"],
                        "alternatives": "",
                    }
                    | classify(raw, rules)
                )
    return pd.DataFrame(rows, columns=COLUMNS), left_out


def resolve_duplicates(df: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """One row per key: the best quality (then a quoted official producer, then the newest Stand)
    wins; the others are kept in `alternatives`."""
    preferred = [re.compile(p) for p in rules["secondary_preferred"]]
    producer_rank = df["publisher"].map(lambda p: 0 if any(r.search(p) for r in preferred) else 1)
    df = df.assign(_rank=df["quality"].map(QUALITY_RANK), _producer=producer_rank).sort_values(
        [*KEY, "_rank", "_producer", "stand"], ascending=[True, True, True, True, True, True, False]
    )
    kept = []
    for _, group in df.groupby(KEY, sort=False):
        best = group.iloc[0].copy()
        others = group.iloc[1:]
        if len(others):
            best["alternatives"] = " | ".join(
                f"{o.value:g} laut {o.source_label} ({o.quality}; {o.source_url})"
                for o in others.itertuples()
            )
        kept.append(best)
    return pd.DataFrame(kept)[COLUMNS]


def build(reference_dir: Path) -> tuple[list[Region], pd.DataFrame, dict]:
    """Regions, observations and manifest built from the reference folder (pure, no writes)."""
    from integrationsregion.settings import get_settings

    rules = load_rules(get_settings().snapshot_dir)
    regions = build_regions(reference_dir)
    raw, left_out = read_reference(reference_dir, rules)
    observations = resolve_duplicates(raw, rules)
    inputs = {
        name: hashlib.sha256((reference_dir / name).read_bytes()).hexdigest()
        for name in (*REFERENCE_FILES, "rvr_gebiete.csv")
    }
    vintages = observations[observations["stand"] != ""].groupby("source_label")["stand"].max().to_dict()
    manifest = {
        "built_from": "shared/reference",
        "inputs_sha256": inputs,
        "left_out_rows": left_out,
        "duplicates_resolved": int(len(raw) - len(observations)),
        "vintages": {k.split(", Stand")[0]: v for k, v in sorted(vintages.items())},
        "last_refreshed": {},
    }
    return regions, observations, manifest


def write(reference_dir: Path, data_dir: Path) -> tuple[int, dict]:
    """Build and write regions.csv and the snapshot into data_dir (atomically, validated)."""
    regions, observations, manifest = build(reference_dir)
    registry = RegionRegistry(regions)
    catalogue = Catalogue.load(data_dir)
    write_snapshot_atomic(observations, data_dir, registry, catalogue, manifest)
    atomic.replace(data_dir / "regions.csv", regions_csv_bytes(regions))
    return len(observations), manifest


def snapshot_bytes(reference_dir: Path) -> tuple[bytes, bytes]:
    """regions.csv and observations.csv as the build would write them (for drift checks)."""
    regions, observations, _ = build(reference_dir)
    return regions_csv_bytes(regions), to_csv_bytes(observations)
