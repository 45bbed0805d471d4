// Device placement of networks (`run.device`). Networks may train on a GPU; every random draw
// still comes from CPU generators and qlab's Rng streams (seeded from the run seed), so a fresh
// network, a reset or a noise sample holds the same numbers on every device, and replay and envs
// stay in host memory (batches are copied over once per update).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>

namespace qlab {

// "cpu", "cuda" or "cuda:N" -> a torch device; UserError naming run.device when the name is
// malformed or this libtorch sees no such GPU.
torch::Device ParseDevice(const std::string& name);

// Host memory (replay batches, observations) as a tensor on `device`: a view without a copy on
// the CPU, one copy to a GPU. `data` must outlive the CPU view.
torch::Tensor HostToDevice(const void* data, c10::IntArrayRef shape, torch::Dtype dtype,
                           torch::Device device);

// Runs `draw` (an in-place random fill with a CPU generator) on `tensor`, through a host copy when
// the tensor lives on a GPU (CPU generators cannot fill device memory).
void DrawOnCpu(torch::Tensor tensor, const std::function<void(torch::Tensor&)>& draw);

}  // namespace qlab
