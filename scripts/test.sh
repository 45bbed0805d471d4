#!/usr/bin/env bash
# Set up, build, check formatting and run the whole test suite.
#   scripts/test.sh [PRESET]      PRESET: release (default), debug, asan, tsan
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
scripts/setup.sh "$preset"
scripts/check_format.sh
ctest --preset "$preset"
