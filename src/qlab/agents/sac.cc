#include "qlab/agents/sac.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <sstream>

#include "qlab/agents/losses.h"
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
      .Float("agent.lr_end_scale", 1.0,
             "actor and critic learning rates decay linearly over training to this fraction of "
             "their start (1: constant; SimbaV2: 0.5)",
             {0.0, 1.0})
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
      .Float("agent.max_grad_norm", 0.0, "clip each network's gradient norm (0: off)", {0.0, kBig})
      .Float("agent.weight_decay", 0.0, "AdamW's decoupled weight decay (0: Adam)", {0.0, 10.0})
      .Bool("agent.clipped_double_q", true,
            "two critics, targets from their minimum (false: one critic, as SimbaV2 on DMC)")
      .String("agent.critic", "scalar",
              "scalar (MSE to the soft target) or categorical (SimbaV2's distributional critic)",
              {"scalar", "categorical"})
      .Int("agent.num_atoms", 101, "categorical critic: atoms", {2, 10000})
      .Float("agent.v_min", -5.0, "categorical critic: smallest atom", {-1e9, 1e9})
      .Float("agent.v_max", 5.0, "categorical critic: largest atom; reward scaling's G_max",
             {-1e9, 1e9})
      .Bool("agent.reward_scaling", false,
            "divide rewards by the running std of the discounted return, bounded by "
            "r_max / ((1 - gamma) v_max) (SimbaV2)")
      .IntList("agent.actor_widths", {},
               "actor's widths (empty: network.widths; SimBa's actors are narrower)", {.min = 1})
      .Int("agent.actor_simba_blocks", -1,
           "actor's simba / simbav2 blocks (-1: network.simba_blocks)", {-1, 64});
  schema.Int("replay.capacity", 1000000, "transitions kept (all envs)", {1, 2e9});
  NetworkOptions::AddKeys(schema);
  PlasticityOptions::AddKeys(schema);
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
  o.lr_end_scale = c.GetFloat("agent.lr_end_scale");
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
  o.weight_decay = c.GetFloat("agent.weight_decay");
  o.clipped_double_q = c.GetBool("agent.clipped_double_q");
  o.categorical = c.GetString("agent.critic") == "categorical";
  const CategoricalSupport support = CategoricalSupport::FromConfig(c);
  o.num_atoms = support.num_atoms;
  o.v_min = support.v_min;
  o.v_max = support.v_max;
  o.reward_scaling = c.GetBool("agent.reward_scaling");
  if (o.reward_scaling && o.v_max <= 0)
    throw UserError(
        fmt::format("agent.reward_scaling needs agent.v_max > 0 (G_max), got {}", o.v_max));
  o.replay = {.capacity = c.GetInt("replay.capacity"), .n_step = o.n_step, .gamma = o.gamma};
  o.network = NetworkOptions::FromConfig(c);
  if (o.network.head != "q")
    throw UserError(fmt::format("network.head = {}: SAC's networks take head = q", o.network.head));
  if (o.network.noisy) throw UserError("network.noisy = true: SAC explores by its own policy");
  o.plasticity = PlasticityOptions::FromConfig(c);
  if (o.plasticity.grow.enabled())
    throw UserError(
        "grow.initial_sparsity > 0: Neuroplastic Expansion is not available for sac "
        "(resets, redo and prune are)");
  o.actor_network = o.network;
  if (!c.GetIntList("agent.actor_widths").empty())
    o.actor_network.widths = c.GetIntList("agent.actor_widths");
  if (c.GetInt("agent.actor_simba_blocks") >= 0)
    o.actor_network.simba_blocks = c.GetInt("agent.actor_simba_blocks");
  return o;
}

