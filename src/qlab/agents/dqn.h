// DQN (Mnih et al. 2015, "Human-level control through deep reinforcement learning") with the
// options of the family: double Q-learning (van Hasselt et al. 2016), dueling heads (Wang et al.
// 2016), n-step returns, prioritized replay (Schaul et al. 2016), Huber or MSE loss, Adam /
// RMSProp (centered) / AdamW / SGD, gradient clipping, hard or Polyak target updates, linear
// epsilon schedules, and the replay ratio (`updates_per_step` / `update_period`, fractional).
//
// Schedules count env steps over all envs (as Dopamine's and CleanRL's counters do with one env):
//   epsilon(t) = end + (start - end) * clip(1 - (t - decay_start) / decay_steps, 0, 1)
//   updates due at t >= min_replay_history: floor((t - min_replay_history) * updates_per_step /
//                                                  update_period)
//   target: every target_update_period env steps target <- tau * online + (1 - tau) * target
//           (tau = 1: hard copy; period 0: after every update)
//   beta (prioritized): beta_start -> beta_end linearly over beta_steps env steps
#pragma once

#include <memory>
#include <string>

#include "qlab/agents/agent.h"
#include "qlab/agents/obs_stacker.h"
#include "qlab/nets/network.h"
#include "qlab/replay/replay_buffer.h"

namespace qlab {

struct DqnOptions {
  double gamma = 0.99;
  int n_step = 1;
  int batch_size = 32;
  bool double_q = false;
  std::string loss = "mse";
  std::string optimizer = "adam";
  double lr = 2.5e-4;
  double optimizer_eps = 3.125e-4;
  double rmsprop_alpha = 0.95;
  bool rmsprop_centered = true;
  double momentum = 0.0;
  double weight_decay = 0.0;
  double max_grad_norm = 0.0;  // 0: no clipping
  int64_t target_update_period = 1000;
  double tau = 1.0;
  int64_t update_period = 4;
  double updates_per_step = 1.0;
  int64_t min_replay_history = 1000;
  double epsilon_start = 1.0, epsilon_end = 0.01;
  int64_t epsilon_decay_steps = 250000;
  int64_t epsilon_decay_start = -1;  // -1: min_replay_history
  double epsilon_eval = 0.001;
  int frame_stack = 1;
  ReplayOptions replay;
  double beta_start = 0.4, beta_end = 1.0;
  int64_t beta_steps = 0;  // 0: constant beta_start
  NetworkOptions network;

  static void AddKeys(ConfigSchema& schema);  // [agent], [replay] and [network]
  static DqnOptions FromConfig(const Config& config);
};

class Dqn : public Agent {
 public:
  Dqn(const AgentContext& context, const DqnOptions& options);

  void Act(const uint8_t* obs, std::span<const uint8_t> episode_start, ActMode mode, Rng& rng,
           std::span<int32_t> actions) override;
  void Observe(const uint8_t* obs, std::span<const int32_t> actions,
               const StepBatch& next) override;
  TrainStats TakeStats() override;
  int64_t updates() const override { return updates_; }
  void Save(Archive& archive) const override;
  void Load(const Archive& archive) override;
  std::string Describe() const override;

  double Epsilon() const;  // training epsilon at the current env step
  QNetwork& online() { return online_; }
  const ReplayBuffer& replay() const { return replay_; }

 private:
  void Update();
  torch::Tensor ObsTensor(float* data, int rows) const;  // [rows, input_shape_...], no copy

  DqnOptions options_;
  EnvSpec spec_;
  int num_actions_;
  std::vector<int64_t> input_shape_;  // [stack * C, H, W] or [stack * D]
  QNetwork online_{nullptr}, target_{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  ReplayBuffer replay_;
  ReplayBatch batch_;
  Rng replay_rng_;
  ObsStacker train_stacker_, eval_stacker_;
  std::vector<uint8_t> explore_;

  int64_t env_steps_ = 0;
  int64_t updates_ = 0;
  int64_t target_syncs_ = 0;
  // statistics window
  int64_t window_updates_ = 0;
  double loss_sum_ = 0.0, q_sum_ = 0.0;
};

}  // namespace qlab
