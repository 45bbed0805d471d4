#!/usr/bin/env bash
# libtorch inside `qlab` must run on OpenBLAS: no ATLAS (pulled in by Debian's Ceres) among the
# executable's libraries, whose sgemm_ would shadow OpenBLAS's, and libblas.so.3 resolving to
# OpenBLAS (not the ~5x slower reference BLAS).
#   tests/blas_check.sh QLAB_BINARY
set -euo pipefail
qlab=$1
needed=$(readelf -d "$qlab" | grep NEEDED || true)
if grep -qiE "atlas|f77blas" <<<"$needed"; then
  echo "FAIL: $qlab links ATLAS directly:"; grep -iE "atlas|f77blas" <<<"$needed"; exit 1
fi
blas=$(ldd "$qlab" | grep -E "libblas\.so\.3" | awk '{print $3}')
resolved=$(readlink -f "$blas")
case "$resolved" in
  *openblas*) echo "PASS: libblas.so.3 -> $resolved; no ATLAS in NEEDED" ;;
  *) echo "FAIL: libblas.so.3 resolves to $resolved, not OpenBLAS (apt-get install libopenblas0-pthread)"; exit 1 ;;
esac
