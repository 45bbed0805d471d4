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

// Prunable weights: dense and conv weights (noisy: mu, with sigma tied), experts included.
void CollectPrunable(torch::nn::Module& network, std::vector<torch::Tensor>& weights,
                     std::vector<torch::Tensor>& tied) {
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
}

at::Generator GeneratorFrom(Rng& rng) { return at::detail::createCPUGenerator(rng.NextU64()); }

}  // namespace

Plasticity::Plasticity(const PlasticityOptions& options, QNetwork online, QNetwork target,
                       uint64_t seed, std::vector<AuxiliaryModule> auxiliary)
    : options_(options),
      online_(std::move(online)),
      target_(std::move(target)),
      auxiliary_(std::move(auxiliary)),
      rng_(DeriveSeed(seed, StreamId("plasticity"))) {
  std::vector<torch::Tensor> weights, tied;
  CollectPrunable(*online_, weights, tied);
  pruner_ = std::make_unique<MagnitudePruner>(options.prune, weights, tied);
}

bool Plasticity::AfterStep(int64_t updates, double progress, torch::optim::Optimizer& optimizer,
                           const std::function<void()>& capture) {
  const bool reset = options_.reset_period > 0 && updates % options_.reset_period == 0 &&
                     progress < options_.reset_until;
  if (reset) {
    at::Generator generator = GeneratorFrom(rng_);
    ResetLayers(online_, options_.reset_target ? &target_ : nullptr, options_.reset_layers,
                options_.reset_shrink, optimizer, generator);
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
  return reset;
}

int64_t Plasticity::nonzero_parameters() const {
  return online_->num_parameters() - pruner_->pruned();
}

NamedValues Plasticity::Diagnostics(const torch::Tensor& obs, const torch::Tensor& taus) {
  NamedValues values = Diagnose(online_, obs, taus);
  values.emplace_back("sparsity", pruner_->sparsity());
  values.emplace_back("parameters_nonzero", static_cast<double>(nonzero_parameters()));
  if (options_.redo_period > 0)
    values.emplace_back("recycled_units", static_cast<double>(recycled_));
  if (options_.reset_period > 0) values.emplace_back("resets", static_cast<double>(resets_));
  return values;
}

void Plasticity::Save(Archive& archive) const {
  archive.Put("plasticity/rng", rng_);
  archive.Put("plasticity/recycled", recycled_);
  archive.Put("plasticity/resets", resets_);
  pruner_->Save(archive, "plasticity/prune/");
}

void Plasticity::Load(const Archive& archive) {
  rng_ = archive.Get<Rng>("plasticity/rng");
  recycled_ = archive.Get<int64_t>("plasticity/recycled");
  resets_ = archive.Get<int64_t>("plasticity/resets");
  pruner_->Load(archive, "plasticity/prune/");
}

}  // namespace qlab
