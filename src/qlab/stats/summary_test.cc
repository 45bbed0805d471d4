#include "qlab/stats/summary.h"

#include <gtest/gtest.h>

#include <cmath>

namespace qlab::stats {
namespace {

TEST(Summary, HandComputedValues) {
  const std::vector<double> values = {4, 1, 3, 2, 5};
  const Summary s = Summarize(values);
  EXPECT_EQ(s.count, 5);
  EXPECT_DOUBLE_EQ(s.mean, 3.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(2.5));  // ddof = 1
  EXPECT_DOUBLE_EQ(s.se, std::sqrt(2.5) / std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.p05, 1.2);  // numpy.percentile([1..5], 5) = 1.2
  EXPECT_DOUBLE_EQ(s.p95, 4.8);
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 5.0);
}

TEST(Summary, DegenerateInputs) {
  EXPECT_EQ(Summarize(std::vector<double>{}).count, 0);
  const Summary one = Summarize(std::vector<double>{-2.5});
  EXPECT_EQ(one.mean, -2.5);
  EXPECT_EQ(one.std, 0.0);
  EXPECT_EQ(one.p95, -2.5);
  const std::vector<double> even = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(Summarize(even).median, 2.5);
}

}  // namespace
}  // namespace qlab::stats
