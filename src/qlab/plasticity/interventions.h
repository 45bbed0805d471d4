// Interventions on a value network during training (any agent whose network is a QNetwork).
//
//   ReDo (Sokar et al. 2023, "The Dormant Neuron Phenomenon in Deep RL", Alg. 1): the tau-dormant
//     units of every recyclable layer (diagnostics.h) get fresh incoming weights (the layer's
//     initialiser), zero outgoing weights (the function is unchanged at that moment) and zeroed
//     optimiser moments on both.
//   Resets (Nikishin et al. 2022, "The Primacy Bias in Deep RL"): the last k layers (or every
//     layer after the encoder) are drawn afresh; with shrink-and-perturb (Ash & Adams 2020, in
//     BBF's interpolation form, Schwarzer et al. 2023) the other layers move to
//     alpha * theta + (1 - alpha) * theta_fresh. Optimiser moments of reset parameters are zeroed,
//     those of shrunk ones kept (as BBF). The target network gets the same operation with the
//     same fresh draw.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

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

// Moves `module`'s parameters to shrink * theta + (1 - shrink) * fresh, fresh drawn with
// initialiser `init` (shrink = 0: a full reset with zeroed optimiser moments; 1: untouched).
// `target` (same architecture, may be null) gets the same step toward the same fresh draw.
void ShrinkPerturb(torch::nn::Module& module, torch::nn::Module* target, double shrink,
                   const std::string& init, double sigma0, torch::optim::Optimizer& optimizer,
                   at::Generator& generator);

// Resets the last `last_layers` of network->layers() (-1: every layer after the encoder,
// QNetworkImpl::encoder_layers()) and shrinks-and-perturbs the rest with `shrink` (1: untouched).
void ResetLayers(QNetwork& network, QNetwork* target, int64_t last_layers, double shrink,
                 torch::optim::Optimizer& optimizer, at::Generator& generator);

}  // namespace qlab
