#!/usr/bin/env bash
# Downloads (does not install) Debian 12's packages that qlab needs besides libtorch, with their
# library dependencies, into .debs/ (git-ignored through .git/info/exclude). Run it on a Debian 12
# machine; build.sh unpacks them on a machine that has a pip PyTorch but no Debian (docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .debs .git/info
grep -qx '/.debs/' .git/info/exclude 2>/dev/null || echo '/.debs/' >> .git/info/exclude
# The closure of apt-cache depends over qlab's build dependencies (2026-11, Debian 12), minus what
# any glibc/GCC system has; ATLAS is kept because Debian's Ceres config names it.
packages=(
  libfmt-dev libfmt9 nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libtomlplusplus3
  libsqlite3-dev libsqlite3-0 libbox2d-dev libbox2d2 libmujoco-dev libmujoco2.2.2 libccd2
  liblodepng0 libqhull-r8.0 libtinyxml2-9 libceres-dev libceres3 libeigen3-dev libgoogle-glog-dev
  libgoogle-glog0v6 libgflags-dev libgflags2.2 libunwind-dev libunwind8 liblzma-dev liblzma5
  libsuitesparse-dev libamd2 libbtf1 libcamd2 libccolamd2 libcholmod3 libcolamd2 libcxsparse3
  libklu1 libldl2 libmongoose2 librbio2 libsliplu1 libspqr2 libsuitesparseconfig5 libumfpack5
  libmetis5 libgmp10 libmpfr6 libblas-dev libblas3 liblapack-dev liblapack3 libatlas3-base
  libgfortran5 libquadmath0 pkgconf pkgconf-bin pkg-config libpkgconf3
)
cd .debs && apt-get download "${packages[@]}"
du -sh .
