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

from integrationsregion.catalogue import Catalogue
from integrationsregion.derive import derive, is_computed_here, publication, with_change_note
from integrationsregion.regions import GERMANY, NRW, RUHR, Region, RegionRegistry
from integrationsregion.snapshot import (
    COLUMNS,
    KEY,
    QUALITY_RANK,
    ROUNDINGS,
    alternative_note,
    write_snapshot_atomic,
)

REFERENCE_FILES = ("bildung_bevoelkerung.csv", "arbeitsmarkt.csv", "geduldete_kosten.csv", "ergaenzung.csv")
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
RECOMPUTED = "wird von derive.py neu berechnet"
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
    raw["german"] = [(re.compile(r["pattern"]), r["text"]) for r in raw.get("german", [])]
    return raw


def german(text: str, rules: dict) -> str:
    """A publisher or table name of the reference files in German (the `german` rules, in order)."""
    for pattern, replacement in rules["german"]:
        text = pattern.sub(replacement, text)
    return text


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
    """Provenance columns of one reference row (quality, formula and rounding come later); rules match
    the original wording, the columns shown carry the German one."""
    rule = next(r for r in rules["publisher"] if r.pattern.search(row["source_publisher"]))
    publisher, source_table = german(row["source_publisher"], rules), german(row["source_table"], rules)
    table = m[1] if (m := TABLE_CODE.search(row["source_table"])) else ""
    # The supplement states the Stand in a column of its own (empty = none stated).
    official_stand = iso_date(row["stand"]) if "stand" in row else parse_stand(row["source_table"])
    if not official_stand and rule.quality == "official" and "stand" not in row:
        official_stand = parse_stand(row["note"]) or next(
            (
                d["stand"]
                for d in rules.get("documented_stand", [])
                if d["table"] == table and row["source_url"].startswith(d["url_prefix"])
            ),
            "",
        )
    portal = rule.portal.format(table=table) if rule.portal and table else row["source_url"]
    if rule.quality == "official":
        said = source_table.startswith(rule.label.split()[0])  # "IT.NRW Bevölkerungsfortschreibung …"
        label = (
            f"{rule.label} {table}" if table else source_table if said else f"{rule.label}: {source_table}"
        )
        if official_stand:
            label += f", Stand {german_date(official_stand)}"
    else:
        label = f"{publisher} (Sekundärquelle)"
    attribution = rule.attribution if rule.quality == "official" else f"Sekundärquelle: {publisher}"
    return {
        "quality": rule.quality,
        "publisher": publisher,
        "source_label": label,
        "table_code": table,
        "source_title": rules.get("table_titles", {}).get(row["source_table"], source_table),
        "source_url": row["source_url"],
        "portal_url": portal,
        "stand": official_stand,
        "licence": rule.licence,
        "attribution": attribution,
    }


def original_wording(raw: dict, rules: dict) -> str:
    """The publisher and table name as the reference file words them, where the app shows them translated
    (kept in note_source; double quotes as single ones, so the note's own quotation stays the first)."""
    parts = [
        f"{what} im Original: {raw[col]}".replace('"', "'")
        for what, col in (("Herausgeber", "source_publisher"), ("Tabelle", "source_table"))
        if german(raw[col], rules) != raw[col]
    ]
    return f" [{'; '.join(parts)}]" if parts else ""


def iso_date(text: str) -> str:
    """`DD.MM.YYYY` as ISO; empty for anything else."""
    m = re.fullmatch(DATE, text.strip())
    return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}" if m else ""


def ref_date_of(raw: dict, year: int) -> str:
    """The reference date: the explicit `reference_date` column (supplement) or parsed from the note."""
    stated = raw.get("reference_date")
    if stated:
        return iso_date(stated) or str(year)
    return parse_ref_date(f"{raw['note']} {raw['source_table']}", year)


def _matches(rule: dict, ags: str, indicator: str, year: int, publisher: str = "", table: str = "") -> bool:
    return (
        rule.get("ags", ags) == ags
        and rule.get("indicator", indicator) == indicator
        and rule.get("year", year) == year
        and year >= rule.get("from_year", year)
        and rule.get("table", table) == table
        and re.search(rule.get("publisher_pattern", ""), publisher) is not None
    )


def computed_here(row: dict, catalogue: Catalogue) -> bool:
    """An official value the reference computed that derive.py computes again (rates, Ruhr sums)."""
    if row["indicator"] not in catalogue:
        return False
    ind = catalogue[row["indicator"]]
    return (
        row["quality"] == "official"
        and row["note_source"].lower().startswith("derived")
        and (bool(ind.rate_of) or (row["region"] == RUHR and ind.summable))
    )


