// THC score: hyper-parameter consistency (Obando-Ceron, Araujo, Courville & Castro 2024, "On the
// consistency of hyper-parameter selection in value-based deep RL", RLC; statistics_spec.md §7),
// computed as the authors' analysis code does.
//
// A hyper-parameter has K values; each value has an interval [lo, hi] in each of J regimes
// (games, agents, data regimes). Within a regime the values are ranked from their intervals
// (1 = best, overlapping intervals share averaged ranks); THC = mean over values of
// (max rank - min rank across regimes) / (K - 1), in [0, 1], lower is more consistent;
// THC_std is the sample std (ddof 1) of those K numbers.
//
// Not reproduced: the reference code's sentinel (-100, -100) interval, which leaves an interval
// with lo <= -100 at rank 1.0; qlab ranks every interval.
#pragma once

#include <span>
#include <vector>

#include "qlab/stats/bootstrap.h"

namespace qlab::stats {

struct RankInterval {
  double lo = 0, hi = 0;
};

// Ranks of intervals within one regime, in input order (interval_to_ranking): sort by hi
// descending (stable); at sorted position p, best = 1 + the first position c <= p with
// lo_c <= hi_p, worst = #{j : hi_j >= lo_p}, rank = (best + worst) / 2.
std::vector<double> IntervalRanks(std::span<const RankInterval> intervals);

struct ThcResult {
  double score = 0, std = 0;               // mean and sample std of per_value
  std::vector<double> per_value;           // rank range across regimes / (K - 1)
  std::vector<std::vector<double>> ranks;  // [value][regime]
};

// THC from intervals[value][regime]. UserError if K < 2 or regimes differ in count.
ThcResult Thc(const std::vector<std::vector<RankInterval>>& intervals);

// Per-task THC: scores[value] is that value's [runs x tasks] matrix (curves are first reduced by
// the trapezoid sum x0/2 + x1 + ... + x_{L-2} + x_{L-1}/2); each task is a regime with the
// interval mean +- population std (ddof 0) of the runs.
ThcResult ThcPerTask(const std::vector<ScoreMatrix>& scores);

// THC across regimes (agents, data regimes): scores[regime][value] is a [runs x tasks] matrix
// (curves reduced as above); the interval is its IQM CI from the stratified bootstrap (the
// authors use 95% percentile intervals with 5000 reps). Regimes are bootstrapped in order.
ThcResult ThcAcrossRegimes(const std::vector<std::vector<ScoreMatrix>>& scores,
                           const BootstrapOptions& options, IndexStream& stream);

}  // namespace qlab::stats
