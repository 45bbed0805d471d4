// The DQN family: one agent, six registered variants that differ in what the network predicts per
// action and how the target is built (everything else -- replay, schedules, optimiser, acting,
// checkpoints -- is shared):
//   dqn      DQN (Mnih et al. 2015): Q-values, regression to r + discount * max_a Q'(s', a).
//   mdqn     Munchausen DQN (Vieillard et al. 2020): DQN with the soft, log-policy-bonus target.
//   c51      C51 (Bellemare et al. 2017): categorical return distribution on `num_atoms` atoms in
//            [v_min, v_max], projected target, cross-entropy loss.
//   rainbow  Rainbow (Hessel et al. 2018): c51 whose defaults switch on n-step (3), prioritized
//            replay, dueling, noisy nets and double Q -- each one key, so every ablation of
//            "Revisiting Rainbow" (Obando-Ceron & Castro 2021) is one --set.
//   qrdqn    QR-DQN (Dabney et al. 2018a): `num_quantiles` quantiles at fixed midpoints, quantile
//            Huber loss (kappa).
//   iqn      IQN (Dabney et al. 2018b): quantiles at sampled fractions through a cosine embedding
//            (N online, N' target, K for acting).
// The data-efficient line (Atari 100k; here MinAtar-100k, docs/sample_efficient.md):
//   der      Data-Efficient Rainbow (van Hasselt et al. 2019, as Dopamine's atari_100k DER.gin):
//            rainbow updated every env step, n = 10, target every 2000 steps, lr 1e-4.
//   drq_eps  DrQ(eps) (Kostrikov et al. 2021 with the epsilons of Agarwal et al. 2021): dqn with
//            random-shift augmentation of s and s', double + dueling, n = 10, no target lag.
//   spr      SPR (Schwarzer et al. 2021): der + shift/intensity augmentation + the
//            self-predictive loss (nets/spr.h) over K = 5 steps, weight 2, target = online.
//   bbf      BBF (Schwarzer et al. 2023, "Bigger, Better, Faster"): spr without noisy nets on a
//            4x-wide IMPALA torso with a 2048-unit layer, 8 updates per env step, AdamW (weight
//            decay 0.1), EMA target (tau 0.005 after every update) that also picks the actions,
//            resets every 40k updates (encoder and transition model shrunk-and-perturbed 50 %,
//            the later layers and SPR heads drawn afresh), and after each reset n annealed
//            10 -> 3 and gamma 0.97 -> 0.997 over 10k updates. Each ingredient is one key.
// Reincarnation:
//   qdagger  QDagger (Agarwal et al. 2022): dqn pretrained on a teacher run's replay with TD +
//            distillation, then online with the distillation weight decayed (agents/teacher.h).
// Augmentation (nets/augment.h, `augment.kind`), the SPR loss (`spr.steps` > 0) and a teacher
// (`teacher.run`) are keys of the whole family, so every one of these ablations is one --set.
// Options of the whole family: double Q-learning (van Hasselt et al. 2016; for distributional
// agents the next action is the online network's greedy one), dueling heads (Wang et al. 2016),
// noisy nets (Fortunato et al. 2018; noise resampled before every acting step and every update,
// switched off in evaluation), n-step returns, prioritized replay (Schaul et al. 2016; priority =
// |TD error| for Q-values, the per-sample loss for distributions, as Dopamine), Huber or MSE loss,
// Adam / RMSProp (centered) / AdamW / SGD, gradient clipping, hard or Polyak target updates, linear
// epsilon schedules, and the replay ratio (`updates_per_step` / `update_period`, fractional).
//
// Schedules count env steps over all envs (as Dopamine's and CleanRL's counters do with one env):
//   epsilon(t) = end + (start - end) * clip(1 - (t - decay_start) / decay_steps, 0, 1)
//   updates due at t >= min_replay_history: floor((t - min_replay_history) * updates_per_step /
//                                                  update_period)
//   target: every target_update_period env steps target <- tau * online + (1 - tau) * target
//           (tau = 1: hard copy; period 0: after every update)
//   beta (prioritized): beta_start -> beta_end linearly over beta_steps env steps
//   n-step and gamma annealing (anneal_steps > 0; BBF), u = updates since the last reset (or the
//           start) / anneal_steps clipped to [0, 1], exponential as the BBF code:
//           n = round(n_start * (n / n_start)^u),
//           1 - gamma_u = (1 - gamma_start) * ((1 - gamma) / (1 - gamma_start))^u
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "qlab/agents/agent.h"
#include "qlab/agents/obs_stacker.h"
#include "qlab/agents/teacher.h"
#include "qlab/nets/augment.h"
#include "qlab/nets/minatar_cnn_kernel.h"
#include "qlab/nets/network.h"
#include "qlab/nets/spr.h"
#include "qlab/plasticity/plasticity.h"
#include "qlab/replay/replay_buffer.h"

