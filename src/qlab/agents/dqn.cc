#include "qlab/agents/dqn.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <optional>
#include <sstream>

#include "qlab/agents/losses.h"
#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/nets/device.h"

namespace qlab {

namespace {

// What each variant of the family predicts; nullopt for names outside the family.
std::optional<ValueKind> VariantKind(const std::string& variant) {
  if (variant == "c51" || variant == "rainbow" || variant == "der" || variant == "spr" ||
      variant == "bbf")
    return ValueKind::kCategorical;
  if (variant == "qrdqn") return ValueKind::kQuantile;
  if (variant == "iqn") return ValueKind::kImplicitQuantile;
  if (variant == "dqn" || variant == "mdqn" || variant == "drq_eps" || variant == "qdagger")
    return ValueKind::kScalar;
  return std::nullopt;
}

ValueKind KindOf(const std::string& variant) {
  const std::optional<ValueKind> kind = VariantKind(variant);
  QLAB_CHECK(kind.has_value());
  return *kind;
}

int64_t NumLatent(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace

void DqnOptions::AddKeys(ConfigSchema& schema, const std::string& variant) {
  constexpr double kBig = 1e15;
  const ValueKind kind = KindOf(variant);
  schema.Float("agent.gamma", 0.99, "discount factor", {0.0, 1.0})
      .Int("agent.n_step", 1, "n-step return horizon (annealed: the final one)", {1, 100})
      .Int("agent.anneal_steps", 0,
           "updates over which n_step and gamma anneal from their _start values, restarting at "
           "every reset (0: fixed; BBF 10000)",
           {0, kBig})
      .Int("agent.n_step_start", 0, "annealing: first n-step horizon (0: agent.n_step)", {0, 100})
      .Float("agent.gamma_start", -1.0, "annealing: first discount (-1: agent.gamma)", {-1.0, 1.0})
      .Bool("agent.act_with_target", false,
            "act greedily with the target network (BBF's EMA policy) instead of the online one")
      .Int("agent.batch_size", 32, "transitions per update", {1, 1 << 20})
      .Bool("agent.double_q", false, "double Q-learning (van Hasselt et al. 2016)")
      .String("agent.loss", "mse", "TD regression loss: mse or huber", {"mse", "huber"})
      .String("agent.optimizer", "adam", "adam, rmsprop, adamw or sgd",
              {"adam", "rmsprop", "adamw", "sgd"})
      .Float("agent.lr", 2.5e-4, "learning rate", {0.0, 10.0})
      .Float("agent.optimizer_eps", 3.125e-4, "epsilon of adam/adamw/rmsprop", {0.0, 10.0})
      .Float("agent.rmsprop_alpha", 0.95, "rmsprop: squared-gradient decay", {0.0, 1.0})
      .Bool("agent.rmsprop_centered", true, "rmsprop: centered (Graves 2013)")
      .Float("agent.momentum", 0.0, "rmsprop/sgd momentum", {0.0, 1.0})
      .Float("agent.weight_decay", 0.0, "adamw/sgd weight decay", {0.0, 10.0})
      .Float("agent.max_grad_norm", 0.0, "clip the global gradient norm (0: off)", {0.0, kBig})
      .Int("agent.target_update_period", 1000,
           "env steps between target updates (0: after every update)", {0, kBig})
      .Float("agent.tau", 1.0, "target update: 1 = hard copy, < 1 = Polyak averaging", {0.0, 1.0})
      .Int("agent.update_period", 4, "env steps per update round", {1, kBig})
      .Float("agent.updates_per_step", 1.0,
             "updates per round (replay ratio = updates_per_step / update_period; fractional ok)",
             {0.0, 1e4})
      .Int("agent.min_replay_history", 1000, "env steps before the first update", {0, kBig})
      .Float("agent.epsilon_start", 1.0, "exploration epsilon at the start", {0.0, 1.0})
      .Float("agent.epsilon_end", 0.01, "exploration epsilon after the decay", {0.0, 1.0})
      .Int("agent.epsilon_decay_steps", 250000, "env steps of the linear epsilon decay", {1, kBig})
      .Int("agent.epsilon_decay_start", -1,
           "env step where the decay starts (-1: min_replay_history)", {-1, kBig})
      .Float("agent.epsilon_eval", 0.001, "epsilon in evaluation", {0.0, 1.0})
      .Int("agent.frame_stack", 1, "observations stacked as channels", {1, 64});
  schema.Int("replay.capacity", 100000, "transitions kept (all envs)", {1, 2e9})
      .Bool("replay.prioritized", false, "proportional prioritized replay (Schaul et al. 2016)")
      .Float("replay.alpha", 0.5, "priority exponent", {0.0, 10.0})
      .Float("replay.beta_start", 0.4, "importance-sampling exponent at the start", {0.0, 1.0})
      .Float("replay.beta_end", 1.0, "importance-sampling exponent after beta_steps", {0.0, 1.0})
      .Int("replay.beta_steps", 0, "env steps of the linear beta anneal (0: constant)", {0, kBig})
      .Float("replay.priority_eps", 1e-6, "added to |TD error| before the exponent", {0.0, 1.0});
  NetworkOptions::AddKeys(schema);
  PlasticityOptions::AddKeys(schema);
  AugmentOptions::AddKeys(schema);
  SprOptions::AddKeys(schema);
  TeacherOptions::AddKeys(schema);
  if (variant == "qdagger")
    // Agarwal et al. 2022 (and CleanRL's qdagger_dqn): temperature 1, lambda_0 = 1 decayed with
    // the student's return; pretraining length scaled to MinAtar / classic runs
    schema.SetDefault("teacher.pretrain_updates", int64_t{10000});

  if (variant == "mdqn")
    schema
        .Float("agent.munchausen_alpha", 0.9, "Munchausen: scale of the log-policy bonus",
               {0.0, 1.0})
        .Float("agent.munchausen_tau", 0.03, "Munchausen: softmax temperature", {1e-6, 1e3})
        .Float("agent.munchausen_clip", -1.0, "Munchausen: lower clip of tau * log pi",
               {-1e3, 0.0});
  if (kind == ValueKind::kCategorical)
    schema.Int("agent.num_atoms", 51, "atoms of the return distribution", {2, 10000})
        .Float("agent.v_min", -10.0, "smallest atom", {-1e9, 1e9})
        .Float("agent.v_max", 10.0, "largest atom", {-1e9, 1e9});
  if (kind == ValueKind::kQuantile)
    schema.Int("agent.num_quantiles", 200, "quantiles at the midpoints (2i+1)/2N", {1, 10000});
  if (kind == ValueKind::kQuantile || kind == ValueKind::kImplicitQuantile)
    schema.Float("agent.kappa", 1.0, "quantile Huber threshold (0: plain quantile loss)",
                 {0.0, 1e6});
  if (kind == ValueKind::kImplicitQuantile)
    schema.Int("agent.num_tau_samples", 64, "IQN: fractions N for the online quantiles", {1, 4096})
        .Int("agent.num_tau_prime_samples", 64, "IQN: fractions N' for the target quantiles",
             {1, 4096})
        .Int("agent.num_quantile_samples", 32, "IQN: fractions K to pick actions", {1, 4096})
        .Int("network.quantile_embedding_dim", 64, "IQN: size of the cosine embedding", {1, 4096});
  if (variant == "rainbow")
    // Hessel et al. 2018 with Dopamine's replay choices (alpha 0.5, beta fixed at 0.5)
    schema.SetDefault("agent.n_step", int64_t{3})
        .SetDefault("agent.double_q", true)
        .SetDefault("replay.prioritized", true)
        .SetDefault("replay.beta_start", 0.5)
        .SetDefault("replay.beta_end", 0.5)
        .SetDefault("network.head", std::string("dueling"))
        .SetDefault("network.noisy", true);
  if (variant == "der" || variant == "spr" || variant == "drq_eps" || variant == "bbf")
    // the Atari-100k settings shared by Dopamine's DER.gin and DrQ_eps.gin: an update every env
    // step from 1600 steps on, 10-step returns, Adam 1e-4 (eps 1.5e-4), epsilon 0.01 after a
    // short decay, double Q and dueling heads
    schema.SetDefault("agent.n_step", int64_t{10})
        .SetDefault("agent.double_q", true)
        .SetDefault("network.head", std::string("dueling"))
        .SetDefault("agent.update_period", int64_t{1})
        .SetDefault("agent.min_replay_history", int64_t{1600})
        .SetDefault("agent.lr", 1e-4)
        .SetDefault("agent.optimizer_eps", 1.5e-4)
        .SetDefault("agent.epsilon_end", 0.01)
        .SetDefault("agent.epsilon_decay_steps", int64_t{2000})
        .SetDefault("agent.epsilon_eval", 0.001)
        .SetDefault("replay.capacity", int64_t{100000});
  if (variant == "der" || variant == "spr" || variant == "bbf")
    // DER: Rainbow's components (noisy nets, prioritized replay with Dopamine's fixed beta 0.5)
    schema.SetDefault("agent.target_update_period", int64_t{2000})
        .SetDefault("replay.prioritized", true)
        .SetDefault("replay.beta_start", 0.5)
        .SetDefault("replay.beta_end", 0.5)
        .SetDefault("network.noisy", true);
  if (variant == "drq_eps")
    // DrQ(eps): no target lag, Huber loss, epsilon 0.01 after 5000 steps, shift augmentation
    schema.SetDefault("agent.target_update_period", int64_t{1})
        .SetDefault("agent.loss", std::string("huber"))
        .SetDefault("agent.epsilon_decay_steps", int64_t{5000})
        .SetDefault("augment.kind", std::string("shift"));
  if (variant == "spr" || variant == "bbf")
    // SPR (Schwarzer et al. 2021, table 3): K = 5, lambda = 2, target encoder = online (tau 0,
    // i.e. target period 1 here), shift + intensity augmentation, min replay 2000, grad clip 10,
    // noisy nets without epsilon-greedy after the warm-up
    schema.SetDefault("spr.steps", int64_t{5})
        .SetDefault("spr.weight", 2.0)
        .SetDefault("augment.kind", std::string("shift_intensity"))
        .SetDefault("agent.target_update_period", int64_t{1})
        .SetDefault("agent.min_replay_history", int64_t{2000})
        .SetDefault("agent.max_grad_norm", 10.0)
        .SetDefault("agent.epsilon_end", 0.0)
        .SetDefault("agent.epsilon_decay_steps", int64_t{2001});
  if (variant == "bbf")
    // BBF (Schwarzer et al. 2023, table A.1 and the authors' BBF.gin): no noisy nets, 4x IMPALA
    // with a 2048-unit layer (512 x 4), replay ratio 8, AdamW weight decay 0.1, EMA target with
    // tau 0.005 after every update that also acts, SPR weight 5 (the code's scale), resets every
    // 40k updates (shrink-and-perturb 0.5 of the encoder and transition model), n 10 -> 3 and
    // gamma 0.97 -> 0.997 over 10k updates after each reset, replay of 200k transitions
    schema.SetDefault("network.noisy", false)
        .SetDefault("network.torso", std::string("impala"))
        .SetDefault("network.width_scale", 4.0)
        .SetDefault("network.widths", std::vector<int64_t>{512})
        .SetDefault("agent.updates_per_step", 8.0)
        .SetDefault("agent.optimizer", std::string("adamw"))
        .SetDefault("agent.weight_decay", 0.1)
        .SetDefault("agent.target_update_period", int64_t{0})
        .SetDefault("agent.tau", 0.005)
        .SetDefault("agent.act_with_target", true)
        .SetDefault("agent.n_step", int64_t{3})
        .SetDefault("agent.n_step_start", int64_t{10})
        .SetDefault("agent.gamma", 0.997)
        .SetDefault("agent.gamma_start", 0.97)
        .SetDefault("agent.anneal_steps", int64_t{10000})
        .SetDefault("spr.weight", 5.0)
        .SetDefault("spr.projection_dim", int64_t{2048})
        .SetDefault("spr.transition_width", int64_t{128})
        .SetDefault("reset.period", int64_t{40000})
        .SetDefault("reset.layers", int64_t{-1})
        .SetDefault("reset.shrink", 0.5)
        .SetDefault("replay.capacity", int64_t{200000});
}

DqnOptions DqnOptions::FromConfig(const Config& c, const std::string& variant) {
  DqnOptions o;
  o.variant = variant;
  o.kind = KindOf(variant);
  o.gamma = c.GetFloat("agent.gamma");
  o.n_step = static_cast<int>(c.GetInt("agent.n_step"));
  o.anneal_steps = c.GetInt("agent.anneal_steps");
  o.n_step_start = static_cast<int>(c.GetInt("agent.n_step_start"));
  if (o.n_step_start == 0) o.n_step_start = o.n_step;
  o.gamma_start = c.GetFloat("agent.gamma_start");
  if (o.gamma_start < 0.0) o.gamma_start = o.gamma;
  o.act_with_target = c.GetBool("agent.act_with_target");
  if (o.anneal_steps > 0 && o.gamma_start != o.gamma && std::max(o.gamma, o.gamma_start) >= 1.0)
    throw UserError(fmt::format(
        "agent.gamma_start ({}) and agent.gamma ({}) must be below 1 to anneal between them",
        o.gamma_start, o.gamma));
  o.batch_size = static_cast<int>(c.GetInt("agent.batch_size"));
  o.double_q = c.GetBool("agent.double_q");
  o.loss = c.GetString("agent.loss");
  o.optimizer = c.GetString("agent.optimizer");
  o.lr = c.GetFloat("agent.lr");
  o.optimizer_eps = c.GetFloat("agent.optimizer_eps");
  o.rmsprop_alpha = c.GetFloat("agent.rmsprop_alpha");
  o.rmsprop_centered = c.GetBool("agent.rmsprop_centered");
  o.momentum = c.GetFloat("agent.momentum");
  o.weight_decay = c.GetFloat("agent.weight_decay");
  o.max_grad_norm = c.GetFloat("agent.max_grad_norm");
  o.target_update_period = c.GetInt("agent.target_update_period");
  o.tau = c.GetFloat("agent.tau");
  o.update_period = c.GetInt("agent.update_period");
  o.updates_per_step = c.GetFloat("agent.updates_per_step");
  o.min_replay_history = c.GetInt("agent.min_replay_history");
  o.epsilon_start = c.GetFloat("agent.epsilon_start");
  o.epsilon_end = c.GetFloat("agent.epsilon_end");
  o.epsilon_decay_steps = c.GetInt("agent.epsilon_decay_steps");
  o.epsilon_decay_start = c.GetInt("agent.epsilon_decay_start");
  o.epsilon_eval = c.GetFloat("agent.epsilon_eval");
  o.frame_stack = static_cast<int>(c.GetInt("agent.frame_stack"));
  o.replay = {.capacity = c.GetInt("replay.capacity"),
              .n_step = o.anneal_steps > 0 ? std::max(o.n_step, o.n_step_start) : o.n_step,
              .gamma = o.gamma,
              .stack = o.frame_stack,
              .prioritized = c.GetBool("replay.prioritized"),
              .alpha = c.GetFloat("replay.alpha"),
              .priority_eps = c.GetFloat("replay.priority_eps")};
  o.beta_start = c.GetFloat("replay.beta_start");
  o.beta_end = c.GetFloat("replay.beta_end");
  o.beta_steps = c.GetInt("replay.beta_steps");
  o.network = NetworkOptions::FromConfig(c);
  o.plasticity = PlasticityOptions::FromConfig(c);
  o.augment = AugmentOptions::FromConfig(c);
  o.spr = SprOptions::FromConfig(c);
  o.teacher = TeacherOptions::FromConfig(c);
  if (variant == "qdagger" && !o.teacher.enabled())
    throw UserError(
        "agent qdagger needs a teacher: --set teacher.run=<run dir of a trained DQN-family agent>");
  if (variant == "mdqn") {
    o.munchausen = true;
    o.munchausen_alpha = c.GetFloat("agent.munchausen_alpha");
    o.munchausen_tau = c.GetFloat("agent.munchausen_tau");
    o.munchausen_clip = c.GetFloat("agent.munchausen_clip");
  }
  if (o.kind == ValueKind::kCategorical) {
    const CategoricalSupport support = CategoricalSupport::FromConfig(c);
    o.num_atoms = support.num_atoms;
    o.v_min = support.v_min;
    o.v_max = support.v_max;
  }
  if (o.kind == ValueKind::kQuantile)
    o.num_quantiles = static_cast<int>(c.GetInt("agent.num_quantiles"));
  if (o.kind == ValueKind::kQuantile || o.kind == ValueKind::kImplicitQuantile)
    o.kappa = c.GetFloat("agent.kappa");
  if (o.kind == ValueKind::kImplicitQuantile) {
    o.num_tau_samples = static_cast<int>(c.GetInt("agent.num_tau_samples"));
    o.num_tau_prime_samples = static_cast<int>(c.GetInt("agent.num_tau_prime_samples"));
    o.num_quantile_samples = static_cast<int>(c.GetInt("agent.num_quantile_samples"));
    o.quantile_embedding_dim = static_cast<int>(c.GetInt("network.quantile_embedding_dim"));
  }
  return o;
}

namespace {

std::unique_ptr<torch::optim::Optimizer> MakeOptimizer(const DqnOptions& o,
                                                       std::vector<torch::Tensor> params) {
  using namespace torch::optim;
  if (o.optimizer == "adam")
    return std::make_unique<Adam>(params, AdamOptions(o.lr).eps(o.optimizer_eps));
  if (o.optimizer == "adamw")
    return std::make_unique<AdamW>(
        params, AdamWOptions(o.lr).eps(o.optimizer_eps).weight_decay(o.weight_decay));
  if (o.optimizer == "rmsprop")
    return std::make_unique<RMSprop>(params, RMSpropOptions(o.lr)
                                                 .alpha(o.rmsprop_alpha)
                                                 .eps(o.optimizer_eps)
                                                 .centered(o.rmsprop_centered)
                                                 .momentum(o.momentum));
  QLAB_CHECK(o.optimizer == "sgd");
  return std::make_unique<SGD>(params,
                               SGDOptions(o.lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

// Why the hand-written kernel cannot run this agent ("" when it can): it computes DQN's and
// double DQN's scalar loss on a minatar_cnn network, with the interventions that edit weights in
// place off (pruning masks and growth change the tensors it reads).
std::string KernelUnsupported(const DqnOptions& o, const HeadShape& head, torch::Device device) {
  std::string why = MinatarCnnKernel::Unsupported(o.network, head, device);
  if (!why.empty()) return why;
  if (o.kind != ValueKind::kScalar || o.munchausen) return "the loss is not DQN's";
  if (o.spr.enabled() || o.augment.enabled() || o.teacher.enabled())
    return "SPR, augmentation or a teacher is on";
  if (o.loss != "mse" && o.loss != "huber") return "the loss is neither mse nor huber";
  const PlasticityOptions& p = o.plasticity;
  if (p.prune.sparsity > 0.0 || p.grow.initial_sparsity > 0.0 || p.redo_period > 0 ||
      p.reset_period > 0)
    return "a plasticity intervention is on";
  return "";
}

}  // namespace

Dqn::Dqn(const AgentContext& context, const DqnOptions& options)
    : options_(options),
      device_(ParseDevice(context.device)),
      spec_(context.spec),
      num_actions_(context.spec.action_space.n),
      replay_(context.spec, context.num_envs, options.replay),
      replay_rng_(DeriveSeed(context.seed, StreamId("replay"))),
      update_rng_(DeriveSeed(context.seed, StreamId("update"))),
      train_stacker_(context.spec, context.num_envs, options.frame_stack),
      eval_stacker_(context.spec, context.num_eval_envs, options.frame_stack),
      teacher_rng_(DeriveSeed(context.seed, StreamId("teacher"))),
      diagnostics_rng_(DeriveSeed(context.seed, StreamId("diagnostics"))),
      total_env_steps_(context.total_env_steps) {
  if (!spec_.action_space.discrete())
    throw UserError(fmt::format("agent {} needs discrete actions; {} has a continuous box",
                                options.variant, spec_.id));
  if (options.augment.enabled() && !spec_.image())
    throw UserError(fmt::format(
        "augment.kind = {} needs image observations; {} has vectors (set augment.kind = none)",
        options.augment.kind, spec_.id));
  if (options.spr.enabled() && options.kind == ValueKind::kImplicitQuantile)
    throw UserError("spr.steps > 0 does not combine with IQN (its latent needs sampled fractions)");
  input_shape_.assign(spec_.obs_shape.begin(), spec_.obs_shape.end());
  input_shape_[0] *= options.frame_stack;
  // initial weights come from the run seed through torch's generator
  torch::manual_seed(DeriveSeed(context.seed, StreamId("network")));
  HeadShape head;
  if (options.kind == ValueKind::kCategorical) {
    head.atoms = options.num_atoms;
    support_ = torch::linspace(options.v_min, options.v_max, options.num_atoms);
  } else if (options.kind == ValueKind::kQuantile) {
    head.atoms = options.num_quantiles;
    midpoints_ = QuantileMidpoints(options.num_quantiles);
  } else if (options.kind == ValueKind::kImplicitQuantile) {
    head.tau_embedding = options.quantile_embedding_dim;
  }
  online_ = QNetwork(input_shape_, num_actions_, options.network, head);
  target_ = QNetwork(input_shape_, num_actions_, options.network, head);
  // built on the CPU from the seeded generator, then moved: the same weights on every device
  online_->to(device_);
  target_->to(device_);
  if (support_.defined()) support_ = support_.to(device_);
  if (midpoints_.defined()) midpoints_ = midpoints_.to(device_);
  UpdateTarget(*target_, *online_, 1.0);
  target_->eval();
  for (auto& p : target_->parameters()) p.set_requires_grad(false);
  trainable_ = online_->parameters();
  if (options.spr.enabled()) {
    spr_ = SprModel(online_->latent_shape(), num_actions_, options.spr);
    spr_target_ = SprModel(online_->latent_shape(), num_actions_, options.spr);
    spr_->to(device_);
    spr_target_->to(device_);
    UpdateTarget(*spr_target_, *spr_, 1.0);
    for (auto& p : spr_target_->parameters()) p.set_requires_grad(false);
    for (auto& p : spr_->parameters()) trainable_.push_back(p);
  }
  optimizer_ = MakeOptimizer(options, trainable_);
  batch_ = replay_.MakeBatch(options.batch_size, static_cast<int>(options.spr.steps));
  std::vector<AuxiliaryModule> auxiliary;
  if (spr_)
    // resets treat the transition model as encoder, the projection and prediction as head (BBF)
    auxiliary = {{spr_->transition(), spr_target_->transition(), /*with_encoder=*/true},
                 {spr_->projection(), spr_target_->projection(), false},
                 {spr_->prediction(), spr_target_->prediction(), false}};
  plasticity_ = std::make_unique<Plasticity>(options.plasticity, online_, target_, context.seed,
                                             std::move(auxiliary));
  if (options.plasticity.diagnostics_batch > 0)
    diagnostics_batch_ = replay_.MakeBatch(static_cast<int>(options.plasticity.diagnostics_batch));
  if (options.teacher.enabled()) LoadTeacher(context);
  if (options.network.kernel == "auto" && KernelUnsupported(options, head, device_).empty()) {
    online_kernel_ = std::make_unique<MinatarCnnKernel>(*online_, input_shape_, num_actions_);
    target_kernel_ = std::make_unique<MinatarCnnKernel>(*target_, input_shape_, num_actions_);
  }
  // forward + backward (3x a forward) on the batch, plus the gradient-free target forwards
  const int no_grad_forwards = 1 + (options.double_q ? 1 : 0) + (options.munchausen ? 1 : 0);
  flops_per_update_ = 2.0 * static_cast<double>(online_->forward_macs()) * options.batch_size *
                      (3 + no_grad_forwards);
  if (spr_)
    // K rolled-out steps (forward + backward) and the target encoder + projection on the K
    // future observations (the whole network's cost, a slight over-count of the encoder's)
    flops_per_update_ +=
        2.0 * static_cast<double>(options.batch_size * options.spr.steps) *
        (3.0 * static_cast<double>(spr_->step_macs()) +
         static_cast<double>(online_->forward_macs() +
                             options.spr.projection_dim * NumLatent(online_->latent_shape())));
}

void Dqn::LoadTeacher(const AgentContext& context) {
  if (!context.teacher)
    throw UserError(fmt::format("teacher.run = {}: the teacher run was not loaded (train it first)",
                                options_.teacher.run));
  if (options_.kind == ValueKind::kImplicitQuantile)
    throw UserError("a teacher (teacher.run) does not combine with an IQN student");
  const TeacherRun& run = *context.teacher;
  if (!VariantKind(run.agent))
    throw UserError(
        fmt::format("teacher run '{}' is of agent {}, not of the DQN family", run.dir, run.agent));
  DqnOptions options = DqnOptions::FromConfig(*run.config, run.agent);
  options.teacher = {};  // a reincarnated teacher needs none of its own teacher to act
  const AgentContext teacher_context{
      .config = run.config.get(),
      .spec = spec_,
      .num_envs = static_cast<int>(run.config->GetInt("run.num_envs")),
      .num_eval_envs = 1,
      .seed = context.seed,
      .device = context.device};
  teacher_ = std::make_unique<Dqn>(teacher_context, options);
  teacher_->Load(*run.checkpoint);
  if (teacher_->input_shape_ != input_shape_)
    throw UserError(fmt::format(
        "teacher run '{}' sees inputs [{}], this agent [{}] (frame stacks must match)", run.dir,
        fmt::join(teacher_->input_shape_, ", "), fmt::join(input_shape_, ", ")));
  if (teacher_->online_->noisy()) teacher_->online_->SetNoiseEnabled(false);  // its mean network
  const ReplayBuffer& data = teacher_->replay();
  teacher_batch_ = data.MakeBatch(options_.batch_size, static_cast<int>(options_.spr.steps));
  // the student's returns, as far as the teacher's stored windows reach
  data.SetReturns(teacher_batch_, std::min(options_.n_step, data.options().n_step), options_.gamma);
  distill_ = std::make_unique<DistillationSchedule>(options_.teacher, run.score);
}

void Dqn::Prepare(const std::function<void(int64_t, int64_t)>& progress) {
  const int64_t total = teacher_ ? options_.teacher.pretrain_updates : 0;
  if (total == 0) return;
  if (teacher_->replay().num_sampleable() == 0)
    throw UserError(
        fmt::format("teacher run '{}' has an empty replay buffer", options_.teacher.run));
  // the online phase's number of updates between target syncs
  const int64_t sync_every =
      options_.target_update_period == 0
          ? 1
          : std::max<int64_t>(1, std::llround(static_cast<double>(options_.target_update_period) *
                                              options_.updates_per_step /
                                              static_cast<double>(options_.update_period)));
  for (int64_t i = 1; i <= total; ++i) {
    teacher_->replay().Sample(teacher_rng_, options_.beta_start, teacher_batch_);
    Learn(teacher_batch_, /*online=*/false);
    if (i % sync_every == 0) SyncTarget();
    if (i % 500 == 0 || i == total) progress(i, total);
  }
  // the online phase's statistics start clean
  spr_loss_sum_ = grad_norm_sum_ = distill_loss_sum_ = distill_weight_sum_ = 0.0;
  spr_cosine_sum_ = 0.0;
  spr_cosine_count_ = grad_norm_count_ = 0;
}

std::string Dqn::Describe() const {
  std::string extras;
  if (options_.replay.prioritized) extras += ", prioritized";
  if (options_.augment.enabled()) extras += ", augment " + options_.augment.kind;
  if (spr_)
    extras += fmt::format(", SPR K={} (+{} parameters)", options_.spr.steps, NumParameters(*spr_));
  if (online_kernel_) extras += ", hand-written minatar_cnn kernel";
  if (teacher_)
    extras += fmt::format(", teacher {} from {} (return {:.4g}, {} pretraining updates)",
                          teacher_->options_.variant, options_.teacher.run,
                          distill_->teacher_return(), options_.teacher.pretrain_updates);
  return fmt::format("{}: {} parameters, replay {} transitions ({:.1f} MiB{})", options_.variant,
                     online_->num_parameters(), replay_.capacity(),
                     replay_.memory_bytes() / 1048576.0, extras);
}

std::pair<int, double> AnnealedReturns(const DqnOptions& o, double u) {
  u = std::clamp(u, 0.0, 1.0);
  const double n = o.n_step_start * std::pow(static_cast<double>(o.n_step) / o.n_step_start, u);
  double gamma = o.gamma;
  if (o.gamma_start != o.gamma)
    gamma = 1.0 - (1.0 - o.gamma_start) * std::pow((1.0 - o.gamma) / (1.0 - o.gamma_start), u);
  return {std::max(1, static_cast<int>(std::lround(n))), gamma};
}

std::pair<int, double> Dqn::ReturnHorizon() const {
  if (options_.anneal_steps <= 0) return {options_.n_step, options_.gamma};
  return AnnealedReturns(options_, static_cast<double>(updates_ - anneal_start_) /
                                       static_cast<double>(options_.anneal_steps));
}

double Dqn::Epsilon() const {
  const int64_t start =
      options_.epsilon_decay_start < 0 ? options_.min_replay_history : options_.epsilon_decay_start;
  const double progress =
      static_cast<double>(env_steps_ - start) / static_cast<double>(options_.epsilon_decay_steps);
  const double remaining = std::clamp(1.0 - progress, 0.0, 1.0);
  return options_.epsilon_end + (options_.epsilon_start - options_.epsilon_end) * remaining;
}

torch::Tensor Dqn::ObsTensor(float* data, int rows) const {
  std::vector<int64_t> shape = {rows};
  shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
  return HostToDevice(data, shape, torch::kFloat32, device_);
}

torch::Tensor Dqn::Expected(const torch::Tensor& out) const {
  switch (options_.kind) {
    case ValueKind::kScalar:
      return out.squeeze(2);
    case ValueKind::kCategorical:
      return (torch::softmax(out, /*dim=*/2) * support_).sum(/*dim=*/2);
    case ValueKind::kQuantile:
    case ValueKind::kImplicitQuantile:
      return out.mean(/*dim=*/2);
  }
  return {};
}

torch::Tensor Dqn::SampleTaus(int64_t rows, int64_t n, Rng& rng) {
  torch::Tensor taus = torch::empty({rows, n}, torch::kFloat32);
  float* data = taus.data_ptr<float>();
  for (int64_t i = 0; i < rows * n; ++i) data[i] = static_cast<float>(rng.Uniform());
  return taus.to(device_);
}

torch::Tensor Dqn::QValues(const torch::Tensor& obs, Rng& rng) {
  if (options_.kind != ValueKind::kImplicitQuantile) return Expected(online_->forward(obs));
  return Expected(
      online_->forward(obs, SampleTaus(obs.size(0), options_.num_quantile_samples, rng)));
}

void Dqn::Act(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode, Rng& rng,
              std::span<int32_t> actions) {
  ObsStacker& stacker = mode == ActMode::kTrain ? train_stacker_ : eval_stacker_;
  stacker.Push(obs, episode_start);
  const int n = static_cast<int>(actions.size());
  if (mode == ActMode::kTrain && online_->observes_inputs())
    online_->ObserveInputs(ObsTensor(stacker.data(), n));
  const double epsilon = mode == ActMode::kTrain ? Epsilon() : options_.epsilon_eval;
  // noisy nets: fresh noise for every training step, the mean network in evaluation
  if (online_->noisy()) {
    online_->SetNoiseEnabled(mode == ActMode::kTrain);
    if (mode == ActMode::kTrain) online_->ResampleNoise(rng);
  }
  // one uniform per env, then the forward pass only if some env acts greedily
  explore_.resize(n);
  bool any_greedy = false;
  for (int i = 0; i < n; ++i) {
    explore_[i] = rng.Uniform() < epsilon;
    any_greedy = any_greedy || !explore_[i];
  }
  greedy_.resize(n);
  if (any_greedy) {
    // BBF acts with the EMA target (not for IQN, whose fractions QValues draws for the online one)
    const bool with_target =
        options_.act_with_target && options_.kind != ValueKind::kImplicitQuantile;
    if (online_kernel_) {
      kernel_q_.resize(static_cast<size_t>(n) * num_actions_);
      (with_target ? target_kernel_ : online_kernel_)->Forward(stacker.data(), n, kernel_q_.data());
      for (int i = 0; i < n; ++i) {
        const float* q = &kernel_q_[static_cast<size_t>(i) * num_actions_];
        greedy_[i] = static_cast<int32_t>(std::max_element(q, q + num_actions_) - q);
      }
    } else {
      torch::InferenceMode inference;
      const torch::Tensor x = ObsTensor(stacker.data(), n);
      if (with_target && target_->noisy()) target_->SetNoiseEnabled(mode == ActMode::kTrain);
      const torch::Tensor greedy = (with_target ? Expected(target_->forward(x)) : QValues(x, rng))
                                       .argmax(/*dim=*/1)
                                       .to(torch::kCPU, torch::kInt32)
                                       .contiguous();
      std::copy_n(greedy.data_ptr<int32_t>(), n, greedy_.begin());
      if (with_target && target_->noisy()) target_->SetNoiseEnabled(true);
    }
  }
  online_->SetNoiseEnabled(true);
  for (int i = 0; i < n; ++i)
    actions[i] = explore_[i]
                     ? static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(num_actions_)))
                     : greedy_[i];
}

void Dqn::Observe(const uint8_t* obs, std::span<const int32_t> actions, const StepBatch& next) {
  replay_.Add(obs, actions, next);
  if (distill_)
    for (int i = 0; i < next.num_envs; ++i)
      if (next.done(i)) distill_->AddEpisode(next.episode_return[i]);
  env_steps_ += next.num_envs;
  if (env_steps_ < options_.min_replay_history) return;
  const double ratio = options_.updates_per_step / static_cast<double>(options_.update_period);
  const auto due = static_cast<int64_t>(
      std::floor(static_cast<double>(env_steps_ - options_.min_replay_history) * ratio));
  while (updates_ < due && replay_.num_sampleable() > 0) {
    Update();
    if (options_.target_update_period == 0) SyncTarget();
  }
  if (options_.target_update_period > 0) {
    const int64_t syncs = env_steps_ / options_.target_update_period;
    if (syncs > target_syncs_) {
      SyncTarget();
      target_syncs_ = syncs;
    }
  }
}

void Dqn::SyncTarget() {
  UpdateTarget(*target_, *online_, options_.tau);
  // the target side of SPR uses only the projection (BBF syncs after every update)
  if (spr_) UpdateTarget(*spr_target_->projection(), *spr_->projection(), options_.tau);
}

torch::Tensor Dqn::OnlineOutput(const Batch& b) {
  return b.online_out.defined() ? b.online_out : online_->forward(b.obs);
}

torch::Tensor Dqn::SprLossOf(const torch::Tensor& latent, ReplayBatch& rb) {
  const int64_t b = rb.size, k = rb.sequence;
  std::vector<int64_t> shape = {b * k};
  shape.insert(shape.end(), input_shape_.begin(), input_shape_.end());
  torch::Tensor future = HostToDevice(rb.seq_obs.data(), shape, torch::kFloat32, device_);
  if (options_.augment.enabled()) future = Augment(future, options_.augment, update_rng_);
  const torch::Tensor action = HostToDevice(rb.seq_action.data(), {b, k}, torch::kInt64, device_);
  const torch::Tensor valid = HostToDevice(rb.seq_valid.data(), {b, k}, torch::kFloat32, device_);
  torch::Tensor targets;
  {
    torch::NoGradGuard no_grad;
    targets =
        spr_target_->Project(spr_target_->Normalize(target_->Encode(future))).view({b, k, -1});
  }
  std::vector<torch::Tensor> steps;
  torch::Tensor z = spr_->Normalize(latent);
  for (int64_t i = 0; i < k; ++i) {
    z = spr_->Step(z, action.select(/*dim=*/1, i));
    steps.push_back(z);
  }
  const torch::Tensor predictions =
      spr_->Predict(spr_->Project(torch::stack(steps, /*dim=*/1).flatten(0, 1))).view({b, k, -1});
  return SprLoss(predictions, targets, valid);
}

void Dqn::Update() {
  double beta = options_.beta_start;
  if (options_.beta_steps > 0)
    beta += (options_.beta_end - options_.beta_start) *
            std::min(1.0, static_cast<double>(env_steps_) / options_.beta_steps);
  if (options_.anneal_steps > 0) {
    const auto [n, gamma] = ReturnHorizon();
    replay_.SetReturns(batch_, n, gamma);
  }
  // Neuroplastic Expansion's experience review: some batches from the oldest experience
  const double review = plasticity_->review_probability();
  if (review > 0.0 && replay_rng_.Uniform() < review) {
    replay_.SampleOldest(replay_rng_, options_.plasticity.grow.review_oldest, batch_);
    ++reviewed_batches_;
  } else {
    replay_.Sample(replay_rng_, beta, batch_);
  }
  Learn(batch_, /*online=*/true);
}

void Dqn::Learn(ReplayBatch& rb, bool online) {
  const int b = rb.size;
  Batch batch{.obs = ObsTensor(rb.obs.data(), b)};
  torch::Tensor loss;  // the batch's (weighted) TD loss
  BatchLoss terms;
  if (online_kernel_) {
    terms = KernelLoss(rb, loss);
  } else {
    batch.next_obs = ObsTensor(rb.next_obs.data(), b);
    batch.action = HostToDevice(rb.action.data(), {b}, torch::kInt64, device_);
    batch.reward = HostToDevice(rb.reward.data(), {b}, torch::kFloat32, device_);
    batch.discount = HostToDevice(rb.discount.data(), {b}, torch::kFloat32, device_);
    if (options_.augment.enabled()) {
      // independent draws for s and s' (DrQ with K = M = 1)
      batch.obs = Augment(batch.obs, options_.augment, update_rng_);
      batch.next_obs = Augment(batch.next_obs, options_.augment, update_rng_);
    }
    if (online_->noisy()) {
      online_->ResampleNoise(update_rng_);
      target_->ResampleNoise(update_rng_);
    }
    torch::Tensor spr_loss;
    if (spr_) {
      // one encoder pass serves the Q-loss and the transition model's start
      const torch::Tensor latent = online_->Encode(batch.obs);
      batch.online_out = online_->FromLatent(latent);
      spr_loss = SprLossOf(latent, rb);
    } else if (teacher_) {
      batch.online_out = online_->forward(batch.obs);  // shared by the TD and distillation terms
    }
    switch (options_.kind) {
      case ValueKind::kScalar:
        terms = ScalarLoss(batch);
        break;
      case ValueKind::kCategorical:
        terms = CategoricalLossOf(batch);
        break;
      case ValueKind::kQuantile:
        terms = QuantileLoss(batch);
        break;
      case ValueKind::kImplicitQuantile:
        terms = ImplicitQuantileLoss(batch);
        break;
    }
    auto weighted_mean = [&](const torch::Tensor& per_sample) {
      if (!options_.replay.prioritized) return per_sample.mean();
      return (HostToDevice(rb.weight.data(), {b}, torch::kFloat32, device_) * per_sample).mean();
    };
    loss = weighted_mean(terms.loss);
    torch::Tensor objective = loss + online_->aux_loss();
    if (spr_) {
      const torch::Tensor spr_mean = weighted_mean(spr_loss);
      objective = objective + options_.spr.weight * spr_mean;
      spr_loss_sum_ += spr_mean.item<double>();
      // mean cosine over the valid steps (the loss itself scales with the episodes' lengths)
      const double valid = std::accumulate(rb.seq_valid.begin(), rb.seq_valid.end(), 0.0);
      if (valid > 0) {
        spr_cosine_sum_ += -spr_loss.detach().sum().item<double>() / valid;
        ++spr_cosine_count_;
      }
    }
    if (teacher_) {
      // QDagger: distil the teacher's softmax policy on the same states
      torch::Tensor q_teacher;
      {
        torch::NoGradGuard no_grad;
        q_teacher = teacher_->QValues(batch.obs, update_rng_);
      }
      const double weight = online ? distill_->weight() : options_.teacher.distill_weight;
      const torch::Tensor distill = weighted_mean(
          DistillationLoss(Expected(batch.online_out), q_teacher, options_.teacher.temperature));
      objective = objective + weight * distill;
      distill_loss_sum_ += distill.item<double>();
      distill_weight_sum_ += weight;
    }
    optimizer_->zero_grad();
    objective.backward();
  }
  // the gradient norm (diagnostics): free with clipping, else measured every 16th update
  constexpr int64_t kGradNormEvery = 16;
  if (options_.max_grad_norm > 0.0) {
    grad_norm_sum_ += torch::nn::utils::clip_grad_norm_(trainable_, options_.max_grad_norm);
    ++grad_norm_count_;
  } else if (diagnostics_batch_.size > 0 && updates_ % kGradNormEvery == 0) {
    std::vector<torch::Tensor> norms;
    for (const auto& p : trainable_)
      if (p.grad().defined()) norms.push_back(p.grad().norm());
    grad_norm_sum_ += torch::stack(norms).norm().item<double>();
    ++grad_norm_count_;
  }
  optimizer_->step();
  online_->ProjectWeights();
  if (!online) return;  // pretraining: no schedules, priorities or statistics of the online phase
  ++updates_;
  const double progress =
      total_env_steps_ > 0 ? static_cast<double>(env_steps_) / total_env_steps_ : 0.0;
  const bool reset = plasticity_->AfterStep(updates_, progress, *optimizer_, [&] {
    // ReDo scores on this update's batch
    torch::NoGradGuard no_grad;
    online_->set_capture(true);
    if (options_.kind == ValueKind::kImplicitQuantile) {
      online_->forward(batch.obs, SampleTaus(b, options_.num_tau_samples, update_rng_));
    } else {
      online_->forward(batch.obs);
    }
    online_->set_capture(false);
  });
  if (reset) anneal_start_ = updates_;  // BBF: n and gamma anneal again after every reset

  const double loss_value = loss.item<double>();
  const double q_value = terms.q_taken.mean().item<double>();
  if (!std::isfinite(loss_value) || !std::isfinite(q_value))
    throw DivergedError(
        fmt::format("{} at update {} (loss {}, mean Q {})",
                    std::isfinite(loss_value) ? "Q is not finite" : "loss is not finite", updates_,
                    loss_value, q_value));
  loss_sum_ += loss_value;
  q_sum_ += q_value;
  ++window_updates_;
  if (options_.replay.prioritized) {
    torch::Tensor priority = terms.priority.to(torch::kCPU, torch::kFloat32).contiguous();
    replay_.UpdatePriorities(rb.index, {priority.data_ptr<float>(), static_cast<size_t>(b)});
  }
}

// DQN / double DQN / Munchausen DQN: regression of Q(s, a) to a scalar target.
Dqn::BatchLoss Dqn::ScalarLoss(const Batch& b) {
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor next_target = Expected(target_->forward(b.next_obs));
    if (options_.munchausen) {
      target = MunchausenTarget(Expected(target_->forward(b.obs)), next_target, b.action, b.reward,
                                b.discount, options_.munchausen_alpha, options_.munchausen_tau,
                                options_.munchausen_clip);
    } else {
      const torch::Tensor next_online =
          options_.double_q ? Expected(online_->forward(b.next_obs)) : torch::Tensor();
      target = TdTarget(b.reward, b.discount,
                        NextStateValue(next_target, next_online, options_.double_q));
    }
  }
  const torch::Tensor q = TakeAction(Expected(OnlineOutput(b)), b.action);
  return {.loss = ElementwiseLoss(q, target, options_.loss),
          .priority = (target - q.detach()).abs(),
          .q_taken = q.detach()};
}

Dqn::BatchLoss Dqn::KernelLoss(const ReplayBatch& rb, torch::Tensor& loss) {
  const int b = rb.size, a = num_actions_;
  const size_t values = static_cast<size_t>(b) * a;
  kernel_q_.resize(values);
  kernel_next_.resize(values);
  kernel_dq_.assign(values, 0.0F);
  kernel_priority_.resize(b);
  kernel_q_taken_.resize(b);
  // the next-state values first: Backward reads the activations of the last online Forward
  target_kernel_->Forward(rb.next_obs.data(), b, kernel_next_.data());
  if (options_.double_q) {
    kernel_next_online_.resize(values);
    online_kernel_->Forward(rb.next_obs.data(), b, kernel_next_online_.data());
  }
  online_kernel_->Forward(rb.obs.data(), b, kernel_q_.data());
  const bool huber = options_.loss == "huber";
  double mean = 0.0;
  for (int s = 0; s < b; ++s) {
    const float* next = &kernel_next_[static_cast<size_t>(s) * a];
    const float* selector =
        options_.double_q ? &kernel_next_online_[static_cast<size_t>(s) * a] : next;
    const float next_value = next[std::max_element(selector, selector + a) - selector];
    const float target = rb.reward[s] + rb.discount[s] * next_value;
    const int action = rb.action[s];
    const float q = kernel_q_[static_cast<size_t>(s) * a + action];
    const float diff = q - target;
    // per-sample loss and its derivative in q, as ElementwiseLoss (huber: smooth L1, beta 1)
    float per_sample = diff * diff, slope = 2.0F * diff;
    if (huber) {
      per_sample = std::abs(diff) < 1.0F ? 0.5F * diff * diff : std::abs(diff) - 0.5F;
      slope = std::clamp(diff, -1.0F, 1.0F);
    }
    const float weight = options_.replay.prioritized ? rb.weight[s] : 1.0F;
    mean += static_cast<double>(weight) * per_sample;
    kernel_dq_[static_cast<size_t>(s) * a + action] = weight * slope / static_cast<float>(b);
    kernel_priority_[s] = std::abs(diff);
    kernel_q_taken_[s] = q;
  }
  online_kernel_->Backward(kernel_dq_.data());
  loss = torch::tensor(mean / b);
  auto view = [&](std::vector<float>& v) {
    return torch::from_blob(v.data(), {b}, torch::kFloat32);
  };
  return {.loss = {},  // the batch mean is `loss`; the tail reads only priority and q_taken
          .priority = view(kernel_priority_),
          .q_taken = view(kernel_q_taken_)};
}

torch::Tensor Dqn::NextGreedyOutput(const Batch& b) {
  const torch::Tensor next = target_->forward(b.next_obs);
  const torch::Tensor select =
      options_.double_q ? Expected(online_->forward(b.next_obs)) : Expected(next);
  return TakeAction(next, GreedyAction(select));
}

// C51: cross-entropy to the projected target distribution of the greedy next action.
Dqn::BatchLoss Dqn::CategoricalLossOf(const Batch& b) {
  torch::Tensor target_probs;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor next_probs = torch::softmax(NextGreedyOutput(b), /*dim=*/1);
    target_probs = CategoricalProjection(support_, next_probs, b.reward, b.discount);
  }
  const torch::Tensor logits = TakeAction(OnlineOutput(b), b.action);
  const torch::Tensor loss = CategoricalLoss(logits, target_probs);
  return {.loss = loss,
          .priority = loss.detach(),
          .q_taken = (torch::softmax(logits.detach(), 1) * support_).sum(1)};
}

// QR-DQN: quantile Huber loss between the quantiles at the fixed midpoints and the shifted
// target quantiles of the greedy next action.
Dqn::BatchLoss Dqn::QuantileLoss(const Batch& b) {
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    target = b.reward.unsqueeze(1) + b.discount.unsqueeze(1) * NextGreedyOutput(b);
  }
  const torch::Tensor quantiles = TakeAction(OnlineOutput(b), b.action);
  const torch::Tensor loss = QuantileHuberLoss(quantiles, midpoints_, target, options_.kappa);
  return {.loss = loss, .priority = loss.detach(), .q_taken = quantiles.detach().mean(1)};
}

// IQN: the same loss at sampled fractions: N for the online quantiles, N' for the target ones,
// K to pick the greedy next action.
Dqn::BatchLoss Dqn::ImplicitQuantileLoss(const Batch& b) {
  const int64_t rows = b.obs.size(0);
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    QNetwork& selector = options_.double_q ? online_ : target_;
    const torch::Tensor select = Expected(selector->forward(
        b.next_obs, SampleTaus(rows, options_.num_quantile_samples, update_rng_)));
    const torch::Tensor next =
        target_->forward(b.next_obs, SampleTaus(rows, options_.num_tau_prime_samples, update_rng_));
    target =
        b.reward.unsqueeze(1) + b.discount.unsqueeze(1) * TakeAction(next, GreedyAction(select));
  }
  const torch::Tensor taus = SampleTaus(rows, options_.num_tau_samples, update_rng_);
  const torch::Tensor quantiles = TakeAction(online_->forward(b.obs, taus), b.action);
  const torch::Tensor loss = QuantileHuberLoss(quantiles, taus, target, options_.kappa);
  return {.loss = loss, .priority = loss.detach(), .q_taken = quantiles.detach().mean(1)};
}

