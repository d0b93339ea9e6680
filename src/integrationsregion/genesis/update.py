"""`integrationsregion update`: refresh the snapshot from the official services.

One step per table: load → parse → map (tables.toml) → merge → validate the whole snapshot → write
atomically. Nothing is written unless every selected table succeeded (`--keep-going` writes the good ones);
whatever goes wrong, the files on disk stay byte-identical and one line says what happened and what to do.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from integrationsregion.genesis import merge as merging
from integrationsregion.genesis.client import DATABASES, Download, GenesisClient
from integrationsregion.genesis.errors import (
    GenesisFormatError,
    RefreshError,
    SnapshotValidationError,
)
from integrationsregion.genesis.parsers import (
    Derived,
    FlatTable,
    Series,
    TableSpec,
    decode_payload,
    map_rows,
    parse_ffcsv,
)
from integrationsregion.settings import get_settings

log = logging.getLogger(__name__)

TABLES_FILE = Path("data") / "refresh" / "tables.toml"
SOURCES = ("regio", "genesis", "ldbnrw", "bkg")
RVR = "RVR"


# --------------------------------------------------------------------------------------------- config


def load_specs(path: Path = TABLES_FILE) -> tuple[list[TableSpec], dict[str, Any]]:
    """The table specifications of data/refresh/tables.toml and its defaults."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    defaults = raw.get("defaults", {})
    units = ",".join(defaults.get("units", []))
    specs = []
    for t in raw.get("table", []):
        levels = tuple(
            (var, key.replace("{units}", units)) for var, key in t.get("levels", defaults["levels"])
        )
        series = tuple(
            Series(
                indicator=s["indicator"],
                breakdown=s["breakdown"],
                unit=s["unit"],
                value_variable=s.get("value_variable", ""),
                value_label=s.get("value_label", ""),
                select=tuple(sorted(s.get("select", {}).items())),
                match_label=s.get("match_label", ""),
                rvr_sum=bool(s.get("rvr_sum", False)),
            )
            for s in t["series"]
        )
        derived = tuple(
            Derived(
                indicator=d["indicator"],
                breakdown=d["breakdown"],
                numerator=tuple(d["numerator"]),
                denominator=tuple(d["denominator"]),
                unit=d.get("unit", "percent"),
                decimals=int(d.get("decimals", 1)),
            )
            for d in t.get("derived", [])
        )
        specs.append(
            TableSpec(
                code=t["code"],
                database=t["database"],
                title=t["title"],
                publisher=t["publisher"],
                source_label=t["source_label"],
                licence=t.get("licence", defaults.get("licence", "")),
                attribution=t["attribution"],
                time=t["time"],
                levels=levels,
                series=series,
                derived=derived,
                note=t.get("note", ""),
                source=t.get("source", t["database"]),
            )
        )
    return specs, defaults


