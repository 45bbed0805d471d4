#include "qlab/agents/losses.h"

#include <fmt/format.h>

#include <cmath>

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

namespace {

// The loss and its gradient in one pass over the B x N x N' pairs, on the CPU. The composite form
// below materialises ~15 temporaries of B N N' floats (QR-DQN on MinAtar: 32 x 200 x 200, 5 MB
// each) forward and as many backward, which was most of a QR-DQN update; this pass writes B + B N
// floats. Per pair: u = t_j - p_i, w = |tau_i - 1{u < 0}|, L = w h(u) / N', dL/dp_i = -w h'(u) / N'
// with h(u) = u^2 / 2k (|u| <= k) or |u| - k/2, h' = u / k or sign(u) (k = 0: h = |u|).
class FusedQuantileHuber : public torch::autograd::Function<FusedQuantileHuber> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& pred,
                               const torch::Tensor& taus, const torch::Tensor& target,
                               double kappa) {
    const torch::Tensor p = pred.detach().contiguous(), t = target.contiguous();
    const torch::Tensor f = taus.contiguous();
    const int64_t b = p.size(0), n = p.size(1), m = t.size(1);
    QLAB_CHECK(t.size(0) == b &&
               (f.dim() == 1 ? f.size(0) == n : f.size(0) == b && f.size(1) == n));
    torch::Tensor loss = torch::empty({b}, p.options());
    torch::Tensor grad = torch::empty({b, n}, p.options());
    const float k = static_cast<float>(kappa), half_k = 0.5F * k,
                inv_m = 1.0F / static_cast<float>(m);
    const float inv_k = k > 0.0F ? 1.0F / k : 0.0F;
    float* out = loss.data_ptr<float>();
    float* g = grad.data_ptr<float>();
    for (int64_t s = 0; s < b; ++s) {
      const float* ps = p.data_ptr<float>() + s * n;
      const float* ts = t.data_ptr<float>() + s * m;
      const float* fs = f.data_ptr<float>() + (f.dim() == 2 ? s * n : 0);
      float total = 0.0F;
      for (int64_t i = 0; i < n; ++i) {
        const float pi = ps[i], tau = fs[i];
        float sum = 0.0F, slope = 0.0F;
        for (int64_t j = 0; j < m; ++j) {  // branch-free, so it vectorises
          const float u = ts[j] - pi, abs_u = std::abs(u);
          const float w = std::abs(tau - (u < 0.0F ? 1.0F : 0.0F));
          const float sign = u > 0.0F ? 1.0F : (u < 0.0F ? -1.0F : 0.0F);
          const bool inside = abs_u <= k;
          sum += w * (inside ? 0.5F * u * u * inv_k : abs_u - half_k);
          slope += w * (inside ? u * inv_k : sign);
        }
        total += sum * inv_m;
        g[s * n + i] = -slope * inv_m;
      }
      out[s] = total;
    }
    ctx->saved_data["grad"] = grad;
    return loss;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const torch::Tensor grad = ctx->saved_data["grad"].toTensor();
    return {grad * grad_outputs[0].unsqueeze(1), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor QuantileHuberLoss(const torch::Tensor& pred, const torch::Tensor& taus,
                                const torch::Tensor& target, double kappa) {
  const auto fused_applies = [&](const torch::Tensor& x) {
    return x.device().is_cpu() && x.scalar_type() == torch::kFloat32;
  };
  if (fused_applies(pred) && fused_applies(taus) && fused_applies(target) &&
      !taus.requires_grad() && !target.requires_grad() && pred.dim() == 2 && target.dim() == 2)
    return FusedQuantileHuber::apply(pred, taus, target, kappa);
  // the composite form (GPUs, or targets and fractions that need gradients)
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
