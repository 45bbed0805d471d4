// Summary: descriptive statistics of a sample (episode returns, lengths).
// std is the sample standard deviation (ddof = 1; 0 for a single value), se = std / sqrt(n),
// percentiles interpolate linearly between order statistics (numpy's default "linear" method).
#pragma once

#include <span>

namespace qlab::stats {

struct Summary {
  int count = 0;
  double mean = 0, std = 0, se = 0, median = 0, p05 = 0, p95 = 0, min = 0, max = 0;
};

// Percentile q in [0, 100] of `sorted` (ascending, non-empty).
double PercentileSorted(std::span<const double> sorted, double q);

Summary Summarize(std::span<const double> values);  // empty input gives count 0 and zeros

}  // namespace qlab::stats
