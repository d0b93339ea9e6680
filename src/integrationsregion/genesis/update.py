"""`integrationsregion update`: refresh the snapshot from the official services.

Under the snapshot's exclusive lock, one step per table: download → parse → map (tables.toml; every series
must match rows) → merge → validate the whole snapshot → write (journaled, `snapshot_write`). Nothing is
written unless every selected table succeeded (`--keep-going` writes the good ones); whatever goes wrong,
the files stay byte-identical and one line says what happened and what to do. One line per table, then a
summary.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from integrationsregion import snapshot_write
from integrationsregion.derive import derive
from integrationsregion.genesis import merge as merging
from integrationsregion.genesis.client import DATABASES, GenesisClient
from integrationsregion.genesis.errors import (
    GenesisAuthError,
    GenesisConfigError,
    GenesisError,
    GenesisFormatError,
    RefreshError,
    SnapshotValidationError,
    clean_text,
)
from integrationsregion.genesis.parsers import (
    FlatTable,
    Series,
    TableSpec,
    decode_payload,
    map_rows,
    parse_ffcsv,
    seen_codes,
)
from integrationsregion.settings import SettingsError, get_settings

log = logging.getLogger(__name__)

TABLES_FILE = Path("data") / "refresh" / "tables.toml"
SOURCES = ("regio", "genesis", "ldbnrw", "bkg")


# --------------------------------------------------------------------------------------------- config


def load_specs(path: Path = TABLES_FILE, gemeinden: list[str] = ()) -> tuple[list[TableSpec], dict[str, Any]]:
    """The table specifications of data/refresh/tables.toml and its defaults.

    In `levels`, `{units}` stands for the 15 RVR units and `{gemeinden}` for the Gemeinden of regions.csv.
    """
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    defaults = raw.get("defaults", {})
    units = ",".join(defaults.get("units", []))
    specs = []
    for t in raw.get("table", []):
        levels = tuple(
            (var, key.replace("{units}", units).replace("{gemeinden}", ",".join(gemeinden)))
            for var, key in t.get("levels", defaults["levels"])
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
            )
            for s in t["series"]
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
                note=t.get("note", ""),
                source=t.get("source", t["database"]),
                confirmed=bool(t.get("confirmed", False)),
                recording=t.get("recording", ""),
            )
        )
    return specs, defaults


# --------------------------------------------------------------------------------------------- CLI


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `integrationsregion update`."""
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
    parser.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help="Snapshot-Ordner (Standard: IR_SNAPSHOT_DIR)"
    )
    parser.add_argument("--tables-file", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _param(params: Any, name: str, default: Any = None) -> Any:
    if isinstance(params, dict):
        return params.get(name, default)
    return getattr(params, name, default)


def _say(text: str, stream=None) -> None:
    print(text, file=stream or sys.stdout, flush=True)


def run_update(params: argparse.Namespace | dict | None = None) -> int:
    """Run the update; returns the exit code (0 ok, 1 failed, 130 interrupted). Never raises."""
    params = params or {}
    try:
        settings = get_settings()
        data_dir = Path(_param(params, "data_dir") or settings.snapshot_dir)
        sources = _param(params, "source") or []
        if isinstance(sources, str):
            sources = [sources]
        code = 0
        with snapshot_write.snapshot_lock(data_dir):
            for line in snapshot_write.recover(data_dir):
                _say(f"Reparatur/repair: {line}")
            if not sources or any(s != "bkg" for s in sources):
                code = max(code, _run_tables(params, data_dir, [s for s in sources if s != "bkg"]))
            if "bkg" in sources:
                from integrationsregion import bkg_boundaries

                dry_run = bool(_param(params, "dry_run"))
                code = max(code, bkg_boundaries.run_boundaries(data_dir, dry_run=dry_run))
        return code
    except KeyboardInterrupt:
        _say(
            "Abgebrochen (Strg+C): Schnappschuss unverändert, Update später erneut starten. / "
            "Interrupted: snapshot unchanged, run the update again later.",
            sys.stderr,
        )
        return 130
    except (SettingsError, snapshot_write.SnapshotLocked, RefreshError) as exc:
        _say(f"Fehler/error: {exc}", sys.stderr)
        return 1
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = f" ({Path(exc.filename).name})" if exc.filename else ""
        _say(
            f"Fehler: {reason}{where} – Schnappschuss unverändert, Pfad/Speicherplatz/Schreibrechte prüfen / "
            f"error: {reason}{where} – snapshot unchanged, check path/disk space/permissions",
            sys.stderr,
        )
        return 1
    except Exception as exc:  # last resort: one line, never a traceback
        text = clean_text(str(exc))[:200]
        _say(
            f"Interner Fehler ({type(exc).__name__}: {text}) – Schnappschuss unverändert / internal error "
            f"({type(exc).__name__}) – snapshot unchanged",
            sys.stderr,
        )
        return 1


def _run_tables(params: Any, data_dir: Path, sources: list[str]) -> int:
    from integrationsregion.catalogue import Catalogue
    from integrationsregion.regions import RegionRegistry
    from integrationsregion.snapshot import OBSERVATIONS, read_observations

    regions, catalogue = RegionRegistry.load(data_dir), Catalogue.load(data_dir)
    gemeinden = sorted(r.ags for r in regions.all() if r.level == "gemeinde")
    tables_file = Path(_param(params, "tables_file") or TABLES_FILE)
    try:
        specs, defaults = load_specs(tables_file, gemeinden)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise GenesisConfigError(
            f"{tables_file.name} fehlerhaft ({type(exc).__name__}: {exc})",
            f"{tables_file.name} invalid ({type(exc).__name__}: {exc})",
            hint_de="Datei prüfen (docs/REFRESH.md)",
            hint_en="check the file (docs/REFRESH.md)",
        ) from None
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
    regions_wanted = set(units) | set(gemeinden) | {"05", "DG"}
    dry_run = bool(_param(params, "dry_run"))
    keep_going = bool(_param(params, "keep_going"))

    old = read_observations(data_dir / OBSERVATIONS)
    clients: dict[str, GenesisClient | GenesisError] = {}
    fresh: list[dict] = []
    missing: list[merging.Key] = []
    stands: dict[str, str] = {}
    failures: dict[str, str] = {}
    for n, spec in enumerate(specs, start=1):
        head = f"[{n}/{len(specs)}] {spec.code} ({DATABASES[spec.database].label})"
        try:
            client = _client(clients, spec.database)
            rows, gaps, stand = refresh_table(client, spec, range(start, end + 1), regions_wanted)
        except RefreshError as exc:
            failures[spec.code] = exc.detail_de
            _say(f"{head} … FEHLER/ERROR: {exc.message}", sys.stderr)
            continue
        fresh.extend(rows)
        missing.extend(gaps)
        stands[spec.code] = stand
        years = sorted({r["year"] for r in rows})
        span = f"{years[0]}–{years[-1]}" if years else "–"
        shown = _german(stand) if stand else "nicht angegeben"
        _say(f"{head} … {len(rows)} Werte/values {span}, Stand {shown}, {len(gaps)} fehlend/missing")

    if failures and not keep_going:
        _table_lines(specs, failures, None, fresh, "nicht geschrieben/not written")
        _say(
            f"Update abgebrochen: {len(failures)} von {len(specs)} Tabellen fehlgeschlagen, Schnappschuss "
            f"unverändert – Ursache oben beheben oder --tables/--keep-going nutzen / update aborted: "
            f"{len(failures)} of {len(specs)} tables failed, snapshot unchanged – fix the cause above or use "
            "--tables/--keep-going",
            sys.stderr,
        )
        return 1
    try:
        merged, report = merging.merge(old, fresh, missing)
        if report.changed:  # Ruhr sums and rates, recomputed from the merged counts
            merged = derive(merged, catalogue, regions)
        problems = check_snapshot(old, merged, regions, catalogue) if report.changed else []
        if problems:
            raise SnapshotValidationError(
                f"neuer Schnappschuss ungültig ({len(problems)} Probleme, z. B. {problems[0]})",
                f"new snapshot invalid ({len(problems)} problems, e.g. {problems[0]})",
            )
    except RefreshError as exc:
        _say(f"Fehler/error: {exc.message}", sys.stderr)
        return 1
    for key in report.kept_missing[:10]:
        _say(f"  behalten/kept (fehlt im Download/missing in download): {'/'.join(key)}")
    for key, was, now in report.revised[:10]:
        _say(f"  revidiert/revised: {'/'.join(key)}: {was:g} → {now:g}")
    written = report.changed and not dry_run
    if written:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        write_guarded(merged, data_dir, regions, catalogue, manifest_updates(data_dir, specs, stands, now))
    _table_lines(specs, failures, report, fresh, "" if written or not report.changed else "Probelauf/dry run")
    _say(report.summary_de_en())
    if dry_run:
        _say("Probelauf: nichts geschrieben. / Dry run: nothing written.")
    elif not report.changed:
        _say("Keine Änderungen, Schnappschuss unverändert. / No changes, snapshot unchanged.")
    else:
        _say(f"Schnappschuss geschrieben: {len(merged)} Werte. / Snapshot written: {len(merged)} values.")
    if failures:
        _say(
            f"{len(failures)} Tabelle(n) fehlgeschlagen (oben) / {len(failures)} table(s) failed (above)",
            sys.stderr,
        )
    return 1 if failures else 0


def _client(clients: dict[str, GenesisClient | GenesisError], database: str) -> GenesisClient:
    """One client per database, its login checked once (a failed check fails every table of that database)."""
    if database not in clients:
        client = GenesisClient(database)
        try:
            client.logincheck()
            clients[database] = client
        except GenesisError as exc:
            clients[database] = exc
    found = clients[database]
    if isinstance(found, GenesisError):
        raise found
    return found


def _table_lines(
    specs: list[TableSpec], failures: dict[str, str], report, fresh: list[dict], held: str
) -> None:
    """One result line per table: written (new/revised), unchanged, held back (`held`), or failed and why."""
    changed = {}
    if report is not None:
        keys = {k for k in report.new} | {k for k, _, _ in report.revised}
        for row in fresh:
            if (row["region"], row["indicator"], row["breakdown"], row["ref_date"]) in keys:
                changed[row["table_code"]] = changed.get(row["table_code"], 0) + 1
    for spec in specs:
        if spec.code in failures:
            _say(f"  {spec.code}: fehlgeschlagen/failed – {failures[spec.code]}", sys.stderr)
        elif held:
            _say(f"  {spec.code}: {held}")
        elif changed.get(spec.code):
            _say(
                f"  {spec.code}: geschrieben/written ({changed[spec.code]} neue oder revidierte Werte/new or revised)"
            )
        else:
            _say(f"  {spec.code}: unverändert/unchanged")


# --------------------------------------------------------------------------------------------- one table


def refresh_table(
    client: GenesisClient, spec: TableSpec, years: range, regions: set[str]
) -> tuple[list[dict], list[merging.Key], str]:
    """Download one table (one request per regional level) and map it to snapshot rows.

    A level that comes back header-only has no data (not an error); a series that matches no row in any
    level is an error naming the table, the series and what the table holds. Returns (rows, keys the
    download marks missing, Stand as ISO date or "" when the service does not state it).
    """
    found: dict = {}
    retrieved = ""
    problems: list[str] = []
    matched = dict.fromkeys(spec.series, 0)
    seen: list[FlatTable] = []
    for var, key in spec.levels:
        download = client.tablefile(
            spec.code, startyear=years.start, endyear=years.stop - 1, regionalvariable=var, regionalkey=key
        )
        retrieved = retrieved or download.retrieved
        table = parse_ffcsv(decode_payload(download.content, spec.code), spec.code)
        part, issues, counts = map_rows(spec, table, regions, years)
        problems.extend(issues)
        found.update(part)
        for s, c in counts.items():
            matched[s] += c
        seen.append(table)
    if problems:
        raise GenesisFormatError(
            f"{spec.code}: {len(problems)} ungültige Werte, z. B. {problems[0]}",
            f"{spec.code}: {len(problems)} invalid values, e.g. {problems[0]}",
        )
    empty = [s for s, c in matched.items() if c == 0]
    if empty:
        s = empty[0]
        rule = s.value_variable or s.value_label
        rule += "".join(f" {v}={c}" for v, c in s.select) + (f" ~{s.match_label}" if s.match_label else "")
        held = seen_codes(FlatTable([r for t in seen for r in t.rows]))
        state = "" if spec.confirmed else ", Codes unbestätigt/codes unconfirmed"
        raise GenesisFormatError(
            f"{spec.code}: Reihe {s.indicator}/{s.breakdown} ({rule}) trifft keine Zeile{state} "
            f"({len(empty)} von {len(spec.series)} Reihen leer); Tabelle enthält {held}",
            f"{spec.code}: series {s.indicator}/{s.breakdown} ({rule}) matches no row{state} "
            f"({len(empty)} of {len(spec.series)} series empty)",
            hint_de="Auswahl in data/refresh/tables.toml prüfen",
            hint_en="check the selection in data/refresh/tables.toml",
        )
    stand = data_stand(client, spec.code)
    portal = DATABASES[spec.database].portal.format(table=spec.code)
    label = f"{spec.source_label} {spec.code}" + (f", Stand {_german(stand)}" if stand else "")
    base = {
        "publisher": spec.publisher,
        "table_code": spec.code,
        "source_title": f"{spec.source_label} {spec.code} ({spec.title})"
        + (f"; Stand {_german(stand)}" if stand else "; Stand nicht angegeben"),
        "source_url": portal,
        "portal_url": portal,
        "stand": stand,
        "retrieved": retrieved,
        "licence": spec.licence,
        "alternatives": "",
        "formula": "",
        "rounding": "",
        "mixed_vintage": "",
        "note_source": "",
    }
    rows: list[dict] = []
    gaps: list[merging.Key] = []
    units_of = {(s.indicator, s.breakdown): s.unit for s in spec.series}
    for (region, indicator, breakdown, ref_date), (year, value, _row) in sorted(found.items()):
        if value is None:
            gaps.append((region, indicator, breakdown, ref_date))
            continue
        rows.append(
            base
            | {
                "region": region,
                "indicator": indicator,
                "breakdown": breakdown,
                "year": year,
                "ref_date": ref_date,
                "value": value,
                "unit": units_of[(indicator, breakdown)],
                "quality": "official",
                "source_label": label,
                "attribution": spec.attribution,
                "note": spec.note,
            }
        )
    return rows, gaps, stand


def data_stand(client: GenesisClient, code: str) -> str:
    """The data's Stand: the latest data update of the table's statistic (`catalogue/modifieddata`).

    Never `metadata/table`'s `Updated` (the date the table's definition changed). "" when the service does
    not state it (shown as "nicht angegeben"); a login error still fails the table.
    """
    statistic = code.split("-")[0]
    try:
        entries = client.data_updates(statistic)
    except GenesisAuthError:
        raise
    except GenesisError as exc:
        log.warning("%s: no data Stand (%s)", code, exc.message)
        return ""
    dates = [
        _iso_date(str(e.get("Date", ""))) for e in entries if str(e.get("Code", "")).startswith(statistic)
    ]
    return max((d for d in dates if d), default="")


def _iso_date(text: str) -> str:
    """ISO date of "21.11.2023 13:47:55h" or "2025-03-31 11:18:07h"; "" when not a date."""
    if m := re.match(r"\s*(\d{2})\.(\d{2})\.(\d{4})", text):
        return f"{m[3]}-{m[2]}-{m[1]}"
    if m := re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text):
        return m[0].strip()
    return ""


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
        publication = f"{spec.source_label} {spec.code}"  # the manifest's key, as in the reference build
        if stands[spec.code]:
            vintages[publication] = stands[spec.code]
        refreshed[publication] = now
        refreshed[spec.source] = now
    return {"vintages": dict(sorted(vintages.items())), "last_refreshed": dict(sorted(refreshed.items()))}


def write_guarded(df: pd.DataFrame, data_dir: Path, regions, catalogue, updates: dict) -> None:
    """`snapshot.write_snapshot_atomic` (the caller holds the lock), an invalid snapshot as an update error."""
    from integrationsregion.snapshot import SnapshotError, write_snapshot_atomic

    try:
        write_snapshot_atomic(df, data_dir, regions, catalogue, updates)
    except SnapshotError as exc:
        raise SnapshotValidationError(f"Schnappschuss ungültig: {exc}", f"snapshot invalid: {exc}") from None
