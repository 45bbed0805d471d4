// Probability of improvement P(X > Y) (Agarwal et al. 2021; statistics_spec.md §2):
// (1/M) sum over tasks of P_m, P_m = (1/(Nx Ny)) sum_ij S(x_im, y_jm), S = 1 if x > y, 0.5 if
// equal, 0 if less: the Mann-Whitney U statistic of task m divided by Nx Ny. X and Y may have
// different numbers of runs; CIs come from the independent stratified bootstrap (bootstrap.h).
#pragma once

#include "qlab/stats/bootstrap.h"

namespace qlab::stats {

double ProbabilityOfImprovement(MatrixView x, MatrixView y);

class ImprovementStatistic final : public PairStatistic {
 public:
  int num_outputs() const override { return 1; }
  void Compute(MatrixView x, MatrixView y, std::span<double> out) override {
    out[0] = ProbabilityOfImprovement(x, y);
  }
};

// metric(X) - metric(Y), e.g. the IQM difference between two agents, for the independent
// bootstrap.
class AggregateDifferenceStatistic final : public PairStatistic {
 public:
  explicit AggregateDifferenceStatistic(Metric metric) : x_({metric}), y_({metric}) {}
  int num_outputs() const override { return 1; }
  void Compute(MatrixView x, MatrixView y, std::span<double> out) override {
    double a = 0, b = 0;
    x_.Compute(x, {&a, 1});
    y_.Compute(y, {&b, 1});
    out[0] = a - b;
  }

 private:
  AggregateStatistic x_, y_;
};

// P(X > Y) with its interval (x and y 2-D, same tasks).
Estimate ProbabilityOfImprovementCi(const ScoreMatrix& x, const ScoreMatrix& y,
                                    const BootstrapOptions& options, IndexStream& stream);

}  // namespace qlab::stats
