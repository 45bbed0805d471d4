#include "qlab/agents/sac.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <sstream>

#include "qlab/core/check.h"
#include "qlab/core/errors.h"
#include "qlab/nets/device.h"

namespace qlab {

void SacOptions::AddKeys(ConfigSchema& schema) {
  constexpr double kBig = 1e15;
  schema.Float("agent.gamma", 0.99, "discount factor", {0.0, 1.0})
      .Int("agent.n_step", 1, "n-step return horizon", {1, 100})
      .Int("agent.batch_size", 256, "transitions per update", {1, 1 << 20})
      .Float("agent.actor_lr", 3e-4, "actor learning rate (Adam)", {0.0, 10.0})
      .Float("agent.critic_lr", 1e-3, "critic learning rate (Adam)", {0.0, 10.0})
      .Float("agent.alpha_lr", 1e-3, "entropy-temperature learning rate (Adam)", {0.0, 10.0})
      .Float("agent.optimizer_eps", 1e-8, "Adam epsilon", {0.0, 10.0})
      .Float("agent.tau", 0.005, "Polyak rate of the critic targets", {0.0, 1.0})
      .Float("agent.initial_alpha", 1.0, "entropy temperature at the start", {0.0, 1e6})
      .Bool("agent.autotune", true, "tune the temperature toward the target entropy")
      .Float("agent.target_entropy_scale", 1.0, "target entropy = -scale * action dims",
             {-100.0, 100.0})
      .Int("agent.update_period", 1, "env steps per update round", {1, kBig})
      .Float("agent.updates_per_step", 1.0,
             "updates per round (UTD ratio = updates_per_step / update_period; fractional ok)",
             {0.0, 1e4})
      .Int("agent.min_replay_history", 5000,
           "env steps of uniform random actions before the first update", {0, kBig})
      .Float("agent.log_std_min", -5.0, "policy log standard deviation, lower bound",
             {-100.0, 100.0})
      .Float("agent.log_std_max", 2.0, "policy log standard deviation, upper bound",
             {-100.0, 100.0})
      .Float("agent.max_grad_norm", 0.0, "clip each network's gradient norm (0: off)", {0.0, kBig});
  schema.Int("replay.capacity", 1000000, "transitions kept (all envs)", {1, 2e9});
  NetworkOptions::AddKeys(schema);
  schema.SetDefault("network.widths", std::vector<int64_t>{256, 256});
}

SacOptions SacOptions::FromConfig(const Config& c) {
  SacOptions o;
  o.gamma = c.GetFloat("agent.gamma");
  o.n_step = static_cast<int>(c.GetInt("agent.n_step"));
  o.batch_size = static_cast<int>(c.GetInt("agent.batch_size"));
  o.actor_lr = c.GetFloat("agent.actor_lr");
  o.critic_lr = c.GetFloat("agent.critic_lr");
  o.alpha_lr = c.GetFloat("agent.alpha_lr");
  o.optimizer_eps = c.GetFloat("agent.optimizer_eps");
  o.tau = c.GetFloat("agent.tau");
  o.initial_alpha = c.GetFloat("agent.initial_alpha");
  o.autotune = c.GetBool("agent.autotune");
  o.target_entropy_scale = c.GetFloat("agent.target_entropy_scale");
  o.update_period = c.GetInt("agent.update_period");
  o.updates_per_step = c.GetFloat("agent.updates_per_step");
  o.min_replay_history = c.GetInt("agent.min_replay_history");
  o.log_std_min = c.GetFloat("agent.log_std_min");
  o.log_std_max = c.GetFloat("agent.log_std_max");
  if (o.log_std_min >= o.log_std_max)
    throw UserError(fmt::format("agent.log_std_min ({}) must be below agent.log_std_max ({})",
                                o.log_std_min, o.log_std_max));
  o.max_grad_norm = c.GetFloat("agent.max_grad_norm");
  o.replay = {.capacity = c.GetInt("replay.capacity"), .n_step = o.n_step, .gamma = o.gamma};
  o.network = NetworkOptions::FromConfig(c);
  if (o.network.head != "q")
    throw UserError(fmt::format("network.head = {}: SAC's networks take head = q", o.network.head));
  if (o.network.noisy) throw UserError("network.noisy = true: SAC explores by its own policy");
  return o;
}

namespace {

std::unique_ptr<torch::optim::Adam> MakeAdam(std::vector<torch::Tensor> params, double lr,
                                             double eps) {
  return std::make_unique<torch::optim::Adam>(std::move(params),
                                              torch::optim::AdamOptions(lr).eps(eps));
}

// log(1 - tanh(u)^2), stably: 2 (log 2 - u - softplus(-2u))
torch::Tensor LogOneMinusTanhSquared(const torch::Tensor& u) {
  return 2.0 * (std::log(2.0) - u - torch::nn::functional::softplus(-2.0 * u));
}

}  // namespace

Sac::Sac(const AgentContext& context, const SacOptions& options)
    : options_(options),
      device_(ParseDevice(context.device)),
      spec_(context.spec),
      dims_(context.spec.action_space.dims()),
      replay_(context.spec, context.num_envs, options.replay),
      replay_rng_(DeriveSeed(context.seed, StreamId("replay"))),
      update_rng_(DeriveSeed(context.seed, StreamId("update"))) {
  if (spec_.action_space.discrete())
    throw UserError(fmt::format(
        "sac acts in continuous (Box) action spaces; {} has {} discrete actions (use a DQN-family "
        "agent, or an env with continuous=true)",
        spec_.id, spec_.action_space.n));
  if (spec_.obs_dtype != DType::kFloat32 || spec_.obs_shape.size() != 1)
    throw UserError(fmt::format("sac takes float vector observations; {} has {} [{}]", spec_.id,
                                spec_.obs_dtype == DType::kFloat32 ? "float32" : "uint8",
                                fmt::join(spec_.obs_shape, ", ")));
  obs_shape_ = {spec_.obs_shape[0]};
  // initial weights from the run seed, built on the host (the same numbers on every device)
  torch::manual_seed(DeriveSeed(context.seed, StreamId("network")));
  actor_ = QNetwork(obs_shape_, 2 * dims_, options.network);
  const std::vector<int64_t> critic_input = {obs_shape_[0] + dims_};
  q1_ = QNetwork(critic_input, 1, options.network);
  q2_ = QNetwork(critic_input, 1, options.network);
  q1_target_ = QNetwork(critic_input, 1, options.network);
  q2_target_ = QNetwork(critic_input, 1, options.network);
  for (QNetwork* net : {&actor_, &q1_, &q2_, &q1_target_, &q2_target_}) (*net)->to(device_);
  UpdateTarget(*q1_target_, *q1_, 1.0);
  UpdateTarget(*q2_target_, *q2_, 1.0);
  for (QNetwork* net : {&q1_target_, &q2_target_})
    for (auto& p : (*net)->parameters()) p.set_requires_grad(false);
  log_alpha_ = torch::full({1}, std::log(std::max(options.initial_alpha, 1e-12)),
                           torch::TensorOptions().device(device_).requires_grad(true));
  std::vector<float> low(spec_.action_space.low), high(spec_.action_space.high);
  low_ = torch::tensor(low).to(device_);
  scale_ = ((torch::tensor(high) - torch::tensor(low)) / 2.0).to(device_);
  target_entropy_ = -options.target_entropy_scale * static_cast<double>(dims_);
  actor_optimizer_ = MakeAdam(actor_->parameters(), options.actor_lr, options.optimizer_eps);
  std::vector<torch::Tensor> critics = q1_->parameters();
  for (const auto& p : q2_->parameters()) critics.push_back(p);
  critic_optimizer_ = MakeAdam(critics, options.critic_lr, options.optimizer_eps);
  alpha_optimizer_ = MakeAdam({log_alpha_}, options.alpha_lr, options.optimizer_eps);
  batch_ = replay_.MakeBatch(options.batch_size);
}

std::string Sac::Describe() const {
  return fmt::format(
      "sac: actor {} parameters, critics 2 x {} ({} torso), |A| = {}, replay {} transitions "
      "({:.1f} MiB)",
      actor_->num_parameters(), q1_->num_parameters(), options_.network.torso, dims_,
      replay_.capacity(), replay_.memory_bytes() / 1048576.0);
}

double Sac::alpha() const { return log_alpha_.exp().item<double>(); }

torch::Tensor Sac::ObsTensor(const float* data, int64_t rows) const {
  return HostToDevice(data, {rows, obs_shape_[0]}, torch::kFloat32, device_);
}

torch::Tensor Sac::Noise(int64_t rows, Rng& rng) const {
  torch::Tensor noise = torch::empty({rows, dims_}, torch::kFloat32);
  float* data = noise.data_ptr<float>();
  for (int64_t i = 0; i < rows * dims_; ++i) data[i] = static_cast<float>(rng.Normal());
  return noise.to(device_);
}

torch::Tensor Sac::ToUnit(const torch::Tensor& env_action) const {
  return (env_action - low_) / scale_ - 1.0;
}

torch::Tensor Sac::ToEnv(const torch::Tensor& unit_action) const {
  return low_ + (unit_action + 1.0) * scale_;
}

torch::Tensor Sac::GreedyUnit(const torch::Tensor& obs) {
  return torch::tanh(actor_->forward(obs).squeeze(2).slice(1, 0, dims_));
}

std::pair<torch::Tensor, torch::Tensor> Sac::Sample(const torch::Tensor& obs,
                                                    const torch::Tensor& noise) {
  const torch::Tensor out = actor_->forward(obs).squeeze(2);  // [B, 2 |A|]
  const torch::Tensor mean = out.slice(1, 0, dims_);
  // tanh-squashed log std in [min, max] (as CleanRL / SpinningUp's bounded parameterisation)
  const torch::Tensor log_std =
      options_.log_std_min + 0.5 * (options_.log_std_max - options_.log_std_min) *
                                 (torch::tanh(out.slice(1, dims_, 2 * dims_)) + 1.0);
  const torch::Tensor u = mean + log_std.exp() * noise;
  // log N(u; mean, std) - sum log(1 - tanh(u)^2)
  const torch::Tensor log_prob =
      (-0.5 * noise.square() - log_std - 0.5 * std::log(2.0 * std::numbers::pi)).sum(1) -
      LogOneMinusTanhSquared(u).sum(1);
  return {torch::tanh(u), log_prob};
}

void Sac::SetCriticsTrainable(bool trainable) {
  for (QNetwork* q : {&q1_, &q2_})
    for (auto& p : (*q)->parameters()) p.set_requires_grad(trainable);
}

torch::Tensor Sac::Critic(QNetwork& q, const torch::Tensor& obs, const torch::Tensor& unit_action) {
  return q->forward(torch::cat({obs, unit_action}, /*dim=*/1)).view({-1});
}

torch::Tensor Sac::MeanAction(const torch::Tensor& obs) {
  torch::NoGradGuard no_grad;
  return ToEnv(GreedyUnit(obs.to(device_))).cpu();
}

torch::Tensor Sac::QValue(const torch::Tensor& obs, const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  const torch::Tensor o = obs.to(device_), a = ToUnit(actions.to(device_));
  return torch::min(Critic(q1_, o, a), Critic(q2_, o, a)).cpu();
}

void Sac::Act(const uint8_t*, std::span<const uint8_t>, ActMode, Rng&, std::span<int32_t>) {
  QLAB_CHECK(false && "sac takes Box actions: the runner calls ActBox");
}

void Sac::Observe(const uint8_t*, std::span<const int32_t>, const StepBatch&) {
  QLAB_CHECK(false && "sac takes Box actions: the runner calls ObserveBox");
}

void Sac::ActBox(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode, Rng& rng,
                 std::span<float> actions) {
  (void)episode_start;  // no per-env history
  const auto n = static_cast<int64_t>(actions.size()) / dims_;
  if (mode == ActMode::kTrain && env_steps_ < options_.min_replay_history) {
    // warm-up: uniform in the box, one draw per dimension from the acting stream
    for (int64_t i = 0; i < n; ++i)
      for (int64_t d = 0; d < dims_; ++d)
        actions[i * dims_ + d] =
            static_cast<float>(rng.Uniform(spec_.action_space.low[d], spec_.action_space.high[d]));
    ObserveInputs(obs, actions);
    return;
  }
  torch::Tensor chosen;
  {
    torch::InferenceMode inference;
    const torch::Tensor x = ObsTensor(reinterpret_cast<const float*>(obs), n);
    if (mode == ActMode::kTrain) {
      chosen = ToEnv(Sample(x, Noise(n, rng)).first);
    } else {
      chosen = ToEnv(GreedyUnit(x));
    }
    chosen = chosen.to(torch::kCPU, torch::kFloat32).contiguous();
  }
  const float* data = chosen.data_ptr<float>();
  // within the box despite rounding at tanh's saturation
  for (int64_t i = 0; i < n * dims_; ++i) {
    const int64_t d = i % dims_;
    actions[i] = std::clamp(data[i], spec_.action_space.low[d], spec_.action_space.high[d]);
  }
  if (mode == ActMode::kTrain) ObserveInputs(obs, actions);
}

void Sac::ObserveInputs(const uint8_t* obs, std::span<const float> actions) {
  if (!actor_->observes_inputs()) return;  // SimBa torsos keep running input statistics
  const auto n = static_cast<int64_t>(actions.size()) / dims_;
  const torch::Tensor x = ObsTensor(reinterpret_cast<const float*>(obs), n);
  const torch::Tensor a =
      ToUnit(HostToDevice(actions.data(), {n, dims_}, torch::kFloat32, device_));
  actor_->ObserveInputs(x);
  q1_->ObserveInputs(torch::cat({x, a}, /*dim=*/1));
  q2_->ObserveInputs(torch::cat({x, a}, /*dim=*/1));
}

void Sac::ObserveBox(const uint8_t* obs, std::span<const float> actions, const StepBatch& next) {
  replay_.AddBox(obs, actions, next);
  env_steps_ += next.num_envs;
  if (env_steps_ < options_.min_replay_history) return;
  const double ratio = options_.updates_per_step / static_cast<double>(options_.update_period);
  const auto due = static_cast<int64_t>(
      std::floor(static_cast<double>(env_steps_ - options_.min_replay_history) * ratio));
  while (updates_ < due && replay_.num_sampleable() > 0) Update();
}

void Sac::Update() {
  replay_.Sample(replay_rng_, /*beta=*/1.0, batch_);
  const int64_t b = batch_.size;
  const torch::Tensor obs = ObsTensor(batch_.obs.data(), b);
  const torch::Tensor next_obs = ObsTensor(batch_.next_obs.data(), b);
  const torch::Tensor action =
      ToUnit(HostToDevice(batch_.box_action.data(), {b, dims_}, torch::kFloat32, device_));
  const torch::Tensor reward = HostToDevice(batch_.reward.data(), {b}, torch::kFloat32, device_);
  const torch::Tensor discount =
      HostToDevice(batch_.discount.data(), {b}, torch::kFloat32, device_);
  const torch::Tensor alpha = log_alpha_.detach().exp();

  // critics: soft Bellman targets from the clipped double Q of the targets
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    const auto [next_action, next_log_prob] = Sample(next_obs, Noise(b, update_rng_));
    const torch::Tensor next_q = torch::min(Critic(q1_target_, next_obs, next_action),
                                            Critic(q2_target_, next_obs, next_action));
    target = reward + discount * (next_q - alpha * next_log_prob);
  }
  const torch::Tensor q1 = Critic(q1_, obs, action), q2 = Critic(q2_, obs, action);
  const torch::Tensor critic_loss = torch::mse_loss(q1, target) + torch::mse_loss(q2, target);
  critic_optimizer_->zero_grad();
  critic_loss.backward();
  if (options_.max_grad_norm > 0.0) {
    torch::nn::utils::clip_grad_norm_(q1_->parameters(), options_.max_grad_norm);
    torch::nn::utils::clip_grad_norm_(q2_->parameters(), options_.max_grad_norm);
  }
  critic_optimizer_->step();
  q1_->ProjectWeights();
  q2_->ProjectWeights();

