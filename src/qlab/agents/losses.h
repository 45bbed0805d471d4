// Shared value-learning maths (DESIGN.md §5): one place for the TD targets and the regression
// losses of the DQN family, as free functions tested on hand-computed cases (losses_test.cc).
// Shapes: B samples, A actions, K atoms / quantiles. `discount` is gamma^k from the replay, 0 after
// a termination, so terminal transitions need no special case.
#pragma once

#include <torch/torch.h>

#include <string>

#include "qlab/core/config.h"

namespace qlab {

// Bootstrapped value of the next state: max_a Q_target(s', a), or with double Q-learning
// (van Hasselt et al. 2016) Q_target(s', argmax_a Q_online(s', a)). `next_online` may be undefined
// when `double_q` is false.
torch::Tensor NextStateValue(const torch::Tensor& next_target, const torch::Tensor& next_online,
                             bool double_q);

// The greedy next action [B] from Q-values [B, A] of the selecting network.
inline torch::Tensor GreedyAction(const torch::Tensor& q) { return q.argmax(/*dim=*/1); }

// Row b, action[b] of x [B, A, ...] -> [B, ...].
torch::Tensor TakeAction(const torch::Tensor& x, const torch::Tensor& action);

// r + discount * v, where discount = gamma^k (0 after a termination) comes from the replay.
inline torch::Tensor TdTarget(const torch::Tensor& reward, const torch::Tensor& discount,
                              const torch::Tensor& next_value) {
  return reward + discount * next_value;
}

// Per-sample regression loss: "mse" (q - target)^2, as Dopamine's mse_loss and CleanRL, or
// "huber" (delta 1, Mnih et al. 2015; torch's smooth L1).
torch::Tensor ElementwiseLoss(const torch::Tensor& q, const torch::Tensor& target,
                              const std::string& kind);

// The atoms of a categorical return distribution, from agent.num_atoms / v_min / v_max (UserError
// when v_min >= v_max). Shared by the C51 family and SAC's categorical critic.
struct CategoricalSupport {
  int num_atoms = 51;
  double v_min = -10.0, v_max = 10.0;
  static CategoricalSupport FromConfig(const Config& config);
};

// C51 (Bellemare et al. 2017, Algorithm 1): the target distribution r + discount * z of
// `next_probs` [B, K] on `support` [K] (evenly spaced v_min..v_max), clipped to the support and
// projected back onto it: m_i = sum_j clip(1 - |T z_j - z_i| / dz, 0, 1) p_j (each moved atom
// split linearly between its two neighbours). Mass is conserved; atoms beyond the edges land on the
// edge atoms.
torch::Tensor CategoricalProjection(const torch::Tensor& support, const torch::Tensor& next_probs,
                                    const torch::Tensor& reward, const torch::Tensor& discount);

// Cross-entropy -sum_i m_i log softmax(logits)_i per sample: [B, K], [B, K] -> [B].
torch::Tensor CategoricalLoss(const torch::Tensor& logits, const torch::Tensor& target_probs);

// Quantile regression loss (Dabney et al. 2018, QR-DQN eq. 10; IQN eq. 3) per sample:
//   sum_i mean_j |tau_i - 1{u_ij < 0}| L_kappa(u_ij) / kappa,  u_ij = target_j - pred_i,
// L_kappa the Huber loss with threshold kappa (kappa = 0: the plain quantile loss |u|).
// pred [B, N] at fractions taus [B, N] (or [N]), target [B, N'] -> [B].
torch::Tensor QuantileHuberLoss(const torch::Tensor& pred, const torch::Tensor& taus,
                                const torch::Tensor& target, double kappa);

// QR-DQN's fixed fractions, the quantile midpoints (2i + 1) / 2N, i = 0..N-1.
torch::Tensor QuantileMidpoints(int64_t n, const torch::TensorOptions& options = {});

// Munchausen DQN (Vieillard et al. 2020, eq. 2) target from the target network's Q-values at s
// and s' ([B, A]):
//   r + alpha * clip(tau * log pi(a|s), clip_min, 0)
//     + discount * sum_a' pi(a'|s') (q'(s', a') - tau * log pi(a'|s')),  pi = softmax(q / tau)
// with log pi computed stably (log-sum-exp).
torch::Tensor MunchausenTarget(const torch::Tensor& q_target, const torch::Tensor& next_q_target,
                               const torch::Tensor& action, const torch::Tensor& reward,
                               const torch::Tensor& discount, double alpha, double tau,
                               double clip_min);

// Policy distillation of QDagger (Agarwal et al. 2022, "Reincarnating RL", eq. 2) per sample:
//   KL(softmax(q_teacher / T) || softmax(q_student / T)) = sum_a p_T(a) (log p_T(a) - log p_S(a))
// from Q-values [B, A] -> [B]; the teacher's side carries no gradient.
torch::Tensor DistillationLoss(const torch::Tensor& q_student, const torch::Tensor& q_teacher,
                               double temperature);

}  // namespace qlab
