#include "qlab/plasticity/weight_masks.h"

#include <fmt/format.h>

#include <cstring>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/nets/noisy_linear.h"

namespace qlab {

WeightMasks::WeightMasks(std::vector<torch::Tensor> weights, std::vector<torch::Tensor> tied)
    : weights_(std::move(weights)), tied_(std::move(tied)) {
  QLAB_CHECK(weights_.size() == tied_.size());
  for (const auto& w : weights_) masks_.push_back(torch::ones_like(w, torch::kBool));
}

WeightMasks WeightMasks::Of(torch::nn::Module& network) {
  std::vector<torch::Tensor> weights, tied;
  for (const auto& module : network.modules(/*include_self=*/false)) {
    if (auto* noisy = module->as<NoisyLinear>()) {
      weights.push_back(noisy->weight_mu);
      tied.push_back(noisy->weight_sigma);
    } else if (auto* linear = module->as<torch::nn::Linear>()) {
      weights.push_back(linear->weight);
      tied.emplace_back();
    } else if (auto* conv = module->as<torch::nn::Conv2d>()) {
      weights.push_back(conv->weight);
      tied.emplace_back();
    }
  }
  return WeightMasks(std::move(weights), std::move(tied));
}

void WeightMasks::set_mask(size_t i, torch::Tensor mask) {
  QLAB_CHECK(mask.sizes() == weights_[i].sizes());
  masks_[i] = mask.to(torch::kBool);
  any_masked_ = true;
}

void WeightMasks::Apply() {
  if (!any_masked_) return;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < weights_.size(); ++i) {
    weights_[i].mul_(masks_[i]);
    if (tied_[i].defined()) tied_[i].mul_(masks_[i]);
  }
}

int64_t WeightMasks::masked() const {
  int64_t n = 0;
  for (const auto& m : masks_) n += m.numel() - m.sum().item<int64_t>();
  return n;
}

int64_t WeightMasks::total() const {
  int64_t n = 0;
  for (const auto& m : masks_) n += m.numel();
  return n;
}

double WeightMasks::sparsity() const {
  const int64_t n = total();
  return n == 0 ? 0.0 : static_cast<double>(masked()) / static_cast<double>(n);
}

void WeightMasks::Save(Archive& archive, const std::string& prefix) const {
  // one byte per weight, in order
  std::string bytes;
  for (const auto& m : masks_) {
    const torch::Tensor flat = m.to(torch::kCPU, torch::kUInt8).contiguous().flatten();
    bytes.append(reinterpret_cast<const char*>(flat.data_ptr<uint8_t>()), flat.numel());
  }
  archive.PutBytes(prefix + "masks", bytes);
}

void WeightMasks::Load(const Archive& archive, const std::string& prefix) {
  const std::string bytes = archive.GetBytes(prefix + "masks");
  if (static_cast<int64_t>(bytes.size()) != total())
    throw UserError(fmt::format("checkpoint weight masks hold {} weights, the network has {}",
                                bytes.size(), total()));
  size_t offset = 0;
  for (auto& m : masks_) {
    torch::Tensor flat = torch::empty({m.numel()}, torch::kUInt8);
    std::memcpy(flat.data_ptr<uint8_t>(), bytes.data() + offset, m.numel());
    m = flat.to(m.device(), torch::kBool).view_as(m);
    offset += m.numel();
  }
  any_masked_ = masked() > 0;
}

torch::Tensor SmallestN(const torch::Tensor& scores, int64_t n) {
  torch::Tensor chosen = torch::zeros({scores.numel()}, scores.options().dtype(torch::kBool));
  if (n > 0) {
    const torch::Tensor order = std::get<1>(
        scores.flatten().sort(c10::optional<bool>(true), /*dim=*/0, /*descending=*/false));
    chosen.index_fill_(0, order.slice(0, 0, n), true);
  }
  return chosen;
}

}  // namespace qlab
