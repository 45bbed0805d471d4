#include "qlab/core/thread_pool.h"

#include "qlab/core/check.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QLAB_CPU_RELAX() _mm_pause()
#else
#define QLAB_CPU_RELAX() std::this_thread::yield()
#endif

namespace qlab {
namespace {
// ~20-50 us of spinning before a worker sleeps: long enough to catch back-to-back env steps.
constexpr int kSpinIterations = 1 << 12;
}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  QLAB_CHECK_GE(num_threads, 1);
  workers_.reserve(num_threads - 1);
  for (int chunk = 1; chunk < num_threads; ++chunk)
    workers_.emplace_back([this, chunk] { WorkerLoop(chunk); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_seq_cst);
  epoch_.fetch_add(1, std::memory_order_seq_cst);
  epoch_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::RunChunk(int chunk) const {
  const int threads = num_threads();
  const int begin = static_cast<int>(static_cast<int64_t>(n_) * chunk / threads);
  const int end = static_cast<int>(static_cast<int64_t>(n_) * (chunk + 1) / threads);
  if (begin < end) fn_(context_, begin, end);
}

void ThreadPool::Run(int n, ChunkFn fn, void* context) {
  fn_ = fn;
  context_ = context;
  n_ = n;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  epoch_.fetch_add(1, std::memory_order_seq_cst);  // publishes the job
  if (sleepers_.load(std::memory_order_seq_cst) > 0) epoch_.notify_all();
  RunChunk(0);
  for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; ++spins) {
    if (spins < kSpinIterations) {
      QLAB_CPU_RELAX();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::WorkerLoop(int chunk) {
  uint32_t seen = 0;
  while (true) {
    uint32_t epoch = epoch_.load(std::memory_order_acquire);
    for (int i = 0; epoch == seen && i < kSpinIterations; ++i) {
      QLAB_CPU_RELAX();
      epoch = epoch_.load(std::memory_order_acquire);
    }
    while (epoch == seen) {
      // Dekker-style handshake with Run(): either it sees us sleeping, or we see its new epoch.
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      epoch_.wait(seen, std::memory_order_seq_cst);
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      epoch = epoch_.load(std::memory_order_acquire);
    }
    seen = epoch;
    if (stop_.load(std::memory_order_acquire)) return;
    RunChunk(chunk);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

int DefaultThreadCount() {
  unsigned count = std::thread::hardware_concurrency();
  return count == 0 ? 1 : static_cast<int>(count);
}

}  // namespace qlab
