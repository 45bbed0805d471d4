#include "qlab/plasticity/pruning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"

namespace qlab {

double PruneSchedule(const PruneOptions& o, double progress) {
  if (o.sparsity <= 0.0 || progress < o.start) return 0.0;
  const double span = o.end - o.start;
  const double p = span <= 0.0 ? 1.0 : std::clamp((progress - o.start) / span, 0.0, 1.0);
  return o.sparsity * (1.0 - std::pow(1.0 - p, 3.0));
}

MagnitudePruner::MagnitudePruner(const PruneOptions& options, std::vector<torch::Tensor> weights,
                                 std::vector<torch::Tensor> tied)
    : options_(options), weights_(std::move(weights)), tied_(std::move(tied)) {
  QLAB_CHECK(weights_.size() == tied_.size());
  for (const auto& w : weights_) masks_.push_back(torch::ones_like(w, torch::kBool));
}

namespace {

// Mask keeping all but the `drop` smallest |values| (ties broken by position: deterministic).
torch::Tensor KeepLargest(const torch::Tensor& magnitude, int64_t drop) {
  torch::Tensor keep = torch::ones({magnitude.numel()}, torch::kBool);
  if (drop > 0) {
    const torch::Tensor order = std::get<1>(
        magnitude.flatten().sort(c10::optional<bool>(true), /*dim=*/0, /*descending=*/false));
    keep.index_fill_(0, order.slice(0, 0, drop), false);
  }
  return keep;
}

}  // namespace

void MagnitudePruner::Prune(double sparsity) {
  torch::NoGradGuard no_grad;
  if (options_.scope == "per_layer") {
    for (size_t i = 0; i < weights_.size(); ++i) {
      const auto drop = static_cast<int64_t>(std::floor(sparsity * weights_[i].numel()));
      masks_[i] = KeepLargest(weights_[i].abs() * masks_[i], drop).view_as(weights_[i]);
    }
  } else {
    std::vector<torch::Tensor> magnitudes;
    int64_t total = 0;
    for (size_t i = 0; i < weights_.size(); ++i) {
      magnitudes.push_back((weights_[i].abs() * masks_[i]).flatten());
      total += weights_[i].numel();
    }
    const auto drop = static_cast<int64_t>(std::floor(sparsity * static_cast<double>(total)));
    const torch::Tensor keep = KeepLargest(torch::cat(magnitudes), drop);
    int64_t offset = 0;
    for (size_t i = 0; i < weights_.size(); ++i) {
      const int64_t n = weights_[i].numel();
      masks_[i] = keep.slice(0, offset, offset + n).view_as(weights_[i]).clone();
      offset += n;
    }
  }
  current_ = sparsity;
  Apply();
}

void MagnitudePruner::AfterStep(int64_t updates, double progress) {
  if (!enabled()) return;
  const double target = PruneSchedule(options_, progress);
  const bool due =
      updates % options_.period == 0 || (progress >= options_.end && current_ < target);
  if (due && target > current_) Prune(target);
  Apply();
}

void MagnitudePruner::Apply() {
  if (current_ <= 0.0) return;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < weights_.size(); ++i) {
    weights_[i].mul_(masks_[i]);
    if (tied_[i].defined()) tied_[i].mul_(masks_[i]);
  }
}

int64_t MagnitudePruner::pruned() const {
  int64_t n = 0;
  for (const auto& m : masks_) n += m.numel() - m.sum().item<int64_t>();
  return n;
}

double MagnitudePruner::sparsity() const {
  int64_t total = 0;
  for (const auto& m : masks_) total += m.numel();
  return total == 0 ? 0.0 : static_cast<double>(pruned()) / static_cast<double>(total);
}

void MagnitudePruner::Save(Archive& archive, const std::string& prefix) const {
  archive.Put(prefix + "sparsity", current_);
  // masks as one byte per weight, in order
  std::string bytes;
  for (const auto& m : masks_) {
    const torch::Tensor flat = m.to(torch::kUInt8).contiguous().flatten();
    bytes.append(reinterpret_cast<const char*>(flat.data_ptr<uint8_t>()), flat.numel());
  }
  archive.PutBytes(prefix + "masks", bytes);
}

void MagnitudePruner::Load(const Archive& archive, const std::string& prefix) {
  current_ = archive.Get<double>(prefix + "sparsity");
  const std::string bytes = archive.GetBytes(prefix + "masks");
  size_t offset = 0;
  for (auto& m : masks_) offset += m.numel();
  if (offset != bytes.size())
    throw UserError(fmt::format("checkpoint pruning masks hold {} weights, the network has {}",
                                bytes.size(), offset));
  offset = 0;
  for (auto& m : masks_) {
    torch::Tensor flat = torch::empty({m.numel()}, torch::kUInt8);
    std::memcpy(flat.data_ptr<uint8_t>(), bytes.data() + offset, m.numel());
    m = flat.to(torch::kBool).view_as(m);
    offset += m.numel();
  }
}

}  // namespace qlab
