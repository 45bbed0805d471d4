# Source this before running build/gpu/qlab: source scripts/gpu/env.sh [PREFIX]
# The unpacked Debian libraries come from PREFIX; libstdc++ is loaded first because PyTorch's wheels
# export their own copy of std::filesystem (pytorch#133437, docs/gpu.md).
qlab_deb_prefix=${1:-/opt/deb}/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$qlab_deb_prefix:$qlab_deb_prefix/blas:$qlab_deb_prefix/lapack${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_PRELOAD=$(g++ -print-file-name=libstdc++.so.6)
# One thread per run: many runs share the machine's cores (scripts/gpu/run_jobs.sh).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
unset qlab_deb_prefix
