// Microbenchmarks of the env engine (Google Benchmark). Reported figures live in
// docs/benchmarks.md with the command that produced them; `qlab bench envs` gives the end-to-end
// ratios.
//   build/release/bench/qlab_env_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "qlab/envs/builtin.h"

namespace qlab {
namespace {

// One batch step of `num_envs` envs with random actions (pre-generated), observation written.
void BM_VecEnvStep(benchmark::State& state, const char* name) {
  const int num_envs = static_cast<int>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  ThreadPool pool(threads);
  auto env = BuiltinEnvs().Make(name, {.num_envs = num_envs, .seed = 0, .pool = &pool});
  StepBatch batch = env->MakeBatch();
  env->Reset(batch);
  constexpr int kBatches = 256;
  std::vector<int32_t> actions(kBatches * num_envs);
  Rng rng(1);
  for (auto& a : actions) a = static_cast<int32_t>(rng.UniformInt(env->spec().action_space.n));
  int64_t k = 0;
  for (auto _ : state) {
    env->Step({actions.data() + (k++ % kBatches) * num_envs, static_cast<size_t>(num_envs)}, batch);
    benchmark::DoNotOptimize(batch.obs.data());
  }
  state.SetItemsProcessed(state.iterations() * num_envs);
}

#define QLAB_ENV_BENCH(label, name) \
  BENCHMARK_CAPTURE(BM_VecEnvStep, label, name)->Args({64, 1})->Args({64, 2})->UseRealTime()

QLAB_ENV_BENCH(breakout, "minatar/breakout");
QLAB_ENV_BENCH(asterix, "minatar/asterix");
QLAB_ENV_BENCH(freeway, "minatar/freeway");
QLAB_ENV_BENCH(seaquest, "minatar/seaquest");
QLAB_ENV_BENCH(space_invaders, "minatar/space_invaders");
QLAB_ENV_BENCH(cartpole, "classic/cartpole");
QLAB_ENV_BENCH(acrobot, "classic/acrobot");

void BM_RngUniformInt(benchmark::State& state) {
  Rng rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(rng.UniformInt(6));
}
BENCHMARK(BM_RngUniformInt);

}  // namespace
}  // namespace qlab

namespace qlab {
namespace {

// Fork-join cost of the pool with an empty body, and the scaling ceiling on pure arithmetic
// (`range(0)` multiply-adds per item, 64 items): the bounds within which env stepping can scale.
void BM_ThreadPoolForkJoin(benchmark::State& state) {
  ThreadPool pool(static_cast<int>(state.range(0)));
  for (auto _ : state) pool.ParallelFor(64, [](int, int) {});
}
BENCHMARK(BM_ThreadPoolForkJoin)->Arg(1)->Arg(2)->UseRealTime();

void BM_ThreadPoolCompute(benchmark::State& state) {
  ThreadPool pool(static_cast<int>(state.range(1)));
  const int work = static_cast<int>(state.range(0));
  std::vector<double> out(64 * 8);
  for (auto _ : state) {
    pool.ParallelFor(64, [&](int begin, int end) {
      for (int i = begin; i < end; ++i) {
        double x = i;
        for (int k = 0; k < work; ++k) x = x * 0.999999 + 1e-9;
        out[i * 8] = x;  // one cache line per item
      }
    });
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_ThreadPoolCompute)
    ->Args({100, 1})
    ->Args({100, 2})
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->UseRealTime();

}  // namespace
}  // namespace qlab

BENCHMARK_MAIN();
