#!/usr/bin/env bash
# Install the services some tests need (Debian packages, as root): redis-server and chromium.
# Tests skip with a visible reason when these are missing, except under CI=true where they fail.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup-services: redis-server and chromium already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-services: need root to apt-get install ${need[*]} (try: sudo bash $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "setup-services: installed ${need[*]}"
