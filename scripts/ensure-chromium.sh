#!/usr/bin/env bash
# The browser tests drive Debian's Chromium headless. Install it when missing and we are allowed to
# (root with apt-get, as in CI); otherwise say how, and the browser tests will be skipped locally.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> Installing Chromium and ChromeDriver for the browser tests (Debian packages)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  exit 0
fi
echo "==> Chromium not found: browser tests will be skipped."
echo "    To run them: sudo apt-get install chromium chromium-driver"
