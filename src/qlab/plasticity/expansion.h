// Neuroplastic Expansion (Liu, Obando-Ceron, Courville & Pan, ICLR 2025, "Neuroplastic Expansion
// in Deep Reinforcement Learning"; behaviour of the authors' STL_Scheduler where the paper is
// silent). The network starts as a sparse subnetwork of its full architecture and grows its
// connections during training:
//
//   start          every prunable weight matrix (weight_masks.h) keeps its largest-magnitude
//                  initial weights at an Erdos-Renyi-kernel allocation of `initial_sparsity`
//                  (Evci et al. 2020: density of a layer proportional to sum(shape) / numel).
//   elastic growth every `period` updates each layer grows the inactive connections with the
//                  largest |dL/dw| of the last update ("potential gradient": pruned weights are
//                  zero but still get a gradient), k = space * rate(t) of them, space = the
//                  connections between its initial and final (`final_sparsity`) allocations,
//                  rate(t) = rate * (1 + cos(pi t)) / 2 (`cosine`, t the fraction of training done)
//                  or `rate` (`constant`; the authors' --uni is 0.008). New connections start at
//                  zero (`init = zero`: the network's function is unchanged at the moment of
//                  growth) or LeCun-normal (`lecun`), with zeroed optimiser moments.
//   dormant pruning in the same step, prune_ratio * k active connections are removed: first those
//                  into tau-dormant units (diagnostics.h scores on the update's batch), then the
//                  smallest |w|. Growth ends when every layer reaches its final density; from
//                  then on the topology keeps rewiring (RigL-style: drop a fraction
//                  rewire * (1 + cos(pi s)) / 2 of the active connections by the same score and
//                  grow as many by gradient, s the fraction of the remaining training), or stays
//                  fixed with `rewire = 0`.
//   experience review (neuron consolidation): the fraction of active units (FAU, units with score
//                  > 0) is measured at every topology step; while it is below `review_fau`, a
//                  batch is drawn from the oldest `review_oldest` of the replay with probability
//                  1 - 1 / (1 + review_temperature * exp(review_fau - FAU)).
//
// Differences from the authors' TD3 code, kept small on purpose: the FAU is measured every
// `period` updates instead of every update (it moves slowly; one extra forward per topology step
// instead of per update), and the TD3-specific batch halving and policy-distance buffer shrinking
// are not ported. Everything random (LeCun draws) comes from the plasticity stream.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "qlab/core/archive.h"
#include "qlab/core/rng.h"
#include "qlab/nets/network.h"
#include "qlab/plasticity/weight_masks.h"

namespace qlab {

struct ExpansionOptions {
  double initial_sparsity = 0.0;  // 0: off (the authors use 0.8)
  double final_sparsity = 0.25;
  int64_t period = 100;  // updates between topology steps (the authors' delta)
  std::string schedule = "cosine";
  double rate = 0.5;  // zeta
  double prune_ratio = 0.4;
  double tau = 0.0;  // dormant threshold of the pruning order
  std::string init = "zero";
  double rewire = 0.2;      // after growth; 0: fixed topology
  double review_fau = 0.4;  // 0: no experience review (the authors' awaken)
  double review_temperature = 0.9;
  double review_oldest = 0.3;

  bool enabled() const { return initial_sparsity > 0.0; }
};

// Per-layer sparsities of the Erdos-Renyi-kernel allocation with overall `sparsity`: density
// eps * sum(shape) / numel, layers that would exceed density 1 kept dense and eps solved again.
std::vector<double> ErdosRenyiSparsities(const std::vector<std::vector<int64_t>>& shapes,
                                         double sparsity);

class NeuroplasticExpansion {
 public:
  // Masks `online`'s prunable weights to the initial allocation (and `target`'s alike, so both
  // start as the same subnetwork; target may be null).
  NeuroplasticExpansion(const ExpansionOptions& options, QNetwork online, QNetwork target);

  // After optimiser step `updates` (the weights' gradients are the step's): a topology step when
  // due (`capture` runs the online network with capture on over the update's batch), then masks
  // re-applied.
  void AfterStep(int64_t updates, double progress, torch::optim::Optimizer& optimizer,
                 const std::function<void()>& capture, Rng& rng);
  // One topology step now (AfterStep calls it; tests too), on the network's captured activations.
  void TopologyStep(double progress, torch::optim::Optimizer& optimizer, at::Generator& generator);

  void ApplyMasks() { masks_.Apply(); }  // masked weights back to zero (after a step)

  // Chance that the next batch reviews the oldest experience.
  double review_probability() const;
  bool growing() const { return grow_end_ < 0.0; }
  double fau() const { return fau_; }  // -1 before the first topology step
  int64_t grown() const { return grown_; }
  int64_t pruned() const { return pruned_; }
  const WeightMasks& masks() const { return masks_; }
  const std::vector<double>& final_sparsities() const { return final_; }

  void Save(Archive& archive, const std::string& prefix) const;
  void Load(const Archive& archive, const std::string& prefix);

 private:
  // Drops `drop` active connections of weight i (dormant units first, then smallest |w|) and grows
  // `grow` inactive ones by |gradient|.
  void Rewire(size_t i, int64_t drop, int64_t grow, const torch::Tensor& dormant,
              torch::optim::Optimizer& optimizer, at::Generator& generator);

  ExpansionOptions options_;
  QNetwork online_;
  WeightMasks masks_;
  std::vector<double> initial_, final_;  // per-weight sparsities of the allocations
  std::vector<int> unit_layer_;  // per weight: the unit layer whose incoming weight it is, or -1
  double fau_ = -1.0;
  double grow_end_ = -1.0;          // progress where growth ended; -1 while growing
  int64_t grown_ = 0, pruned_ = 0;  // totals over training
};

}  // namespace qlab
