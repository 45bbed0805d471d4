#include "qlab/stats/adastop.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "qlab/core/errors.h"

namespace qlab::stats {
namespace {

double MeanOf(const double* values, int count) {
  double sum = 0;
  for (int i = 0; i < count; ++i) sum += values[i];
  return sum / count;
}

// All size-n subsets of {0..2n-1} in itertools.combinations order (the identity first).
std::vector<std::vector<int>> AllSubsets(int n) {
  std::vector<std::vector<int>> subsets;
  std::vector<int> s(n);
  for (int i = 0; i < n; ++i) s[i] = i;
  while (true) {
    subsets.push_back(s);
    int i = n - 1;
    while (i >= 0 && s[i] == n + i) --i;  // 2n - n + i: the largest value position i can hold
    if (i < 0) break;
    ++s[i];
    for (int j = i + 1; j < n; ++j) s[j] = s[j - 1] + 1;
  }
  return subsets;
}

double Binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return std::round(c);
}

}  // namespace

const char* AdaStopDecisionName(AdaStopDecision decision) {
  switch (decision) {
    case AdaStopDecision::kContinue:
      return "continue";
    case AdaStopDecision::kLarger:
      return "larger";
    case AdaStopDecision::kSmaller:
      return "smaller";
    case AdaStopDecision::kEqual:
      return "equal";
  }
  return "?";
}

void AdaStopOptions::Validate(int num_agents) const {
  if (num_agents < 2)
    throw UserError(fmt::format("AdaStop needs at least 2 agents, got {}", num_agents));
  if (n < 1) throw UserError(fmt::format("AdaStop n (scores per interim) must be >= 1, got {}", n));
  if (n > 12)
    throw UserError(fmt::format("AdaStop n = {} is too large (at most 12 per interim)", n));
  if (K < 1) throw UserError(fmt::format("AdaStop K (interims) must be >= 1, got {}", K));
  if (!(alpha > 0 && alpha < 1))
    throw UserError(fmt::format("AdaStop alpha must be in (0, 1), got {}", alpha));
  if (B < 1) throw UserError(fmt::format("AdaStop B (permutations) must be >= 1, got {}", B));
  if (seed > 0xFFFFFFFFULL)
    throw UserError(fmt::format("AdaStop seed must be < 2^32, got {}", seed));
  for (const auto& [a, b] : comparisons)
    if (a < 0 || b < 0 || a >= num_agents || b >= num_agents || a == b)
      throw UserError(
          fmt::format("AdaStop comparison ({}, {}) is not a pair of distinct agents "
                      "in [0, {})",
                      a, b, num_agents));
}

AdaStop::AdaStop(int num_agents, AdaStopOptions options)
    : num_agents_(num_agents),
      options_(std::move(options)),
      permutations_(static_cast<uint32_t>(options_.seed)) {
  options_.Validate(num_agents);
  comparisons_ = options_.comparisons;
  if (comparisons_.empty())
    for (int i = 0; i < num_agents; ++i)
      for (int j = i + 1; j < num_agents; ++j) comparisons_.emplace_back(i, j);
  decisions_.assign(comparisons_.size(), AdaStopDecision::kContinue);
}

bool AdaStop::done() const {
  return std::none_of(decisions_.begin(), decisions_.end(),
                      [](AdaStopDecision d) { return d == AdaStopDecision::kContinue; });
}

std::vector<int> AdaStop::agents_needing_scores() const {
  std::vector<int> agents;
  for (size_t c = 0; c < comparisons_.size(); ++c)
    if (decisions_[c] == AdaStopDecision::kContinue)
      for (int a : {comparisons_[c].first, comparisons_[c].second})
        if (std::find(agents.begin(), agents.end(), a) == agents.end()) agents.push_back(a);
  std::sort(agents.begin(), agents.end());
  return agents;
}

double AdaStop::Boundary(double alpha_k, double normalisation, double* level_to_add) const {
  const size_t comparisons = comparisons_.size(), paths = paths_.size() / comparisons;
  std::vector<double> values(paths, -std::numeric_limits<double>::infinity());
  for (size_t i = 0; i < paths; ++i)
    for (size_t c = 0; c < comparisons; ++c)
      if (decisions_[c] == AdaStopDecision::kContinue)
        values[i] = std::max(values[i], paths_[i * comparisons + c]);
  std::sort(values.begin(), values.end());
  for (size_t p = 0; p < paths; ++p) {
    const double tail = static_cast<double>(paths - 1 - p) / normalisation;
    if (level_spent_ + tail < alpha_k) {
      *level_to_add = tail;
      return values[p];
    }
  }
  *level_to_add = 0;
  return std::numeric_limits<double>::infinity();
}

