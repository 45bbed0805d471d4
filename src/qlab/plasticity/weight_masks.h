// Binary masks over a network's prunable weights: the weights (not biases) of every dense and conv
// layer, experts included; a noisy layer's sigma is tied to its mu's mask. Masked weights are held
// at exactly zero by Apply() after every optimiser step, and the masks travel in checkpoints.
// One holder serves every sparse-training method: gradual magnitude pruning (pruning.h) and
// Neuroplastic Expansion (expansion.h).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "qlab/core/archive.h"

namespace qlab {

class WeightMasks {
 public:
  // `tied[i]` (may be undefined) follows weights[i]'s mask.
  WeightMasks(std::vector<torch::Tensor> weights, std::vector<torch::Tensor> tied);
  // The prunable weights of `network`, in module order, all masks full.
  static WeightMasks Of(torch::nn::Module& network);

  size_t size() const { return weights_.size(); }
  const torch::Tensor& weight(size_t i) const { return weights_[i]; }
  const torch::Tensor& tied(size_t i) const { return tied_[i]; }
  const torch::Tensor& mask(size_t i) const { return masks_[i]; }  // bool, weight's shape
  void set_mask(size_t i, torch::Tensor mask);

  void Apply();             // weights (and tied) *= masks; free while every mask is full
  int64_t masked() const;   // number of masked weights
  int64_t total() const;    // number of prunable weights
  double sparsity() const;  // masked / total

  void Save(Archive& archive, const std::string& prefix) const;
  void Load(const Archive& archive, const std::string& prefix);

 private:
  std::vector<torch::Tensor> weights_, tied_, masks_;
  bool any_masked_ = false;
};

// Bool mask over scores.flatten() marking its `n` smallest entries (ties by position: the same
// choice on every run).
torch::Tensor SmallestN(const torch::Tensor& scores, int64_t n);

}  // namespace qlab
