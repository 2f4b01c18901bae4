#!/usr/bin/env bash
# `bootcamp grade` runs every submission's kernel in a bubblewrap sandbox (see autograder/README.md).
# Install Debian's bubblewrap when missing and we are allowed to (root with apt-get, as in CI);
# otherwise say how. Without it grading falls back to `unshare` (weaker) or runs unsandboxed.
set -euo pipefail
if command -v bwrap >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> Installing bubblewrap for sandboxed grading (Debian package)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
  exit 0
fi
echo "==> bubblewrap not found: grading kernels get a weaker sandbox (unshare) or none."
echo "    To sandbox them: sudo apt-get install bubblewrap"
