#include "qlab/plasticity/expansion.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "qlab/core/check.h"
#include "qlab/plasticity/diagnostics.h"
#include "qlab/plasticity/interventions.h"

namespace qlab {

std::vector<double> ErdosRenyiSparsities(const std::vector<std::vector<int64_t>>& shapes,
                                         double sparsity) {
  const size_t n = shapes.size();
  std::vector<double> numel(n), raw(n);
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    numel[i] = 1.0;
    double sum = 0.0;
    for (int64_t d : shapes[i]) {
      numel[i] *= static_cast<double>(d);
      sum += static_cast<double>(d);
    }
    raw[i] = sum / numel[i];
    total += numel[i];
  }
  std::vector<double> out(n, 0.0);
  if (sparsity <= 0.0 || n == 0) return out;
  std::vector<bool> dense(n, false);
  double eps = 0.0;
  while (true) {
    double budget = (1.0 - sparsity) * total, divisor = 0.0, max_raw = 0.0;
    for (size_t i = 0; i < n; ++i) {
      if (dense[i]) {
        budget -= numel[i];
      } else {
        divisor += raw[i] * numel[i];
        max_raw = std::max(max_raw, raw[i]);
      }
    }
    if (divisor <= 0.0) break;  // every layer dense
    eps = budget / divisor;
    if (max_raw * eps <= 1.0) break;
    for (size_t i = 0; i < n; ++i)
      if (!dense[i] && raw[i] == max_raw) dense[i] = true;  // would exceed density 1
  }
  for (size_t i = 0; i < n; ++i) out[i] = dense[i] ? 0.0 : std::clamp(1.0 - eps * raw[i], 0.0, 1.0);
  return out;
}

NeuroplasticExpansion::NeuroplasticExpansion(const ExpansionOptions& options, QNetwork online,
                                             QNetwork target)
    : options_(options), online_(std::move(online)), masks_(WeightMasks::Of(*online_)) {
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < masks_.size(); ++i) shapes.push_back(masks_.weight(i).sizes().vec());
  initial_ = ErdosRenyiSparsities(shapes, options.initial_sparsity);
  final_ = ErdosRenyiSparsities(shapes, options.final_sparsity);
  torch::NoGradGuard no_grad;
  std::unique_ptr<WeightMasks> target_masks;
  if (!target.is_empty()) target_masks = std::make_unique<WeightMasks>(WeightMasks::Of(*target));
  for (size_t i = 0; i < masks_.size(); ++i) {
    const torch::Tensor& w = masks_.weight(i);
    const auto drop = static_cast<int64_t>(std::floor(initial_[i] * w.numel()));
    const torch::Tensor mask = ~SmallestN(w.abs(), drop).view_as(w);
    masks_.set_mask(i, mask);
    if (target_masks) target_masks->set_mask(i, mask);
  }
  masks_.Apply();
  if (target_masks) target_masks->Apply();
  const auto& layers = online_->unit_layers();
  for (size_t i = 0; i < masks_.size(); ++i) {
    int found = -1;
    for (size_t j = 0; j < layers.size() && found < 0; ++j)
      for (const auto& in : layers[j].incoming)
        if (in.tensor.is_same(masks_.weight(i))) found = static_cast<int>(j);
    unit_layer_.push_back(found);
  }
}

void NeuroplasticExpansion::AfterStep(int64_t updates, double progress,
                                      torch::optim::Optimizer& optimizer,
                                      const std::function<void()>& capture, Rng& rng) {
  if (updates % options_.period == 0) {
    capture();
    at::Generator generator = at::detail::createCPUGenerator(rng.NextU64());
    TopologyStep(progress, optimizer, generator);
  }
  ApplyMasks();
}

void NeuroplasticExpansion::TopologyStep(double progress, torch::optim::Optimizer& optimizer,
                                         at::Generator& generator) {
  torch::NoGradGuard no_grad;
  const auto& layers = online_->unit_layers();
  const auto& captured = online_->captured();
  std::vector<torch::Tensor> dormant(layers.size());
  if (!layers.empty() && captured.size() == layers.size()) {
    double units = 0.0, active = 0.0;
    for (size_t j = 0; j < layers.size(); ++j) {
      const torch::Tensor scores = UnitScores(captured[j]);
      units += static_cast<double>(scores.numel());
      active += (scores > 0.0).sum().item<double>();
      dormant[j] = scores <= options_.tau;
    }
    fau_ = active / units;
  }
  auto dormant_of = [&](size_t i) {
    return unit_layer_[i] < 0 ? torch::Tensor() : dormant[unit_layer_[i]];
  };
  auto active_of = [&](size_t i) { return masks_.mask(i).sum().item<int64_t>(); };
  auto target_active = [&](size_t i) {
    const int64_t n = masks_.weight(i).numel();
    return n - static_cast<int64_t>(std::floor(final_[i] * static_cast<double>(n)));
  };

  if (growing()) {
    const double rate = options_.schedule == "cosine"
                            ? options_.rate * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0
                            : options_.rate;
    bool full = true;
    for (size_t i = 0; i < masks_.size(); ++i) {
      const auto n = static_cast<double>(masks_.weight(i).numel());
      const int64_t active = active_of(i), goal = target_active(i);
      if (active >= goal) continue;
      const double space =
          std::floor(initial_[i] * n) - std::floor(final_[i] * n);  // connections to grow
      // ceil: small layers (a head) grow too, at least one connection per step
      int64_t grow = static_cast<int64_t>(std::ceil(space * rate));
      const auto drop = static_cast<int64_t>(std::floor(options_.prune_ratio * grow));
      grow = std::min(grow, goal - active + drop);
      Rewire(i, drop, grow, dormant_of(i), optimizer, generator);
      full = full && active_of(i) >= goal;
    }
    if (full) grow_end_ = progress;
  } else if (options_.rewire > 0.0) {
    const double s =
        grow_end_ < 1.0 ? std::clamp((progress - grow_end_) / (1.0 - grow_end_), 0.0, 1.0) : 1.0;
    const double fraction = options_.rewire * (1.0 + std::cos(std::numbers::pi * s)) / 2.0;
    for (size_t i = 0; i < masks_.size(); ++i) {
      const auto k = static_cast<int64_t>(std::floor(fraction * static_cast<double>(active_of(i))));
      if (k > 0) Rewire(i, k, k, dormant_of(i), optimizer, generator);
    }
  }
}

