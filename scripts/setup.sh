#!/usr/bin/env bash
# Idempotent set-up: installs the Debian packages qlab needs (only the missing ones, running
# `apt-get update` once if anything is missing), then configures and builds a CMake preset.
#   scripts/setup.sh [PRESET]      PRESET: release (default), debug, asan, tsan
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

packages=(
  build-essential cmake ninja-build ccache git pkg-config clang-format
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev libsqlite3-dev
  libtorch-dev libopenblas0-pthread libbox2d-dev libmujoco-dev
  gnuplot-nox libceres-dev slurm-wlm munge
  python3-dev pybind11-dev python3-numpy python3-pytest python3-pandas
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/qlab-ccache}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