  // actor: maximise min Q - alpha log pi on fresh reparameterised actions; the critics are held
  // fixed, so the backward pass computes no critic weight gradients it would throw away
  const auto [new_action, log_prob] = Sample(obs, Noise(b, update_rng_));
  SetCriticsTrainable(false);
  const torch::Tensor q_new =
      torch::min(Critic(q1_, obs, new_action), Critic(q2_, obs, new_action));
  const torch::Tensor actor_loss = (alpha * log_prob - q_new).mean();
  actor_optimizer_->zero_grad();
  actor_loss.backward();
  SetCriticsTrainable(true);
  if (options_.max_grad_norm > 0.0)
    torch::nn::utils::clip_grad_norm_(actor_->parameters(), options_.max_grad_norm);
  actor_optimizer_->step();
  actor_->ProjectWeights();

  // temperature: toward the target entropy
  if (options_.autotune) {
    const torch::Tensor alpha_loss = -(log_alpha_ * (log_prob.detach() + target_entropy_)).mean();
    alpha_optimizer_->zero_grad();
    alpha_loss.backward();
    alpha_optimizer_->step();
  }
  {
    torch::NoGradGuard no_grad;
    UpdateTarget(*q1_target_, *q1_, options_.tau);
    UpdateTarget(*q2_target_, *q2_, options_.tau);
  }
  ++updates_;
  const double critic_value = critic_loss.item<double>();
  const double q_value = q1.detach().mean().item<double>();
  if (!std::isfinite(critic_value) || !std::isfinite(q_value))
    throw DivergedError(
        fmt::format("critic loss {} / mean Q {} at update {}", critic_value, q_value, updates_));
  critic_loss_sum_ += critic_value;
  actor_loss_sum_ += actor_loss.item<double>();
  q_sum_ += q_value;
  entropy_sum_ += -log_prob.detach().mean().item<double>();
  ++window_updates_;
}

