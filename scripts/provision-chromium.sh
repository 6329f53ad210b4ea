#!/usr/bin/env bash
# Makes Debian's Chromium available at /usr/bin/chromium for the end-to-end tests.
# It installs it with apt-get when running as root; otherwise it explains what to do. Never skips silently.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "provision: /usr/bin/chromium is missing and this user cannot install it. Run: sudo apt-get install -y chromium" >&2
  exit 1
fi
echo "provision: installing Debian's chromium (needed by the end-to-end tests)…"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >/tmp/soa-apt-update.log 2>&1; then
  echo "provision: apt-get update failed (see /tmp/soa-apt-update.log)" >&2
  exit 1
fi
if ! apt-get install -y -qq chromium >/tmp/soa-apt-install.log 2>&1; then
  echo "provision: apt-get install chromium failed (see /tmp/soa-apt-install.log)" >&2
  exit 1
fi
[ -x /usr/bin/chromium ] || { echo "provision: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
echo "provision: chromium $(/usr/bin/chromium --version 2>/dev/null | head -1)"
