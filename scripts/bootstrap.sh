#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install the pinned versions from the lock file, once per lock change.
#   scripts/bootstrap.sh          requirements.lock       (run.sh, serve.sh)
#   scripts/bootstrap.sh test     requirements-test.lock  (test.sh, CI)
# pip checks every download against the lock's sha256 hashes; scripts/lock.sh refreshes the lock files.
# Each step prints one line, so a first run that installs for minutes says what it is doing.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
case "$extras" in
  "") lock=requirements.lock ;;
  test) lock=requirements-test.lock ;;
  *) echo "Unbekannte Auswahl '$extras' (erlaubt: nichts oder 'test')." >&2; exit 2 ;;
esac
python="${PYTHON:-python3}"
say() { echo "[integrationsregion] $*" >&2; }
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 oder neuer wird benötigt (gefunden: $("$python" --version 2>&1))." >&2
  exit 2
fi
stamp=".venv/.installed-$lock-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)"
[ -f "$stamp" ] && exit 0
started=$SECONDS
log=.venv/install.log
if [ ! -x .venv/bin/python ]; then
  say "Lege die Python-Umgebung .venv an …"
  "$python" -m venv .venv
fi
say "Installiere $(grep -c '==' "$lock") Pakete aus $lock (beim ersten Mal einige Minuten; Protokoll: $log) …"
if ! .venv/bin/python -m pip install --require-hashes --only-binary :all: -r "$lock" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  say "Installation fehlgeschlagen (vollständig in $log)."
  exit 1
fi
say "Installiere das Projekt selbst (editierbar) …"
if ! .venv/bin/python -m pip install --no-deps -e . >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  say "Installation des Projekts fehlgeschlagen (vollständig in $log)."
  exit 1
fi
rm -f ".venv/.installed-$lock-"*
touch "$stamp"
say "Fertig nach $((SECONDS - started)) s."
