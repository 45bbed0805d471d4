#include "qlab/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace qlab {
namespace {

TEST(ThreadPool, EveryIndexExactlyOnceForAnySize) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.num_threads(), threads);
    for (int n : {0, 1, 2, 3, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      pool.ParallelFor(n, [&](int begin, int end) {
        for (int i = begin; i < end; ++i) hits[i].fetch_add(1);
      });
      for (int i = 0; i < n; ++i)
        ASSERT_EQ(hits[i].load(), 1) << "threads " << threads << " n " << n;
    }
  }
}

TEST(ThreadPool, ManyBackToBackJobsAndSleepingWorkers) {
  ThreadPool pool(3);
  std::vector<int> data(100, 0);
  for (int round = 0; round < 3000; ++round)
    pool.ParallelFor(100, [&](int begin, int end) {
      for (int i = begin; i < end; ++i) data[i] += 1;
    });
  for (int v : data) ASSERT_EQ(v, 3000);
  // let workers fall asleep, then wake them
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pool.ParallelFor(100, [&](int begin, int end) {
    for (int i = begin; i < end; ++i) data[i] += 1;
  });
  for (int v : data) ASSERT_EQ(v, 3001);
}

TEST(ThreadPool, ChunksAreFixedByNAndThreadCount) {
  ThreadPool pool(2);
  std::vector<int> owner(10, -1);
  std::atomic<int> chunk_id{0};
  pool.ParallelFor(10, [&](int begin, int end) {
    const int id = chunk_id.fetch_add(1);
    for (int i = begin; i < end; ++i) owner[i] = id;
  });
  // two contiguous halves
  for (int i = 1; i < 5; ++i) EXPECT_EQ(owner[i], owner[0]);
  for (int i = 6; i < 10; ++i) EXPECT_EQ(owner[i], owner[5]);
  EXPECT_NE(owner[0], owner[5]);
}

}  // namespace
}  // namespace qlab
