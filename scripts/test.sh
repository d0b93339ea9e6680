#!/usr/bin/env bash
# Install (first time) and run the whole test suite: lint, unit, AppTest, HTTP and real-browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
