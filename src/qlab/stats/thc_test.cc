#include "qlab/stats/thc.h"

#include <gtest/gtest.h>

#include <cmath>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

TEST(Thc, DisjointIntervalsRankOneToK) {
  const std::vector<RankInterval> intervals = {{0, 1}, {4, 5}, {2, 3}};
  EXPECT_EQ(IntervalRanks(intervals), (std::vector<double>{3, 1, 2}));
}

TEST(Thc, OverlapsShareAveragedRanks) {
  // A [5,10] and B [6,8] overlap: best 1, worst 2 -> 1.5 each; C [1,2] is last
  EXPECT_EQ(IntervalRanks(std::vector<RankInterval>{{5, 10}, {6, 8}, {1, 2}}),
            (std::vector<double>{1.5, 1.5, 3}));
}

TEST(Thc, AWideIntervalEarlyInTheOrderSetsTheBestRank) {
  // hi order A [0,10], B [8,9], C [3,4]: C overlaps A (lo 0 <= 4), so best(C) = 1 although B is
  // strictly better than C; worst(C) = #{hi >= 3} = 3 -> rank 2. A: worst = 3 -> 2. B: 1.5.
  EXPECT_EQ(IntervalRanks(std::vector<RankInterval>{{0, 10}, {8, 9}, {3, 4}}),
            (std::vector<double>{2, 1.5, 2}));
}

TEST(Thc, TiesInHiKeepInputOrder) {
  EXPECT_EQ(IntervalRanks(std::vector<RankInterval>{{1, 5}, {4, 5}}),
            (std::vector<double>{1.5, 1.5}));
  // equal intervals: both best 1, worst 2
  EXPECT_EQ(IntervalRanks(std::vector<RankInterval>{{2, 3}, {2, 3}, {0, 1}}),
            (std::vector<double>{1.5, 1.5, 3}));
}

TEST(Thc, ScoreIsTheMeanNormalisedRankRange) {
  // two regimes; ranks per value: (1, 3), (2, 2), (3, 1) -> ranges 1, 0, 1 (over K - 1 = 2)
  const std::vector<std::vector<RankInterval>> intervals = {
      {{8, 9}, {0, 1}}, {{4, 5}, {4, 5}}, {{0, 1}, {8, 9}}};
  const ThcResult r = Thc(intervals);
  EXPECT_EQ(r.per_value, (std::vector<double>{1, 0, 1}));
  EXPECT_DOUBLE_EQ(r.score, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r.std, std::sqrt(1.0 / 3.0));  // ddof 1
  // consistent ranking everywhere: 0
  EXPECT_DOUBLE_EQ(Thc({{{8, 9}, {8, 9}}, {{0, 1}, {0, 1}}}).score, 0.0);
}

TEST(Thc, PerTaskUsesMeanPlusMinusPopulationStd) {
  // value a: task 0 runs {1, 3} -> [1, 3]; task 1 runs {10, 10} -> [10, 10]
  // value b: task 0 runs {10, 10} -> [10, 10]; task 1 runs {0, 2} -> [0, 2]
  ScoreMatrix a = ScoreMatrix::FromRows({{1, 10}, {3, 10}});
  ScoreMatrix b = ScoreMatrix::FromRows({{10, 0}, {10, 2}});
  const ThcResult r = ThcPerTask({a, b});
  EXPECT_EQ(r.ranks, (std::vector<std::vector<double>>{{2, 1}, {1, 2}}));
  EXPECT_DOUBLE_EQ(r.score, 1.0);
  // overlapping by one std: a's task 0 becomes [0, 4] vs b's [3, 5] -> ranks 1.5
  ScoreMatrix wide = ScoreMatrix::FromRows({{0, 10}, {4, 10}});
  ScoreMatrix near = ScoreMatrix::FromRows({{3, 0}, {5, 2}});
  EXPECT_EQ(ThcPerTask({wide, near}).ranks, (std::vector<std::vector<double>>{{1.5, 1}, {1.5, 2}}));
}

TEST(Thc, CurvesReduceByTheTrapezoidSum) {
  // trapezoid sums: a = 0/2 + 1 + 2/2 = 2 per run; b = 3/2 + 0 + 0/2 = 1.5 per run
  const ScoreMatrix a = ScoreMatrix::FromCurves({{{0, 1, 2}}, {{0, 1, 2}}});
  const ScoreMatrix b = ScoreMatrix::FromCurves({{{3, 0, 0}}, {{3, 0, 0}}});
  EXPECT_EQ(ThcPerTask({a, b}).ranks, (std::vector<std::vector<double>>{{1}, {2}}));
}

TEST(Thc, AcrossRegimesUsesIqmIntervals) {
  // agent 1 prefers value 0 clearly, agent 2 value 1
  const ScoreMatrix high = ScoreMatrix::FromRows({{10, 11}, {12, 10}, {11, 12}});
  const ScoreMatrix low = ScoreMatrix::FromRows({{0, 1}, {2, 0}, {1, 2}});
  BootstrapOptions options;
  options.reps = 500;
  auto stream = MakeIndexStream(RngKind::kFast, 0);
  const ThcResult r = ThcAcrossRegimes({{high, low}, {low, high}}, options, *stream);
  EXPECT_DOUBLE_EQ(r.score, 1.0);
}

TEST(Thc, NeedsTwoValuesAndMatchingRegimes) {
  EXPECT_THROW(Thc({{{0, 1}}}), UserError);
  EXPECT_THROW(Thc({{{0, 1}, {0, 1}}, {{0, 1}}}), UserError);
}

}  // namespace
}  // namespace qlab::stats
