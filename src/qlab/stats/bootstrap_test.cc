#include "qlab/stats/bootstrap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "qlab/core/errors.h"
#include "qlab/core/rng.h"

namespace qlab::stats {
namespace {

ScoreMatrix M(const std::vector<std::vector<double>>& rows) { return ScoreMatrix::FromRows(rows); }

std::vector<std::vector<Estimate>> Boot(const ScoreMatrix& m, std::vector<Metric> metrics,
                                        BootstrapOptions options, RngKind kind = RngKind::kFast,
                                        uint64_t seed = 1) {
  AggregateStatistic statistic(std::move(metrics));
  auto stream = MakeIndexStream(kind, seed);
  return StratifiedBootstrap(m, statistic, options, *stream);
}

TEST(Percentile, MatchesNumpyLinearInterpolation) {
  std::vector<double> v = {5, 1, 4, 2, 3};  // sorted 1..5
  EXPECT_DOUBLE_EQ(NumpyPercentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(NumpyPercentile(v, 100), 5);
  EXPECT_DOUBLE_EQ(NumpyPercentile(v, 50), 3);
  EXPECT_DOUBLE_EQ(NumpyPercentile(v, 10), 1.4);  // h = 0.4
  EXPECT_DOUBLE_EQ(NumpyPercentile(v, 90), 4.6);  // h = 3.6
  std::vector<double> one = {7};
  EXPECT_DOUBLE_EQ(NumpyPercentile(one, 2.5), 7);
}

TEST(Normal, QuantileInvertsCdf) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-15);
  for (double p : {1e-6, 0.01, 0.3, 0.7, 0.99, 1 - 1e-6})
    EXPECT_NEAR(NormalCdf(NormalQuantile(p)), p, 1e-13 + 1e-9 * p);
}

TEST(Bootstrap, OneRunOrConstantScoresGiveAZeroWidthInterval) {
  BootstrapOptions options;
  options.reps = 200;
  for (const ScoreMatrix& m : {M({{0.2, 0.9, 0.4}}), M({{3, 3}, {3, 3}, {3, 3}})}) {
    for (CiMethod method :
         {CiMethod::kPercentile, CiMethod::kBasic, CiMethod::kBc, CiMethod::kBca}) {
      options.method = method;
      const auto result = Boot(m, {Metric::kMean, Metric::kIqm}, options);
      for (const Estimate& e : result[0]) {
        EXPECT_DOUBLE_EQ(e.lo, e.point) << CiMethodName(method);
        EXPECT_DOUBLE_EQ(e.hi, e.point) << CiMethodName(method);
      }
    }
  }
}

TEST(Bootstrap, PointIsTheStatisticOnTheDataAndTheIntervalContainsIt) {
  const ScoreMatrix m = M({{0.1, 1.0}, {0.5, 2.0}, {0.9, 0.0}, {0.3, 1.5}});
  BootstrapOptions options;
  options.reps = 5000;
  const auto result = Boot(m, {Metric::kMean, Metric::kMedian, Metric::kIqm}, options);
  EXPECT_DOUBLE_EQ(result[0][0].point, Mean(m.view()));
  EXPECT_DOUBLE_EQ(result[0][2].point, Iqm(m.view()));
  for (const Estimate& e : result[0]) {
    EXPECT_LT(e.lo, e.point);
    EXPECT_GT(e.hi, e.point);
  }
}

TEST(Bootstrap, SameSeedSameNumbersAndSeedsDiffer) {
  const ScoreMatrix m = M({{0.1, 1.0}, {0.5, 2.0}, {0.9, 0.0}});
  BootstrapOptions options;
  options.reps = 500;
  const auto a = Boot(m, {Metric::kMean}, options, RngKind::kFast, 4);
  const auto b = Boot(m, {Metric::kMean}, options, RngKind::kFast, 4);
  const auto c = Boot(m, {Metric::kMean}, options, RngKind::kFast, 5);
  EXPECT_EQ(a[0][0].lo, b[0][0].lo);
  EXPECT_EQ(a[0][0].hi, b[0][0].hi);
  EXPECT_NE(a[0][0].lo, c[0][0].lo);
}

// Exact replay, worked by hand from the spec: with N = 2 runs the mask is 1, so each index is
// the low bit of one MT19937 output; one replicate's CI is that replicate's statistic.
TEST(Bootstrap, NumpyLegacyFirstReplicateWorkedByHand) {
  const ScoreMatrix m = M({{0, 10}, {1, 20}});
  std::mt19937 mt(42);
  std::vector<int> idx(4);
  for (int& i : idx) i = static_cast<int>(mt() & 1u);  // C order: (0,0) (0,1) (1,0) (1,1)
  const double resampled_mean =
      ((m.at(idx[0], 0) + m.at(idx[2], 0)) / 2 + (m.at(idx[1], 1) + m.at(idx[3], 1)) / 2) / 2;
  BootstrapOptions options;
  options.reps = 1;
  const auto result = Boot(m, {Metric::kMean}, options, RngKind::kNumpyLegacy, 42);
  EXPECT_DOUBLE_EQ(result[0][0].lo, resampled_mean);
  EXPECT_DOUBLE_EQ(result[0][0].hi, resampled_mean);
  EXPECT_DOUBLE_EQ(result[0][0].point, 7.75);
}

// The bootstrap's IQM counts ranks of original cells instead of selecting (see MatrixView);
// with tied scores it must still equal trim_mean of the resample. N = 4: mask 3, no rejection.
TEST(Bootstrap, IqmOfAResampleWithTiesMatchesTheDirectComputation) {
  const ScoreMatrix m = M({{1, 1}, {1, 2}, {2, 2}, {3, 1}, {2, 1}});  // N = 5: mask 7
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937 mt(seed);
    ScoreMatrix resample(5, 2);
    for (int r = 0; r < 5; ++r)
      for (int t = 0; t < 2; ++t) {
        uint32_t v;
        do v = static_cast<uint32_t>(mt()) & 7u;
        while (v > 4);
        resample.at(r, t) = m.at(v, t);
      }
    BootstrapOptions options;
    options.reps = 1;
    const auto e = Boot(m, {Metric::kIqm, Metric::kMedian}, options, RngKind::kNumpyLegacy, seed);
    EXPECT_DOUBLE_EQ(e[0][0].lo, Iqm(resample.view())) << seed;
    EXPECT_DOUBLE_EQ(e[0][1].lo, Median(resample.view())) << seed;
  }
}

