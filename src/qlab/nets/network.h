// Value networks built from config (DESIGN.md §5): torso (conv stack + dense layers) then head.
//
// Torsos
//   mlp          flatten, then dense `widths` with ReLU (CleanRL's DQN: [120, 84]).
//   minatar_cnn  conv 16 3x3 stride 1 + ReLU, padding `same` (Dopamine's MinatarDQNNetwork: conv
//                -> dense out) or `valid` (Young & Tian 2019's DQN: conv -> 128 -> out, widths
//                [128]), then dense `widths`.
//   nature_cnn   Mnih et al. 2015: conv 32 8x8/4, 64 4x4/2, 64 3x3/1 (valid), then dense `widths`
//                ([512] in the paper).
//   impala       Espeholt et al. 2018's residual CNN (nets/impala.h): 3 stages of conv, max-pool
//                and 2 residual blocks (16, 32, 32 channels x width_scale; BBF: 4x), then `widths`.
// Heads: `atoms` outputs per action (HeadShape): 1 = Q-values, C51 logits, QR-DQN quantiles.
//   q            linear to atoms values per action.
//   dueling      Wang et al. 2016: V(s) + A(s, a) - mean_a A(s, a), two linear streams (for C51 on
//                the logits, as Dopamine's full Rainbow network).
// IQN (Dabney et al. 2018, "Implicit Quantile Networks"): sampled fractions tau enter through the
//   cosine embedding phi(tau)_j = ReLU(sum_i cos(pi i tau) w_ij + b_j), i = 1..embedding (as
//   Dopamine), multiplied into the first learned features: the conv output (as the paper, where
//   `widths` = [512] follows the merge), or for an mlp torso the first dense layer's output.
// Noisy nets (Fortunato et al. 2018): `noisy` makes every dense layer after the convolutions a
//   NoisyLinear (nets/noisy_linear.h).
// SimBa (Lee et al. 2024, "SimBa: Simplicity Bias for Scaling Up Parameters in Deep RL"), torso
//   `simba` for vector observations: running-statistics observation normalisation (RSNorm, the
//   statistics of the observations the agent acts on in training), a linear embedding to
//   widths[0], `simba_blocks` pre-LN residual blocks x + W2 ReLU(W1 LN(x)) (4x inner width), and a
//   final LayerNorm. `simbav2` (Lee et al. 2025, nets/simbav2.h): RSNorm, then features and
//   weights on the unit sphere; the agent calls ProjectWeights() after every optimiser step.
// Mixtures of experts (nets/moe.h): `moe.type` softmoe / top_k / expert_choice replaces the
//   penultimate dense layer: the torso output (conv maps, or the dense `widths` of an mlp) is
//   tokenised and passed through the mixture, then flattened or averaged into the head.
// Simplicial embeddings (Lavoie et al. 2022, "Simplicial Embeddings in Self-Supervised
//   Learning"): `simplicial_groups` L > 0 adds a linear layer to L * `simplicial_dim` V units
//   before the head, split into L groups, each a softmax with temperature `simplicial_tau`.
// Scaling: `width_scale` multiplies every conv's channels, dense width and expert width (rounded,
//   >= 1); `depth_scale` k repeats each hidden dense layer k times and follows each conv with k - 1
//   extra 3x3 same-padded convs of its width.
// Initialisers: `torch_default` (PyTorch's kaiming-uniform layers, as CleanRL and the MinAtar
// paper's code) or `xavier_uniform` with zero biases (Flax's Dopamine networks); noisy layers keep
// the initialisation of their paper. Observations are multiplied by `obs_scale` first.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "qlab/core/rng.h"
#include "qlab/nets/moe.h"
#include "qlab/nets/noisy_linear.h"
#include "qlab/nets/simbav2.h"

