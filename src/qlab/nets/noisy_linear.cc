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
  namespace F = torch::nn::functional;
  if (!noise_enabled_) return F::linear(x, weight_mu, bias_mu);
  const torch::Tensor bias = bias_mu + bias_sigma * eps_out_;
  if (!torch::GradMode::is_enabled()) {
    // Acting and target values: the factorised form, (mu + sigma * eps_out eps_in^T) x =
    // mu x + eps_out * (sigma (eps_in * x)), never builds the out x in noisy weight. One
    // observation (acting) goes through matrix-vector products, which read each matrix once;
    // a GEMM would first copy it into packed panels, the larger cost at one row.
    // With gradients the materialised weight is faster (its backward is one GEMM, not three).
    if (x.dim() == 2 && x.size(0) == 1) {
      const torch::Tensor row = x[0];
      return (torch::mv(weight_mu, row) + torch::mv(weight_sigma, row * eps_in_) * eps_out_ + bias)
          .unsqueeze(0);
    }
    return F::linear(x, weight_mu, bias) + F::linear(x * eps_in_, weight_sigma) * eps_out_;
  }
  const torch::Tensor weight = weight_mu + weight_sigma * torch::outer(eps_out_, eps_in_);
  return F::linear(x, weight, bias);
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