TrainStats Dqn::TakeStats() {
  TrainStats stats;
  stats.updates = window_updates_;
  if (window_updates_ > 0) {
    stats.loss_mean = loss_sum_ / window_updates_;
    stats.q_mean = q_sum_ / window_updates_;
  }
  stats.epsilon = Epsilon();
  AddDiagnostics(stats);
  if (spr_ && window_updates_ > 0)
    stats.diagnostics.emplace_back("spr_loss", spr_loss_sum_ / window_updates_);
  if (spr_cosine_count_ > 0)
    stats.diagnostics.emplace_back("spr_cosine", spr_cosine_sum_ / spr_cosine_count_);
  if (distill_ && window_updates_ > 0) {
    stats.diagnostics.emplace_back("distill_loss", distill_loss_sum_ / window_updates_);
    stats.diagnostics.emplace_back("distill_weight", distill_weight_sum_ / window_updates_);
  }
  if (distill_) stats.diagnostics.emplace_back("teacher_return", distill_->teacher_return());
  distill_loss_sum_ = distill_weight_sum_ = 0.0;
  if (options_.plasticity.grow.enabled() && window_updates_ > 0)
    stats.diagnostics.emplace_back("reviewed_fraction", static_cast<double>(reviewed_batches_) /
                                                            static_cast<double>(window_updates_));
  reviewed_batches_ = 0;
  if (options_.anneal_steps > 0) {
    // where the BBF schedule stands at the end of the window
    const auto [n, gamma] = ReturnHorizon();
    stats.diagnostics.emplace_back("n_step", n);
    stats.diagnostics.emplace_back("gamma", gamma);
  }
  spr_cosine_sum_ = 0.0;
  spr_cosine_count_ = 0;
  window_updates_ = 0;
  loss_sum_ = q_sum_ = grad_norm_sum_ = spr_loss_sum_ = 0.0;
  grad_norm_count_ = 0;
  return stats;
}

