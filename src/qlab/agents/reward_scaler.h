// SimbaV2's reward scaling (Lee et al. 2025, "Hyperspherical Normalization for Scalable Deep
// Reinforcement Learning", §4.3): rewards are divided by the running standard deviation of the
// discounted return G_t = gamma G_{t-1} + r_t (one G per env, restarted at episode ends), but never
// by less than r_max / ((1 - gamma) G_max), r_max the largest |reward| seen, so that scaled returns
// stay within a critic support of [-G_max, G_max]. Statistics come from acted (training) steps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace qlab {

class RewardScaler {
 public:
  RewardScaler() = default;
  RewardScaler(int num_envs, double gamma, double g_max)
      : gamma_(gamma), g_max_(g_max), returns_(num_envs, 0.0) {}

  // One step of every env: its reward and whether its episode ended there.
  void Observe(std::span<const float> rewards, std::span<const uint8_t> done) {
    for (size_t i = 0; i < returns_.size(); ++i) {
      r_abs_max_ = std::max(r_abs_max_, std::abs(static_cast<double>(rewards[i])));
      returns_[i] = gamma_ * returns_[i] + rewards[i];
      // Welford's running mean and variance of G over every env and step
      count_ += 1.0;
      const double delta = returns_[i] - mean_;
      mean_ += delta / count_;
      m2_ += delta * (returns_[i] - mean_);
      if (done[i]) returns_[i] = 0.0;
    }
  }

  // Rewards are divided by this (1 before any statistics).
  double divisor() const {
    if (count_ < 2.0) return 1.0;
    const double by_variance = std::sqrt(m2_ / count_ + 1e-8);
    const double floor = r_abs_max_ / ((1.0 - gamma_) * g_max_);
    return std::max(by_variance, floor);
  }

  // The whole state, for checkpoints.
  struct State {
    double count, mean, m2, r_abs_max;
  };
  State state() const { return {count_, mean_, m2_, r_abs_max_}; }
  const std::vector<double>& returns() const { return returns_; }
  void Restore(const State& s, std::vector<double> returns) {
    count_ = s.count;
    mean_ = s.mean;
    m2_ = s.m2;
    r_abs_max_ = s.r_abs_max;
    returns_ = std::move(returns);
  }

 private:
  double gamma_ = 0.99, g_max_ = 5.0;
  std::vector<double> returns_;
  double count_ = 0.0, mean_ = 0.0, m2_ = 0.0, r_abs_max_ = 0.0;
};

}  // namespace qlab
