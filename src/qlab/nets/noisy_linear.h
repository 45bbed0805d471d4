// NoisyLinear: a dense layer with learned, factorised Gaussian parameter noise (Fortunato et al.
// 2018, "Noisy Networks for Exploration", §3.2), the exploration of Rainbow (Hessel et al. 2018).
//
//   y = (mu_w + sigma_w * eps_w) x + mu_b + sigma_b * eps_b,
//   eps_w = f(eps_out) f(eps_in)^T, eps_b = f(eps_out), f(x) = sign(x) sqrt(|x|), eps ~ N(0, 1)
//   init: mu ~ U(-1/sqrt(in), 1/sqrt(in)), sigma = sigma0 / sqrt(in)
//
// The noise is drawn from a qlab Rng (not torch's generator), so it is part of the run's seeded,
// checkpointed randomness; the current noise lives in buffers and is saved with the weights.
// With the noise switched off the layer is its mean (greedy evaluation, as Dopamine's eval mode).
#pragma once

#include <torch/torch.h>

#include "qlab/core/rng.h"

namespace qlab {

class NoisyLinearImpl : public torch::nn::Module {
 public:
  NoisyLinearImpl(int64_t in_features, int64_t out_features, double sigma0);

  torch::Tensor forward(const torch::Tensor& x);
  void ResampleNoise(Rng& rng);
  void set_noise_enabled(bool enabled) { noise_enabled_ = enabled; }
  const torch::Tensor& eps_in() const { return eps_in_; }    // f(eps_in) of the current sample
  const torch::Tensor& eps_out() const { return eps_out_; }  // f(eps_out)

  torch::Tensor weight_mu, weight_sigma, bias_mu, bias_sigma;

 private:
  torch::Tensor eps_in_, eps_out_;  // f(eps) of the current sample
  bool noise_enabled_ = true;
};
TORCH_MODULE(NoisyLinear);

}  // namespace qlab
