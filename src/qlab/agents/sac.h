// SAC: soft actor-critic for Box action spaces (Haarnoja et al. 2018, "Soft Actor-Critic
// Algorithms and Applications": tanh-squashed Gaussian policy, clipped double Q with Polyak
// targets, automatic entropy tuning toward target entropy -|A|).
//
// Networks are qlab's QNetwork (nets/network.h) with the [network] keys, so the critic and actor
// torsos are `mlp`, `simba` or `simbav2` (Lee et al. 2024 / 2025) like every other agent's
// (agent.actor_widths / actor_simba_blocks size the actor apart, as SimBa's small actors):
//   actor  s -> [mean, log_std] (2 |A| outputs), log_std squashed into [log_std_min, log_std_max]
//   critic (s, a) -> Q, two of them (clipped double Q) or one, each with a Polyak-averaged target
// SimbaV2's critic (Lee et al. 2025): agent.critic = categorical makes each critic a return
// distribution on num_atoms atoms in [v_min, v_max], trained by cross-entropy to the projected
// soft target r + gamma (z - alpha log pi') of the target critic with the lower mean; with
// agent.reward_scaling rewards are divided by the running std of the discounted return
// (reward_scaler.h), bounded so returns fit [-v_max, v_max].
// The scaling toolkit applies to actor and critics alike, each network on its own schedule
// state: resets (Nikishin et al. 2022 reset SAC's actor and critics entirely every reset.period
// updates: reset.layers at least the networks' layer count), ReDo, gradual magnitude pruning, and
// the per-iteration diagnostics (logged as actor_* and critic_*). The temperature is not reset.
// Actions are stored in replay as the env took them and enter the critic rescaled to [-1, 1].
// Every Gaussian draw comes from qlab's Rng streams on the host (acting: the runner's stream;
// updates: the agent's), so runs are reproducible and resume exactly.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "qlab/agents/agent.h"
#include "qlab/agents/reward_scaler.h"
#include "qlab/nets/network.h"
#include "qlab/plasticity/plasticity.h"
#include "qlab/replay/replay_buffer.h"

namespace qlab {

struct SacOptions {
  double gamma = 0.99;
  int n_step = 1;
  int batch_size = 256;
  double actor_lr = 3e-4, critic_lr = 1e-3, alpha_lr = 1e-3;
  double lr_end_scale = 1.0;  // actor and critic rates at the end of training, as a fraction
  double optimizer_eps = 1e-8;
  double tau = 0.005;
  double initial_alpha = 1.0;
  bool autotune = true;
  double target_entropy_scale = 1.0;  // target entropy = -scale * |A|
  int64_t update_period = 1;
  double updates_per_step = 1.0;      // the UTD ratio
  int64_t min_replay_history = 5000;  // uniform random actions until then
  double log_std_min = -5.0, log_std_max = 2.0;
  double max_grad_norm = 0.0;
  double weight_decay = 0.0;     // > 0: AdamW (decoupled, Loshchilov & Hutter 2019)
  bool clipped_double_q = true;  // false: one critic
  bool categorical = false;      // SimbaV2's distributional critic
  int num_atoms = 101;
  double v_min = -5.0, v_max = 5.0;
  bool reward_scaling = false;  // SimbaV2's reward scaling, G_max = v_max
  ReplayOptions replay;
  NetworkOptions network;        // critics
  NetworkOptions actor_network;  // network with the actor's widths and blocks
  PlasticityOptions plasticity;  // [prune], [redo], [reset], [diagnostics]: each network

  static void AddKeys(ConfigSchema& schema);
  static SacOptions FromConfig(const Config& config);
};

class Sac : public Agent {
 public:
  Sac(const AgentContext& context, const SacOptions& options);

  void Act(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode, Rng& rng,
           std::span<int32_t> actions) override;
  void Observe(const uint8_t* obs, std::span<const int32_t> actions,
               const StepBatch& next) override;
  void ActBox(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode, Rng& rng,
              std::span<float> actions) override;
  void ObserveBox(const uint8_t* obs, std::span<const float> actions,
                  const StepBatch& next) override;
  TrainStats TakeStats() override;
  int64_t updates() const override { return updates_; }
  void Save(Archive& archive) const override;
  void Load(const Archive& archive) override;
  std::string Describe() const override;
  int64_t num_parameters() const override { return actor_->num_parameters(); }
  double reward_divisor() const { return reward_scaler_.divisor(); }

