#include "qlab/stats/aggregates.h"

#include <fmt/format.h>

#include <algorithm>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

void TaskMeans(MatrixView scores, std::vector<double>& means) {
  means.assign(scores.tasks, 0.0);
  for (int r = 0; r < scores.runs; ++r)
    for (int t = 0; t < scores.tasks; ++t) means[t] += scores(r, t);
  for (double& m : means) m /= scores.runs;
}

double MeanOf(std::span<const double> values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Median of `values` (reordered in place): numpy's, the mean of the middle two when even.
double MedianInPlace(std::span<double> values) {
  const size_t n = values.size(), half = n / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  const double upper = values[half];
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + half);
  return (lower + upper) / 2;
}

// trim_mean(values, 0.25) with values reordered in place.
double IqmInPlace(std::span<double> values) {
  const size_t n = values.size(), cut = n / 4;  // floor(0.25 n)
  if (cut > 0) {
    std::nth_element(values.begin(), values.begin() + cut, values.end());
    std::nth_element(values.begin() + cut, values.end() - cut, values.end());
  }
  return MeanOf(values.subspan(cut, n - 2 * cut));
}

// trim_mean(values, 0.25) of a resample given by its cells' ranks in the original's sorted cells:
// count how often each original cell was drawn, then walk the sorted order (same result as
// sorting the resample, without a comparison).
double IqmFromRanks(MatrixView scores, std::vector<uint32_t>& counts) {
  const size_t n = scores.size(), cut = n / 4;
  counts.assign(scores.num_sorted, 0);
  for (size_t i = 0; i < n; ++i) ++counts[scores.ranks[i]];
  size_t skip = cut, take = n - 2 * cut;
  double sum = 0;
  for (int r = 0; r < scores.num_sorted && take > 0; ++r) {
    size_t c = counts[r];
    const size_t skipped = std::min(c, skip);
    skip -= skipped;
    c = std::min(c - skipped, take);
    take -= c;
    for (; c > 0; --c) sum += scores.sorted[r];
  }
  return sum / static_cast<double>(n - 2 * cut);
}

}  // namespace

const char* MetricName(Metric metric) {
  switch (metric) {
    case Metric::kMean:
      return "mean";
    case Metric::kMedian:
      return "median";
    case Metric::kIqm:
      return "iqm";
    case Metric::kOptimalityGap:
      return "optimality_gap";
  }
  return "?";
}

Metric ParseMetric(const std::string& name) {
  for (Metric m : kAllMetrics)
    if (name == MetricName(m)) return m;
  throw UserError(
      fmt::format("unknown metric '{}' (valid: mean, median, iqm, optimality_gap)", name));
}

double Aggregate(MatrixView scores, Metric metric, double gamma) {
  QLAB_CHECK(scores.size() > 0);
  AggregateStatistic statistic({metric}, gamma);
  double value = 0;
  statistic.Compute(scores, {&value, 1});
  return value;
}

AggregateStatistic::AggregateStatistic(std::vector<Metric> metrics, double gamma)
    : metrics_(std::move(metrics)), gamma_(gamma) {
  QLAB_CHECK(!metrics_.empty());
}

void AggregateStatistic::Compute(MatrixView scores, std::span<double> out) {
  QLAB_CHECK_EQ(out.size(), metrics_.size());
  bool means_ready = false;
  for (size_t i = 0; i < metrics_.size(); ++i) {
    switch (metrics_[i]) {
      case Metric::kMean:
      case Metric::kMedian:
        if (!means_ready) TaskMeans(scores, task_means_);
        means_ready = true;
        if (metrics_[i] == Metric::kMean) {
          out[i] = MeanOf(task_means_);
        } else {
          pooled_.assign(task_means_.begin(), task_means_.end());
          out[i] = MedianInPlace(pooled_);
        }
        break;
      case Metric::kIqm:
        if (scores.ranks != nullptr) {
          out[i] = IqmFromRanks(scores, counts_);
        } else {
          pooled_.assign(scores.cells().begin(), scores.cells().end());
          out[i] = IqmInPlace(pooled_);
        }
        break;
      case Metric::kOptimalityGap: {
        double sum = 0;
        for (double v : scores.cells()) sum += std::min(v, gamma_);
        out[i] = gamma_ - sum / scores.size();
        break;
      }
    }
  }
}

}  // namespace qlab::stats
