#!/usr/bin/env bash
# Install the Debian packages the tests and scripts/serve.sh use, when missing: chromium, redis-server, nginx
# and its brotli_static module.
# Only as root with apt-get; waits up to 300 s for the dpkg lock another install may hold. Prints one line per
# step and exits 1 when a package is still missing (the tests then skip with the reason, or fail under CI=true).
set -uo pipefail
declare -A binary=([chromium]=chromium [redis-server]=redis-server [nginx]=nginx)
missing=()
for package in "${!binary[@]}"; do
  PATH="$PATH:/usr/sbin" command -v "${binary[$package]}" >/dev/null || missing+=("$package")
done
[ -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ] || missing+=(libnginx-mod-http-brotli-static)
[ ${#missing[@]} -eq 0 ] && exit 0
say() { echo "[integrationsregion] $*" >&2; }
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  say "Fehlende Debian-Pakete: ${missing[*]} (nicht root oder kein apt-get: bitte selbst installieren)."
  exit 1
fi
# DPkg::Lock::Timeout covers the dpkg lock; `apt-get update` gives up at once on the package-list lock, so
# every call is retried for up to 300 s while the only complaint is a held lock.
apt() {
  local out
  for _ in $(seq 1 60); do
    if out=$(DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q "$@" 2>&1); then return 0; fi
    grep -q "Could not get lock\|Unable to lock" <<<"$out" || { echo "$out" | tail -n 3 >&2; return 1; }
    sleep 5
  done
  return 1
}
say "Installiere Debian-Pakete: ${missing[*]} (wartet bis zu 5 min auf apt/dpkg-Sperren) …"
if ! apt update || ! apt install -y --no-install-recommends "${missing[@]}"; then
  say "apt-get konnte ${missing[*]} nicht installieren."
  exit 1
fi
