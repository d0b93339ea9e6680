#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml's ranges (needs network to PyPI):
#   requirements.lock       runtime + serve extra (Dockerfile, scripts/run.sh, scripts/serve.sh)
#   requirements-test.lock  the same + test extra (scripts/test.sh, CI)
# uv runs from a throw-away venv; pip installs the result (scripts/bootstrap.sh), so a clone needs no uv.
#   scripts/lock.sh [--upgrade]      (default: keep pinned versions where the ranges allow)
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
tool=$(mktemp -d)
trap 'rm -rf "$tool"' EXIT
"$python" -m venv "$tool"
"$tool/bin/pip" install --quiet "uv==0.13.9"
compile() {
  "$tool/bin/uv" pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
    --no-header --quiet "$@"
}
compile --extra serve -o requirements.lock "${@}"
compile --extra serve --extra test -o requirements-test.lock "${@}"
echo "requirements.lock: $(grep -c '==' requirements.lock) Pakete; requirements-test.lock: $(grep -c '==' requirements-test.lock) Pakete"