def explicit_quality(row: dict, rules: dict) -> dict:
    """Formula, rounding and quality as data: a value computed while reading is `derived`."""
    derived_note = row["note_source"].lower().startswith("derived")
    rule = next(
        (
            r
            for r in rules.get("derived_at_source", [])
            if r.get("indicator", row["indicator"]) == row["indicator"]
            and r.get("table", row["table_code"]) == row["table_code"]
            and (derived_note or "table" in r)
        ),
        None,
    )
    rounding = ""
    if any(
        _matches(r, row["region"], row["indicator"], row["year"], table=row["table_code"])
        for r in rules.get("rounded", [])
    ):
        rounding = "rounded_5"
    if rule is None:
        if derived_note:
            where = f"{row['region']}/{row['indicator']}/{row['year']}"
            raise ValueError(f"no formula for derived reference row {where}")
        return {"formula": "", "rounding": rounding}
    rounding = rule["rounding"] or rounding
    if rounding == "sum_of_rounded" and row["value"] == 0:
        rounding = "zero_from_rounding"
    quality = "derived" if row["quality"] == "official" else row["quality"]
    attribution = with_change_note(row["attribution"]) if quality == "derived" else row["attribution"]
    label = row["source_label"] + (", eigene Berechnung" if quality == "derived" else "")
    return {
        "quality": quality,
        "formula": rule["formula"],
        "rounding": rounding,
        "attribution": attribution,
        "source_label": label,
    }


def german_note(row: dict, rules: dict, period: str) -> str:
    """The note shown in the app, in German, built from the row's structured facts; `period` is the
    catalogue's reference period (e.g. "Jahresdurchschnitt")."""
    parts = []
    ref = row["ref_date"]
    if len(ref) == 10:
        parts.append(f"Stichtag {german_date(ref)}")
    elif len(ref) == 7:
        parts.append(f"Stichtag im Monat {german_date(ref)}")
    else:
        parts.append(f"Berichtsjahr {ref} ({period})" if period else f"Berichtsjahr {ref}")
    if row["formula"]:
        parts.append(f"eigene Berechnung: {row['formula']}")
    if row["rounding"]:
        parts.append(ROUNDINGS[row["rounding"]])
    if row["quality"] == "secondary":
        parts.append(f"Zahl aus einer Sekundärquelle übernommen ({row['publisher']})")
    if not row["stand"] and row["quality"] != "secondary":
        parts.append("Stand nicht angegeben")
    parts += [
        n["text"]
        for n in rules.get("note_phrase", [])
        if re.search(n.get("pattern", ""), row["note_source"], re.IGNORECASE)
        and re.search(n.get("table_pattern", ""), row["table_code"])
    ]
    parts += [
        n["text"]
        for n in rules.get("note_de", [])
        if _matches(n, row["region"], row["indicator"], row["year"])
    ]
    return "; ".join(p.rstrip(".") for p in parts) + "."


def read_reference(
    reference_dir: Path, rules: dict, regions: RegionRegistry, catalogue: Catalogue
) -> tuple[pd.DataFrame, dict[str, int]]:
    """All reference rows as snapshot rows (duplicates not yet resolved, rates and Ruhr sums left to
    derive.py), and how many rows were left out per reason."""
    rows, left_out = [], {}
    excluded_units = {(e["indicator"], e["unit"]) for e in rules.get("excluded_unit", [])}

    def leave_out(reason: str) -> None:
        left_out[reason] = left_out.get(reason, 0) + 1

    for name in REFERENCE_FILES:
        for raw in reference_rows(reference_dir / name):
            year = int(raw["year"])
            if raw["indicator"] in rules["excluded"] or (raw["indicator"], raw["unit"]) in excluded_units:
                leave_out(raw["indicator"])
                continue
            if rule := next(
                (
                    r
                    for r in rules.get("excluded_row", [])
                    if _matches(r, raw["ags"], raw["indicator"], year, raw["source_publisher"])
                ),
                None,
            ):
                leave_out(rule["reason"])
                continue
            ref_date = ref_date_of(raw, year)
            if any(
                _matches(r, raw["ags"], raw["indicator"], year) for r in rules.get("ref_date_not_stated", [])
            ):
                ref_date = str(year)
            where = f" (Fundstelle: {raw['where_read']})" if raw.get("where_read") else ""
            where += original_wording(raw, rules)
            row = {
                "region": regions.data_ags(raw["ags"]),
                "indicator": raw["indicator"],
                "breakdown": raw.get("nationality") or "total",
                "year": year,
                "ref_date": ref_date,
                "value": float(raw["value"]),
                "unit": rules["units"][raw["unit"]],
                "mixed_vintage": "",
                "retrieved": "",
                "note_source": raw["note"] + where,
                "alternatives": "",
            } | classify(raw, rules)
            if computed_here(row, catalogue):
                # Kept only until derive.py computes it again; a differing value stays in `alternatives`.
                row |= {"quality": "derived", "formula": RECOMPUTED, "rounding": ""}
            else:
                row |= explicit_quality(row, rules)
            rows.append(row)
    df = pd.DataFrame(rows)
    df["note"] = [
        german_note(
            r, rules, catalogue[r["indicator"]].reference_period if r["indicator"] in catalogue else ""
        )
        for r in df.to_dict("records")
    ]
    return df.reindex(columns=COLUMNS, fill_value=""), left_out


