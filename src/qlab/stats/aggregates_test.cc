#include "qlab/stats/aggregates.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

ScoreMatrix M(const std::vector<std::vector<double>>& rows) { return ScoreMatrix::FromRows(rows); }

TEST(Aggregates, RliableHandComputedCase) {
  // rliable's metrics_test: IQM of [[1,2],[2,2],[1,1],[2,1]] is 1.5
  const ScoreMatrix m = M({{1, 2}, {2, 2}, {1, 1}, {2, 1}});
  EXPECT_DOUBLE_EQ(Iqm(m.view()), 1.5);
  EXPECT_DOUBLE_EQ(Mean(m.view()), 1.5);
  EXPECT_DOUBLE_EQ(Median(m.view()), 1.5);
  EXPECT_DOUBLE_EQ(OptimalityGap(m.view()), 0.0);  // every score >= 1
  EXPECT_DOUBLE_EQ(OptimalityGap(m.view(), 2.0), 0.5);
}

TEST(Aggregates, MeanAndMedianAreOverTaskMeans) {
  // task means 1, 3, 2, 10 -> mean 4, median (2 + 3) / 2
  const ScoreMatrix m = M({{0, 2, 2, 0}, {2, 4, 2, 20}});
  EXPECT_DOUBLE_EQ(Mean(m.view()), 4.0);
  EXPECT_DOUBLE_EQ(Median(m.view()), 2.5);
  EXPECT_DOUBLE_EQ(Median(M({{1, 7, 3}}).view()), 3.0);  // odd: the middle value
}

TEST(Aggregates, IqmTrimsFloorOfAQuarterWithoutFractionalWeights) {
  EXPECT_DOUBLE_EQ(Iqm(M({{1, 2, 3, 4, 5, 6, 100}}).view()), 4.0);      // n = 7 drops 1 per side
  EXPECT_DOUBLE_EQ(Iqm(M({{1, 2, 3, 4, 5, 6}}).view()), 3.5);           // n = 6 drops 1
  EXPECT_DOUBLE_EQ(Iqm(M({{9, 1, 8, 2, 7, 3, 6, 4, 5}}).view()), 5.0);  // n = 9 drops 2: 3..7
  EXPECT_DOUBLE_EQ(Iqm(M({{1, 2, 30}}).view()), 11.0);                  // n < 4: nothing dropped
  EXPECT_DOUBLE_EQ(Iqm(M({{-5}, {-1}, {-3}, {-2}}).view()), -2.5);      // negative scores
}

TEST(Aggregates, OptimalityGapClipsEachRunNotTheTaskMean) {
  // task mean is 1 (no gap per task mean), but the run at 0 contributes 1 - 0 = 1 of 2 runs
  const ScoreMatrix m = M({{0.0}, {2.0}});
  EXPECT_DOUBLE_EQ(OptimalityGap(m.view()), 0.5);
  EXPECT_DOUBLE_EQ(OptimalityGap(M({{-1.0}}).view()), 2.0);
}

TEST(Aggregates, OneRunAndConstantScores) {
  const ScoreMatrix one = M({{0.3, 0.7}});
  EXPECT_DOUBLE_EQ(Mean(one.view()), 0.5);
  EXPECT_DOUBLE_EQ(Iqm(one.view()), 0.5);
  const ScoreMatrix constant = M({{2, 2}, {2, 2}, {2, 2}});
  for (Metric metric : {Metric::kMean, Metric::kMedian, Metric::kIqm})
    EXPECT_DOUBLE_EQ(Aggregate(constant.view(), metric), 2.0) << MetricName(metric);
}

TEST(Aggregates, StatisticComputesSeveralMetricsOnOneMatrix) {
  AggregateStatistic statistic(
      {Metric::kIqm, Metric::kMean, Metric::kMedian, Metric::kOptimalityGap});
  const ScoreMatrix m = M({{0.5, 2, 0}, {1, 3, 0.2}});
  std::vector<double> out(4);
  statistic.Compute(m.view(), out);
  EXPECT_DOUBLE_EQ(out[0], Iqm(m.view()));
  EXPECT_DOUBLE_EQ(out[1], Mean(m.view()));
  EXPECT_DOUBLE_EQ(out[2], Median(m.view()));
  EXPECT_DOUBLE_EQ(out[3], OptimalityGap(m.view()));
}

TEST(Aggregates, NamesRoundTripAndUnknownIsAnError) {
  for (Metric m : kAllMetrics) EXPECT_EQ(ParseMetric(MetricName(m)), m);
  EXPECT_THROW(ParseMetric("iqr"), UserError);
}

TEST(ScoreMatrix, RaggedAndEmptyInputsAreErrors) {
  EXPECT_THROW(M({{1, 2}, {3}}), UserError);
  EXPECT_THROW(M({}), UserError);
  EXPECT_THROW(ScoreMatrix::FromCurves({{{1, 2}, {3}}}), UserError);
  EXPECT_THROW(ScoreMatrix::FromCurves({{{1, 2}}, {{1, 2}, {3, 4}}}), UserError);
  ScoreMatrix a = M({{1, 2}}), b = M({{1, 2, 3}});
  EXPECT_THROW(CheckSameTasks(a, "a", b, "b"), UserError);
  ScoreMatrix c = M({{1, 2}});
  a.task_names = {"x", "y"};
  c.task_names = {"y", "x"};
  EXPECT_THROW(CheckSameTasks(a, "a", c, "c"), UserError);
}

TEST(ScoreMatrix, CurvesSliceByPoint) {
  const ScoreMatrix m =
      ScoreMatrix::FromCurves({{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}});
  EXPECT_EQ(m.runs(), 2);
  EXPECT_EQ(m.tasks(), 2);
  EXPECT_EQ(m.points(), 3);
  const ScoreMatrix last = m.Slice(2);
  EXPECT_DOUBLE_EQ(last.at(0, 0), 3);
  EXPECT_DOUBLE_EQ(last.at(1, 1), 12);
}

}  // namespace
}  // namespace qlab::stats