namespace qlab {

// What the network predicts per action.
enum class ValueKind { kScalar, kCategorical, kQuantile, kImplicitQuantile };

struct DqnOptions {
  std::string variant = "dqn";  // dqn, mdqn, c51, rainbow, qrdqn, iqn, der, drq_eps or spr
  ValueKind kind = ValueKind::kScalar;
  double gamma = 0.99;
  int n_step = 1;
  int64_t anneal_steps = 0;      // 0: n_step and gamma fixed
  int n_step_start = 1;          // annealed from (resolved: the key's 0 = n_step)
  double gamma_start = 0.99;     // annealed from (resolved: the key's -1 = gamma)
  bool act_with_target = false;  // BBF: the EMA target network picks the actions
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
  PlasticityOptions plasticity;
  AugmentOptions augment;
  SprOptions spr;
  TeacherOptions teacher;
  // Munchausen (mdqn)
  bool munchausen = false;
  double munchausen_alpha = 0.9, munchausen_tau = 0.03, munchausen_clip = -1.0;
  // categorical (c51, rainbow)
  int num_atoms = 51;
  double v_min = -10.0, v_max = 10.0;
  // quantiles (qrdqn: num_quantiles; iqn: N, N', K and the embedding size)
  int num_quantiles = 200;
  double kappa = 1.0;
  int num_tau_samples = 64, num_tau_prime_samples = 64, num_quantile_samples = 32;
  int quantile_embedding_dim = 64;

  // [agent], [replay] and [network] keys of `variant`, with its defaults.
  static void AddKeys(ConfigSchema& schema, const std::string& variant = "dqn");
  static DqnOptions FromConfig(const Config& config, const std::string& variant = "dqn");
};

// (n, gamma) at annealing progress u in [0, 1]: n_step_start -> n_step, gamma_start -> gamma.
std::pair<int, double> AnnealedReturns(const DqnOptions& options, double u);

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
  void Prepare(const std::function<void(int64_t, int64_t)>& progress) override;
  std::string Describe() const override;
  int64_t num_parameters() const override { return online_->num_parameters(); }

  double Epsilon() const;  // training epsilon at the current env step
  // n-step horizon and discount of the next update (annealed after resets; fixed without).
  std::pair<int, double> ReturnHorizon() const;
  // Expected action values [B, A] of observations [B, input...] (IQN: K fractions from `rng`).
  torch::Tensor QValues(const torch::Tensor& obs, Rng& rng);
  QNetwork& online() { return online_; }
  // Support of the categorical variants (empty otherwise).
  const torch::Tensor& support() const { return support_; }
  const ReplayBuffer& replay() const { return replay_; }
  // Whether acting and updates run on the hand-written kernel (network.kernel = auto and a
  // configuration it covers: see KernelUnsupported in dqn.cc).
  bool uses_kernel() const { return online_kernel_ != nullptr; }

