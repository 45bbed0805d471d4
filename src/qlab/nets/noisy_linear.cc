#include "qlab/nets/noisy_linear.h"

#include <cmath>

#include "qlab/nets/device.h"

namespace qlab {

NoisyLinearImpl::NoisyLinearImpl(int64_t in_features, int64_t out_features, double sigma0) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight_mu = register_parameter("weight_mu",
                                 torch::empty({out_features, in_features}).uniform_(-bound, bound));
  bias_mu = register_parameter("bias_mu", torch::empty({out_features}).uniform_(-bound, bound));
  weight_sigma =
      register_parameter("weight_sigma", torch::full({out_features, in_features}, sigma0 * bound));
  bias_sigma = register_parameter("bias_sigma", torch::full({out_features}, sigma0 * bound));
  eps_in_ = register_buffer("eps_in", torch::zeros({in_features}));
  eps_out_ = register_buffer("eps_out", torch::zeros({out_features}));
}

torch::Tensor NoisyLinearImpl::forward(const torch::Tensor& x) {
  if (!noise_enabled_) return torch::nn::functional::linear(x, weight_mu, bias_mu);
  const torch::Tensor weight = weight_mu + weight_sigma * torch::outer(eps_out_, eps_in_);
  return torch::nn::functional::linear(x, weight, bias_mu + bias_sigma * eps_out_);
}

void NoisyLinearImpl::ResampleNoise(Rng& rng) {
  auto fill = [&rng](torch::Tensor& eps) {
    DrawOnCpu(eps, [&rng](torch::Tensor& host) {
      float* data = host.data_ptr<float>();
      for (int64_t i = 0; i < host.numel(); ++i) {
        const double x = rng.Normal();
        data[i] = static_cast<float>(std::copysign(std::sqrt(std::abs(x)), x));
      }
    });
  };
  torch::NoGradGuard no_grad;
  fill(eps_in_);
  fill(eps_out_);
}

}  // namespace qlab