void AdaStop::Interim(const std::vector<std::vector<double>>& scores) {
  if (done()) throw UserError("AdaStop: every comparison is decided; no interim left to run");
  if (static_cast<int>(scores.size()) != num_agents_)
    throw UserError(
        fmt::format("AdaStop: got scores of {} agents, expected {}", scores.size(), num_agents_));
  const int n = options_.n, k = k_;
  const size_t needed = static_cast<size_t>(k + 1) * n;
  for (int a : agents_needing_scores())
    if (scores[a].size() < needed)
      throw UserError(fmt::format("AdaStop interim {}: agent {} has {} scores, needs {}", k + 1, a,
                                  scores[a].size(), needed));

  const size_t comparisons = comparisons_.size();
  const double subsets_per_block = Binomial(2 * n, n);
  const double alpha_k = options_.alpha * (k + 1) / options_.K;

  // d_c(S) = mean(z[S]) - mean(z[not S]) on comparison c's pooled block k
  std::vector<double> pooled(2 * n), in(n), out(n);
  const auto block_difference = [&](size_t c, const std::vector<int>& subset) {
    const auto& [a, b] = comparisons_[c];
    if (decisions_[c] != AdaStopDecision::kContinue) return 0.0;  // agent data may be absent
    std::copy_n(scores[a].begin() + k * n, n, pooled.begin());
    std::copy_n(scores[b].begin() + k * n, n, pooled.begin() + n);
    std::vector<bool> chosen(2 * n, false);
    for (int i = 0; i < n; ++i) {
      in[i] = pooled[subset[i]];
      chosen[subset[i]] = true;
    }
    for (int i = 0, j = 0; i < 2 * n; ++i)
      if (!chosen[i]) out[j++] = pooled[i];
    return MeanOf(in.data(), n) - MeanOf(out.data(), n);
  };
  const auto random_subset = [&] {
    std::vector<int> permutation(2 * n);
    permutations_.Permutation(permutation);
    return std::vector<int>(permutation.begin(), permutation.begin() + n);
  };
  std::vector<int> identity(n);
  for (int i = 0; i < n; ++i) identity[i] = i;

  // conditional elimination: drop the paths that crossed the previous boundary
  std::vector<double> kept;
  if (k == 0) {
    kept.assign(comparisons, 0.0);  // one empty path
  } else {
    const double previous = boundary_.back();
    for (size_t i = 0; i < paths_.size() / comparisons; ++i) {
      double largest = -std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < comparisons; ++c)
        if (decisions_[c] == AdaStopDecision::kContinue)
          largest = std::max(largest, std::abs(paths_[i * comparisons + c]));
      if (largest <= previous)
        kept.insert(kept.end(), paths_.begin() + i * comparisons,
                    paths_.begin() + (i + 1) * comparisons);
    }
  }
  const size_t kept_paths = kept.size() / comparisons;

  // extend every kept path by block k: all subsets when they fit in B, else one subset each
  double normalisation;
  paths_.clear();
  if (options_.B > std::pow(subsets_per_block, k + 1)) {
    normalisation = std::pow(subsets_per_block, k + 1);
    for (const auto& subset : AllSubsets(n)) {
      std::vector<double> d(comparisons);
      for (size_t c = 0; c < comparisons; ++c) d[c] = block_difference(c, subset);
      for (size_t i = 0; i < kept_paths; ++i)
        for (size_t c = 0; c < comparisons; ++c) paths_.push_back(kept[i * comparisons + c] + d[c]);
    }
  } else if (k == 0) {
    normalisation = options_.B;
    for (int i = 0; i < options_.B; ++i) {
      const auto subset = i == 0 ? identity : random_subset();
      for (size_t c = 0; c < comparisons; ++c) paths_.push_back(block_difference(c, subset));
    }
  } else {
    normalisation =
        std::pow(subsets_per_block, std::floor(std::log(options_.B) / std::log(subsets_per_block)));
    for (size_t i = 0; i < kept_paths; ++i) {
      const auto subset = i == 0 ? identity : random_subset();
      for (size_t c = 0; c < comparisons; ++c)
        paths_.push_back(kept[i * comparisons + c] + block_difference(c, subset));
    }
  }

  // step-down: reject the most significant comparison while its statistic exceeds the boundary
  double level_to_add = 0;
  double boundary = Boundary(alpha_k, normalisation, &level_to_add);
  while (!done()) {
    size_t best = comparisons;
    double best_t = -1, best_sign = 0;
    for (size_t c = 0; c < comparisons; ++c) {
      if (decisions_[c] != AdaStopDecision::kContinue) continue;
      const auto& [a, b] = comparisons_[c];
      const double diff = MeanOf(scores[a].data(), static_cast<int>(needed)) -
                          MeanOf(scores[b].data(), static_cast<int>(needed));
      const double t = (k + 1) * std::abs(diff);
      if (t > best_t) {
        best = c;
        best_t = t;
        best_sign = diff;
      }
    }
    if (!(best_t > boundary)) break;
    decisions_[best] = best_sign > 0 ? AdaStopDecision::kLarger : AdaStopDecision::kSmaller;
    if (!done()) boundary = Boundary(alpha_k, normalisation, &level_to_add);
  }
  boundary_.push_back(boundary);
  level_spent_ += level_to_add;
  ++k_;
  if (k_ == options_.K)
    for (auto& d : decisions_)
      if (d == AdaStopDecision::kContinue) d = AdaStopDecision::kEqual;
}

AdaStop RunAdaStop(const std::vector<std::vector<double>>& scores, const AdaStopOptions& options) {
  AdaStop test(static_cast<int>(scores.size()), options);
  while (!test.done()) {
    const size_t needed = static_cast<size_t>(test.interims_done() + 1) * options.n;
    const auto agents = test.agents_needing_scores();
    if (std::any_of(agents.begin(), agents.end(), [&](int a) { return scores[a].size() < needed; }))
      break;
    test.Interim(scores);
  }
  return test;
}

}  // namespace qlab::stats
