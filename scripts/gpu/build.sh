#!/usr/bin/env bash
# Builds qlab (the CLI, no tests) against the libtorch of the pip PyTorch that `python3` imports,
# on a machine without Debian's packages (e.g. a CUDA image on Ubuntu): the .debs/ that
# fetch_debs.sh downloaded are unpacked into a prefix, their CMake files are pointed at it, and
# the build goes to build/gpu. Usage, from the repository root: scripts/gpu/build.sh [PREFIX]
# Then run with:  source scripts/gpu/env.sh [PREFIX]; build/gpu/qlab ...
set -euo pipefail
P=${1:-/opt/deb}
L=$P/usr/lib/x86_64-linux-gnu
mkdir -p "$P"
for f in .debs/*.deb; do dpkg -x "$f" "$P"; done
# Debian selects BLAS/LAPACK through update-alternatives, which dpkg -x does not run.
ln -sf blas/libblas.so.3 "$L/libblas.so.3"; ln -sf blas/libblas.so.3 "$L/libblas.so"
ln -sf lapack/liblapack.so.3 "$L/liblapack.so.3"; ln -sf lapack/liblapack.so.3 "$L/liblapack.so"
# Debian's CMake package files name /usr/lib/x86_64-linux-gnu, /usr/include and /usr literally.
grep -rlE "/usr/(lib/x86_64-linux-gnu|include|share/glog)|\"/usr\"" "$L/cmake" "$P"/usr/share/*/cmake \
  2>/dev/null | xargs -r sed -i -E \
  "s#([^a-zA-Z0-9_/]|^)/usr/(lib/x86_64-linux-gnu|include|share/glog)#\\1$P/usr/\\2#g; s#\"/usr\"#\"$P/usr\"#g"
TORCH=${TORCH:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}
python3 -c 'import torch; print("PyTorch", torch.__version__)' 2>/dev/null || true
# MuJoCo's package file asks for OpenGL, which qlab never calls: any existing library satisfies it.
stand_in=$(gcc -print-file-name=libm.so.6)
cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DQLAB_PYTHON=OFF \
  -DQLAB_BUILD_TESTS="${QLAB_BUILD_TESTS:-OFF}" -DQLAB_BUILD_BENCH=OFF \
  -DCMAKE_PREFIX_PATH="$TORCH;$P/usr" -DCMAKE_LIBRARY_PATH="$L" \
  -DCMAKE_INCLUDE_PATH="$P/usr/include;$P/usr/include/x86_64-linux-gnu" \
  -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DTORCH_CUDA_ARCH_LIST="${TORCH_CUDA_ARCH_LIST:-9.0}" \
  -DOPENGL_opengl_LIBRARY="$stand_in" -DOPENGL_glx_LIBRARY="$stand_in" \
  -DOPENGL_INCLUDE_DIR="$P/usr/include" > build/gpu-cmake.log 2>&1 ||
  { tail -40 build/gpu-cmake.log; exit 1; }
cmake --build build/gpu --target qlab -j "$(nproc)"
source "$(dirname "$0")/env.sh" "$P"
build/gpu/qlab version
