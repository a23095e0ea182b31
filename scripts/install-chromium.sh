#!/usr/bin/env bash
# Installs Debian's chromium, the real browser the status page's end-to-end test drives through
# playwright-core (which brings no browser of its own). Idempotent; needs root.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-chromium.sh: must run as root (it installs Debian's chromium package with apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Lock timeout: wait for a concurrent apt or dpkg run rather than failing.
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
