#include "qlab/nets/moe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab {

std::pair<int64_t, int64_t> TokenShape(const std::vector<int64_t>& f, const std::string& mode,
                                       int64_t patch) {
  const bool image = f.size() == 3;
  int64_t total = 1;
  for (int64_t d : f) total *= d;
  if (mode == "flat") return {1, total};
  if (mode == "per_feature") return image ? std::pair{f[0], f[1] * f[2]} : std::pair{total, 1L};
  if (!image)
    throw UserError(fmt::format(
        "network.moe.tokenize = {} needs a conv torso output (use per_feature or flat)", mode));
  if (mode == "per_conv") return {f[1] * f[2], f[0]};
  QLAB_CHECK(mode == "per_patch");
  if (patch < 1 || f[1] % patch != 0 || f[2] % patch != 0)
    throw UserError(fmt::format("network.moe.patch = {} does not tile the {}x{} conv output", patch,
                                f[1], f[2]));
  return {(f[1] / patch) * (f[2] / patch), patch * patch * f[0]};
}

torch::Tensor Tokenize(const torch::Tensor& x, const std::string& mode, int64_t patch) {
  const int64_t b = x.size(0);
  if (mode == "flat") return x.reshape({b, 1, -1});
  if (x.dim() == 2) {
    QLAB_CHECK(mode == "per_feature");
    return x.unsqueeze(-1);
  }
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  if (mode == "per_feature") return x.reshape({b, c, h * w});
  if (mode == "per_conv") return x.permute({0, 2, 3, 1}).reshape({b, h * w, c});
  // [B, C, H/p, p, W/p, p] -> [B, H/p, W/p, p, p, C]: a patch's values, channels last
  return x.reshape({b, c, h / patch, patch, w / patch, patch})
      .permute({0, 2, 4, 3, 5, 1})
      .reshape({b, (h / patch) * (w / patch), patch * patch * c});
}

MixtureOfExpertsImpl::MixtureOfExpertsImpl(int64_t token_dim, const MoeOptions& options)
    : options_(options) {
  const int64_t e = options.num_experts;
  QLAB_CHECK(e >= 1 && options.expert_width >= 1);
  for (int64_t i = 0; i < e; ++i)
    experts_.push_back(register_module(fmt::format("expert{}", i),
                                       torch::nn::Linear(token_dim, options.expert_width)));
  if (options.type == "softmoe") {
    // Puigcerver et al. initialise Phi with LeCun normal
    const int64_t slots = e * options.slots_per_expert;
    phi_ = register_parameter(
        "phi", torch::randn({token_dim, slots}) / std::sqrt(static_cast<double>(token_dim)));
    if (options.normalize) scale_ = register_parameter("scale", torch::ones({1}));
  } else {
    QLAB_CHECK(options.type == "top_k" || options.type == "expert_choice");
    router_ = register_module("router", torch::nn::Linear(token_dim, e));
  }
  aux_loss_ = torch::zeros({});
}

torch::Tensor MixtureOfExpertsImpl::forward(const torch::Tensor& tokens) {
  if (options_.type == "softmoe") return SoftForward(tokens);
  if (options_.type == "top_k") return TopKForward(tokens);
  return ExpertChoiceForward(tokens);
}

torch::Tensor MixtureOfExpertsImpl::SoftForward(const torch::Tensor& x) {
  const int64_t b = x.size(0), e = options_.num_experts, s = options_.slots_per_expert;
  torch::Tensor logits;
  if (options_.normalize) {
    namespace F = torch::nn::functional;
    logits = scale_ * torch::matmul(F::normalize(x, F::NormalizeFuncOptions().dim(-1)),
                                    F::normalize(phi_, F::NormalizeFuncOptions().dim(0)));
  } else {
    logits = torch::matmul(x, phi_);
  }
  dispatch_ = torch::softmax(logits, /*dim=*/1);  // over tokens: each slot mixes tokens
  combine_ = torch::softmax(logits, /*dim=*/2);   // over slots: each token mixes slot outputs
  const torch::Tensor slots = torch::matmul(dispatch_.transpose(1, 2), x).view({b, e, s, -1});
  std::vector<torch::Tensor> outputs;
  outputs.reserve(e);
  for (int64_t i = 0; i < e; ++i)
    outputs.push_back(torch::relu(experts_[i]->forward(slots.select(1, i))));
  const torch::Tensor y = torch::cat(outputs, /*dim=*/1);  // [B, E*S, w]
  // routing: how much of each token's output comes from each expert
  probs_ = combine_.detach().view({-1, e, s}).sum(/*dim=*/2);
  usage_ = probs_.mean(/*dim=*/0);
  aux_loss_ = torch::zeros({});
  return torch::matmul(combine_, y);
}