void NeuroplasticExpansion::Rewire(size_t i, int64_t drop, int64_t grow,
                                   const torch::Tensor& dormant, torch::optim::Optimizer& optimizer,
                                   at::Generator& generator) {
  const torch::Tensor& w = masks_.weight(i);
  const torch::Tensor gradient = w.grad();
  if (!gradient.defined()) return;  // not used by the last update
  const torch::Tensor mask = masks_.mask(i).flatten();
  const int64_t n = w.numel();
  const int64_t active = mask.sum().item<int64_t>();

  // drop order: connections into dormant units first, then the smallest |w|; inactive never
  torch::Tensor drop_score = w.detach().abs().flatten().to(torch::kFloat64);
  if (dormant.defined() && dormant.numel() == w.size(0)) {
    const torch::Tensor into_dormant =
        dormant.view({w.size(0), 1}).expand({w.size(0), n / w.size(0)}).flatten();
    drop_score = drop_score + (~into_dormant).to(torch::kFloat64) * (drop_score.max() + 1.0);
  }
  drop_score.masked_fill_(~mask, std::numeric_limits<double>::infinity());
  const torch::Tensor dropped = SmallestN(drop_score, std::min(drop, active));
  const torch::Tensor kept = mask & ~dropped;

  // grow order: the largest |gradient| among the connections not kept
  torch::Tensor grow_score = gradient.abs().flatten().to(torch::kFloat64);
  grow_score.masked_fill_(kept, -1.0);
  const int64_t free = n - kept.sum().item<int64_t>();
  const torch::Tensor grown = SmallestN(-grow_score, std::min(grow, free));
  const torch::Tensor fresh = grown & ~mask;  // new connections (regrown dropped ones keep w)

  if (options_.init == "lecun" && fresh.any().item<bool>()) {
    // truncated normal on [-2, 2] by inverse CDF, std sqrt(1 / fan_in) / 0.8796 (as Flax's)
    const double fan_in = static_cast<double>(n / w.size(0));
    const double lo = 0.022750131948179195, hi = 0.9772498680518208;  // Phi(-2), Phi(2)
    torch::Tensor u = torch::empty({n}, torch::kFloat64).uniform_(lo, hi, generator);
    const torch::Tensor draw = (std::sqrt(2.0) * torch::erfinv(2.0 * u - 1.0) *
                                (std::sqrt(1.0 / fan_in) / 0.87962566103423978))
                                   .to(w.device(), w.scalar_type());
    w.view(-1).copy_(torch::where(fresh, draw, w.view(-1)));
  } else {
    w.view(-1).masked_fill_(fresh, 0.0);  // already zero while masked; the function is unchanged
  }
  if (masks_.tied(i).defined()) masks_.tied(i).view(-1).masked_fill_(fresh, 0.0);
  const torch::Tensor changed = (fresh | (dropped & ~grown)).view_as(w);
  ZeroOptimizerState(optimizer, w, changed);
  if (masks_.tied(i).defined()) ZeroOptimizerState(optimizer, masks_.tied(i), changed);
  grown_ += fresh.sum().item<int64_t>();
  pruned_ += (dropped & ~grown).sum().item<int64_t>();
  masks_.set_mask(i, (kept | grown).view_as(w));
}

double NeuroplasticExpansion::review_probability() const {
  const double a = options_.review_fau;
  if (a <= 0.0 || fau_ < 0.0 || fau_ >= a) return 0.0;
  return 1.0 - 1.0 / (1.0 + options_.review_temperature * std::exp(a - fau_));
}

void NeuroplasticExpansion::Save(Archive& archive, const std::string& prefix) const {
  masks_.Save(archive, prefix);
  archive.Put(prefix + "fau", fau_);
  archive.Put(prefix + "grow_end", grow_end_);
  archive.Put(prefix + "grown", grown_);
  archive.Put(prefix + "pruned", pruned_);
}

void NeuroplasticExpansion::Load(const Archive& archive, const std::string& prefix) {
  masks_.Load(archive, prefix);
  fau_ = archive.Get<double>(prefix + "fau");
  grow_end_ = archive.Get<double>(prefix + "grow_end");
  grown_ = archive.Get<int64_t>(prefix + "grown");
  pruned_ = archive.Get<int64_t>(prefix + "pruned");
}

}  // namespace qlab
