// Interventions on a value network during training (any agent whose network is a QNetwork).
//
//   ReDo (Sokar et al. 2023, "The Dormant Neuron Phenomenon in Deep RL", Alg. 1): the tau-dormant
//     units of every recyclable layer (diagnostics.h) get fresh incoming weights (the layer's
//     initialiser), zero outgoing weights (the function is unchanged at that moment) and zeroed
//     optimiser moments on both.
//   Resets (Nikishin et al. 2022, "The Primacy Bias in Deep RL"): the last k layers are drawn
//     afresh; with shrink-and-perturb (Ash & Adams 2020, in BBF's interpolation form) the other
//     layers move to alpha * theta + (1 - alpha) * theta_fresh. Optimiser moments of reset
//     parameters are zeroed.
#pragma once

#include <torch/torch.h>

#include <cstdint>

#include "qlab/nets/network.h"

namespace qlab {

// The optimiser's running state of `param` (null before its first step).
torch::optim::OptimizerParamState* OptimizerStateOf(torch::optim::Optimizer& optimizer,
                                                    const torch::Tensor& param);

// Zeroes the optimiser's running moments of `param` where `mask` is true (mask broadcastable to
// the parameter; undefined = everywhere). Adam, AdamW, RMSprop and SGD states.
void ZeroOptimizerState(torch::optim::Optimizer& optimizer, const torch::Tensor& param,
                        const torch::Tensor& mask = {});

// ReDo on the activations of one captured forward (network->captured()); returns the number of
// recycled units.
int64_t RecycleDormantUnits(QNetwork& network, double tau, torch::optim::Optimizer& optimizer,
                            at::Generator& generator);

// Resets the last `last_layers` of network->layers() and shrinks-and-perturbs the rest with
// `shrink` (1: untouched). `target` (may be null) takes the reset layers' new values.
void ResetLayers(QNetwork& network, QNetwork* target, int64_t last_layers, double shrink,
                 torch::optim::Optimizer& optimizer, at::Generator& generator);

}  // namespace qlab