torch::Tensor MixtureOfExpertsImpl::TopKForward(const torch::Tensor& x) {
  const int64_t b = x.size(0), t = x.size(1), e = options_.num_experts;
  const int64_t k = std::min(options_.top_k, e);
  const torch::Tensor flat = x.reshape({b * t, -1});
  const torch::Tensor probs = torch::softmax(router_->forward(flat), /*dim=*/1);  // [N, E]
  auto [gate, chosen] = probs.topk(k, /*dim=*/1);                                 // [N, k]
  if (k > 1) gate = gate / gate.sum(/*dim=*/1, /*keepdim=*/true);
  torch::Tensor out = torch::zeros({b * t, options_.expert_width}, x.options());
  torch::Tensor counts = torch::zeros({e}, x.options());
  for (int64_t i = 0; i < e; ++i) {
    const torch::Tensor hit = chosen == i;  // [N, k]
    const torch::Tensor rows = hit.any(/*dim=*/1).nonzero().squeeze(1);
    counts[i] = hit.sum().to(x.scalar_type());
    if (rows.numel() == 0) continue;
    const torch::Tensor g = (gate * hit).sum(/*dim=*/1).index_select(0, rows).unsqueeze(1);
    out = out.index_add(0, rows, g * torch::relu(experts_[i]->forward(flat.index_select(0, rows))));
  }
  // Switch's load balance: E * sum_e f_e P_e, minimal (1) when both are uniform
  const torch::Tensor fraction = counts / static_cast<double>(b * t * k);
  aux_loss_ = static_cast<double>(e) * (fraction * probs.mean(/*dim=*/0)).sum();
  probs_ = probs.detach();
  usage_ = fraction;
  return out.view({b, t, -1});
}

torch::Tensor MixtureOfExpertsImpl::ExpertChoiceForward(const torch::Tensor& x) {
  const int64_t b = x.size(0), t = x.size(1), d = x.size(2), e = options_.num_experts;
  const int64_t w = options_.expert_width;
  const int64_t capacity = std::clamp<int64_t>(
      std::llround(options_.capacity * static_cast<double>(t) / static_cast<double>(e)), 1, t);
  const torch::Tensor probs = torch::softmax(router_->forward(x), /*dim=*/2);  // [B, T, E]
  torch::Tensor out = torch::zeros({b, t, w}, x.options());
  torch::Tensor weight = torch::zeros({e}, x.options());
  for (int64_t i = 0; i < e; ++i) {
    auto [gate, index] = probs.select(2, i).topk(capacity, /*dim=*/1);  // [B, c]
    const torch::Tensor picked = x.gather(1, index.unsqueeze(2).expand({b, capacity, d}));
    const torch::Tensor y = gate.unsqueeze(2) * torch::relu(experts_[i]->forward(picked));
    out = out.scatter_add(1, index.unsqueeze(2).expand({b, capacity, w}), y);
    weight[i] = gate.detach().sum();
  }
  aux_loss_ = torch::zeros({});
  probs_ = probs.detach().reshape({b * t, e});
  usage_ = weight / weight.sum().clamp_min(1e-12);
  return out;
}

RoutingStats MixtureOfExpertsImpl::routing() const {
  RoutingStats stats;
  if (!probs_.defined()) return stats;
  stats.usage = usage_;
  stats.entropy =
      -(probs_ * torch::log(probs_.clamp_min(1e-12))).sum(/*dim=*/1).mean().item<double>();
  return stats;
}

}  // namespace qlab
