// Dense: torch::nn::Linear with a faster path for one input row without gradients (acting on
// one observation). libtorch's linear runs a GEMM even for one row, and OpenBLAS first copies the
// whole weight into packed panels: on MinAtar's 1600 -> 306 C51 head that copy was more than half
// of an acting step (perf). A matrix-vector product reads the weight once. Same parameters and
// names as Linear (it is one: `as<torch::nn::Linear>()` finds it), so checkpoints are unchanged.
#pragma once

#include <torch/torch.h>

namespace qlab {

// One input row and no gradients: acting on one observation, where matrix-vector products win.
inline bool IsOneRowWithoutGrad(const torch::Tensor& x) {
  return x.dim() == 2 && x.size(0) == 1 && !torch::GradMode::is_enabled();
}

class DenseImpl : public torch::nn::LinearImpl {
 public:
  using torch::nn::LinearImpl::LinearImpl;

  torch::Tensor forward(const torch::Tensor& x) {
    if (IsOneRowWithoutGrad(x)) {
      const torch::Tensor row = x[0];
      return (bias.defined() ? torch::addmv(bias, weight, row) : torch::mv(weight, row))
          .unsqueeze(0);
    }
    return torch::nn::LinearImpl::forward(x);
  }
};
TORCH_MODULE(Dense);

}  // namespace qlab