TEST(Bootstrap, NumpyLegacyDrawsNothingWhenThereIsOneRun) {
  NumpyLegacyIndexStream a(3), b(3);
  std::vector<uint32_t> x(5), y(5);
  a.Fill(1, x);
  EXPECT_EQ(x, std::vector<uint32_t>(5, 0));
  a.Fill(7, x);
  b.Fill(7, y);  // a consumed nothing for n = 1
  EXPECT_EQ(x, y);
}

TEST(Bootstrap, NumpyLegacyRejectsSeedsAbove32Bits) {
  EXPECT_THROW(MakeIndexStream(RngKind::kNumpyLegacy, 1ULL << 32), UserError);
  EXPECT_THROW(ParseRngKind("mt"), UserError);
}

// Stratification: runs are resampled within each task, independently per task. Rows whose task
// scores cancel would give a zero-width interval under a whole-row bootstrap; constant tasks
// with different levels would give a wide one under an i.i.d. bootstrap over all cells.
TEST(Bootstrap, ResamplesRunsWithinEachTaskIndependently) {
  BootstrapOptions options;
  options.reps = 2000;
  const auto anti = Boot(M({{0, 3}, {1, 2}, {2, 1}, {3, 0}}), {Metric::kMean}, options)[0][0];
  EXPECT_LT(anti.lo, 1.3);
  EXPECT_GT(anti.hi, 1.7);
  const auto levels = Boot(M({{0, 10}, {0, 10}, {0, 10}}), {Metric::kMean}, options)[0][0];
  EXPECT_DOUBLE_EQ(levels.lo, 5);
  EXPECT_DOUBLE_EQ(levels.hi, 5);
}

