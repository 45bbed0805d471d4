// SimbaV2 (Lee et al. 2025, "Hyperspherical Normalization for Scalable Deep Reinforcement
// Learning", section 4): a torso for vector observations whose features and weights live on the
// unit sphere, so their norms cannot drift with training (the paper's cure for growing feature
// norms and effective learning-rate decay):
//   input      x~ = l2norm([x; c_shift])   (x already RSNorm'ed by the Q-network; c_shift = 3
//              keeps the magnitude information l2norm alone would drop)
//   embedding  h_0 = l2norm(s_0 * (W_0 x~))
//   block l    h~ = l2norm(W_2 ReLU(s_l * (W_1 h_l)))   (inner width 4 * width)
//              h_{l+1} = l2norm(h_l + alpha_l * (h~ - h_l))   (learnable interpolation)
// Every W is bias-free and projected back to unit-norm rows after each optimiser step
// (ProjectWeights). Scalers s and alpha use the paper's reparametrisation: the stored parameter
// starts at `scale` = 1 / sqrt(width) and the effective value is param * (init / scale), so
// Adam's steps on them are as large as on the unit-norm weights (s init 1, alpha init
// 1 / (blocks + 1)).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace qlab {

class SimbaV2Impl : public torch::nn::Module {
 public:
  SimbaV2Impl(int64_t input_dim, int64_t width, int64_t blocks, double shift = 3.0);

  torch::Tensor forward(const torch::Tensor& x);  // [B, input_dim] -> [B, width], unit rows
  // With `captured`, appends each block's inner ReLU output (its dormant-neuron units).
  torch::Tensor Run(const torch::Tensor& x, std::vector<torch::Tensor>* captured);
  // Puts every weight matrix back on the unit sphere (row-wise); call after optimiser steps.
  void ProjectWeights();
  // Draws every parameter afresh as at construction (resets, ReDo).
  void Reinitialize(at::Generator& generator);

  int64_t blocks() const { return static_cast<int64_t>(up_.size()); }
  int64_t macs() const;
  // the weights of block l: the inner units' incoming rows and their readers' columns
  const torch::Tensor& up_weight(int64_t l) const { return up_[l]; }
  const torch::Tensor& down_weight(int64_t l) const { return down_[l]; }

 private:
  torch::Tensor Scaled(const torch::Tensor& param, double init) const;

  int64_t input_dim_, width_;
  double shift_, scale_;
  torch::Tensor embed_, embed_scaler_;
  std::vector<torch::Tensor> up_, down_, block_scaler_, alpha_;
};
TORCH_MODULE(SimbaV2);

// Row-wise l2 normalisation with a floor (no division by zero).
torch::Tensor L2Normalize(const torch::Tensor& x);

}  // namespace qlab
