// The plasticity toolkit of a value-based agent, configured by [prune], [grow], [redo], [reset]
// and [diagnostics] keys: gradual magnitude pruning (pruning.h), Neuroplastic Expansion
// (expansion.h), ReDo and resets (interventions.h) scheduled by update count, and the per-iteration
// diagnostics (diagnostics.h). The agent calls AfterStep() after every optimiser step and
// Diagnostics() once per iteration; everything random comes from the run seed's "plasticity" stream
// and is checkpointed.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

#include "qlab/core/archive.h"
#include "qlab/core/config.h"
#include "qlab/core/rng.h"
#include "qlab/nets/network.h"
#include "qlab/plasticity/diagnostics.h"
#include "qlab/plasticity/expansion.h"
#include "qlab/plasticity/pruning.h"

namespace qlab {

struct PlasticityOptions {
  PruneOptions prune;
  ExpansionOptions grow;
  int64_t redo_period = 0;  // updates between ReDo steps; 0: off
  double redo_tau = 0.1;
  int64_t reset_period = 0;  // updates between resets; 0: off
  int64_t reset_layers = 1;  // -1: every layer after the encoder
  double reset_shrink = 1.0;
  bool reset_target = true;
  double reset_until = 1.0;         // no resets from this fraction of training on
  int64_t diagnostics_batch = 256;  // 0: no diagnostics

  static void AddKeys(ConfigSchema& schema);
  static PlasticityOptions FromConfig(const Config& config);
};

// A module outside the Q-network that resets treat as part of it (SPR's transition model and
// heads): `with_encoder` ones are shrunk-and-perturbed like the encoder, the others drawn afresh.
struct AuxiliaryModule {
  std::shared_ptr<torch::nn::Module> online, target;  // target may be null
  bool with_encoder = false;
};

class Plasticity {
 public:
  // `target` may be empty (a network without a target, e.g. SAC's actor).
  Plasticity(const PlasticityOptions& options, QNetwork online, QNetwork target, uint64_t seed,
             std::vector<AuxiliaryModule> auxiliary = {});

  // After optimiser step number `updates` (1-based) at training progress in [0, 1]; true when
  // this step reset the networks. `capture` runs the online network with capture on over the
  // update's batch (ReDo's scores).
  bool AfterStep(int64_t updates, double progress, torch::optim::Optimizer& optimizer,
                 const std::function<void()>& capture);
  // Diagnostics of the online network on `obs` (+ IQN `taus`) and the interventions' counters.
  NamedValues Diagnostics(const torch::Tensor& obs, const torch::Tensor& taus = {});
  const PlasticityOptions& options() const { return options_; }
  int64_t nonzero_parameters() const;
  // Neuroplastic Expansion's experience review: chance that the next batch comes from the oldest
  // part of the replay (0 without it).
  double review_probability() const;
  const WeightMasks& masks() const;  // of whichever method owns them

  // `prefix` keeps the state of several networks' toolkits apart (SAC: actor and critics).
  void Save(Archive& archive, const std::string& prefix = "plasticity/") const;
  void Load(const Archive& archive, const std::string& prefix = "plasticity/");

 private:
  PlasticityOptions options_;
  QNetwork online_, target_;
  std::vector<AuxiliaryModule> auxiliary_;
  Rng rng_;
  std::unique_ptr<MagnitudePruner> pruner_;
  std::unique_ptr<NeuroplasticExpansion> expansion_;  // null when off
  int64_t recycled_ = 0, resets_ = 0;                 // totals
};

}  // namespace qlab
