#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's headless Chromium, which the
# dashboard's browser test drives with Playwright (Playwright cannot download its own browsers
# here). Installs it when it is missing and we are root; otherwise says what to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "negsim: installing Debian's chromium for the dashboard's browser test" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >/tmp/negsim-apt.log 2>&1; then
    cat /tmp/negsim-apt.log >&2
    echo "negsim: could not install chromium; the dashboard's browser test will be skipped." >&2
  fi
else
  echo "negsim: /usr/bin/chromium is missing, so the dashboard's browser test will be skipped." >&2
  echo "  Install it as root: apt-get update && apt-get install -y --no-install-recommends chromium" >&2
fi
