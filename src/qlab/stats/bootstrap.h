// Bootstrap interval estimates, as rliable's get_interval_estimates computes them
// (statistics_spec.md §3; arch's IIDBootstrap.conf_int for the interval methods).
//
//  - Stratified bootstrap (default): each replicate resamples, for every task (and for curves,
//    every point) independently, N runs with replacement from that task's own runs. One index
//    per cell, drawn in C order (run, task, point). Tasks stay fixed.
//  - Task bootstrap (option): additionally resample the M task columns, one (1 x M) block drawn
//    after the run block.
//  - Independent bootstrap (two samples, P(X > Y)): X and Y each resampled as above, X's block
//    first, each with its own number of runs.
// The point estimate is the statistic on the original data, not the mean of the replicates.
// Interval methods: percentile (default; numpy's linear percentile at 100a and 100(1-a),
// a = (1 - coverage)/2), basic (2 point - percentile), bc and bca (bias-corrected percentiles;
// bca's acceleration from a leave-one-run-out jackknife).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "qlab/stats/aggregates.h"
#include "qlab/stats/index_stream.h"
#include "qlab/stats/score_matrix.h"

namespace qlab::stats {

enum class CiMethod { kPercentile, kBasic, kBc, kBca };
CiMethod ParseCiMethod(const std::string& name);  // percentile | basic | bc | bca
const char* CiMethodName(CiMethod method);

struct BootstrapOptions {
  int reps = 50000;
  double coverage = 0.95;  // the CI's nominal coverage, in (0, 1)
  CiMethod method = CiMethod::kPercentile;
  bool task_bootstrap = false;  // also resample tasks (stratified bootstrap only)
  void Validate() const;        // UserError on a bad value, naming it
};

struct Estimate {
  double point = 0, lo = 0, hi = 0;
};

// A statistic of two samples (X, Y), e.g. the probability of improvement.
class PairStatistic {
 public:
  virtual ~PairStatistic() = default;
  virtual int num_outputs() const = 0;
  virtual void Compute(MatrixView x, MatrixView y, std::span<double> out) = 0;
};

// Stratified bootstrap of `statistic` at every point of `scores`: result[point][output].
std::vector<std::vector<Estimate>> StratifiedBootstrap(const ScoreMatrix& scores,
                                                       Statistic& statistic,
                                                       const BootstrapOptions& options,
                                                       IndexStream& stream);

// Independent stratified bootstrap of a two-sample statistic over 2-D matrices x and y
// (same tasks, any run counts): result[output]. task_bootstrap is ignored, as in rliable.
std::vector<Estimate> IndependentBootstrap(const ScoreMatrix& x, const ScoreMatrix& y,
                                           PairStatistic& statistic,
                                           const BootstrapOptions& options, IndexStream& stream);

// numpy.percentile(values, q) with the default linear method (values are reordered).
double NumpyPercentile(std::span<double> values, double q);

// The interval of one component from its replicates (reordered in place). `acceleration` is
// bca's a (ignored by the other methods).
Estimate ConfidenceInterval(std::span<double> replicates, double point,
                            const BootstrapOptions& options, double acceleration = 0.0);

// Standard normal CDF and its inverse (bc/bca).
double NormalCdf(double x);
double NormalQuantile(double p);

}  // namespace qlab::stats
