// Network diagnostics of the plasticity and scaling literature, computed on a batch of inputs.
//
//   dormant ratio (Sokar et al. 2023, "The Dormant Neuron Phenomenon in Deep RL", Def. 3.1): unit
//     i of a layer has score s_i = E|h_i| / (1/H sum_k E|h_k|) (expectation over the batch, and
//     over spatial positions for conv channels / tokens for mixtures); it is tau-dormant when
//     s_i <= tau. tau = 0 counts units that never fire.
//   srank (Kumar et al. 2021, "Implicit Under-Parameterization", Eq. 1): for the singular values
//     sigma_1 >= ... of the feature matrix [N, d], the smallest k with
//     sum_{i<=k} sigma_i / sum_i sigma_i >= 1 - delta (delta = 0.01).
//   feature norm: mean L2 norm of the head's input features; weight norm: global L2 norm of the
//     parameters.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "qlab/nets/network.h"

namespace qlab {

// Scores s_i of a layer's ReLU output: [B, U], [B, C, H, W] (units = channels) or [B, T, U]
// (units last). Mean 1 unless the layer is all zero (then all zero).
torch::Tensor UnitScores(const torch::Tensor& activation);
// Units with score <= tau, as a bool mask [U].
torch::Tensor DormantUnits(const torch::Tensor& activation, double tau);
double DormantFraction(const torch::Tensor& activation, double tau);
int64_t EffectiveRank(const torch::Tensor& features, double delta = 0.01);

using NamedValues = std::vector<std::pair<std::string, double>>;

// Every diagnostic of `network` on `obs` (one forward under NoGradGuard, with capture):
//   dormant_<layer> and dormant0_<layer> (tau 0.1 and 0), dormant / dormant0 over all units,
//   srank, feature_norm, weight_norm, and for mixtures expert_usage_<e> and routing_entropy.
NamedValues Diagnose(QNetwork& network, const torch::Tensor& obs, const torch::Tensor& taus = {});

}  // namespace qlab
