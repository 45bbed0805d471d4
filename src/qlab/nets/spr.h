// Self-Predictive Representations (Schwarzer et al. 2021, "Data-Efficient Reinforcement Learning
// with Self-Predictive Representations"), the auxiliary loss of SPR and BBF:
//   z_0 = online encoder(aug(s_t)); z_{k+1} = transition(z_k, a_{t+k}), k = 0..K-1
//   y_k = prediction(projection(z_k)); target y~_k = target projection(target encoder(aug(s_t+k)))
//   loss = sum_k valid_k * -cos(y_k, y~_k)   (per sample; steps after the episode end masked)
// The encoder is the Q-network's torso (QNetworkImpl::Encode); the target encoder is the agent's
// target network (SPR: a copy of the online one, tau = 0; BBF: its EMA), and this module's target
// copy holds the target projection. Latents are min-max renormalised per sample ("renormalize"
// of the SPR code) where the transition model reads and writes them.
//   transition   conv latents [C, H, W]: one-hot action planes appended, conv 3x3 -> ReLU ->
//                conv 3x3 to C -> ReLU (the paper's model without batch norm); flat latents
//                [F]: the same with dense layers.
//   projection   linear to `projection_dim` + ReLU (SPR reuses the Q head's first layer; BBF a
//                2048-unit dense layer); prediction: linear (the paper's q).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace qlab {

class Config;
class ConfigSchema;

struct SprOptions {
  int64_t steps = 0;  // K: prediction horizon; 0 switches SPR off
  double weight = 2.0;
  int64_t projection_dim = 512;
  int64_t transition_width = 64;  // channels (conv latents) or units (flat latents)
  bool renormalize = true;
  bool enabled() const { return steps > 0; }

  static void AddKeys(ConfigSchema& schema);  // [spr] section
  static SprOptions FromConfig(const Config& config);
};

class SprModelImpl : public torch::nn::Module {
 public:
  SprModelImpl(const std::vector<int64_t>& latent_shape, int64_t num_actions,
               const SprOptions& options);

  // Per-sample min-max renormalisation of flat latents [B, F] (identity when switched off).
  torch::Tensor Normalize(const torch::Tensor& latent) const;
  // One transition step: flat latents [B, F] and actions [B] (int64) -> next latents [B, F].
  torch::Tensor Step(const torch::Tensor& latent, const torch::Tensor& action);
  torch::Tensor Project(const torch::Tensor& latent);  // [N, F] -> [N, P]
  torch::Tensor Predict(const torch::Tensor& projected);

  // Multiply-adds of one prediction step for one sample (FLOPs estimates).
  int64_t step_macs() const { return step_macs_; }

  // the three parts, for resets (BBF shrinks the transition model, redraws the heads)
  std::shared_ptr<torch::nn::Module> transition() const { return transition_.ptr(); }
  std::shared_ptr<torch::nn::Module> projection() const { return projection_.ptr(); }
  std::shared_ptr<torch::nn::Module> prediction() const { return prediction_.ptr(); }

 private:
  SprOptions options_;
  std::vector<int64_t> latent_shape_;
  int64_t num_actions_;
  bool conv_;
  torch::nn::Sequential transition_{nullptr};
  torch::nn::Linear projection_{nullptr}, prediction_{nullptr};
  int64_t step_macs_ = 0;
};
TORCH_MODULE(SprModel);

// Per-sample SPR loss [B]: predictions and targets [B, K, P], valid [B, K] in {0, 1}.
torch::Tensor SprLoss(const torch::Tensor& predictions, const torch::Tensor& targets,
                      const torch::Tensor& valid);

}  // namespace qlab
