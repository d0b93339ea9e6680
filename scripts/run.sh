#!/usr/bin/env bash
# Install (first time) and start the dashboard on the embedded data: http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/streamlit run app.py "$@"
