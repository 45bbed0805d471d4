// Shared value-learning maths (DESIGN.md §5): one place for the TD target and the regression
// losses, so every agent of the DQN family computes them the same way.
#pragma once

#include <torch/torch.h>

#include <string>

namespace qlab {

// Bootstrapped value of the next state: max_a Q_target(s', a), or with double Q-learning
// (van Hasselt et al. 2016) Q_target(s', argmax_a Q_online(s', a)). `next_online` may be undefined
// when `double_q` is false.
torch::Tensor NextStateValue(const torch::Tensor& next_target, const torch::Tensor& next_online,
                             bool double_q);

// r + discount * v, where discount = gamma^k (0 after a termination) comes from the replay.
inline torch::Tensor TdTarget(const torch::Tensor& reward, const torch::Tensor& discount,
                              const torch::Tensor& next_value) {
  return reward + discount * next_value;
}

// Per-sample regression loss: "mse" (q - target)^2, as Dopamine's mse_loss and CleanRL, or
// "huber" (delta 1, Mnih et al. 2015; torch's smooth L1).
torch::Tensor ElementwiseLoss(const torch::Tensor& q, const torch::Tensor& target,
                              const std::string& kind);

}  // namespace qlab
