// The IMPALA residual CNN (Espeholt et al. 2018, "IMPALA: Scalable Distributed Deep-RL with
// Importance Weighted Actor-Learner Architectures", fig. 3): three stages of
//   conv 3x3 (same) -> max-pool 3x3 stride 2 (same) -> 2 x residual block
//   residual block: x + conv(ReLU(conv(ReLU(x))))
// with 16, 32, 32 channels, then a ReLU. BBF (Schwarzer et al. 2023) scales the channels by 4
// (`network.width_scale = 4`). Spatial size halves per stage (rounded up), so 10 x 10 MinAtar
// grids end at 2 x 2 and 84 x 84 Atari frames at 11 x 11.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace qlab {

class ImpalaStageImpl : public torch::nn::Module {
 public:
  ImpalaStageImpl(int64_t in_channels, int64_t out_channels);
  torch::Tensor forward(torch::Tensor x) { return Run(std::move(x), nullptr); }
  // With `captured`, appends each residual block's inner ReLU output (its dormant-neuron units).
  torch::Tensor Run(torch::Tensor x, std::vector<torch::Tensor>* captured);

  torch::nn::Conv2d conv{nullptr};
  // per residual block: the conv whose ReLU'd output are the block's units, and the one reading it
  std::vector<torch::nn::Conv2d> inner, outer;

 private:
  torch::nn::MaxPool2d pool_{nullptr};
};
TORCH_MODULE(ImpalaStage);

// Output side of one stage for an input side (max-pool 3x3, stride 2, padding 1).
inline int64_t ImpalaStageSide(int64_t side) { return (side - 1) / 2 + 1; }

}  // namespace qlab
