// Gradual magnitude pruning (Zhu & Gupta 2017, "To prune, or not to prune"), as used for value
// networks by Obando-Ceron et al. 2024 ("In deep RL, a pruned network is a good network").
//
// Sparsity follows s(t) = s_f (1 - (1 - p)^3), p = clip((t - start) / (end - start), 0, 1), t the
// fraction of training done; every `period` updates inside [start, end] (and once at the end) the
// masks are recomputed to keep the largest-magnitude weights: globally over all prunable weights
// (`scope = global`) or layer by layer (`per_layer`). The masks (weight_masks.h) are reapplied
// after every optimiser step (pruned weights stay exactly zero) and saved in checkpoints.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "qlab/core/archive.h"
#include "qlab/plasticity/weight_masks.h"

namespace qlab {

struct PruneOptions {
  double sparsity = 0.0;  // target s_f; 0: off
  double start = 0.2, end = 0.8;
  int64_t period = 1000;
  std::string scope = "global";
};

// s(t) of the schedule above.
double PruneSchedule(const PruneOptions& options, double progress);

class MagnitudePruner {
 public:
  // `weights`: the prunable tensors; `tied[i]` (may be undefined) gets weights[i]'s mask too.
  MagnitudePruner(const PruneOptions& options, std::vector<torch::Tensor> weights,
                  std::vector<torch::Tensor> tied);
  MagnitudePruner(const PruneOptions& options, WeightMasks masks);

  bool enabled() const { return options_.sparsity > 0.0; }
  // After an optimiser step: recompute masks when due (updates % period == 0 or the end
  // reached), then zero the pruned weights.
  void AfterStep(int64_t updates, double progress);
  // Sets masks for sparsity `s` now (the schedule calls this; tests too).
  void Prune(double sparsity);
  void Apply();  // weights *= mask

  double sparsity() const { return masks_.sparsity(); }  // pruned fraction
  int64_t pruned() const { return masks_.masked(); }     // number of pruned weights
  const WeightMasks& masks() const { return masks_; }
  void Save(Archive& archive, const std::string& prefix) const;
  void Load(const Archive& archive, const std::string& prefix);

 private:
  PruneOptions options_;
  WeightMasks masks_;
  double current_ = 0.0;  // sparsity of the current masks
};

}  // namespace qlab
