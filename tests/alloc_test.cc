// No allocation per step: global operator new is replaced by a counting one, and stepping every
// registered env (serial and on a thread pool, through many auto-resets) must not allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "qlab/envs/builtin.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace qlab {
namespace {

TEST(NoAllocationPerStep, EveryEnvSerialAndThreaded) {
  ThreadPool pool(2);
  std::vector<std::string> names = BuiltinEnvs().names();
  names.push_back("minatar/breakout,minatar/freeway");  // a multi-task env
  names.push_back("box2d/lunar_lander(continuous=true)");
  for (std::string name : names) {
    // MuJoCo tasks: a short horizon, so that 3000 steps still cross many auto-resets cheaply
    const int steps = name.starts_with("dmc/") ? 600 : 3000;
    if (name.starts_with("dmc/")) name += "(max_steps=150)";
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
      auto env = BuiltinEnvs().Make(name, {.num_envs = 16, .seed = 1, .pool = p});
      StepBatch batch = env->MakeBatch();
      ActionBatch actions(*env);
      Rng rng(2);
      env->Reset(batch);
      const long before = g_allocations.load();
      for (int t = 0; t < steps; ++t) {
        actions.Randomize(rng);
        actions.StepOn(*env, batch);
      }
      EXPECT_EQ(g_allocations.load() - before, 0) << name << (p ? " threaded" : " serial");
    }
  }
}

TEST(NoAllocationPerStep, CounterWorks) {
  const long before = g_allocations.load();
  auto* p = new std::vector<int>(100);
  delete p;
  EXPECT_GE(g_allocations.load() - before, 2);
}

}  // namespace
}  // namespace qlab
