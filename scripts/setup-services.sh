#!/usr/bin/env bash
# Install the services some tests need (Debian packages, as root): redis-server, chromium and
# nginx. Tests skip with a visible reason when these are missing, except under CI=true where they
# fail. The tests start their own redis-server and nginx with their own config.
set -euo pipefail
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
command -v nginx >/dev/null || need+=(nginx)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup-services: redis-server, chromium and nginx already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-services: need root to apt-get install ${need[*]} (try: sudo bash $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
if [[ " ${need[*]} " == *" nginx "* ]]; then
  # Debian starts the nginx it installs on port 80, and enables it at boot. Nothing here needs
  # that daemon: stop it and keep it off.
  if [ -d /run/systemd/system ]; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  else
    service nginx stop >/dev/null 2>&1 || true
    update-rc.d nginx disable >/dev/null 2>&1 || true
  fi
  if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    nginx -s stop || true
  fi
fi
echo "setup-services: installed ${need[*]}"
