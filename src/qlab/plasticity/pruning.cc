#include "qlab/plasticity/pruning.h"

#include <algorithm>
#include <cmath>

namespace qlab {

double PruneSchedule(const PruneOptions& o, double progress) {
  if (o.sparsity <= 0.0 || progress < o.start) return 0.0;
  const double span = o.end - o.start;
  const double p = span <= 0.0 ? 1.0 : std::clamp((progress - o.start) / span, 0.0, 1.0);
  return o.sparsity * (1.0 - std::pow(1.0 - p, 3.0));
}

MagnitudePruner::MagnitudePruner(const PruneOptions& options, std::vector<torch::Tensor> weights,
                                 std::vector<torch::Tensor> tied)
    : MagnitudePruner(options, WeightMasks(std::move(weights), std::move(tied))) {}

MagnitudePruner::MagnitudePruner(const PruneOptions& options, WeightMasks masks)
    : options_(options), masks_(std::move(masks)) {}

void MagnitudePruner::Prune(double sparsity) {
  torch::NoGradGuard no_grad;
  if (options_.scope == "per_layer") {
    for (size_t i = 0; i < masks_.size(); ++i) {
      const torch::Tensor& w = masks_.weight(i);
      const auto drop = static_cast<int64_t>(std::floor(sparsity * w.numel()));
      masks_.set_mask(i, ~SmallestN(w.abs() * masks_.mask(i), drop).view_as(w));
    }
  } else {
    std::vector<torch::Tensor> magnitudes;
    for (size_t i = 0; i < masks_.size(); ++i)
      magnitudes.push_back((masks_.weight(i).abs() * masks_.mask(i)).flatten());
    const auto drop =
        static_cast<int64_t>(std::floor(sparsity * static_cast<double>(masks_.total())));
    const torch::Tensor keep = ~SmallestN(torch::cat(magnitudes), drop);
    int64_t offset = 0;
    for (size_t i = 0; i < masks_.size(); ++i) {
      const torch::Tensor& w = masks_.weight(i);
      masks_.set_mask(i, keep.slice(0, offset, offset + w.numel()).view_as(w).clone());
      offset += w.numel();
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

void MagnitudePruner::Apply() { masks_.Apply(); }

void MagnitudePruner::Save(Archive& archive, const std::string& prefix) const {
  archive.Put(prefix + "sparsity", current_);
  masks_.Save(archive, prefix);
}

void MagnitudePruner::Load(const Archive& archive, const std::string& prefix) {
  current_ = archive.Get<double>(prefix + "sparsity");
  masks_.Load(archive, prefix);
}

}  // namespace qlab
