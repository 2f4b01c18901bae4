#!/usr/bin/env bash
# The scale lesson's Spark measurements (make scale) run PySpark, which needs a Java runtime (17 or
# newer). Install Debian's headless OpenJDK 17 when Java is missing and we are allowed to (root with
# apt-get, as in CI); otherwise say how and fail, since make scale cannot run without it.
set -euo pipefail
if command -v java >/dev/null && java -version >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> Installing Java for Spark (Debian's openjdk-17-jre-headless)"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
  exit 0
fi
echo "==> Java not found: Spark (make scale) needs it."
echo "    To install it: sudo apt-get install openjdk-17-jre-headless"
exit 1
