#include "qlab/agents/losses.h"

#include "qlab/core/check.h"

namespace qlab {

torch::Tensor NextStateValue(const torch::Tensor& next_target, const torch::Tensor& next_online,
                             bool double_q) {
  if (!double_q) return std::get<0>(next_target.max(/*dim=*/1));
  const torch::Tensor best = next_online.argmax(/*dim=*/1, /*keepdim=*/true);
  return next_target.gather(/*dim=*/1, best).squeeze(1);
}

torch::Tensor ElementwiseLoss(const torch::Tensor& q, const torch::Tensor& target,
                              const std::string& kind) {
  if (kind == "huber") return torch::smooth_l1_loss(q, target, at::Reduction::None);
  QLAB_CHECK(kind == "mse");
  return (q - target).square();
}

}  // namespace qlab
