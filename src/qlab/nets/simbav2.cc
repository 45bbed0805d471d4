#include "qlab/nets/simbav2.h"

#include <fmt/format.h>

#include <cmath>

#include "qlab/nets/device.h"

namespace qlab {

torch::Tensor L2Normalize(const torch::Tensor& x) {
  return x / x.norm(2, /*dim=*/-1, /*keepdim=*/true).clamp_min(1e-8);
}

SimbaV2Impl::SimbaV2Impl(int64_t input_dim, int64_t width, int64_t blocks, double shift)
    : input_dim_(input_dim),
      width_(width),
      shift_(shift),
      scale_(1.0 / std::sqrt(static_cast<double>(width))) {
  embed_ = register_parameter("embed", torch::empty({width, input_dim + 1}));
  embed_scaler_ = register_parameter("embed_scaler", torch::empty({width}));
  for (int64_t l = 0; l < blocks; ++l) {
    up_.push_back(
        register_parameter(fmt::format("block{}_up", l + 1), torch::empty({4 * width, width})));
    down_.push_back(
        register_parameter(fmt::format("block{}_down", l + 1), torch::empty({width, 4 * width})));
    block_scaler_.push_back(
        register_parameter(fmt::format("block{}_scaler", l + 1), torch::empty({4 * width})));
    alpha_.push_back(
        register_parameter(fmt::format("block{}_alpha", l + 1), torch::empty({width})));
  }
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  Reinitialize(generator);
}

void SimbaV2Impl::Reinitialize(at::Generator& generator) {
  torch::NoGradGuard no_grad;
  // orthogonal-like start: Gaussian rows projected to the sphere; scalers at their `scale`
  auto draw = [&](torch::Tensor& w) {
    DrawOnCpu(w, [&](torch::Tensor& t) { t.normal_(0.0, 1.0, generator); });
  };
  draw(embed_);
  for (auto& w : up_) draw(w);
  for (auto& w : down_) draw(w);
  embed_scaler_.fill_(scale_);
  for (auto& s : block_scaler_) s.fill_(scale_);
  for (auto& a : alpha_) a.fill_(scale_);
  ProjectWeights();
}

void SimbaV2Impl::ProjectWeights() {
  torch::NoGradGuard no_grad;
  embed_.copy_(L2Normalize(embed_));
  for (auto& w : up_) w.copy_(L2Normalize(w));
  for (auto& w : down_) w.copy_(L2Normalize(w));
}

torch::Tensor SimbaV2Impl::Scaled(const torch::Tensor& param, double init) const {
  return param * (init / scale_);
}

torch::Tensor SimbaV2Impl::forward(const torch::Tensor& x) { return Run(x, nullptr); }

torch::Tensor SimbaV2Impl::Run(const torch::Tensor& x, std::vector<torch::Tensor>* captured) {
  const torch::Tensor shifted =
      L2Normalize(torch::cat({x, torch::full({x.size(0), 1}, shift_, x.options())}, /*dim=*/1));
  torch::Tensor h =
      L2Normalize(Scaled(embed_scaler_, 1.0) * torch::nn::functional::linear(shifted, embed_));
  const double alpha_init = 1.0 / static_cast<double>(blocks() + 1);
  for (int64_t l = 0; l < blocks(); ++l) {
    const torch::Tensor inner =
        torch::relu(Scaled(block_scaler_[l], 1.0) * torch::nn::functional::linear(h, up_[l]));
    if (captured != nullptr) captured->push_back(inner);
    const torch::Tensor update = L2Normalize(torch::nn::functional::linear(inner, down_[l]));
    h = L2Normalize(h + Scaled(alpha_[l], alpha_init) * (update - h));
  }
  return h;
}

int64_t SimbaV2Impl::macs() const {
  return width_ * (input_dim_ + 1) + blocks() * 8 * width_ * width_;
}

}  // namespace qlab