void Dqn::AddDiagnostics(TrainStats& stats) {
  if (diagnostics_batch_.size == 0 || replay_.num_sampleable() == 0) return;
  replay_.Sample(diagnostics_rng_, options_.beta_start, diagnostics_batch_);
  const int rows = diagnostics_batch_.size;
  torch::Tensor taus;
  if (options_.kind == ValueKind::kImplicitQuantile)
    taus = SampleTaus(rows, options_.num_quantile_samples, diagnostics_rng_);
  if (online_->noisy()) online_->SetNoiseEnabled(false);  // the mean network, as evaluation
  stats.diagnostics =
      plasticity_->Diagnostics(ObsTensor(diagnostics_batch_.obs.data(), rows), taus);
  online_->SetNoiseEnabled(true);
  if (window_updates_ > 0)
    stats.diagnostics.emplace_back("grad_norm", grad_norm_sum_ / window_updates_);
  stats.diagnostics.emplace_back("parameters", static_cast<double>(online_->num_parameters()));
  stats.diagnostics.emplace_back("flops_per_update", flops_per_update_);
}

void Dqn::Save(Archive& archive) const {
  archive.PutBytes("agent/online", ModuleBytes(*online_));
  archive.PutBytes("agent/target", ModuleBytes(*target_));
  archive.PutBytes("agent/optimizer", OptimizerBytes(*optimizer_));
  archive.Put("agent/replay_rng", replay_rng_);
  archive.Put("agent/update_rng", update_rng_);
  archive.Put("agent/env_steps", env_steps_);
  archive.Put("agent/updates", updates_);
  archive.Put("agent/target_syncs", target_syncs_);
  archive.Put("agent/anneal_start", anneal_start_);
  archive.Put("agent/window_updates", window_updates_);
  archive.Put("agent/loss_sum", loss_sum_);
  archive.Put("agent/q_sum", q_sum_);
  archive.Put("agent/grad_norm_sum", grad_norm_sum_);
  archive.Put("agent/grad_norm_count", grad_norm_count_);
  archive.Put("agent/diagnostics_rng", diagnostics_rng_);
  if (spr_) {
    archive.PutBytes("agent/spr", ModuleBytes(*spr_));
    archive.PutBytes("agent/spr_target", ModuleBytes(*spr_target_));
    archive.Put("agent/spr_loss_sum", spr_loss_sum_);
    archive.Put("agent/spr_cosine_sum", spr_cosine_sum_);
    archive.Put("agent/spr_cosine_count", spr_cosine_count_);
  }
  if (distill_) {
    distill_->Save(archive, "agent/distill/");
    archive.Put("agent/teacher_rng", teacher_rng_);
    archive.Put("agent/distill_loss_sum", distill_loss_sum_);
    archive.Put("agent/distill_weight_sum", distill_weight_sum_);
  }
  if (options_.plasticity.grow.enabled()) archive.Put("agent/reviewed_batches", reviewed_batches_);
  plasticity_->Save(archive);
  train_stacker_.Save(archive, "agent/train_frames");
  replay_.Save(archive, "replay/");
}