namespace qlab {

class Config;
class ConfigSchema;

struct NetworkOptions {
  std::string torso = "mlp";
  std::vector<int64_t> widths = {64, 64};
  std::string conv_padding = "same";  // minatar_cnn only
  std::string head = "q";
  std::string init = "torch_default";
  double obs_scale = 1.0;
  bool noisy = false;
  double noisy_sigma0 = 0.5;
  double width_scale = 1.0;
  int64_t depth_scale = 1;
  int64_t simba_blocks = 2;
  MoeOptions moe;
  int64_t simplicial_groups = 0, simplicial_dim = 8;
  double simplicial_tau = 1.0;
  std::string kernel = "auto";  // auto: hand-written CPU kernel where one fits; torch: never

  static void AddKeys(ConfigSchema& schema);  // [network] section
  static NetworkOptions FromConfig(const Config& config);
};

// What the head emits per action: `atoms` values, or for IQN (tau_embedding > 0) one value per
// sampled fraction.
struct HeadShape {
  int64_t atoms = 1;
  int64_t tau_embedding = 0;  // IQN cosine embedding size; 0: not IQN
};

// A layer of units (neurons / conv channels) after a ReLU: what dormant-neuron scores, ReDo and
// pruning act on. Incoming tensors index the units on dim 0 (weights, biases; mu and sigma of
// noisy layers); outgoing weights read them on dim 1, in blocks of `block` columns (a conv
// channel read through a flatten covers H * W columns).
struct UnitLayer {
  std::string name;  // conv1, dense2, moe, simba1, ...
  struct Incoming {
    torch::Tensor tensor;
    double bound = 0.0;  // re-initialise U(-bound, bound), or fill with `fill` when bound = 0
    double fill = 0.0;
  };
  std::vector<Incoming> incoming;
  std::vector<torch::Tensor> outgoing;
  int64_t block = 1;
  bool recyclable = true;  // false where ReDo cannot zero the readers (mixtures, SimBa blocks)
};

// A layer as resets see it: its parameters and how to draw them afresh.
struct ResettableLayer {
  std::string name;
  std::vector<std::shared_ptr<torch::nn::Module>> modules;  // the head: advantage and value
};

class QNetworkImpl : public torch::nn::Module {
 public:
  // obs_shape: channels first ([C, H, W] or [D]); throws UserError when the torso cannot take it.
  QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
               const NetworkOptions& options, HeadShape head = {});

  // [B, obs...] float -> [B, num_actions, atoms]; IQN: taus [B, N] -> [B, num_actions, N].
  torch::Tensor forward(torch::Tensor obs, const torch::Tensor& taus = {});
  int64_t num_parameters() const;
  // forward = FromLatent(Encode(obs)): the torso's first learned representation, flattened
  // [B, F] (conv maps; an mlp's first dense layer), which self-predictive losses (SPR) roll
  // forward; latent_shape() is one sample's unflattened shape ([C, H, W] or [F]).
  torch::Tensor Encode(torch::Tensor obs);
  torch::Tensor FromLatent(torch::Tensor latent, const torch::Tensor& taus = {});
  const std::vector<int64_t>& latent_shape() const { return latent_shape_; }

  // Training observations the agent acts on (raw, before obs_scale): SimBa's running statistics.
  void ObserveInputs(const torch::Tensor& obs);
  bool observes_inputs() const { return obs_mean_.defined(); }

  // With capture on, forward keeps every unit layer's ReLU output (in unit_layers() order), the
  // head's input features and the mixture's routing.
  void set_capture(bool capture) { capture_ = capture; }
  const std::vector<torch::Tensor>& captured() const { return captured_; }
  const torch::Tensor& features() const { return features_; }
  const std::vector<UnitLayer>& unit_layers() const { return unit_layers_; }
  // Layers in forward order, the head last (resets of the last k layers); the first
  // encoder_layers() of them compute Encode's latent (BBF shrinks-and-perturbs those).
  const std::vector<ResettableLayer>& layers() const { return layers_; }
  int64_t encoder_layers() const { return encoder_layers_; }
  MixtureOfExperts mixture() const { return moe_; }
  // Auxiliary loss of the last forward (MoE load balancing times its coefficient; else 0).
  torch::Tensor aux_loss() const;
  const NetworkOptions& options() const { return options_; }
  // Multiply-adds of one forward pass for one sample (dense and conv layers; for FLOPs).
  int64_t forward_macs() const { return macs_; }

