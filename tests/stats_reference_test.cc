// qlab's --rng numpy-legacy mode against intervals computed with numpy 1.24 + scipy following
// rliable's procedure (tests/data/make_stats_reference.py): same draws, same intervals to ~1e-9.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "qlab/stats/bootstrap.h"
#include "qlab/stats/improvement.h"
#include "qlab/stats/profiles.h"
#include "test_data.h"

namespace qlab::stats {
namespace {

using qlab::testing::LoadTestJson;

const nlohmann::json& Cases() {
  static const nlohmann::json cases = LoadTestJson("stats_reference.json");
  return cases;
}

ScoreMatrix Matrix(const nlohmann::json& j) {
  return j[0][0].is_array()
             ? ScoreMatrix::FromCurves(j.get<std::vector<std::vector<std::vector<double>>>>())
             : ScoreMatrix::FromRows(j.get<std::vector<std::vector<double>>>());
}

BootstrapOptions Options(const nlohmann::json& c, bool task_bootstrap = false) {
  BootstrapOptions options;
  options.reps = c["reps"];
  options.task_bootstrap = task_bootstrap;
  return options;
}

void ExpectEstimates(const std::vector<Estimate>& got, const nlohmann::json& want) {
  const auto point =
      want["point"].is_array() ? want["point"] : nlohmann::json::array({want["point"]});
  const auto lo = want["lo"].is_array() ? want["lo"] : nlohmann::json::array({want["lo"]});
  const auto hi = want["hi"].is_array() ? want["hi"] : nlohmann::json::array({want["hi"]});
  ASSERT_EQ(got.size(), point.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i].point, point[i].get<double>(), 1e-9) << i;
    EXPECT_NEAR(got[i].lo, lo[i].get<double>(), 1e-9) << i;
    EXPECT_NEAR(got[i].hi, hi[i].get<double>(), 1e-9) << i;
  }
}

TEST(StatsReference, FirstDrawsMatchNumpyChoice) {
  const auto& c = Cases()["first_draws"];
  NumpyLegacyIndexStream stream(c["seed"].get<uint32_t>());
  std::vector<uint32_t> got(c["count"].get<int>());
  stream.Fill(c["n"].get<uint32_t>(), got);
  EXPECT_EQ(got, c["indices"].get<std::vector<uint32_t>>());
}

TEST(StatsReference, AggregatesExactReplay) {
  for (const char* name : {"aggregates", "aggregates_task_bootstrap"}) {
    SCOPED_TRACE(name);
    const auto& c = Cases()[name];
    AggregateStatistic statistic(
        {Metric::kMean, Metric::kMedian, Metric::kIqm, Metric::kOptimalityGap});
    auto stream = MakeIndexStream(RngKind::kNumpyLegacy, c["seed"]);
    const auto result =
        StratifiedBootstrap(Matrix(c["scores"]), statistic,
                            Options(c, std::string(name).ends_with("bootstrap")), *stream);
    ExpectEstimates(result[0], c["result"]);
  }
}

TEST(StatsReference, SampleEfficiencyCurveExactReplay) {
  const auto& c = Cases()["curves_iqm"];
  AggregateStatistic iqm({Metric::kIqm});
  auto stream = MakeIndexStream(RngKind::kNumpyLegacy, c["seed"]);
  const auto result = StratifiedBootstrap(Matrix(c["scores"]), iqm, Options(c), *stream);
  std::vector<Estimate> per_point;
  for (const auto& point : result) per_point.push_back(point[0]);
  ExpectEstimates(per_point, c["result"]);
}

TEST(StatsReference, ProbabilityOfImprovementExactReplay) {
  const auto& c = Cases()["improvement"];
  auto stream = MakeIndexStream(RngKind::kNumpyLegacy, c["seed"]);
  const Estimate e =
      ProbabilityOfImprovementCi(Matrix(c["x"]), Matrix(c["y"]), Options(c), *stream);
  ExpectEstimates({e}, c["result"]);
}

TEST(StatsReference, PerformanceProfilesExactReplay) {
  for (const auto& [name, kind] :
       {std::pair{"profile_run_score", ProfileKind::kRunScore},
        std::pair{"profile_average_score", ProfileKind::kAverageScore}}) {
    SCOPED_TRACE(name);
    const auto& c = Cases()[name];
    auto stream = MakeIndexStream(RngKind::kNumpyLegacy, c["seed"]);
    ExpectEstimates(PerformanceProfile(Matrix(c["scores"]), c["taus"], kind, Options(c), *stream),
                    c["result"]);
  }
}

}  // namespace
}  // namespace qlab::stats