# --------------------------------------------------------------------------------------------- CLI


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `integrationsregion update` (the lead registers the subcommand)."""
    parser.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        help="Quelle(n): regio, genesis, ldbnrw (Tabellen aus data/refresh/tables.toml) oder bkg (Grenzen); "
        "mehrfach angebbar. Standard: alle GENESIS-Quellen",
    )
    parser.add_argument("--tables", nargs="+", metavar="CODE", help="nur diese Tabellencodes")
    parser.add_argument("--dry-run", action="store_true", help="nur laden und vergleichen, nichts schreiben")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="erfolgreiche Tabellen auch dann schreiben, wenn andere fehlschlagen",
    )
    parser.add_argument("--start-year", type=int, help="erstes Jahr (Standard aus tables.toml)")
    parser.add_argument("--end-year", type=int, help="letztes Jahr (Standard: laufendes Jahr)")
    # SUPPRESS: do not override a --data-dir given before the subcommand.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="Snapshot-Ordner (Standard: data/)")
    parser.add_argument("--tables-file", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _param(params: Any, name: str, default: Any = None) -> Any:
    if isinstance(params, dict):
        return params.get(name, default)
    return getattr(params, name, default)


def _say(text: str, stream=None) -> None:
    print(text, file=stream or sys.stdout, flush=True)


def run_update(params: argparse.Namespace | dict | None = None) -> int:
    """Run the update; returns the exit code (0 ok, 1 failed, 130 interrupted)."""
    params = params or {}
    data_dir = Path(_param(params, "data_dir") or get_settings().snapshot_dir)
    sources = _param(params, "source") or []
    if isinstance(sources, str):
        sources = [sources]
    try:
        code = 0
        if not sources or any(s != "bkg" for s in sources):
            code = max(code, _run_tables(params, data_dir, [s for s in sources if s != "bkg"]))
        if "bkg" in sources:
            from integrationsregion.genesis import boundaries

            code = max(code, boundaries.run_boundaries(data_dir, dry_run=bool(_param(params, "dry_run"))))
        return code
    except KeyboardInterrupt:
        _say(
            "Abgebrochen (Strg+C): Schnappschuss unverändert, Update später erneut starten. / "
            "Interrupted: snapshot unchanged, run the update again later.",
            sys.stderr,
        )
        return 130


def _run_tables(params: Any, data_dir: Path, sources: list[str]) -> int:
    from integrationsregion.catalogue import Catalogue
    from integrationsregion.regions import RegionRegistry
    from integrationsregion.snapshot import OBSERVATIONS, read_observations

    tables_file = Path(_param(params, "tables_file") or TABLES_FILE)
    specs, defaults = load_specs(tables_file)
    wanted = set(_param(params, "tables") or [])
    unknown = wanted - {s.code for s in specs}
    if unknown:
        _say(
            f"Fehler: unbekannte Tabelle(n) {', '.join(sorted(unknown))} – siehe {tables_file.name} / "
            f"error: unknown table(s) {', '.join(sorted(unknown))} – see {tables_file.name}",
            sys.stderr,
        )
        return 2
    specs = [s for s in specs if (not wanted or s.code in wanted) and (not sources or s.source in sources)]
    if not specs:
        _say("Keine Tabellen ausgewählt. / No tables selected.")
        return 0
    start = int(_param(params, "start_year") or defaults.get("startyear", 2015))
    end = int(_param(params, "end_year") or date.today().year)
    units = list(defaults.get("units", []))
    dry_run = bool(_param(params, "dry_run"))
    keep_going = bool(_param(params, "keep_going"))

    regions, catalogue = RegionRegistry.load(data_dir), Catalogue.load(data_dir)
    obs_path = data_dir / OBSERVATIONS
    old = read_observations(obs_path)
    clients: dict[str, GenesisClient] = {}
    fresh: list[dict] = []
    missing: list[merging.Key] = []
    stands: dict[str, str] = {}
    failures: list[str] = []
    for n, spec in enumerate(specs, start=1):
        head = f"[{n}/{len(specs)}] {spec.code} ({DATABASES[spec.database].label})"
        try:
            client = clients.get(spec.database) or clients.setdefault(
                spec.database, GenesisClient(spec.database)
            )
            rows, gaps, stand = refresh_table(client, spec, units, range(start, end + 1), catalogue)
        except RefreshError as exc:
            failures.append(f"{spec.code}: {exc.message}")
            _say(f"{head} … FEHLER/ERROR: {exc.message}", sys.stderr)
            continue
        fresh.extend(rows)
        missing.extend(gaps)
        stands[spec.code] = stand
        years = sorted({r["year"] for r in rows})
        span = f"{years[0]}–{years[-1]}" if years else "–"
        _say(f"{head} … {len(rows)} Werte/values {span}, Stand {stand or '?'}, {len(gaps)} fehlend/missing")

    if failures and not keep_going:
        _say(
            f"Update abgebrochen: {len(failures)} Tabelle(n) fehlgeschlagen, Schnappschuss unverändert – "
            f"Ursache oben beheben oder --tables/--keep-going nutzen / update aborted: {len(failures)} table(s) "
            "failed, snapshot unchanged – fix the cause above or use --tables/--keep-going",
            sys.stderr,
        )
        return 1
    try:
        merged, report = merging.merge(old, fresh, missing)
        problems = check_snapshot(old, merged, regions, catalogue)
        if problems:
            raise SnapshotValidationError(
                f"neuer Schnappschuss ungültig ({len(problems)} Probleme, z. B. {problems[0]})",
                f"new snapshot invalid ({len(problems)} problems, e.g. {problems[0]})",
            )
    except RefreshError as exc:
        _say(f"Fehler/error: {exc.message}", sys.stderr)
        return 1
    _say(report.summary_de_en())
    for key in report.kept_missing[:10]:
        _say(f"  behalten/kept (fehlt im Download/missing in download): {'/'.join(key)}")
    for key, was, now in report.revised[:10]:
        _say(f"  revidiert/revised: {'/'.join(key)}: {was:g} → {now:g}")
    if dry_run:
        _say("Probelauf: nichts geschrieben. / Dry run: nothing written.")
        return 1 if failures else 0
    if not report.changed:
        _say("Keine Änderungen, Schnappschuss unverändert. / No changes, snapshot unchanged.")
        return 1 if failures else 0
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        write_guarded(merged, data_dir, regions, catalogue, manifest_updates(data_dir, specs, stands, now))
    except OSError as exc:
        _say(
            f"Schreiben fehlgeschlagen ({exc.strerror or type(exc).__name__}), Schnappschuss unverändert – "
            f"Speicherplatz/Schreibrechte in {data_dir} prüfen / write failed ({exc.strerror or type(exc).__name__}), "
            f"snapshot unchanged – check disk space/permissions of {data_dir}",
            sys.stderr,
        )
        return 1
    except RefreshError as exc:
        _say(f"Fehler/error: {exc.message}", sys.stderr)
        return 1
    _say(f"Schnappschuss geschrieben: {len(merged)} Werte. / Snapshot written: {len(merged)} values.")
    return 1 if failures else 0


# --------------------------------------------------------------------------------------------- one table


def refresh_table(
    client: GenesisClient,
    spec: TableSpec,
    units: list[str],
    years: range,
    catalogue,
    fetch: Callable[..., Download] | None = None,
) -> tuple[list[dict], list[merging.Key], str]:
    """Download one table (one request per regional level) and map it to snapshot rows.

    Returns (rows, keys marked missing in the download, Stand ISO date).
    """
    stand = table_stand(client.table_metadata(spec.code), spec.code)
    fetch = fetch or client.tablefile
    wanted = set(units) | {"05", "DG"}
    found: dict = {}
    retrieved = ""
    problems: list[str] = []
    url = ""
    for var, key in spec.levels:
        download = fetch(
            spec.code, startyear=years.start, endyear=years.stop - 1, regionalvariable=var, regionalkey=key
        )
        retrieved = retrieved or download.retrieved
        url = download.url
        table: FlatTable = parse_ffcsv(decode_payload(download.content, spec.code), spec.code)
        part, issues = map_rows(spec, table, wanted, years)
        problems.extend(issues)
        found.update(part)
    if problems:
        raise GenesisFormatError(
            f"{spec.code}: {len(problems)} ungültige Werte, z. B. {problems[0]}",
            f"{spec.code}: {len(problems)} invalid values, e.g. {problems[0]}",
        )
    if not found:
        raise GenesisFormatError(
            f"{spec.code}: keine passenden Zeilen (Merkmale/Codes in tables.toml prüfen)",
            f"{spec.code}: no matching rows (check variable codes in tables.toml)",
        )
    for s in spec.series:
        if s.indicator in catalogue and catalogue[s.indicator].unit != s.unit:
            raise GenesisFormatError(
                f"{spec.code}: Einheit {s.unit} passt nicht zu {s.indicator}",
                f"{spec.code}: unit {s.unit} does not fit {s.indicator}",
            )
    rows: list[dict] = []
    gaps: list[merging.Key] = []
    source_url = f"{url}?name={spec.code}&format=ffcsv"
    portal = DATABASES[spec.database].portal.format(table=spec.code)
    label = f"{spec.source_label} {spec.code}" + (f", Stand {_german(stand)}" if stand else "")
    base = {
        "publisher": spec.publisher,
        "table_code": spec.code,
        "source_title": f"{spec.source_label} {spec.code} ({spec.title})"
        + (f"; Stand {_german(stand)}" if stand else ""),
        "source_url": source_url,
        "portal_url": portal,
        "stand": stand,
        "retrieved": retrieved,
        "licence": spec.licence,
        "alternatives": "",
    }
    values: dict[tuple[str, str, str, str], tuple[int, float]] = {}
    for (region, indicator, breakdown, ref_date), (year, value, _row) in sorted(found.items()):
        unit = next(s.unit for s in spec.series if s.indicator == indicator and s.breakdown == breakdown)
        if value is None:
            gaps.append((region, indicator, breakdown, ref_date))
            continue
        values[(region, indicator, breakdown, ref_date)] = (year, value)
        rows.append(
            base
            | {
                "region": region,
                "indicator": indicator,
                "breakdown": breakdown,
                "year": year,
                "ref_date": ref_date,
                "value": value,
                "unit": unit,
                "quality": "official",
                "source_label": label,
                "attribution": spec.attribution,
                "note": spec.note,
            }
        )
    derived_base = base | {
        "quality": "derived",
        "source_label": label + ", eigene Berechnung",
        "attribution": spec.attribution + "; eigene Berechnungen",
    }
    # RVR sums of counts: only when all 15 units have a value for the same date.
    for s in (s for s in spec.series if s.rvr_sum):
        dates = {k[3] for k in values if k[1] == s.indicator and k[2] == s.breakdown}
        for ref_date in sorted(dates):
            parts = [values.get((u, s.indicator, s.breakdown, ref_date)) for u in units]
            if any(p is None for p in parts):
                continue
            total = sum(p[1] for p in parts if p)
            year = parts[0][0] if parts[0] else int(ref_date[:4])
            values[(RVR, s.indicator, s.breakdown, ref_date)] = (year, total)
            rows.append(
                derived_base
                | {
                    "region": RVR,
                    "indicator": s.indicator,
                    "breakdown": s.breakdown,
                    "year": year,
                    "ref_date": ref_date,
                    "value": float(total),
                    "unit": s.unit,
                    "note": f"derived: sum of the 15 RVR member units ({spec.note.split(';')[0]}); "
                    "not an official RVR figure",
                }
            )
    # Shares from counts of the same table, region and year.
    for d in spec.derived:
        for (region, ind, brk, ref_date), (year, num) in list(values.items()):
            if (ind, brk) != d.numerator:
                continue
            den = values.get((region, d.denominator[0], d.denominator[1], ref_date))
            if den is None or den[1] <= 0:
                continue
            share = round(num / den[1] * d.factor, d.decimals)
            rows.append(
                derived_base
                | {
                    "region": region,
                    "indicator": d.indicator,
                    "breakdown": d.breakdown,
                    "year": year,
                    "ref_date": ref_date,
                    "value": share,
                    "unit": d.unit,
                    "note": f"derived: {'/'.join(d.numerator)} / {'/'.join(d.denominator)} × 100 "
                    f"(same table {spec.code}, same year), rounded to {d.decimals} decimal",
                }
            )
    return rows, gaps, stand


def table_stand(metadata: dict, code: str) -> str:
    """ISO date of the table's `Updated` ("21.11.2023 13:47:55h" or "2025-03-31 11:18:07h")."""
    text = str((metadata.get("Object") or {}).get("Updated", "")).strip()

    if m := re.match(r"(\d{2})\.(\d{2})\.(\d{4})", text):
        return f"{m[3]}-{m[2]}-{m[1]}"
    if m := re.match(r"(\d{4})-(\d{2})-(\d{2})", text):
        return m[0]
    raise GenesisFormatError(
        f"{code}: Stand der Tabelle nicht lesbar ({text[:30]!r})",
        f"{code}: table vintage not readable ({text[:30]!r})",
    )


