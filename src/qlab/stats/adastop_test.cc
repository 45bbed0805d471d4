#include "qlab/stats/adastop.h"

#include <gtest/gtest.h>

#include "qlab/core/errors.h"
#include "qlab/core/rng.h"

namespace qlab::stats {
namespace {

using D = AdaStopDecision;

AdaStopOptions Options(int n, int K, double alpha) {
  AdaStopOptions options;
  options.n = n;
  options.K = K;
  options.alpha = alpha;
  return options;
}

// Worked by hand: n = 3, A = {10, 11, 12}, B = {0, 1, 2}. The 20 splits of the pooled block give
// d(S) = (2 sum(S) - 36) / 3; the largest four are 10 (the identity), 14/3, 4, 4. With
// alpha = 0.2 and K = 1 the boundary is the smallest sorted value with tail (19 - p)/20 < 0.2,
// p = 16: b = 4, spent 3/20. T = |11 - 1| = 10 > 4: A is larger.
TEST(AdaStop, HandWorkedSingleInterim) {
  AdaStopOptions options = Options(3, 1, 0.2);
  AdaStop test(2, options);
  test.Interim({{10, 11, 12}, {0, 1, 2}});
  ASSERT_TRUE(test.done());
  EXPECT_EQ(test.decisions()[0], D::kLarger);
  ASSERT_EQ(test.boundary().size(), 1u);
  EXPECT_DOUBLE_EQ(test.boundary()[0], 4.0);
  EXPECT_DOUBLE_EQ(test.level_spent(), 0.15);
  EXPECT_EQ(test.scores_used(), 3);
}

// With alpha = 0.0499 only the last position qualifies: b is the identity split itself, T == b,
// and the strict test does not reject: "equal" after the only interim.
TEST(AdaStop, TieAtTheBoundaryDoesNotReject) {
  AdaStopOptions options = Options(3, 1, 0.0499);
  AdaStop test(2, options);
  test.Interim({{0, 1, 2}, {10, 11, 12}});
  EXPECT_DOUBLE_EQ(test.boundary()[0], 10.0);
  EXPECT_EQ(test.decisions()[0], D::kEqual);
  EXPECT_DOUBLE_EQ(test.level_spent(), 0.0);
}

TEST(AdaStop, SmallerWhenTheFirstAgentIsWorse) {
  AdaStopOptions options = Options(3, 1, 0.2);
  AdaStop test(2, options);
  test.Interim({{0, 1, 2}, {10, 11, 12}});
  EXPECT_EQ(test.decisions()[0], D::kSmaller);
}

TEST(AdaStop, IdenticalAgentsAreEqualAfterKInterims) {
  AdaStopOptions options = Options(3, 3, 0.05);
  const std::vector<double> same = {1, 5, 2, 8, 3, 3, 7, 1, 4};
  const AdaStop test = RunAdaStop({same, same}, options);
  EXPECT_TRUE(test.done());
  EXPECT_EQ(test.decisions()[0], D::kEqual);
  EXPECT_EQ(test.scores_used(), 9);
  EXPECT_EQ(test.boundary().size(), 3u);
  EXPECT_LE(test.level_spent(), 0.05);
}

TEST(AdaStop, StopsEarlyWhenTheDifferenceIsClearAndAsksForMoreOtherwise) {
  AdaStopOptions options = Options(3, 4, 0.05);
  Rng rng(1);
  std::vector<double> good, bad, also_bad;
  for (int i = 0; i < 12; ++i) {
    good.push_back(100 + rng.Normal());
    bad.push_back(rng.Normal());
    also_bad.push_back(rng.Normal());
  }
  const AdaStop clear = RunAdaStop({good, bad}, options);
  EXPECT_TRUE(clear.done());
  EXPECT_EQ(clear.decisions()[0], D::kLarger);
  EXPECT_LT(clear.scores_used(), 12);  // decided before the last interim
  // only 3 scores each for two similar agents: undecided, they need more
  const AdaStop unclear = RunAdaStop(
      {{bad.begin(), bad.begin() + 3}, {also_bad.begin(), also_bad.begin() + 3}}, options);
  EXPECT_FALSE(unclear.done());
  EXPECT_EQ(unclear.agents_needing_scores(), (std::vector<int>{0, 1}));
  // three agents: the good one beats both; two with the same scores are never told apart
  const AdaStop three = RunAdaStop({good, bad, bad}, options);
  EXPECT_EQ(three.decisions()[0], D::kLarger);  // (0, 1)
  EXPECT_EQ(three.decisions()[1], D::kLarger);  // (0, 2)
  EXPECT_EQ(three.decisions()[2], D::kEqual);   // (1, 2)
  EXPECT_EQ(three.scores_used(), 12);
}

TEST(AdaStop, RandomPermutationsAreSeededAndDeterministic) {
  AdaStopOptions options;
  options.n = 5;  // C(10, 5) = 252 > B: random permutations
  options.K = 2;
  options.B = 100;
  options.seed = 7;
  Rng rng(2);
  std::vector<double> a, b;
  for (int i = 0; i < 10; ++i) {
    a.push_back(rng.Normal() + 1.0);
    b.push_back(rng.Normal());
  }
  const AdaStop x = RunAdaStop({a, b}, options), y = RunAdaStop({a, b}, options);
  EXPECT_EQ(x.boundary(), y.boundary());
  EXPECT_EQ(x.decisions(), y.decisions());
  options.seed = 8;
  EXPECT_NE(RunAdaStop({a, b}, options).boundary(), x.boundary());
}

TEST(AdaStop, BadInputsAreUserErrors) {
  AdaStopOptions options;
  EXPECT_THROW(AdaStop(1, options), UserError);
  options.comparisons = {{0, 0}};
  EXPECT_THROW(AdaStop(2, options), UserError);
  options.comparisons = {};
  options.alpha = 1.5;
  EXPECT_THROW(AdaStop(2, options), UserError);
  options.alpha = 0.05;
  options.n = 3;
  AdaStop test(2, options);
  EXPECT_THROW(test.Interim({{1, 2}, {1, 2, 3}}), UserError);  // too few scores
}

}  // namespace
}  // namespace qlab::stats
