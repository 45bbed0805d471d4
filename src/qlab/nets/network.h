// Value networks built from config (DESIGN.md §5): torso (conv stack + dense layers) then head.
//
// Torsos
//   mlp          flatten, then dense `widths` with ReLU (CleanRL's DQN: [120, 84]).
//   minatar_cnn  conv 16 3x3 stride 1 + ReLU, padding `same` (Dopamine's MinatarDQNNetwork: conv
//                -> dense out) or `valid` (Young & Tian 2019's DQN: conv -> 128 -> out, widths
//                [128]), then dense `widths`.
//   nature_cnn   Mnih et al. 2015: conv 32 8x8/4, 64 4x4/2, 64 3x3/1 (valid), then dense `widths`
//                ([512] in the paper).
// Heads
//   q            linear to one value per action.
//   dueling      Wang et al. 2016: V(s) + A(s, a) - mean_a A(s, a), two linear streams.
// Initialisers: `torch_default` (PyTorch's kaiming-uniform layers, as CleanRL and the MinAtar
// paper's code) or `xavier_uniform` with zero biases (Flax's Dopamine networks).
// Observations are multiplied by `obs_scale` first (1/255 for raw Atari pixels).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

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

  static void AddKeys(ConfigSchema& schema);  // [network] section
  static NetworkOptions FromConfig(const Config& config);
};

class QNetworkImpl : public torch::nn::Module {
 public:
  // obs_shape: channels first ([C, H, W] or [D]); throws UserError when the torso cannot take it.
  QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
               const NetworkOptions& options);

  torch::Tensor forward(torch::Tensor obs);  // [B, obs...] float -> [B, num_actions]
  int64_t num_parameters() const;

 private:
  NetworkOptions options_;
  torch::nn::Sequential torso_{nullptr};
  torch::nn::Linear q_{nullptr}, value_{nullptr};  // value_ only for dueling
};
TORCH_MODULE(QNetwork);

// Copies every parameter and buffer of `from` into `to` (same architecture): tau = 1 is a hard
// copy, tau < 1 Polyak averaging to <- tau * from + (1 - tau) * to.
void UpdateTarget(torch::nn::Module& to, const torch::nn::Module& from, double tau);

// Serialise a module's parameters and buffers to bytes and back (checkpoints).
std::string ModuleBytes(const torch::nn::Module& module);
void LoadModuleBytes(torch::nn::Module& module, const std::string& bytes, const std::string& what);

}  // namespace qlab
