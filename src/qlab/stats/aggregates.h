// Aggregate metrics over a [runs x tasks] score matrix, exactly as rliable computes them
// (Agarwal et al. 2021, "Deep RL at the Edge of the Statistical Precipice"; statistics_spec.md §2):
//  - mean:   mean over tasks of the per-task mean over runs
//  - median: median of the per-task means (average of the two middle values when even)
//  - iqm:    scipy.stats.trim_mean(all N*M scores, 0.25): drop floor(0.25 n) from each end of the
//            pooled sorted scores and average the rest (no fractional weighting)
//  - optimality gap: gamma - mean over all scores of min(score, gamma), gamma = 1 by default
//    (clipped per run, not per task mean)
// Probability of improvement and performance profiles live in improvement.h and profiles.h.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "qlab/stats/score_matrix.h"

namespace qlab::stats {

enum class Metric { kMean, kMedian, kIqm, kOptimalityGap };

inline constexpr Metric kAllMetrics[] = {Metric::kMean, Metric::kMedian, Metric::kIqm,
                                         Metric::kOptimalityGap};
inline std::vector<Metric> AllMetrics() { return {std::begin(kAllMetrics), std::end(kAllMetrics)}; }
const char* MetricName(Metric metric);        // "mean", "median", "iqm", "optimality_gap"
Metric ParseMetric(const std::string& name);  // UserError naming the valid ones

double Aggregate(MatrixView scores, Metric metric, double gamma = 1.0);
inline double Mean(MatrixView scores) { return Aggregate(scores, Metric::kMean); }
inline double Median(MatrixView scores) { return Aggregate(scores, Metric::kMedian); }
inline double Iqm(MatrixView scores) { return Aggregate(scores, Metric::kIqm); }
inline double OptimalityGap(MatrixView scores, double gamma = 1.0) {
  return Aggregate(scores, Metric::kOptimalityGap, gamma);
}

// A statistic the bootstrap can evaluate many times: maps a [runs x tasks] view to a fixed
// number of outputs, reusing its own scratch buffers (no allocation per replicate).
class Statistic {
 public:
  virtual ~Statistic() = default;
  virtual int num_outputs() const = 0;
  virtual void Compute(MatrixView scores, std::span<double> out) = 0;
};

// Several aggregates at once, on the same replicates (as rliable's README lambda does).
class AggregateStatistic final : public Statistic {
 public:
  explicit AggregateStatistic(std::vector<Metric> metrics, double gamma = 1.0);
  int num_outputs() const override { return static_cast<int>(metrics_.size()); }
  void Compute(MatrixView scores, std::span<double> out) override;
  const std::vector<Metric>& metrics() const { return metrics_; }

 private:
  std::vector<Metric> metrics_;
  double gamma_;
  std::vector<double> task_means_, pooled_;
  std::vector<uint32_t> counts_;
};

}  // namespace qlab::stats
