// Mixture-of-experts layers for value networks, and the tokenisation that feeds them.
//
// Obando-Ceron et al. 2024, "Mixtures of Experts Unlock Parameter Scaling for Deep RL": the
// penultimate dense layer is replaced by a mixture whose experts are dense layers (Linear + ReLU,
// `expert_width` units) applied to tokens of the torso output:
//   per_conv     one token per spatial position of the conv output, its C channels (H*W tokens);
//   per_feature  one token per feature map, its H*W values (C tokens; for a flat torso output,
//                one token per feature);
//   per_patch    one token per p x p patch, its p*p*C values ("Don't flatten, tokenize!", Sokar et
//                al. 2024);
//   flat         the whole flattened output as one token (classic MoE on a vector).
// The expert outputs [B, T, expert_width] are flattened (as the paper) or averaged over tokens
// (`aggregate = mean`, Sokar et al. 2024's global average pooling) before the head.
//
// Routers
//   softmoe      Soft MoE (Puigcerver et al. 2023): logits = X Phi over E * S slots; dispatch
//                weights softmax over tokens (each slot is a convex mix of tokens), combine weights
//                softmax over slots (each output token a convex mix of slot outputs). With
//                `normalize`, X and Phi are L2-normalised along d and the logits scaled by a
//                learned scalar (§2.3 of the paper). One expert = the tokenised single-expert
//                baseline.
//   top_k        token choice (Shazeer et al. 2017, Switch): each token goes to its k most probable
//                experts, output = sum of gate * expert(token) with the softmax probabilities as
//                gates; Switch's load-balancing loss E * sum_e f_e P_e (f_e: fraction of
//                token-to-expert assignments to e, P_e: mean router probability of e).
//   expert_choice (Zhou et al. 2022): each expert takes its `capacity * T / E` best tokens of each
//                sample (per sample, so a sample's value never depends on the rest of the batch);
//                gate = router probability. No auxiliary loss is needed (balanced by construction).
// Every router reports per-expert usage (share of the routed weight) and the mean routing entropy
// of the last forward, for the diagnostics.
#pragma once

#include <torch/torch.h>

#include <string>

namespace qlab {

struct MoeOptions {
  std::string type = "none";  // none (dense), softmoe, top_k, expert_choice
  int64_t num_experts = 4;
  int64_t expert_width = 0;  // 0: the last of network.widths, else 512
  std::string tokenize = "per_conv";
  int64_t patch = 2;             // per_patch side
  int64_t slots_per_expert = 1;  // softmoe
  bool normalize = true;         // softmoe
  int64_t top_k = 1;
  double capacity = 1.0;              // expert_choice capacity factor
  double aux_loss = 0.01;             // top_k load-balancing coefficient
  std::string aggregate = "flatten";  // flatten or mean
};

// [B, C, H, W] (or [B, F]) -> tokens [B, T, d] (see above); UserError when the mode does not fit.
torch::Tensor Tokenize(const torch::Tensor& features, const std::string& mode, int64_t patch);
// Number and size of tokens that `Tokenize` makes from one sample of shape `features` (no batch).
std::pair<int64_t, int64_t> TokenShape(const std::vector<int64_t>& features,
                                       const std::string& mode, int64_t patch);

// What a router did in the last forward (no gradient), for diagnostics.
struct RoutingStats {
  torch::Tensor usage;   // [E], sums to 1
  double entropy = 0.0;  // mean over tokens (soft/top_k) or slots (expert choice) in nats
};

class MixtureOfExpertsImpl : public torch::nn::Module {
 public:
  MixtureOfExpertsImpl(int64_t token_dim, const MoeOptions& options);

  // tokens [B, T, d] -> [B, T, expert_width] (after the experts' ReLU)
  torch::Tensor forward(const torch::Tensor& tokens);

  // Load-balancing loss of the last training forward (top_k; a zero scalar otherwise).
  torch::Tensor aux_loss() const { return aux_loss_; }
  RoutingStats routing() const;  // of the last forward
  // Softmoe: dispatch [B, T, E*S] and combine [B, T, E*S] weights of the last forward.
  const torch::Tensor& dispatch() const { return dispatch_; }
  const torch::Tensor& combine() const { return combine_; }
  const MoeOptions& options() const { return options_; }
  // expert e's dense layer
  torch::nn::Linear expert(int64_t e) const { return experts_[e]; }

 private:
  torch::Tensor SoftForward(const torch::Tensor& x);
  torch::Tensor TopKForward(const torch::Tensor& x);
  torch::Tensor ExpertChoiceForward(const torch::Tensor& x);

  MoeOptions options_;
  std::vector<torch::nn::Linear> experts_;
  torch::nn::Linear router_{nullptr};  // top_k / expert_choice: d -> E
  torch::Tensor phi_, scale_;          // softmoe: [d, E*S], learned logit scale
  torch::Tensor aux_loss_, dispatch_, combine_;
  torch::Tensor usage_, probs_;  // last forward: [E] usage, [N, E] routing distribution per token
};
TORCH_MODULE(MixtureOfExperts);

}  // namespace qlab
