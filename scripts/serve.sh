#!/usr/bin/env bash
# Install (first time) and start the production set on this machine: nginx on one port in front of two
# Streamlit replicas, one live worker and Redis (all on 127.0.0.1), watched by supervisord; Ctrl+C stops all.
#   scripts/serve.sh [--port 8080] [--base-path /integration] [--replicas 2] [--live-workers 1] [--host 0.0.0.0]
# Needs Debian's nginx and redis-server (as root: apt-get install -y nginx redis-server). See docs/DEPLOY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python deploy/serve.py "$@"