TrainStats Sac::TakeStats() {
  TrainStats stats;
  stats.updates = window_updates_;
  if (window_updates_ > 0) {
    const auto n = static_cast<double>(window_updates_);
    stats.loss_mean = critic_loss_sum_ / n;
    stats.q_mean = q_sum_ / n;
    stats.diagnostics = {{"actor_loss", actor_loss_sum_ / n}, {"entropy", entropy_sum_ / n}};
  }
  stats.diagnostics.emplace_back("alpha", alpha());
  stats.diagnostics.emplace_back(
      "parameters", static_cast<double>(actor_->num_parameters() + 2 * q1_->num_parameters()));
  window_updates_ = 0;
  critic_loss_sum_ = actor_loss_sum_ = q_sum_ = entropy_sum_ = 0.0;
  return stats;
}

void Sac::Save(Archive& archive) const {
  archive.PutBytes("agent/actor", ModuleBytes(*actor_));
  archive.PutBytes("agent/q1", ModuleBytes(*q1_));
  archive.PutBytes("agent/q2", ModuleBytes(*q2_));
  archive.PutBytes("agent/q1_target", ModuleBytes(*q1_target_));
  archive.PutBytes("agent/q2_target", ModuleBytes(*q2_target_));
  archive.PutBytes("agent/actor_optimizer", OptimizerBytes(*actor_optimizer_));
  archive.PutBytes("agent/critic_optimizer", OptimizerBytes(*critic_optimizer_));
  archive.PutBytes("agent/alpha_optimizer", OptimizerBytes(*alpha_optimizer_));
  archive.Put("agent/log_alpha", log_alpha_.item<double>());
  archive.Put("agent/replay_rng", replay_rng_);
  archive.Put("agent/update_rng", update_rng_);
  archive.Put("agent/env_steps", env_steps_);
  archive.Put("agent/updates", updates_);
  archive.Put("agent/window_updates", window_updates_);
  archive.Put("agent/critic_loss_sum", critic_loss_sum_);
  archive.Put("agent/actor_loss_sum", actor_loss_sum_);
  archive.Put("agent/q_sum", q_sum_);
  archive.Put("agent/entropy_sum", entropy_sum_);
  replay_.Save(archive, "replay/");
}

