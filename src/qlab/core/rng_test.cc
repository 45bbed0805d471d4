#include "qlab/core/rng.h"

#include <gtest/gtest.h>

#include <set>

namespace qlab {
namespace {

TEST(Rng, SameSeedSameStreamAndCopyIsSnapshot) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.NextU64(), b.NextU64());
  EXPECT_NE(a.NextU64(), c.NextU64());
  Rng snapshot = a;
  const uint64_t next = a.NextU64();
  EXPECT_EQ(snapshot.NextU64(), next);
}

TEST(Rng, DerivedStreamsAreDistinct) {
  std::set<uint64_t> seeds;
  for (uint64_t seed = 0; seed < 10; ++seed)
    for (uint64_t stream = 0; stream < 100; ++stream) seeds.insert(DeriveSeed(seed, stream));
  EXPECT_EQ(seeds.size(), 1000u);
  EXPECT_NE(StreamId("env"), StreamId("eval_env"));
}

TEST(Rng, UniformIntIsInRangeAndUnbiased) {
  Rng rng(7);
  std::vector<int> counts(6, 0);
  constexpr int kDraws = 600000;
  for (int i = 0; i < kDraws; ++i) {
    const uint32_t v = rng.UniformInt(6);
    ASSERT_LT(v, 6u);
    ++counts[v];
  }
  // chi-square with 5 degrees of freedom; 20.5 is the 0.999 quantile
  double chi2 = 0;
  for (int c : counts) chi2 += (c - kDraws / 6.0) * (c - kDraws / 6.0) / (kDraws / 6.0);
  EXPECT_LT(chi2, 20.5);
  for (int i = 0; i < 1000; ++i) {
    const int v = rng.UniformInt(1, 6);
    ASSERT_TRUE(v >= 1 && v < 6);
  }
}

TEST(Rng, UniformAndNormalMoments) {
  Rng rng(9);
  double sum = 0, sum_normal = 0, sum_sq = 0;
  constexpr int kDraws = 200000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.Uniform();
    ASSERT_TRUE(u >= 0.0 && u < 1.0);
    sum += u;
    const double z = rng.Normal();
    sum_normal += z;
    sum_sq += z * z;
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
  EXPECT_NEAR(sum_normal / kDraws, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / kDraws, 1.0, 0.02);
}

}  // namespace
}  // namespace qlab
