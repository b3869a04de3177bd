#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright. Install it if missing (needs root).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "probity: installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || { echo "probity: could not install chromium" >&2; exit 1; }
else
  echo "probity: chromium missing and not root; run: sudo apt-get install chromium" >&2
  exit 1
fi
