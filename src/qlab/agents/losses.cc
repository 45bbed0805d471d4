#include "qlab/agents/losses.h"

#include <fmt/format.h>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab {

CategoricalSupport CategoricalSupport::FromConfig(const Config& c) {
  CategoricalSupport support{.num_atoms = static_cast<int>(c.GetInt("agent.num_atoms")),
                             .v_min = c.GetFloat("agent.v_min"),
                             .v_max = c.GetFloat("agent.v_max")};
  if (support.v_min >= support.v_max)
    throw UserError(fmt::format("agent.v_min ({}) must be below agent.v_max ({})", support.v_min,
                                support.v_max));
  return support;
}

torch::Tensor NextStateValue(const torch::Tensor& next_target, const torch::Tensor& next_online,
                             bool double_q) {
  if (!double_q) return std::get<0>(next_target.max(/*dim=*/1));
  const torch::Tensor best = next_online.argmax(/*dim=*/1, /*keepdim=*/true);
  return next_target.gather(/*dim=*/1, best).squeeze(1);
}

torch::Tensor TakeAction(const torch::Tensor& x, const torch::Tensor& action) {
  return x.index({torch::arange(x.size(0), action.options()), action});
}

torch::Tensor ElementwiseLoss(const torch::Tensor& q, const torch::Tensor& target,
                              const std::string& kind) {
  if (kind == "huber") return torch::smooth_l1_loss(q, target, at::Reduction::None);
  QLAB_CHECK(kind == "mse");
  return (q - target).square();
}

torch::Tensor CategoricalProjection(const torch::Tensor& support, const torch::Tensor& next_probs,
                                    const torch::Tensor& reward, const torch::Tensor& discount) {
  const int64_t k = support.size(0);
  const double v_min = support[0].item<double>(), v_max = support[k - 1].item<double>();
  const double dz = (v_max - v_min) / static_cast<double>(k - 1);
  // position of each moved atom on the support's index scale, split between its two neighbours
  // (O(B K), where the pairwise form clip(1 - |T z_j - z_i| / dz, 0, 1) is O(B K^2))
  const torch::Tensor position =
      ((reward.unsqueeze(1) + discount.unsqueeze(1) * support.unsqueeze(0)).clamp(v_min, v_max) -
       v_min) /
      dz;
  const torch::Tensor lower = position.floor().clamp(0, k - 1);
  const torch::Tensor upper_weight = position - lower;
  torch::Tensor m = torch::zeros_like(next_probs);
  m.scatter_add_(1, lower.to(torch::kInt64), next_probs * (1.0 - upper_weight));
  m.scatter_add_(1, (lower + 1).clamp_max(k - 1).to(torch::kInt64), next_probs * upper_weight);
  return m;
}

torch::Tensor CategoricalLoss(const torch::Tensor& logits, const torch::Tensor& target_probs) {
  return -(target_probs * torch::log_softmax(logits, /*dim=*/1)).sum(/*dim=*/1);
}

torch::Tensor QuantileHuberLoss(const torch::Tensor& pred, const torch::Tensor& taus,
                                const torch::Tensor& target, double kappa) {
  // u[b, i, j] = target[b, j] - pred[b, i]
  const torch::Tensor u = target.unsqueeze(1) - pred.unsqueeze(2);
  const torch::Tensor abs_u = u.abs();
  torch::Tensor huber;
  if (kappa > 0.0) {
    huber = torch::where(abs_u <= kappa, 0.5 * u.square(), kappa * (abs_u - 0.5 * kappa)) / kappa;
  } else {
    huber = abs_u;
  }
  const torch::Tensor tau = (taus.dim() == 1 ? taus.unsqueeze(0) : taus).unsqueeze(2);
  const torch::Tensor weight = (tau - (u.detach() < 0).to(u.scalar_type())).abs();
  return (weight * huber).mean(/*dim=*/2).sum(/*dim=*/1);
}

torch::Tensor QuantileMidpoints(int64_t n, const torch::TensorOptions& options) {
  return (torch::arange(n, options.dtype(torch::kFloat32)) * 2.0 + 1.0) / (2.0 * n);
}

torch::Tensor MunchausenTarget(const torch::Tensor& q_target, const torch::Tensor& next_q_target,
                               const torch::Tensor& action, const torch::Tensor& reward,
                               const torch::Tensor& discount, double alpha, double tau,
                               double clip_min) {
  const torch::Tensor log_pi = torch::log_softmax(q_target / tau, /*dim=*/1);
  const torch::Tensor bonus =
      alpha * (tau * log_pi.gather(1, action.unsqueeze(1)).squeeze(1)).clamp(clip_min, 0.0);
  const torch::Tensor next_log_pi = torch::log_softmax(next_q_target / tau, /*dim=*/1);
  const torch::Tensor soft_value =
      (next_log_pi.exp() * (next_q_target - tau * next_log_pi)).sum(/*dim=*/1);
  return reward + bonus + discount * soft_value;
}

torch::Tensor DistillationLoss(const torch::Tensor& q_student, const torch::Tensor& q_teacher,
                               double temperature) {
  const torch::Tensor log_teacher = torch::log_softmax(q_teacher.detach() / temperature, 1);
  const torch::Tensor log_student = torch::log_softmax(q_student / temperature, 1);
  return (log_teacher.exp() * (log_teacher - log_student)).sum(1);
}

}  // namespace qlab