  // Constraints that follow optimiser steps (SimbaV2's unit-norm weights); a no-op otherwise.
  void ProjectWeights();

  bool noisy() const { return !noisy_layers_.empty(); }
  void ResampleNoise(Rng& rng);  // new noise for every noisy layer
  void SetNoiseEnabled(bool enabled);

 private:
  // seq->forward, keeping each ReLU's output (and impala blocks' units) when capturing
  torch::Tensor RunCapturing(torch::nn::Sequential& seq, torch::Tensor x);

  NetworkOptions options_;
  HeadShape head_;
  int64_t num_actions_;
  torch::nn::Sequential trunk_{nullptr};  // layers before IQN's merge point
  torch::nn::Sequential post_{nullptr};   // dense layers after it (may be empty)
  torch::nn::Linear tau_embedding_{nullptr};
  torch::nn::Sequential advantage_{nullptr}, value_{nullptr};  // value_ only for dueling
  std::vector<NoisyLinear> noisy_layers_;
  // SimBa: running observation statistics, embedding, blocks, final norm
  torch::Tensor obs_mean_, obs_var_, obs_count_;
  torch::nn::Linear simba_embed_{nullptr};
  std::vector<torch::nn::Sequential> simba_blocks_;  // LN, Linear, ReLU, Linear
  torch::nn::LayerNorm simba_norm_{nullptr};
  SimbaV2 simbav2_{nullptr};
  MixtureOfExperts moe_{nullptr};
  std::vector<int64_t> torso_shape_;  // one sample's torso output (before tokenising)
  torch::nn::Linear simplicial_{nullptr};
  bool capture_ = false;
  std::vector<torch::Tensor> captured_;
  torch::Tensor features_;
  std::vector<int64_t> latent_shape_;
  std::vector<UnitLayer> unit_layers_;
  std::vector<ResettableLayer> layers_;
  int64_t encoder_layers_ = 0;
  int64_t macs_ = 0;
};
TORCH_MODULE(QNetwork);

// IQN's cosine features cos(pi i tau), i = 1..dim: taus [B, N] -> [B, N, dim].
torch::Tensor CosineTauFeatures(const torch::Tensor& taus, int64_t dim);

// Draws `module`'s parameters afresh (recursively) as at construction with initialiser `init`
// ("torch_default" or "xavier_uniform"; noisy layers and mixtures as their papers), from
// `generator` (resets, ReDo and growth stay seeded and resumable).
void ReinitializeModule(torch::nn::Module& module, const std::string& init, double sigma0,
                        at::Generator& generator);

// Number of trainable scalars of a module (recursively).
int64_t NumParameters(const torch::nn::Module& module);

// Copies every parameter and buffer of `from` into `to` (same architecture): tau = 1 is a hard
// copy, tau < 1 Polyak averaging to <- tau * from + (1 - tau) * to.
void UpdateTarget(torch::nn::Module& to, const torch::nn::Module& from, double tau);

// Serialise a module's parameters and buffers to bytes and back (checkpoints).
std::string ModuleBytes(const torch::nn::Module& module);
void LoadModuleBytes(torch::nn::Module& module, const std::string& bytes, const std::string& what);
// The same for an optimiser's state, loaded onto `device` (UserError naming `what` on mismatch).
std::string OptimizerBytes(const torch::optim::Optimizer& optimizer);
void LoadOptimizerBytes(torch::optim::Optimizer& optimizer, const std::string& bytes,
                        torch::Device device, const std::string& what);

}  // namespace qlab