// The 95% percentile CI of the mean covers the true mean 93-97% of the time (normal data with
// task-dependent means, 20 runs x 5 tasks, 1000 simulated experiments; deterministic seeds).
TEST(Bootstrap, PercentileIntervalOfTheMeanHasNominalCoverage) {
  Rng data_rng(123);
  const double task_means[] = {0.0, 1.0, 2.0, -1.0, 0.5};
  const double true_mean = 0.5;
  int covered = 0;
  const int trials = 1000;
  BootstrapOptions options;
  options.reps = 1000;
  for (int trial = 0; trial < trials; ++trial) {
    ScoreMatrix m(20, 5);
    for (int r = 0; r < 20; ++r)
      for (int t = 0; t < 5; ++t) m.at(r, t) = task_means[t] + data_rng.Normal();
    const auto e = Boot(m, {Metric::kMean}, options, RngKind::kFast, trial)[0][0];
    covered += e.lo <= true_mean && true_mean <= e.hi;
  }
  const double coverage = static_cast<double>(covered) / trials;
  EXPECT_GE(coverage, 0.93);
  EXPECT_LE(coverage, 0.97);
}

TEST(Bootstrap, BasicReflectsThePercentileInterval) {
  const ScoreMatrix m = M({{0.1, 1.0}, {0.5, 2.0}, {0.9, 0.0}, {0.3, 1.5}, {2.0, 0.2}});
  BootstrapOptions options;
  options.reps = 2000;
  const auto pct = Boot(m, {Metric::kIqm}, options)[0][0];
  options.method = CiMethod::kBasic;
  const auto basic = Boot(m, {Metric::kIqm}, options)[0][0];
  EXPECT_NEAR(basic.lo, 2 * pct.point - pct.hi, 1e-12);
  EXPECT_NEAR(basic.hi, 2 * pct.point - pct.lo, 1e-12);
}

TEST(Bootstrap, BcaShiftsTheIntervalForASkewedStatistic) {
  // skewed data: BCa's interval differs from the percentile one but still brackets the estimate
  ScoreMatrix m(15, 1);
  Rng rng(9);
  for (int r = 0; r < 15; ++r) m.at(r, 0) = std::exp(2 * rng.Normal());
  BootstrapOptions options;
  options.reps = 4000;
  const auto pct = Boot(m, {Metric::kMean}, options)[0][0];
  options.method = CiMethod::kBca;
  const auto bca = Boot(m, {Metric::kMean}, options)[0][0];
  EXPECT_GT(std::abs(bca.hi - pct.hi), 1e-3);
  EXPECT_GT(bca.hi, pct.hi);  // right skew: BCa moves the interval up
  EXPECT_LT(bca.lo, bca.point);
  EXPECT_GT(bca.hi, bca.point);
}

TEST(Bootstrap, CurvesGetOneIntervalPerPoint) {
  const ScoreMatrix curves =
      ScoreMatrix::FromCurves({{{0, 1, 2}}, {{0, 2, 4}}, {{0, 3, 6}}});  // 3 runs, 1 task
  BootstrapOptions options;
  options.reps = 500;
  const auto result = Boot(curves, {Metric::kMean}, options);
  ASSERT_EQ(result.size(), 3u);
  EXPECT_DOUBLE_EQ(result[0][0].point, 0);
  EXPECT_DOUBLE_EQ(result[0][0].hi, 0);  // constant at the first point
  EXPECT_DOUBLE_EQ(result[2][0].point, 4);
  EXPECT_GE(result[2][0].lo, 2);
  EXPECT_LE(result[2][0].hi, 6);
}

TEST(Bootstrap, BadOptionsAreUserErrors) {
  BootstrapOptions options;
  options.reps = 0;
  EXPECT_THROW(options.Validate(), UserError);
  options.reps = 10;
  options.coverage = 1.0;
  EXPECT_THROW(options.Validate(), UserError);
  EXPECT_THROW(ParseCiMethod("bootstrap-t"), UserError);
}

}  // namespace
}  // namespace qlab::stats
