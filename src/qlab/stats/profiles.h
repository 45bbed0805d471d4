// Performance profiles (score distributions; Agarwal et al. 2021 §4, statistics_spec.md §4):
//  - run-score distribution (default, recommended): F(tau) = fraction of all N*M run scores
//    strictly above tau;
//  - average-score distribution: fraction of the M per-task mean scores strictly above tau.
// CIs per tau from the stratified bootstrap.
#pragma once

#include <vector>

#include "qlab/stats/bootstrap.h"

namespace qlab::stats {

enum class ProfileKind { kRunScore, kAverageScore };

class ProfileStatistic final : public Statistic {
 public:
  ProfileStatistic(std::vector<double> taus, ProfileKind kind = ProfileKind::kRunScore);
  int num_outputs() const override { return static_cast<int>(taus_.size()); }
  void Compute(MatrixView scores, std::span<double> out) override;

 private:
  std::vector<double> taus_;
  ProfileKind kind_;
  std::vector<double> sorted_;
};

// The profile with intervals at each tau (scores 2-D): result[i] for taus[i].
std::vector<Estimate> PerformanceProfile(const ScoreMatrix& scores, const std::vector<double>& taus,
                                         ProfileKind kind, const BootstrapOptions& options,
                                         IndexStream& stream);

// A tau grid from "a,b,c" or "start:stop:count" (inclusive, like numpy.linspace).
std::vector<double> ParseTauGrid(const std::string& text);

}  // namespace qlab::stats