def reference_rows(path: Path) -> list[dict]:
    """Rows of one reference CSV with an empty note where none is given."""
    with open(path, encoding="utf-8", newline="") as f:
        return [r | {"note": r.get("note") or ""} for r in csv.DictReader(f)]


def resolve_duplicates(df: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """One row per key: the best quality (then not superseded, then a quoted official producer, then the
    newest Stand) wins; the others are kept in `alternatives`."""
    preferred = [re.compile(p) for p in rules["secondary_preferred"]]
    superseded = tuple(s["url_prefix"] for s in rules.get("superseded", []))
    df = df.assign(
        _rank=df["quality"].map(QUALITY_RANK),
        _superseded=df["source_url"].str.startswith(superseded) if superseded else False,
        _producer=df["publisher"].map(lambda p: 0 if any(r.search(p) for r in preferred) else 1),
    ).sort_values(
        [*KEY, "_rank", "_superseded", "_producer", "stand"],
        ascending=[True, True, True, True, True, True, True, False],
    )
    kept = []
    for _, group in df.groupby(KEY, sort=False):
        best = group.iloc[0].copy()
        others = group.iloc[1:]
        if len(others):
            best["alternatives"] = " | ".join(
                alternative_note(o.value, o.source_label, o.quality, o.source_url)
                for o in others.itertuples()
            )
        kept.append(best)
    return pd.DataFrame(kept)[COLUMNS]


def build(reference_dir: Path, data_dir: Path) -> tuple[list[Region], pd.DataFrame, dict]:
    """Regions, observations and manifest built from the reference folder (pure, no writes)."""
    rules = load_rules(data_dir)
    regions = build_regions(reference_dir)
    registry = RegionRegistry(regions)
    catalogue = Catalogue.load(data_dir)
    raw, left_out = read_reference(reference_dir, rules, registry, catalogue)
    resolved = resolve_duplicates(raw, rules)
    observations = derive(resolved, catalogue, registry)
    inputs = {
        name: hashlib.sha256((reference_dir / name).read_bytes()).hexdigest()
        for name in (*REFERENCE_FILES, "rvr_gebiete.csv")
    }
    published = observations[(observations["stand"] != "") & ~is_computed_here(observations, catalogue)]
    vintages = (
        published.groupby(published["source_label"].map(publication))["stand"].max().to_dict()
    )  # newest real date per table
    manifest = {
        "built_from": "shared/reference",
        "inputs_sha256": inputs,
        "left_out_rows": left_out,
        "duplicates_resolved": len(raw) - len(resolved),
        "vintages": dict(sorted(vintages.items())),
        "last_refreshed": {},
    }
    return regions, observations, manifest


def write(reference_dir: Path, data_dir: Path) -> tuple[int, dict]:
    """Build and write regions.csv and the snapshot into data_dir (atomically, validated)."""
    regions, observations, manifest = build(reference_dir, data_dir)
    registry = RegionRegistry(regions)
    catalogue = Catalogue.load(data_dir)
    write_snapshot_atomic(
        observations, data_dir, registry, catalogue, manifest, regions_csv=regions_csv_bytes(regions)
    )
    return len(observations), manifest


def drift_problems(reference_dir: Path, data_dir: Path) -> list[str]:
    """Reference values the snapshot lost: each value built from `reference_dir` must be in the
    snapshot at its key, or be recorded in that key's `alternatives` (superseded by another vintage
    or recomputed). Deliberately left-out rows are exempt. One German line per problem."""
    from integrationsregion.snapshot import OBSERVATIONS, read_observations

    rules = load_rules(data_dir)
    registry = RegionRegistry(build_regions(reference_dir))
    raw, _ = read_reference(reference_dir, rules, registry, Catalogue.load(data_dir))
    shown = read_observations(data_dir / OBSERVATIONS).set_index(KEY)
    problems = []
    for row in raw.to_dict("records"):
        key = tuple(row[k] for k in KEY)
        where = f"{row['region']}/{row['indicator']}/{row['breakdown']}/{row['ref_date']}"
        if key not in shown.index:
            problems.append(
                f"Referenzwert fehlt im Snapshot: {where} = {row['value']:g} ({row['source_url']})"
            )
            continue
        current = shown.loc[key]
        if (
            abs(float(current["value"]) - row["value"]) < 1e-9
            or f"{row['value']:g} laut" in current["alternatives"]
        ):
            continue
        problems.append(
            f"Referenzwert {where} = {row['value']:g} weicht vom Snapshot ({current['value']:g}) ab "
            "und ist nicht als Alternative vermerkt"
        )
    return problems
