#!/usr/bin/env bash
# Install (first time) and start the dashboard on the embedded data: http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
echo "[integrationsregion] Starte die App (Standard: http://localhost:8501; Beenden: Strg+C) …" >&2
exec .venv/bin/streamlit run app.py "$@"
