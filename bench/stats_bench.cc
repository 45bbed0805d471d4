// Microbenchmarks of the statistics hot path: one stratified-bootstrap replicate costs an index
// fill, a gather and the four aggregates (IQM's two nth_element calls dominate).
#include <benchmark/benchmark.h>

#include "qlab/core/rng.h"
#include "qlab/stats/bootstrap.h"

namespace {

qlab::stats::ScoreMatrix Scores(int runs, int tasks) {
  qlab::Rng rng(7);
  qlab::stats::ScoreMatrix m(runs, tasks);
  for (int r = 0; r < runs; ++r)
    for (int t = 0; t < tasks; ++t) m.at(r, t) = rng.Normal();
  return m;
}

void BM_Aggregates(benchmark::State& state) {
  const auto m = Scores(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  qlab::stats::AggregateStatistic statistic(qlab::stats::AllMetrics());
  std::vector<double> out(4);
  for (auto _ : state) {
    statistic.Compute(m.view(), out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Aggregates)->Args({10, 26})->Args({5, 57});

void BM_StratifiedBootstrap(benchmark::State& state) {
  const auto m = Scores(10, 26);
  qlab::stats::BootstrapOptions options;
  options.reps = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto stream = qlab::stats::MakeIndexStream(
        state.range(1) ? qlab::stats::RngKind::kNumpyLegacy : qlab::stats::RngKind::kFast, 0);
    qlab::stats::AggregateStatistic statistic(qlab::stats::AllMetrics());
    benchmark::DoNotOptimize(qlab::stats::StratifiedBootstrap(m, statistic, options, *stream));
  }
  state.SetItemsProcessed(state.iterations() * options.reps);
}
BENCHMARK(BM_StratifiedBootstrap)
    ->Args({50000, 0})
    ->Args({50000, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
