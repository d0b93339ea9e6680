#!/usr/bin/env bash
# Load test with the live routes in a process of their own: Redis + the Streamlit app (explorers) + a
# follower-only uvicorn process (`integrationsregion.live.routes:standalone_app`) sharing the live state
# through Redis. Everything on 127.0.0.1, stopped at the end. Extra arguments go to bench.load.
#   bench/load_split.sh [--duration 60] [--think 1 3]
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d)
redis_port=$(free_port); app_port=$(free_port); live_port=$(free_port)
export IR_LIVE_BACKEND=redis IR_REDIS_URL="redis://127.0.0.1:$redis_port/0" IR_STATE_DIR="$tmp"
export IR_PRESENTER_TOKEN="split-$("$py" -c 'import secrets; print(secrets.token_urlsafe(18))')"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$tmp/redis.log" 2>&1 &
pids+=($!)
.venv/bin/streamlit run app.py --server.port "$app_port" --server.headless true >"$tmp/app.log" 2>&1 &
app_pid=$!; pids+=($app_pid)
"$py" -m uvicorn --factory integrationsregion.live.routes:standalone_app --host 127.0.0.1 --port "$live_port" \
  --log-level warning >"$tmp/live.log" 2>&1 &
pids+=($!)
for url in "http://127.0.0.1:$app_port/_stcore/health" "http://127.0.0.1:$live_port/live/state.json"; do
  for _ in $(seq 1 300); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
done
"$py" -m bench.load --url "http://127.0.0.1:$app_port" --live-url "http://127.0.0.1:$live_port" \
  --token "$IR_PRESENTER_TOKEN" --pid "$app_pid" --json artifacts/bench/load-split.json "$@"
