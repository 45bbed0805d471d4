// Value networks built from config (DESIGN.md §5): torso (conv stack + dense layers) then head.
//
// Torsos
//   mlp          flatten, then dense `widths` with ReLU (CleanRL's DQN: [120, 84]).
//   minatar_cnn  conv 16 3x3 stride 1 + ReLU, padding `same` (Dopamine's MinatarDQNNetwork: conv
//                -> dense out) or `valid` (Young & Tian 2019's DQN: conv -> 128 -> out, widths
//                [128]), then dense `widths`.
//   nature_cnn   Mnih et al. 2015: conv 32 8x8/4, 64 4x4/2, 64 3x3/1 (valid), then dense `widths`
//                ([512] in the paper).
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
// Initialisers: `torch_default` (PyTorch's kaiming-uniform layers, as CleanRL and the MinAtar
// paper's code) or `xavier_uniform` with zero biases (Flax's Dopamine networks); noisy layers keep
// the initialisation of their paper. Observations are multiplied by `obs_scale` first.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "qlab/core/rng.h"
#include "qlab/nets/noisy_linear.h"

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

  static void AddKeys(ConfigSchema& schema);  // [network] section
  static NetworkOptions FromConfig(const Config& config);
};

// What the head emits per action: `atoms` values, or for IQN (tau_embedding > 0) one value per
// sampled fraction.
struct HeadShape {
  int64_t atoms = 1;
  int64_t tau_embedding = 0;  // IQN cosine embedding size; 0: not IQN
};

class QNetworkImpl : public torch::nn::Module {
 public:
  // obs_shape: channels first ([C, H, W] or [D]); throws UserError when the torso cannot take it.
  QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
               const NetworkOptions& options, HeadShape head = {});

  // [B, obs...] float -> [B, num_actions, atoms]; IQN: taus [B, N] -> [B, num_actions, N].
  torch::Tensor forward(torch::Tensor obs, const torch::Tensor& taus = {});
  int64_t num_parameters() const;

  bool noisy() const { return !noisy_layers_.empty(); }
  void ResampleNoise(Rng& rng);  // new noise for every noisy layer
  void SetNoiseEnabled(bool enabled);

 private:
  NetworkOptions options_;
  HeadShape head_;
  int64_t num_actions_;
  torch::nn::Sequential trunk_{nullptr};  // layers before IQN's merge point
  torch::nn::Sequential post_{nullptr};   // dense layers after it (may be empty)
  torch::nn::Linear tau_embedding_{nullptr};
  torch::nn::Sequential advantage_{nullptr}, value_{nullptr};  // value_ only for dueling
  std::vector<NoisyLinear> noisy_layers_;
};
TORCH_MODULE(QNetwork);

// IQN's cosine features cos(pi i tau), i = 1..dim: taus [B, N] -> [B, N, dim].
torch::Tensor CosineTauFeatures(const torch::Tensor& taus, int64_t dim);

// Copies every parameter and buffer of `from` into `to` (same architecture): tau = 1 is a hard
// copy, tau < 1 Polyak averaging to <- tau * from + (1 - tau) * to.
void UpdateTarget(torch::nn::Module& to, const torch::nn::Module& from, double tau);

// Serialise a module's parameters and buffers to bytes and back (checkpoints).
std::string ModuleBytes(const torch::nn::Module& module);
void LoadModuleBytes(torch::nn::Module& module, const std::string& bytes, const std::string& what);

}  // namespace qlab
