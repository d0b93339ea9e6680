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
apt=(apt-get -o DPkg::Lock::Timeout=300 -q)
say "Installiere Debian-Pakete: ${missing[*]} (wartet bis zu 5 min auf die dpkg-Sperre) …"
if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >/dev/null \
  || ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null; then
  say "apt-get konnte ${missing[*]} nicht installieren."
  exit 1
fi