 private:
  // Per-sample loss (with gradient), priority and Q of the taken action of one sampled batch.
  struct BatchLoss {
    torch::Tensor loss, priority, q_taken;
  };
  struct Batch {
    torch::Tensor obs, next_obs, action, reward, discount;
    torch::Tensor online_out;  // the online network's output at obs, when already computed
  };
  void LoadTeacher(const AgentContext& context);  // QDagger: the teacher from its run
  void Update();  // one online update on a batch of the agent's replay
  // One optimiser step on a sampled batch: online (schedules, priorities, statistics) or
  // pretraining on the teacher's replay.
  void Learn(ReplayBatch& rb, bool online);
  void SyncTarget();  // target network (and SPR's target projection) toward the online ones
  // online_->forward(b.obs), unless the update already computed it
  torch::Tensor OnlineOutput(const Batch& b);
  // Per-sample SPR loss [B] from the online latents of the batch's (augmented) observations.
  torch::Tensor SprLossOf(const torch::Tensor& latent, ReplayBatch& rb);
  BatchLoss ScalarLoss(const Batch& b);
  // ScalarLoss's loss and gradients on the hand-written kernel: writes the online network's
  // .grad() and returns the priorities and Q(s, a) (no per-sample loss); `loss` is the batch's
  // (weighted) mean.
  BatchLoss KernelLoss(const ReplayBatch& rb, torch::Tensor& loss);
  BatchLoss CategoricalLossOf(const Batch& b);
  BatchLoss QuantileLoss(const Batch& b);
  BatchLoss ImplicitQuantileLoss(const Batch& b);
  // Target network's output [B, atoms] at s' for the greedy next action (chosen by the online
  // network with double_q, else by the target network).
  torch::Tensor NextGreedyOutput(const Batch& b);
  // Expected values [B, A] of a network output [B, A, atoms].
  torch::Tensor Expected(const torch::Tensor& out) const;
  torch::Tensor SampleTaus(int64_t rows, int64_t n, Rng& rng);
  // [rows, input_shape_...] on the training device (no copy on the CPU)
  torch::Tensor ObsTensor(float* data, int rows) const;
  void AddDiagnostics(TrainStats& stats);

  DqnOptions options_;
  torch::Device device_;  // where networks and batches live (run.device)
  EnvSpec spec_;
  int num_actions_;
  std::vector<int64_t> input_shape_;  // [stack * C, H, W] or [stack * D]
  QNetwork online_{nullptr}, target_{nullptr};
  std::unique_ptr<MinatarCnnKernel> online_kernel_, target_kernel_;             // null: libtorch
  std::vector<float> kernel_q_, kernel_next_, kernel_next_online_, kernel_dq_;  // [B, A] each
  std::vector<float> kernel_priority_, kernel_q_taken_;                         // [B] each
  SprModel spr_{nullptr}, spr_target_{nullptr};
  std::vector<torch::Tensor> trainable_;  // online network, then the SPR model
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  ReplayBuffer replay_;
  ReplayBatch batch_;
  Rng replay_rng_;
  Rng update_rng_;  // noise and IQN fractions of updates
  torch::Tensor support_, midpoints_;
  ObsStacker train_stacker_, eval_stacker_;
  std::unique_ptr<Plasticity> plasticity_;
  // QDagger: the teacher (its weights and replay, from its run's checkpoint) and lambda_t
  std::unique_ptr<Dqn> teacher_;
  ReplayBatch teacher_batch_;
  std::unique_ptr<DistillationSchedule> distill_;
  Rng teacher_rng_;  // pretraining batches from the teacher's replay
  Rng diagnostics_rng_;
  ReplayBatch diagnostics_batch_;
  int64_t total_env_steps_ = 0;
  double flops_per_update_ = 0.0;
  std::vector<uint8_t> explore_;
  std::vector<int32_t> greedy_;

  int64_t env_steps_ = 0;
  int64_t updates_ = 0;
  int64_t target_syncs_ = 0;
  int64_t anneal_start_ = 0;  // update count of the last reset (the annealing restarts there)
  // statistics window
  int64_t window_updates_ = 0;
  double loss_sum_ = 0.0, q_sum_ = 0.0, grad_norm_sum_ = 0.0, spr_loss_sum_ = 0.0;
  int64_t grad_norm_count_ = 0;  // updates whose gradient norm is in grad_norm_sum_
  double spr_cosine_sum_ = 0.0;  // SPR: mean cosine over valid steps, per update
  int64_t spr_cosine_count_ = 0;
  double distill_loss_sum_ = 0.0, distill_weight_sum_ = 0.0;
  int64_t reviewed_batches_ = 0;  // experience-review batches of the window (Neuroplastic Exp.)
};

}  // namespace qlab
