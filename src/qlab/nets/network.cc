#include "qlab/nets/network.h"

#include <fmt/format.h>

#include <sstream>

#include "qlab/core/config.h"
#include "qlab/core/errors.h"

namespace qlab {

void NetworkOptions::AddKeys(ConfigSchema& schema) {
  schema
      .String("network.torso", "mlp", "torso: mlp, minatar_cnn or nature_cnn",
              {"mlp", "minatar_cnn", "nature_cnn"})
      .IntList("network.widths", {64, 64}, "dense layer widths after the torso's convolutions",
               {.min = 1, .max = 1 << 20})
      .String("network.conv_padding", "same",
              "minatar_cnn padding: same (Dopamine) or valid (MinAtar paper)", {"same", "valid"})
      .String("network.head", "q", "head: q or dueling (Wang et al. 2016)", {"q", "dueling"})
      .String("network.init", "torch_default",
              "initialiser: torch_default or xavier_uniform (zero biases)",
              {"torch_default", "xavier_uniform"})
      .Float("network.obs_scale", 1.0, "observations are multiplied by this first",
             {.min = 0.0, .max = 1e6});
}

NetworkOptions NetworkOptions::FromConfig(const Config& config) {
  return {.torso = config.GetString("network.torso"),
          .widths = config.GetIntList("network.widths"),
          .conv_padding = config.GetString("network.conv_padding"),
          .head = config.GetString("network.head"),
          .init = config.GetString("network.init"),
          .obs_scale = config.GetFloat("network.obs_scale")};
}

namespace {

using torch::nn::Conv2d;
using torch::nn::Conv2dOptions;

void AddConv(torch::nn::Sequential& seq, int64_t& channels, int64_t out, int64_t kernel,
             int64_t stride, bool same) {
  auto options = Conv2dOptions(channels, out, kernel).stride(stride);
  if (same) options.padding(torch::kSame);
  seq->push_back(Conv2d(options));
  seq->push_back(torch::nn::ReLU());
  channels = out;
}

}  // namespace

QNetworkImpl::QNetworkImpl(const std::vector<int64_t>& obs_shape, int64_t num_actions,
                           const NetworkOptions& options)
    : options_(options) {
  torso_ = torch::nn::Sequential();
  const bool image = obs_shape.size() == 3;
  if (options.torso != "mlp" && !image)
    throw UserError(
        fmt::format("network.torso = {} needs image observations [C, H, W]", options.torso));
  int64_t channels = image ? obs_shape[0] : 0;
  if (options.torso == "minatar_cnn") {
    AddConv(torso_, channels, 16, 3, 1, options.conv_padding == "same");
  } else if (options.torso == "nature_cnn") {
    AddConv(torso_, channels, 32, 8, 4, false);
    AddConv(torso_, channels, 64, 4, 2, false);
    AddConv(torso_, channels, 64, 3, 1, false);
  }
  torso_->push_back(torch::nn::Flatten());
  // feature size after the convolutions, from one dummy forward
  std::vector<int64_t> dummy_shape = {1};
  dummy_shape.insert(dummy_shape.end(), obs_shape.begin(), obs_shape.end());
  int64_t features;
  try {
    torch::NoGradGuard no_grad;
    features = torso_->forward(torch::zeros(dummy_shape)).size(1);
  } catch (const c10::Error&) {
    throw UserError(fmt::format("network.torso = {} does not fit observations of shape [{}]",
                                options.torso, fmt::join(obs_shape, ", ")));
  }
  for (int64_t width : options.widths) {
    torso_->push_back(torch::nn::Linear(features, width));
    torso_->push_back(torch::nn::ReLU());
    features = width;
  }
  register_module("torso", torso_);
  q_ = register_module("q", torch::nn::Linear(features, num_actions));
  if (options.head == "dueling") value_ = register_module("value", torch::nn::Linear(features, 1));

  if (options.init == "xavier_uniform") {
    torch::NoGradGuard no_grad;
    for (auto& module : modules(/*include_self=*/false)) {
      if (auto* linear = module->as<torch::nn::Linear>()) {
        torch::nn::init::xavier_uniform_(linear->weight);
        torch::nn::init::zeros_(linear->bias);
      } else if (auto* conv = module->as<torch::nn::Conv2d>()) {
        torch::nn::init::xavier_uniform_(conv->weight);
        torch::nn::init::zeros_(conv->bias);
      }
    }
  }
}

torch::Tensor QNetworkImpl::forward(torch::Tensor obs) {
  if (options_.obs_scale != 1.0) obs = obs * options_.obs_scale;
  torch::Tensor features = torso_->forward(obs);
  torch::Tensor q = q_->forward(features);
  if (value_) q = value_->forward(features) + q - q.mean(/*dim=*/1, /*keepdim=*/true);
  return q;
}

int64_t QNetworkImpl::num_parameters() const {
  int64_t count = 0;
  for (const auto& p : parameters()) count += p.numel();
  return count;
}

void UpdateTarget(torch::nn::Module& to, const torch::nn::Module& from, double tau) {
  torch::NoGradGuard no_grad;
  auto to_params = to.parameters();
  auto from_params = from.parameters();
  TORCH_CHECK(to_params.size() == from_params.size());
  for (size_t i = 0; i < to_params.size(); ++i) {
    if (tau >= 1.0) {
      to_params[i].copy_(from_params[i]);
    } else {
      to_params[i].lerp_(from_params[i], tau);
    }
  }
  auto to_buffers = to.buffers();
  auto from_buffers = from.buffers();
  for (size_t i = 0; i < to_buffers.size(); ++i) to_buffers[i].copy_(from_buffers[i]);
}

std::string ModuleBytes(const torch::nn::Module& module) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void LoadModuleBytes(torch::nn::Module& module, const std::string& bytes, const std::string& what) {
  try {
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("cannot load {} from the checkpoint (other network config?): {}",
                                what, e.msg().substr(0, e.msg().find('\n'))));
  }
}

}  // namespace qlab
