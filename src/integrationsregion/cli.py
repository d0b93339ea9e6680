"""Command line: `integrationsregion build-snapshot | validate | coverage | update`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from integrationsregion import snapshot_write
from integrationsregion.genesis.update import add_update_arguments, run_update
from integrationsregion.settings import SettingsError, get_settings

MAX_LINES = 200
"""`validate` prints at most this many problem lines (one damage can hit every row)."""


def _build(args: argparse.Namespace) -> int:
    from integrationsregion import reference_build

    reference = Path(args.reference) if args.reference else Path.cwd().parent / "shared" / "reference"
    if not reference.is_dir():
        print(
            "Fehler: Referenzordner nicht gefunden (--reference ../shared/reference angeben).",
            file=sys.stderr,
        )
        return 2
    try:
        with snapshot_write.snapshot_lock(Path(args.data_dir)):
            rows, manifest = reference_build.write(reference, Path(args.data_dir))
    except snapshot_write.SnapshotLocked as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    left_out = sum(manifest["left_out_rows"].values())
    print(
        f"Snapshot geschrieben: {rows} Werte, {manifest['duplicates_resolved']} Dubletten aufgelöst, "
        f"{left_out} Zeilen bewusst ausgelassen (siehe data/build/reference.toml)."
    )
    return 0


def _validate(args: argparse.Namespace) -> int:
    from integrationsregion.validation import validate_data_dir

    data_dir = Path(args.data_dir)
    try:
        with snapshot_write.snapshot_lock(data_dir):
            for line in snapshot_write.recover(data_dir):
                print(f"Repariert: {line}")
    except snapshot_write.SnapshotLocked as exc:
        print(f"Hinweis: {exc}", file=sys.stderr)
    rows, problems = validate_data_dir(data_dir)
    if args.reference:
        from integrationsregion.reference_build import drift_problems

        reference = Path(args.reference)
        if not reference.is_dir():
            problems.append(f"Referenzordner {reference} nicht gefunden")
        elif not problems:
            problems += drift_problems(reference, data_dir)
    for p in problems[:MAX_LINES]:
        print(f"FEHLER: {p}", file=sys.stderr)
    if len(problems) > MAX_LINES:
        print(f"FEHLER: … und {len(problems) - MAX_LINES} weitere Probleme derselben Art", file=sys.stderr)
    print(f"{rows} Werte geprüft: " + ("in Ordnung." if not problems else f"{len(problems)} Probleme."))
    return 1 if problems else 0


def _coverage(args: argparse.Namespace) -> int:
    from integrationsregion.coverage import coverage_report
    from integrationsregion.store import Store

    print(coverage_report(Store.load(Path(args.data_dir))))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="integrationsregion", description="Integrationsregion Ruhr – Daten")
    parser.add_argument(
        "--data-dir", default=None, help="Snapshot-Ordner (Standard: IR_SNAPSHOT_DIR bzw. data/)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build-snapshot", help="Snapshot aus ../shared/reference neu bauen")
    build.add_argument("--reference", help="Ordner mit den Referenz-CSV-Dateien")
    build.set_defaults(func=_build)
    check = sub.add_parser("validate", help="Snapshot, Katalog, Manifest und Grenzen prüfen")
    check.add_argument(
        "--reference",
        help="zusätzlich: jeder Wert aus diesem Referenzordner steht im Snapshot (Drift-Prüfung)",
    )
    check.set_defaults(func=_validate)
    sub.add_parser("coverage", help="Abdeckung je Thema und Reihe (Einheit × Jahr) ausgeben").set_defaults(
        func=_coverage
    )
    update = sub.add_parser("update", help="Snapshot aus den amtlichen Diensten aktualisieren")
    add_update_arguments(update)
    update.set_defaults(func=run_update)
    args = parser.parse_args(argv)
    try:
        args.data_dir = args.data_dir or str(get_settings().snapshot_dir)
    except SettingsError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