def _german(iso: str) -> str:
    return ".".join(reversed(iso.split("-")))


# --------------------------------------------------------------------------------------------- checks + writing


def check_snapshot(old: pd.DataFrame, new: pd.DataFrame, regions, catalogue) -> list[str]:
    """Problems of the merged snapshot: the lead's validation plus the refresh invariants."""
    from integrationsregion.snapshot import validate

    problems = validate(new, regions, catalogue)
    lost = merging.lost_keys(old, new)
    if lost:
        problems.insert(0, f"{len(lost)} Werte würden wegfallen, z. B. {'/'.join(lost[0])}")
    if len(new) < len(old):
        problems.insert(0, f"weniger Zeilen als vorher ({len(new)} < {len(old)})")
    for col in ("source_url", "note", "source_title"):
        if new[col].astype(str).str.contains("password=|username=", regex=True).any():
            problems.insert(0, f"Zugangsdaten in Spalte {col}")
    return problems


def manifest_updates(data_dir: Path, specs: list[TableSpec], stands: dict[str, str], now: str) -> dict:
    from integrationsregion.snapshot import read_manifest

    manifest = read_manifest(data_dir)
    vintages = dict(manifest.get("vintages", {}))
    refreshed = dict(manifest.get("last_refreshed", {}))
    for spec in specs:
        if spec.code not in stands:
            continue
        name = f"{spec.source_label} {spec.code}"
        if stands[spec.code]:
            vintages[name] = stands[spec.code]
        refreshed[name] = now
        refreshed[spec.source] = now
    return {"vintages": dict(sorted(vintages.items())), "last_refreshed": dict(sorted(refreshed.items()))}


def write_guarded(df: pd.DataFrame, data_dir: Path, regions, catalogue, updates: dict) -> None:
    """`snapshot.write_snapshot_atomic`, with an invalid snapshot reported as an update error."""
    from integrationsregion.snapshot import SnapshotError, write_snapshot_atomic

    try:
        write_snapshot_atomic(df, data_dir, regions, catalogue, updates)
    except SnapshotError as exc:
        raise SnapshotValidationError(f"Schnappschuss ungültig: {exc}", f"snapshot invalid: {exc}") from None
