#include "qlab/plasticity/plasticity.h"

#include <ATen/CPUGeneratorImpl.h>

#include "qlab/plasticity/interventions.h"

namespace qlab {

void PlasticityOptions::AddKeys(ConfigSchema& schema) {
  constexpr double kBig = 1e15;
  schema
      .Float("prune.sparsity", 0.0,
             "gradual magnitude pruning to this final sparsity (0: off; Obando-Ceron et al. 2024)",
             {0.0, 0.9999})
      .Float("prune.start", 0.2, "fraction of training where pruning starts", {0.0, 1.0})
      .Float("prune.end", 0.8, "fraction of training where the target sparsity is reached",
             {0.0, 1.0})
      .Int("prune.period", 1000, "updates between mask updates", {1, kBig})
      .String("prune.scope", "global", "global (one threshold) or per_layer",
              {"global", "per_layer"})
      .Float("grow.initial_sparsity", 0.0,
             "Neuroplastic Expansion: start at this sparsity (0: off; Liu et al. 2025 use 0.8)",
             {0.0, 0.9999})
      .Float("grow.final_sparsity", 0.25, "Neuroplastic Expansion: grow to this sparsity",
             {0.0, 0.9999})
      .Int("grow.period", 100, "Neuroplastic Expansion: updates between topology steps", {1, kBig})
      .String("grow.schedule", "cosine",
              "growth rate over training: cosine (rate (1 + cos(pi t)) / 2) or constant",
              {"cosine", "constant"})
      .Float("grow.rate", 0.5, "fraction of the growth space grown per topology step", {0.0, 1.0})
      .Float("grow.prune_ratio", 0.4,
             "connections pruned per grown one (dormant units' first, then smallest |w|)",
             {0.0, 1.0})
      .Float("grow.tau", 0.0, "units with score <= tau are dormant (pruned first)", {0.0, 1e3})
      .String("grow.init", "zero", "new connections: zero (function unchanged) or lecun",
              {"zero", "lecun"})
      .Float("grow.rewire", 0.2,
             "after growth: fraction of connections rewired per step, cosine-decayed (0: fixed)",
             {0.0, 1.0})
      .Float("grow.review_fau", 0.4,
             "experience review while the fraction of active units is below this (0: off)",
             {0.0, 1.0})
      .Float("grow.review_temperature", 0.9, "experience review: gate temperature", {0.0, 1e3})
      .Float("grow.review_oldest", 0.3, "experience review: oldest fraction of the replay",
             {1e-6, 1.0})
      .Int("redo.period", 0, "updates between ReDo recycling steps (0: off; Sokar et al. 2023)",
           {0, kBig})
      .Float("redo.tau", 0.1, "ReDo: units with score <= tau are dormant", {0.0, 1e3})
      .Int("reset.period", 0, "updates between resets (0: off; Nikishin et al. 2022)", {0, kBig})
      .Int("reset.layers", 1,
           "resets: how many of the last layers (the head is one; -1: all after the encoder)",
           {-1, 1000})
      .Float("reset.shrink", 1.0,
             "resets: other layers become shrink * theta + (1 - shrink) * fresh (1: untouched)",
             {0.0, 1.0})
      .Bool("reset.target", true, "resets: the target network takes the reset layers too")
      .Float("reset.until", 1.0, "resets: none from this fraction of training on", {0.0, 1.0})
      .Int("diagnostics.batch", 256,
           "replay samples for the per-iteration diagnostics (dormant units, srank, ...; 0: off)",
           {0, 1 << 20});
}

PlasticityOptions PlasticityOptions::FromConfig(const Config& c) {
  PlasticityOptions o;
  o.prune = {.sparsity = c.GetFloat("prune.sparsity"),
             .start = c.GetFloat("prune.start"),
             .end = c.GetFloat("prune.end"),
             .period = c.GetInt("prune.period"),
             .scope = c.GetString("prune.scope")};
  if (o.prune.end < o.prune.start)
    throw UserError(fmt::format("prune.end ({}) must not be before prune.start ({})", o.prune.end,
                                o.prune.start));
  o.grow = {.initial_sparsity = c.GetFloat("grow.initial_sparsity"),
            .final_sparsity = c.GetFloat("grow.final_sparsity"),
            .period = c.GetInt("grow.period"),
            .schedule = c.GetString("grow.schedule"),
            .rate = c.GetFloat("grow.rate"),
            .prune_ratio = c.GetFloat("grow.prune_ratio"),
            .tau = c.GetFloat("grow.tau"),
            .init = c.GetString("grow.init"),
            .rewire = c.GetFloat("grow.rewire"),
            .review_fau = c.GetFloat("grow.review_fau"),
            .review_temperature = c.GetFloat("grow.review_temperature"),
            .review_oldest = c.GetFloat("grow.review_oldest")};
  if (o.grow.enabled() && o.grow.final_sparsity >= o.grow.initial_sparsity)
    throw UserError(fmt::format(
        "grow.final_sparsity ({}) must be below grow.initial_sparsity ({}): the network grows",
        o.grow.final_sparsity, o.grow.initial_sparsity));
  if (o.grow.enabled() && o.prune.sparsity > 0.0)
    throw UserError(
        "grow.initial_sparsity and prune.sparsity cannot be combined: both own the weight masks");
  o.redo_period = c.GetInt("redo.period");
  o.redo_tau = c.GetFloat("redo.tau");
  o.reset_period = c.GetInt("reset.period");
  o.reset_layers = c.GetInt("reset.layers");
  o.reset_shrink = c.GetFloat("reset.shrink");
  o.reset_target = c.GetBool("reset.target");
  o.reset_until = c.GetFloat("reset.until");
  o.diagnostics_batch = c.GetInt("diagnostics.batch");
  return o;
}

namespace {

at::Generator GeneratorFrom(Rng& rng) { return at::detail::createCPUGenerator(rng.NextU64()); }

}  // namespace

Plasticity::Plasticity(const PlasticityOptions& options, QNetwork online, QNetwork target,
                       uint64_t seed, std::vector<AuxiliaryModule> auxiliary)
    : options_(options),
      online_(std::move(online)),
      target_(std::move(target)),
      auxiliary_(std::move(auxiliary)),
      rng_(DeriveSeed(seed, StreamId("plasticity"))) {
  pruner_ = std::make_unique<MagnitudePruner>(options.prune, WeightMasks::Of(*online_));
  if (options.grow.enabled())
    expansion_ = std::make_unique<NeuroplasticExpansion>(options.grow, online_, target_);
}

bool Plasticity::AfterStep(int64_t updates, double progress, torch::optim::Optimizer& optimizer,
                           const std::function<void()>& capture) {
  const bool reset = options_.reset_period > 0 && updates % options_.reset_period == 0 &&
                     progress < options_.reset_until;
  if (reset) {
    at::Generator generator = GeneratorFrom(rng_);
    ResetLayers(online_, options_.reset_target && !target_.is_empty() ? &target_ : nullptr,
                options_.reset_layers, options_.reset_shrink, optimizer, generator);
    // auxiliary modules: torch's default initialisers (they are plain Linear / Conv2d stacks)
    for (const auto& aux : auxiliary_) {
      torch::nn::Module* to = options_.reset_target ? aux.target.get() : nullptr;
      ShrinkPerturb(*aux.online, to, aux.with_encoder ? options_.reset_shrink : 0.0,
                    "torch_default", /*sigma0=*/0.5, optimizer, generator);
    }
    ++resets_;
  }
  if (options_.redo_period > 0 && updates % options_.redo_period == 0) {
    capture();
    at::Generator generator = GeneratorFrom(rng_);
    recycled_ += RecycleDormantUnits(online_, options_.redo_tau, optimizer, generator);
  }
  pruner_->AfterStep(updates, progress);
  if (expansion_) expansion_->AfterStep(updates, progress, optimizer, capture, rng_);
  return reset;
}

const WeightMasks& Plasticity::masks() const {
  return expansion_ ? expansion_->masks() : pruner_->masks();
}

int64_t Plasticity::nonzero_parameters() const {
  return online_->num_parameters() - masks().masked();
}

double Plasticity::review_probability() const {
  return expansion_ ? expansion_->review_probability() : 0.0;
}

NamedValues Plasticity::Diagnostics(const torch::Tensor& obs, const torch::Tensor& taus) {
  NamedValues values = Diagnose(online_, obs, taus);
  values.emplace_back("sparsity", masks().sparsity());
  values.emplace_back("parameters_nonzero", static_cast<double>(nonzero_parameters()));
  if (options_.redo_period > 0)
    values.emplace_back("recycled_units", static_cast<double>(recycled_));
  if (options_.reset_period > 0) values.emplace_back("resets", static_cast<double>(resets_));
  if (expansion_) {
    values.emplace_back("fau", expansion_->fau());
    values.emplace_back("grown_connections", static_cast<double>(expansion_->grown()));
    values.emplace_back("pruned_connections", static_cast<double>(expansion_->pruned()));
    values.emplace_back("review_probability", expansion_->review_probability());
  }
  return values;
}

void Plasticity::Save(Archive& archive, const std::string& prefix) const {
  archive.Put(prefix + "rng", rng_);
  archive.Put(prefix + "recycled", recycled_);
  archive.Put(prefix + "resets", resets_);
  pruner_->Save(archive, prefix + "prune/");
  if (expansion_) expansion_->Save(archive, prefix + "grow/");
}

void Plasticity::Load(const Archive& archive, const std::string& prefix) {
  rng_ = archive.Get<Rng>(prefix + "rng");
  recycled_ = archive.Get<int64_t>(prefix + "recycled");
  resets_ = archive.Get<int64_t>(prefix + "resets");
  pruner_->Load(archive, prefix + "prune/");
  if (expansion_) expansion_->Load(archive, prefix + "grow/");
}

}  // namespace qlab
