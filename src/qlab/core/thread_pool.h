// ThreadPool: a fixed set of threads for fork-join loops over env batches.
//
// A batch of 64 MinAtar steps takes a few microseconds, so waking sleeping threads through a
// condition variable (~10 us) would cost more than the work. Workers therefore spin briefly on an
// epoch counter before sleeping on it (C++20 atomic wait, a futex on Linux); the caller runs the
// first chunk itself. Chunks are contiguous and fixed by (n, num_threads), and callers write only
// their own rows, so results never depend on the thread count.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "qlab/core/aligned.h"

namespace qlab {

class ThreadPool {
 public:
  // `num_threads` counts the calling thread: 1 runs everything inline.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls body(begin, end) on contiguous chunks covering [0, n); blocks until all chunks are done.
  // Not reentrant: one ParallelFor at a time per pool.
  template <class Body>
  void ParallelFor(int n, Body&& body) {
    if (workers_.empty() || n <= 1) {
      if (n > 0) body(0, n);
      return;
    }
    auto trampoline = [](void* context, int begin, int end) {
      (*static_cast<std::remove_reference_t<Body>*>(context))(begin, end);
    };
    Run(n, trampoline, &body);
  }

 private:
  using ChunkFn = void (*)(void* context, int begin, int end);
  void Run(int n, ChunkFn fn, void* context);
  void RunChunk(int chunk) const;
  void WorkerLoop(int chunk);

  std::vector<std::thread> workers_;
  // the current job, published by the release increment of epoch_
  ChunkFn fn_ = nullptr;
  void* context_ = nullptr;
  int n_ = 0;
  // separate cache lines: workers spin on epoch_ while the caller spins on pending_
  alignas(kCacheLine) std::atomic<uint32_t> epoch_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  alignas(kCacheLine) std::atomic<int> pending_{0};
};

// Threads to use when the user says "auto" (0): the hardware concurrency, at least 1.
int DefaultThreadCount();

}  // namespace qlab
