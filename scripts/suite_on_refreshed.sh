#!/usr/bin/env bash
# Issue 10's proof: after a refresh that adds a year, the suite still passes. Builds a copy of data/ in a temp
# dir, runs `integrationsregion update` on it against the fake GENESIS server (a later Stichtag, see
# tests/refresh/refreshed_snapshot.py), then runs pytest with IR_SNAPSHOT_DIR pointing at the copy: the app,
# the fixtures and every server the tests start read it. Arguments go to pytest (default: the whole suite),
# e.g. scripts/suite_on_refreshed.sh -m "not e2e and not deploy". data/ is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
.venv/bin/python -m tests.refresh.refreshed_snapshot "$work/data"
IR_SNAPSHOT_DIR="$work/data" .venv/bin/python -m pytest -p no:cacheprovider "$@"