  // Deterministic policy (tanh of the mean) in the env's units, [B, |A|], for observations
  // [B, obs...] on the host.
  torch::Tensor MeanAction(const torch::Tensor& obs);
  // min(Q1, Q2) of observations [B, obs...] and env-unit actions [B, |A|].
  torch::Tensor QValue(const torch::Tensor& obs, const torch::Tensor& actions);
  double alpha() const;

 private:
  // Reparameterised draw: action in [-1, 1]^|A| and its log-probability [B], from noise [B, |A|].
  std::pair<torch::Tensor, torch::Tensor> Sample(const torch::Tensor& obs,
                                                 const torch::Tensor& noise);
  torch::Tensor Noise(int64_t rows, Rng& rng) const;   // standard normal, drawn on the host
  torch::Tensor GreedyUnit(const torch::Tensor& obs);  // tanh of the policy mean, in [-1, 1]
  void SetCriticsTrainable(bool trainable);
  // The critic's output: Q [B] (scalar critics) or logits [B, atoms] (categorical ones).
  torch::Tensor CriticOut(QNetwork& q, const torch::Tensor& obs, const torch::Tensor& unit_action);
  torch::Tensor Critic(QNetwork& q, const torch::Tensor& obs, const torch::Tensor& unit_action);
  // Q of every critic (min over clipped double Q) [B], and for categorical critics the target
  // distribution [B, atoms] of the critic with the lower mean per sample.
  torch::Tensor MinQ(std::vector<QNetwork>& critics, const torch::Tensor& obs,
                     const torch::Tensor& unit_action, torch::Tensor* probs = nullptr);
  torch::Tensor ToUnit(const torch::Tensor& env_action) const;  // env box -> [-1, 1]
  torch::Tensor ToEnv(const torch::Tensor& unit_action) const;  // [-1, 1] -> env box
  torch::Tensor ObsTensor(const float* data, int64_t rows) const;
  // SimBa torsos: the acted observations (and actions, for the critics) into their statistics
  void ObserveInputs(const uint8_t* obs, std::span<const float> actions);
  void Update();
  // Resets, ReDo and pruning of every network after update number updates_.
  void AfterUpdate(const torch::Tensor& obs, const torch::Tensor& unit_action);
  double TrainingProgress() const;  // env steps so far / the run's, in [0, 1]
  void DecayLearningRates();
  void AddDiagnostics(TrainStats& stats);

  SacOptions options_;
  torch::Device device_;
  EnvSpec spec_;
  int64_t dims_;
  std::vector<int64_t> obs_shape_;
  QNetwork actor_{nullptr};
  std::vector<QNetwork> critics_, targets_;  // one or two (clipped double Q)
  torch::Tensor support_;                    // categorical critics: the atoms [atoms]
  RewardScaler reward_scaler_;
  std::vector<std::unique_ptr<Plasticity>> plasticity_;  // actor's, then each critic's
  torch::Tensor log_alpha_;
  torch::Tensor low_, scale_;  // env action = low + (unit + 1) * scale
  std::unique_ptr<torch::optim::Optimizer> actor_optimizer_, critic_optimizer_, alpha_optimizer_;
  double target_entropy_;
  ReplayBuffer replay_;
  ReplayBatch batch_;
  Rng replay_rng_, update_rng_, diagnostics_rng_;
  ReplayBatch diagnostics_batch_;
  int64_t total_env_steps_ = 0;
  std::vector<float> obs_buffer_;  // observations converted to float for acting
  std::vector<uint8_t> done_;      // per-env episode ends of the last step (reward scaling)

  int64_t env_steps_ = 0;
  int64_t updates_ = 0;
  // statistics window
  int64_t window_updates_ = 0;
  double critic_loss_sum_ = 0.0, actor_loss_sum_ = 0.0, q_sum_ = 0.0, entropy_sum_ = 0.0;
};

}  // namespace qlab
