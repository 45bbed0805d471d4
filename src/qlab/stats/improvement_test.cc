#include "qlab/stats/improvement.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"
#include "qlab/stats/profiles.h"

namespace qlab::stats {
namespace {

ScoreMatrix M(const std::vector<std::vector<double>>& rows) { return ScoreMatrix::FromRows(rows); }

TEST(Improvement, MannWhitneyWithHalfForTies) {
  // x = {1, 2}, y = {2, 0}: 1>2 no, 1>0 yes, 2=2 half, 2>0 yes -> 2.5 / 4
  const ScoreMatrix x = M({{1}, {2}}), y = M({{2}, {0}});
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(x.view(), y.view()), 0.625);
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(y.view(), x.view()), 0.375);
}

TEST(Improvement, AveragesOverTasksAndAllowsDifferentRunCounts) {
  // task 0: x always wins (1); task 1: x = {0, 0, 0} vs y = {1}: x never wins (0)
  const ScoreMatrix x = M({{5, 0}, {6, 0}, {7, 0}}), y = M({{1, 1}});
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(x.view(), y.view()), 0.5);
  const ScoreMatrix a = M({{0.3, 0.1}, {0.9, 0.4}});
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(a.view(), a.view()), 0.5);  // P(X > X)
  const ScoreMatrix shuffled = M({{0.9, 0.4}, {0.3, 0.1}});             // same values, reordered
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(a.view(), shuffled.view()), 0.5);
}

TEST(Improvement, IntervalBracketsThePointAndComplementsSumToOne) {
  const ScoreMatrix x = M({{0.5, 1.2}, {0.7, 0.9}, {0.2, 1.4}, {0.9, 1.1}});
  const ScoreMatrix y = M({{0.4, 1.0}, {0.3, 1.3}, {0.1, 0.8}});
  BootstrapOptions options;
  options.reps = 2000;
  auto s1 = MakeIndexStream(RngKind::kFast, 3);
  const Estimate xy = ProbabilityOfImprovementCi(x, y, options, *s1);
  auto s2 = MakeIndexStream(RngKind::kFast, 3);
  EXPECT_NEAR(xy.point + ProbabilityOfImprovementCi(y, x, options, *s2).point, 1.0, 1e-15);
  EXPECT_LE(xy.lo, xy.point);
  EXPECT_GE(xy.hi, xy.point);
  EXPECT_GE(xy.lo, 0.0);
  EXPECT_LE(xy.hi, 1.0);
}

TEST(Profiles, RunScoreCountsScoresStrictlyAboveTau) {
  const ScoreMatrix m = M({{0, 1}, {2, 3}});
  ProfileStatistic run_score({-1, 0, 0.5, 1, 3});
  std::vector<double> out(5);
  run_score.Compute(m.view(), out);
  EXPECT_EQ(out, (std::vector<double>{1, 0.75, 0.75, 0.5, 0}));
  // task means 1 and 2
  ProfileStatistic average({0.5, 1, 1.5, 2}, ProfileKind::kAverageScore);
  std::vector<double> avg(4);
  average.Compute(m.view(), avg);
  EXPECT_EQ(avg, (std::vector<double>{1, 0.5, 0.5, 0}));
}

TEST(Profiles, IntervalsAreMonotoneInTau) {
  const ScoreMatrix m = M({{0.1, 1.0, 0.3}, {0.5, 2.0, 0.2}, {0.9, 0.0, 0.8}, {0.3, 1.5, 1.1}});
  BootstrapOptions options;
  options.reps = 1000;
  auto stream = MakeIndexStream(RngKind::kFast, 1);
  const auto profile =
      PerformanceProfile(m, ParseTauGrid("0:2:21"), ProfileKind::kRunScore, options, *stream);
  ASSERT_EQ(profile.size(), 21u);
  for (size_t i = 1; i < profile.size(); ++i) {
    EXPECT_LE(profile[i].point, profile[i - 1].point);
    EXPECT_LE(profile[i].lo, profile[i - 1].lo);
    EXPECT_LE(profile[i].hi, profile[i - 1].hi);
  }
}

TEST(Profiles, TauGridParsing) {
  EXPECT_EQ(ParseTauGrid("0:1:5"), (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
  EXPECT_EQ(ParseTauGrid("0.5,1,-2"), (std::vector<double>{0.5, 1, -2}));
  EXPECT_EQ(ParseTauGrid("3"), (std::vector<double>{3}));
  for (const char* bad : {"", "a,b", "0:1", "0:1:0", "0:1:2.5", "1,,2"})
    EXPECT_THROW(ParseTauGrid(bad), UserError) << bad;
}

}  // namespace
}  // namespace qlab::stats
