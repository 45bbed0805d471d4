#!/usr/bin/env bash
# Renders the example report in headless Chromium and writes a screenshot, to look at the page
# as a reader would (docs/statistics.md). Needs Debian's `chromium` (installed here if missing;
# not needed by the build or the test suite).
#   bash scripts/check_report.sh [OUT_DIR]   -> OUT_DIR/report.html, OUT_DIR/report.png
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build/report_check}"
if ! command -v chromium >/dev/null; then
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
[ -x build/release/qlab ] || bash scripts/setup.sh release
mkdir -p "$out"
build/release/qlab report examples/runs -o "$out/report.html" --title "qlab example report (synthetic runs)"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,4000 \
  --screenshot="$(realpath "$out")/report.png" "file://$(realpath "$out")/report.html" 2>/dev/null
test -s "$out/report.png"
echo "screenshot: $out/report.png"
