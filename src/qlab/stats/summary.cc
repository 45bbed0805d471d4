#include "qlab/stats/summary.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "qlab/core/check.h"

namespace qlab::stats {

double PercentileSorted(std::span<const double> sorted, double q) {
  QLAB_CHECK(!sorted.empty());
  const double rank = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto low = static_cast<size_t>(std::floor(rank));
  const size_t high = std::min(low + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(low);
  return sorted[low] + (sorted[high] - sorted[low]) * fraction;
}

Summary Summarize(std::span<const double> values) {
  Summary s;
  s.count = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  double sum = 0;
  for (double v : sorted) sum += v;
  s.mean = sum / s.count;
  double squares = 0;
  for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
  s.std = s.count > 1 ? std::sqrt(squares / (s.count - 1)) : 0.0;
  s.se = s.std / std::sqrt(static_cast<double>(s.count));
  s.median = PercentileSorted(sorted, 50);
  s.p05 = PercentileSorted(sorted, 5);
  s.p95 = PercentileSorted(sorted, 95);
  s.min = sorted.front();
  s.max = sorted.back();
  return s;
}

}  // namespace qlab::stats