void Sac::Load(const Archive& archive) {
  LoadModuleBytes(*actor_, archive.GetBytes("agent/actor"), "the actor");
  LoadModuleBytes(*q1_, archive.GetBytes("agent/q1"), "critic 1");
  LoadModuleBytes(*q2_, archive.GetBytes("agent/q2"), "critic 2");
  LoadModuleBytes(*q1_target_, archive.GetBytes("agent/q1_target"), "target critic 1");
  LoadModuleBytes(*q2_target_, archive.GetBytes("agent/q2_target"), "target critic 2");
  LoadOptimizerBytes(*actor_optimizer_, archive.GetBytes("agent/actor_optimizer"), device_,
                     "actor optimiser");
  LoadOptimizerBytes(*critic_optimizer_, archive.GetBytes("agent/critic_optimizer"), device_,
                     "critic optimiser");
  LoadOptimizerBytes(*alpha_optimizer_, archive.GetBytes("agent/alpha_optimizer"), device_,
                     "temperature optimiser");
  {
    torch::NoGradGuard no_grad;
    log_alpha_.fill_(archive.Get<double>("agent/log_alpha"));
  }
  replay_rng_ = archive.Get<Rng>("agent/replay_rng");
  update_rng_ = archive.Get<Rng>("agent/update_rng");
  env_steps_ = archive.Get<int64_t>("agent/env_steps");
  updates_ = archive.Get<int64_t>("agent/updates");
  window_updates_ = archive.Get<int64_t>("agent/window_updates");
  critic_loss_sum_ = archive.Get<double>("agent/critic_loss_sum");
  actor_loss_sum_ = archive.Get<double>("agent/actor_loss_sum");
  q_sum_ = archive.Get<double>("agent/q_sum");
  entropy_sum_ = archive.Get<double>("agent/entropy_sum");
  replay_.Load(archive, "replay/");
}

}  // namespace qlab