void Dqn::Load(const Archive& archive) {
  LoadModuleBytes(*online_, archive.GetBytes("agent/online"), "the online network");
  LoadModuleBytes(*target_, archive.GetBytes("agent/target"), "the target network");
  LoadOptimizerBytes(*optimizer_, archive.GetBytes("agent/optimizer"), device_, "optimiser");
  replay_rng_ = archive.Get<Rng>("agent/replay_rng");
  update_rng_ = archive.Get<Rng>("agent/update_rng");
  env_steps_ = archive.Get<int64_t>("agent/env_steps");
  updates_ = archive.Get<int64_t>("agent/updates");
  target_syncs_ = archive.Get<int64_t>("agent/target_syncs");
  // checkpoints from before annealing existed start it at 0
  anneal_start_ =
      archive.Has("agent/anneal_start") ? archive.Get<int64_t>("agent/anneal_start") : 0;
  window_updates_ = archive.Get<int64_t>("agent/window_updates");
  loss_sum_ = archive.Get<double>("agent/loss_sum");
  q_sum_ = archive.Get<double>("agent/q_sum");
  grad_norm_sum_ = archive.Get<double>("agent/grad_norm_sum");
  grad_norm_count_ = archive.Get<int64_t>("agent/grad_norm_count");
  diagnostics_rng_ = archive.Get<Rng>("agent/diagnostics_rng");
  if (spr_) {
    LoadModuleBytes(*spr_, archive.GetBytes("agent/spr"), "the SPR model");
    LoadModuleBytes(*spr_target_, archive.GetBytes("agent/spr_target"), "the SPR target");
    spr_loss_sum_ = archive.Get<double>("agent/spr_loss_sum");
    spr_cosine_sum_ = archive.Get<double>("agent/spr_cosine_sum");
    spr_cosine_count_ = archive.Get<int64_t>("agent/spr_cosine_count");
  }
  if (distill_) {
    distill_->Load(archive, "agent/distill/");
    teacher_rng_ = archive.Get<Rng>("agent/teacher_rng");
    distill_loss_sum_ = archive.Get<double>("agent/distill_loss_sum");
    distill_weight_sum_ = archive.Get<double>("agent/distill_weight_sum");
  }
  if (options_.plasticity.grow.enabled())
    reviewed_batches_ = archive.Get<int64_t>("agent/reviewed_batches");
  plasticity_->Load(archive);
  train_stacker_.Load(archive, "agent/train_frames");
  replay_.Load(archive, "replay/");
}

}  // namespace qlab
