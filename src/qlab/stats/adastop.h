// AdaStop: adaptive sequential permutation test comparing several agents with as few seeds as
// possible (Mathieu, Della Vecchia, Shilova, Medeiros Centa, Kohler, Maillard & Preux 2023,
// arXiv 2306.10882), following the reference implementation's MultipleAgentsComparator
// (statistics_spec.md §8: HEAD's strict level test, signed permutation null, conditional
// elimination of paths, step-down rejections, linear alpha spending).
//
// Usage: at interim k (0-based) pass every agent's first (k + 1) * n scores; after each interim
// a comparison is "larger", "smaller", "equal" or still undecided; after K interims every
// undecided comparison is "equal". Every agent gives n scores per interim.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "qlab/stats/index_stream.h"

namespace qlab::stats {

struct AdaStopOptions {
  int n = 5;            // scores per agent per interim
  int K = 5;            // maximum number of interims
  double alpha = 0.05;  // family-wise error level
  int B = 10000;        // permutations (full enumeration when B exceeds their number)
  uint64_t seed = 0;    // random permutations: numpy RandomState(seed)'s stream
  std::vector<std::pair<int, int>> comparisons;  // empty: all pairs (i, j), i < j
  void Validate(int num_agents) const;           // UserError naming the bad value
};

enum class AdaStopDecision { kContinue, kLarger, kSmaller, kEqual };
const char* AdaStopDecisionName(AdaStopDecision decision);  // continue|larger|smaller|equal

class AdaStop {
 public:
  AdaStop(int num_agents, AdaStopOptions options);

  // Runs the next interim on each agent's scores so far (at least (k + 1) * n each; extra
  // scores are ignored). UserError if too few or if the test is already finished.
  void Interim(const std::vector<std::vector<double>>& scores);

  bool done() const;
  int interims_done() const { return k_; }
  int scores_used() const { return k_ * options_.n; }  // n_iters: scores per agent so far
  const std::vector<std::pair<int, int>>& comparisons() const { return comparisons_; }
  const std::vector<AdaStopDecision>& decisions() const { return decisions_; }
  const std::vector<double>& boundary() const { return boundary_; }
  double level_spent() const { return level_spent_; }
  // Agents that appear in an undecided comparison (they need more scores).
  std::vector<int> agents_needing_scores() const;

 private:
  // The boundary for the undecided comparisons: v_(p*) of the max signed path statistic.
  double Boundary(double alpha_k, double normalisation, double* level_to_add) const;

  int num_agents_;
  AdaStopOptions options_;
  std::vector<std::pair<int, int>> comparisons_;
  std::vector<AdaStopDecision> decisions_;
  std::vector<double> boundary_;
  double level_spent_ = 0;
  int k_ = 0;
  // paths_[i * comparisons + c]: permutation statistic of path i for comparison c
  std::vector<double> paths_;
  std::vector<std::vector<int>> block_subsets_;  // of the current block (index sets of size n)
  NumpyLegacyIndexStream permutations_;
};

// Decides as many interims as the scores allow: runs interims while every agent that still
// matters has enough scores. Returns the finished test (done() says whether more seeds are needed).
AdaStop RunAdaStop(const std::vector<std::vector<double>>& scores, const AdaStopOptions& options);

}  // namespace qlab::stats