namespace {

// Adam, or AdamW with decoupled weight decay
std::unique_ptr<torch::optim::Optimizer> MakeAdam(std::vector<torch::Tensor> params, double lr,
                                                  double eps, double weight_decay = 0.0) {
  if (weight_decay > 0.0)
    return std::make_unique<torch::optim::AdamW>(
        std::move(params), torch::optim::AdamWOptions(lr).eps(eps).weight_decay(weight_decay));
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
      update_rng_(DeriveSeed(context.seed, StreamId("update"))),
      diagnostics_rng_(DeriveSeed(context.seed, StreamId("diagnostics"))),
      total_env_steps_(context.total_env_steps) {
  if (options.reward_scaling)
    reward_scaler_ = RewardScaler(context.num_envs, options.gamma, options.v_max);
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
  actor_ = QNetwork(obs_shape_, 2 * dims_, options.actor_network);
  actor_->to(device_);
  const std::vector<int64_t> critic_input = {obs_shape_[0] + dims_};
  const int64_t critic_outputs = options.categorical ? options.num_atoms : 1;
  const int num_critics = options.clipped_double_q ? 2 : 1;
  for (int i = 0; i < num_critics; ++i) {
    critics_.push_back(QNetwork(critic_input, critic_outputs, options.network));
    critics_.back()->to(device_);
  }
  for (int i = 0; i < num_critics; ++i) {
    targets_.push_back(QNetwork(critic_input, critic_outputs, options.network));
    targets_.back()->to(device_);
    UpdateTarget(*targets_[i], *critics_[i], 1.0);
    for (auto& p : targets_[i]->parameters()) p.set_requires_grad(false);
  }
  if (options.categorical)
    support_ = torch::linspace(options.v_min, options.v_max, options.num_atoms).to(device_);
  log_alpha_ = torch::full({1}, std::log(std::max(options.initial_alpha, 1e-12)),
                           torch::TensorOptions().device(device_).requires_grad(true));
  std::vector<float> low(spec_.action_space.low), high(spec_.action_space.high);
  low_ = torch::tensor(low).to(device_);
  scale_ = ((torch::tensor(high) - torch::tensor(low)) / 2.0).to(device_);
  target_entropy_ = -options.target_entropy_scale * static_cast<double>(dims_);
  actor_optimizer_ =
      MakeAdam(actor_->parameters(), options.actor_lr, options.optimizer_eps, options.weight_decay);
  std::vector<torch::Tensor> critic_parameters;
  for (QNetwork& q : critics_)
    for (const auto& p : q->parameters()) critic_parameters.push_back(p);
  critic_optimizer_ =
      MakeAdam(critic_parameters, options.critic_lr, options.optimizer_eps, options.weight_decay);
  alpha_optimizer_ = MakeAdam({log_alpha_}, options.alpha_lr, options.optimizer_eps);
  batch_ = replay_.MakeBatch(options.batch_size);
  // one toolkit per network, each on its own random stream
  plasticity_.push_back(std::make_unique<Plasticity>(options.plasticity, actor_, QNetwork(nullptr),
                                                     DeriveSeed(context.seed, StreamId("actor"))));
  for (size_t i = 0; i < critics_.size(); ++i)
    plasticity_.push_back(
        std::make_unique<Plasticity>(options.plasticity, critics_[i], targets_[i],
                                     DeriveSeed(context.seed, StreamId("critic") + i)));
  if (options.plasticity.diagnostics_batch > 0)
    diagnostics_batch_ = replay_.MakeBatch(static_cast<int>(options.plasticity.diagnostics_batch));
}

std::string Sac::Describe() const {
  return fmt::format(
      "sac: actor {} parameters, critics {} x {} ({} torso{}), |A| = {}, replay {} transitions "
      "({:.1f} MiB)",
      actor_->num_parameters(), critics_.size(), critics_[0]->num_parameters(),
      options_.network.torso,
      options_.categorical ? fmt::format(", {} atoms", options_.num_atoms) : "", dims_,
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
  for (QNetwork& q : critics_)
    for (auto& p : q->parameters()) p.set_requires_grad(trainable);
}

torch::Tensor Sac::CriticOut(QNetwork& q, const torch::Tensor& obs,
                             const torch::Tensor& unit_action) {
  // one "action" per output: [B, atoms, 1] or [B, 1, 1]
  const torch::Tensor out = q->forward(torch::cat({obs, unit_action}, /*dim=*/1));
  return options_.categorical ? out.flatten(1) : out.view({-1});
}

torch::Tensor Sac::Critic(QNetwork& q, const torch::Tensor& obs, const torch::Tensor& unit_action) {
  const torch::Tensor out = CriticOut(q, obs, unit_action);
  return options_.categorical ? (torch::softmax(out, 1) * support_).sum(1) : out;
}

torch::Tensor Sac::MinQ(std::vector<QNetwork>& critics, const torch::Tensor& obs,
                        const torch::Tensor& unit_action, torch::Tensor* probs) {
  if (!options_.categorical) {
    torch::Tensor q = Critic(critics[0], obs, unit_action);
    for (size_t i = 1; i < critics.size(); ++i)
      q = torch::min(q, Critic(critics[i], obs, unit_action));
    return q;
  }
  torch::Tensor p = torch::softmax(CriticOut(critics[0], obs, unit_action), 1);
  torch::Tensor q = (p * support_).sum(1);
  for (size_t i = 1; i < critics.size(); ++i) {
    const torch::Tensor p_i = torch::softmax(CriticOut(critics[i], obs, unit_action), 1);
    const torch::Tensor q_i = (p_i * support_).sum(1);
    const torch::Tensor lower = (q_i < q).unsqueeze(1);
    p = torch::where(lower, p_i, p);  // the whole distribution of the lower-mean critic
    q = torch::min(q, q_i);
  }
  if (probs != nullptr) *probs = p;
  return q;
}

torch::Tensor Sac::MeanAction(const torch::Tensor& obs) {
  torch::NoGradGuard no_grad;
  return ToEnv(GreedyUnit(obs.to(device_))).cpu();
}

torch::Tensor Sac::QValue(const torch::Tensor& obs, const torch::Tensor& actions) {
  torch::NoGradGuard no_grad;
  const torch::Tensor o = obs.to(device_), a = ToUnit(actions.to(device_));
  return MinQ(critics_, o, a).cpu();
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
  for (QNetwork& q : critics_) q->ObserveInputs(torch::cat({x, a}, /*dim=*/1));
}

void Sac::ObserveBox(const uint8_t* obs, std::span<const float> actions, const StepBatch& next) {
  replay_.AddBox(obs, actions, next);
  env_steps_ += next.num_envs;
  if (options_.reward_scaling) {
    done_.resize(next.num_envs);
    for (int i = 0; i < next.num_envs; ++i) done_[i] = next.done(i);
    reward_scaler_.Observe(next.reward, done_);
  }
  if (env_steps_ < options_.min_replay_history) return;
  const double ratio = options_.updates_per_step / static_cast<double>(options_.update_period);
  const auto due = static_cast<int64_t>(
      std::floor(static_cast<double>(env_steps_ - options_.min_replay_history) * ratio));
  while (updates_ < due && replay_.num_sampleable() > 0) Update();
}

double Sac::TrainingProgress() const {
  return total_env_steps_ > 0 ? std::min(1.0, static_cast<double>(env_steps_) /
                                                  static_cast<double>(total_env_steps_))
                              : 0.0;
}

// SimbaV2's linear decay (Lee et al. 2025): derived from the env step count alone, so a resumed run
// continues on the same rates.
void Sac::DecayLearningRates() {
  if (options_.lr_end_scale == 1.0) return;
  const double scale = 1.0 - (1.0 - options_.lr_end_scale) * TrainingProgress();
  for (auto& group : actor_optimizer_->param_groups())
    group.options().set_lr(options_.actor_lr * scale);
  for (auto& group : critic_optimizer_->param_groups())
    group.options().set_lr(options_.critic_lr * scale);
}

void Sac::Update() {
  DecayLearningRates();
  replay_.Sample(replay_rng_, /*beta=*/1.0, batch_);
  const int64_t b = batch_.size;
  const torch::Tensor obs = ObsTensor(batch_.obs.data(), b);
  const torch::Tensor next_obs = ObsTensor(batch_.next_obs.data(), b);
  const torch::Tensor action =
      ToUnit(HostToDevice(batch_.box_action.data(), {b, dims_}, torch::kFloat32, device_));
  torch::Tensor reward = HostToDevice(batch_.reward.data(), {b}, torch::kFloat32, device_);
  if (options_.reward_scaling) reward = reward / reward_scaler_.divisor();
  const torch::Tensor discount =
      HostToDevice(batch_.discount.data(), {b}, torch::kFloat32, device_);
  const torch::Tensor alpha = log_alpha_.detach().exp();

  // critics: soft Bellman targets from the clipped double Q of the targets
  torch::Tensor target;  // scalar: soft TD target [B]; categorical: projected target [B, atoms]
  {
    torch::NoGradGuard no_grad;
    const auto [next_action, next_log_prob] = Sample(next_obs, Noise(b, update_rng_));
    if (options_.categorical) {
      // r + d (z - alpha log pi') = (r - d alpha log pi') + d z: the entropy bonus moves the atoms
      torch::Tensor next_probs;
      MinQ(targets_, next_obs, next_action, &next_probs);
      target = CategoricalProjection(support_, next_probs,
                                     reward - discount * alpha * next_log_prob, discount);
    } else {
      target = reward + discount * (MinQ(targets_, next_obs, next_action) - alpha * next_log_prob);
    }
  }
  torch::Tensor critic_loss = torch::zeros({}, obs.options());
  torch::Tensor q1;
  for (QNetwork& q : critics_) {
    const torch::Tensor out = CriticOut(q, obs, action);
    critic_loss = critic_loss + (options_.categorical ? CategoricalLoss(out, target).mean()
                                                      : torch::mse_loss(out, target));
    if (!q1.defined())
      q1 =
          options_.categorical ? (torch::softmax(out.detach(), 1) * support_).sum(1) : out.detach();
  }
  critic_optimizer_->zero_grad();
  critic_loss.backward();
  for (QNetwork& q : critics_) {
    if (options_.max_grad_norm > 0.0)
      torch::nn::utils::clip_grad_norm_(q->parameters(), options_.max_grad_norm);
  }
  critic_optimizer_->step();
  for (QNetwork& q : critics_) q->ProjectWeights();

  // actor: maximise min Q - alpha log pi on fresh reparameterised actions; the critics are held
  // fixed, so the backward pass computes no critic weight gradients it would throw away
  const auto [new_action, log_prob] = Sample(obs, Noise(b, update_rng_));
  SetCriticsTrainable(false);
  const torch::Tensor q_new = MinQ(critics_, obs, new_action);
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
    for (size_t i = 0; i < critics_.size(); ++i)
      UpdateTarget(*targets_[i], *critics_[i], options_.tau);
  }
  ++updates_;
  AfterUpdate(obs, action);
  const double critic_value = critic_loss.item<double>();
  const double q_value = q1.mean().item<double>();
  if (!std::isfinite(critic_value) || !std::isfinite(q_value))
    throw DivergedError(
        fmt::format("critic loss {} / mean Q {} at update {}", critic_value, q_value, updates_));
  critic_loss_sum_ += critic_value;
  actor_loss_sum_ += actor_loss.item<double>();
  q_sum_ += q_value;
  entropy_sum_ += -log_prob.detach().mean().item<double>();
  ++window_updates_;
}

void Sac::AfterUpdate(const torch::Tensor& obs, const torch::Tensor& unit_action) {
  const double progress = TrainingProgress();
  const auto capture = [](QNetwork& net, const torch::Tensor& input) {
    return [&net, &input] {  // ReDo's scores on this update's batch
      torch::NoGradGuard no_grad;
      net->set_capture(true);
      net->forward(input);
      net->set_capture(false);
    };
  };
  plasticity_[0]->AfterStep(updates_, progress, *actor_optimizer_, capture(actor_, obs));
  const torch::Tensor critic_input = torch::cat({obs, unit_action}, /*dim=*/1);
  for (size_t i = 0; i < critics_.size(); ++i)
    plasticity_[i + 1]->AfterStep(updates_, progress, *critic_optimizer_,
                                  capture(critics_[i], critic_input));
}

void Sac::AddDiagnostics(TrainStats& stats) {
  if (diagnostics_batch_.size == 0 || replay_.num_sampleable() == 0) return;
  replay_.Sample(diagnostics_rng_, /*beta=*/1.0, diagnostics_batch_);
  const int64_t rows = diagnostics_batch_.size;
  const torch::Tensor obs = ObsTensor(diagnostics_batch_.obs.data(), rows);
  const torch::Tensor action = ToUnit(
      HostToDevice(diagnostics_batch_.box_action.data(), {rows, dims_}, torch::kFloat32, device_));
  for (const auto& [name, value] : plasticity_[0]->Diagnostics(obs))
    stats.diagnostics.emplace_back("actor_" + name, value);
  // the first critic speaks for both (same architecture, same data)
  for (const auto& [name, value] : plasticity_[1]->Diagnostics(torch::cat({obs, action}, 1)))
    stats.diagnostics.emplace_back("critic_" + name, value);
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
      "parameters",
      static_cast<double>(actor_->num_parameters() +
                          static_cast<int64_t>(critics_.size()) * critics_[0]->num_parameters()));
  if (options_.reward_scaling) stats.diagnostics.emplace_back("reward_divisor", reward_divisor());
  if (options_.lr_end_scale != 1.0)
    stats.diagnostics.emplace_back("critic_lr",
                                   critic_optimizer_->param_groups()[0].options().get_lr());
  AddDiagnostics(stats);
  window_updates_ = 0;
  critic_loss_sum_ = actor_loss_sum_ = q_sum_ = entropy_sum_ = 0.0;
  return stats;
}

void Sac::Save(Archive& archive) const {
  archive.PutBytes("agent/actor", ModuleBytes(*actor_));
  for (size_t i = 0; i < critics_.size(); ++i) {
    archive.PutBytes(fmt::format("agent/q{}", i + 1), ModuleBytes(*critics_[i]));
    archive.PutBytes(fmt::format("agent/q{}_target", i + 1), ModuleBytes(*targets_[i]));
  }
  if (options_.reward_scaling) {
    archive.Put("agent/reward_scaler", reward_scaler_.state());
    archive.PutVector("agent/reward_scaler_returns", reward_scaler_.returns());
  }
  archive.PutBytes("agent/actor_optimizer", OptimizerBytes(*actor_optimizer_));
  archive.PutBytes("agent/critic_optimizer", OptimizerBytes(*critic_optimizer_));
  archive.PutBytes("agent/alpha_optimizer", OptimizerBytes(*alpha_optimizer_));
  archive.Put("agent/log_alpha", log_alpha_.item<double>());
  archive.Put("agent/replay_rng", replay_rng_);
  archive.Put("agent/update_rng", update_rng_);
  archive.Put("agent/diagnostics_rng", diagnostics_rng_);
  for (size_t i = 0; i < plasticity_.size(); ++i)
    plasticity_[i]->Save(archive,
                         i == 0 ? "plasticity/actor/" : fmt::format("plasticity/critic{}/", i));
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
  for (size_t i = 0; i < critics_.size(); ++i) {
    LoadModuleBytes(*critics_[i], archive.GetBytes(fmt::format("agent/q{}", i + 1)),
                    fmt::format("critic {}", i + 1));
    LoadModuleBytes(*targets_[i], archive.GetBytes(fmt::format("agent/q{}_target", i + 1)),
                    fmt::format("target critic {}", i + 1));
  }
  if (options_.reward_scaling) {
    std::vector<double> returns(reward_scaler_.returns().size());
    archive.GetVector("agent/reward_scaler_returns", returns);
    reward_scaler_.Restore(archive.Get<RewardScaler::State>("agent/reward_scaler"),
                           std::move(returns));
  }
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
  diagnostics_rng_ = archive.Get<Rng>("agent/diagnostics_rng");
  for (size_t i = 0; i < plasticity_.size(); ++i)
    plasticity_[i]->Load(archive,
                         i == 0 ? "plasticity/actor/" : fmt::format("plasticity/critic{}/", i));
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
